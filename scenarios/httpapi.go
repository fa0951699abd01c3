package scenarios

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/deploy"
	"github.com/serverless-auth/serverless-auth/fakeauth0"
	"github.com/serverless-auth/serverless-auth/fakegateway"
)

// The HTTP family judges the HTTP API designs of deploy/httpapi.yaml, served by fakegateway's
// HTTPGateway: the managed JWT authorizer (API JwtApi, design http-jwt) and a Lambda authorizer
// with payload format 2.0 and simple responses (API LambdaApi, design http-lambda). FLOW-02…
// FLOW-04 run the client-credentials flow against them and the REST stack.

// The bodies an HTTP API answers with.
const (
	httpForbiddenBody = `{"message":"Forbidden"}`
	httpNotFoundBody  = `{"message":"Not Found"}`
)

// Design names, as make run DESIGN= spells them.
const (
	designREST   = "rest"
	designJWT    = "http-jwt"
	designLambda = "http-lambda"
)

// expectAnswer checks an HTTP answer's status and, when body is not empty, its JSON body.
func expectAnswer(r reply, status int, body string) {
	ginkgo.GinkgoHelper()
	gomega.Expect(r.err).NotTo(gomega.HaveOccurred(), "no answer")
	gomega.Expect(r.status).To(gomega.Equal(status), "status; got %s", r)
	if body != "" {
		gomega.Expect(r.body).To(gomega.MatchJSON(body), "body; got %s", r)
	}
}

// httpNeeds says which starters a scenario of the HTTP designs needs.
type httpNeeds int

const (
	needsHTTPProfile    httpNeeds = 1 << iota // Config.HTTPProfile
	needsHTTPAuthorizer                       // Config.HTTPAuthorizer
)

// requireHTTP skips the current spec as not applicable when id cannot run, including when a
// starter it needs is not configured.
func (s *suite) requireHTTP(id string, needs httpNeeds) {
	for _, key := range []string{id, Family(id)} {
		if reason, ok := s.cfg.NotApplicable[key]; ok {
			ginkgo.Skip(notApplicablePrefix + reason)
		}
	}
	if needs&needsHTTPProfile != 0 && s.cfg.HTTPProfile == nil {
		ginkgo.Skip(notApplicablePrefix + "no HTTP API profile handler (payload format 2.0) configured")
	}
	if needs&needsHTTPAuthorizer != 0 && s.cfg.HTTPAuthorizer == nil {
		ginkgo.Skip(notApplicablePrefix + "no HTTP API Lambda authorizer (payload format 2.0) configured")
	}
}

// httpStack is a tenant and one HTTP API of deploy/httpapi.yaml with the implementation's
// functions (or scripted stand-ins) behind it.
type httpStack struct {
	tenant          *fakeauth0.Tenant
	gateway         *fakegateway.HTTPServer
	authorizerCalls atomic.Int64
	integrationHits atomic.Int64
}

// httpStackOptions vary the stack per scenario.
type httpStackOptions struct {
	// ttl is the template's AuthorizerCacheTtl (the Lambda authorizer's result cache).
	ttl int
	// integration replaces the profile function.
	integration fakegateway.Function
}

// newHTTPStack starts the HTTP API api (deploy.JwtAPI or deploy.LambdaAPI) for the current spec.
func (s *suite) newHTTPStack(api string, o httpStackOptions) *httpStack {
	ginkgo.GinkgoHelper()
	st := &httpStack{tenant: httpTenant()}
	cfg, err := fakegateway.ParseHTTPTemplate(deploy.HTTPTemplate(), api, map[string]string{
		"TokenIssuer":        st.tenant.Issuer(),
		"JwksUri":            st.tenant.JWKSURL(),
		"Audience":           st.tenant.Audience(),
		"AuthorizerCacheTtl": strconv.Itoa(o.ttl),
	})
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "deploy/httpapi.yaml")
	integration := o.integration
	if integration == nil {
		env := s.environment(st.tenant, nil)
		maps.Copy(env, cfg.FunctionEnv[deploy.HTTPProfileFunction])
		integration = launch(s.cfg.HTTPProfile, env).Target
	}
	functions := map[string]fakegateway.Function{
		deploy.HTTPProfileFunction: counting(integration, &st.integrationHits),
	}
	if api == deploy.LambdaAPI {
		env := s.environment(st.tenant, nil)
		maps.Copy(env, cfg.FunctionEnv[deploy.HTTPAuthorizerFunction])
		authorizer := launch(s.cfg.HTTPAuthorizer, env).Target
		functions[deploy.HTTPAuthorizerFunction] = counting(authorizer, &st.authorizerCalls)
	}
	st.gateway, err = fakegateway.NewHTTPServer(cfg, functions)
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "starting the fake HTTP API")
	ginkgo.DeferCleanup(st.gateway.Close)
	return st
}

