package fakegateway

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Defaults for the gateway's limits.
const (
	// DefaultIntegrationTimeout is API Gateway's default (and, without a quota increase,
	// maximum) integration timeout.
	DefaultIntegrationTimeout = 29 * time.Second
	// DefaultMaxBodyBytes is API Gateway's payload limit (10 MB).
	DefaultMaxBodyBytes = 10 * 1024 * 1024
	// DefaultRegion, DefaultAccountID and DefaultAPIID make up the methodArn unless overridden.
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "123456789012"
	DefaultAPIID     = "fakegw0001"
)

// Gateway is a fake API Gateway REST API stage: an http.Handler that serves /{stage}/{resource},
// runs the TOKEN authorizer flow and invokes Lambda proxy integrations.
type Gateway struct {
	cfg                Config
	router             *router
	functions          map[string]Function
	identityHeader     string
	validation         *identityMatcher
	cache              *resultCache
	authParses         *outputMemo[parsedAuth]
	invoker            *invoker
	clock              func() time.Time
	logger             *slog.Logger
	authorizerTimeout  time.Duration
	integrationTimeout time.Duration
	region             string
	accountID          string
	apiID              string
	deploymentID       string
	cacheSize          int
	maxBodyBytes       int64
}

// Option configures a Gateway.
type Option func(*Gateway)

// WithClock sets the clock used for requestTime and for authorizer cache expiry.
func WithClock(now func() time.Time) Option { return func(g *Gateway) { g.clock = now } }

// WithLogger sets the logger; the gateway writes one line per request (never a token).
func WithLogger(l *slog.Logger) Option { return func(g *Gateway) { g.logger = l } }

// WithAuthorizerTimeout bounds an authorizer invocation; past it the request gets 500. The default
// is the authorizer function's timeout from the Config, else DefaultIntegrationTimeout.
func WithAuthorizerTimeout(d time.Duration) Option {
	return func(g *Gateway) { g.authorizerTimeout = d }
}

// WithIntegrationTimeout bounds an integration invocation; past it the request gets 504
// (default DefaultIntegrationTimeout).
func WithIntegrationTimeout(d time.Duration) Option {
	return func(g *Gateway) { g.integrationTimeout = d }
}

// WithRegion sets the region in methodArn (default DefaultRegion).
func WithRegion(region string) Option { return func(g *Gateway) { g.region = region } }

// WithAccountID sets the account in methodArn and requestContext (default DefaultAccountID).
func WithAccountID(id string) Option { return func(g *Gateway) { g.accountID = id } }

// WithAPIID sets the REST API id in methodArn and requestContext (default DefaultAPIID).
func WithAPIID(id string) Option { return func(g *Gateway) { g.apiID = id } }

// WithAuthorizerCacheSize bounds the authorizer result cache (default DefaultAuthorizerCacheSize).
func WithAuthorizerCacheSize(n int) Option { return func(g *Gateway) { g.cacheSize = n } }

// WithMaxBodyBytes sets the request payload limit (default DefaultMaxBodyBytes); larger → 413.
func WithMaxBodyBytes(n int64) Option { return func(g *Gateway) { g.maxBodyBytes = n } }

