package fakegateway

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// noValue is what AWS::NoValue evaluates to: the enclosing key or list entry disappears.
type noValue struct{}

// resolver evaluates CloudFormation intrinsic functions and conditions against parameter values
// and placeholder values for resources (a resource's Ref is its logical ID; a function's Arn is
// arn:aws:lambda:REGION:ACCOUNT:function:LOGICAL_ID).
type resolver struct {
	params     map[string]any    // parameter name -> string, or []any for list types
	pseudo     map[string]any    // AWS::Region, AWS::AccountId, ...
	resources  map[string]string // logical ID -> Type
	conditions map[string]any    // raw condition definitions
	mappings   map[string]any
	condValue  map[string]bool
	condBusy   map[string]bool
}

func (r *resolver) functionARN(logicalID string) string {
	return fmt.Sprintf("arn:aws:lambda:%v:%v:function:%s", r.pseudo["AWS::Region"], r.pseudo["AWS::AccountId"], logicalID)
}

// intrinsicName reports whether a single-key mapping is an intrinsic function call.
func intrinsicName(m map[string]any) (string, any, bool) {
	if len(m) != 1 {
		return "", nil, false
	}
	for k, v := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, v, true
		}
	}
	return "", nil, false
}

// eval resolves every intrinsic function inside v.
func (r *resolver) eval(v any, depth int) (any, error) {
	if depth > maxTemplateDepth {
		return nil, fmt.Errorf("intrinsic functions nested more than %d levels deep", maxTemplateDepth)
	}
	switch t := v.(type) {
	case map[string]any:
		if name, arg, ok := intrinsicName(t); ok {
			out, err := r.intrinsic(name, arg, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			return out, nil
		}
		out := make(map[string]any, len(t))
		for _, k := range sortedKeys(t) {
			e, err := r.eval(t[k], depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, drop := e.(noValue); !drop {
				out[k] = e
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(t))
		for i, e := range t {
			ev, err := r.eval(e, depth+1)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if _, drop := ev.(noValue); !drop {
				out = append(out, ev)
			}
		}
		return out, nil
	default:
		return t, nil
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// evalString resolves v and requires a scalar, rendered as a string.
func (r *resolver) evalString(v any, depth int) (string, error) {
	ev, err := r.eval(v, depth)
	if err != nil {
		return "", err
	}
	s, ok := scalarText(ev)
	if !ok {
		return "", fmt.Errorf("want a string, got %s", describe(ev))
	}
	return s, nil
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case noValue:
		return "AWS::NoValue"
	}
	return fmt.Sprintf("%T", v)
}

func argList(arg any, n int, name string) ([]any, error) {
	list, ok := arg.([]any)
	if !ok || (n > 0 && len(list) != n) {
		return nil, fmt.Errorf("%s takes a list of %d elements", name, n)
	}
	return list, nil
}

func (r *resolver) intrinsic(name string, arg any, depth int) (any, error) {
	switch name {
	case "Ref":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("takes a name, got %s", describe(arg))
		}
		return r.ref(s)
	case "Fn::GetAtt":
		return r.getAtt(arg, depth)
	case "Fn::Sub":
		return r.sub(arg, depth)
	case "Fn::If":
		list, err := argList(arg, 3, name)
		if err != nil {
			return nil, err
		}
		cond, ok := list[0].(string)
		if !ok {
			return nil, fmt.Errorf("the first element must be a condition name")
		}
		yes, err := r.condition(cond)
		if err != nil {
			return nil, err
		}
		if yes {
			return r.eval(list[1], depth)
		}
		return r.eval(list[2], depth)
	case "Fn::Equals":
		list, err := argList(arg, 2, name)
		if err != nil {
			return nil, err
		}
		a, err := r.eval(list[0], depth)
		if err != nil {
			return nil, err
		}
		b, err := r.eval(list[1], depth)
		if err != nil {
			return nil, err
		}
		as, aok := scalarText(a)
		bs, bok := scalarText(b)
		if aok && bok {
			return as == bs, nil
		}
		return reflect.DeepEqual(a, b), nil
	case "Fn::Not":
		list, err := argList(arg, 1, name)
		if err != nil {
			return nil, err
		}
		b, err := r.evalCondition(list[0], depth)
		return !b, err
	case "Fn::And", "Fn::Or":
		list, ok := arg.([]any)
		if !ok || len(list) < 2 || len(list) > 10 {
			return nil, fmt.Errorf("takes a list of 2 to 10 conditions")
		}
		all := name == "Fn::And"
		for _, c := range list {
			b, err := r.evalCondition(c, depth)
			if err != nil {
				return nil, err
			}
			if all && !b {
				return false, nil
			}
			if !all && b {
				return true, nil
			}
		}
		return all, nil
	case "Fn::Join":
		list, err := argList(arg, 2, name)
		if err != nil {
			return nil, err
		}
		delim, ok := list[0].(string)
		if !ok {
			return nil, fmt.Errorf("the delimiter must be a string")
		}
		parts, err := r.evalList(list[1], depth)
		if err != nil {
			return nil, err
		}
		texts := make([]string, len(parts))
		for i, p := range parts {
			s, ok := scalarText(p)
			if !ok {
				return nil, fmt.Errorf("element %d is %s, not a string", i, describe(p))
			}
			texts[i] = s
		}
		return strings.Join(texts, delim), nil
	case "Fn::Select":
		list, err := argList(arg, 2, name)
		if err != nil {
			return nil, err
		}
		is, err := r.evalString(list[0], depth)
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(is)
		if err != nil {
			return nil, fmt.Errorf("index %q is not an integer", is)
		}
		items, err := r.evalList(list[1], depth)
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(items) {
			return nil, fmt.Errorf("index %d out of range (%d elements)", i, len(items))
		}
		return items[i], nil
	case "Fn::Split":
		list, err := argList(arg, 2, name)
		if err != nil {
			return nil, err
		}
		delim, ok := list[0].(string)
		if !ok || delim == "" {
			return nil, fmt.Errorf("the delimiter must be a non-empty string")
		}
		s, err := r.evalString(list[1], depth)
		if err != nil {
			return nil, err
		}
		parts := strings.Split(s, delim)
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	case "Fn::FindInMap":
		list, err := argList(arg, 3, name)
		if err != nil {
			return nil, err
		}
		var keys [3]string
		for i := range keys {
			if keys[i], err = r.evalString(list[i], depth); err != nil {
				return nil, err
			}
		}
		top, ok := r.mappings[keys[0]].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("no mapping %q", keys[0])
		}
		second, ok := top[keys[1]].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("mapping %q has no key %q", keys[0], keys[1])
		}
		v, ok := second[keys[2]]
		if !ok {
			return nil, fmt.Errorf("mapping %q.%q has no key %q", keys[0], keys[1], keys[2])
		}
		return r.eval(v, depth)
	case "Fn::Base64":
		s, err := r.evalString(arg, depth)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	}
	return nil, fmt.Errorf("not supported by the local gateway")
}

func (r *resolver) evalList(v any, depth int) ([]any, error) {
	ev, err := r.eval(v, depth)
	if err != nil {
		return nil, err
	}
	list, ok := ev.([]any)
	if !ok {
		return nil, fmt.Errorf("want a list, got %s", describe(ev))
	}
	return list, nil
}

// evalCondition evaluates a condition function or a {"Condition": name} reference.
func (r *resolver) evalCondition(v any, depth int) (bool, error) {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if name, ok := m["Condition"]; ok {
			s, ok := name.(string)
			if !ok {
				return false, fmt.Errorf("Condition takes a condition name")
			}
			return r.condition(s)
		}
	}
	ev, err := r.eval(v, depth)
	if err != nil {
		return false, err
	}
	b, ok := ev.(bool)
	if !ok {
		return false, fmt.Errorf("want a condition (Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition), got %s", describe(ev))
	}
	return b, nil
}