// httpTenant starts a fake Auth0 tenant (plain http: fakegateway's JWT authorizer reads its
// discovery document and JWKS with a default client) for the current container or spec, and
// closes it when that ends.
func httpTenant() *fakeauth0.Tenant {
	t := fakeauth0.New()
	ginkgo.DeferCleanup(t.Close)
	return t
}

// launch starts a function with start and stops it when the current container or spec ends.
func launch(start Starter, env map[string]string) *Instance {
	ginkgo.GinkgoHelper()
	inst, err := start(context.Background(), env)
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "the function did not start")
	gomega.Expect(inst).NotTo(gomega.BeNil())
	gomega.Expect(inst.Target).NotTo(gomega.BeNil())
	if inst.Close != nil {
		ginkgo.DeferCleanup(inst.Close)
	}
	return inst
}

// httpAuthorizerFixture is a tenant and a warm HTTP Lambda authorizer shared by HTTP-13's
// specs, with every Authorization value sent to it.
type httpAuthorizerFixture struct {
	tenant   *fakeauth0.Tenant
	instance *Instance
	sent     sentTokens
}

// echoV2Authorizer is an integration that answers 200 with the requestContext.authorizer of the
// payload 2.0 event it received.
var echoV2Authorizer = fakegateway.FunctionFunc(func(_ context.Context, payload []byte) ([]byte, error) {
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req.RequestContext.Authorizer)
	if err != nil {
		return nil, err
	}
	return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: string(body)})
})

// httpScenarios registers the HTTP family and FLOW-02…FLOW-04.
func (s *suite) httpScenarios() {
	ginkgo.Describe("HTTP API, JWT authorizer", s.httpJWTScenarios)
	ginkgo.Describe("HTTP API, Lambda authorizer", s.httpLambdaScenarios)
	ginkgo.Describe("HTTP API, both designs", s.httpCommonScenarios)
	ginkgo.Describe("HTTP API Lambda authorizer, invoked directly", s.httpAuthorizerScenarios)
	ginkgo.Describe("one flow, three designs", s.designFlows)
}

// httpEntry is one row of an HTTP table at level, labelled with its ID.
func httpEntry(id string, level Level, what string, args ...any) ginkgo.TableEntry {
	return ginkgo.Entry(id+": "+what, append([]any{specLabels(id, level), id}, args...)...)
}

// invalidToken is the www-authenticate challenge's shape on a refused token ("Troubleshooting
// issues with HTTP API JWT authorizers").
const invalidToken = `Bearer scope="" error="invalid_token" error_description="`

