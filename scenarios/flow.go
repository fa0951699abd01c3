package scenarios

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// flowScenarios registers FLOW-01: a client gets a token by client
// credentials from the tenant and calls the API with it, end to end.
func (s *suite) flowScenarios() {
	ginkgo.DescribeTable("FLOW-01: client credentials, then GET /profile",
		func(clientID, secret string, tenantStatus, apiStatus int, apiBody string) {
			s.require("FLOW-01")
			st := s.newStack(stackOptions{})
			token, status, body := s.clientCredentials(st.tenant.TokenURL(), clientID, secret, st.tenant.Audience())
			expectf(status == tenantStatus, "the tenant: expected %d, got %d %s", tenantStatus, status, body)
			if tenantStatus != http.StatusOK {
				expectf(jsonEqual(body, `{"error":"access_denied","error_description":"Unauthorized"}`), "the tenant: expected Auth0's access_denied body, got %s", body)
				return
			}
			r := s.call("GET", st.gateway.StageURL()+"/profile", bearer(token))
			if apiBody == "" {
				expectStatus(r, apiStatus)
				return
			}
			expectReply(r, apiStatus, apiBody, "")
		},
		ginkgo.Entry("FLOW-01: a client granted get:profile gets the profile", specLabels("FLOW-01", Required),
			fakeauth0.DefaultReaderID, fakeauth0.DefaultReaderSecret, 200, 200, ""),
		ginkgo.Entry("FLOW-01: a client without the scope is forbidden", specLabels("FLOW-01", Required),
			fakeauth0.DefaultNoScopeID, fakeauth0.DefaultNoScopeSecret, 200, 403, ""),
		ginkgo.Entry("FLOW-01: a bad secret is refused by the tenant", specLabels("FLOW-01", Required),
			fakeauth0.DefaultReaderID, "not-the-secret", 401, 0, ""),
		ginkgo.Entry("FLOW-01: the profile comes back with the seed's body", specLabels("FLOW-01", Contract),
			fakeauth0.DefaultReaderID, fakeauth0.DefaultReaderSecret, 200, 200, profileBody),
	)
}

// clientCredentials asks tokenURL for an access token as an Auth0
// machine-to-machine application does; it returns the token (empty on
// failure), the status and the body.
func (s *suite) clientCredentials(tokenURL, clientID, secret, audience string) (token string, status int, body string) {
	ginkgo.GinkgoHelper()
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {clientID},
		"client_secret": {secret},
		"audience":      {audience},
	}
	resp, err := s.client.Post(tokenURL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	expectf(err == nil, "POST %s: expected an answer, got %v", tokenURL, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	expectf(err == nil, "POST %s: reading the answer: %v", tokenURL, err)
	var answer struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if resp.StatusCode == http.StatusOK {
		expectf(json.Unmarshal(raw, &answer) == nil && answer.TokenType == "Bearer",
			"POST %s: expected a token response with token_type Bearer, got %s", tokenURL, raw)
	}
	return answer.AccessToken, resp.StatusCode, string(raw)
}