// condition evaluates a named condition from the Conditions section, once.
func (r *resolver) condition(name string) (bool, error) {
	if b, ok := r.condValue[name]; ok {
		return b, nil
	}
	def, ok := r.conditions[name]
	if !ok {
		return false, fmt.Errorf("condition %q is not defined", name)
	}
	if r.condBusy[name] {
		return false, fmt.Errorf("condition %q refers to itself", name)
	}
	r.condBusy[name] = true
	defer delete(r.condBusy, name)
	b, err := r.evalCondition(def, 0)
	if err != nil {
		return false, fmt.Errorf("condition %q: %w", name, err)
	}
	r.condValue[name] = b
	return b, nil
}

func (r *resolver) ref(name string) (any, error) {
	if name == "AWS::NoValue" {
		return noValue{}, nil
	}
	if v, ok := r.params[name]; ok {
		return v, nil
	}
	if v, ok := r.pseudo[name]; ok {
		return v, nil
	}
	if _, ok := r.resources[name]; ok {
		return name, nil
	}
	return nil, fmt.Errorf("%q is not a parameter, pseudo parameter or resource", name)
}

func (r *resolver) getAtt(arg any, depth int) (any, error) {
	var res, attr string
	switch t := arg.(type) {
	case string:
		i := strings.IndexByte(t, '.')
		if i <= 0 || i == len(t)-1 {
			return nil, fmt.Errorf("%q is not RESOURCE.ATTRIBUTE", t)
		}
		res, attr = t[:i], t[i+1:]
	case []any:
		if len(t) != 2 {
			return nil, fmt.Errorf("takes [RESOURCE, ATTRIBUTE]")
		}
		var ok bool
		if res, ok = t[0].(string); !ok {
			return nil, fmt.Errorf("the resource must be a logical ID")
		}
		a, err := r.evalString(t[1], depth)
		if err != nil {
			return nil, err
		}
		attr = a
	default:
		return nil, fmt.Errorf("takes RESOURCE.ATTRIBUTE")
	}
	typ, ok := r.resources[res]
	if !ok {
		return nil, fmt.Errorf("%q is not a resource", res)
	}
	if typ == "AWS::Serverless::Function" && attr == "Arn" {
		return r.functionARN(res), nil
	}
	return res + "." + attr, nil
}

