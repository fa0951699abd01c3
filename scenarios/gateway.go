package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/onsi/ginkgo/v2"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
	"github.com/serverless-auth/serverless-auth/fakegateway"
)

// The bodies API Gateway answers with, byte for byte as it sends them.
const (
	unauthorizedBody = `{"message":"Unauthorized"}`
	explicitDenyBody = `{"Message":"User is not authorized to access this resource with an explicit deny"}`
	notCoveredBody   = `{"Message":"User is not authorized to access this resource"}`
	authorizerError  = `{"message":null}`
	missingTokenBody = `{"message":"Missing Authentication Token"}`
	internalError    = `{"message": "Internal server error"}`
	timedOutBody     = `{"message": "Endpoint request timed out"}`
)

// scripted is an authorizer that answers every event with response (or
// err), after delay: the gateway's side of the contract, independent of the
// implementation under test.
func scripted(response string, err error, delay time.Duration) fakegateway.Function {
	return fakegateway.FunctionFunc(func(ctx context.Context, _ []byte) ([]byte, error) {
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return []byte(response), err
	})
}

// policy is an authorizer response with one statement.
func policy(effect, resource string, context string) string {
	return fmt.Sprintf(`{"principalId":"client@clients","policyDocument":{"Version":"2012-10-17","Statement":[{"Effect":%q,"Action":"execute-api:Invoke","Resource":%q}]},"context":%s}`,
		effect, resource, context)
}

// echoAuthorizerContext is an integration that answers 200 with the
// requestContext.authorizer it received.
var echoAuthorizerContext = fakegateway.FunctionFunc(func(_ context.Context, payload []byte) ([]byte, error) {
	var req events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req.RequestContext.Authorizer)
	if err != nil {
		return nil, err
	}
	return json.Marshal(events.APIGatewayProxyResponse{StatusCode: 200, Body: string(body)})
})

// gatewayScenarios registers the GW family: what API Gateway does around
// the functions, reproduced by fakegateway from deploy/template.yaml.
func (s *suite) gatewayScenarios() {
	ginkgo.Describe("API Gateway", func() {
		s.gatewayBeforeAuthorizer()
		s.gatewayAuthorizerAnswers()
		s.gatewayCache()
		s.gatewayIntegration()
		s.gatewayConcurrency()
		s.gatewayProxy()
	})
}

// gatewayBeforeAuthorizer: GW-01, GW-02 and GW-11, answered without
// invoking the authorizer.
func (s *suite) gatewayBeforeAuthorizer() {
	ginkgo.DescribeTable("answers before invoking the authorizer",
		func(id string, method, path string, authorization header, status int, body, errorType string) {
			s.require(id)
			st := s.newStack(stackOptions{})
			value := ""
			if authorization != nil {
				value = authorization(st.tenant)
			}
			r := s.call(method, st.gateway.URL+path, value)
			expectReply(r, status, body, errorType)
			expectf(st.authorizerCalls.Load() == 0, "expected no authorizer invocation, got %d", st.authorizerCalls.Load())
		},
		gw("GW-01", "no Authorization header", "GET", "/prod/profile", nil, 401, unauthorizedBody, "UnauthorizedException"),
		gw("GW-01", "an empty Authorization header", "GET", "/prod/profile", func(*fakeauth0.Tenant) string { return " " }, 401, unauthorizedBody, "UnauthorizedException"),
		gw("GW-02", "a lowercase scheme", "GET", "/prod/profile", func(t *fakeauth0.Tenant) string { return "bearer " + valid(t) }, 401, unauthorizedBody, "UnauthorizedException"),
		gw("GW-02", "Basic credentials", "GET", "/prod/profile", func(*fakeauth0.Tenant) string { return "Basic dXNlcjpwYXNz" }, 401, unauthorizedBody, "UnauthorizedException"),
		gw("GW-02", "a raw token", "GET", "/prod/profile", valid, 401, unauthorizedBody, "UnauthorizedException"),
		gw("GW-02", "characters outside the expression", "GET", "/prod/profile", func(*fakeauth0.Tenant) string { return "Bearer abc+def/ghi=" }, 401, unauthorizedBody, "UnauthorizedException"),
		gw("GW-02", "an extra part", "GET", "/prod/profile", func(t *fakeauth0.Tenant) string { return bearer(valid(t)) + " extra" }, 401, unauthorizedBody, "UnauthorizedException"),
		gw("GW-11", "an unknown resource", "GET", "/prod/admin", nil, 403, missingTokenBody, "MissingAuthenticationTokenException"),
		gw("GW-11", "an unknown stage", "GET", "/staging/profile", nil, 403, missingTokenBody, "MissingAuthenticationTokenException"),
		gw("GW-11", "a method the resource lacks", "DELETE", "/prod/profile", nil, 403, missingTokenBody, "MissingAuthenticationTokenException"),
	)

	// On a route that does not exist API Gateway reads an Authorization
	// header as a SigV4 signature, and says so.
	ginkgo.It("GW-11: an unknown resource with a bearer token is a malformed signature", specLabels("GW-11", Required), func() {
		s.require("GW-11")
		st := s.newStack(stackOptions{})
		r := s.call("GET", st.gateway.URL+"/prod/admin", validBearer(st.tenant))
		expectf(r.err == nil && r.status == 403 && r.header.Get("X-Amzn-Errortype") == "IncompleteSignatureException" &&
			strings.HasPrefix(r.body, `{"message":"Invalid key=value pair (missing equal-sign) in Authorization header`),
			"expected 403 IncompleteSignatureException \"Invalid key=value pair (missing equal-sign) in Authorization header…\", got %s", r)
		expectf(st.authorizerCalls.Load() == 0, "expected no authorizer invocation, got %d", st.authorizerCalls.Load())
	})
}

