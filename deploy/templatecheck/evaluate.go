package templatecheck

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Pseudo parameter defaults used by Evaluate unless params sets them.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "123456789012"
	DefaultStackName = "stack"
)

// Stack is a Template evaluated with parameter values.
type Stack struct {
	// Parameters holds every declared parameter's value (given, else its Default) and the
	// pseudo parameters (AWS::Region, AWS::AccountId, AWS::StackName, AWS::Partition, ...).
	Parameters map[string]string
	// Conditions holds every condition's value.
	Conditions map[string]bool
	// Resources holds the resources whose condition is true, with evaluated properties.
	Resources map[string]Resource
	// Outputs holds the evaluated values of the outputs whose condition is true.
	Outputs map[string]any
}

// Resource is one evaluated resource.
type Resource struct {
	// Type is the resource type, e.g. AWS::Lambda::Function.
	Type string
	// Properties are the evaluated properties (nil when the resource has none).
	Properties map[string]any
}

// OfType lists the logical IDs of the resources of type typ, sorted.
func (s *Stack) OfType(typ string) []string {
	var ids []string
	for id, r := range s.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// RefTo is the symbolic value of Ref to the resource logicalID.
func RefTo(logicalID string) string { return "<" + logicalID + ">" }

// AttOf is the symbolic value of Fn::GetAtt logicalID.attr.
func AttOf(logicalID, attr string) string { return "<" + logicalID + "." + attr + ">" }

// noValue is what Ref AWS::NoValue evaluates to: the enclosing key or list item disappears.
type noValue struct{}

type evaluator struct {
	t      *Template
	params map[string]string
	conds  map[string]bool
	busy   map[string]bool
}

// Evaluate resolves the template with params, which sets declared parameters (others take
// their Default) and may set the pseudo parameters AWS::Region, AWS::AccountId and
// AWS::StackName. A parameter without a value, an undeclared name in params, an unknown
// reference or an intrinsic function this package does not model is an error.
func (t *Template) Evaluate(params map[string]string) (*Stack, error) {
	e := &evaluator{t: t, params: map[string]string{}, conds: map[string]bool{}, busy: map[string]bool{}}
	pseudo := map[string]string{
		"AWS::Region":    DefaultRegion,
		"AWS::AccountId": DefaultAccountID,
		"AWS::StackName": DefaultStackName,
		"AWS::Partition": "aws",
		"AWS::URLSuffix": "amazonaws.com",
	}
	for _, name := range slices.Sorted(maps.Keys(params)) {
		if _, ok := pseudo[name]; ok {
			pseudo[name] = params[name]
			continue
		}
		if _, ok := t.Parameters[name]; !ok {
			return nil, fmt.Errorf("%w: parameter %s is not declared", ErrTemplate, name)
		}
	}
	pseudo["AWS::StackId"] = "arn:" + pseudo["AWS::Partition"] + ":cloudformation:" + pseudo["AWS::Region"] + ":" +
		pseudo["AWS::AccountId"] + ":stack/" + pseudo["AWS::StackName"] + "/00000000-0000-0000-0000-000000000000"
	maps.Copy(e.params, pseudo)
	for _, name := range slices.Sorted(maps.Keys(t.Parameters)) {
		if v, ok := params[name]; ok {
			e.params[name] = v
			continue
		}
		def, ok := t.Parameters[name]["Default"]
		if !ok {
			return nil, fmt.Errorf("%w: parameter %s has no value and no Default", ErrTemplate, name)
		}
		s, ok := scalarText(def)
		if !ok {
			return nil, fmt.Errorf("%w: parameter %s: Default is not a scalar", ErrTemplate, name)
		}
		e.params[name] = s
	}

	st := &Stack{Parameters: e.params, Conditions: map[string]bool{}, Resources: map[string]Resource{}, Outputs: map[string]any{}}
	for _, name := range slices.Sorted(maps.Keys(t.Conditions)) {
		b, err := e.condition(name)
		if err != nil {
			return nil, err
		}
		st.Conditions[name] = b
	}
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		decl := t.Resources[id]
		if on, err := e.guard(decl); err != nil {
			return nil, fmt.Errorf("resource %s: %w", id, err)
		} else if !on {
			continue
		}
		r := Resource{Type: decl["Type"].(string)}
		if props, ok := decl["Properties"]; ok {
			v, err := e.value(props)
			if err != nil {
				return nil, fmt.Errorf("resource %s: %w", id, err)
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%w: resource %s: Properties is not an object", ErrTemplate, id)
			}
			r.Properties = m
		}
		st.Resources[id] = r
	}
	for _, name := range slices.Sorted(maps.Keys(t.Outputs)) {
		decl := t.Outputs[name]
		if on, err := e.guard(decl); err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		} else if !on {
			continue
		}
		v, err := e.value(decl["Value"])
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
		st.Outputs[name] = v
	}
	return st, nil
}

