package cloudformation

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Text is the text of a scalar as CloudFormation sees it: strings as they are, numbers in
// decimal, booleans as true or false. It reports false for null, mappings and lists.
func Text(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case int64:
		return strconv.FormatInt(t, 10), true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

// Intrinsic reports whether v is a call of an intrinsic function, a mapping with the single
// key Ref or Fn::NAME, and returns the function's name and argument.
func Intrinsic(v any) (name string, arg any, ok bool) {
	m, isMap := v.(map[string]any)
	if !isMap || len(m) != 1 {
		return "", nil, false
	}
	for k, a := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, a, true
		}
	}
	return "", nil, false
}

// RefTo is what Ref to the resource logicalID evaluates to unless WithRef says otherwise:
// "<logicalID>".
func RefTo(logicalID string) string { return "<" + logicalID + ">" }

// AttOf is what Fn::GetAtt of the resource logicalID's attribute evaluates to unless
// WithGetAtt says otherwise: "<logicalID.attribute>".
func AttOf(logicalID, attribute string) string { return "<" + logicalID + "." + attribute + ">" }

// noValue is what Ref AWS::NoValue evaluates to: the enclosing key or list element disappears.
type noValue struct{}

// describe names the kind of v for error messages.
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
