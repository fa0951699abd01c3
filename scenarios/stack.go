package scenarios

import (
	"context"
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/deploy"
	"github.com/serverless-auth/serverless-auth/fakeauth0"
	"github.com/serverless-auth/serverless-auth/fakegateway"
)

// stack is the whole local flow for one scenario: a tenant, the fake API
// Gateway configured from deploy/template.yaml, and the implementation's
// functions (or scripted stand-ins) behind it.
type stack struct {
	tenant  *fakeauth0.Tenant
	gateway *fakegateway.Server
	// authorizerCalls counts invocations of the authorizer.
	authorizerCalls atomic.Int64
}

// stackOptions vary the stack per scenario.
type stackOptions struct {
	// ttl is the template's AuthorizerCacheTtl parameter, in seconds.
	ttl int
	// authorizerEnv overrides the authorizer's environment from the template.
	authorizerEnv map[string]string
	// authorizer replaces the implementation's authorizer with a scripted one.
	authorizer fakegateway.Function
	// integration replaces the profile function.
	integration fakegateway.Function
	// extraRoutes are added to the template's, served by the profile function.
	extraRoutes []fakegateway.Route
	// integrationTimeout bounds the integration (API Gateway's 29 s otherwise).
	integrationTimeout time.Duration
	// patient lifts the functions' 3 s timeouts to patientTimeout: for
	// scenarios about correctness under load on a small, busy machine, where
	// a timeout would be the machine's doing, not the gateway's.
	patient bool
}

// patientTimeout is the functions' timeout in a patient stack: more than
// three times the deployed 3 s, less than API Gateway's 29 s, so that an
// implementation that hangs costs seconds.
const patientTimeout = 10 * time.Second

// newStack starts a stack for the current spec; everything stops when it ends.
func (s *suite) newStack(o stackOptions) *stack {
	ginkgo.GinkgoHelper()
	st := &stack{tenant: s.newTenant()}
	cfg, err := fakegateway.ParseTemplate(deploy.Template(), map[string]string{
		"TokenIssuer":        st.tenant.Issuer(),
		"JwksUri":            st.tenant.JWKSURL(),
		"Audience":           st.tenant.Audience(),
		"AuthorizerCacheTtl": strconv.Itoa(o.ttl),
	})
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "deploy/template.yaml")
	for _, r := range o.extraRoutes {
		r.Function = deploy.ProfileFunction
		cfg.Routes = append(cfg.Routes, r)
	}

	authorizer := o.authorizer
	if authorizer == nil {
		env := s.environment(st.tenant, nil)
		maps.Copy(env, cfg.FunctionEnv[deploy.AuthorizerFunction])
		maps.Copy(env, o.authorizerEnv)
		authorizer = s.newFunction(s.cfg.Authorizer, env)
	}
	integration := o.integration
	if integration == nil {
		env := s.environment(st.tenant, nil)
		maps.Copy(env, cfg.FunctionEnv[deploy.ProfileFunction])
		integration = s.newFunction(s.cfg.Profile, env)
	}
	opts := []fakegateway.Option{}
	if o.patient {
		for id := range cfg.FunctionTimeout {
			cfg.FunctionTimeout[id] = patientTimeout
		}
		opts = append(opts, fakegateway.WithAuthorizerTimeout(patientTimeout))
	}
	if o.integrationTimeout > 0 {
		opts = append(opts, fakegateway.WithIntegrationTimeout(o.integrationTimeout))
	}
	st.gateway, err = fakegateway.NewServer(cfg, map[string]fakegateway.Function{
		deploy.AuthorizerFunction: counting(authorizer, &st.authorizerCalls),
		deploy.ProfileFunction:    integration,
	}, opts...)
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "starting the fake gateway")
	ginkgo.DeferCleanup(st.gateway.Close)
	return st
}

// counting wraps fn so that every invocation adds one to calls.
func counting(fn fakegateway.Function, calls *atomic.Int64) fakegateway.Function {
	return fakegateway.FunctionFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		calls.Add(1)
		return fn.Invoke(ctx, payload)
	})
}

// reply is an HTTP answer as a client sees it.
type reply struct {
	status int
	header http.Header
	body   string
	err    error
}

// String describes the reply for failure messages.
func (r reply) String() string {
	if r.err != nil {
		return "no answer: " + r.err.Error()
	}
	var h []string
	for _, k := range []string{"Content-Type", "X-Amzn-Errortype", "Access-Control-Allow-Origin"} {
		if v := r.header.Get(k); v != "" {
			h = append(h, k+": "+v)
		}
	}
	return strconv.Itoa(r.status) + " " + strings.Join(h, "; ") + " " + truncate(r.body, 300)
}

// call sends one request; authorization "" sends no Authorization header.
func (s *suite) call(method, url, authorization string) reply {
	var header map[string]string
	if authorization != "" {
		header = map[string]string{"Authorization": authorization}
	}
	return s.callWith(method, url, header)
}

// callWith sends one request with the given headers.
func (s *suite) callWith(method, url string, header map[string]string) reply {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return reply{err: err}
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return s.send(req)
}

// send sends req and reads the answer (its first MiB).
func (s *suite) send(req *http.Request) reply {
	resp, err := s.client.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return reply{status: resp.StatusCode, header: resp.Header, body: string(body), err: err}
}

// expectReply checks status, JSON body and, when errorType is set, the
// x-amzn-ErrorType header API Gateway sends with its own errors.
func expectReply(r reply, status int, body, errorType string) {
	ginkgo.GinkgoHelper()
	expectf(r.err == nil && r.status == status, "expected %d, got %s", status, r)
	expectf(jsonEqual(r.body, body), "expected the body %s, got %s", body, r)
	if errorType != "" {
		expectf(r.header.Get("X-Amzn-Errortype") == errorType, "expected x-amzn-ErrorType %s, got %s", errorType, r)
	}
}

// expectStatus checks the status alone: for answers of the implementation's
// own functions, whose bodies are their own business.
func expectStatus(r reply, status int) {
	ginkgo.GinkgoHelper()
	expectf(r.err == nil && r.status == status, "expected %d, got %s", status, r)
}
