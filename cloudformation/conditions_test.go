package cloudformation

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

// conditionTemplate declares the parameter Ttl (Number, default 0), the parameter Name (String,
// default x) and the given Conditions section (YAML block lines, indented by two spaces).
func conditionTemplate(conditions string) string {
	return "Parameters:\n  Ttl: {Type: Number, Default: 0}\n  Name: {Type: String, Default: x}\n" +
		"Conditions:\n" + conditions + "Resources: {R: {Type: T}}\n"
}

func TestConditions(t *testing.T) {
	tests := []struct {
		name       string
		conditions string
		params     map[string]string
		want       map[string]bool
	}{
		{"Equals: number and string alike", "  A: !Equals [!Ref Ttl, 0]\n  B: !Equals [!Ref Ttl, '0']\n", nil, map[string]bool{"A": true, "B": true}},
		{"Equals: other values differ", "  A: !Equals [!Ref Ttl, 0]\n", map[string]string{"Ttl": "00"}, map[string]bool{"A": false}},
		{"Equals: lists", "  A: !Equals [[a, b], [a, b]]\n  B: !Equals [[a], [b]]\n", nil, map[string]bool{"A": true, "B": false}},
		{"Equals: booleans as text", "  A: !Equals [true, 'true']\n", nil, map[string]bool{"A": true}},
		{"Not", "  A: !Not [!Equals [!Ref Name, x]]\n", nil, map[string]bool{"A": false}},
		{"Condition reference", "  A: !Equals [!Ref Name, y]\n  B: !Not [!Condition A]\n", map[string]string{"Name": "y"}, map[string]bool{"A": true, "B": false}},
		{"long-form Condition reference", "  A: {\"Fn::Equals\": [a, a]}\n  B: {\"Fn::And\": [{\"Condition\": A}, {\"Fn::Equals\": [a, b]}]}\n", nil, map[string]bool{"A": true, "B": false}},
		{"And", "  A: !And [!Equals [1, 1], !Equals [!Ref Name, x]]\n", nil, map[string]bool{"A": true}},
		{"And of ten", "  A: !And [" + strings.Repeat("!Equals [1, 1], ", 9) + "!Equals [1, 2]]\n", nil, map[string]bool{"A": false}},
		{"Or", "  A: !Or [!Equals [1, 2], !Equals [!Ref Name, x]]\n  B: !Or [!Equals [1, 2], !Equals [3, 4]]\n", nil, map[string]bool{"A": true, "B": false}},
		{"Or stops at the first true", "  A: !Or [!Equals [1, 1], !Condition Undefined]\n", nil, map[string]bool{"A": true}},
		{"And stops at the first false", "  A: !And [!Equals [1, 2], !Condition Undefined]\n", nil, map[string]bool{"A": false}},
		{"defined out of order", "  A: !Condition Z\n  Z: !Equals [1, 1]\n", nil, map[string]bool{"A": true, "Z": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := mustParse(t, conditionTemplate(tt.conditions)).Evaluate(tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(st.Conditions, tt.want) {
				t.Errorf("Conditions = %v, want %v", st.Conditions, tt.want)
			}
		})
	}
}

func TestConditionErrors(t *testing.T) {
	tests := []struct {
		name       string
		conditions string
		wantText   string
	}{
		{"undefined", "  A: !Not [!Condition B]\n", `condition "B" is not defined`},
		{"refers to itself", "  A: !Not [!Condition A]\n", `condition "A" refers to itself`},
		{"a cycle", "  A: !Not [!Condition B]\n  B: !Not [!Condition A]\n", "refers to itself"},
		{"not a condition function", "  A: yes\n", "want a condition"},
		{"Condition of a non-name", "  A: !Not [!Condition [B]]\n", "Condition takes a condition name"},
		{"Equals of three", "  A: !Equals [1, 1, 1]\n", "list of 2 elements"},
		{"Not of two", "  A: !Not [!Equals [1, 1], !Equals [1, 1]]\n", "list of 1 elements"},
		{"And of one", "  A: !And [!Equals [1, 1]]\n", "2 to 10 conditions"},
		{"Or of eleven", "  A: !Or [" + strings.Repeat("!Equals [1, 2], ", 10) + "!Equals [1, 1]]\n", "2 to 10 conditions"},
		{"Equals of an unknown reference", "  A: !Equals [!Ref Nope, 1]\n", `"Nope" is not a parameter`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mustParse(t, conditionTemplate(tt.conditions)).Evaluate(nil)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("Evaluate = %v, want ErrInvalid containing %q", err, tt.wantText)
			}
		})
	}
}
