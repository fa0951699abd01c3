package scenarios

import (
	"mime"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/onsi/ginkgo/v2"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// forbiddenBody is the 403 body of DESIGN §3, as JSON.
const forbiddenBody = `{"message":"Forbidden","info":"scope \"get:profile\" is required"}`

// profileBody is the 200 body.
const profileBody = `{"name":"Daniël"}`

// profileScenarios registers the PROF family: the handler reads the scope
// API Gateway passes from the authorizer, and nothing else. Each variant
// has one spec per property: whether the request is served (required),
// the exact refusal status (recommended, RFC 6750 §3.1), and this
// project's bodies and Content-Type (contract).
func (s *suite) profileScenarios() {
	ginkgo.Describe("GET /profile", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		var fn *function
		ginkgo.BeforeAll(func() {
			if s.cfg.Profile == nil {
				return
			}
			fn = s.newFunction(s.cfg.Profile, s.environment(s.newTenant(), nil))
		})
		ginkgo.DescribeTable("answers",
			func(id, what string, authorizer map[string]any, property profileProperty) {
				s.require(id)
				a := s.invokeProxy(fn, profileRequest(authorizer))
				property.check(a, what)
			},
			answers("PROF-01", "get:profile alone", scope("get:profile"), true),
			answers("PROF-01", "get:profile among others", scope("read:messages get:profile write:messages"), true),
			answers("PROF-01", "get:profile first of several", scope("get:profile read:messages"), true),
			answers("PROF-02", "no scope in the context", map[string]any{"principalId": "client@clients"}, false),
			answers("PROF-02", "an empty scope", scope(""), false),
			answers("PROF-02", "get:profile2", scope("get:profile2"), false),
			answers("PROF-02", "xget:profile", scope("xget:profile"), false),
			answers("PROF-02", "get:profiles among others", scope("read:messages get:profiles"), false),
			answers("PROF-02", "GET:PROFILE", scope("GET:PROFILE"), false),
			answers("PROF-02", "get:profile inside a comma list", scope("read:messages,get:profile"), false),
			answers("PROF-02", "another client's scope only", scope("read:messages"), false),
			answers("PROF-03", "no authorizer context", nil, false),
			answers("PROF-03", "an empty authorizer context", map[string]any{}, false),
		)
	})
}

// profileProperty is one property of a profile answer, checked by its own
// spec.
type profileProperty struct {
	granted bool
	kind    string // "served", "status" or "body"
}

// check fails the spec unless the answer has the property.
func (p profileProperty) check(a proxyAnswer, what string) {
	ginkgo.GinkgoHelper()
	a.raiseIfLate()
	switch {
	case p.kind == "served" && p.granted:
		expectf(a.status == http.StatusOK, "%s: expected 200, got %s", what, a)
	case p.kind == "served":
		expectf(a.status >= 400 && a.status < 500, "%s: expected a refusal (4xx), got %s", what, a)
	case p.kind == "status":
		expectf(a.status == http.StatusForbidden, "%s: expected 403 (RFC 6750 §3.1, insufficient scope), got %s", what, a)
	default:
		body, status := forbiddenBody, http.StatusForbidden
		if p.granted {
			body, status = profileBody, http.StatusOK
		}
		expectf(a.status == status, "%s: expected %d, got %s", what, status, a)
		expectf(jsonEqual(a.response.Body, body) && !a.response.IsBase64Encoded, "%s: expected the body %s, got %s", what, body, a)
		expectf(contentType(a.response) == "application/json", "%s: expected Content-Type application/json, got %s", what, a)
	}
}

// answers is the specs of one variant of the profile table: served or
// refused (required), 403 when refused (recommended), the body and
// Content-Type (contract).
func answers(id, what string, authorizer map[string]any, granted bool) []ginkgo.TableEntry {
	ginkgo.GinkgoHelper()
	served := "is refused"
	if granted {
		served = "is served"
	}
	entries := []ginkgo.TableEntry{
		ginkgo.Entry(id+": "+what+": "+served, specLabels(id, Required), id, what, authorizer, profileProperty{granted, "served"}),
	}
	if !granted {
		entries = append(entries, ginkgo.Entry(id+": "+what+": 403", specLabels(id, Recommended), id, what, authorizer, profileProperty{granted, "status"}))
	}
	return append(entries, ginkgo.Entry(id+": "+what+": the seed's body and Content-Type", specLabels(id, Contract), id, what, authorizer, profileProperty{granted, "body"}))
}

// scope is the authorizer context API Gateway passes for a token with that
// scope: principalId and the context values, stringified.
func scope(s string) map[string]any {
	return map[string]any{"principalId": fakeauth0.DefaultReaderID + "@clients", "scope": s}
}

// profileRequest is the proxy event API Gateway sends for GET /prod/profile.
func profileRequest(authorizer map[string]any) events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{
		Resource:   "/profile",
		Path:       "/profile",
		HTTPMethod: http.MethodGet,
		Headers:    map[string]string{"Accept": "application/json"},
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:    "123456789012",
			ResourcePath: "/profile",
			Stage:        "prod",
			RequestID:    "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
			HTTPMethod:   http.MethodGet,
			APIID:        "a1b2c3d4e5",
			Authorizer:   authorizer,
		},
	}
}

// contentType reads the media type of the response's Content-Type the way
// API Gateway passes it on: header names are case-insensitive, multi-value
// headers count too, and parameters such as charset are not part of it.
func contentType(r events.APIGatewayProxyResponse) string {
	value := ""
	for k, v := range r.Headers {
		if http.CanonicalHeaderKey(k) == "Content-Type" {
			value = v
		}
	}
	for k, v := range r.MultiValueHeaders {
		if http.CanonicalHeaderKey(k) == "Content-Type" && len(v) > 0 {
			value = v[0]
		}
	}
	media, _, err := mime.ParseMediaType(value)
	if err != nil {
		return value
	}
	return media
}
