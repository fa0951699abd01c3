package fakegateway

import (
	"errors"
	"os"
	"testing"
)

func FuzzParseAuthorizerResponse(f *testing.F) {
	f.Add([]byte(policyJSON("u", "Allow", "*", map[string]any{"scope": "a", "n": 1, "b": false})))
	f.Add([]byte(policyJSON("u", "Deny", []any{"arn:aws:execute-api:*"}, nil)))
	for _, raw := range rawAuthorizerResponses() {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := parseAuthorizerResponse(data)
		if err == nil {
			// Whatever parsed must evaluate without trouble.
			_ = res.policy.Evaluate(invokeAction, testARN)
			return
		}
		if !errors.Is(err, errAuthorizerResponse) && !errors.Is(err, errAuthorizerFailed) && !errors.Is(err, errAuthorizerUnauthorized) {
			t.Fatalf("unclassified error %v", err)
		}
	})
}

func FuzzParseProxyResponse(f *testing.F) {
	f.Add([]byte(`{"statusCode":200,"headers":{"a":"b"},"multiValueHeaders":{"c":["d"]},"body":"x","isBase64Encoded":false}`))
	for _, raw := range malformedProxyResponses() {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pr, err := parseProxyResponse(data)
		if err != nil {
			if !errors.Is(err, errMalformedProxyResponse) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if pr.status < 100 || pr.status > 599 {
			t.Fatalf("accepted status %d", pr.status)
		}
		for name, vals := range pr.header {
			for _, v := range vals {
				if !validHeaderName(name) || !validHeaderValue(v) {
					t.Fatalf("accepted header %q: %q", name, v)
				}
			}
		}
	})
}

func FuzzMatchResource(f *testing.F) {
	f.Add("arn:aws:execute-api:*:*:abc/prod/*", testARN)
	f.Add("*", "")
	f.Add("a:b:c:d:e:f:g", "a:b:c:d:e:f:g")
	f.Fuzz(func(t *testing.T, pattern, arn string) {
		if MatchResource(pattern, arn) && pattern == arn+"x" {
			t.Fatalf("%q matched %q", pattern, arn)
		}
		if !MatchResource(arn, arn) && !containsWildcard(arn) {
			t.Fatalf("%q does not match itself", arn)
		}
	})
}

func containsWildcard(s string) bool {
	for _, c := range s {
		if c == '*' || c == '?' {
			return true
		}
	}
	return false
}

func FuzzParseTemplate(f *testing.F) {
	if data, err := os.ReadFile(deployTemplate); err == nil {
		f.Add(data)
	}
	f.Add([]byte(minimal))
	f.Add([]byte("Transform: AWS::Serverless-2016-10-31\nResources: {A: {Type: AWS::Serverless::Function}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		params := map[string]string{"TokenIssuer": "https://t/", "JwksUri": "https://t/j", "Audience": "a"}
		cfg, err := ParseTemplate(data, params)
		if err != nil {
			if _, err2 := ParseTemplate(data, nil); err2 == nil {
				return // the parameters did not fit this template
			}
			if !errors.Is(err, ErrTemplate) {
				t.Fatalf("unwrapped error %v", err)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("ParseTemplate returned an invalid Config: %v", err)
		}
	})
}
