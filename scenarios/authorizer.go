package scenarios

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// recoveryTimeout bounds how long an authorizer may take to Allow again once
// the tenant's JWKS is back, or to accept a newly published key.
const recoveryTimeout = 15 * time.Second

// authorizerFixture is a tenant and a warm authorizer shared by the
// scenarios that leave both unchanged.
type authorizerFixture struct {
	tenant *fakeauth0.Tenant
	fn     *function
	// unusable are keys the tenant publishes that must never verify a token:
	// an encryption key, a key for another algorithm, a 1024-bit key.
	unusable map[string]*fakeauth0.Key

	sent sentTokens // every Authorization value sent, for LOG-01
}

// authorize invokes the shared authorizer and remembers what it sent.
func (f *authorizerFixture) authorize(s *suite, authorization, arn string) decision {
	f.sent.record(authorization)
	return s.authorize(f.fn, authorization, arn)
}

// sentTokens records every Authorization value sent to an authorizer, so that a spec can check
// that its output holds none of them; it is safe for concurrent use.
type sentTokens struct {
	mu     sync.Mutex
	values []string
}

// record remembers one Authorization value.
func (t *sentTokens) record(authorization string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.values = append(t.values, authorization)
}

// secrets returns what must never appear in the authorizer's output: each token sent (its first
// 40 characters), its signature in the forms a log might hold, and tenant's client secrets.
func (t *sentTokens) secrets(tenant *fakeauth0.Tenant) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, value := range t.values {
		token := strings.TrimPrefix(value, "Bearer ")
		if parts := strings.Split(token, "."); len(parts) == 3 && len(parts[2]) >= 16 {
			out = append(out, signatureForms(parts[2])...)
		}
		if len(token) >= 40 {
			out = append(out, token[:40])
		}
	}
	for _, c := range tenant.Clients() {
		if c.Secret != "" {
			out = append(out, c.Secret)
		}
	}
	return out
}

// authorizerScenarios registers the AUTH and LOG families.
func (s *suite) authorizerScenarios() {
	ginkgo.Describe("TOKEN authorizer", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		fixture := &authorizerFixture{}
		ginkgo.BeforeAll(func() {
			if s.cfg.Authorizer == nil {
				return
			}
			fixture.tenant = s.newTenant()
			fixture.unusable = publishUnusableKeys(fixture.tenant)
			fixture.fn = s.newFunction(s.cfg.Authorizer, s.environment(fixture.tenant, nil))
			fixture.fn.patience = sharedPatience
		})
		s.allows(fixture)
		s.rejections(fixture)
		s.malformedMethodARN(fixture)
		s.eventType(fixture)
		s.noSecretsLogged(fixture)
	})
	s.stageWideMethodARN()
	ginkgo.Describe("TOKEN authorizer, fresh instance", func() {
		s.rotation()
		s.fetchCounts()
		s.outages()
	})
}

// publishUnusableKeys adds to the tenant's JWKS keys that are in the set but
// not for verifying RS256 signatures, keyed by what is wrong with them.
func publishUnusableKeys(t *fakeauth0.Tenant) map[string]*fakeauth0.Key {
	ginkgo.GinkgoHelper()
	keys := map[string]*fakeauth0.Key{}
	for what, change := range map[string]func(jwk map[string]any){
		"enc":   func(jwk map[string]any) { jwk["use"] = "enc" },
		"RS512": func(jwk map[string]any) { jwk["alg"] = "RS512" },
		"ops":   func(jwk map[string]any) { jwk["key_ops"] = []string{"encrypt"} },
	} {
		k := foreignKey()
		jwk := k.JWK()
		change(jwk)
		t.PublishRawJWK(jwk)
		keys[what] = k
	}
	short, err := fakeauth0.NewKey(1024)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	t.PublishKey(short)
	keys["1024"] = short
	return keys
}