// gw is one row of a gateway table.
func gw(id, what, method, path string, authorization header, status int, body, errorType string) ginkgo.TableEntry {
	ginkgo.GinkgoHelper()
	return ginkgo.Entry(id+": "+what, specLabels(id, Required), id, method, path, authorization, status, body, errorType)
}

// gatewayAuthorizerAnswers: GW-03…GW-06 and GW-09, how the gateway maps
// what the authorizer answered.
func (s *suite) gatewayAuthorizerAnswers() {
	ginkgo.DescribeTable("maps the authorizer's answer",
		func(id string, authorizer func(st *stack) fakegateway.Function, authorization header, status int, body, errorType string) {
			s.require(id)
			o := stackOptions{}
			var st *stack
			if authorizer != nil {
				// The scripted authorizer may need the gateway's ARNs: resolve lazily.
				o.authorizer = fakegateway.FunctionFunc(func(ctx context.Context, p []byte) ([]byte, error) {
					return authorizer(st).Invoke(ctx, p)
				})
			}
			st = s.newStack(o)
			r := s.call("GET", st.gateway.StageURL()+"/profile", authorization(st.tenant))
			expectReply(r, status, body, errorType)
		},
		gwAnswer("GW-03", "a token the authorizer rejects (foreign key)", nil, func(t *fakeauth0.Tenant) string {
			return bearer(t.Mint(t.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(foreignKey())))
		}, 401, unauthorizedBody, "UnauthorizedException"),
		gwAnswer("GW-03", "a tampered token", nil, tampered, 401, unauthorizedBody, "UnauthorizedException"),
		gwAnswer("GW-03", "alg none", nil, minted(fakeauth0.Algorithm("none")), 401, unauthorizedBody, "UnauthorizedException"),
		gwAnswer("GW-03", "an expired token", nil, withClaims(func(c map[string]any, now time.Time) {
			c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		}), 401, unauthorizedBody, "UnauthorizedException"),
		gwAnswer("GW-04", "an explicit Deny", func(st *stack) fakegateway.Function {
			return scripted(policy("Deny", st.gateway.Gateway.StageARN(), "{}"), nil, 0)
		}, validBearer, 403, explicitDenyBody, "AccessDeniedException"),
		gwAnswer("GW-04", "a Deny beside an Allow", func(st *stack) fakegateway.Function {
			return scripted(`{"principalId":"c","policyDocument":{"Version":"2012-10-17","Statement":[`+
				`{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"},`+
				`{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"`+st.gateway.Gateway.MethodARN("GET", "/profile")+`"}]}}`, nil, 0)
		}, validBearer, 403, explicitDenyBody, "AccessDeniedException"),
		gwAnswer("GW-05", "an Allow for another method", func(st *stack) fakegateway.Function {
			return scripted(policy("Allow", st.gateway.Gateway.MethodARN("POST", "/profile"), "{}"), nil, 0)
		}, validBearer, 403, notCoveredBody, "AccessDeniedException"),
		gwAnswer("GW-05", "an Allow for another stage", func(st *stack) fakegateway.Function {
			return scripted(policy("Allow", "arn:aws:execute-api:*:*:*/staging/*", "{}"), nil, 0)
		}, validBearer, 403, notCoveredBody, "AccessDeniedException"),
		gwAnswer("GW-06", "an error other than Unauthorized", func(*stack) fakegateway.Function {
			return scripted("", errors.New("Something went wrong"), 0)
		}, validBearer, 500, authorizerError, "AuthorizerConfigurationException"),
		gwAnswer("GW-06", "an error spelled unauthorized", func(*stack) fakegateway.Function {
			return scripted("", errors.New("unauthorized"), 0)
		}, validBearer, 500, authorizerError, "AuthorizerConfigurationException"),
		gwAnswer("GW-06", "a response that is not JSON", func(*stack) fakegateway.Function {
			return scripted("Allow", nil, 0)
		}, validBearer, 500, authorizerError, "AuthorizerConfigurationException"),
		gwAnswer("GW-06", "a policy without principalId", func(st *stack) fakegateway.Function {
			return scripted(`{"policyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}}`, nil, 0)
		}, validBearer, 500, authorizerError, "AuthorizerConfigurationException"),
		gwAnswer("GW-06", "a policy with an unknown Effect", func(st *stack) fakegateway.Function {
			return scripted(policy("Permit", st.gateway.Gateway.StageARN(), "{}"), nil, 0)
		}, validBearer, 500, authorizerError, "AuthorizerConfigurationException"),
		gwAnswer("GW-06", "a context value that is a list", func(st *stack) fakegateway.Function {
			return scripted(policy("Allow", st.gateway.Gateway.StageARN(), `{"scope":["get:profile"]}`), nil, 0)
		}, validBearer, 500, authorizerError, "AuthorizerConfigurationException"),
		gwAnswer("GW-06", "a context value that is an object", func(st *stack) fakegateway.Function {
			return scripted(policy("Allow", st.gateway.Gateway.StageARN(), `{"user":{"id":1}}`), nil, 0)
		}, validBearer, 500, authorizerError, "AuthorizerConfigurationException"),
		gwAnswer("GW-06", "an authorizer past its timeout", func(*stack) fakegateway.Function {
			return scripted(`{}`, nil, time.Minute)
		}, validBearer, 500, authorizerError, "AuthorizerConfigurationException"),
	)

	ginkgo.It("GW-09: the implementation's Allow passes principalId = sub and context.scope to the integration", specLabels("GW-09", Contract), func() {
		s.require("GW-09")
		st := s.newStack(stackOptions{integration: echoAuthorizerContext})
		r := s.call("GET", st.gateway.StageURL()+"/profile", validBearer(st.tenant))
		expectAuthorizerContext(r, map[string]string{"principalId": fakeauth0.DefaultReaderID + "@clients", "scope": "get:profile read:messages"})
	})

	ginkgo.It("GW-09: numbers and booleans in the context reach the integration as strings", specLabels("GW-09", Required), func() {
		s.require("GW-09")
		var st *stack
		st = s.newStack(stackOptions{
			integration: echoAuthorizerContext,
			authorizer: fakegateway.FunctionFunc(func(ctx context.Context, p []byte) ([]byte, error) {
				return []byte(policy("Allow", st.gateway.Gateway.StageARN(), `{"scope":"get:profile","tier":3,"admin":false}`)), nil
			}),
		})
		r := s.call("GET", st.gateway.StageURL()+"/profile", validBearer(st.tenant))
		expectAuthorizerContext(r, map[string]string{"principalId": "client@clients", "scope": "get:profile", "tier": "3", "admin": "false"})
	})

	ginkgo.DescribeTable("GW-10: gateway responses carry the template's CORS headers",
		func(what string, authorizer func(st *stack) fakegateway.Function, authorization header, path string, status int) {
			s.require("GW-10")
			o := stackOptions{}
			var st *stack
			if authorizer != nil {
				o.authorizer = fakegateway.FunctionFunc(func(ctx context.Context, p []byte) ([]byte, error) { return authorizer(st).Invoke(ctx, p) })
			}
			st = s.newStack(o)
			value := ""
			if authorization != nil {
				value = authorization(st.tenant)
			}
			r := s.call("GET", st.gateway.URL+path, value)
			expectStatus(r, status)
			expectf(r.header.Get("Access-Control-Allow-Origin") == "*" && r.header.Get("Access-Control-Allow-Headers") == "Authorization,Content-Type",
				"%s: expected Access-Control-Allow-Origin * and Access-Control-Allow-Headers Authorization,Content-Type, got %s", what, r)
		},
		ginkgo.Entry("GW-10: 401 without a header", specLabels("GW-10", Required), "401", nil, nil, "/prod/profile", 401),
		ginkgo.Entry("GW-10: 401 from the authorizer", specLabels("GW-10", Required), "401", nil, tampered, "/prod/profile", 401),
		ginkgo.Entry("GW-10: 403 explicit deny", specLabels("GW-10", Required), "403", func(st *stack) fakegateway.Function {
			return scripted(policy("Deny", st.gateway.Gateway.StageARN(), "{}"), nil, 0)
		}, validBearer, "/prod/profile", 403),
		ginkgo.Entry("GW-10: 403 missing authentication token", specLabels("GW-10", Required), "403", nil, validBearer, "/prod/nowhere", 403),
		ginkgo.Entry("GW-10: 500 authorizer error", specLabels("GW-10", Required), "500", func(*stack) fakegateway.Function {
			return scripted("", errors.New("boom"), 0)
		}, validBearer, "/prod/profile", 500),
	)
}

