// Command local runs the whole serverless-auth stack on 127.0.0.1 — a fake
// Auth0 tenant, the fake API Gateway configured from deploy/template.yaml, and
// both functions behind it — and prints ready curl commands with fresh
// tokens. It is what `make run` starts; Ctrl-C stops it.
//
//	go run ./cmd/local [-addr 127.0.0.1:3000] [-tenant-addr 127.0.0.1:3001] [-cache-ttl 0]
//
// ADDR in the environment sets the gateway's address when -addr is not given.
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
	cacheTTL         int
	verbose          bool
}

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
	fs.IntVar(&o.cacheTTL, "cache-ttl", 0, "the template's AuthorizerCacheTtl parameter in seconds (0 = cache off, at most 3600)")
	fs.BoolVar(&o.verbose, "v", false, "also print the functions' own JSON log lines")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
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
	tenant  *fakeauth0.Tenant
	gateway *fakegateway.Gateway
	server  *http.Server
	served  chan error
	url     string // the gateway's base URL
	env     map[string]string
	ttl     int
}

// Close stops the gateway and the tenant.
func (s *stack) Close() {
	_ = s.server.Close()
	s.tenant.Close()
}

// start brings up the tenant, the functions and the gateway.
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

	cfg, err := fakegateway.ParseTemplate(deploy.Template(), map[string]string{
		"TokenIssuer":        tenant.Issuer(),
		"JwksUri":            tenant.JWKSURL(),
		"Audience":           tenant.Audience(),
		"AuthorizerCacheTtl": strconv.Itoa(o.cacheTTL),
	})
	if err != nil {
		return fail(err)
	}
	env := cfg.FunctionEnv[deploy.AuthorizerFunction]
	functionLogs := io.Discard
	if o.verbose {
		functionLogs = logs
	}
	authorizerConfig, err := authorizer.ConfigFromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return fail(fmt.Errorf("the authorizer's environment from deploy/template.yaml: %w", err))
	}
	a, err := authorizer.New(ctx, authorizerConfig, authorizer.WithLogger(slog.New(decisionRecorder{slog.NewJSONHandler(functionLogs, nil)})))
	if err != nil {
		return fail(err)
	}
	p := profile.New(profile.WithLogger(slog.New(slog.NewJSONHandler(functionLogs, nil))))

	gw, err := fakegateway.New(cfg, map[string]fakegateway.Function{
		deploy.AuthorizerFunction: fakelambda.HandlerFunc[events.APIGatewayCustomAuthorizerRequest, events.APIGatewayCustomAuthorizerResponse](a.Authorize),
		deploy.ProfileFunction:    fakelambda.HandlerFunc[events.APIGatewayProxyRequest, events.APIGatewayProxyResponse](p.Handle),
	}, fakegateway.WithLogger(slog.New(requestLine{mu: &sync.Mutex{}, out: logs})))
	if err != nil {
		return fail(err)
	}
	s := &stack{
		tenant:  tenant,
		gateway: gw,
		server:  &http.Server{Handler: withDecisionNote(gw), ReadHeaderTimeout: 10 * time.Second},
		served:  make(chan error, 1),
		url:     "http://" + gatewayListener.Addr().String(),
		env:     env,
		ttl:     o.cacheTTL,
	}
	go func() {
		if err := s.server.Serve(gatewayListener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.served <- err
		}
	}()
	return s, nil
}