// allows registers the paths that must end in an Allow of the methodArn
// (required: API Gateway lets the request through), and this project's
// contract on what the Allow carries.
func (s *suite) allows(fixture *authorizerFixture) {
	ginkgo.DescribeTable("allows",
		func(id string, client string, change func(claims map[string]any, t *fakeauth0.Tenant), opts []fakeauth0.MintOption) {
			s.require(id)
			t := fixture.tenant
			claims := t.Claims(client)
			change(claims, t)
			d := fixture.authorize(s, bearer(t.Mint(claims, opts...)), methodARN)
			expectAllowed(d, "a valid token")
		},
		allowed("AUTH-01", Required, "the reader's token", fakeauth0.DefaultReaderID, keepClaims),
		allowed("AUTH-01", Required, "a token without scope", fakeauth0.DefaultNoScopeID, func(c map[string]any, _ *fakeauth0.Tenant) { delete(c, "scope") }),
		allowed("AUTH-01", Required, "a token with RBAC permissions", fakeauth0.DefaultReaderID, withPermissions),
		allowed("AUTH-09", Required, "an audience list containing ours", fakeauth0.DefaultReaderID, func(c map[string]any, t *fakeauth0.Tenant) {
			c["aud"] = []string{t.Audience(), t.Issuer() + "userinfo"}
		}),
		allowed("AUTH-09", Required, "our audience second in the list", fakeauth0.DefaultReaderID, func(c map[string]any, t *fakeauth0.Tenant) {
			c["aud"] = []string{"https://another-api.example/", t.Audience()}
		}),
		allowed("AUTH-15", Recommended, "a tenant-signed token whose jku points elsewhere (jku is not followed)", fakeauth0.DefaultReaderID, keepClaims,
			fakeauth0.WithHeader("jku", "https://attacker.example/jwks.json")),
	)

	ginkgo.DescribeTable("the Allow carries",
		func(id string, client string, change func(claims map[string]any, t *fakeauth0.Tenant), property string, want any) {
			s.require(id)
			t := fixture.tenant
			claims := t.Claims(client)
			change(claims, t)
			d := fixture.authorize(s, bearer(t.Mint(claims)), methodARN)
			expectAllowed(d, "a valid token")
			var got any
			switch property {
			case "principalId":
				got = d.principalID
			default:
				var v string
				if raw, ok := d.context[property]; !ok || json.Unmarshal(raw, &v) != nil {
					ginkgo.Fail(fmt.Sprintf("expected context.%s = %q, got no string context.%s: %s", property, want, property, d.raw))
				}
				got = v
			}
			expectf(got == want, "expected %s = %q, got %q", property, want, got)
		},
		carries("AUTH-01", "principalId is the token's sub", fakeauth0.DefaultReaderID, keepClaims, "principalId", fakeauth0.DefaultReaderID+"@clients"),
		carries("AUTH-01", "context.scope is the token's scope", fakeauth0.DefaultReaderID, keepClaims, "scope", "get:profile read:messages"),
		carries("AUTH-01", "context.scope is empty for a token without scope", fakeauth0.DefaultNoScopeID, func(c map[string]any, _ *fakeauth0.Tenant) { delete(c, "scope") }, "scope", ""),
		carries("AUTH-01", "context.scope is empty for an empty scope", fakeauth0.DefaultNoScopeID, func(c map[string]any, _ *fakeauth0.Tenant) { c["scope"] = "" }, "scope", ""),
		carries("AUTH-01", "context.scope is the scope, not the RBAC permissions", fakeauth0.DefaultReaderID, withPermissions, "scope", "get:profile read:messages"),
	)

	ginkgo.It("AUTH-01: an Allow for one route does not reach another stage", specLabels("AUTH-01", Recommended), func() {
		s.require("AUTH-01")
		d := fixture.authorize(s, validBearer(fixture.tenant), methodARN)
		expectAllowed(d, "a valid token")
		otherStage := strings.Replace(methodARN, "/prod/", "/staging/", 1)
		expectf(!d.allows(otherStage), "expected a policy that does not allow %s (least privilege), got %s", otherStage, d)
	})
}

// keepClaims leaves a token's claims as the tenant mints them.
func keepClaims(map[string]any, *fakeauth0.Tenant) {}

// withPermissions adds RBAC permissions, as Auth0 does with RBAC on.
func withPermissions(c map[string]any, _ *fakeauth0.Tenant) {
	c["permissions"] = []string{"get:profile", "read:messages"}
}