// expectAuthorizerContext checks what the echo integration saw in
// requestContext.authorizer: every value a string, want among them (API
// Gateway adds integrationLatency of its own).
func expectAuthorizerContext(r reply, want map[string]string) {
	ginkgo.GinkgoHelper()
	expectStatus(r, 200)
	var got map[string]any
	expectf(json.Unmarshal([]byte(r.body), &got) == nil, "expected the integration's echo of requestContext.authorizer, got %s", r)
	for k, v := range want {
		expectf(got[k] == v, "expected requestContext.authorizer.%s = %q, got %s", k, v, r)
	}
}

// gwAnswer is one row of the authorizer-answer table; a nil authorizer
// means the implementation's own.
func gwAnswer(id, what string, authorizer func(st *stack) fakegateway.Function, authorization header, status int, body, errorType string) ginkgo.TableEntry {
	ginkgo.GinkgoHelper()
	return ginkgo.Entry(id+": "+what, specLabels(id, Required), id, authorizer, authorization, status, body, errorType)
}

// gatewayCache: GW-07 and GW-08, the authorizer result cache, its pitfall
// and its fix.
func (s *suite) gatewayCache() {
	ginkgo.It("GW-07: with a TTL the result is cached per token; without one the authorizer runs every time", specLabels("GW-07", Required), func() {
		s.require("GW-07")
		cached := s.newStack(stackOptions{ttl: 300})
		token := validBearer(cached.tenant)
		for range 3 {
			expectStatus(s.call("GET", cached.gateway.StageURL()+"/profile", token), 200)
		}
		expectf(cached.authorizerCalls.Load() == 1, "TTL 300: expected 1 authorizer invocation for 3 requests with one token, got %d", cached.authorizerCalls.Load())
		expectStatus(s.call("GET", cached.gateway.StageURL()+"/profile", bearer(cached.tenant.Token(fakeauth0.DefaultNoScopeID))), 403)
		expectf(cached.authorizerCalls.Load() == 2, "TTL 300: expected a second token to be authorized on its own (2 invocations), got %d", cached.authorizerCalls.Load())

		uncached := s.newStack(stackOptions{ttl: 0})
		token = validBearer(uncached.tenant)
		for range 3 {
			expectStatus(s.call("GET", uncached.gateway.StageURL()+"/profile", token), 200)
		}
		expectf(uncached.authorizerCalls.Load() == 3, "TTL 0: expected 3 authorizer invocations for 3 requests, got %d", uncached.authorizerCalls.Load())
	})

	second := []fakegateway.Route{{Method: http.MethodPost, Path: "/profile"}}
	ginkgo.It("GW-08: pitfall: a method-only policy behind a cache denies the next route (403)", specLabels("GW-08", Contract), func() {
		s.require("GW-08")
		st := s.newStack(stackOptions{ttl: 300, extraRoutes: second, authorizerEnv: map[string]string{"POLICY_RESOURCE": "method"}})
		token := validBearer(st.tenant)
		expectStatus(s.call("GET", st.gateway.StageURL()+"/profile", token), 200)
		expectReply(s.call("POST", st.gateway.StageURL()+"/profile", token), 403, notCoveredBody, "AccessDeniedException")
		expectf(st.authorizerCalls.Load() == 1, "expected the second route to be answered from the cache (1 invocation), got %d", st.authorizerCalls.Load())
	})

	ginkgo.It("GW-08: fix: with the TTL on, the template grants the stage and every route works", specLabels("GW-08", Contract), func() {
		s.require("GW-08")
		st := s.newStack(stackOptions{ttl: 300, extraRoutes: second})
		token := validBearer(st.tenant)
		expectStatus(s.call("GET", st.gateway.StageURL()+"/profile", token), 200)
		expectStatus(s.call("POST", st.gateway.StageURL()+"/profile", token), 200)
		expectf(st.authorizerCalls.Load() == 1, "expected the second route to be answered from the cache (1 invocation), got %d", st.authorizerCalls.Load())
	})
}