func (s *suite) httpJWTScenarios() {
	ginkgo.It("HTTP-01: a valid token with the route's scope reaches the profile", specLabels("HTTP-01", Required), func() {
		s.requireHTTP("HTTP-01", needsHTTPProfile)
		st := s.newHTTPStack(deploy.JwtAPI, httpStackOptions{})
		expectAnswer(s.call("GET", st.gateway.StageURL()+"/profile", validBearer(st.tenant)), 200, "")
	})
	ginkgo.It("HTTP-01: the integration gets jwt.claims and jwt.scopes", specLabels("HTTP-01", Required), func() {
		s.requireHTTP("HTTP-01", 0)
		st := s.newHTTPStack(deploy.JwtAPI, httpStackOptions{integration: echoV2Authorizer})
		r := s.call("GET", st.gateway.StageURL()+"/profile", validBearer(st.tenant))
		gomega.Expect(r.status).To(gomega.Equal(200), "got %s", r)
		var got events.APIGatewayV2HTTPRequestContextAuthorizerDescription
		gomega.Expect(json.Unmarshal([]byte(r.body), &got)).To(gomega.Succeed(), "got %s", r)
		gomega.Expect(got.JWT).NotTo(gomega.BeNil(), "requestContext.authorizer.jwt; got %s", r)
		gomega.Expect(got.JWT.Claims).To(gomega.HaveKeyWithValue("sub", fakeauth0.DefaultReaderID+"@clients"))
		gomega.Expect(got.JWT.Claims).To(gomega.HaveKeyWithValue("iss", st.tenant.Issuer()))
		gomega.Expect(got.JWT.Scopes).To(gomega.ContainElement("get:profile"))
	})

	ginkgo.DescribeTable("refuses",
		func(id string, authorization header, status int, body, challenge string) {
			s.requireHTTP(id, 0)
			st := s.newHTTPStack(deploy.JwtAPI, httpStackOptions{integration: echoV2Authorizer})
			value := ""
			if authorization != nil {
				value = authorization(st.tenant)
			}
			r := s.call("GET", st.gateway.StageURL()+"/profile", value)
			expectAnswer(r, status, body)
			if challenge != "" {
				gomega.Expect(r.header.Get("Www-Authenticate")).To(gomega.HavePrefix(challenge), "www-authenticate; got %s", r)
			}
			gomega.Expect(st.integrationHits.Load()).To(gomega.BeZero(), "the integration must not be invoked")
		},
		httpEntry("HTTP-02", Required, "no Authorization header", nil, 401, unauthorizedBody, "Bearer"),
		httpEntry("HTTP-03", Required, "a token for another audience", setClaim("aud", "https://other-api.example/"), 401, unauthorizedBody,
			invalidToken+`the token does not have a valid audience"`),
		httpEntry("HTTP-04", Required, "another issuer", setClaim("iss", "https://evil.example/"), 401, unauthorizedBody, invalidToken),
		httpEntry("HTTP-04", Required, "expired", withClaims(func(c map[string]any, now time.Time) { c["exp"] = now.Add(-time.Hour).Unix() }), 401, unauthorizedBody, invalidToken),
		httpEntry("HTTP-04", Required, "no exp", dropClaim("exp"), 401, unauthorizedBody, invalidToken),
		httpEntry("HTTP-04", Required, "not yet valid", withClaims(func(c map[string]any, now time.Time) { c["nbf"] = now.Add(time.Hour).Unix() }), 401, unauthorizedBody, invalidToken),
		httpEntry("HTTP-04", Required, "issued in the future", withClaims(func(c map[string]any, now time.Time) { c["iat"] = now.Add(time.Hour).Unix() }), 401, unauthorizedBody, invalidToken),
		httpEntry("HTTP-04", Required, "HS256", minted(fakeauth0.Algorithm("HS256")), 401, unauthorizedBody, invalidToken),
		httpEntry("HTTP-04", Required, "alg none", minted(fakeauth0.Algorithm("none")), 401, unauthorizedBody, invalidToken),
		httpEntry("HTTP-04", Required, "ES256", minted(fakeauth0.Algorithm("ES256")), 401, unauthorizedBody, invalidToken),
		httpEntry("HTTP-04", Required, "signed by a key the issuer never published", func(t *fakeauth0.Tenant) string {
			return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(foreignKey())))
		}, 401, unauthorizedBody, invalidToken),
		httpEntry("HTTP-04", Required, "no kid", minted(fakeauth0.WithHeader("kid", nil)), 401, unauthorizedBody, invalidToken),
		httpEntry("HTTP-04", Required, "not a JWT", func(*fakeauth0.Tenant) string { return "Bearer abc.def.ghi" }, 401, unauthorizedBody, invalidToken),
		httpEntry("HTTP-05", Required, "a valid token without the route's scope", func(t *fakeauth0.Tenant) string { return bearer(t.Token(fakeauth0.DefaultNoScopeID)) }, 403, httpForbiddenBody, ""),
		httpEntry("HTTP-05", Required, "a look-alike scope", setClaim("scope", "get:profile2 xget:profile"), 403, httpForbiddenBody, ""),
		httpEntry("HTTP-06", Required, "aud present but wrong, client_id right", func(t *fakeauth0.Tenant) string {
			c := t.Claims(fakeauth0.DefaultReaderID)
			c["aud"] = "https://other-api.example/"
			c["client_id"] = t.Audience()
			return bearer(t.Mint(c))
		}, 401, unauthorizedBody, invalidToken+`the token does not have a valid audience"`),
	)

	ginkgo.It("HTTP-06: without aud, client_id is checked against the audience", specLabels("HTTP-06", Required), func() {
		s.requireHTTP("HTTP-06", needsHTTPProfile)
		st := s.newHTTPStack(deploy.JwtAPI, httpStackOptions{})
		authorization := withClaims(func(c map[string]any, _ time.Time) {
			delete(c, "aud")
			c["client_id"] = st.tenant.Audience()
		})(st.tenant)
		expectAnswer(s.call("GET", st.gateway.StageURL()+"/profile", authorization), 200, "")
	})
}

