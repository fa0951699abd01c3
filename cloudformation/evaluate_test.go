package cloudformation

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

func loadFixture(t *testing.T) *Template {
	t.Helper()
	tpl, err := ParseFile("testdata/evaluate.json")
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// variables returns a function's Environment.Variables.
func variables(t *testing.T, r Resource) map[string]any {
	t.Helper()
	env, _ := r.Properties["Environment"].(map[string]any)
	vars, ok := env["Variables"].(map[string]any)
	if !ok {
		t.Fatalf("no Environment.Variables in %v", r.Properties)
	}
	return vars
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
			if env := variables(t, st.Resources["Fn"]); !maps.Equal(env, tt.wantEnv) {
				t.Errorf("env = %v, want %v", env, tt.wantEnv)
			}
			if !maps.Equal(st.Conditions, tt.wantConds) {
				t.Errorf("conditions = %v, want %v", st.Conditions, tt.wantConds)
			}
			if got := st.Outputs["Url"]; got != tt.wantURL {
				t.Errorf("Url = %v, want %s", got, tt.wantURL)
			}
			if ids := slices.Sorted(maps.Keys(st.Resources)); !slices.Equal(ids, tt.wantTypes) {
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
	if st.Parameters["Zones"] != "a,b" {
		t.Errorf("Zones = %q, want the list comma-separated", st.Parameters["Zones"])
	}
	if st.Resources["OnlyWhenOn"].Properties != nil {
		t.Errorf("a resource without Properties has %v", st.Resources["OnlyWhenOn"].Properties)
	}
}

// TestEvaluateSample evaluates the short-form sample: what a SAM reader such as fakegateway
// gets from its function's environment.
func TestEvaluateSample(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		wantEnv map[string]any
		wantURL string
	}{
		{
			"defaults: cached", nil,
			map[string]any{
				"MODE": "stage", "REGION": "us-east-1-${Literal}", "ARN": "<Auth.Arn>", "JOINED": "a/60/c",
				"PICKED": "y", "LEVEL": "info",
			},
			"https://<Api>.execute-api.us-east-1.amazonaws.com/v1",
		},
		{
			"TTL 0 in another region", map[string]string{"Ttl": "0", "AWS::Region": "eu-west-1"},
			map[string]any{
				"MODE": "method", "REGION": "eu-west-1-${Literal}", "ARN": "<Auth.Arn>", "JOINED": "a/0/c",
				"PICKED": "y", "GONE": "here", "LEVEL": "info",
			},
			"https://<Api>.execute-api.eu-west-1.amazonaws.com/v1",
		},
	}
	tpl := mustParse(t, sample)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := tpl.Evaluate(tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if env := variables(t, st.Resources["Auth"]); !maps.Equal(env, tt.wantEnv) {
				t.Errorf("env = %v, want %v", env, tt.wantEnv)
			}
			if st.Outputs["Url"] != tt.wantURL {
				t.Errorf("Url = %v, want %s", st.Outputs["Url"], tt.wantURL)
			}
		})
	}
}

func TestEvaluateOptions(t *testing.T) {
	tpl := mustParse(t, sample)
	st, err := tpl.Evaluate(nil,
		WithRef(func(id, typ string) string { return id + "/" + typ }),
		WithGetAtt(func(id, typ, attr string) string { return strings.Join([]string{id, typ, attr}, "|") }))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := variables(t, st.Resources["Auth"])["ARN"], "Auth|AWS::Serverless::Function|Arn"; got != want {
		t.Errorf("ARN = %v, want %s", got, want)
	}
	if got, want := st.Outputs["Url"], "https://Api/AWS::Serverless::Api.execute-api.us-east-1.amazonaws.com/v1"; got != want {
		t.Errorf("Url = %v, want %s", got, want)
	}
}

