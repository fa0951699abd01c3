package fakegateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// unauthorizedMessage is the one authorizer error message API Gateway turns into a 401.
const unauthorizedMessage = "Unauthorized"

// maxLambdaResponse is Lambda's limit on a synchronous response payload (6 MB).
const maxLambdaResponse = 6 * 1024 * 1024

var (
	// errAuthorizerUnauthorized: the authorizer failed with exactly "Unauthorized".
	errAuthorizerUnauthorized = errors.New("authorizer returned Unauthorized")
	// errAuthorizerFailed: the authorizer failed with any other error.
	errAuthorizerFailed = errors.New("authorizer function error")
	// errAuthorizerResponse: the authorizer's response is not a valid authorizer response.
	errAuthorizerResponse = errors.New("malformed authorizer response")
)

// authResult is a parsed authorizer response: what the cache holds.
type authResult struct {
	principalID string
	policy      Policy
	context     map[string]string // values stringified, as API Gateway passes them on
	latencyMS   int64
}

// parseAuthorizerResponse validates an authorizer's output the way API Gateway does: a JSON
// object with a string principalId, a valid policyDocument and an optional context whose values
// are strings, numbers or booleans. A Lambda error payload ({"errorMessage": ..., "errorType":
// ...}, as a runtime reports a failed invocation) is a function error.
func parseAuthorizerResponse(out []byte) (*authResult, error) {
	if len(out) > maxLambdaResponse {
		return nil, fmt.Errorf("%w: response is %d bytes, over Lambda's 6 MB limit", errAuthorizerFailed, len(out))
	}
	var raw map[string]json.RawMessage
	if err := strictObject(out, &raw); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object", errAuthorizerResponse)
	}
	if msg, ok := raw["errorMessage"]; ok {
		if _, hasPolicy := raw["policyDocument"]; !hasPolicy {
			var text string
			if err := json.Unmarshal(msg, &text); err == nil && text == unauthorizedMessage {
				return nil, errAuthorizerUnauthorized
			}
			return nil, fmt.Errorf("%w: Lambda error payload", errAuthorizerFailed)
		}
	}
	res := &authResult{}
	pid, ok := raw["principalId"]
	if !ok || isNull(pid) {
		return nil, fmt.Errorf("%w: no principalId", errAuthorizerResponse)
	}
	if err := json.Unmarshal(pid, &res.principalID); err != nil {
		return nil, fmt.Errorf("%w: principalId is not a string", errAuthorizerResponse)
	}
	doc, ok := raw["policyDocument"]
	if !ok || isNull(doc) {
		return nil, fmt.Errorf("%w: no policyDocument", errAuthorizerResponse)
	}
	p, err := ParsePolicy(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errAuthorizerResponse, err)
	}
	res.policy = p
	if c, ok := raw["context"]; ok && !isNull(c) {
		ctxMap, err := stringifyContext(c)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errAuthorizerResponse, err)
		}
		res.context = ctxMap
	}
	return res, nil
}

// parsedAuth is the outcome of parseAuthorizerResponse, as memoized per output.
type parsedAuth struct {
	res *authResult
	err error
}

func parseAuthorizerOutput(out []byte) parsedAuth {
	res, err := parseAuthorizerResponse(out)
	return parsedAuth{res: res, err: err}
}