func (s *suite) httpLambdaScenarios() {
	ginkgo.It("HTTP-07: a valid token is authorized and the profile answers", specLabels("HTTP-07", Required), func() {
		s.requireHTTP("HTTP-07", needsHTTPProfile|needsHTTPAuthorizer)
		st := s.newHTTPStack(deploy.LambdaAPI, httpStackOptions{})
		expectAnswer(s.call("GET", st.gateway.StageURL()+"/profile", validBearer(st.tenant)), 200, "")
		expectAnswer(s.call("GET", st.gateway.StageURL()+"/profile", bearer(st.tenant.Token(fakeauth0.DefaultNoScopeID))), 403, "")
	})
	ginkgo.It("HTTP-07: the profile answers with the seed's bodies through the HTTP API", specLabels("HTTP-07", Contract), func() {
		s.requireHTTP("HTTP-07", needsHTTPProfile|needsHTTPAuthorizer)
		st := s.newHTTPStack(deploy.LambdaAPI, httpStackOptions{})
		expectAnswer(s.call("GET", st.gateway.StageURL()+"/profile", validBearer(st.tenant)), 200, profileBody)
		expectAnswer(s.call("GET", st.gateway.StageURL()+"/profile", bearer(st.tenant.Token(fakeauth0.DefaultNoScopeID))), 403, forbiddenBody)
	})
	ginkgo.It("HTTP-07: the authorizer's context reaches the integration with scope = the token's scope", specLabels("HTTP-07", Contract), func() {
		s.requireHTTP("HTTP-07", needsHTTPAuthorizer)
		st := s.newHTTPStack(deploy.LambdaAPI, httpStackOptions{integration: echoV2Authorizer})
		r := s.call("GET", st.gateway.StageURL()+"/profile", validBearer(st.tenant))
		gomega.Expect(r.status).To(gomega.Equal(200), "got %s", r)
		var got events.APIGatewayV2HTTPRequestContextAuthorizerDescription
		gomega.Expect(json.Unmarshal([]byte(r.body), &got)).To(gomega.Succeed(), "got %s", r)
		gomega.Expect(got.Lambda).To(gomega.HaveKeyWithValue("scope", strings.Join(fakeauth0.DefaultReaderScopes(), " ")), "got %s", r)
	})

	ginkgo.DescribeTable("refuses",
		func(id string, authorization header, invoked bool) {
			s.requireHTTP(id, needsHTTPAuthorizer)
			st := s.newHTTPStack(deploy.LambdaAPI, httpStackOptions{integration: echoV2Authorizer})
			value := ""
			if authorization != nil {
				value = authorization(st.tenant)
			}
			r := s.call("GET", st.gateway.StageURL()+"/profile", value)
			gomega.Expect(r.err).NotTo(gomega.HaveOccurred())
			if invoked {
				// isAuthorized false is 403; an authorizer that fails with "Unauthorized"
				// instead gets 401: both refuse.
				gomega.Expect(r.status).To(gomega.BeElementOf(401, 403), "got %s", r)
				gomega.Expect(st.authorizerCalls.Load()).To(gomega.BeEquivalentTo(1), "one authorizer invocation")
			} else {
				expectAnswer(r, 401, unauthorizedBody)
				gomega.Expect(st.authorizerCalls.Load()).To(gomega.BeZero(), "the authorizer must not be invoked")
			}
			gomega.Expect(st.integrationHits.Load()).To(gomega.BeZero(), "the integration must not be invoked")
		},
		httpEntry("HTTP-08", Required, "no Authorization header", nil, false),
		httpEntry("HTTP-08", Required, "an empty Authorization header", func(*fakeauth0.Tenant) string { return "" }, false),
		httpEntry("HTTP-09", Required, "a forged token", func(t *fakeauth0.Tenant) string {
			return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(foreignKey())))
		}, true),
		httpEntry("HTTP-09", Required, "an expired token", withClaims(func(c map[string]any, now time.Time) { c["exp"] = now.Add(-time.Hour).Unix() }), true),
		httpEntry("HTTP-09", Required, "a token for another audience", setClaim("aud", "https://other-api.example/"), true),
		httpEntry("HTTP-09", Required, "alg none", minted(fakeauth0.Algorithm("none")), true),
		httpEntry("HTTP-09", Required, "Basic credentials", func(*fakeauth0.Tenant) string { return "Basic dXNlcjpwYXNz" }, true),
	)

	ginkgo.DescribeTable("caches the answer per identity",
		func(id string, ttl int, wantCalls int) {
			s.requireHTTP(id, needsHTTPAuthorizer)
			st := s.newHTTPStack(deploy.LambdaAPI, httpStackOptions{ttl: ttl, integration: echoV2Authorizer})
			token := validBearer(st.tenant)
			for range 3 {
				r := s.call("GET", st.gateway.StageURL()+"/profile", token)
				gomega.Expect(r.status).To(gomega.Equal(200), "got %s", r)
			}
			gomega.Expect(st.authorizerCalls.Load()).To(gomega.BeEquivalentTo(wantCalls), "authorizer invocations for three requests")
		},
		httpEntry("HTTP-10", Required, "TTL 300: one invocation for three requests", 300, 1),
		httpEntry("HTTP-10", Required, "TTL 0: one invocation per request", 0, 3),
	)
}

