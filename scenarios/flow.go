package scenarios

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

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
			gomega.Expect(status).To(gomega.Equal(tenantStatus), "the tenant's answer: %s", body)
			if tenantStatus != http.StatusOK {
				gomega.Expect(body).To(gomega.MatchJSON(`{"error":"access_denied","error_description":"Unauthorized"}`))
				return
			}
			expectReply(s.call("GET", st.gateway.StageURL()+"/profile", bearer(token)), apiStatus, apiBody, "")
		},
		ginkgo.Entry("FLOW-01: a client granted get:profile gets the profile", ginkgo.Label("FLOW-01", "FLOW"),
			fakeauth0.DefaultReaderID, fakeauth0.DefaultReaderSecret, 200, 200, profileBody),
		ginkgo.Entry("FLOW-01: a client without the scope is forbidden", ginkgo.Label("FLOW-01", "FLOW"),
			fakeauth0.DefaultNoScopeID, fakeauth0.DefaultNoScopeSecret, 200, 403, forbiddenBody),
		ginkgo.Entry("FLOW-01: a bad secret is refused by the tenant", ginkgo.Label("FLOW-01", "FLOW"),
			fakeauth0.DefaultReaderID, "not-the-secret", 401, 0, ""),
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
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "POST %s", tokenURL)
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	var answer struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if resp.StatusCode == http.StatusOK {
		gomega.Expect(json.Unmarshal(raw, &answer)).To(gomega.Succeed(), "the tenant's token response: %s", raw)
		gomega.Expect(answer.TokenType).To(gomega.Equal("Bearer"))
	}
	return answer.AccessToken, resp.StatusCode, string(raw)
}