// guard evaluates a resource's or output's Condition attribute (true when there is none).
func (e *evaluator) guard(decl map[string]any) (bool, error) {
	raw, ok := decl["Condition"]
	if !ok {
		return true, nil
	}
	name, ok := raw.(string)
	if !ok {
		return false, fmt.Errorf("%w: Condition must be a condition name", ErrTemplate)
	}
	return e.condition(name)
}

func (e *evaluator) condition(name string) (bool, error) {
	if b, ok := e.conds[name]; ok {
		return b, nil
	}
	expr, ok := e.t.Conditions[name]
	if !ok {
		return false, fmt.Errorf("%w: condition %s is not defined", ErrTemplate, name)
	}
	if e.busy[name] {
		return false, fmt.Errorf("%w: condition %s refers to itself", ErrTemplate, name)
	}
	e.busy[name] = true
	b, err := e.boolean(expr)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	e.conds[name] = b
	return b, nil
}

// boolean evaluates a condition expression: Fn::Equals, Fn::Not, Fn::And, Fn::Or or
// {"Condition": name}.
func (e *evaluator) boolean(expr any) (bool, error) {
	m, ok := expr.(map[string]any)
	if !ok || len(m) != 1 {
		return false, fmt.Errorf("%w: %v is not a condition expression", ErrTemplate, expr)
	}
	for fn, arg := range m {
		if fn == "Condition" {
			name, ok := arg.(string)
			if !ok {
				return false, fmt.Errorf("%w: Condition takes a name", ErrTemplate)
			}
			return e.condition(name)
		}
		list, ok := arg.([]any)
		if !ok {
			return false, fmt.Errorf("%w: %s takes a list", ErrTemplate, fn)
		}
		switch fn {
		case "Fn::Equals":
			if len(list) != 2 {
				return false, fmt.Errorf("%w: Fn::Equals takes two values", ErrTemplate)
			}
			a, err := e.value(list[0])
			if err != nil {
				return false, err
			}
			b, err := e.value(list[1])
			if err != nil {
				return false, err
			}
			// CloudFormation compares scalars as the strings they denote: 0 equals "0".
			as, aok := scalarText(a)
			bs, bok := scalarText(b)
			if aok && bok {
				return as == bs, nil
			}
			return reflect.DeepEqual(a, b), nil
		case "Fn::Not":
			if len(list) != 1 {
				return false, fmt.Errorf("%w: Fn::Not takes one condition", ErrTemplate)
			}
			b, err := e.boolean(list[0])
			return !b, err
		case "Fn::And", "Fn::Or":
			if len(list) < 2 || len(list) > 10 {
				return false, fmt.Errorf("%w: %s takes 2 to 10 conditions", ErrTemplate, fn)
			}
			and := fn == "Fn::And"
			for _, c := range list {
				b, err := e.boolean(c)
				if err != nil {
					return false, err
				}
				if b != and {
					return b, nil
				}
			}
			return and, nil
		default:
			return false, fmt.Errorf("%w: %s is not a condition function", ErrTemplate, fn)
		}
	}
	panic("unreachable")
}

// value evaluates v: intrinsic functions are resolved, AWS::NoValue removes map entries and
// list items.
func (e *evaluator) value(v any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 1 {
			for k, arg := range t {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return e.intrinsic(k, arg)
				}
			}
		}
		out := make(map[string]any, len(t))
		for k, item := range t {
			ev, err := e.value(item)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, drop := ev.(noValue); !drop {
				out[k] = ev
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(t))
		for i, item := range t {
			ev, err := e.value(item)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if _, drop := ev.(noValue); !drop {
				out = append(out, ev)
			}
		}
		return out, nil
	default:
		return v, nil
	}
}

