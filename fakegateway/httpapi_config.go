package fakegateway

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// DefaultHTTPStage is the stage SAM gives an HTTP API that names none: "$default", served at the
// root of the API's URL with no stage segment in the path (AWS SAM, AWS::Serverless::HttpApi,
// StageName: "If no name is specified, AWS SAM uses the $default stage"; API Gateway developer
// guide, "Working with stages for HTTP APIs": "$default ... served from the base of your API's URL").
const DefaultHTTPStage = "$default"

// Authorizer types of an HTTP API (API Gateway v2 CreateAuthorizer, AuthorizerType).
const (
	// HTTPAuthorizerJWT is the managed JWT authorizer: API Gateway validates the token itself.
	HTTPAuthorizerJWT = "JWT"
	// HTTPAuthorizerLambda is a Lambda (REQUEST) authorizer.
	HTTPAuthorizerLambda = "REQUEST"
)

// DefaultHTTPIdentitySource is the identity source of a JWT authorizer that names none (SAM,
// OAuth2Authorizer.IdentitySource: "$request.header.Authorization" by default).
const DefaultHTTPIdentitySource = "$request.header.Authorization"

// DefaultHTTPIntegrationTimeout is an HTTP API's integration timeout when nothing shorter is
// configured: 30 seconds (API Gateway developer guide, "Quotas for configuring and running an
// HTTP API": "Maximum integration timeout 30 seconds").
const DefaultHTTPIntegrationTimeout = 30 * time.Second

// HTTPConfig is one HTTP API (API Gateway v2) stage: its routes, its authorizers and its CORS
// configuration. LoadHTTPTemplate builds it from a SAM template; tests may write one by hand.
type HTTPConfig struct {
	// APIName is the API's name (informational).
	APIName string
	// Stage is the stage name; DefaultHTTPStage ("$default") serves at the root of the URL,
	// any other name is the first path segment of every request.
	Stage string
	// Routes are the API's routes, each integrated with a Lambda function (payload format 2.0).
	Routes []HTTPRoute
	// Authorizers are the API's authorizers by name.
	Authorizers map[string]HTTPAuthorizer
	// Cors is the API's CORS configuration; nil means none.
	Cors *CorsConfig
	// FunctionEnv holds each function's resolved environment, keyed by logical ID.
	FunctionEnv map[string]map[string]string
	// FunctionTimeout holds each function's timeout, keyed by logical ID.
	FunctionTimeout map[string]time.Duration
	// StageVariables are passed to integrations and Lambda authorizers as stageVariables.
	StageVariables map[string]string
}

// HTTPRoute is one route ("GET /profile") of an HTTP API.
type HTTPRoute struct {
	// Method is an HTTP method in upper case, or ANY.
	Method string
	// Path is the route path: "/profile", "/pets/{id}", "/files/{proxy+}".
	Path string
	// Function is the logical ID of the integrated function.
	Function string
	// Authorizer names an entry of HTTPConfig.Authorizers; "" means the route is open.
	Authorizer string
	// Scopes are the route's authorization scopes (JWT authorizers only): the token must hold
	// at least one of them.
	Scopes []string
}

// HTTPAuthorizer is a JWT authorizer or a Lambda authorizer of an HTTP API.
type HTTPAuthorizer struct {
	// Type is HTTPAuthorizerJWT or HTTPAuthorizerLambda.
	Type string
	// IdentitySources are selection expressions ("$request.header.Authorization",
	// "$request.querystring.token"). A JWT authorizer has exactly one.
	IdentitySources []string
	// Issuer is the JWT authorizer's issuer: iss must equal it, and its OpenID Connect discovery
	// document names the JWKS.
	Issuer string
	// Audience lists the audiences a JWT authorizer accepts in aud (or client_id).
	Audience []string
	// Function is the Lambda authorizer's logical ID.
	Function string
	// SimpleResponses is EnableSimpleResponses: the Lambda answers {"isAuthorized": ...}.
	SimpleResponses bool
	// TTL caches a Lambda authorizer's answer per identity for this long (0 = off, at most
	// MaxAuthorizerTTL, whole seconds).
	TTL time.Duration
}