// allowed is one row of the allow table.
func allowed(id string, level Level, what, client string, change func(map[string]any, *fakeauth0.Tenant), opts ...fakeauth0.MintOption) ginkgo.TableEntry {
	ginkgo.GinkgoHelper()
	return ginkgo.Entry(id+": "+what, specLabels(id, level), id, client, change, opts)
}

// carries is one row of the contract table.
func carries(id, what, client string, change func(map[string]any, *fakeauth0.Tenant), property string, want string) ginkgo.TableEntry {
	ginkgo.GinkgoHelper()
	return ginkgo.Entry(id+": "+what, specLabels(id, Contract), id, client, change, property, want)
}

// malformedARNs are methodArn values an authorizer should not build a
// policy from. API Gateway never sends them, so the specs are recommended:
// whoever sent them is not API Gateway.
var malformedARNs = []struct{ what, arn string }{
	{"empty", ""},
	{"not an ARN", "garbage"},
	{"no stage", "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5"},
	{"no method", "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod"},
	{"another service", "arn:aws:s3:::bucket/prod/GET/profile"},
	{"a wildcard stage", "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*/GET/profile"},
	{"a wildcard API", "arn:aws:execute-api:eu-west-1:123456789012:*/prod/GET/profile"},
}

// malformedMethodARN registers AUTH-17 on the shared authorizer: each
// malformed methodArn, its own spec, is refused.
func (s *suite) malformedMethodARN(fixture *authorizerFixture) {
	entries := make([]ginkgo.TableEntry, 0, len(malformedARNs))
	for _, m := range malformedARNs {
		entries = append(entries, ginkgo.Entry("AUTH-17: methodArn "+m.what, specLabels("AUTH-17", Recommended), m.arn))
	}
	ginkgo.DescribeTable("refuses a malformed methodArn",
		func(arn string) {
			s.require("AUTH-17")
			expectRefused(fixture.authorize(s, validBearer(fixture.tenant), arn), fmt.Sprintf("a valid token with methodArn %q", arn))
		},
		entries,
	)
}

// eventType registers AUTH-18: an event that is not a TOKEN event, though
// it carries a valid token in authorizationToken, gets no Allow. API Gateway
// sends a TOKEN authorizer "type": "TOKEN" and a REQUEST authorizer
// "type": "REQUEST" (AWS docs, "Input to an API Gateway Lambda authorizer");
// a TOKEN authorizer that allows a REQUEST event works by accident when it
// is wired as the wrong kind. Recommended: API Gateway sends a correctly
// wired function only TOKEN events.
func (s *suite) eventType(fixture *authorizerFixture) {
	ginkgo.DescribeTable("refuses an event that is not a TOKEN event",
		func(eventType string) {
			s.require("AUTH-18")
			d := s.authorizeEvent(fixture.fn, eventType, validBearer(fixture.tenant), methodARN)
			expectNoAllowInTime(d, fmt.Sprintf("a valid token in an event of type %q", eventType))
		},
		ginkgo.Entry("AUTH-18: a REQUEST event", specLabels("AUTH-18", Recommended), "REQUEST"),
		ginkgo.Entry("AUTH-18: an event without a type", specLabels("AUTH-18", Recommended), ""),
		ginkgo.Entry("AUTH-18: type spelt in lowercase", specLabels("AUTH-18", Recommended), "token"),
	)
}

// stageWideMethodARN registers AUTH-17 against the stage-wide policy this
// project's POLICY_RESOURCE=stage asks for, which has to take the ARN apart:
// contract, since the knob is this project's.
func (s *suite) stageWideMethodARN() {
	ginkgo.Describe("TOKEN authorizer, POLICY_RESOURCE=stage", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		var tenant *fakeauth0.Tenant
		var fn *function
		ginkgo.BeforeAll(func() {
			if s.cfg.Authorizer == nil {
				return
			}
			tenant = s.newTenant()
			fn = s.newFunction(s.cfg.Authorizer, s.environment(tenant, map[string]string{"POLICY_RESOURCE": "stage"}))
			fn.patience = sharedPatience
		})
		entries := make([]ginkgo.TableEntry, 0, len(malformedARNs))
		for _, m := range malformedARNs {
			entries = append(entries, ginkgo.Entry("AUTH-17: POLICY_RESOURCE=stage, methodArn "+m.what, specLabels("AUTH-17", Contract), m.arn))
		}
		ginkgo.DescribeTable("refuses a malformed methodArn with the stage-wide policy",
			func(arn string) {
				s.require("AUTH-17")
				expectRefused(s.authorize(fn, validBearer(tenant), arn), fmt.Sprintf("a valid token with methodArn %q", arn))
			},
			entries,
		)
	})
}