func (r *resolver) sub(arg any, depth int) (any, error) {
	var tmpl string
	vars := map[string]any{}
	switch t := arg.(type) {
	case string:
		tmpl = t
	case []any:
		if len(t) != 2 {
			return nil, fmt.Errorf("takes a string or [string, {variables}]")
		}
		s, ok := t[0].(string)
		if !ok {
			return nil, fmt.Errorf("the template must be a string")
		}
		m, ok := t[1].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("the variables must be a mapping")
		}
		tmpl, vars = s, m
	default:
		return nil, fmt.Errorf("takes a string or [string, {variables}]")
	}
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), nil
		}
		b.WriteString(tmpl[:i])
		rest := tmpl[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			return nil, fmt.Errorf("unterminated ${ in %q", tmpl)
		}
		name := rest[:j]
		tmpl = rest[j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		name = strings.TrimSpace(name)
		var v any
		var err error
		switch {
		case vars[name] != nil:
			v, err = r.eval(vars[name], depth)
		case strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::"):
			v, err = r.getAtt(name, depth)
		default:
			v, err = r.ref(name)
		}
		if err != nil {
			return nil, fmt.Errorf("${%s}: %w", name, err)
		}
		s, ok := scalarText(v)
		if !ok {
			return nil, fmt.Errorf("${%s} is %s, not a string", name, describe(v))
		}
		b.WriteString(s)
	}
}
