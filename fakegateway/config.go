package fakegateway

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// MaxAuthorizerTTL is the longest result-cache TTL API Gateway accepts for an authorizer.
const MaxAuthorizerTTL = time.Hour

// DefaultIdentityHeader is the identity source used when Authorizer.IdentityHeader is empty.
const DefaultIdentityHeader = "Authorization"

// ErrInvalidConfig is wrapped by every error that Config.Validate and New report about a Config.
var ErrInvalidConfig = errors.New("invalid gateway config")

// Config is one REST API stage: its routes, its TOKEN authorizer and its gateway responses.
// LoadTemplate builds it from a SAM template; tests may also write one by hand.
type Config struct {
	// APIName is the API's name (informational).
	APIName string
	// Stage is the stage name: the first path segment of every request.
	Stage string
	// Routes are the API's methods.
	Routes []Route
	// Authorizer is the TOKEN authorizer; a zero Authorizer (no Function) means none.
	Authorizer Authorizer
	// GatewayResponses customises the gateway's own responses, keyed by response type
	// (DEFAULT_4XX, DEFAULT_5XX, UNAUTHORIZED, ACCESS_DENIED, ...).
	GatewayResponses map[string]GatewayResponse
	// FunctionEnv holds each function's resolved environment, keyed by logical ID.
	FunctionEnv map[string]map[string]string
	// FunctionTimeout holds each function's timeout, keyed by logical ID. The gateway cuts an
	// invocation off at that timeout as Lambda would (0 or absent: no function limit).
	FunctionTimeout map[string]time.Duration
	// StageVariables are passed to integrations as stageVariables.
	StageVariables map[string]string
	// BinaryMediaTypes are the API's binary media types ("image/png", "*/*").
	BinaryMediaTypes []string
}

// Route is one method on one resource, integrated with a Lambda function (proxy integration).
type Route struct {
	// Method is an HTTP method in upper case, or ANY.
	Method string
	// Path is the resource path: "/profile", "/pets/{id}", "/files/{proxy+}".
	Path string
	// Function is the logical ID of the integrated function.
	Function string
	// NoAuth exempts the route from the authorizer (SAM's Auth: {Authorizer: NONE}).
	NoAuth bool
}

// Authorizer is a Lambda TOKEN authorizer.
type Authorizer struct {
	// Function is the logical ID of the authorizer function; "" means no authorizer.
	Function string
	// IdentityHeader is the header carrying the token (DefaultIdentityHeader when empty).
	IdentityHeader string
	// ValidationExpression, when set, must match the whole header value or the request is
	// rejected with 401 before the authorizer is invoked.
	ValidationExpression string
	// TTL is how long a result is cached per identity value: 0 disables the cache, at most
	// MaxAuthorizerTTL, in whole seconds.
	TTL time.Duration
}

// GatewayResponse customises one gateway response type.
type GatewayResponse struct {
	// StatusCode replaces the type's status code when non-zero.
	StatusCode int
	// Headers maps a header name to an API Gateway mapping expression: a quoted literal
	// ("'*'"), method.request.header.NAME, method.request.querystring.NAME,
	// method.request.path.NAME or stageVariables.NAME.
	Headers map[string]string
	// Body is the application/json body template ("" keeps the built-in body). It may use
	// $context.error.messageString, $context.error.message, $context.error.responseType,
	// $context.requestId, $context.extendedRequestId, $context.stage, $context.apiId,
	// $context.httpMethod and $context.resourcePath.
	Body string
}

// ResponseTypes lists every gateway response type API Gateway defines.
func ResponseTypes() []string {
	return []string{
		"ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE",
		"BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "DEFAULT_4XX", "DEFAULT_5XX", "EXPIRED_TOKEN",
		"INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "INVALID_API_KEY", "INVALID_SIGNATURE",
		"MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND",
		"THROTTLED", "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED",
	}
}

func isResponseType(t string) bool { return slices.Contains(ResponseTypes(), t) }

func isHTTPMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodHead, http.MethodOptions, "ANY":
		return true
	}
	return false
}

