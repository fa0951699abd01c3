package scenarios

import (
	"mime"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// forbiddenBody is the 403 body of DESIGN §3, as JSON.
const forbiddenBody = `{"message":"Forbidden","info":"scope \"get:profile\" is required"}`

// profileBody is the 200 body.
const profileBody = `{"name":"Daniël"}`

// profileScenarios registers the PROF family: the handler reads the scope
// API Gateway passes from the authorizer, and nothing else.
func (s *suite) profileScenarios() {
	ginkgo.Describe("GET /profile", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		var inst *Instance
		ginkgo.BeforeAll(func() {
			if s.cfg.Profile == nil {
				return
			}
			t := s.newTenant()
			inst = start(s.cfg.Profile, s.environment(t, nil))
		})
		ginkgo.DescribeTable("answers",
			func(id string, authorizer map[string]any, status int, body string) {
				s.require(id)
				a := invokeProxy(inst, s.cfg.invokeTimeout(), profileRequest(authorizer))
				gomega.Expect(a.err).NotTo(gomega.HaveOccurred(), "%s: expected a proxy response, got %s", id, a)
				gomega.Expect(a.decode).NotTo(gomega.HaveOccurred(), "%s: expected a proxy response, got %s", id, a)
				gomega.Expect(a.response.StatusCode).To(gomega.Equal(status), "%s: status; got %s", id, a)
				gomega.Expect(a.response.Body).To(gomega.MatchJSON(body), "%s: body; got %s", id, a)
				gomega.Expect(a.response.IsBase64Encoded).To(gomega.BeFalse(), "%s: the JSON body must not be base64; got %s", id, a)
				gomega.Expect(contentType(a.response)).To(gomega.Equal("application/json"), "%s: Content-Type; got %s", id, a)
			},
			answer("PROF-01", "get:profile alone", scope("get:profile"), 200, profileBody),
			answer("PROF-01", "get:profile among others", scope("read:messages get:profile write:messages"), 200, profileBody),
			answer("PROF-01", "get:profile first of several", scope("get:profile read:messages"), 200, profileBody),
			answer("PROF-02", "no scope in the context", map[string]any{"principalId": "client@clients"}, 403, forbiddenBody),
			answer("PROF-02", "an empty scope", scope(""), 403, forbiddenBody),
			answer("PROF-02", "get:profile2", scope("get:profile2"), 403, forbiddenBody),
			answer("PROF-02", "xget:profile", scope("xget:profile"), 403, forbiddenBody),
			answer("PROF-02", "get:profiles among others", scope("read:messages get:profiles"), 403, forbiddenBody),
			answer("PROF-02", "GET:PROFILE", scope("GET:PROFILE"), 403, forbiddenBody),
			answer("PROF-02", "get:profile inside a comma list", scope("read:messages,get:profile"), 403, forbiddenBody),
			answer("PROF-02", "another client's scope only", scope("read:messages"), 403, forbiddenBody),
			answer("PROF-03", "no authorizer context", nil, 403, forbiddenBody),
			answer("PROF-03", "an empty authorizer context", map[string]any{}, 403, forbiddenBody),
		)
	})
}

// answer is one row of the profile table.
func answer(id, what string, authorizer map[string]any, status int, body string) ginkgo.TableEntry {
	return ginkgo.Entry(id+": "+what, ginkgo.Label(id, Family(id)), id, authorizer, status, body)
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