// rotation registers AUTH-12: a key published and used after the function
// started is accepted without a restart, and the old one still is.
func (s *suite) rotation() {
	ginkgo.Describe("key rotation", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		var old string
		var rotated decision
		var waited time.Duration
		var oldAfter decision
		ginkgo.BeforeAll(func() {
			if !s.applicable("AUTH-12") {
				return
			}
			t := s.newTenant()
			fn := s.newFunction(s.cfg.Authorizer, s.environment(t, nil))
			old = validBearer(t)
			s.authorize(fn, old, methodARN)
			next := foreignKey()
			t.PublishKey(next)
			t.UseKey(next)
			token := validBearer(t)
			rotated, waited = s.pollAllow(fn, token)
			oldAfter = s.authorize(fn, old, methodARN)
		})
		ginkgo.It("AUTH-12: a token signed with a newly published key is allowed without restart", specLabels("AUTH-12", Recommended), func() {
			s.require("AUTH-12")
			expectAllowed(rotated, fmt.Sprintf("a token signed with a key published after start, retried for %s", waited.Round(time.Millisecond)))
		})
		ginkgo.It("AUTH-12: a token signed with the previous key is still allowed", specLabels("AUTH-12", Recommended), func() {
			s.require("AUTH-12")
			expectAllowed(oldAfter, "a token signed with the key published before the rotation")
		})
	})
}

// pollAllow invokes fn with token until it is allowed or recoveryTimeout
// passes; it returns the last decision and how long it tried.
func (s *suite) pollAllow(fn *function, token string) (decision, time.Duration) {
	began := time.Now()
	for {
		d := s.authorize(fn, token, methodARN)
		if d.status == 200 || time.Since(began) > recoveryTimeout || errors.Is(d.initErr, errGaveUp) {
			return d, time.Since(began)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// signatureForms returns a signature as a log might write it: base64url as
// in the token, standard base64 (how encoding/json writes []byte), padded or
// not, and hex; each cut to its first 32 characters.
func signatureForms(segment string) []string {
	raw, err := base64.RawURLEncoding.DecodeString(segment)
	if err != nil || len(raw) < 12 {
		return []string{segment}
	}
	forms := []string{segment, base64.StdEncoding.EncodeToString(raw), hex.EncodeToString(raw)}
	for i, f := range forms {
		if len(f) > 32 {
			forms[i] = f[:32]
		}
	}
	return forms
}

// noSecretsLogged registers LOG-01; it runs after every other spec of the
// shared authorizer, so its output holds a line for each path above.
func (s *suite) noSecretsLogged(fixture *authorizerFixture) {
	ginkgo.It("LOG-01: the authorizer's output holds no token, signature or client secret", specLabels("LOG-01", Required), func() {
		s.require("LOG-01")
		// A last Allow whose subject marks the end of the output: a process's
		// output arrives through a pipe, so wait (briefly) for it to drain.
		claims := fixture.tenant.Claims(fakeauth0.DefaultReaderID)
		claims["sub"] = "log-01-end-of-output@clients"
		fixture.authorize(s, bearer(fixture.tenant.Mint(claims)), methodARN)
		output, ok := fixture.fn.output()
		if !ok {
			ginkgo.Skip(notApplicablePrefix + "the target does not show its output (Instance.Output is nil)")
		}
		for deadline := time.Now().Add(3 * time.Second); !strings.Contains(output, "log-01-end-of-output") && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
			output, _ = fixture.fn.output()
		}
		for _, secret := range fixture.sent.secrets(fixture.tenant) {
			if strings.Contains(output, secret) {
				ginkgo.Fail(fmt.Sprintf("expected no token, signature or client secret in the output, found one (%d characters, starting %.6s…)", len(secret), secret))
			}
		}
	})
}