// stringifyContext checks that every context value is a string, number or boolean and renders it
// as the string API Gateway passes to the integration.
func stringifyContext(raw json.RawMessage) (map[string]string, error) {
	var m map[string]json.RawMessage
	if err := strictObject(raw, &m); err != nil {
		return nil, errors.New("context is not a JSON object")
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber()
		var val any
		if err := dec.Decode(&val); err != nil {
			return nil, fmt.Errorf("context %q: %w", k, err)
		}
		switch t := val.(type) {
		case string:
			out[k] = t
		case json.Number:
			out[k] = t.String()
		case bool:
			if t {
				out[k] = "true"
			} else {
				out[k] = "false"
			}
		default:
			return nil, fmt.Errorf("context %q is %s: only strings, numbers and booleans are allowed", k, jsonKind(val))
		}
	}
	return out, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// authOutcome is what the authorizer step decided for a request.
type authOutcome struct {
	allowed  *authResult   // set when the request may proceed
	reject   *gatewayError // set when it may not
	decision string        // allow | deny | unauthorized | error
	reason   string
	cacheHit bool
}

// authorize runs API Gateway's TOKEN authorizer flow for one request.
func (g *Gateway) authorize(r *http.Request, methodARN string) authOutcome {
	vals := r.Header.Values(g.identityHeader)
	if len(vals) == 0 || vals[0] == "" {
		return authOutcome{reject: errUnauthorized(), decision: "unauthorized", reason: "identity_missing"}
	}
	identity := vals[0]
	if g.validation != nil && !g.validation.matches(identity) {
		return authOutcome{reject: errUnauthorized(), decision: "unauthorized", reason: "identity_invalid"}
	}
	now := g.clock()
	if g.cache != nil {
		if res, ok := g.cache.get(identity, now); ok {
			out := g.decide(res, methodARN)
			out.cacheHit = true
			return out
		}
	}
	payload, err := json.Marshal(events.APIGatewayCustomAuthorizerRequest{
		Type:               "TOKEN",
		AuthorizationToken: identity,
		MethodArn:          methodARN,
	})
	if err != nil {
		return authOutcome{reject: errAuthorizerConfiguration(), decision: "error", reason: "encode_event"}
	}
	ctx, cancel := context.WithTimeout(r.Context(), g.authorizerTimeout)
	defer cancel()
	began := time.Now()
	out, err := g.invoker.invoke(ctx, g.functions[g.cfg.Authorizer.Function], payload)
	latency := time.Since(began).Milliseconds()
	if ctx.Err() != nil {
		reason := "authorizer_timeout"
		if r.Context().Err() != nil {
			reason = "client_gone"
		}
		return authOutcome{reject: errAuthorizerConfiguration(), decision: "error", reason: reason}
	}
	if err != nil {
		if err.Error() == unauthorizedMessage {
			return authOutcome{reject: errUnauthorized(), decision: "unauthorized", reason: "authorizer_unauthorized"}
		}
		return authOutcome{reject: errAuthorizerConfiguration(), decision: "error", reason: "authorizer_error"}
	}
	parsed := g.authParses.parse(out, parseAuthorizerOutput)
	err = parsed.err
	switch {
	case errors.Is(err, errAuthorizerUnauthorized):
		return authOutcome{reject: errUnauthorized(), decision: "unauthorized", reason: "authorizer_unauthorized"}
	case errors.Is(err, errAuthorizerFailed):
		return authOutcome{reject: errAuthorizerConfiguration(), decision: "error", reason: "authorizer_error"}
	case err != nil:
		return authOutcome{reject: errAuthorizerConfiguration(), decision: "error", reason: "malformed_response: " + err.Error()}
	}
	res := new(authResult)
	*res = *parsed.res // the parse is shared: the latency is this invocation's own
	res.latencyMS = latency
	if g.cache != nil {
		g.cache.put(identity, res, now)
	}
	return g.decide(res, methodARN)
}

// decide evaluates a (possibly cached) result against this request's methodArn.
func (g *Gateway) decide(res *authResult, methodARN string) authOutcome {
	switch res.policy.Evaluate(invokeAction, methodARN) {
	case Allow:
		return authOutcome{allowed: res, decision: "allow", reason: "allow"}
	case ExplicitDeny:
		return authOutcome{reject: errExplicitDeny(), decision: "deny", reason: "explicit_deny"}
	default:
		return authOutcome{reject: errImplicitDeny(), decision: "deny", reason: "implicit_deny"}
	}
}
