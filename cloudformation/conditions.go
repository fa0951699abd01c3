package cloudformation

import (
	"fmt"
	"reflect"
)

// condition evaluates a named condition from the Conditions section, once; NewEvaluator
// evaluates them all, so that afterwards this only reads.
func (e *Evaluator) condition(name string) (bool, error) {
	if b, ok := e.conditions[name]; ok {
		return b, nil
	}
	def, ok := e.t.Conditions[name]
	if !ok || e.busy == nil { // busy is nil once NewEvaluator has evaluated every condition
		return false, fmt.Errorf("%w: condition %q is not defined", ErrInvalid, name)
	}
	if e.busy[name] {
		return false, fmt.Errorf("%w: condition %q refers to itself", ErrInvalid, name)
	}
	e.busy[name] = true
	defer delete(e.busy, name)
	b, err := e.evalCondition(def, 0)
	if err != nil {
		return false, fmt.Errorf("condition %q: %w", name, err)
	}
	e.conditions[name] = b
	return b, nil
}

// evalCondition evaluates a condition function or a {"Condition": name} reference.
func (e *Evaluator) evalCondition(v any, depth int) (bool, error) {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if name, ok := m["Condition"]; ok {
			s, ok := name.(string)
			if !ok {
				return false, fmt.Errorf("%w: Condition takes a condition name", ErrInvalid)
			}
			return e.condition(s)
		}
	}
	ev, err := e.eval(v, depth)
	if err != nil {
		return false, err
	}
	b, ok := ev.(bool)
	if !ok {
		return false, fmt.Errorf("%w: want a condition (Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition), got %s", ErrInvalid, describe(ev))
	}
	return b, nil
}

// conditionFunction evaluates Fn::Equals, Fn::Not, Fn::And and Fn::Or.
func (e *Evaluator) conditionFunction(name string, arg any, depth int) (bool, error) {
	switch name {
	case "Fn::Equals":
		list, err := argList(arg, 2, name)
		if err != nil {
			return false, err
		}
		a, err := e.eval(list[0], depth)
		if err != nil {
			return false, err
		}
		b, err := e.eval(list[1], depth)
		if err != nil {
			return false, err
		}
		// CloudFormation compares scalars as the strings they denote: 0 equals "0".
		as, aok := Text(a)
		bs, bok := Text(b)
		if aok && bok {
			return as == bs, nil
		}
		return reflect.DeepEqual(a, b), nil
	case "Fn::Not":
		list, err := argList(arg, 1, name)
		if err != nil {
			return false, err
		}
		b, err := e.evalCondition(list[0], depth)
		return !b, err
	default: // Fn::And, Fn::Or
		list, ok := arg.([]any)
		if !ok || len(list) < 2 || len(list) > 10 {
			return false, fmt.Errorf("%w: takes a list of 2 to 10 conditions", ErrInvalid)
		}
		all := name == "Fn::And"
		for _, c := range list {
			b, err := e.evalCondition(c, depth)
			if err != nil {
				return false, err
			}
			if b != all {
				return b, nil
			}
		}
		return all, nil
	}
}
