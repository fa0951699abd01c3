package scenarios

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// Deployed describes an API that is already running — on AWS after make
// deploy, or the make run stack — and the tenant that issues its tokens.
// Only HTTP-level scenarios run against it: nothing here can fault the
// issuer or count invocations.
type Deployed struct {
	// URL is the stage's invoke URL, e.g. https://ID.execute-api.REGION.amazonaws.com/prod.
	URL string
	// Issuer is the tenant, with Auth0's trailing slash (https://TENANT/);
	// tokens come from Issuer + "oauth/token".
	Issuer string
	// Audience is the API identifier tokens are requested for.
	Audience string
	// ClientID and ClientSecret are a machine-to-machine application granted
	// the get:profile scope.
	ClientID, ClientSecret string
	// UnscopedClientID and UnscopedClientSecret, when set, are an application
	// granted the API without get:profile.
	UnscopedClientID, UnscopedClientSecret string
}

// DescribeDeployed registers the HTTP-level scenarios (no header, bad
// scheme, forged and tampered tokens, alg none, a valid token, an unscoped
// token, CORS headers on gateway-made errors, client credentials) against a
// running API, inside a Ginkgo container named name.
func DescribeDeployed(name string, d Deployed) bool {
	s := &suite{client: &http.Client{Timeout: 30 * time.Second}}
	return ginkgo.Describe(name, func() {
		s.deployedScenarios(d)
		notApplicableWhenDeployed()
	})
}

// deployedIDs are the scenarios DescribeDeployed runs.
var deployedIDs = map[string]bool{"GW-01": true, "GW-02": true, "GW-03": true, "GW-10": true, "GW-11": true, "FLOW-01": true}

// notApplicableWhenDeployed reports every other scenario as not applicable,
// with the reason, so the report of a smoke run names each ID.
func notApplicableWhenDeployed() {
	for _, sc := range catalogue {
		if deployedIDs[sc.ID] {
			continue
		}
		reason := "a deployed API: the suite cannot start, fault or count its functions"
		if Family(sc.ID) == "GW" {
			reason = "a deployed API: the scenario scripts the authorizer or the integration"
		}
		ginkgo.It(sc.ID+": "+notApplicablePrefix+reason, ginkgo.Label(sc.ID, Family(sc.ID)), func() {
			ginkgo.Skip(notApplicablePrefix + reason)
		})
	}
}

