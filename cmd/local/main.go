// Command local runs the whole serverless-auth stack on 127.0.0.1 — a fake
// Auth0 tenant, the fake API Gateway configured from the deploy templates, and
// the functions behind it — and prints ready curl commands with fresh tokens.
// It is what `make run` starts; Ctrl-C stops it.
//
//	go run ./cmd/local [-design rest|http-jwt|http-lambda] [-addr 127.0.0.1:3000] [-tenant-addr 127.0.0.1:3001] [-cache-ttl 0]
//
// The design picks the API: rest (default) is deploy/template.yaml's REST API
// with the Lambda TOKEN authorizer; http-jwt and http-lambda are the HTTP APIs
// of deploy/httpapi.yaml, behind the managed JWT authorizer or the Lambda
// authorizer (payload 2.0, simple responses). ADDR and DESIGN in the
// environment set the gateway's address and the design when the flags are not
// given.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/serverless-auth/serverless-auth/authorizer"
	"github.com/serverless-auth/serverless-auth/deploy"
	"github.com/serverless-auth/serverless-auth/fakeauth0"
	"github.com/serverless-auth/serverless-auth/fakegateway"
	"github.com/serverless-auth/serverless-auth/fakelambda"
	"github.com/serverless-auth/serverless-auth/profile"
)

func main() {
	// Ctrl-C and SIGTERM stop the stack cleanly: run returns nil and the exit status is 0.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	addr, tenantAddr string
	design           string
	cacheTTL         int
	verbose          bool
}

// Designs make run DESIGN= accepts.
const (
	designREST   = "rest"
	designJWT    = "http-jwt"
	designLambda = "http-lambda"
)

func parse(args []string, stderr io.Writer) (options, error) {
	o := options{}
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defaultAddr := os.Getenv("ADDR")
	if defaultAddr == "" {
		defaultAddr = "127.0.0.1:3000"
	}
	fs.StringVar(&o.addr, "addr", defaultAddr, "the gateway's address (default $ADDR or 127.0.0.1:3000)")
	fs.StringVar(&o.tenantAddr, "tenant-addr", "127.0.0.1:3001", "the fake Auth0 tenant's address")
	defaultDesign := os.Getenv("DESIGN")
	if defaultDesign == "" {
		defaultDesign = designREST
	}
	fs.StringVar(&o.design, "design", defaultDesign, "the API design: rest, http-jwt or http-lambda (default $DESIGN or rest)")
	fs.IntVar(&o.cacheTTL, "cache-ttl", 0, "the template's AuthorizerCacheTtl parameter in seconds (0 = cache off, at most 3600; no effect on http-jwt)")
	fs.BoolVar(&o.verbose, "v", false, "also print the functions' own JSON log lines")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	switch o.design {
	case designREST, designJWT, designLambda:
	default:
		return o, fmt.Errorf("-design %q must be rest, http-jwt or http-lambda", o.design)
	}
	if o.cacheTTL < 0 || o.cacheTTL > 3600 {
		return o, fmt.Errorf("-cache-ttl %d must be between 0 and 3600", o.cacheTTL)
	}
	return o, nil
}

