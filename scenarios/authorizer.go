package scenarios

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
	"github.com/serverless-auth/serverless-auth/fakegateway"
)

// refreshEnv asks implementations that support it to refresh their key set
// on an unknown kid at most once a second, so recovery scenarios finish in
// seconds. An implementation that ignores it must still recover within
// recoveryTimeout.
var refreshEnv = map[string]string{"JWKS_MIN_REFRESH_INTERVAL": "1s"}

// recoveryTimeout bounds how long an authorizer may take to Allow again once
// the tenant's JWKS is back.
const recoveryTimeout = 15 * time.Second

// authorizerFixture is a tenant and a warm authorizer shared by the
// scenarios that leave both unchanged.
type authorizerFixture struct {
	tenant   *fakeauth0.Tenant
	instance *Instance
	// unusable are keys the tenant publishes that must never verify a token:
	// an encryption key, a key for another algorithm, a 1024-bit key.
	unusable map[string]*fakeauth0.Key

	mu   sync.Mutex
	sent []string // every Authorization value sent, for LOG-01
}

// authorize invokes the shared authorizer and remembers what it sent.
func (f *authorizerFixture) authorize(timeout time.Duration, authorization, arn string) decision {
	f.mu.Lock()
	f.sent = append(f.sent, authorization)
	f.mu.Unlock()
	return authorize(f.instance, timeout, authorization, arn)
}

// secrets returns what must never appear in the function's output: each
// token sent, its signature, and the tenant's client secrets.
func (f *authorizerFixture) secrets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, value := range f.sent {
		token := strings.TrimPrefix(value, "Bearer ")
		parts := strings.Split(token, ".")
		if len(parts) == 3 && len(parts[2]) >= 16 {
			out = append(out, signatureForms(parts[2])...)
		}
		if len(token) >= 40 {
			out = append(out, token[:40])
		}
	}
	for _, c := range f.tenant.Clients() {
		if c.Secret != "" {
			out = append(out, c.Secret)
		}
	}
	return out
}

