package templatecheck

import (
	"errors"
	"maps"
	"testing"
)

func loadFixture(t *testing.T) *Template {
	t.Helper()
	tpl, err := Load("testdata/evaluate.json")
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name      string
		params    map[string]string
		wantEnv   map[string]any
		wantConds map[string]bool
		wantURL   string
		wantTypes []string // resource IDs present
	}{
		{
			name:      "defaults: TTL 0 is off",
			params:    map[string]string{"Name": "x", "AWS::StackName": "st", "AWS::Region": "eu-west-1"},
			wantEnv:   map[string]any{"MODE": "method", "ZONE": "b", "JOINED": "x/eu-west-1"},
			wantConds: map[string]bool{"Off": true, "On": false, "Both": false},
			wantURL:   "https://<Fn>.example/0",
			wantTypes: []string{"Fn", "Role"},
		},
		{
			name:      "string zero is off too",
			params:    map[string]string{"Name": "y", "Ttl": "0"},
			wantEnv:   map[string]any{"MODE": "method", "ZONE": "b", "JOINED": "y/us-east-1"},
			wantConds: map[string]bool{"Off": true, "On": false, "Both": false},
			wantURL:   "https://<Fn>.example/0",
			wantTypes: []string{"Fn", "Role"},
		},
		{
			name:      "TTL 300 is on",
			params:    map[string]string{"Name": "x", "Ttl": "300", "Zones": "p,q,r"},
			wantEnv:   map[string]any{"MODE": "stage", "GONE": "kept", "ZONE": "q", "JOINED": "x/us-east-1"},
			wantConds: map[string]bool{"Off": false, "On": true, "Both": true},
			wantURL:   "https://<Fn>.example/300",
			wantTypes: []string{"Fn", "OnlyWhenOn", "Role"},
		},
	}
	tpl := loadFixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := tpl.Evaluate(tt.params)
			if err != nil {
				t.Fatal(err)
			}
			env, ok := Lookup(st.Resources["Fn"].Properties, "Environment", "Variables")
			if !ok {
				t.Fatal("no Environment.Variables")
			}
			if !maps.Equal(env.(map[string]any), tt.wantEnv) {
				t.Errorf("env = %v, want %v", env, tt.wantEnv)
			}
			if !maps.Equal(st.Conditions, tt.wantConds) {
				t.Errorf("conditions = %v, want %v", st.Conditions, tt.wantConds)
			}
			if got := st.Outputs["Url"]; got != tt.wantURL {
				t.Errorf("Url = %v, want %s", got, tt.wantURL)
			}
			var ids []string
			for id := range maps.Keys(st.Resources) {
				ids = append(ids, id)
			}
			if len(ids) != len(tt.wantTypes) {
				t.Errorf("resources %v, want %v", ids, tt.wantTypes)
			}
			_, both := st.Outputs["WhenBoth"]
			if both != tt.wantConds["Both"] {
				t.Errorf("output WhenBoth present = %v, want %v", both, tt.wantConds["Both"])
			}
		})
	}
}

func TestEvaluateReferences(t *testing.T) {
	st, err := loadFixture(t).Evaluate(map[string]string{"Name": "n", "AWS::StackName": "st", "AWS::Region": "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	props := st.Resources["Fn"].Properties
	checks := map[string]string{
		"FunctionName": "st-fn",
		"Role":         AttOf("Role", "Arn"),
		"Uri":          "arn:aws:x:eu-west-1:<Fn.Arn>/<Role.Arn>/${Literal}",
	}
	for key, want := range checks {
		if got, _ := Text(props[key]); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if got, _ := Text(props["Timeout"]); got != "3" {
		t.Errorf("Timeout = %v, want 3", props["Timeout"])
	}
	if ids := st.OfType("AWS::IAM::Role"); len(ids) != 1 || ids[0] != "Role" {
		t.Errorf("OfType(AWS::IAM::Role) = %v", ids)
	}
	if st.Parameters["AWS::AccountId"] != DefaultAccountID {
		t.Errorf("AWS::AccountId = %q", st.Parameters["AWS::AccountId"])
	}
}

func TestEvaluateErrors(t *testing.T) {
	tests := []struct {
		name     string
		template string
		params   map[string]string
	}{
		{"missing parameter value", `{"Parameters":{"P":{"Type":"String"}},"Resources":{"R":{"Type":"T"}}}`, nil},
		{"undeclared parameter", `{"Resources":{"R":{"Type":"T"}}}`, map[string]string{"Nope": "1"}},
		{"unknown Ref", `{"Resources":{"R":{"Type":"T","Properties":{"A":{"Ref":"Ghost"}}}}}`, nil},
		{"unknown GetAtt", `{"Resources":{"R":{"Type":"T","Properties":{"A":{"Fn::GetAtt":["Ghost","Arn"]}}}}}`, nil},
		{"unknown Sub variable", `{"Resources":{"R":{"Type":"T","Properties":{"A":{"Fn::Sub":"${Ghost}"}}}}}`, nil},
		{"unmodelled function", `{"Resources":{"R":{"Type":"T","Properties":{"A":{"Fn::ImportValue":"x"}}}}}`, nil},
		{"undefined condition", `{"Resources":{"R":{"Type":"T","Condition":"C"}}}`, nil},
		{"self-referencing condition", `{"Conditions":{"C":{"Fn::Not":[{"Condition":"C"}]}},"Resources":{"R":{"Type":"T"}}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := Parse([]byte(tt.template))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tpl.Evaluate(tt.params); !errors.Is(err, ErrTemplate) {
				t.Fatalf("Evaluate = %v, want an ErrTemplate", err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"not JSON":                 `Resources: {}`,
		"no resources":             `{"Resources":{}}`,
		"resource without a type":  `{"Resources":{"R":{}}}`,
		"resources not an object":  `{"Resources":[]}`,
		"conditions not an object": `{"Conditions":[],"Resources":{"R":{"Type":"T"}}}`,
	} {
		if _, err := Parse([]byte(doc)); !errors.Is(err, ErrTemplate) {
			t.Errorf("%s: Parse = %v, want an ErrTemplate", name, err)
		}
	}
}

func TestLookup(t *testing.T) {
	v := map[string]any{"a": map[string]any{"b": "c"}, "l": []any{1}}
	if got, ok := Lookup(v, "a", "b"); !ok || got != "c" {
		t.Errorf("Lookup(a, b) = %v, %v", got, ok)
	}
	for _, path := range [][]string{{"x"}, {"a", "x"}, {"l", "0"}, {"a", "b", "c"}} {
		if _, ok := Lookup(v, path...); ok {
			t.Errorf("Lookup(%v) found something", path)
		}
	}
}