func (s *suite) deployedScenarios(d Deployed) {
	tokenURL := strings.TrimSuffix(d.Issuer, "/") + "/oauth/token"
	profileURL := strings.TrimSuffix(d.URL, "/") + "/profile"
	var scoped string
	ginkgo.BeforeEach(func() {
		if scoped != "" {
			return
		}
		token, status, body := s.clientCredentials(tokenURL, d.ClientID, d.ClientSecret, d.Audience)
		gomega.Expect(status).To(gomega.Equal(200), "client credentials for %s: %s", d.ClientID, body)
		scoped = token
	})
	cors := func(r reply) {
		ginkgo.GinkgoHelper()
		gomega.Expect(r.header.Get("Access-Control-Allow-Origin")).NotTo(gomega.BeEmpty(), "CORS header on a gateway-made %d; got %s", r.status, r)
	}

	ginkgo.It("FLOW-01: a client granted get:profile gets the profile", ginkgo.Label("FLOW-01", "FLOW", string(Required)), func() {
		expectStatus(s.call("GET", profileURL, bearer(scoped)), 200)
	})
	ginkgo.It("FLOW-01: a client without the scope is forbidden", ginkgo.Label("FLOW-01", "FLOW", string(Required)), func() {
		if d.UnscopedClientID == "" {
			ginkgo.Skip(notApplicablePrefix + "no unscoped client given")
		}
		token, status, body := s.clientCredentials(tokenURL, d.UnscopedClientID, d.UnscopedClientSecret, d.Audience)
		gomega.Expect(status).To(gomega.Equal(200), "client credentials for %s: %s", d.UnscopedClientID, body)
		expectStatus(s.call("GET", profileURL, bearer(token)), 403)
	})
	ginkgo.It("FLOW-01: a bad secret is refused by the tenant", ginkgo.Label("FLOW-01", "FLOW", string(Required)), func() {
		_, status, _ := s.clientCredentials(tokenURL, d.ClientID, d.ClientSecret+"-wrong", d.Audience)
		gomega.Expect(status).To(gomega.Equal(401))
	})

	ginkgo.It("GW-01: no Authorization header is 401 with CORS headers", ginkgo.Label("GW-01", "GW-10", "GW", string(Required)), func() {
		r := s.call("GET", profileURL, "")
		expectReply(r, 401, unauthorizedBody, "UnauthorizedException")
		cors(r)
	})
	ginkgo.DescribeTable("GW-02: a header that fails the validation expression is 401",
		func(value func() string) {
			expectReply(s.call("GET", profileURL, value()), 401, unauthorizedBody, "UnauthorizedException")
		},
		ginkgo.Entry("GW-02: a lowercase scheme", ginkgo.Label("GW-02", "GW", string(Required)), func() string { return "bearer " + scoped }),
		ginkgo.Entry("GW-02: Basic credentials", ginkgo.Label("GW-02", "GW", string(Required)), func() string { return "Basic dXNlcjpwYXNz" }),
		ginkgo.Entry("GW-02: a raw token", ginkgo.Label("GW-02", "GW", string(Required)), func() string { return scoped }),
	)
	ginkgo.DescribeTable("GW-03: a token the authorizer must refuse is 401 with CORS headers",
		func(forge func(token string) string) {
			r := s.call("GET", profileURL, bearer(forge(scoped)))
			expectReply(r, 401, unauthorizedBody, "UnauthorizedException")
			cors(r)
		},
		ginkgo.Entry("GW-03: signed by a foreign key under the tenant's kid", ginkgo.Label("GW-03", "GW-10", "GW", string(Required)), resignedByOutsider),
		ginkgo.Entry("GW-03: a payload changed after signing", ginkgo.Label("GW-03", "GW-10", "GW", string(Required)), func(token string) string {
			return withPayload(token, func(c map[string]any) { c["scope"] = "get:profile admin" })
		}),
		ginkgo.Entry("GW-03: alg none", ginkgo.Label("GW-03", "GW-10", "GW", string(Required)), func(token string) string {
			parts := strings.Split(token, ".")
			return b64(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + "."
		}),
		ginkgo.Entry("GW-03: HS256 keyed with nothing the tenant published", ginkgo.Label("GW-03", "GW-10", "GW", string(Required)), func(token string) string {
			parts := strings.Split(token, ".")
			return b64(`{"alg":"HS256","typ":"JWT"}`) + "." + parts[1] + "." + parts[2]
		}),
	)
	ginkgo.It("GW-11: an unknown resource is 403 with CORS headers", ginkgo.Label("GW-11", "GW-10", "GW", string(Required)), func() {
		r := s.call("GET", strings.TrimSuffix(d.URL, "/")+"/no-such-resource", "")
		expectReply(r, 403, missingTokenBody, "MissingAuthenticationTokenException")
		cors(r)
	})
}

// withPayload re-encodes a token's payload after change, keeping its header
// and signature: the signature no longer matches.
func withPayload(token string, change func(map[string]any)) string {
	ginkgo.GinkgoHelper()
	parts := strings.Split(token, ".")
	gomega.Expect(parts).To(gomega.HaveLen(3))
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	var claims map[string]any
	gomega.Expect(json.Unmarshal(raw, &claims)).To(gomega.Succeed())
	change(claims)
	forged, err := json.Marshal(claims)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(forged) + "." + parts[2]
}

// resignedByOutsider keeps a real token's claims and kid but signs it with a
// key the tenant never published.
func resignedByOutsider(token string) string {
	ginkgo.GinkgoHelper()
	parts := strings.Split(token, ".")
	gomega.Expect(parts).To(gomega.HaveLen(3))
	var header struct {
		KID string `json:"kid"`
	}
	rawHeader, err := base64.RawURLEncoding.DecodeString(parts[0])
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	gomega.Expect(json.Unmarshal(rawHeader, &header)).To(gomega.Succeed())
	rawClaims, err := base64.RawURLEncoding.DecodeString(parts[1])
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	// The outsider only signs: it never serves, so it needs no TLS.
	outsider := fakeauth0.New()
	ginkgo.DeferCleanup(outsider.Close)
	return outsider.Mint(nil, fakeauth0.RawClaims(rawClaims), fakeauth0.SignedWith(foreignKey()), fakeauth0.WithHeader("kid", header.KID))
}