// CorsConfig is an HTTP API's CorsConfiguration (API Gateway v2, Cors).
type CorsConfig struct {
	// AllowOrigins are the origins allowed ("*" for any): Access-Control-Allow-Origin.
	AllowOrigins []string
	// AllowHeaders are the request headers a preflight allows: Access-Control-Allow-Headers.
	AllowHeaders []string
	// AllowMethods are the methods a preflight allows: Access-Control-Allow-Methods.
	AllowMethods []string
	// ExposeHeaders are the response headers a browser may read: Access-Control-Expose-Headers.
	ExposeHeaders []string
	// MaxAge is how long, in seconds, a browser may cache a preflight: Access-Control-Max-Age.
	MaxAge int
	// AllowCredentials sends Access-Control-Allow-Credentials: true.
	AllowCredentials bool
}

// identitySourcePattern is what the fake understands of a selection expression: a request header
// or query string parameter.
var identitySourcePattern = regexp.MustCompile(`^\$request\.(header|querystring)\.([!#$%&'*+\-.^_` + "`" + `|~0-9A-Za-z]+)$`)

// Validate reports the first thing wrong with c, wrapping ErrInvalidConfig.
func (c HTTPConfig) Validate() error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

func (c HTTPConfig) validate() error {
	if c.Stage != DefaultHTTPStage && !validStage(c.Stage) {
		return fmt.Errorf("stage %q must be $default or 1-128 letters, digits, '-' or '_'", c.Stage)
	}
	if len(c.Routes) == 0 {
		return errors.New("no routes")
	}
	for _, name := range slices.Sorted(maps.Keys(c.Authorizers)) {
		if err := c.Authorizers[name].validate(); err != nil {
			return fmt.Errorf("authorizer %s: %w", name, err)
		}
	}
	seen := map[string]bool{}
	for _, rt := range c.Routes {
		key := rt.Method + " " + rt.Path
		if !isHTTPMethod(rt.Method) {
			return fmt.Errorf("route %s: method must be one of GET POST PUT PATCH DELETE HEAD OPTIONS ANY", key)
		}
		if _, err := parseRoutePath(rt.Path); err != nil {
			return fmt.Errorf("route %s: %w", key, err)
		}
		if rt.Function == "" {
			return fmt.Errorf("route %s: no function", key)
		}
		if seen[key] {
			return fmt.Errorf("route %s is defined twice", key)
		}
		seen[key] = true
		if rt.Authorizer == "" {
			if len(rt.Scopes) > 0 {
				return fmt.Errorf("route %s: authorization scopes without an authorizer", key)
			}
			continue
		}
		a, ok := c.Authorizers[rt.Authorizer]
		if !ok {
			return fmt.Errorf("route %s: authorizer %q is not defined", key, rt.Authorizer)
		}
		// Authorization scopes apply to JWT authorizers only (API Gateway v2 CreateRoute,
		// AuthorizationScopes: "Authorization scopes are supported only for JWT authorizers").
		if len(rt.Scopes) > 0 && a.Type != HTTPAuthorizerJWT {
			return fmt.Errorf("route %s: authorization scopes need a JWT authorizer", key)
		}
	}
	if c.Cors != nil {
		for _, o := range c.Cors.AllowOrigins {
			if o != "*" {
				if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" {
					return fmt.Errorf("CORS origin %q must be * or scheme://host[:port]", o)
				}
			}
		}
		for _, m := range c.Cors.AllowMethods {
			if m != "*" && !isHTTPMethod(m) {
				return fmt.Errorf("CORS method %q", m)
			}
		}
		if c.Cors.MaxAge < -1 || c.Cors.MaxAge > 86400 {
			return fmt.Errorf("CORS MaxAge %d must be from -1 to 86400", c.Cors.MaxAge)
		}
		// API Gateway refuses AllowCredentials with a wildcard origin (API Gateway v2 Cors,
		// AllowCredentials; the CORS standard forbids "*" with credentials).
		if c.Cors.AllowCredentials && slices.Contains(c.Cors.AllowOrigins, "*") {
			return errors.New("CORS AllowCredentials cannot be combined with the origin *")
		}
	}
	for id, d := range c.FunctionTimeout {
		if d < 0 {
			return fmt.Errorf("function %s: negative timeout", id)
		}
	}
	return nil
}

