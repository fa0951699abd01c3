package scenarios

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/onsi/ginkgo/v2"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// Describe registers the whole suite against the implementation cfg
// describes, inside a Ginkgo container named name, and returns true so it
// can be called from a package-level var declaration, as Ginkgo's own
// Describe is. Call it once per implementation; the same IDs run for each.
func Describe(name string, cfg Config) bool {
	s := &suite{name: name, cfg: cfg, client: &http.Client{Timeout: 30 * time.Second}}
	if cfg.TLS != nil {
		s.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cfg.TLS.CertPool(), MinVersion: tls.VersionTLS12}}
	}
	return ginkgo.Describe(name, func() {
		s.notApplicableMarkers()
		s.authorizerScenarios()
		s.profileScenarios()
		s.gatewayScenarios()
		s.flowScenarios()
		s.httpScenarios()
	})
}

// suite carries the configuration into the spec closures.
type suite struct {
	name string
	cfg  Config
	// client sends the HTTP scenarios' requests, each bounded in time.
	client *http.Client
	// lastProgress is the ID whose start was last announced.
	lastProgress string
}

// notApplicable returns why id cannot run against this implementation, or ""
// when it can.
func (s *suite) notApplicable(id string) string {
	if reason, ok := s.cfg.NotApplicable[id]; ok {
		return reason
	}
	if reason, ok := s.cfg.NotApplicable[Family(id)]; ok {
		return reason
	}
	switch Family(id) {
	case "AUTH", "LOG":
		if s.cfg.Authorizer == nil {
			return "no authorizer configured (Config.Authorizer is nil)"
		}
	case "PROF":
		if s.cfg.Profile == nil {
			return "no profile handler configured (Config.Profile is nil)"
		}
	case "GW", "FLOW":
		if s.cfg.Authorizer == nil || s.cfg.Profile == nil {
			return "needs both the authorizer and the profile function (Config.Authorizer and Config.Profile)"
		}
	}
	return ""
}

// notApplicableMarkers registers, for each scenario that the configuration
// makes not applicable, a spec whose text holds the reason: the report keeps
// the reason even when a label filter leaves every spec of it out.
func (s *suite) notApplicableMarkers() {
	for _, sc := range catalogue {
		reason := s.notApplicable(sc.ID)
		if reason == "" {
			continue
		}
		ginkgo.It(sc.ID+": "+notApplicablePrefix+reason, ginkgo.Label(sc.ID, Family(sc.ID)), func() {
			ginkgo.Skip(notApplicablePrefix + reason)
		})
	}
}

// require skips the current spec, reported as not applicable, when id cannot
// run against this implementation, and announces id when a new one starts.
func (s *suite) require(id string) {
	if reason := s.notApplicable(id); reason != "" {
		ginkgo.Skip(notApplicablePrefix + reason)
	}
	s.announce(id)
}

// applicable reports whether id can run against this implementation and,
// if so, announces it: for the BeforeAll nodes that measure before their
// specs judge.
func (s *suite) applicable(id string) bool {
	if s.notApplicable(id) != "" {
		return false
	}
	s.announce(id)
	return true
}

// announce writes a progress line when a new scenario ID starts.
func (s *suite) announce(id string) {
	if id != s.lastProgress {
		s.lastProgress = id
		sc, _ := Lookup(id)
		fmt.Fprintf(s.cfg.progress(), "scenarios: %s: %s — %s\n", s.name, id, sc.Path)
	}
}

// notApplicablePrefix marks a skip as "not applicable" in the report.
const notApplicablePrefix = "not applicable: "

// newTenant starts a fake Auth0 tenant for the current container or spec,
// on https when Config.TLS is set, and closes it when that ends.
func (s *suite) newTenant(opts ...fakeauth0.Option) *fakeauth0.Tenant {
	if s.cfg.TLS != nil {
		opts = append([]fakeauth0.Option{fakeauth0.WithTLS(s.cfg.TLS)}, opts...)
	}
	t := fakeauth0.New(opts...)
	ginkgo.DeferCleanup(t.Close)
	return t
}

// environment is what a function of this implementation starts with for
// tenant: the three fixed variables, the suite's knobs (extra), then
// Config.Env.
func (s *suite) environment(tenant *fakeauth0.Tenant, extra map[string]string) map[string]string {
	env := map[string]string{
		"JWKS_URI":     tenant.JWKSURL(),
		"TOKEN_ISSUER": tenant.Issuer(),
		"AUDIENCE":     tenant.Audience(),
	}
	maps.Copy(env, extra)
	maps.Copy(env, s.cfg.Env)
	return env
}

// authorize invokes an authorizer with a TOKEN event for arn and judges the
// answer as API Gateway would.
func (s *suite) authorize(f *function, authorizationToken, arn string) decision {
	return s.authorizeEvent(f, "TOKEN", authorizationToken, arn)
}

// authorizeEvent is authorize with an event of the given type, as a
// gateway wired to the function as another kind of authorizer would send.
func (s *suite) authorizeEvent(f *function, eventType, authorizationToken, arn string) decision {
	payload, err := json.Marshal(events.APIGatewayCustomAuthorizerRequest{
		Type:               eventType,
		AuthorizationToken: authorizationToken,
		MethodArn:          arn,
	})
	if err != nil {
		ginkgo.Fail("encoding the event: " + err.Error())
	}
	return judgeAuthorizer(f.invoke(payload, s.cfg.invokeTimeout()), arn)
}

// invokeProxy invokes a proxy-integration function with req and judges the
// answer as API Gateway would.
func (s *suite) invokeProxy(f *function, req events.APIGatewayProxyRequest) proxyAnswer {
	payload, err := json.Marshal(req)
	if err != nil {
		ginkgo.Fail("encoding the event: " + err.Error())
	}
	return judgeProxy(f.invoke(payload, s.cfg.invokeTimeout()))
}
