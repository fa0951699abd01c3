package profile

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// HandleHTTP answers GET /profile behind an HTTP API (payload format 2.0) with the same answers
// as Handle. It reads the scopes the API's authorizer passed in the request context:
//
//   - the managed JWT authorizer: requestContext.authorizer.jwt.scopes, or else the token's
//     scope claim in requestContext.authorizer.jwt.claims ("Control access to HTTP APIs with JWT
//     authorizers in API Gateway": the claims reach the integration);
//   - a Lambda authorizer: the scope string of its context, requestContext.authorizer.lambda.scope
//     ("Control access to HTTP APIs with AWS Lambda authorizers in API Gateway").
//
// Like Handle it never returns an error.
func (h *Handler) HandleHTTP(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	requestID := req.RequestContext.RequestID
	if lc, ok := lambdacontext.FromContext(ctx); ok && requestID == "" {
		requestID = lc.AwsRequestID
	}
	status, body, reason := h.decide(httpScopeReason(req.RequestContext.Authorizer))
	h.logDecision(ctx, status, reason, requestID)
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       body,
	}, nil
}

// httpScopeReason returns "" when the authorizer granted RequiredScope, or the reason code why
// not.
func httpScopeReason(a *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) string {
	switch {
	case a == nil || (a.JWT == nil && a.Lambda == nil):
		return "authorizer_context_missing"
	case a.JWT != nil:
		if slices.Contains(a.JWT.Scopes, RequiredScope) || HasScope(a.JWT.Claims["scope"], RequiredScope) {
			return ""
		}
		return "scope_missing"
	default:
		_, reason := grantedScope(a.Lambda)
		if reason == "" {
			scope, _ := a.Lambda["scope"].(string)
			if !HasScope(scope, RequiredScope) {
				reason = "scope_missing"
			}
		}
		return reason
	}
}

// Invoke makes the Handler a lambda.Handler for both designs: an event whose version is "2.0"
// (an HTTP API's payload format 2.0) goes to HandleHTTP, any other to Handle (a REST API's
// proxy event). A payload that is not a JSON object is an error, as aws-lambda-go's own
// decoding would make it.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var probe struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, fmt.Errorf("profile: the event is not a JSON object: %w", err)
	}
	if probe.Version == "2.0" {
		var req events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, fmt.Errorf("profile: payload 2.0 event: %w", err)
		}
		resp, _ := h.HandleHTTP(ctx, req)
		return json.Marshal(resp)
	}
	var req events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, fmt.Errorf("profile: proxy event: %w", err)
	}
	resp, _ := h.Handle(ctx, req)
	return json.Marshal(resp)
}

// decide turns a scope reason ("" = granted) into the status, the JSON body and the logged reason.
func (h *Handler) decide(reason string) (int, string, string) {
	if reason != "" {
		status, body := jsonBody(403, Forbidden{Message: "Forbidden", Info: `scope "` + RequiredScope + `" is required`})
		return status, body, reason
	}
	status, body := jsonBody(200, h.profile)
	return status, body, "scope_granted"
}

// logDecision writes the handler's one decision line.
func (h *Handler) logDecision(ctx context.Context, status int, reason, requestID string) {
	decision := "ok"
	if status != 200 {
		decision = "forbidden"
	}
	h.logger.LogAttrs(ctx, slog.LevelInfo, "profile",
		slog.String("decision", decision),
		slog.String("reason", reason),
		slog.String("request_id", requestID))
}