// gatewayIntegration: GW-12 and GW-13, the proxy integration's failures.
func (s *suite) gatewayIntegration() {
	ginkgo.DescribeTable("maps the integration's failures",
		func(id string, integration fakegateway.Function, timeout time.Duration, status int, body, errorType string) {
			s.require(id)
			st := s.newStack(stackOptions{integration: integration, integrationTimeout: timeout})
			expectReply(s.call("GET", st.gateway.StageURL()+"/profile", validBearer(st.tenant)), status, body, errorType)
		},
		ginkgo.Entry("GW-12: a function error", specLabels("GW-12", Required), "GW-12",
			scripted("", errors.New("handler crashed"), 0), time.Duration(0), 502, internalError, "InternalServerErrorException"),
		ginkgo.Entry("GW-12: a response that is not a proxy response", specLabels("GW-12", Required), "GW-12",
			scripted(`"hello"`, nil, 0), time.Duration(0), 502, internalError, "InternalServerErrorException"),
		ginkgo.Entry("GW-12: a status code out of range", specLabels("GW-12", Required), "GW-12",
			scripted(`{"statusCode":42,"body":"x"}`, nil, 0), time.Duration(0), 502, internalError, "InternalServerErrorException"),
		ginkgo.Entry("GW-13: past the integration timeout", specLabels("GW-13", Required), "GW-13",
			scripted(`{"statusCode":200,"body":"late"}`, nil, time.Minute), 500*time.Millisecond, 504, timedOutBody, ""),
	)
}

