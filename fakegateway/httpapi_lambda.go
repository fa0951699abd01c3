package fakegateway

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// The Lambda authorizer of an HTTP API with payload format 2.0 and simple responses, as
// "Control access to HTTP APIs with AWS Lambda authorizers in API Gateway" documents it:
//
//   - identity sources: "If you specify an identity source, API Gateway ... verifies that all
//     of the identity sources are present, not null, and non-empty ... Otherwise, it returns a
//     401 Unauthorized response without calling the authorizer Lambda function" (the same words
//     in the API Gateway v2 API reference, CreateAuthorizer, IdentitySource);
//   - the request: payload format 2.0 (events.APIGatewayV2CustomAuthorizerV2Request: version
//     "2.0", type "REQUEST", routeArn, identitySource as a list of the values, routeKey,
//     rawPath, rawQueryString, cookies, headers, queryStringParameters, requestContext,
//     pathParameters, stageVariables);
//   - the simple response {"isAuthorized": true|false, "context": {...}}: false is 403
//     {"message":"Forbidden"}; the context reaches the integration as
//     requestContext.authorizer.lambda;
//   - caching: "If caching is enabled, ... the identity sources are the cache key";
//     AuthorizerResultTtlInSeconds 0 disables it, at most 3600 (CreateAuthorizer reference).
//
// What the page does not say, and the fake does: a function error, an answer that is not a JSON
// object with a boolean isAuthorized, or a function timeout is 500 {"message":"Internal Server
// Error"} (no source found for the body; the status is the one Lambda authorizer failures get on
// REST APIs); an error whose message is exactly "Unauthorized" is 401 {"message":"Unauthorized"}
// as on REST APIs (observed, unrecorded for HTTP APIs).

// lambdaAuthorizer invokes one Lambda authorizer and caches its answers.
type lambdaAuthorizer struct {
	cfg     HTTPAuthorizer
	timeout time.Duration
	cache   *simpleCache
}

func newLambdaAuthorizer(cfg HTTPAuthorizer, functionTimeout time.Duration) *lambdaAuthorizer {
	timeout := functionTimeout
	if timeout <= 0 {
		timeout = DefaultHTTPIntegrationTimeout
	}
	return &lambdaAuthorizer{cfg: cfg, timeout: timeout, cache: newSimpleCache(cfg.TTL, DefaultAuthorizerCacheSize)}
}

// authorize runs the authorizer for a request whose integration event is ev. It returns the
// context for the integration on success, or the refusal and its reason code.
func (a *lambdaAuthorizer) authorize(ctx context.Context, g *HTTPGateway, r *http.Request, ev events.APIGatewayV2HTTPRequest) (map[string]any, *reply, string, bool) {
	refuse := func(status int, body, reason string) (map[string]any, *reply, string, bool) {
		rep := gatewayJSON(status, body)
		return nil, &rep, reason, false
	}
	values := make([]string, 0, len(a.cfg.IdentitySources))
	for _, src := range a.cfg.IdentitySources {
		v, ok := identityValue(src, r.Header, r.URL.Query())
		if !ok {
			return refuse(http.StatusUnauthorized, httpMsgUnauthorized, "identity_missing")
		}
		values = append(values, v)
	}
	key := strings.Join(values, "\x00")
	now := g.clock()
	if ans, ok := a.cache.get(key, now); ok {
		if !ans.IsAuthorized {
			rep := gatewayJSON(http.StatusForbidden, httpMsgForbidden)
			return nil, &rep, "denied", true
		}
		return ans.Context, nil, "ok", true
	}
	req := events.APIGatewayV2CustomAuthorizerV2Request{
		Version:               "2.0",
		Type:                  "REQUEST",
		RouteArn:              g.routeARN(ev),
		IdentitySource:        values,
		RouteKey:              ev.RouteKey,
		RawPath:               ev.RawPath,
		RawQueryString:        ev.RawQueryString,
		Cookies:               ev.Cookies,
		Headers:               ev.Headers,
		QueryStringParameters: ev.QueryStringParameters,
		RequestContext:        ev.RequestContext,
		PathParameters:        ev.PathParameters,
		StageVariables:        ev.StageVariables,
	}
	payload, err := json.Marshal(req)
	if err != nil {
		return refuse(http.StatusInternalServerError, httpMsgInternal, "event_unencodable")
	}
	actx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	out, err := g.invoker.invoke(actx, g.functions[a.cfg.Function], payload)
	switch {
	case err != nil && errors.Is(actx.Err(), context.DeadlineExceeded):
		return refuse(http.StatusInternalServerError, httpMsgInternal, "authorizer_timeout")
	case err != nil && err.Error() == "Unauthorized":
		return refuse(http.StatusUnauthorized, httpMsgUnauthorized, "authorizer_unauthorized")
	case err != nil:
		return refuse(http.StatusInternalServerError, httpMsgInternal, "authorizer_error")
	}
	ans, ok := simpleAnswer(out)
	if !ok {
		return refuse(http.StatusInternalServerError, httpMsgInternal, "authorizer_malformed")
	}
	a.cache.put(key, ans, now)
	if !ans.IsAuthorized {
		return refuse(http.StatusForbidden, httpMsgForbidden, "denied")
	}
	return ans.Context, nil, "ok", false
}

// routeARN is the routeArn a Lambda authorizer receives:
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH (the example request of the Lambda
// authorizer page).
func (g *HTTPGateway) routeARN(ev events.APIGatewayV2HTTPRequest) string {
	return "arn:aws:execute-api:" + g.region + ":" + g.accountID + ":" + g.apiID + "/" + g.cfg.Stage + "/" +
		ev.RequestContext.HTTP.Method + ev.RawPath
}

// simpleAnswer reads a simple response strictly: a JSON object whose isAuthorized is a boolean
// and whose context, when present, is an object.
func simpleAnswer(out []byte) (events.APIGatewayV2CustomAuthorizerSimpleResponse, bool) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(out, &fields); err != nil || fields == nil {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, false
	}
	var ans events.APIGatewayV2CustomAuthorizerSimpleResponse
	if err := json.Unmarshal(fields["isAuthorized"], &ans.IsAuthorized); err != nil {
		return ans, false
	}
	if raw, ok := fields["context"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &ans.Context); err != nil || ans.Context == nil {
			return ans, false
		}
	}
	return ans, true
}

// simpleCache caches simple responses per identity for a TTL (0 = off). Keys are SHA-256
// digests, so the cache holds no tokens; when full, expired entries go first, then everything.
type simpleCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[[sha256.Size]byte]simpleEntry
}

type simpleEntry struct {
	answer  events.APIGatewayV2CustomAuthorizerSimpleResponse
	expires time.Time
}

func newSimpleCache(ttl time.Duration, max int) *simpleCache {
	return &simpleCache{ttl: ttl, max: max, entries: map[[sha256.Size]byte]simpleEntry{}}
}

func (c *simpleCache) get(key string, now time.Time) (events.APIGatewayV2CustomAuthorizerSimpleResponse, bool) {
	if c.ttl <= 0 {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, false
	}
	k := sha256.Sum256([]byte(key))
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || !now.Before(e.expires) {
		delete(c.entries, k)
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, false
	}
	return e.answer, true
}

func (c *simpleCache) put(key string, ans events.APIGatewayV2CustomAuthorizerSimpleResponse, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	k := sha256.Sum256([]byte(key))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for ek, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, ek)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[k] = simpleEntry{answer: ans, expires: now.Add(c.ttl)}
}

func (c *simpleCache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}
