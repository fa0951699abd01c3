package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/serverless-auth/serverless-auth/authorizer"
	"github.com/serverless-auth/serverless-auth/deploy"
	"github.com/serverless-auth/serverless-auth/fakeauth0"
	"github.com/serverless-auth/serverless-auth/fakegateway"
	"github.com/serverless-auth/serverless-auth/fakelambda"
	"github.com/serverless-auth/serverless-auth/profile"
)

// bareServer is a net/http server on 127.0.0.1 answering 200 to everything.
type bareServer struct {
	url string
	srv *http.Server
}

func startBare() (*bareServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = srv.Serve(ln) }()
	return &bareServer{url: "http://" + ln.Addr().String() + "/", srv: srv}, nil
}

func (b *bareServer) Close() { _ = b.srv.Close() }

// allowAll is an in-process stand-in authorizer that allows every request
// without looking at the token, as the trivial function does.
func allowAll(_ context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: "anyone",
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version:   "2012-10-17",
			Statement: []events.IAMPolicyStatement{{Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{req.MethodArn}}},
		},
		Context: map[string]any{"scope": "get:profile"},
	}, nil
}

// startGateway serves deploy/template.yaml through fakegateway with the
// authorizer (ours unless trivial) and profile handlers in process, for
// tenant t.
func startGateway(ctx context.Context, t *fakeauth0.Tenant, ttl int, trivial bool) (*fakegateway.Server, error) {
	cfg, err := fakegateway.ParseTemplate(deploy.Template(), map[string]string{
		"TokenIssuer":        t.Issuer(),
		"JwksUri":            t.JWKSURL(),
		"Audience":           t.Audience(),
		"AuthorizerCacheTtl": strconv.Itoa(ttl),
	})
	if err != nil {
		return nil, fmt.Errorf("deploy/template.yaml: %w", err)
	}
	env := cfg.FunctionEnv[deploy.AuthorizerFunction]
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	// The decision lines are formatted as in Lambda, then dropped.
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	a, err := authorizer.NewFromEnv(ctx, lookup, authorizer.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	var authorize fakegateway.Function = fakelambda.HandlerFunc[events.APIGatewayCustomAuthorizerRequest, events.APIGatewayCustomAuthorizerResponse](a.Authorize)
	if trivial {
		authorize = lambda.NewHandler(allowAll)
	}
	return fakegateway.NewServer(cfg, map[string]fakegateway.Function{
		deploy.AuthorizerFunction: authorize,
		deploy.ProfileFunction:    lambda.NewHandler(profile.New(profile.WithLogger(logger)).Handle),
	}, fakegateway.WithLogger(discardLogger()))
}

// gatewayRows compares requests/s and p99 through the fake gateway with a
// bare net/http handler, under the same load generator.
func gatewayRows(ctx context.Context, s settings) ([]row, error) {
	tenant := newTenant()
	defer tenant.Close()
	bare, err := startBare()
	if err != nil {
		return nil, err
	}
	defer bare.Close()
	token := "Bearer " + tenant.Token(fakeauth0.DefaultReaderID)
	bareLoad := load{url: bare.url, conns: s.gwConns, maxRequests: s.gwRequests, maxDuration: s.gwDuration, wantStatus: http.StatusOK}

	var rows []row
	for _, c := range []struct {
		ttl     int
		trivial bool
	}{{0, false}, {300, false}, {0, true}} {
		ttl := c.ttl
		gw, err := startGateway(ctx, tenant, ttl, c.trivial)
		if err != nil {
			return nil, err
		}
		gwLoad := load{url: gw.StageURL() + "/profile", authorization: token, conns: s.gwConns, maxRequests: s.gwRequests, maxDuration: s.gwDuration, wantStatus: http.StatusOK}
		s.progress.printf("gateway (authorizer cache TTL %ds, trivial authorizer %v) vs bare net/http: %d rounds", ttl, c.trivial, s.gwRounds)
		// Warm both up: connections, caches, the JIT-free but lazy parts.
		for _, l := range []load{bareLoad, gwLoad} {
			w := l
			w.maxRequests = 2 * s.gwConns
			if _, err := w.run(ctx); err != nil {
				gw.Close()
				return nil, err
			}
		}
		var gwRPS, bareRPS, ratios []float64
		var gwLat, bareLat []time.Duration
		for round := range s.gwRounds {
			order := []*load{&bareLoad, &gwLoad}
			if round%2 == 1 {
				order[0], order[1] = order[1], order[0]
			}
			results := map[*load]loadResult{}
			for _, l := range order {
				r, err := l.run(ctx)
				if err != nil {
					gw.Close()
					return nil, err
				}
				results[l] = r
			}
			g, b := results[&gwLoad], results[&bareLoad]
			gwRPS, bareRPS = append(gwRPS, g.RPS()), append(bareRPS, b.RPS())
			ratios = append(ratios, g.RPS()/b.RPS())
			gwLat, bareLat = append(gwLat, g.Latencies...), append(bareLat, b.Latencies...)
		}
		gw.Close()
		r := median(ratios)
		lo, hi := spread(ratios)
		group := "our authorizer, cache off"
		what := "requests/s and p99 through fakegateway, 64 connections, in-process functions"
		target, met := "≥ 0.50×", check(r >= 0.50)
		note := fmt.Sprintf("GET /prod/profile with a valid token through the template's API (authorizer cache off: every request runs Authorize and the profile handler, in process) vs a bare net/http handler answering 200; %d connections from a Go load generator in the same process, 127.0.0.1 only, each round bounded by %d requests and %s; median of %d alternating rounds (ratios %.3f–%.3f).",
			s.gwConns, s.gwRequests, s.gwDuration, s.gwRounds, lo, hi)
		switch {
		case c.trivial:
			what = "the same with an allow-all stand-in for our authorizer"
			group = "allow-all authorizer, cache off"
			target, met = "reported", verdictReported
			note = "As the first gateway row (cache off), but the authorizer is an in-process aws-lambda-go function that allows everything without looking at the token: the gateway's ceiling whatever the authorizer costs."
		case ttl > 0:
			what = fmt.Sprintf("the same with the authorizer cache on (TTL %ds)", ttl)
			group = fmt.Sprintf("our authorizer, cache TTL %ds", ttl)
			target, met = "reported", verdictReported
			note = "As the first gateway row with AuthorizerCacheTtl=300: the token is verified once, then the gateway's result cache answers (the authorizer grants the stage)."
		}
		rows = append(rows, row{
			What:      what,
			Ours:      fmt.Sprintf("%.0f req/s, p99 %s", median(gwRPS), milli(percentile(gwLat, 99))),
			Reference: fmt.Sprintf("%.0f req/s, p99 %s bare", median(bareRPS), milli(percentile(bareLat, 99))),
			Ratio:     ratio(r), Target: target, Met: met, Note: note,
			Figure: &figure{Chart: chartGateway, Group: group, Ours: median(gwRPS), Reference: median(bareRPS)},
		})
	}
	return rows, nil
}