// gatewayConcurrency: GW-14, hundreds of requests in flight, each answered
// as it would be alone.
func (s *suite) gatewayConcurrency() {
	ginkgo.It("GW-14: under concurrent load every answer is the one it is alone", specLabels("GW-14", Required), func() {
		s.require("GW-14")
		st := s.newStack(stackOptions{ttl: 300, patient: true})
		type probe struct {
			authorization string
			alone         reply
		}
		probes := []*probe{
			{authorization: validBearer(st.tenant)},
			{authorization: bearer(st.tenant.Token(fakeauth0.DefaultNoScopeID))},
			{authorization: tampered(st.tenant)},
			{authorization: ""},
		}
		// Each probe alone first (concurrently with each other, so a hung
		// implementation costs one timeout): the reference answers.
		var wg sync.WaitGroup
		for _, p := range probes {
			wg.Go(func() { p.alone = s.call("GET", st.gateway.StageURL()+"/profile", p.authorization) })
		}
		wg.Wait()
		for i, want := range []int{200, 403, 401, 401} {
			expectf(probes[i].alone.err == nil && probes[i].alone.status == want, "alone, expected %d, got %s", want, probes[i].alone)
		}
		const requests, inFlight = 400, 128
		sem := make(chan struct{}, inFlight)
		errs := make(chan string, requests)
		for i := range requests {
			p := probes[i%len(probes)]
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				r := s.call("GET", st.gateway.StageURL()+"/profile", p.authorization)
				if r.err != nil || r.status != p.alone.status || !jsonEqual(r.body, p.alone.body) {
					errs <- fmt.Sprintf("request %d: expected %s as alone, got %s", i, p.alone, r)
				}
			})
		}
		wg.Wait()
		close(errs)
		var wrong []string
		for e := range errs {
			wrong = append(wrong, e)
		}
		if len(wrong) > 0 {
			ginkgo.Fail(fmt.Sprintf("expected every answer under load to be the one it is alone; %d of %d differ, the first: %s", len(wrong), requests, wrong[0]))
		}
	})
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}
