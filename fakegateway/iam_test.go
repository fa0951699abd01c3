package fakegateway

import (
	"errors"
	"testing"
)

const testARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/profile"

func TestMatchResource(t *testing.T) {
	tests := []struct {
		pattern, arn string
		want         bool
	}{
		{"*", testARN, true},
		{testARN, testARN, true},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*", testARN, true},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/*", testARN, true},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/*", testARN, true},
		{"arn:aws:execute-api:*:*:abc123/prod/GET/profile", testARN, true},
		{"arn:aws:execute-api:us-east-?:123456789012:abc123/prod/GET/profile", testARN, true},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/profil?", testARN, true},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/profile", testARN, false},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/profile/x", testARN, false},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/profil", testARN, false},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*", testARN, false},
		{"arn:aws:execute-api:us-east-1:123456789012:other/prod/*", testARN, false},
		{"ARN:AWS:EXECUTE-API:us-east-1:123456789012:abc123/prod/GET/profile", testARN, false}, // case-sensitive
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/get/profile", testARN, false},
		{"arn:aws:execute-api:us-east-1:123456789012:*", testARN, true},
		{"arn:aws:execute-api:us-east-1:*", testARN, true}, // trailing * runs on across colons
		{"arn:aws:execute-api:us-east-*", testARN, true},   // within and beyond the region segment
		{"arn:aws:execute-api:us-east-1", testARN, false},  // too few segments, no trailing *
		{"arn:aws:execute-api:*:123456789012", testARN, false},
		{"", testARN, false},
		{"?", testARN, false},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/", "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/", true},
		{"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/*", "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/", true},
	}
	for _, tt := range tests {
		if got := MatchResource(tt.pattern, tt.arn); got != tt.want {
			t.Errorf("MatchResource(%q, %q) = %v, want %v", tt.pattern, tt.arn, got, tt.want)
		}
	}
}

func TestMatchAction(t *testing.T) {
	tests := []struct {
		pattern string
		want    bool
	}{
		{"execute-api:Invoke", true},
		{"execute-api:invoke", true}, // actions are case-insensitive
		{"EXECUTE-API:INVOKE", true},
		{"execute-api:*", true},
		{"*", true},
		{"execute-api:Inv?ke", true},
		{"execute-api:ManageConnections", false},
		{"lambda:Invoke", false},
		{"execute-api:Invoke*", true},
		{"", false},
	}
	for _, tt := range tests {
		if got := MatchAction(tt.pattern, invokeAction); got != tt.want {
			t.Errorf("MatchAction(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"*", "", true},
		{"?", "", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"**", "abc", true},
		{"*a", "bbba", true},
		{"*a", "bbbab", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"ü?", "üx", true}, // ? is one character, not one byte
		{"*aaaaaaaaaaaaaaaaaaaab", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestParsePolicyAndEvaluate(t *testing.T) {
	const other = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/other"
	tests := []struct {
		name string
		doc  string
		want Decision
	}{
		{"allow string action and resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + testARN + `"}]}`, Allow},
		{"allow lists", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","execute-api:Invoke"],"Resource":["` + other + `","` + testARN + `"]}]}`, Allow},
		{"single statement object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, Allow},
		{"legacy version", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, Allow},
		{"allow other resource only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + other + `"}]}`, ImplicitDeny},
		{"allow other action only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"*"}]}`, ImplicitDeny},
		{"deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"` + testARN + `"}]}`, ExplicitDeny},
		{"deny wins over allow", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"*"}]}`, ExplicitDeny},
		{"deny elsewhere, allow here", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"` + other + `"}]}`, Allow},
		{"deny of other resource alone", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"` + other + `"}]}`, ImplicitDeny},
		{"NotResource allows everything but other", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","NotResource":"` + other + `"}]}`, Allow},
		{"NotResource excludes this", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","NotResource":["` + testARN + `"]}]}`, ImplicitDeny},
		{"NotAction excludes invoke", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"execute-api:*","Resource":"*"}]}`, ImplicitDeny},
		{"NotAction deny of others", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}]}`, ExplicitDeny},
		{"extra keys like Sid are fine", `{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"s1","Effect":"Allow","Action":"*","Resource":"*"}]}`, Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolicy([]byte(tt.doc))
			if err != nil {
				t.Fatalf("ParsePolicy: %v", err)
			}
			if got := p.Evaluate(invokeAction, testARN); got != tt.want {
				t.Errorf("Evaluate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParsePolicyRejects(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"not JSON", `nope`},
		{"array", `[]`},
		{"null", `null`},
		{"no version", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"bad version", `{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"numeric version", `{"Version":2012,"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"no statement", `{"Version":"2012-10-17"}`},
		{"null statement", `{"Version":"2012-10-17","Statement":null}`},
		{"empty statements", `{"Version":"2012-10-17","Statement":[]}`},
		{"statement is a string", `{"Version":"2012-10-17","Statement":"Allow"}`},
		{"lower-case keys", `{"version":"2012-10-17","statement":[{"effect":"Allow","action":"*","resource":"*"}]}`},
		{"effect lower case", `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}`},
		{"effect other", `{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}`},
		{"effect missing", `{"Version":"2012-10-17","Statement":[{"Action":"*","Resource":"*"}]}`},
		{"action missing", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`},
		{"action and notaction", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","NotAction":"x","Resource":"*"}]}`},
		{"empty action list", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`},
		{"action number", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":5,"Resource":"*"}]}`},
		{"action null", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":null,"Resource":"*"}]}`},
		{"resource missing", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*"}]}`},
		{"resource list with number", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":["*",1]}]}`},
		{"condition", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`},
		{"principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`},
		{"statement not object", `{"Version":"2012-10-17","Statement":[5]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePolicy([]byte(tt.doc))
			if !errors.Is(err, errMalformedPolicy) {
				t.Fatalf("ParsePolicy error = %v, want errMalformedPolicy", err)
			}
		})
	}
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{Allow: "allow", ExplicitDeny: "explicit_deny", ImplicitDeny: "implicit_deny"} {
		if d.String() != want {
			t.Errorf("%d.String() = %q, want %q", d, d.String(), want)
		}
	}
}