func (e *evaluator) intrinsic(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("%w: Ref takes a name", ErrTemplate)
		}
		return e.ref(name)
	case "Fn::GetAtt":
		var parts []string
		switch a := arg.(type) {
		case string:
			parts = strings.SplitN(a, ".", 2)
		case []any:
			for _, p := range a {
				s, ok := p.(string)
				if !ok {
					return nil, fmt.Errorf("%w: Fn::GetAtt takes names", ErrTemplate)
				}
				parts = append(parts, s)
			}
		}
		if len(parts) != 2 {
			return nil, fmt.Errorf("%w: Fn::GetAtt takes [resource, attribute]", ErrTemplate)
		}
		if _, ok := e.t.Resources[parts[0]]; !ok {
			return nil, fmt.Errorf("%w: Fn::GetAtt of unknown resource %s", ErrTemplate, parts[0])
		}
		return AttOf(parts[0], parts[1]), nil
	case "Fn::Sub":
		return e.sub(arg)
	case "Fn::If":
		list, ok := arg.([]any)
		if !ok || len(list) != 3 {
			return nil, fmt.Errorf("%w: Fn::If takes [condition, then, else]", ErrTemplate)
		}
		name, ok := list[0].(string)
		if !ok {
			return nil, fmt.Errorf("%w: Fn::If takes a condition name", ErrTemplate)
		}
		b, err := e.condition(name)
		if err != nil {
			return nil, err
		}
		if b {
			return e.value(list[1])
		}
		return e.value(list[2])
	case "Fn::Join":
		list, ok := arg.([]any)
		if !ok || len(list) != 2 {
			return nil, fmt.Errorf("%w: Fn::Join takes [delimiter, list]", ErrTemplate)
		}
		delim, ok := list[0].(string)
		if !ok {
			return nil, fmt.Errorf("%w: Fn::Join delimiter is not a string", ErrTemplate)
		}
		items, err := e.value(list[1])
		if err != nil {
			return nil, err
		}
		il, ok := items.([]any)
		if !ok {
			return nil, fmt.Errorf("%w: Fn::Join takes a list", ErrTemplate)
		}
		parts := make([]string, len(il))
		for i, it := range il {
			if parts[i], ok = scalarText(it); !ok {
				return nil, fmt.Errorf("%w: Fn::Join item %d is not a scalar", ErrTemplate, i)
			}
		}
		return strings.Join(parts, delim), nil
	case "Fn::Select":
		list, ok := arg.([]any)
		if !ok || len(list) != 2 {
			return nil, fmt.Errorf("%w: Fn::Select takes [index, list]", ErrTemplate)
		}
		idxV, err := e.value(list[0])
		if err != nil {
			return nil, err
		}
		idxS, _ := scalarText(idxV)
		idx, err := strconv.Atoi(idxS)
		if err != nil {
			return nil, fmt.Errorf("%w: Fn::Select index %q", ErrTemplate, idxS)
		}
		items, err := e.value(list[1])
		if err != nil {
			return nil, err
		}
		il, ok := items.([]any)
		if !ok || idx < 0 || idx >= len(il) {
			return nil, fmt.Errorf("%w: Fn::Select index %d out of range", ErrTemplate, idx)
		}
		return il[idx], nil
	default:
		return nil, fmt.Errorf("%w: %s is not modelled", ErrTemplate, fn)
	}
}

func (e *evaluator) ref(name string) (any, error) {
	if name == "AWS::NoValue" {
		return noValue{}, nil
	}
	if v, ok := e.params[name]; ok {
		if decl, declared := e.t.Parameters[name]; declared {
			if typ, _ := decl["Type"].(string); typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<") {
				parts := strings.Split(v, ",")
				out := make([]any, len(parts))
				for i, p := range parts {
					out[i] = p
				}
				return out, nil
			}
		}
		return v, nil
	}
	if _, ok := e.t.Resources[name]; ok {
		return RefTo(name), nil
	}
	return nil, fmt.Errorf("%w: Ref to unknown name %s", ErrTemplate, name)
}

var subVariable = regexp.MustCompile(`\$\{([^}]*)\}`)

func (e *evaluator) sub(arg any) (any, error) {
	var text string
	vars := map[string]string{}
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		if len(a) != 2 {
			return nil, fmt.Errorf("%w: Fn::Sub takes a string or [string, variables]", ErrTemplate)
		}
		s, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("%w: Fn::Sub template is not a string", ErrTemplate)
		}
		text = s
		m, ok := a[1].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: Fn::Sub variables are not an object", ErrTemplate)
		}
		for k, raw := range m {
			v, err := e.value(raw)
			if err != nil {
				return nil, fmt.Errorf("Fn::Sub variable %s: %w", k, err)
			}
			if vars[k], ok = scalarText(v); !ok {
				return nil, fmt.Errorf("%w: Fn::Sub variable %s is not a scalar", ErrTemplate, k)
			}
		}
	default:
		return nil, fmt.Errorf("%w: Fn::Sub takes a string or [string, variables]", ErrTemplate)
	}
	var firstErr error
	out := subVariable.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		if v, ok := vars[name]; ok {
			return v
		}
		if res, attr, ok := strings.Cut(name, "."); ok {
			if _, known := e.t.Resources[res]; known {
				return AttOf(res, attr)
			}
		}
		v, err := e.ref(name)
		if err == nil {
			if s, ok := scalarText(v); ok {
				return s
			}
			err = fmt.Errorf("%w: Fn::Sub ${%s} is not a scalar", ErrTemplate, name)
		}
		if firstErr == nil {
			firstErr = err
		}
		return m
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// scalarText is the text of a JSON scalar as CloudFormation sees it.
func scalarText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	default:
		return "", false
	}
}

// Text is the text of a scalar value of an evaluated template ("" and false for non-scalars).
func Text(v any) (string, bool) { return scalarText(v) }