func (s *suite) httpCommonScenarios() {
	ginkgo.DescribeTable("routes",
		func(id, api, method, path string) {
			needs := httpNeeds(0)
			if api == deploy.LambdaAPI {
				needs = needsHTTPAuthorizer
			}
			s.requireHTTP(id, needs)
			st := s.newHTTPStack(api, httpStackOptions{integration: echoV2Authorizer})
			expectAnswer(s.call(method, st.gateway.StageURL()+path, validBearer(st.tenant)), 404, httpNotFoundBody)
			gomega.Expect(st.authorizerCalls.Load()).To(gomega.BeZero(), "the authorizer must not be invoked")
		},
		httpEntry("HTTP-11", Required, "http-jwt: an unknown path", deploy.JwtAPI, "GET", "/admin"),
		httpEntry("HTTP-11", Required, "http-jwt: a method the route lacks", deploy.JwtAPI, "DELETE", "/profile"),
		httpEntry("HTTP-11", Required, "http-lambda: an unknown path", deploy.LambdaAPI, "GET", "/admin"),
	)

	ginkgo.DescribeTable("CORS",
		func(id, api string) {
			needs := httpNeeds(0)
			if api == deploy.LambdaAPI {
				needs = needsHTTPAuthorizer
			}
			s.requireHTTP(id, needs)
			st := s.newHTTPStack(api, httpStackOptions{integration: echoV2Authorizer})
			origin := "https://app.example"
			pre := s.callWith("OPTIONS", st.gateway.StageURL()+"/profile", map[string]string{"Origin": origin, "Access-Control-Request-Method": "GET"})
			gomega.Expect(pre.err).NotTo(gomega.HaveOccurred())
			gomega.Expect(pre.status).To(gomega.Equal(204), "preflight; got %s", pre)
			gomega.Expect(pre.header.Get("Access-Control-Allow-Origin")).To(gomega.Equal("*"), "preflight; got %v", pre.header)
			gomega.Expect(pre.header.Get("Access-Control-Allow-Methods")).To(gomega.ContainSubstring("GET"), "preflight; got %v", pre.header)
			gomega.Expect(strings.ToLower(pre.header.Get("Access-Control-Allow-Headers"))).To(gomega.ContainSubstring("authorization"), "preflight; got %v", pre.header)
			gomega.Expect(st.authorizerCalls.Load()).To(gomega.BeZero(), "a preflight runs no authorizer")
			ok := s.callWith("GET", st.gateway.StageURL()+"/profile", map[string]string{"Origin": origin, "Authorization": validBearer(st.tenant)})
			gomega.Expect(ok.status).To(gomega.Equal(200), "got %s", ok)
			gomega.Expect(ok.header.Get("Access-Control-Allow-Origin")).To(gomega.Equal("*"), "got %v", ok.header)
		},
		httpEntry("HTTP-12", Required, "http-jwt", deploy.JwtAPI),
		httpEntry("HTTP-12", Required, "http-lambda", deploy.LambdaAPI),
	)
}

