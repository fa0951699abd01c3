package cloudformation

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// eval resolves every intrinsic function inside v.
func (e *Evaluator) eval(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: intrinsic functions nested more than %d levels deep", ErrLimit, maxDepth)
	}
	switch t := v.(type) {
	case map[string]any:
		if name, arg, ok := Intrinsic(t); ok {
			out, err := e.intrinsic(name, arg, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			return out, nil
		}
		out := make(map[string]any, len(t))
		for _, k := range slices.Sorted(maps.Keys(t)) {
			ev, err := e.eval(t[k], depth+1)
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
			ev, err := e.eval(item, depth+1)
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

// evalText resolves v and requires a scalar, rendered as a string.
func (e *Evaluator) evalText(v any, depth int) (string, error) {
	ev, err := e.eval(v, depth)
	if err != nil {
		return "", err
	}
	s, ok := Text(ev)
	if !ok {
		return "", fmt.Errorf("%w: want a string, got %s", ErrInvalid, describe(ev))
	}
	return s, nil
}

// evalList resolves v and requires a list.
func (e *Evaluator) evalList(v any, depth int) ([]any, error) {
	ev, err := e.eval(v, depth)
	if err != nil {
		return nil, err
	}
	list, ok := ev.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: want a list, got %s", ErrInvalid, describe(ev))
	}
	return list, nil
}

func argList(arg any, n int, name string) ([]any, error) {
	list, ok := arg.([]any)
	if !ok || len(list) != n {
		return nil, fmt.Errorf("%w: %s takes a list of %d elements", ErrInvalid, name, n)
	}
	return list, nil
}

func (e *Evaluator) intrinsic(name string, arg any, depth int) (any, error) {
	switch name {
	case "Ref":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("%w: takes a name, got %s", ErrInvalid, describe(arg))
		}
		return e.ref(s)
	case "Fn::GetAtt":
		return e.getAtt(arg, depth)
	case "Fn::Sub":
		return e.sub(arg, depth)
	case "Fn::If":
		list, err := argList(arg, 3, name)
		if err != nil {
			return nil, err
		}
		cond, ok := list[0].(string)
		if !ok {
			return nil, fmt.Errorf("%w: the first element must be a condition name", ErrInvalid)
		}
		yes, err := e.condition(cond)
		if err != nil {
			return nil, err
		}
		if yes {
			return e.eval(list[1], depth)
		}
		return e.eval(list[2], depth)
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		return e.conditionFunction(name, arg, depth)
	case "Fn::Join":
		return e.join(arg, depth)
	case "Fn::Select":
		list, err := argList(arg, 2, name)
		if err != nil {
			return nil, err
		}
		is, err := e.evalText(list[0], depth)
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(is)
		if err != nil {
			return nil, fmt.Errorf("%w: index %q is not an integer", ErrInvalid, is)
		}
		items, err := e.evalList(list[1], depth)
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(items) {
			return nil, fmt.Errorf("%w: index %d out of range (%d elements)", ErrInvalid, i, len(items))
		}
		return items[i], nil
	case "Fn::Split":
		list, err := argList(arg, 2, name)
		if err != nil {
			return nil, err
		}
		delim, ok := list[0].(string)
		if !ok || delim == "" {
			return nil, fmt.Errorf("%w: the delimiter must be a non-empty string", ErrInvalid)
		}
		s, err := e.evalText(list[1], depth)
		if err != nil {
			return nil, err
		}
		var out []any
		for part := range strings.SplitSeq(s, delim) {
			out = append(out, part)
		}
		return out, nil
	case "Fn::FindInMap":
		return e.findInMap(arg, depth)
	case "Fn::Base64":
		s, err := e.evalText(arg, depth)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::ImportValue", "Fn::GetAZs", "Fn::Cidr", "Fn::Transform", "Fn::ToJsonString", "Fn::Length":
		return nil, ErrUnsupported
	}
	return nil, fmt.Errorf("%w: not an intrinsic function", ErrInvalid)
}

func (e *Evaluator) join(arg any, depth int) (any, error) {
	list, err := argList(arg, 2, "Fn::Join")
	if err != nil {
		return nil, err
	}
	delim, ok := list[0].(string)
	if !ok {
		return nil, fmt.Errorf("%w: the delimiter must be a string", ErrInvalid)
	}
	parts, err := e.evalList(list[1], depth)
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(parts))
	for i, p := range parts {
		if texts[i], ok = Text(p); !ok {
			return nil, fmt.Errorf("%w: element %d is %s, not a string", ErrInvalid, i, describe(p))
		}
	}
	return strings.Join(texts, delim), nil
}