func TestEvaluateErrors(t *testing.T) {
	tests := []struct {
		name     string
		template string
		params   map[string]string
		wantErr  error
		wantText string
	}{
		{"missing parameter value", `{"Parameters":{"P":{"Type":"String"}},"Resources":{"R":{"Type":"T"}}}`, nil, ErrParameter, "no Default"},
		{"undeclared parameter", `{"Resources":{"R":{"Type":"T"}}}`, map[string]string{"Nope": "1"}, ErrParameter, "not declared"},
		{"unknown Ref", `{"Resources":{"R":{"Type":"T","Properties":{"A":{"Ref":"Ghost"}}}}}`, nil, ErrInvalid, `"Ghost" is not a parameter`},
		{"unknown GetAtt", `{"Resources":{"R":{"Type":"T","Properties":{"A":{"Fn::GetAtt":["Ghost","Arn"]}}}}}`, nil, ErrInvalid, `"Ghost" is not a resource`},
		{"unknown Sub variable", `{"Resources":{"R":{"Type":"T","Properties":{"A":{"Fn::Sub":"${Ghost}"}}}}}`, nil, ErrInvalid, "${Ghost}"},
		{"unmodelled function", `{"Resources":{"R":{"Type":"T","Properties":{"A":{"Fn::ImportValue":"x"}}}}}`, nil, ErrUnsupported, "Fn::ImportValue"},
		{"undefined condition", `{"Resources":{"R":{"Type":"T","Condition":"C"}}}`, nil, ErrInvalid, `condition "C" is not defined`},
		{"self-referencing condition", `{"Conditions":{"C":{"Fn::Not":[{"Condition":"C"}]}},"Resources":{"R":{"Type":"T"}}}`, nil, ErrInvalid, "refers to itself"},
		{"condition undefined in Fn::If", strings.Replace(sample, "!If [Cached, stage", "!If [Cachd, stage", 1), nil, ErrInvalid, `condition "Cachd" is not defined`},
		{"unknown Ref in Fn::Join", strings.Replace(sample, "[a, !Ref Ttl, c]", "[a, !Ref Nope, c]", 1), nil, ErrInvalid, `"Nope" is not a parameter`},
		{"GetAtt of unknown resource", strings.Replace(sample, "ARN: !GetAtt Auth.Arn", "ARN: !GetAtt Nobody.Arn", 1), nil, ErrInvalid, `"Nobody" is not a resource`},
		{"unsupported intrinsic", strings.Replace(sample, "ARN: !GetAtt Auth.Arn", "ARN: !ImportValue shared", 1), nil, ErrUnsupported, "Fn::ImportValue"},
		{"unterminated Sub", strings.Replace(sample, `"${AWS::Region}-${!Literal}"`, `"${AWS::Region"`, 1), nil, ErrInvalid, "unterminated"},
		{"SSM parameter", strings.Replace(sample, "Type: Number", "Type: AWS::SSM::Parameter::Value<String>", 1), nil, ErrUnsupported, "SSM"},
		{"self-referencing condition in YAML", strings.Replace(sample, "Cached: !Not [!Equals [!Ref Ttl, 0]]", "Cached: !Not [!Condition Cached]", 1), nil, ErrInvalid, "refers to itself"},
		{"resource Condition not a name", `{"Conditions":{"C":{"Fn::Equals":[1,1]}},"Resources":{"R":{"Type":"T","Condition":["C"]}}}`, nil, ErrInvalid, "resource R: "},
		{"Properties not a mapping", `{"Resources":{"R":{"Type":"T","Properties":[1]}}}`, nil, ErrInvalid, "Properties is not a mapping"},
		{"output that cannot be evaluated", `{"Resources":{"R":{"Type":"T"}},"Outputs":{"O":{"Value":{"Ref":"Ghost"}}}}`, nil, ErrInvalid, "output O: "},
		{"output with an undefined condition", `{"Resources":{"R":{"Type":"T"}},"Outputs":{"O":{"Value":1,"Condition":"C"}}}`, nil, ErrInvalid, "output O: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl := mustParse(t, tt.template)
			_, err := tpl.Evaluate(tt.params)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("Evaluate = %v, want %v containing %q", err, tt.wantErr, tt.wantText)
			}
		})
	}
}

func TestEvaluator(t *testing.T) {
	tpl := mustParse(t, sample)
	e, err := NewEvaluator(tpl, map[string]string{"Ttl": "0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Value", func(t *testing.T) {
		in := map[string]any{"A": []any{map[string]any{"Ref": "Ttl"}, map[string]any{"Ref": "AWS::NoValue"}}}
		got, err := e.Value(in)
		if want := map[string]any{"A": []any{"0"}}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Value = %v, %v; want %v", got, err, want)
		}
		if in["A"].([]any)[0].(map[string]any)["Ref"] != "Ttl" {
			t.Error("Value modified its argument")
		}
		if got, err := e.Value(map[string]any{"Ref": "AWS::NoValue"}); got != nil || err != nil {
			t.Errorf("Value(AWS::NoValue) = %v, %v; want nil", got, err)
		}
	})
	t.Run("Condition", func(t *testing.T) {
		if on, err := e.Condition("Cached"); on || err != nil {
			t.Errorf("Condition(Cached) = %v, %v; want false", on, err)
		}
		if _, err := e.Condition("Nope"); !errors.Is(err, ErrInvalid) {
			t.Errorf("Condition(Nope) = %v, want ErrInvalid", err)
		}
	})
	t.Run("Enabled", func(t *testing.T) {
		tests := []struct {
			decl    map[string]any
			want    bool
			wantErr error
		}{
			{map[string]any{"Type": "T"}, true, nil},
			{map[string]any{"Condition": "Cached"}, false, nil},
			{map[string]any{"Condition": "Nope"}, false, ErrInvalid},
			{map[string]any{"Condition": true}, false, ErrInvalid},
		}
		for _, tt := range tests {
			if got, err := e.Enabled(tt.decl); got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("Enabled(%v) = %v, %v; want %v, %v", tt.decl, got, err, tt.want, tt.wantErr)
			}
		}
	})
	t.Run("concurrent use", func(t *testing.T) {
		v := mustParse(t, sample).Resources["Auth"]["Properties"]
		want, err := e.Value(v)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		results := make([]any, 8)
		for i := range results {
			wg.Go(func() { results[i], _ = e.Value(v) })
		}
		wg.Wait()
		for i, got := range results {
			if !reflect.DeepEqual(got, want) {
				t.Errorf("goroutine %d: %v, want %v", i, got, want)
			}
		}
	})
	t.Run("too deep", func(t *testing.T) {
		var v any = "x"
		for range maxDepth + 1 {
			v = []any{v}
		}
		if _, err := e.Value(v); !errors.Is(err, ErrLimit) {
			t.Errorf("Value = %v, want ErrLimit", err)
		}
	})
}
