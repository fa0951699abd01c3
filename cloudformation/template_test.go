package cloudformation

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sample is a SAM template in YAML short form; the error tables edit it.
const sample = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Ttl:
    Type: Number
    Default: 60
    MinValue: 0
    MaxValue: 3600
Mappings:
  Env:
    prod: {level: info}
Conditions:
  Cached: !Not [!Equals [!Ref Ttl, 0]]
Globals:
  Function:
    Timeout: 5
Resources:
  Auth:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          LEVEL: !FindInMap [Env, prod, level]
          GONE: !If [Cached, !Ref AWS::NoValue, here]
          MODE: !If [Cached, stage, method]
          PICKED: !Select [1, !Split [",", "x,y,z"]]
          ARN: !GetAtt Auth.Arn
          JOINED: !Join ["/", [a, !Ref Ttl, c]]
          REGION: !Sub "${AWS::Region}-${!Literal}"
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
Outputs:
  Url:
    Value: !Sub https://${Api}.execute-api.${AWS::Region}.amazonaws.com/v1
`

func mustParse(t *testing.T, doc string) *Template {
	t.Helper()
	tpl, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return tpl
}

// isClassified reports whether err wraps one of the package's sentinel errors.
func isClassified(err error) bool {
	for _, sentinel := range []error{ErrSyntax, ErrLimit, ErrInvalid, ErrParameter, ErrUnsupported} {
		if errors.Is(err, sentinel) {
			return true
		}
	}
	return false
}

func TestParseSections(t *testing.T) {
	tpl := mustParse(t, sample)
	if want := []string{"AWS::Serverless-2016-10-31"}; !reflect.DeepEqual(tpl.Transform, want) {
		t.Errorf("Transform = %v, want %v", tpl.Transform, want)
	}
	if want := map[string]any{"Function": map[string]any{"Timeout": int64(5)}}; !reflect.DeepEqual(tpl.Globals, want) {
		t.Errorf("Globals = %v, want %v", tpl.Globals, want)
	}
	wantParam := map[string]any{"Type": "Number", "Default": int64(60), "MinValue": int64(0), "MaxValue": int64(3600)}
	if !reflect.DeepEqual(tpl.Parameters["Ttl"], wantParam) {
		t.Errorf("Parameters[Ttl] = %v, want %v", tpl.Parameters["Ttl"], wantParam)
	}
	wantCond := map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "Ttl"}, int64(0)}}}}
	if !reflect.DeepEqual(tpl.Conditions["Cached"], wantCond) {
		t.Errorf("Conditions[Cached] = %v, want %v", tpl.Conditions["Cached"], wantCond)
	}
	if want := map[string]any{"Env": map[string]any{"prod": map[string]any{"level": "info"}}}; !reflect.DeepEqual(tpl.Mappings, want) {
		t.Errorf("Mappings = %v, want %v", tpl.Mappings, want)
	}
	if len(tpl.Resources) != 2 || tpl.Resources["Api"]["Type"] != "AWS::Serverless::Api" {
		t.Errorf("Resources = %v", tpl.Resources)
	}
	if _, ok := tpl.Outputs["Url"]["Value"]; !ok || len(tpl.Outputs) != 1 {
		t.Errorf("Outputs = %v", tpl.Outputs)
	}
}

func TestParseTransform(t *testing.T) {
	tests := []struct {
		name      string
		transform string
		want      []string
	}{
		{"none", "", nil},
		{"one name", "Transform: AWS::Serverless-2016-10-31", []string{"AWS::Serverless-2016-10-31"}},
		{"a list", "Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]", []string{"AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"}},
		{"a macro with parameters", "Transform: [{Name: AWS::Include, Parameters: {Location: s3://b/k}}]", []string{"AWS::Include"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl := mustParse(t, tt.transform+"\nResources: {R: {Type: T}}\n")
			if !reflect.DeepEqual(tpl.Transform, tt.want) {
				t.Errorf("Transform = %#v, want %#v", tpl.Transform, tt.want)
			}
		})
	}
}

// TestParseValues: YAML (short forms included) and JSON give the same values.
func TestParseValues(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		json string // "" when the case is YAML-only
		want any
	}{
		{"Ref", "!Ref X", `{"Ref": "X"}`, map[string]any{"Ref": "X"}},
		{"Condition", "!Condition C", `{"Condition": "C"}`, map[string]any{"Condition": "C"}},
		{"GetAtt string", "!GetAtt A.Arn", `{"Fn::GetAtt": "A.Arn"}`, map[string]any{"Fn::GetAtt": "A.Arn"}},
		{"Sub", `!Sub "${AWS::Region}-x"`, `{"Fn::Sub": "${AWS::Region}-x"}`, map[string]any{"Fn::Sub": "${AWS::Region}-x"}},
		{"If", "!If [C, a, b]", `{"Fn::If": ["C", "a", "b"]}`, map[string]any{"Fn::If": []any{"C", "a", "b"}}},
		{
			"nested short forms", "!Not [!Equals [!Ref P, 0]]", `{"Fn::Not": [{"Fn::Equals": [{"Ref": "P"}, 0]}]}`,
			map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "P"}, int64(0)}}}},
		},
		{"scalars", `[1, 1.5, -2, true, null, "s", 2.5e3]`, `[1, 1.5, -2, true, null, "s", 2.5e3]`, []any{int64(1), 1.5, int64(-2), true, nil, "s", 2500.0}},
		{"integer beyond int64", "18446744073709551615", "18446744073709551615", 18446744073709551615.0},
		{"mapping", "{b: 1, a: [x]}", `{"b": 1, "a": ["x"]}`, map[string]any{"a": []any{"x"}, "b": int64(1)}},
		{"!!str", "!!str 123", "", "123"},
		{"literal block", "|\n        a\n        b", "", "a\nb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl := mustParse(t, "Resources:\n  R:\n    Type: T\n    Properties:\n      V: "+tt.yaml+"\n")
			if got := tpl.Resources["R"]["Properties"].(map[string]any)["V"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("YAML: %#v, want %#v", got, tt.want)
			}
			if tt.json == "" {
				return
			}
			tpl = mustParse(t, `{"Resources": {"R": {"Type": "T", "Properties": {"V": `+tt.json+`}}}}`)
			if got := tpl.Resources["R"]["Properties"].(map[string]any)["V"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("JSON: %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestParseShortForms(t *testing.T) {
	for tag, long := range map[string]string{
		"!Ref": "Ref", "!Condition": "Condition", "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!If": "Fn::If",
		"!Not": "Fn::Not", "!Equals": "Fn::Equals", "!And": "Fn::And", "!Or": "Fn::Or", "!Join": "Fn::Join",
		"!Select": "Fn::Select", "!Split": "Fn::Split", "!FindInMap": "Fn::FindInMap", "!Base64": "Fn::Base64",
		"!ImportValue": "Fn::ImportValue", "!GetAZs": "Fn::GetAZs", "!Cidr": "Fn::Cidr", "!Transform": "Fn::Transform",
		"!ToJsonString": "Fn::ToJsonString", "!Length": "Fn::Length",
	} {
		v, err := parseYAML([]byte(tag + " x"))
		if want := map[string]any{long: "x"}; err != nil || !reflect.DeepEqual(v, want) {
			t.Errorf("%s x = %v, %v; want %v", tag, v, err, want)
		}
	}
}

func TestParseAnchors(t *testing.T) {
	const doc = `