// authorizerScenarios registers the AUTH family.
func (s *suite) authorizerScenarios() {
	ginkgo.Describe("TOKEN authorizer", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		fixture := &authorizerFixture{}
		ginkgo.BeforeAll(func() {
			if s.cfg.Authorizer == nil {
				return
			}
			fixture.tenant = s.newTenant()
			fixture.unusable = publishUnusableKeys(fixture.tenant)
			fixture.instance = start(s.cfg.Authorizer, s.environment(fixture.tenant, refreshEnv))
		})
		s.allows(fixture)
		s.rejections(fixture)
		s.noSecretsLogged(fixture)
	})
	ginkgo.Describe("TOKEN authorizer, fresh instance", func() {
		s.malformedMethodARN()
		s.rotation()
		s.fetchOnce()
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

// allows registers the paths that must end in an Allow.
func (s *suite) allows(fixture *authorizerFixture) {
	ginkgo.DescribeTable("allows",
		func(id string, client string, change func(claims map[string]any, t *fakeauth0.Tenant), wantScope string, opts []fakeauth0.MintOption) {
			s.require(id)
			t := fixture.tenant
			claims := t.Claims(client)
			change(claims, t)
			d := fixture.authorize(s.cfg.invokeTimeout(), bearer(t.Mint(claims, opts...)), methodARN)
			expectAllow(d, client+"@clients", methodARN, wantScope)
		},
		allowed("AUTH-01", "the reader's token", fakeauth0.DefaultReaderID, func(map[string]any, *fakeauth0.Tenant) {}, "get:profile read:messages"),
		allowed("AUTH-01", "a token without scope", fakeauth0.DefaultNoScopeID, func(c map[string]any, _ *fakeauth0.Tenant) { delete(c, "scope") }, ""),
		allowed("AUTH-01", "a token with an empty scope", fakeauth0.DefaultNoScopeID, func(c map[string]any, _ *fakeauth0.Tenant) { c["scope"] = "" }, ""),
		allowed("AUTH-01", "a token with RBAC permissions", fakeauth0.DefaultReaderID, func(c map[string]any, _ *fakeauth0.Tenant) {
			c["permissions"] = []string{"get:profile", "read:messages"}
		}, "get:profile read:messages"),
		allowed("AUTH-09", "an audience list containing ours", fakeauth0.DefaultReaderID, func(c map[string]any, t *fakeauth0.Tenant) {
			c["aud"] = []string{t.Audience(), t.Issuer() + "userinfo"}
		}, "get:profile read:messages"),
		allowed("AUTH-09", "our audience second in the list", fakeauth0.DefaultReaderID, func(c map[string]any, t *fakeauth0.Tenant) {
			c["aud"] = []string{"https://another-api.example/", t.Audience()}
		}, "get:profile read:messages"),
		allowed("AUTH-15", "a tenant-signed token whose jku points elsewhere", fakeauth0.DefaultReaderID, func(map[string]any, *fakeauth0.Tenant) {}, "get:profile read:messages",
			fakeauth0.WithHeader("jku", "https://attacker.example/jwks.json")),
	)

	ginkgo.It("AUTH-01: an Allow for one route is not an Allow for another stage", ginkgo.Label("AUTH-01", "AUTH"), func() {
		s.require("AUTH-01")
		d := fixture.authorize(s.cfg.invokeTimeout(), validBearer(fixture.tenant), methodARN)
		expectAllow(d, fakeauth0.DefaultReaderID+"@clients", methodARN, "get:profile read:messages")
		otherStage := strings.Replace(methodARN, "/prod/", "/staging/", 1)
		gomega.Expect(policyAllows(d, otherStage)).To(gomega.BeFalse(),
			"the policy must not cover another stage: %s", d)
	})
}

// allowed is one row of the allow table.
func allowed(id, what, client string, change func(map[string]any, *fakeauth0.Tenant), scope string, opts ...fakeauth0.MintOption) ginkgo.TableEntry {
	return ginkgo.Entry(id+": "+what, ginkgo.Label(id, Family(id)), id, client, change, scope, opts)
}

// expectAllow checks an Allow as API Gateway will read it: principalId,
// a policy that allows execute-api:Invoke on arn, and context.scope.
func expectAllow(d decision, principal, arn, scope string) {
	ginkgo.GinkgoHelper()
	gomega.Expect(d.err).NotTo(gomega.HaveOccurred(), "expected an Allow, got %s", d)
	gomega.Expect(d.decode).NotTo(gomega.HaveOccurred(), "expected an Allow, got %s", d)
	gomega.Expect(d.response.PrincipalID).To(gomega.Equal(principal), "principalId must be the token's sub; got %s", d)
	gomega.Expect(d.response.PolicyDocument.Version).To(gomega.Equal("2012-10-17"), "policy version; got %s", d)
	verdict, err := policyDecision(d, arn)
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "API Gateway could not read the policy (500); got %s", d)
	gomega.Expect(verdict).To(gomega.Equal(fakegateway.Allow),
		"the policy must allow execute-api:Invoke on %s; got %s", arn, d)
	gomega.Expect(d.response.Context).To(gomega.HaveKeyWithValue("scope", scope), "context.scope; got %s", d)
	for k, v := range d.response.Context {
		switch v.(type) {
		case string, float64, bool:
		default:
			ginkgo.Fail(fmt.Sprintf("context value %q is a %T; API Gateway accepts strings, numbers and booleans only (500); got %s", k, v, d))
		}
	}
}

// expectUnauthorized checks a rejection as API Gateway turns it into 401.
func expectUnauthorized(d decision, why string) {
	ginkgo.GinkgoHelper()
	gomega.Expect(d.unauthorized()).To(gomega.BeTrue(), "%s: expected the error \"Unauthorized\", got %s", why, d)
}

// malformedARNs are methodArn values an authorizer must not build a policy
// from: API Gateway never sends them, so whoever did is not API Gateway.
var malformedARNs = []string{
	"",
	"garbage",
	"arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5",
	"arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod",
	"arn:aws:s3:::bucket/prod/GET/profile",
	"arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*/GET/profile",
	"arn:aws:execute-api:eu-west-1:123456789012:*/prod/GET/profile",
}

// malformedMethodARN registers AUTH-17: a valid token with a methodArn that
// is not an execute-api method ARN is refused, with the method policy and
// with the stage-wide one (which has to take the ARN apart).
func (s *suite) malformedMethodARN() {
	ginkgo.DescribeTable("AUTH-17: a malformed methodArn is refused",
		func(policyResource string) {
			s.require("AUTH-17")
			t := s.newTenant()
			inst := start(s.cfg.Authorizer, s.environment(t, map[string]string{"POLICY_RESOURCE": policyResource}))
			expectAllow(authorize(inst, s.cfg.invokeTimeout(), validBearer(t), methodARN), fakeauth0.DefaultReaderID+"@clients", methodARN, "get:profile read:messages")
			for _, arn := range malformedARNs {
				expectUnauthorized(authorize(inst, s.cfg.invokeTimeout(), validBearer(t), arn), fmt.Sprintf("methodArn %q", arn))
			}
		},
		ginkgo.Entry("AUTH-17: with POLICY_RESOURCE=method", ginkgo.Label("AUTH-17", "AUTH"), "method"),
		ginkgo.Entry("AUTH-17: with POLICY_RESOURCE=stage", ginkgo.Label("AUTH-17", "AUTH"), "stage"),
	)
}

// rotation registers AUTH-12: a key published and used after the function
// started is accepted without a restart.
func (s *suite) rotation() {
	ginkgo.It("AUTH-12: a token signed with a newly published key is accepted without restart", ginkgo.Label("AUTH-12", "AUTH"), func() {
		s.require("AUTH-12")
		t := s.newTenant()
		inst := start(s.cfg.Authorizer, s.environment(t, refreshEnv))
		old := valid(t)
		expectAllow(authorize(inst, s.cfg.invokeTimeout(), bearer(old), methodARN), fakeauth0.DefaultReaderID+"@clients", methodARN, "get:profile read:messages")

		next := foreignKey()
		t.PublishKey(next)
		t.UseKey(next)
		rotated := valid(t)
		gomega.Eventually(func(g gomega.Gomega) {
			d := authorize(inst, s.cfg.invokeTimeout(), bearer(rotated), methodARN)
			g.Expect(d.err).NotTo(gomega.HaveOccurred(), "token signed with the new key: %s", d)
			g.Expect(policyAllows(d, methodARN)).To(gomega.BeTrue(), "token signed with the new key: %s", d)
		}).WithTimeout(recoveryTimeout).WithPolling(250 * time.Millisecond).Should(gomega.Succeed())

		expectAllow(authorize(inst, s.cfg.invokeTimeout(), bearer(old), methodARN), fakeauth0.DefaultReaderID+"@clients", methodARN, "get:profile read:messages")
	})
}

// fetchOnce registers AUTH-13: a warm function fetches the JWKS once, and a
// flood of unknown kids does not turn into a flood of fetches.
func (s *suite) fetchOnce() {
	ginkgo.It("AUTH-13: many valid tokens on a warm function fetch the JWKS once", ginkgo.Label("AUTH-13", "AUTH"), func() {
		s.require("AUTH-13")
		t := s.newTenant()
		inst := start(s.cfg.Authorizer, s.environment(t, refreshEnv))
		for i := range 40 {
			claims := t.Claims(fakeauth0.DefaultReaderID)
			claims["jti"] = fmt.Sprintf("token-%d", i)
			expectAllow(authorize(inst, s.cfg.invokeTimeout(), bearer(t.Mint(claims)), methodARN),
				fakeauth0.DefaultReaderID+"@clients", methodARN, "get:profile read:messages")
		}
		gomega.Expect(t.JWKSRequests()).To(gomega.BeEquivalentTo(1), "JWKS requests for 40 valid tokens")
	})

	ginkgo.It("AUTH-13: a flood of unknown kids does not hammer the tenant", ginkgo.Label("AUTH-13", "AUTH"), func() {
		s.require("AUTH-13")
		t := s.newTenant()
		inst := start(s.cfg.Authorizer, s.environment(t, refreshEnv))
		expectAllow(authorize(inst, s.cfg.invokeTimeout(), validBearer(t), methodARN), fakeauth0.DefaultReaderID+"@clients", methodARN, "get:profile read:messages")
		before := t.JWKSRequests()
		began := time.Now()
		// Sequential, so that it is one warm instance's behaviour that is
		// counted: concurrent invocations would start more instances, each
		// with its own initial fetch, as Lambda does.
		const flood = 200
		for i := range flood {
			token := t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.WithHeader("kid", fmt.Sprintf("unknown-%d", i)))
			expectUnauthorized(authorize(inst, s.cfg.invokeTimeout(), bearer(token), methodARN), "unknown kid")
		}
		// One refresh a second is the most the suite asks of an implementation,
		// plus one for a refresh that straddles the start.
		allowed := 2 + int64(time.Since(began)/time.Second)
		gomega.Expect(t.JWKSRequests()-before).To(gomega.BeNumerically("<=", allowed),
			"JWKS requests for %d tokens with unknown kids", flood)
	})
}

