package cloudformation

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// intrinsicsTemplate is what the intrinsic functions below refer to.
const intrinsicsTemplate = `
Parameters:
  Name: {Type: String, Default: demo}
  Zones: {Type: CommaDelimitedList, Default: "a,b,c"}
  Index: {Type: Number, Default: 1}
  Attr: {Type: String, Default: Arn}
Mappings:
  Env:
    prod:
      level: info
      zones: [x, y]
Conditions:
  Yes: !Equals [a, a]
  No: !Not [!Condition Yes]
Resources:
  Fn: {Type: AWS::Lambda::Function}
  Bucket: {Type: AWS::S3::Bucket}
`

// evaluator returns an Evaluator of intrinsicsTemplate.
func evaluator(t *testing.T) *Evaluator {
	t.Helper()
	e, err := NewEvaluator(mustParse(t, intrinsicsTemplate), map[string]string{"AWS::Region": "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// yamlValue parses a YAML value.
func yamlValue(t *testing.T, doc string) any {
	t.Helper()
	v, err := parseYAML([]byte(doc))
	if err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	return v
}

func TestIntrinsics(t *testing.T) {
	tests := []struct {
		name  string
		value string // YAML
		want  any
	}{
		{"Ref to a parameter", "!Ref Name", "demo"},
		{"Ref to a list parameter", "!Ref Zones", []any{"a", "b", "c"}},
		{"Ref to a pseudo parameter", "!Ref AWS::Region", "eu-west-1"},
		{"Ref to a resource", "!Ref Bucket", "<Bucket>"},
		{"Ref long form", "{Ref: Name}", "demo"},
		{"AWS::NoValue removes a key", "{a: 1, b: !Ref 'AWS::NoValue'}", map[string]any{"a": int64(1)}},
		{"AWS::NoValue removes a list element", "[1, !Ref 'AWS::NoValue', 2]", []any{int64(1), int64(2)}},
		{"GetAtt string form", "!GetAtt Fn.Arn", "<Fn.Arn>"},
		{"GetAtt with a dotted attribute", "!GetAtt Bucket.A.B", "<Bucket.A.B>"},
		{"GetAtt list form", "!GetAtt [Fn, Arn]", "<Fn.Arn>"},
		{"GetAtt attribute from a Ref", "!GetAtt [Fn, !Ref Attr]", "<Fn.Arn>"},
		{"Sub", "!Sub '${Name}-${AWS::Region}'", "demo-eu-west-1"},
		{"Sub literal", "!Sub '${!Name}'", "${Name}"},
		{"Sub resource and attribute", "!Sub '${Fn}/${Fn.Arn}'", "<Fn>/<Fn.Arn>"},
		{"Sub variables", "!Sub ['${X}-${Name}', {X: !Ref 'AWS::Region'}]", "eu-west-1-demo"},
		{"Sub variable names are trimmed", "!Sub '${ Name }'", "demo"},
		{"Sub without variables", "!Sub plain", "plain"},
		{"Sub of a number", "!Sub ['${N}', {N: 3}]", "3"},
		{"If true", "!If [Yes, a, b]", "a"},
		{"If false", "!If [No, a, b]", "b"},
		{"If to AWS::NoValue", "{k: !If [Yes, !Ref 'AWS::NoValue', b]}", map[string]any{}},
		{"Join", "!Join ['/', [a, !Ref Name, 3]]", "a/demo/3"},
		{"Join of a list parameter", "!Join [',', !Ref Zones]", "a,b,c"},
		{"Join drops AWS::NoValue", "!Join ['-', [a, !Ref 'AWS::NoValue', b]]", "a-b"},
		{"Select", "!Select [1, [x, y, z]]", "y"},
		{"Select with a Ref index", "!Select [!Ref Index, !Ref Zones]", "b"},
		{"Select of Split", "!Select [2, !Split [',', 'x,y,z']]", "z"},
		{"Split", "!Split ['/', 'a/b/']", []any{"a", "b", ""}},
		{"FindInMap", "!FindInMap [Env, prod, level]", "info"},
		{"FindInMap of a list", "!FindInMap [Env, !Sub prod, zones]", []any{"x", "y"}},
		{"Base64", "!Base64 hi", "aGk="},
		{"Equals as a value", "!Equals [!Ref Index, 1]", true},
		{"Not as a value", "!Not [!Condition Yes]", false},
		{"And as a value", "!And [!Condition Yes, !Equals [1, 1]]", true},
		{"Or as a value", "!Or [!Condition No, !Condition No]", false},
		{"nested mappings", "{a: {b: [!Ref Name, {c: !Ref 'AWS::Partition'}]}}", map[string]any{"a": map[string]any{"b": []any{"demo", map[string]any{"c": "aws"}}}}},
		{"Condition key outside conditions is data", "{Condition: {StringEquals: {k: v}}}", map[string]any{"Condition": map[string]any{"StringEquals": map[string]any{"k": "v"}}}},
		{"scalars", "[1, 1.5, true, null, s]", []any{int64(1), 1.5, true, nil, "s"}},
	}
	e := evaluator(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Value(yamlValue(t, tt.value))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s = %#v, want %#v", tt.value, got, tt.want)
			}
		})
	}
}

