package fakegateway

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// HTTPGateway is a fake API Gateway HTTP API (API Gateway v2) stage: an http.Handler that routes
// "METHOD /path" to Lambda integrations with payload format 2.0, runs the route's JWT authorizer
// or Lambda authorizer (payload 2.0, simple responses) and answers CORS preflights. Build it
// with NewHTTP; Close stops its JWKS refreshes.
//
// Where each behaviour comes from:
//
//   - no route matches: 404 {"message":"Not Found"} ("Create routes for HTTP APIs in API Gateway":
//     the $default route catches requests no other route matches, and without it there is
//     nothing to serve them; the body as a third party recorded it: dev.to, "Better error
//     messages for non-existing API resources with Amazon API Gateway");
//   - JWT authorizer: the workflow and the checks of "Control access to HTTP APIs with JWT
//     authorizers in API Gateway"; the 401 with www-authenticate of "Troubleshooting issues
//     with HTTP API JWT authorizers"; see httpapi_jwt.go;
//   - Lambda authorizer: "Control access to HTTP APIs with AWS Lambda authorizers"; see
//     httpapi_lambda.go;
//   - the integration event and response: "Create AWS Lambda proxy integrations for HTTP APIs"
//     (payload format version 2.0); see httpapi_event.go;
//   - CORS: "Configure CORS for HTTP APIs in API Gateway"; see httpapi_cors.go.
type HTTPGateway struct {
	cfg                HTTPConfig
	router             *httpRouter
	functions          map[string]Function
	jwt                map[string]*jwtAuthorizer
	lambda             map[string]*lambdaAuthorizer
	invoker            *invoker
	clock              func() time.Time
	logger             *slog.Logger
	client             *http.Client
	integrationTimeout time.Duration
	region             string
	accountID          string
	apiID              string
	maxBodyBytes       int64
	cancel             context.CancelFunc
}

// HTTPOption configures an HTTPGateway.
type HTTPOption func(*HTTPGateway)

// WithHTTPClock sets the clock for requestContext.time, token expiry and the Lambda authorizer
// cache.
func WithHTTPClock(now func() time.Time) HTTPOption {
	return func(g *HTTPGateway) { g.clock = now }
}

// WithHTTPLogger sets the logger; the gateway writes one line per request (never a token).
func WithHTTPLogger(l *slog.Logger) HTTPOption {
	return func(g *HTTPGateway) { g.logger = l }
}

// WithHTTPClient sets the client the JWT authorizers use for the issuer's discovery document and
// JWKS (default: a client with a 5 s timeout that follows no redirects).
func WithHTTPClient(c *http.Client) HTTPOption {
	return func(g *HTTPGateway) { g.client = c }
}

// WithHTTPIntegrationTimeout bounds an integration invocation (default
// DefaultHTTPIntegrationTimeout, and never past the function's own timeout).
func WithHTTPIntegrationTimeout(d time.Duration) HTTPOption {
	return func(g *HTTPGateway) { g.integrationTimeout = d }
}

// WithHTTPAPIID sets the API id in requestContext and routeArn (default DefaultAPIID).
func WithHTTPAPIID(id string) HTTPOption { return func(g *HTTPGateway) { g.apiID = id } }

