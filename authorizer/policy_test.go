package authorizer

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMethodARN(t *testing.T) {
	cases := []struct {
		arn   string
		want  MethodARN
		stage string
	}{
		{testARN, MethodARN{"aws", "eu-west-1", "123456789012", "abcdef1234", "prod", "GET", "profile"},
			"arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/*"},
		{"arn:aws:execute-api:us-east-1:123456789012:api/dev/POST/a/b/c", MethodARN{"aws", "us-east-1", "123456789012", "api", "dev", "POST", "a/b/c"},
			"arn:aws:execute-api:us-east-1:123456789012:api/dev/*"},
		{"arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/", MethodARN{"aws", "us-east-1", "123456789012", "api", "dev", "GET", ""},
			"arn:aws:execute-api:us-east-1:123456789012:api/dev/*"},
		{"arn:aws:execute-api:us-east-1:123456789012:api/dev/GET", MethodARN{"aws", "us-east-1", "123456789012", "api", "dev", "GET", ""},
			"arn:aws:execute-api:us-east-1:123456789012:api/dev/*"},
		{"arn:aws-cn:execute-api:cn-north-1:123456789012:api/v1/DELETE/items", MethodARN{"aws-cn", "cn-north-1", "123456789012", "api", "v1", "DELETE", "items"},
			"arn:aws-cn:execute-api:cn-north-1:123456789012:api/v1/*"},
		{"arn:aws:execute-api:eu-west-1:123456789012:api/prod/GET/users/{id}", MethodARN{"aws", "eu-west-1", "123456789012", "api", "prod", "GET", "users/{id}"},
			"arn:aws:execute-api:eu-west-1:123456789012:api/prod/*"},
	}
	for _, tc := range cases {
		t.Run(tc.arn, func(t *testing.T) {
			got, err := ParseMethodARN(tc.arn)
			if err != nil || got != tc.want {
				t.Fatalf("ParseMethodARN = %+v, %v; want %+v", got, err, tc.want)
			}
			if s := got.StageWildcard(); s != tc.stage {
				t.Errorf("StageWildcard = %s, want %s", s, tc.stage)
			}
			if tc.want.Resource != "" || tc.arn[len(tc.arn)-1] == '/' {
				if s := got.String(); s != tc.arn {
					t.Errorf("String = %s, want %s", s, tc.arn)
				}
			}
		})
	}
}

func TestParseMethodARNRejects(t *testing.T) {
	for _, arn := range []string{
		"",
		"*",
		// IAM wildcards would widen the policy: a "*" stage allows every stage.
		"arn:aws:execute-api:eu-west-1:123456789012:api/*/GET/profile",
		"arn:aws:execute-api:eu-west-1:123456789012:api/prod/*/*",
		"arn:aws:execute-api:eu-west-1:123456789012:*/prod/GET/profile",
		"arn:aws:execute-api:eu-west-1:123456789012:api/prod/GET/files/*",
		"arn:aws:execute-api:eu-west-1:123456789012:api/pro?/GET/profile",
		"arn:aws:execute-api:eu-west-1:123456789012",
		"arn:aws:execute-api:eu-west-1:123456789012:api",
		"arn:aws:execute-api:eu-west-1:123456789012:api/prod",
		"arn:aws:execute-api:eu-west-1:123456789012:api/prod/",
		"arn:aws:lambda:eu-west-1:123456789012:api/prod/GET/x",
		"arn::execute-api:eu-west-1:123456789012:api/prod/GET/x",
		"arn:aws:execute-api::123456789012:api/prod/GET/x",
		"arn:aws:execute-api:eu-west-1::api/prod/GET/x",
		"arn:aws:execute-api:eu-west-1:123456789012:/prod/GET/x",
		"arn:aws:execute-api:eu-west-1:123456789012:api//GET/x",
		"ARN:aws:execute-api:eu-west-1:123456789012:api/prod/GET/x",
		"arn:aws:execute-api:eu-west-1:123456789012:api/prod/GET/x y",
		"arn:aws:execute-api:eu-west-1:123456789012:api/prod/GET/x\n",
		"arn:aws:execute-api:eu-west-1:123456789012:a:b/prod/GET/x",
		"arn:aws:execute-api:eu-west-1:123456789012:api/prod:x/GET/x",
	} {
		if got, err := ParseMethodARN(arn); !errors.Is(err, ErrMethodARN) {
			t.Errorf("ParseMethodARN(%q) = %+v, %v", arn, got, err)
		}
	}
}