// run starts the stack and serves until ctx ends (main's ctx ends on Ctrl-C or SIGTERM), then
// stops it and says so in one line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}

	s, err := start(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := printBanner(stdout, s); err != nil {
		return err
	}

	select {
	case <-ctx.Done():
	case err := <-s.served:
		return fmt.Errorf("the gateway stopped: %w", err)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.server.Shutdown(shutdown); err != nil {
		return fmt.Errorf("stopping the gateway: %w", err)
	}
	// The leading newline keeps the line clear of the terminal's echoed ^C.
	fmt.Fprintln(stderr, "\nlocal: stopped")
	return nil
}

// stack is the running local stack.
type stack struct {
	tenant *fakeauth0.Tenant
	server *http.Server
	served chan error
	url    string // the gateway's base URL
	api    string // the API's invoke URL: url, plus the stage for the REST design
	route  string // what the banner says is served
	design string
	// env is the Lambda authorizer's environment, or (http-jwt) the JWT
	// authorizer's settings.
	env   map[string]string
	ttl   int
	close func()
}

// Close stops the gateway and the tenant.
func (s *stack) Close() {
	_ = s.server.Close()
	s.close()
	s.tenant.Close()
}

// start brings up the tenant, the functions and the gateway of o.design.
func start(ctx context.Context, o options, logs io.Writer) (*stack, error) {
	tenantListener, err := net.Listen("tcp", o.tenantAddr)
	if err != nil {
		return nil, fmt.Errorf("the tenant cannot listen on %s (-tenant-addr): %w", o.tenantAddr, err)
	}
	gatewayListener, err := net.Listen("tcp", o.addr)
	if err != nil {
		tenantListener.Close()
		return nil, fmt.Errorf("the gateway cannot listen on %s (ADDR or -addr): %w", o.addr, err)
	}
	tenant := fakeauth0.New(fakeauth0.WithListener(tenantListener))
	fail := func(err error) (*stack, error) {
		gatewayListener.Close()
		tenant.Close()
		return nil, err
	}
	params := map[string]string{
		"TokenIssuer":        tenant.Issuer(),
		"JwksUri":            tenant.JWKSURL(),
		"Audience":           tenant.Audience(),
		"AuthorizerCacheTtl": strconv.Itoa(o.cacheTTL),
	}
	functionLogs := io.Discard
	if o.verbose {
		functionLogs = logs
	}
	s := &stack{
		tenant: tenant,
		served: make(chan error, 1),
		url:    "http://" + gatewayListener.Addr().String(),
		design: o.design,
		ttl:    o.cacheTTL,
		close:  func() {},
	}
	var handler http.Handler
	if o.design == designREST || o.design == "" {
		s.design = designREST
		handler, err = s.restGateway(ctx, params, functionLogs, logs)
	} else {
		handler, err = s.httpGateway(ctx, params, functionLogs, logs)
	}
	if err != nil {
		return fail(err)
	}
	s.server = &http.Server{Handler: withDecisionNote(handler), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.server.Serve(gatewayListener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.served <- err
		}
	}()
	return s, nil
}

// authorizerFromEnv builds the authorizer from a template function's
// environment, logging its decisions to functionLogs (and the request line).
func authorizerFromEnv(ctx context.Context, env map[string]string, functionLogs io.Writer, template string) (*authorizer.Authorizer, error) {
	a, err := authorizer.NewFromEnv(ctx, func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		authorizer.WithLogger(slog.New(decisionRecorder{slog.NewJSONHandler(functionLogs, nil)})))
	if err != nil {
		return nil, fmt.Errorf("the authorizer's environment from %s: %w", template, err)
	}
	return a, nil
}

// restGateway is the REST API of deploy/template.yaml with the TOKEN authorizer.
func (s *stack) restGateway(ctx context.Context, params map[string]string, functionLogs, logs io.Writer) (http.Handler, error) {
	cfg, err := fakegateway.ParseTemplate(deploy.Template(), params)
	if err != nil {
		return nil, err
	}
	s.env = cfg.FunctionEnv[deploy.AuthorizerFunction]
	a, err := authorizerFromEnv(ctx, s.env, functionLogs, "deploy/template.yaml")
	if err != nil {
		return nil, err
	}
	p := profile.New(profile.WithLogger(slog.New(slog.NewJSONHandler(functionLogs, nil))))
	gw, err := fakegateway.New(cfg, map[string]fakegateway.Function{
		deploy.AuthorizerFunction: fakelambda.HandlerFunc[events.APIGatewayCustomAuthorizerRequest, events.APIGatewayCustomAuthorizerResponse](a.Authorize),
		deploy.ProfileFunction:    fakelambda.HandlerFunc[events.APIGatewayProxyRequest, events.APIGatewayProxyResponse](p.Handle),
	}, fakegateway.WithLogger(slog.New(requestLine{mu: &sync.Mutex{}, out: logs})))
	if err != nil {
		return nil, err
	}
	s.api = s.url + "/" + gw.Stage()
	s.route = fmt.Sprintf("GET /%s/profile, REST API, Lambda TOKEN authorizer, cache TTL %ds", gw.Stage(), s.ttl)
	return gw, nil
}

// httpGateway is one HTTP API of deploy/httpapi.yaml: JwtApi (http-jwt) or
// LambdaApi (http-lambda).
func (s *stack) httpGateway(ctx context.Context, params map[string]string, functionLogs, logs io.Writer) (http.Handler, error) {
	api := deploy.JwtAPI
	if s.design == designLambda {
		api = deploy.LambdaAPI
	}
	cfg, err := fakegateway.ParseHTTPTemplate(deploy.HTTPTemplate(), api, params)
	if err != nil {
		return nil, err
	}
	p := profile.New(profile.WithLogger(slog.New(slog.NewJSONHandler(functionLogs, nil))))
	functions := map[string]fakegateway.Function{deploy.HTTPProfileFunction: p}
	if s.design == designLambda {
		s.env = cfg.FunctionEnv[deploy.HTTPAuthorizerFunction]
		a, err := authorizerFromEnv(ctx, s.env, functionLogs, "deploy/httpapi.yaml")
		if err != nil {
			return nil, err
		}
		functions[deploy.HTTPAuthorizerFunction] = fakelambda.HandlerFunc[events.APIGatewayV2CustomAuthorizerV2Request, events.APIGatewayV2CustomAuthorizerSimpleResponse](a.AuthorizeHTTP)
		s.route = fmt.Sprintf("GET /profile, HTTP API, Lambda authorizer (payload 2.0, simple responses), cache TTL %ds", s.ttl)
	} else {
		for _, r := range cfg.Routes {
			a := cfg.Authorizers[r.Authorizer]
			s.env = map[string]string{
				"issuer":   a.Issuer,
				"audience": strings.Join(a.Audience, " "),
				"route " + r.Method + " " + r.Path + " scopes": strings.Join(r.Scopes, " "),
			}
		}
		s.route = "GET /profile, HTTP API, managed JWT authorizer"
	}
	gw, err := fakegateway.NewHTTP(cfg, functions, fakegateway.WithHTTPLogger(slog.New(requestLine{mu: &sync.Mutex{}, out: logs})))
	if err != nil {
		return nil, err
	}
	s.close = gw.Close
	s.api = s.url
	return gw, nil
}
