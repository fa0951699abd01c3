package cloudformation

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// paramTemplate declares the parameter P with decl (a YAML flow mapping) and outputs Ref P.
func paramTemplate(decl string) string {
	return "Parameters:\n  P: " + decl + "\nResources: {R: {Type: T}}\nOutputs: {P: {Value: !Ref P}}\n"
}

func TestParameters(t *testing.T) {
	tests := []struct {
		name     string
		decl     string
		params   map[string]string
		wantRef  any    // what Ref P evaluates to
		wantText string // Stack.Parameters["P"]
	}{
		{"String default", "{Type: String, Default: x}", nil, "x", "x"},
		{"String given", "{Type: String, Default: x}", map[string]string{"P": "y"}, "y", "y"},
		{"empty String allowed without MinLength", "{Type: String}", map[string]string{"P": ""}, "", ""},
		{"Number default is text", "{Type: Number, Default: 60}", nil, "60", "60"},
		{"Number within bounds", "{Type: Number, MinValue: 0, MaxValue: 3600}", map[string]string{"P": "3600"}, "3600", "3600"},
		{"Number fraction", "{Type: Number, MaxValue: 2}", map[string]string{"P": "1.5"}, "1.5", "1.5"},
		{"AllowedValues", "{Type: String, AllowedValues: [a, b]}", map[string]string{"P": "b"}, "b", "b"},
		{"numeric AllowedValues", "{Type: Number, AllowedValues: [1, 2]}", map[string]string{"P": "2"}, "2", "2"},
		{"AllowedPattern matches the whole value", "{Type: String, AllowedPattern: '[a-z]+'}", map[string]string{"P": "abc"}, "abc", "abc"},
		{"MinLength and MaxLength", "{Type: String, MinLength: 1, MaxLength: 3}", map[string]string{"P": "abc"}, "abc", "abc"},
		{"CommaDelimitedList", "{Type: CommaDelimitedList, Default: 'a,b'}", nil, []any{"a", "b"}, "a,b"},
		{"CommaDelimitedList default as a list", "{Type: CommaDelimitedList, Default: [a, b, c]}", nil, []any{"a", "b", "c"}, "a,b,c"},
		{"CommaDelimitedList AllowedValues per item", "{Type: CommaDelimitedList, AllowedValues: [a, b]}", map[string]string{"P": "b,a"}, []any{"b", "a"}, "b,a"},
		{"List<Number>", "{Type: List<Number>, MaxValue: 10}", map[string]string{"P": "1, 10"}, []any{"1", " 10"}, "1, 10"},
		{"List of AWS-specific values", "{Type: 'List<AWS::EC2::Subnet::Id>'}", map[string]string{"P": "subnet-1,subnet-2"}, []any{"subnet-1", "subnet-2"}, "subnet-1,subnet-2"},
		{"AWS-specific value", "{Type: 'AWS::EC2::KeyPair::KeyName'}", map[string]string{"P": "k"}, "k", "k"},
		{"SSM parameter name", "{Type: 'AWS::SSM::Parameter::Name', Default: /a/b}", nil, "/a/b", "/a/b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := mustParse(t, paramTemplate(tt.decl)).Evaluate(tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(st.Outputs["P"], tt.wantRef) {
				t.Errorf("Ref P = %#v, want %#v", st.Outputs["P"], tt.wantRef)
			}
			if st.Parameters["P"] != tt.wantText {
				t.Errorf("Parameters[P] = %q, want %q", st.Parameters["P"], tt.wantText)
			}
		})
	}
}