Resources:
  Base:
    Type: T
    Properties: &props
      Environment: {LEVEL: info}
      Name: base
  Copy:
    Type: T
    Properties:
      <<: *props
      Name: copy
  Twin:
    Type: T
    Properties: *props
`
	tpl := mustParse(t, doc)
	copyProps := tpl.Resources["Copy"]["Properties"].(map[string]any)
	if want := map[string]any{"Environment": map[string]any{"LEVEL": "info"}, "Name": "copy"}; !reflect.DeepEqual(copyProps, want) {
		t.Errorf("merged = %v, want %v (explicit keys win)", copyProps, want)
	}
	twin := tpl.Resources["Twin"]["Properties"].(map[string]any)
	twin["Environment"].(map[string]any)["LEVEL"] = "debug"
	if got := tpl.Resources["Base"]["Properties"].(map[string]any)["Environment"].(map[string]any)["LEVEL"]; got != "info" {
		t.Errorf("an alias shares its anchor's values: Base LEVEL = %v after editing Twin", got)
	}
}

// TestParseFormats: JSON and YAML (block or flow style, which also starts with "{") read alike.
func TestParseFormats(t *testing.T) {
	want := mustParse(t, "Parameters:\n  P: {Type: String, Default: x}\nResources:\n  R:\n    Type: T\n    Properties: {A: !Ref P, N: 3}\n")
	for name, doc := range map[string]string{
		"JSON":             `{"Parameters": {"P": {"Type": "String", "Default": "x"}}, "Resources": {"R": {"Type": "T", "Properties": {"A": {"Ref": "P"}, "N": 3}}}}`,
		"JSON with a BOM":  "\xef\xbb\xbf\n {\"Parameters\": {\"P\": {\"Type\": \"String\", \"Default\": \"x\"}}, \"Resources\": {\"R\": {\"Type\": \"T\", \"Properties\": {\"A\": {\"Ref\": \"P\"}, \"N\": 3}}}}",
		"YAML flow style":  `{Parameters: {P: {Type: String, Default: x}}, Resources: {R: {Type: T, Properties: {A: !Ref P, N: 3}}}}`,
		"YAML block style": "Parameters:\n  P:\n    Type: String\n    Default: x\nResources:\n  R:\n    Type: T\n    Properties:\n      A: {Ref: P}\n      N: 3\n",
	} {
		if got := mustParse(t, doc); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	aliasBomb := func() string {
		var b strings.Builder
		b.WriteString("Transform: AWS::Serverless-2016-10-31\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i < 9; i++ {
			b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
			for j := 0; j < 10; j++ {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString("*a" + string(rune('0'+i-1)))
			}
			b.WriteString("]\n")
		}
		return b.String()
	}
	resources := "\nResources: {R: {Type: T}}\n"
	tests := []struct {
		name     string
		doc      string
		wantErr  error
		wantText string
	}{
		{"not YAML", "Resources: [", ErrSyntax, "invalid YAML"},
		{"top level list", "- a\n- b\n", ErrInvalid, "not a mapping"},
		{"unknown tag", strings.Replace(sample, "!Equals [!Ref Ttl", "!Equals [!Reff Ttl", 1), ErrSyntax, "unsupported tag !Reff"},
		{"duplicate key", strings.Replace(sample, "StageName: v1", "StageName: v1\n      StageName: v2", 1), ErrSyntax, "already defined"},
		{"alias to nothing", "Transform: AWS::Serverless-2016-10-31\nResources: *nothing\n", ErrSyntax, "alias"},
		{"two YAML documents", "Resources: {R: {Type: T}}\n---\nResources: {R: {Type: T}}\n", ErrSyntax, "one YAML document"},
		{"too large", strings.Repeat("#", maxSize+1), ErrLimit, "bytes"},
		{"alias bomb", aliasBomb(), ErrLimit, "nodes"},
		{"deep nesting", "Transform: AWS::Serverless-2016-10-31\nx: " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n", ErrLimit, "levels deep"},
		{"deep JSON nesting", `{"x": ` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`, ErrLimit, "levels deep"},
		{"truncated JSON", `{"Resources": {"R": `, ErrSyntax, "invalid JSON"},
		{"JSON duplicate key", `{"Resources": {"R": {"Type": "T"}, "R": {"Type": "U"}}}`, ErrSyntax, `duplicate key "R"`},
		{"data after the JSON document", `{"Resources": {"R": {"Type": "T"}}} {}`, ErrSyntax, "after the document"},
		{"not JSON: read as YAML, which has no resources", `Resources: {}`, ErrInvalid, "no Resources"},
		{"no resources", `{"Resources":{}}`, ErrInvalid, "no Resources"},
		{"resource without a type", `{"Resources":{"R":{}}}`, ErrInvalid, "resource R has no Type"},
		{"resource not a mapping", `{"Resources":{"R":"T"}}`, ErrInvalid, "resource R is not a mapping"},
		{"resources not an object", `{"Resources":[]}`, ErrInvalid, "Resources is not a mapping"},
		{"conditions not an object", `{"Conditions":[],"Resources":{"R":{"Type":"T"}}}`, ErrInvalid, "Conditions is not a mapping"},
		{"globals not a mapping", "Globals: [x]" + resources, ErrInvalid, "Globals is not a mapping"},
		{"output not a mapping", "Outputs: {O: x}" + resources, ErrInvalid, "output O is not a mapping"},
		{"parameter without a Type", "Parameters: {P: {Default: x}}" + resources, ErrInvalid, "parameter P has no Type"},
		{"parameter named like a resource", "Parameters: {R: {Type: String}}" + resources, ErrInvalid, "same name as a resource"},
		{"Transform not a name", "Transform: [1]" + resources, ErrInvalid, "Transform"},
		{"intrinsic function in a mapping", "Mappings:\n  M:\n    a:\n      b: !Ref AWS::Region" + resources, ErrInvalid, "mapping M.a.b"},
		{"mapping not two levels deep", "Mappings: {M: {a: b}}" + resources, ErrInvalid, "mapping M.a is not a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("Parse = %v, want %v containing %q", err, tt.wantErr, tt.wantText)
			}
		})
	}
}

func TestParseFile(t *testing.T) {
	if _, err := ParseFile(filepath.Join("testdata", "evaluate.json")); err != nil {
		t.Errorf("ParseFile(testdata/evaluate.json): %v", err)
	}
	if _, err := ParseFile(filepath.Join(t.TempDir(), "nope.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want os.ErrNotExist", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("- a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseFile(bad); !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Errorf("bad file: %v, want ErrInvalid prefixed with the file name", err)
	}
}