// NewHTTP builds an HTTPGateway for cfg. functions maps each logical ID the config uses (route
// integrations and Lambda authorizers) to the Function to invoke.
func NewHTTP(cfg HTTPConfig, functions map[string]Function, opts ...HTTPOption) (*HTTPGateway, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := &HTTPGateway{
		cfg:                cfg.clone(),
		jwt:                map[string]*jwtAuthorizer{},
		lambda:             map[string]*lambdaAuthorizer{},
		invoker:            newInvoker(),
		clock:              time.Now,
		logger:             slog.New(slog.DiscardHandler),
		integrationTimeout: DefaultHTTPIntegrationTimeout,
		region:             DefaultRegion,
		accountID:          DefaultAccountID,
		apiID:              DefaultAPIID,
		maxBodyBytes:       DefaultMaxBodyBytes,
	}
	for _, opt := range opts {
		opt(g)
	}
	switch {
	case g.clock == nil:
		return nil, errors.New("fakegateway: WithHTTPClock(nil)")
	case g.logger == nil:
		return nil, errors.New("fakegateway: WithHTTPLogger(nil)")
	case g.integrationTimeout <= 0:
		return nil, errors.New("fakegateway: integration timeout must be positive")
	case !apiIDPattern.MatchString(g.apiID):
		return nil, fmt.Errorf("fakegateway: API id %q must be lower-case letters and digits", g.apiID)
	}
	if g.client == nil {
		g.client = &http.Client{
			Timeout:       5 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	fns, err := usedFunctions(g.cfg.functionsUsed(), functions)
	if err != nil {
		return nil, err
	}
	g.functions = fns
	rt, err := newHTTPRouter(g.cfg.Routes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	g.router = rt
	ctx, cancel := context.WithCancel(context.Background())
	g.cancel = cancel
	for name, a := range g.cfg.Authorizers {
		switch a.Type {
		case HTTPAuthorizerJWT:
			g.jwt[name] = newJWTAuthorizer(ctx, a, g.client, g.clock, g.logger)
		case HTTPAuthorizerLambda:
			g.lambda[name] = newLambdaAuthorizer(a, g.cfg.FunctionTimeout[a.Function])
		}
	}
	return g, nil
}

// Close stops the JWT authorizers' background JWKS refreshes. It is safe to call more than once.
func (g *HTTPGateway) Close() { g.cancel() }

// Stage returns the stage name ("$default" when the API is served at the root).
func (g *HTTPGateway) Stage() string { return g.cfg.Stage }

// Config returns a copy of the gateway's configuration.
func (g *HTTPGateway) Config() HTTPConfig { return g.cfg.clone() }

// FlushAuthorizerCache empties every Lambda authorizer's result cache.
func (g *HTTPGateway) FlushAuthorizerCache() {
	for _, a := range g.lambda {
		a.cache.flush()
	}
}

// httpRequestLog collects the fields of the one log line written per request.
type httpRequestLog struct {
	route, authorizer, decision, reason string
	cacheHit                            bool
}

// Messages of the HTTP API's own answers.
const (
	httpMsgNotFound     = `{"message":"Not Found"}`
	httpMsgUnauthorized = `{"message":"Unauthorized"}`
	httpMsgForbidden    = `{"message":"Forbidden"}`
	httpMsgInternal     = `{"message":"Internal Server Error"}`
	// An integration that outlives its timeout: 503 Service Unavailable. No source found in
	// AWS's documentation for the status and body; this is what HTTP APIs are widely reported to
	// answer (observed, unrecorded).
	httpMsgUnavailable = `{"message":"Service Unavailable"}`
	// A body over the 10 MB payload quota ("Quotas for configuring and running an HTTP API").
	// The status and body: no source found.
	httpMsgTooLarge = `{"message":"Request Entity Too Large"}`
)

func gatewayJSON(status int, body string) reply {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return reply{status: status, header: h, body: []byte(body)}
}

// ServeHTTP handles one request as an HTTP API would.
func (g *HTTPGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	id := newAPIGWRequestID()
	var lg httpRequestLog
	rep := g.handle(r, id, &lg)
	g.applyCors(r, &rep)
	// Every answer carries apigw-requestid ("Troubleshooting issues with HTTP API JWT
	// authorizers" shows it on a 401), whatever the function's headers say.
	if rep.header == nil {
		rep.header = http.Header{}
	}
	rep.header.Set("Apigw-Requestid", id)
	rep.write(w, r)
	if !g.logger.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	g.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("request_id", id),
		slog.String("method", truncate(r.Method, 32)),
		slog.String("path", truncate(r.URL.EscapedPath(), 256)),
		slog.String("route", lg.route),
		slog.Int("status", rep.status),
		slog.String("authorizer", lg.authorizer),
		slog.String("decision", lg.decision),
		slog.String("reason", truncate(lg.reason, 256)),
		slog.Bool("cache_hit", lg.cacheHit),
		slog.Float64("latency_ms", float64(time.Since(began).Microseconds())/1000),
	)
}

// newAPIGWRequestID makes an id shaped like the apigw-requestid values AWS shows
// ("Mc7UVioPPHcEKPA="): 10 random bytes, base64.
func newAPIGWRequestID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// handle runs the pipeline: preflight, body limit, routing, authorizer, integration.
func (g *HTTPGateway) handle(r *http.Request, id string, lg *httpRequestLog) reply {
	if rep, ok := g.preflight(r); ok {
		lg.route, lg.decision = "CORS preflight", "none"
		return rep
	}
	if r.ContentLength > g.maxBodyBytes {
		lg.reason = "body_too_large"
		return gatewayJSON(http.StatusRequestEntityTooLarge, httpMsgTooLarge)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, g.maxBodyBytes+1))
	if err != nil {
		lg.reason = "body_unreadable"
		return gatewayJSON(http.StatusBadRequest, `{"message":"Bad Request"}`)
	}
	if int64(len(body)) > g.maxBodyBytes {
		lg.reason = "body_too_large"
		return gatewayJSON(http.StatusRequestEntityTooLarge, httpMsgTooLarge)
	}
	route, params, rawPath, ok := g.match(r)
	if !ok {
		lg.reason = "no_route"
		return gatewayJSON(http.StatusNotFound, httpMsgNotFound)
	}
	lg.route = route.Method + " " + route.Path
	now := g.clock()
	req := g.event(r, id, route, params, rawPath, body, now)

	if route.Authorizer != "" {
		lg.authorizer = route.Authorizer
		var rej *reply
		if ja, ok := g.jwt[route.Authorizer]; ok {
			var desc *jwtAuthorization
			desc, rej, lg.reason = ja.authorize(r.Context(), r, route.Scopes)
			if desc != nil {
				req.RequestContext.Authorizer = desc.context()
			}
		} else {
			la := g.lambda[route.Authorizer]
			var ctxValues map[string]any
			ctxValues, rej, lg.reason, lg.cacheHit = la.authorize(r.Context(), g, r, req)
			if rej == nil {
				req.RequestContext.Authorizer = lambdaContext(ctxValues)
			}
		}
		if rej != nil {
			lg.decision = "deny"
			return *rej
		}
		lg.decision = "allow"
	} else {
		lg.decision = "none"
	}
	rep, reason := g.integrate(r.Context(), route, req)
	if reason != "" {
		lg.reason = reason
	}
	return rep
}

// match strips the stage (unless it is $default) and finds the route.
func (g *HTTPGateway) match(r *http.Request) (HTTPRoute, map[string]string, string, bool) {
	escaped := r.URL.EscapedPath()
	rest := escaped
	if g.cfg.Stage != DefaultHTTPStage {
		var ok bool
		rest, ok = strings.CutPrefix(escaped, "/"+g.cfg.Stage)
		if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
			return HTTPRoute{}, nil, "", false
		}
	}
	route, params, ok := g.router.match(r.Method, rest)
	return route, params, escaped, ok
}