// simpleDecision is what the HTTP Lambda authorizer answered when invoked directly.
type simpleDecision struct {
	response events.APIGatewayV2CustomAuthorizerSimpleResponse
	raw      []byte
	err      error
	decode   error
}

func (d simpleDecision) String() string {
	if d.err != nil {
		return "error " + strconv.Quote(d.err.Error())
	}
	return "response " + truncate(string(d.raw), 400)
}

// authorizeHTTP invokes an HTTP API Lambda authorizer with a payload 2.0 request for GET /profile.
func authorizeHTTP(inst *Instance, timeout time.Duration, authorization string) simpleDecision {
	payload, err := json.Marshal(events.APIGatewayV2CustomAuthorizerV2Request{
		Version:        "2.0",
		Type:           "REQUEST",
		RouteArn:       "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/$default/GET/profile",
		IdentitySource: []string{authorization},
		RouteKey:       "GET /profile",
		RawPath:        "/profile",
		Headers:        map[string]string{"authorization": authorization},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: "GET /profile", Stage: "$default", RequestID: "scenario",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/profile"},
		},
	})
	if err != nil {
		return simpleDecision{err: err}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := inst.Target.Invoke(ctx, payload)
	d := simpleDecision{raw: out, err: err}
	if err == nil {
		d.decode = json.Unmarshal(out, &d.response)
	}
	return d
}