func (e *Evaluator) findInMap(arg any, depth int) (any, error) {
	list, err := argList(arg, 3, "Fn::FindInMap")
	if err != nil {
		return nil, err
	}
	var keys [3]string
	for i := range keys {
		if keys[i], err = e.evalText(list[i], depth); err != nil {
			return nil, err
		}
	}
	top, ok := e.t.Mappings[keys[0]].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: no mapping %q", ErrInvalid, keys[0])
	}
	second, ok := top[keys[1]].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: mapping %q has no key %q", ErrInvalid, keys[0], keys[1])
	}
	v, ok := second[keys[2]]
	if !ok {
		return nil, fmt.Errorf("%w: mapping %q.%q has no key %q", ErrInvalid, keys[0], keys[1], keys[2])
	}
	if list, ok := v.([]any); ok {
		return slices.Clone(list), nil // Parse made sure that it holds scalars only
	}
	return v, nil
}

func (e *Evaluator) ref(name string) (any, error) {
	if name == "AWS::NoValue" {
		return noValue{}, nil
	}
	if v, ok := e.params[name]; ok {
		if list, ok := v.([]any); ok {
			return slices.Clone(list), nil // the caller may change what Value returns
		}
		return v, nil
	}
	if decl, ok := e.t.Resources[name]; ok {
		typ, _ := decl["Type"].(string)
		return e.refValue(name, typ), nil
	}
	return nil, fmt.Errorf("%w: %q is not a parameter, pseudo parameter or resource", ErrInvalid, name)
}

func (e *Evaluator) getAtt(arg any, depth int) (any, error) {
	var res, attr string
	switch t := arg.(type) {
	case string:
		i := strings.IndexByte(t, '.')
		if i <= 0 || i == len(t)-1 {
			return nil, fmt.Errorf("%w: %q is not RESOURCE.ATTRIBUTE", ErrInvalid, t)
		}
		res, attr = t[:i], t[i+1:]
	case []any:
		if len(t) != 2 {
			return nil, fmt.Errorf("%w: takes [RESOURCE, ATTRIBUTE]", ErrInvalid)
		}
		var ok bool
		if res, ok = t[0].(string); !ok {
			return nil, fmt.Errorf("%w: the resource must be a logical ID", ErrInvalid)
		}
		a, err := e.evalText(t[1], depth)
		if err != nil {
			return nil, err
		}
		attr = a
	default:
		return nil, fmt.Errorf("%w: takes RESOURCE.ATTRIBUTE", ErrInvalid)
	}
	decl, ok := e.t.Resources[res]
	if !ok {
		return nil, fmt.Errorf("%w: %q is not a resource", ErrInvalid, res)
	}
	typ, _ := decl["Type"].(string)
	return e.attValue(res, typ, attr), nil
}

func (e *Evaluator) sub(arg any, depth int) (any, error) {
	var tmpl string
	vars := map[string]any{}
	switch t := arg.(type) {
	case string:
		tmpl = t
	case []any:
		if len(t) != 2 {
			return nil, fmt.Errorf("%w: takes a string or [string, {variables}]", ErrInvalid)
		}
		s, ok := t[0].(string)
		if !ok {
			return nil, fmt.Errorf("%w: the template must be a string", ErrInvalid)
		}
		m, ok := t[1].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: the variables must be a mapping", ErrInvalid)
		}
		tmpl, vars = s, m
	default:
		return nil, fmt.Errorf("%w: takes a string or [string, {variables}]", ErrInvalid)
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
			return nil, fmt.Errorf("%w: unterminated ${ in %q", ErrInvalid, tmpl)
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
			v, err = e.eval(vars[name], depth)
		case strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::"):
			v, err = e.getAtt(name, depth)
		default:
			v, err = e.ref(name)
		}
		if err != nil {
			return nil, fmt.Errorf("${%s}: %w", name, err)
		}
		s, ok := Text(v)
		if !ok {
			return nil, fmt.Errorf("%w: ${%s} is %s, not a string", ErrInvalid, name, describe(v))
		}
		b.WriteString(s)
	}
}
