package scenarios

import (
	"context"
	"maps"
	"net/http"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// Describe registers the whole suite against the implementation cfg
// describes, inside a Ginkgo container named name, and returns true so it
// can be called from a package-level var declaration, as Ginkgo's own
// Describe is. Call it once per implementation; the same IDs run for each.
func Describe(name string, cfg Config) bool {
	s := &suite{cfg: cfg, client: &http.Client{Timeout: 30 * time.Second}}
	return ginkgo.Describe(name, func() {
		s.authorizerScenarios()
		s.profileScenarios()
		s.gatewayScenarios()
		s.flowScenarios()
		s.httpScenarios()
	})
}

// suite carries the configuration into the spec closures; it holds no
// state of its own between specs.
type suite struct {
	cfg Config
	// client sends the HTTP scenarios' requests, each bounded in time.
	client *http.Client
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
	case "AUTH":
		if s.cfg.Authorizer == nil {
			return "no authorizer configured"
		}
	case "PROF":
		if s.cfg.Profile == nil {
			return "no profile handler configured"
		}
	case "GW", "FLOW":
		if s.cfg.Authorizer == nil || s.cfg.Profile == nil {
			return "the gateway scenarios need both the authorizer and the profile function"
		}
	}
	return ""
}

// require skips the current spec, reported as not applicable, when id cannot
// run against this implementation.
func (s *suite) require(id string) {
	if reason := s.notApplicable(id); reason != "" {
		ginkgo.Skip(notApplicablePrefix + reason)
	}
}

// notApplicablePrefix marks a skip as "not applicable" in the report.
const notApplicablePrefix = "not applicable: "

// newTenant starts a fake Auth0 tenant for the current container or spec and
// closes it when that ends.
func newTenant(opts ...fakeauth0.Option) *fakeauth0.Tenant {
	t := fakeauth0.New(opts...)
	ginkgo.DeferCleanup(t.Close)
	return t
}

// environment is what a function of this implementation starts with for
// tenant: the three fixed variables, the suite's extra ones, then extra.
func (s *suite) environment(tenant *fakeauth0.Tenant, extra map[string]string) map[string]string {
	env := map[string]string{
		"JWKS_URI":     tenant.JWKSURL(),
		"TOKEN_ISSUER": tenant.Issuer(),
		"AUDIENCE":     tenant.Audience(),
	}
	maps.Copy(env, s.cfg.Env)
	maps.Copy(env, extra)
	return env
}

// start starts a function with start and stops it when the current
// container or spec ends.
func start(start Starter, env map[string]string) *Instance {
	inst, err := start(context.Background(), env)
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "the function did not start")
	gomega.Expect(inst).NotTo(gomega.BeNil())
	gomega.Expect(inst.Target).NotTo(gomega.BeNil())
	if inst.Close != nil {
		ginkgo.DeferCleanup(inst.Close)
	}
	return inst
}