var (
	apiIDPattern   = regexp.MustCompile(`^[a-z0-9]{1,32}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

// New builds a Gateway for cfg. functions maps each logical ID the Config uses (routes and the
// authorizer) to the Function to invoke.
func New(cfg Config, functions map[string]Function, opts ...Option) (*Gateway, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := &Gateway{
		cfg:                cfg.clone(),
		clock:              time.Now,
		logger:             slog.New(slog.DiscardHandler),
		integrationTimeout: DefaultIntegrationTimeout,
		region:             DefaultRegion,
		accountID:          DefaultAccountID,
		apiID:              DefaultAPIID,
		cacheSize:          DefaultAuthorizerCacheSize,
		maxBodyBytes:       DefaultMaxBodyBytes,
		authParses:         newOutputMemo[parsedAuth](),
		invoker:            newInvoker(),
	}
	for _, opt := range opts {
		opt(g)
	}
	fns, err := usedFunctions(g.cfg.functionsUsed(), functions)
	if err != nil {
		return nil, err
	}
	g.functions = fns
	switch {
	case g.clock == nil:
		return nil, errors.New("fakegateway: WithClock(nil)")
	case g.logger == nil:
		return nil, errors.New("fakegateway: WithLogger(nil)")
	case g.integrationTimeout <= 0:
		return nil, errors.New("fakegateway: integration timeout must be positive")
	case g.authorizerTimeout < 0:
		return nil, errors.New("fakegateway: authorizer timeout must be positive")
	case !regionPattern.MatchString(g.region):
		return nil, fmt.Errorf("fakegateway: region %q", g.region)
	case !accountPattern.MatchString(g.accountID):
		return nil, fmt.Errorf("fakegateway: account id %q must be 12 digits", g.accountID)
	case !apiIDPattern.MatchString(g.apiID):
		return nil, fmt.Errorf("fakegateway: API id %q must be lower-case letters and digits", g.apiID)
	case g.cacheSize < 1:
		return nil, errors.New("fakegateway: authorizer cache size must be at least 1")
	case g.maxBodyBytes < 0:
		return nil, errors.New("fakegateway: body limit must not be negative")
	}
	g.deploymentID = resourceID("deployment " + g.apiID + "/" + g.cfg.Stage)
	rt, err := newRouter(g.cfg.Routes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	g.router = rt
	if a := g.cfg.Authorizer; a.Function != "" {
		g.identityHeader = a.IdentityHeader
		if g.identityHeader == "" {
			g.identityHeader = DefaultIdentityHeader
		}
		re, err := compileValidation(a.ValidationExpression)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		if re != nil {
			g.validation = &identityMatcher{match: re.MatchString, seen: newMemo[[sha256.Size]byte, bool]()}
		}
		if a.TTL > 0 {
			g.cache = newResultCache(a.TTL, g.cacheSize)
		}
		if g.authorizerTimeout == 0 {
			g.authorizerTimeout = g.cfg.FunctionTimeout[a.Function]
		}
		if g.authorizerTimeout == 0 {
			g.authorizerTimeout = DefaultIntegrationTimeout
		}
	}
	return g, nil
}

// Stage returns the stage name, the first path segment of every URL.
func (g *Gateway) Stage() string { return g.cfg.Stage }

// Config returns a copy of the gateway's configuration.
func (g *Gateway) Config() Config { return g.cfg.clone() }

// MethodARN returns the methodArn the authorizer receives for method on path (the request path
// below the stage, e.g. "/profile").
func (g *Gateway) MethodARN(method, path string) string {
	return fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s/%s",
		g.region, g.accountID, g.apiID, g.cfg.Stage, method, strings.TrimPrefix(path, "/"))
}

// StageARN returns the ARN that covers every method of the stage: what a policy must grant for
// a cached result to be valid on every route.
func (g *Gateway) StageARN() string {
	return fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/*", g.region, g.accountID, g.apiID, g.cfg.Stage)
}

// FlushAuthorizerCache empties the authorizer result cache, like API Gateway's "flush
// authorizer cache" for a stage.
func (g *Gateway) FlushAuthorizerCache() {
	if g.cache != nil {
		g.cache.flush()
	}
}

// requestLog collects the fields of the one log line written per request.
type requestLog struct {
	route        string
	decision     string
	reason       string
	cacheHit     bool
	responseType string
}

// ServeHTTP handles one request as API Gateway would.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	st := g.newRequestState(r)
	lg := requestLog{decision: "none"}
	rep := g.handle(r, st, &lg)
	rep.write(w, r)
	if !g.logger.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	g.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("request_id", st.id),
		slog.String("method", truncate(r.Method, 32)),
		slog.String("path", truncate(r.URL.EscapedPath(), 256)),
		slog.String("route", lg.route),
		slog.Int("status", rep.status),
		slog.String("authorizer", lg.decision),
		slog.String("reason", truncate(lg.reason, 256)),
		slog.Bool("cache_hit", lg.cacheHit),
		slog.String("response_type", lg.responseType),
		slog.Float64("latency_ms", float64(time.Since(began).Microseconds())/1000),
	)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func (g *Gateway) newRequestState(r *http.Request) *requestState {
	var b [16 + 11 + 12]byte
	_, _ = rand.Read(b[:])
	id := b[:16]
	id[6] = id[6]&0x0f | 0x40 // version 4
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(id)
	now := g.clock()
	st := &requestState{
		id:         h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32],
		extendedID: base64.StdEncoding.EncodeToString(b[16:27]),
		traceID:    "Root=1-" + fmt.Sprintf("%08x", now.Unix()) + "-" + hex.EncodeToString(b[27:39]),
		received:   now,
	}
	st.facts = requestFacts{
		requestID:   st.id,
		extendedID:  st.extendedID,
		method:      r.Method,
		header:      r.Header,
		query:       r.URL.Query(),
		stageValues: g.cfg.StageVariables,
	}
	return st
}

// handle runs the pipeline: body limit, routing, authorizer, integration.
func (g *Gateway) handle(r *http.Request, st *requestState, lg *requestLog) reply {
	fail := func(e *gatewayError, reason string) reply {
		if lg.reason == "" {
			lg.reason = reason
		}
		lg.responseType = e.responseType
		return g.gatewayReply(e, st.facts)
	}
	if r.ContentLength > g.maxBodyBytes {
		return fail(errRequestTooLarge(), "body_too_large")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, g.maxBodyBytes+1))
	if err != nil {
		return fail(errBadRequestBody(), "body_unreadable")
	}
	if int64(len(body)) > g.maxBodyBytes {
		return fail(errRequestTooLarge(), "body_too_large")
	}

	m, ok := g.route(r, st)
	if !ok {
		if auth := r.Header.Get("Authorization"); auth != "" && !sigV4Pairs(auth) {
			return fail(errIncompleteSignature(auth), "no_route")
		}
		return fail(errMissingToken(), "no_route")
	}
	lg.route = m.route.Method + " " + m.route.Path
	st.facts.resource = m.route.Path
	st.facts.pathParams = m.params
	st.methodARN = g.MethodARN(r.Method, st.requestPath)

	var auth *authResult
	if g.cfg.Authorizer.Function != "" && !m.route.NoAuth {
		out := g.authorize(r, st.methodARN)
		lg.decision, lg.reason, lg.cacheHit = out.decision, out.reason, out.cacheHit
		if out.reject != nil {
			return fail(out.reject, out.reason)
		}
		auth = out.allowed
	}
	rep, gerr, reason := g.integrate(r, st, m, body, auth)
	if gerr != nil {
		lg.reason = reason
		return fail(gerr, reason)
	}
	return rep
}

// route matches /{stage}/{resource...} to a route. As API Gateway does (recorded in
// test_lambda_aws_proxy_integration, the slash cases): extra slashes before the stage are
// ignored; after it, leading ones are dropped from the event's path but kept in
// requestContext.path, and a trailing one is kept in the path but ignored in matching.
func (g *Gateway) route(r *http.Request, st *requestState) (routeMatch, bool) {
	escaped := "/" + strings.TrimLeft(r.URL.EscapedPath(), "/")
	rest, ok := strings.CutPrefix(escaped, "/"+g.cfg.Stage)
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
		return routeMatch{}, false
	}
	segs, raw, ok := splitRequestPath(rest)
	if !ok {
		return routeMatch{}, false
	}
	st.requestPath = "/" + strings.Join(segs, "/")
	st.eventPath = "/" + strings.TrimLeft(rest, "/")
	st.stagePath = "/" + g.cfg.Stage + rest
	return g.router.match(r.Method, segs, raw)
}

// sigV4Pairs reports whether an Authorization header reads as SigV4 "ALGORITHM k=v, k=v": every
// comma-separated part after the algorithm has an equals sign.
func sigV4Pairs(h string) bool {
	_, params, found := strings.Cut(strings.TrimSpace(h), " ")
	if !found {
		return false
	}
	for _, p := range strings.Split(params, ",") {
		if !strings.Contains(p, "=") {
			return false
		}
	}
	return true
}