// HTTPServer is an HTTPGateway listening on a loopback port, in the manner of httptest.Server.
type HTTPServer struct {
	// URL is the base URL, http://127.0.0.1:PORT.
	URL string
	// Gateway is the handler being served.
	Gateway *HTTPGateway

	loop *loopback
}

// NewHTTPServer builds an HTTPGateway (see NewHTTP) and serves it on 127.0.0.1 on a free port.
func NewHTTPServer(cfg HTTPConfig, functions map[string]Function, opts ...HTTPOption) (*HTTPServer, error) {
	gw, err := NewHTTP(cfg, functions, opts...)
	if err != nil {
		return nil, err
	}
	loop, url, err := serveLoopback(gw, gw.logger)
	if err != nil {
		gw.Close()
		return nil, err
	}
	return &HTTPServer{URL: url, Gateway: gw, loop: loop}, nil
}

// StageURL is the API's invoke URL: URL itself for the $default stage, URL + "/" + stage
// otherwise.
func (s *HTTPServer) StageURL() string {
	if s.Gateway.Stage() == DefaultHTTPStage {
		return s.URL
	}
	return s.URL + "/" + s.Gateway.Stage()
}

// Close stops the listener, closes every connection and stops the gateway's JWKS refreshes; it
// is safe to call more than once.
func (s *HTTPServer) Close() { s.loop.close(s.Gateway.Close) }