// outage describes one way the JWKS endpoint fails.
type outage struct {
	id    string
	what  string
	fault fakeauth0.Fault
}

var outages = []outage{
	{"AUTH-14", "answering 503", fakeauth0.Fault{Status: 503}},
	{"AUTH-14", "answering 404", fakeauth0.Fault{Status: 404}},
	{"AUTH-14", "slower than the deadline", fakeauth0.Fault{Delay: time.Minute}},
	{"AUTH-14", "answering garbage", fakeauth0.Fault{Body: []byte("<html>upstream error</html>")}},
	{"AUTH-14", "answering an empty key set", fakeauth0.Fault{EmptySet: true}},
	{"AUTH-14", "dropping the connection", fakeauth0.Fault{Drop: true}},
}

// outages registers AUTH-14: a JWKS outage at start, and one on a warm
// function, each ending in Unauthorized within the deadline (cold) or in
// the last good keys still working (warm), and Allow once the tenant is back.
func (s *suite) outages() {
	entries := make([]ginkgo.TableEntry, 0, len(outages))
	for _, o := range outages {
		entries = append(entries, ginkgo.Entry(o.id+": JWKS "+o.what+" at start", ginkgo.Label(o.id, Family(o.id)), o))
	}
	ginkgo.DescribeTable("cold start during a JWKS outage",
		func(o outage) {
			s.require(o.id)
			t := s.newTenant()
			t.SetJWKSFault(o.fault)
			inst := start(s.cfg.Authorizer, s.environment(t, refreshEnv))
			// Invocations during the outage are refused, and their retries are
			// rate limited like a flood of unknown kids (AUTH-13).
			before := t.JWKSRequests()
			began := time.Now()
			for range 4 {
				expectUnauthorized(authorize(inst, s.cfg.invokeTimeout(), validBearer(t), methodARN), "valid token while the JWKS is "+o.what)
			}
			allowed := 2 + int64(time.Since(began)/time.Second)
			gomega.Expect(t.JWKSRequests()-before).To(gomega.BeNumerically("<=", allowed),
				"JWKS requests for 4 invocations during the outage")

			t.ClearJWKSFault()
			token := validBearer(t)
			gomega.Eventually(func(g gomega.Gomega) {
				d := authorize(inst, s.cfg.invokeTimeout(), token, methodARN)
				g.Expect(d.err).NotTo(gomega.HaveOccurred(), "valid token after the JWKS recovered: %s", d)
				g.Expect(policyAllows(d, methodARN)).To(gomega.BeTrue(), "valid token after the JWKS recovered: %s", d)
			}).WithTimeout(recoveryTimeout).WithPolling(250 * time.Millisecond).Should(gomega.Succeed())
		},
		entries,
	)

	warm := make([]ginkgo.TableEntry, 0, len(outages))
	for _, o := range outages {
		warm = append(warm, ginkgo.Entry(o.id+": JWKS "+o.what+" on a warm function keeps the last good keys", ginkgo.Label(o.id, Family(o.id)), o))
	}
	ginkgo.DescribeTable("warm function during a JWKS outage",
		func(o outage) {
			s.require(o.id)
			t := s.newTenant()
			inst := start(s.cfg.Authorizer, s.environment(t, refreshEnv))
			token := validBearer(t)
			expectAllow(authorize(inst, s.cfg.invokeTimeout(), token, methodARN), fakeauth0.DefaultReaderID+"@clients", methodARN, "get:profile read:messages")

			t.SetJWKSFault(o.fault)
			// An unknown kid makes the function try to refresh into the outage,
			// now and again once its rate limit lets it.
			for range 3 {
				unknown := t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.WithHeader("kid", "rotated-away"))
				expectUnauthorized(authorize(inst, s.cfg.invokeTimeout(), bearer(unknown), methodARN), "unknown kid during the outage")
				expectAllow(authorize(inst, s.cfg.invokeTimeout(), token, methodARN), fakeauth0.DefaultReaderID+"@clients", methodARN, "get:profile read:messages")
				time.Sleep(600 * time.Millisecond)
			}
		},
		warm,
	)
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
	ginkgo.It("LOG-01: the authorizer's output holds no token, signature or client secret", ginkgo.Label("LOG-01", "LOG"), func() {
		s.require("LOG-01")
		if fixture.instance.Output == nil {
			ginkgo.Skip(notApplicablePrefix + "the target does not show its output")
		}
		// A last Allow whose subject marks the end of the output: a process's
		// output arrives through a pipe, so wait (briefly) for it to drain.
		claims := fixture.tenant.Claims(fakeauth0.DefaultReaderID)
		claims["sub"] = "log-01-end-of-output@clients"
		fixture.authorize(s.cfg.invokeTimeout(), bearer(fixture.tenant.Mint(claims)), methodARN)
		deadline := time.Now().Add(3 * time.Second)
		for !strings.Contains(fixture.instance.Output(), "log-01-end-of-output") && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		output := fixture.instance.Output()
		gomega.Expect(output).NotTo(gomega.BeEmpty(), "the authorizer logged nothing; one line per decision is expected")
		for _, secret := range fixture.secrets() {
			if strings.Contains(output, secret) {
				ginkgo.Fail(fmt.Sprintf("the output contains a secret (%d characters, starting %.6s…)", len(secret), secret))
			}
		}
	})
}