// httpAuthorizerScenarios: HTTP-13, the HTTP Lambda authorizer on the AUTH paths, and its output
// (as LOG-01 for the TOKEN authorizer).
func (s *suite) httpAuthorizerScenarios() {
	ginkgo.Describe("decisions", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		fixture := &httpAuthorizerFixture{}
		ginkgo.BeforeAll(func() {
			if s.cfg.HTTPAuthorizer == nil {
				return
			}
			fixture.tenant = httpTenant()
			fixture.instance = launch(s.cfg.HTTPAuthorizer, s.environment(fixture.tenant, nil))
		})
		decide := func(authorization string) simpleDecision {
			fixture.sent.record(authorization)
			return authorizeHTTP(fixture.instance, s.cfg.invokeTimeout(), authorization)
		}
		ginkgo.It("HTTP-13: a valid token is authorized", specLabels("HTTP-13", Required), func() {
			s.requireHTTP("HTTP-13", needsHTTPAuthorizer)
			d := decide(validBearer(fixture.tenant))
			gomega.Expect(d.err).NotTo(gomega.HaveOccurred(), "got %s", d)
			gomega.Expect(d.decode).NotTo(gomega.HaveOccurred(), "a simple response; got %s", d)
			gomega.Expect(d.response.IsAuthorized).To(gomega.BeTrue(), "got %s", d)
		})
		ginkgo.It("HTTP-13: context.scope is the token's scope", specLabels("HTTP-13", Contract), func() {
			s.requireHTTP("HTTP-13", needsHTTPAuthorizer)
			d := decide(validBearer(fixture.tenant))
			gomega.Expect(d.err).NotTo(gomega.HaveOccurred(), "got %s", d)
			gomega.Expect(d.response.Context).To(gomega.HaveKeyWithValue("scope", strings.Join(fakeauth0.DefaultReaderScopes(), " ")), "got %s", d)
		})
		ginkgo.DescribeTable("refuses",
			func(id string, authorization header) {
				s.requireHTTP(id, needsHTTPAuthorizer)
				d := decide(authorization(fixture.tenant))
				refused := (d.err == nil && d.decode == nil && !d.response.IsAuthorized) || (d.err != nil && d.err.Error() == "Unauthorized")
				gomega.Expect(refused).To(gomega.BeTrue(), `%s: expected {"isAuthorized":false} (or the error "Unauthorized"), got %s`, id, d)
			},
			httpEntry("HTTP-13", Recommended, "no token", func(*fakeauth0.Tenant) string { return "" }),
			httpEntry("HTTP-13", Recommended, "another scheme", func(t *fakeauth0.Tenant) string { return "Basic " + valid(t) }),
			httpEntry("HTTP-13", Recommended, "a token without a scheme", valid),
			httpEntry("HTTP-13", Required, "not a JWT", func(*fakeauth0.Tenant) string { return "Bearer abc.def.ghi" }),
			httpEntry("HTTP-13", Recommended, "an unknown kid", minted(fakeauth0.WithHeader("kid", "no-such-key"))),
			httpEntry("HTTP-13", Required, "signed by a key not in the JWKS", func(t *fakeauth0.Tenant) string {
				return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(foreignKey())))
			}),
			httpEntry("HTTP-13", Required, "alg none", minted(fakeauth0.Algorithm("none"))),
			httpEntry("HTTP-13", Required, "HS256", minted(fakeauth0.Algorithm("HS256"))),
			httpEntry("HTTP-13", Required, "another issuer", setClaim("iss", "https://evil.example/")),
			httpEntry("HTTP-13", Required, "another audience", setClaim("aud", "https://other-api.example/")),
			httpEntry("HTTP-13", Required, "expired", withClaims(func(c map[string]any, now time.Time) { c["exp"] = now.Add(-time.Hour).Unix() })),
			httpEntry("HTTP-13", Required, "not yet valid", withClaims(func(c map[string]any, now time.Time) { c["nbf"] = now.Add(time.Hour).Unix() })),
			httpEntry("HTTP-13", Recommended, "no exp", dropClaim("exp")),
			httpEntry("HTTP-13", Recommended, "a 1 MiB header", func(*fakeauth0.Tenant) string { return "Bearer " + strings.Repeat("a", 1<<20) }),
		)
		ginkgo.It("HTTP-13: the output never holds a token, its signature or a client secret", specLabels("HTTP-13", Required), func() {
			s.requireHTTP("HTTP-13", needsHTTPAuthorizer)
			if fixture.instance.Output == nil {
				ginkgo.Skip(notApplicablePrefix + "the target cannot show its output")
			}
			out := fixture.instance.Output()
			for _, secret := range fixture.sent.secrets(fixture.tenant) {
				gomega.Expect(out).NotTo(gomega.ContainSubstring(secret), "the authorizer's output holds a secret it was sent")
			}
		})
	})
}