func (a HTTPAuthorizer) validate() error {
	if len(a.IdentitySources) == 0 {
		return errors.New("no identity source")
	}
	for _, s := range a.IdentitySources {
		if !identitySourcePattern.MatchString(s) {
			return fmt.Errorf("identity source %q: the fake reads $request.header.NAME and $request.querystring.NAME", s)
		}
	}
	switch a.Type {
	case HTTPAuthorizerJWT:
		if len(a.IdentitySources) != 1 {
			return errors.New("a JWT authorizer has exactly one identity source")
		}
		u, err := url.Parse(a.Issuer)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("issuer %q must be an http(s) URL", a.Issuer)
		}
		if len(a.Audience) == 0 {
			return errors.New("a JWT authorizer needs at least one audience")
		}
		if a.Function != "" || a.TTL != 0 || a.SimpleResponses {
			return errors.New("Lambda authorizer settings on a JWT authorizer")
		}
	case HTTPAuthorizerLambda:
		if a.Function == "" {
			return errors.New("a Lambda authorizer needs a function")
		}
		if !a.SimpleResponses {
			return errors.New("only simple responses (EnableSimpleResponses: true) are modelled")
		}
		if a.TTL < 0 || a.TTL > MaxAuthorizerTTL || a.TTL%time.Second != 0 {
			return fmt.Errorf("TTL %s must be whole seconds from 0 to 3600", a.TTL)
		}
		if a.Issuer != "" || len(a.Audience) > 0 {
			return errors.New("JWT settings on a Lambda authorizer")
		}
	default:
		return fmt.Errorf("type %q must be %s or %s", a.Type, HTTPAuthorizerJWT, HTTPAuthorizerLambda)
	}
	return nil
}

// functionsUsed lists the logical IDs the gateway invokes, sorted.
func (c HTTPConfig) functionsUsed() []string {
	set := map[string]bool{}
	for _, rt := range c.Routes {
		set[rt.Function] = true
		if a, ok := c.Authorizers[rt.Authorizer]; ok && a.Function != "" {
			set[a.Function] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// clone deep-copies c so that a gateway never shares maps or slices with its caller.
func (c HTTPConfig) clone() HTTPConfig {
	out := c
	out.Routes = make([]HTTPRoute, len(c.Routes))
	for i, r := range c.Routes {
		r.Scopes = slices.Clone(r.Scopes)
		out.Routes[i] = r
	}
	if c.Authorizers != nil {
		out.Authorizers = make(map[string]HTTPAuthorizer, len(c.Authorizers))
		for k, a := range c.Authorizers {
			a.IdentitySources = slices.Clone(a.IdentitySources)
			a.Audience = slices.Clone(a.Audience)
			out.Authorizers[k] = a
		}
	}
	if c.Cors != nil {
		cors := *c.Cors
		cors.AllowOrigins = slices.Clone(cors.AllowOrigins)
		cors.AllowHeaders = slices.Clone(cors.AllowHeaders)
		cors.AllowMethods = slices.Clone(cors.AllowMethods)
		cors.ExposeHeaders = slices.Clone(cors.ExposeHeaders)
		out.Cors = &cors
	}
	out.StageVariables = maps.Clone(c.StageVariables)
	out.FunctionTimeout = maps.Clone(c.FunctionTimeout)
	if c.FunctionEnv != nil {
		out.FunctionEnv = make(map[string]map[string]string, len(c.FunctionEnv))
		for k, v := range c.FunctionEnv {
			out.FunctionEnv[k] = maps.Clone(v)
		}
	}
	return out
}

// identityValue reads one identity source from a request: ok is false when it is absent or empty.
func identityValue(source string, header map[string][]string, query url.Values) (string, bool) {
	m := identitySourcePattern.FindStringSubmatch(source)
	if m == nil {
		return "", false
	}
	var vals []string
	switch m[1] {
	case "header":
		for k, vs := range header {
			if strings.EqualFold(k, m[2]) {
				vals = append(vals, vs...)
			}
		}
	case "querystring":
		vals = query[m[2]]
	}
	v := strings.Join(vals, ",")
	return v, v != ""
}