func TestAllowResponseContextIsScalar(t *testing.T) {
	r := allowResponse("sub", testARN, "a b")
	for k, v := range r.Context {
		if _, ok := v.(string); !ok {
			t.Errorf("context %s is %T", k, v)
		}
	}
	if len(r.PolicyDocument.Statement) != 1 || r.PolicyDocument.Statement[0].Effect != "Allow" {
		t.Fatalf("policy = %+v", r.PolicyDocument)
	}
}

// splitMethodARN is ParseMethodARN on strings.SplitN, as first written
// (with the wildcard rule since added).
func splitMethodARN(s string) (MethodARN, error) {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f || s[i] == '*' || s[i] == '?' {
			return MethodARN{}, ErrMethodARN
		}
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "execute-api" {
		return MethodARN{}, ErrMethodARN
	}
	path := strings.SplitN(parts[5], "/", 4)
	if len(path) < 3 {
		return MethodARN{}, ErrMethodARN
	}
	a := MethodARN{Partition: parts[1], Region: parts[3], Account: parts[4], APIID: path[0], Stage: path[1], Verb: path[2]}
	if len(path) == 4 {
		a.Resource = path[3]
	}
	for _, f := range []string{a.Partition, a.Region, a.Account, a.APIID, a.Stage, a.Verb} {
		if f == "" || strings.Contains(f, ":") {
			return MethodARN{}, ErrMethodARN
		}
	}
	return a, nil
}

var methodARNSeeds = []string{
	testARN, "", "arn", "arn:aws:execute-api:r:a:i/s/v", "arn:aws:execute-api:r:a:i/s", "arn:aws:execute-api:r:a:i/s/", "arn:aws:execute-api:r:a:i//v",
	"arn:aws:execute-api:r:a:/s/v", "arn:aws:execute-api:r:a:i/s/v/", "arn:aws:execute-api:r:a:i/s/v/a/b//c", "arn:aws:execute-api:r:a:i:x/s/v",
	"arn:aws:execute-api:r:a:i/s:x/v", "arn:aws:lambda:r:a:i/s/v", "arn::execute-api:r:a:i/s/v", "arn:aws:execute-api:r:a:i/s/v:x/r",
	"arn:aws:execute-api::::/", "arn:aws:execute-api:r:a:i/s/v/r:x", "ARN:aws:execute-api:r:a:i/s/v",
}

func TestParseMethodARNMatchesSplitN(t *testing.T) {
	for _, s := range methodARNSeeds {
		got, gotErr := ParseMethodARN(s)
		want, wantErr := splitMethodARN(s)
		if got != want || gotErr != wantErr {
			t.Errorf("ParseMethodARN(%q) = %+v, %v; SplitN version %+v, %v", s, got, gotErr, want, wantErr)
		}
	}
}

// FuzzMethodARNSplitN: ParseMethodARN agrees with the SplitN version.
func FuzzMethodARNSplitN(f *testing.F) {
	for _, s := range methodARNSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, gotErr := ParseMethodARN(s)
		want, wantErr := splitMethodARN(s)
		if got != want || gotErr != wantErr {
			t.Fatalf("ParseMethodARN(%q) = %+v, %v; SplitN version %+v, %v", s, got, gotErr, want, wantErr)
		}
	})
}