// designFlows: FLOW-02…FLOW-04, the client-credentials flow on the HTTP designs and across all
// three.
func (s *suite) designFlows() {
	ginkgo.DescribeTable("client credentials, then GET /profile",
		func(id, api, clientID, secret string, tenantStatus, apiStatus int, apiBody string) {
			needs := needsHTTPProfile
			if api == deploy.LambdaAPI {
				needs |= needsHTTPAuthorizer
			}
			s.requireHTTP(id, needs)
			st := s.newHTTPStack(api, httpStackOptions{})
			token, status, body := s.clientCredentials(st.tenant.TokenURL(), clientID, secret, st.tenant.Audience())
			gomega.Expect(status).To(gomega.Equal(tenantStatus), "the tenant's answer: %s", body)
			if tenantStatus != http.StatusOK {
				gomega.Expect(body).To(gomega.MatchJSON(`{"error":"access_denied","error_description":"Unauthorized"}`))
				return
			}
			expectAnswer(s.call("GET", st.gateway.StageURL()+"/profile", bearer(token)), apiStatus, apiBody)
		},
		httpEntry("FLOW-02", Required, "http-jwt: a client granted get:profile gets the profile", deploy.JwtAPI,
			fakeauth0.DefaultReaderID, fakeauth0.DefaultReaderSecret, 200, 200, ""),
		httpEntry("FLOW-02", Contract, "http-jwt: the profile comes back with the seed's body", deploy.JwtAPI,
			fakeauth0.DefaultReaderID, fakeauth0.DefaultReaderSecret, 200, 200, profileBody),
		httpEntry("FLOW-02", Required, "http-jwt: a client without the scope is refused by the route", deploy.JwtAPI,
			fakeauth0.DefaultNoScopeID, fakeauth0.DefaultNoScopeSecret, 200, 403, httpForbiddenBody),
		httpEntry("FLOW-02", Required, "http-jwt: a bad secret is refused by the tenant", deploy.JwtAPI,
			fakeauth0.DefaultReaderID, "not-the-secret", 401, 0, ""),
		httpEntry("FLOW-03", Required, "http-lambda: a client granted get:profile gets the profile", deploy.LambdaAPI,
			fakeauth0.DefaultReaderID, fakeauth0.DefaultReaderSecret, 200, 200, ""),
		httpEntry("FLOW-03", Required, "http-lambda: a client without the scope is refused by the profile", deploy.LambdaAPI,
			fakeauth0.DefaultNoScopeID, fakeauth0.DefaultNoScopeSecret, 200, 403, ""),
		httpEntry("FLOW-03", Contract, "http-lambda: the profile's refusal has the seed's body", deploy.LambdaAPI,
			fakeauth0.DefaultNoScopeID, fakeauth0.DefaultNoScopeSecret, 200, 403, forbiddenBody),
		httpEntry("FLOW-03", Required, "http-lambda: a bad secret is refused by the tenant", deploy.LambdaAPI,
			fakeauth0.DefaultReaderID, "not-the-secret", 401, 0, ""),
	)

	ginkgo.It("FLOW-04: one client's token gets the profile from every design, and no token gets 401", specLabels("FLOW-04", Required), func() {
		s.require("FLOW-04")
		s.requireHTTP("FLOW-04", needsHTTPProfile|needsHTTPAuthorizer)
		rest := s.newStack(stackOptions{})
		jwt := s.newHTTPStack(deploy.JwtAPI, httpStackOptions{})
		lambda := s.newHTTPStack(deploy.LambdaAPI, httpStackOptions{})
		for _, d := range []struct {
			design string
			url    string
			tenant *fakeauth0.Tenant
		}{
			{designREST, rest.gateway.StageURL(), rest.tenant},
			{designJWT, jwt.gateway.StageURL(), jwt.tenant},
			{designLambda, lambda.gateway.StageURL(), lambda.tenant},
		} {
			token, status, body := s.clientCredentials(d.tenant.TokenURL(), fakeauth0.DefaultReaderID, fakeauth0.DefaultReaderSecret, d.tenant.Audience())
			gomega.Expect(status).To(gomega.Equal(200), "%s: the tenant's answer: %s", d.design, body)
			r := s.call("GET", d.url+"/profile", bearer(token))
			gomega.Expect(r.status).To(gomega.Equal(200), "%s: got %s", d.design, r)
			r = s.call("GET", d.url+"/profile", "")
			gomega.Expect(r.status).To(gomega.Equal(401), "%s without a token: got %s", d.design, r)
			gomega.Expect(r.body).To(gomega.MatchJSON(unauthorizedBody), "%s without a token: got %s", d.design, r)
		}
	})
}