func validStage(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validHeaderName reports whether s is an RFC 7230 token, usable as a header field name.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// compileValidation compiles a validation expression so that it must match the whole value, as
// API Gateway (Java's Matcher.matches) does.
func compileValidation(expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, fmt.Errorf("validation expression %q: %w", expr, err)
	}
	return re, nil
}

// Validate reports the first thing wrong with c, wrapping ErrInvalidConfig.
func (c Config) Validate() error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

func (c Config) validate() error {
	if !validStage(c.Stage) {
		return fmt.Errorf("stage %q must be 1-128 letters, digits, '-' or '_'", c.Stage)
	}
	if len(c.Routes) == 0 {
		return errors.New("no routes")
	}
	seen := map[string]bool{}
	for _, rt := range c.Routes {
		if !isHTTPMethod(rt.Method) {
			return fmt.Errorf("route %s %s: method must be one of GET POST PUT PATCH DELETE HEAD OPTIONS ANY", rt.Method, rt.Path)
		}
		if _, err := parseRoutePath(rt.Path); err != nil {
			return fmt.Errorf("route %s %s: %w", rt.Method, rt.Path, err)
		}
		if rt.Function == "" {
			return fmt.Errorf("route %s %s: no function", rt.Method, rt.Path)
		}
		key := rt.Method + " " + rt.Path
		if seen[key] {
			return fmt.Errorf("route %s is defined twice", key)
		}
		seen[key] = true
	}
	a := c.Authorizer
	if a.Function == "" {
		if a.IdentityHeader != "" || a.ValidationExpression != "" || a.TTL != 0 {
			return errors.New("authorizer settings without an authorizer function")
		}
	} else {
		if a.IdentityHeader != "" && !validHeaderName(a.IdentityHeader) {
			return fmt.Errorf("authorizer identity header %q is not a valid header name", a.IdentityHeader)
		}
		if _, err := compileValidation(a.ValidationExpression); err != nil {
			return fmt.Errorf("authorizer %w", err)
		}
		if a.TTL < 0 || a.TTL > MaxAuthorizerTTL || a.TTL%time.Second != 0 {
			return fmt.Errorf("authorizer TTL %s must be whole seconds from 0 to 3600", a.TTL)
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(c.GatewayResponses)) {
		gr := c.GatewayResponses[typ]
		if !isResponseType(typ) {
			return fmt.Errorf("gateway response type %q is not one API Gateway defines", typ)
		}
		if gr.StatusCode != 0 && (gr.StatusCode < 100 || gr.StatusCode > 599) {
			return fmt.Errorf("gateway response %s: status code %d", typ, gr.StatusCode)
		}
		for name, expr := range gr.Headers {
			if !validHeaderName(name) {
				return fmt.Errorf("gateway response %s: header name %q", typ, name)
			}
			if _, err := parseHeaderMapping(expr); err != nil {
				return fmt.Errorf("gateway response %s: header %s: %w", typ, name, err)
			}
		}
	}
	for id, d := range c.FunctionTimeout {
		if d < 0 {
			return fmt.Errorf("function %s: negative timeout", id)
		}
	}
	return nil
}

// functionsUsed lists the logical IDs the gateway invokes, sorted.
func (c Config) functionsUsed() []string {
	set := map[string]bool{}
	for _, rt := range c.Routes {
		set[rt.Function] = true
	}
	if c.Authorizer.Function != "" {
		set[c.Authorizer.Function] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// clone deep-copies c so that a Gateway never shares maps with its caller.
func (c Config) clone() Config {
	out := c
	out.Routes = slices.Clone(c.Routes)
	out.BinaryMediaTypes = slices.Clone(c.BinaryMediaTypes)
	out.StageVariables = maps.Clone(c.StageVariables)
	out.FunctionTimeout = maps.Clone(c.FunctionTimeout)
	if c.GatewayResponses != nil {
		out.GatewayResponses = make(map[string]GatewayResponse, len(c.GatewayResponses))
		for k, v := range c.GatewayResponses {
			v.Headers = maps.Clone(v.Headers)
			out.GatewayResponses[k] = v
		}
	}
	if c.FunctionEnv != nil {
		out.FunctionEnv = make(map[string]map[string]string, len(c.FunctionEnv))
		for k, v := range c.FunctionEnv {
			out.FunctionEnv[k] = maps.Clone(v)
		}
	}
	return out
}