func TestParameterErrors(t *testing.T) {
	tests := []struct {
		name     string
		decl     string
		params   map[string]string
		wantErr  error
		wantText string
	}{
		{"missing required parameter", "{Type: String}", nil, ErrParameter, "P has no Default"},
		{"unknown parameter", "{Type: String, Default: x}", map[string]string{"Audiense": "x"}, ErrParameter, `"Audiense" is not declared`},
		{"above MaxValue", "{Type: Number, MaxValue: 3600}", map[string]string{"P": "3601"}, ErrParameter, "above MaxValue"},
		{"below MinValue", "{Type: Number, MinValue: 0}", map[string]string{"P": "-1"}, ErrParameter, "below MinValue"},
		{"not a number", "{Type: Number}", map[string]string{"P": "soon"}, ErrParameter, "not a number"},
		{"infinity is not a number", "{Type: Number}", map[string]string{"P": "Inf"}, ErrParameter, "not a number"},
		{"AllowedPattern", "{Type: String, AllowedPattern: '^https?://[^\\s]+/$'}", map[string]string{"P": "https://tenant.example"}, ErrParameter, "AllowedPattern"},
		{"AllowedPattern is anchored", "{Type: String, AllowedPattern: '[a-z]+'}", map[string]string{"P": "abc1"}, ErrParameter, "AllowedPattern"},
		{"bad stage name", "{Type: String, Default: prod, AllowedPattern: '^[A-Za-z0-9_]+$'}", map[string]string{"P": "pr od"}, ErrParameter, "AllowedPattern"},
		{"MinLength", "{Type: String, MinLength: 1}", map[string]string{"P": ""}, ErrParameter, "MinLength"},
		{"MaxLength", "{Type: String, MaxLength: 2}", map[string]string{"P": "abc"}, ErrParameter, "MaxLength"},
		{"AllowedValues", "{Type: String, AllowedValues: [a, b]}", map[string]string{"P": "c"}, ErrParameter, "AllowedValues"},
		{"list item not allowed", "{Type: CommaDelimitedList, AllowedValues: [a, b]}", map[string]string{"P": "a,c"}, ErrParameter, `"c" is not one of`},
		{"List<Number> item not a number", "{Type: List<Number>}", map[string]string{"P": "1,x"}, ErrParameter, `"x" is not a number`},
		{"Default neither scalar nor list", "{Type: String, Default: {a: b}}", nil, ErrInvalid, "Default is not a scalar"},
		{"MinValue not a number", "{Type: Number, MinValue: low}", map[string]string{"P": "1"}, ErrInvalid, "MinValue"},
		{"AllowedPattern not a regular expression", "{Type: String, AllowedPattern: '(['}", map[string]string{"P": "x"}, ErrInvalid, "AllowedPattern"},
		{"SSM parameter value", "{Type: 'AWS::SSM::Parameter::Value<String>', Default: /a}", nil, ErrUnsupported, "SSM"},
		{"bad region", "{Type: String, Default: x}", map[string]string{"AWS::Region": "mars"}, ErrParameter, "region"},
		{"bad account", "{Type: String, Default: x}", map[string]string{"AWS::AccountId": "12345"}, ErrParameter, "12 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mustParse(t, paramTemplate(tt.decl)).Evaluate(tt.params)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("Evaluate = %v, want %v containing %q", err, tt.wantErr, tt.wantText)
			}
		})
	}
}

func TestPseudoParameters(t *testing.T) {
	const doc = `
Resources: {R: {Type: T}}
Outputs:
  Region:
    Value: !Ref AWS::Region
  Account:
    Value: !Ref AWS::AccountId
  Stack:
    Value: !Ref AWS::StackName
  StackId:
    Value: !Ref AWS::StackId
  Partition:
    Value: !Ref AWS::Partition
  Suffix:
    Value: !Ref AWS::URLSuffix
  Notifications:
    Value: !Ref AWS::NotificationARNs
`
	tests := []struct {
		name   string
		params map[string]string
		want   map[string]any
	}{
		{"defaults", nil, map[string]any{
			"Region": DefaultRegion, "Account": DefaultAccountID, "Stack": DefaultStackName,
			"StackId":   "arn:aws:cloudformation:us-east-1:123456789012:stack/stack/00000000-0000-0000-0000-000000000000",
			"Partition": "aws", "Suffix": "amazonaws.com", "Notifications": []any{},
		}},
		{"overridden", map[string]string{
			"AWS::Region": "cn-north-1", "AWS::AccountId": "000000000000", "AWS::StackName": "s",
			"AWS::Partition": "aws-cn", "AWS::URLSuffix": "amazonaws.com.cn",
		}, map[string]any{
			"Region": "cn-north-1", "Account": "000000000000", "Stack": "s",
			"StackId":   "arn:aws-cn:cloudformation:cn-north-1:000000000000:stack/s/00000000-0000-0000-0000-000000000000",
			"Partition": "aws-cn", "Suffix": "amazonaws.com.cn", "Notifications": []any{},
		}},
		{"a region with three parts", map[string]string{"AWS::Region": "us-gov-west-1"}, nil},
	}
	tpl := mustParse(t, doc)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := tpl.Evaluate(tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil && !reflect.DeepEqual(st.Outputs, tt.want) {
				t.Errorf("Outputs = %v, want %v", st.Outputs, tt.want)
			}
			if st.Parameters["AWS::Region"] != st.Outputs["Region"] {
				t.Errorf("Parameters[AWS::Region] = %q, Ref %v", st.Parameters["AWS::Region"], st.Outputs["Region"])
			}
		})
	}
}