func TestIntrinsicErrors(t *testing.T) {
	tests := []struct {
		name     string
		value    string // YAML
		wantErr  error
		wantText string
	}{
		{"Ref of a non-name", "!Ref [Name]", ErrInvalid, "takes a name"},
		{"Ref to nothing", "!Ref Nope", ErrInvalid, `"Nope" is not a parameter`},
		{"GetAtt without an attribute", "!GetAtt Fn", ErrInvalid, "RESOURCE.ATTRIBUTE"},
		{"GetAtt ending in a dot", "!GetAtt Fn.", ErrInvalid, "RESOURCE.ATTRIBUTE"},
		{"GetAtt of three", "!GetAtt [Fn, Arn, X]", ErrInvalid, "[RESOURCE, ATTRIBUTE]"},
		{"GetAtt of a non-name", "!GetAtt [[Fn], Arn]", ErrInvalid, "logical ID"},
		{"GetAtt of a mapping", "!GetAtt {Fn: Arn}", ErrInvalid, "RESOURCE.ATTRIBUTE"},
		{"GetAtt of a parameter", "!GetAtt Name.Arn", ErrInvalid, `"Name" is not a resource`},
		{"Sub unterminated", "!Sub '${Name'", ErrInvalid, "unterminated"},
		{"Sub of a list parameter", "!Sub '${Zones}'", ErrInvalid, "is a list, not a string"},
		{"Sub of an unknown name", "!Sub '${Ghost}'", ErrInvalid, "${Ghost}"},
		{"Sub of an unknown resource attribute", "!Sub '${Ghost.Arn}'", ErrInvalid, `"Ghost" is not a resource`},
		{"Sub of three", "!Sub [a, b, c]", ErrInvalid, "a string or [string, {variables}]"},
		{"Sub of a mapping", "!Sub {a: b}", ErrInvalid, "a string or [string, {variables}]"},
		{"Sub variables not a mapping", "!Sub ['${X}', [X]]", ErrInvalid, "variables must be a mapping"},
		{"Sub template not a string", "!Sub [[x], {}]", ErrInvalid, "template must be a string"},
		{"If of two", "!If [Yes, a]", ErrInvalid, "list of 3 elements"},
		{"If of a non-name", "!If [[Yes], a, b]", ErrInvalid, "condition name"},
		{"If of an undefined condition", "!If [Maybe, a, b]", ErrInvalid, `condition "Maybe" is not defined`},
		{"Join delimiter not a string", "!Join [[x], [a]]", ErrInvalid, "delimiter must be a string"},
		{"Join of a non-list", "!Join [',', abc]", ErrInvalid, "want a list"},
		{"Join of a mapping element", "!Join [',', [{a: b}]]", ErrInvalid, "element 0 is a mapping"},
		{"Select index not an integer", "!Select [x, [a]]", ErrInvalid, `index "x"`},
		{"Select out of range", "!Select [3, [a]]", ErrInvalid, "out of range"},
		{"Select of a non-list", "!Select [0, a]", ErrInvalid, "want a list"},
		{"Split with an empty delimiter", "!Split ['', abc]", ErrInvalid, "non-empty string"},
		{"Split of a list", "!Split [',', [a]]", ErrInvalid, "want a string"},
		{"FindInMap of an unknown mapping", "!FindInMap [Nope, prod, level]", ErrInvalid, `no mapping "Nope"`},
		{"FindInMap of an unknown top-level key", "!FindInMap [Env, dev, level]", ErrInvalid, `has no key "dev"`},
		{"FindInMap of an unknown second-level key", "!FindInMap [Env, prod, color]", ErrInvalid, `has no key "color"`},
		{"FindInMap of two", "!FindInMap [Env, prod]", ErrInvalid, "list of 3 elements"},
		{"Base64 of a list", "!Base64 [a]", ErrInvalid, "want a string"},
		{"ImportValue", "!ImportValue x", ErrUnsupported, "Fn::ImportValue"},
		{"GetAZs", "!GetAZs ''", ErrUnsupported, "Fn::GetAZs"},
		{"Cidr", "!Cidr [10.0.0.0/16, 2, 8]", ErrUnsupported, "Fn::Cidr"},
		{"Transform", "!Transform {Name: M}", ErrUnsupported, "Fn::Transform"},
		{"ToJsonString", "!ToJsonString {a: b}", ErrUnsupported, "Fn::ToJsonString"},
		{"Length", "!Length [a]", ErrUnsupported, "Fn::Length"},
		{"unknown function", "{'Fn::Nope': x}", ErrInvalid, "not an intrinsic function"},
		{"error path", "{a: [x, {b: !Ref Nope}]}", ErrInvalid, "a: [1]: b: Ref: "},
	}
	e := evaluator(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Value(yamlValue(t, tt.value))
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("Value(%s) = %v, want %v containing %q", tt.value, err, tt.wantErr, tt.wantText)
			}
		})
	}
}

func TestIntrinsic(t *testing.T) {
	tests := []struct {
		v        any
		wantName string
		wantOK   bool
	}{
		{map[string]any{"Ref": "X"}, "Ref", true},
		{map[string]any{"Fn::Sub": "x"}, "Fn::Sub", true},
		{map[string]any{"Condition": "C"}, "", false},
		{map[string]any{"Ref": "X", "Other": 1}, "", false},
		{"Ref", "", false},
		{[]any{map[string]any{"Ref": "X"}}, "", false},
	}
	for _, tt := range tests {
		if name, _, ok := Intrinsic(tt.v); name != tt.wantName || ok != tt.wantOK {
			t.Errorf("Intrinsic(%v) = %q, %v; want %q, %v", tt.v, name, ok, tt.wantName, tt.wantOK)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		v      any
		want   string
		wantOK bool
	}{
		{"s", "s", true},
		{int64(-3), "-3", true},
		{1.5, "1.5", true},
		{1e21, "1000000000000000000000", true},
		{true, "true", true},
		{nil, "", false},
		{[]any{"a"}, "", false},
		{map[string]any{}, "", false},
	}
	for _, tt := range tests {
		if got, ok := Text(tt.v); got != tt.want || ok != tt.wantOK {
			t.Errorf("Text(%#v) = %q, %v; want %q, %v", tt.v, got, ok, tt.want, tt.wantOK)
		}
	}
}
