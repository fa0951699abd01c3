package cloudformation

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// setParameters resolves the pseudo parameters and every declared parameter, from params or
// its Default, checking each value against its declaration.
func (e *Evaluator) setParameters(params map[string]string) error {
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
		if _, ok := e.t.Parameters[name]; !ok {
			return fmt.Errorf("%w: parameter %q is not declared in the template", ErrParameter, name)
		}
	}
	if region := pseudo["AWS::Region"]; !isRegion(region) {
		return fmt.Errorf("%w: AWS::Region %q is not a region name", ErrParameter, region)
	}
	if account := pseudo["AWS::AccountId"]; len(account) != 12 || strings.Trim(account, "0123456789") != "" {
		return fmt.Errorf("%w: AWS::AccountId %q must be 12 digits", ErrParameter, account)
	}
	pseudo["AWS::StackId"] = "arn:" + pseudo["AWS::Partition"] + ":cloudformation:" + pseudo["AWS::Region"] + ":" +
		pseudo["AWS::AccountId"] + ":stack/" + pseudo["AWS::StackName"] + "/00000000-0000-0000-0000-000000000000"
	e.params = map[string]any{"AWS::NotificationARNs": []any{}}
	for name, v := range pseudo {
		e.params[name] = v
	}
	for _, name := range slices.Sorted(maps.Keys(e.t.Parameters)) {
		decl := e.t.Parameters[name]
		value, given := params[name]
		if !given {
			d, ok := decl["Default"]
			if !ok {
				return fmt.Errorf("%w: parameter %s has no Default and no value was given", ErrParameter, name)
			}
			if value, ok = Text(d); !ok {
				list, isList := d.([]any)
				if !isList {
					return fmt.Errorf("%w: parameter %s: Default is not a scalar", ErrInvalid, name)
				}
				parts := make([]string, len(list))
				for i, item := range list {
					parts[i], _ = Text(item)
				}
				value = strings.Join(parts, ",")
			}
		}
		v, err := checkParameter(name, decl, value)
		if err != nil {
			return err
		}
		e.params[name] = v
	}
	return nil
}

// isRegion reports whether s has the shape of a region name, [a-z]{2}(-[a-z]+)+-[0-9]+:
// us-east-1, us-gov-west-1, ...
func isRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || len(parts[0]) != 2 {
		return false
	}
	for i, p := range parts {
		chars := "abcdefghijklmnopqrstuvwxyz"
		if i == len(parts)-1 {
			chars = "0123456789"
		}
		if p == "" || strings.Trim(p, chars) != "" {
			return false
		}
	}
	return true
}

// checkParameter checks value against the parameter's declaration and returns what Ref to it
// evaluates to: the value, or a list of strings for the list types.
func checkParameter(name string, decl map[string]any, value string) (any, error) {
	typ, _ := decl["Type"].(string)
	if typ == "" {
		return nil, fmt.Errorf("%w: parameter %s has no Type", ErrInvalid, name)
	}
	if strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<") {
		return nil, fmt.Errorf("%w: parameter %s: SSM parameter types cannot be resolved without an account", ErrUnsupported, name)
	}
	isList := typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")
	items := []string{value}
	if isList {
		items = strings.Split(value, ",")
	}
	for _, item := range items {
		if typ == "Number" || typ == "List<Number>" {
			item = strings.TrimSpace(item)
			if err := checkNumber(name, decl, item); err != nil {
				return nil, err
			}
		} else if !isList {
			if err := checkLength(name, decl, item); err != nil {
				return nil, err
			}
		}
		if err := checkAllowed(name, decl, item); err != nil {
			return nil, err
		}
	}
	if !isList {
		return value, nil
	}
	list := make([]any, len(items))
	for i, item := range items {
		list[i] = item
	}
	return list, nil
}

// constraint reads the numeric constraint key of a parameter declaration.
func constraint(name string, decl map[string]any, key string) (float64, bool, error) {
	raw, ok := decl[key]
	if !ok {
		return 0, false, nil
	}
	s, _ := Text(raw)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%w: parameter %s: %s %q is not a number", ErrInvalid, name, key, s)
	}
	return f, true, nil
}

// checkNumber checks a value of a Number parameter (or an item of a List<Number> one).
func checkNumber(name string, decl map[string]any, v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%w: parameter %s: %q is not a number", ErrParameter, name, v)
	}
	if lo, ok, err := constraint(name, decl, "MinValue"); err != nil {
		return err
	} else if ok && f < lo {
		return fmt.Errorf("%w: parameter %s: %s is below MinValue %v", ErrParameter, name, v, lo)
	}
	if hi, ok, err := constraint(name, decl, "MaxValue"); err != nil {
		return err
	} else if ok && f > hi {
		return fmt.Errorf("%w: parameter %s: %s is above MaxValue %v", ErrParameter, name, v, hi)
	}
	return nil
}

// checkLength checks the MinLength and MaxLength of a String parameter's value.
func checkLength(name string, decl map[string]any, v string) error {
	if lo, ok, err := constraint(name, decl, "MinLength"); err != nil {
		return err
	} else if ok && float64(len(v)) < lo {
		return fmt.Errorf("%w: parameter %s: shorter than MinLength %v", ErrParameter, name, lo)
	}
	if hi, ok, err := constraint(name, decl, "MaxLength"); err != nil {
		return err
	} else if ok && float64(len(v)) > hi {
		return fmt.Errorf("%w: parameter %s: longer than MaxLength %v", ErrParameter, name, hi)
	}
	return nil
}

// checkAllowed checks a value (or a list item) against AllowedValues and AllowedPattern.
func checkAllowed(name string, decl map[string]any, v string) error {
	if allowed, ok := decl["AllowedValues"].([]any); ok {
		if !slices.ContainsFunc(allowed, func(a any) bool { s, _ := Text(a); return s == v }) {
			return fmt.Errorf("%w: parameter %s: %q is not one of its AllowedValues", ErrParameter, name, v)
		}
	}
	if p, ok := decl["AllowedPattern"].(string); ok {
		re, err := regexp.Compile(`^(?:` + p + `)$`)
		if err != nil {
			return fmt.Errorf("%w: parameter %s: AllowedPattern: %w", ErrInvalid, name, err)
		}
		if !re.MatchString(v) {
			return fmt.Errorf("%w: parameter %s: %q does not match AllowedPattern %s", ErrParameter, name, v, p)
		}
	}
	return nil
}
