package cloudformation

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Pseudo parameter values used unless the parameter values given set them.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "123456789012"
	DefaultStackName = "stack"
)

// An Evaluator evaluates the values of one template under one set of parameter values: the
// parameters are resolved and checked, and every condition evaluated, once, by NewEvaluator.
// An Evaluator is safe for concurrent use.
type Evaluator struct {
	t          *Template
	params     map[string]any // declared and pseudo parameters: a string, or []any for list types
	conditions map[string]bool
	busy       map[string]bool // conditions being evaluated, while NewEvaluator runs
	refValue   func(logicalID, resourceType string) string
	attValue   func(logicalID, resourceType, attribute string) string
}

// NewEvaluator binds t to params, as CloudFormation does when it creates a stack. params sets
// declared parameters (the others take their Default) and may set the pseudo parameters
// AWS::Region, AWS::AccountId, AWS::StackName, AWS::Partition and AWS::URLSuffix (defaults:
// DefaultRegion, DefaultAccountID, DefaultStackName, aws and amazonaws.com). Every value is
// checked against its parameter's Type, AllowedValues, AllowedPattern, MinLength, MaxLength,
// MinValue and MaxValue (ErrParameter). Every condition is evaluated.
func NewEvaluator(t *Template, params map[string]string, opts ...Option) (*Evaluator, error) {
	e := &Evaluator{t: t, conditions: map[string]bool{}, busy: map[string]bool{}, refValue: refTo, attValue: attOf}
	for _, opt := range opts {
		opt(e)
	}
	if err := e.setParameters(params); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(t.Conditions)) {
		if _, err := e.condition(name); err != nil {
			return nil, err
		}
	}
	e.busy = nil
	return e, nil
}

func refTo(logicalID, _ string) string            { return RefTo(logicalID) }
func attOf(logicalID, _, attribute string) string { return AttOf(logicalID, attribute) }

// Value evaluates the intrinsic functions in v, a value of the template or one built from its
// values, and returns the result; v is not modified. Ref AWS::NoValue removes the mapping
// entry or list element that holds it, and evaluates to nil in place of v itself.
func (e *Evaluator) Value(v any) (any, error) {
	out, err := e.eval(v, 0)
	if err != nil {
		return nil, err
	}
	if _, ok := out.(noValue); ok {
		return nil, nil
	}
	return out, nil
}

// Condition returns the value of the named condition.
func (e *Evaluator) Condition(name string) (bool, error) {
	b, ok := e.conditions[name]
	if !ok {
		return false, fmt.Errorf("%w: condition %q is not defined", ErrInvalid, name)
	}
	return b, nil
}

// Enabled reports whether the Condition attribute of decl, a resource or output declaration,
// is true; it is true when decl has none.
func (e *Evaluator) Enabled(decl map[string]any) (bool, error) {
	raw, ok := decl["Condition"]
	if !ok {
		return true, nil
	}
	name, ok := raw.(string)
	if !ok {
		return false, fmt.Errorf("%w: Condition must be a condition name", ErrInvalid)
	}
	return e.Condition(name)
}

// Stack is a template evaluated with parameter values.
type Stack struct {
	// Parameters holds every declared parameter's value (given, else its Default) and the
	// pseudo parameters (AWS::Region, AWS::AccountId, AWS::StackName, AWS::Partition, ...);
	// the values of list parameters are comma-separated.
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

// Evaluate evaluates the whole template with params, which NewEvaluator describes: the
// parameters, the conditions, the properties of every resource and the value of every output
// whose condition is true.
func (t *Template) Evaluate(params map[string]string, opts ...Option) (*Stack, error) {
	e, err := NewEvaluator(t, params, opts...)
	if err != nil {
		return nil, err
	}
	st := &Stack{
		Parameters: make(map[string]string, len(e.params)),
		Conditions: maps.Clone(e.conditions),
		Resources:  map[string]Resource{},
		Outputs:    map[string]any{},
	}
	for name, v := range e.params {
		if list, ok := v.([]any); ok {
			parts := make([]string, len(list))
			for i, item := range list {
				parts[i], _ = Text(item)
			}
			v = strings.Join(parts, ",")
		}
		st.Parameters[name] = v.(string)
	}
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		decl := t.Resources[id]
		if on, err := e.Enabled(decl); err != nil {
			return nil, fmt.Errorf("resource %s: %w", id, err)
		} else if !on {
			continue
		}
		r := Resource{}
		r.Type, _ = decl["Type"].(string)
		props, err := e.Value(decl["Properties"])
		if err != nil {
			return nil, fmt.Errorf("resource %s: Properties: %w", id, err)
		}
		if props != nil {
			if r.Properties, _ = props.(map[string]any); r.Properties == nil {
				return nil, fmt.Errorf("%w: resource %s: Properties is not a mapping", ErrInvalid, id)
			}
		}
		st.Resources[id] = r
	}
	for _, name := range slices.Sorted(maps.Keys(t.Outputs)) {
		decl := t.Outputs[name]
		if on, err := e.Enabled(decl); err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		} else if !on {
			continue
		}
		v, err := e.Value(decl["Value"])
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
		st.Outputs[name] = v
	}
	return st, nil
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
