package authorizer

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// maxAuthorizationBytes bounds the Authorization value before ParseBearer reads it: "Bearer "
// and 64 KiB, the largest MaxTokenBytes Config allows. Verify then applies the configured bound.
const maxAuthorizationBytes = len("Bearer ") + 64<<10

var _ lambda.Handler = (*HTTPAuthorizer)(nil)

// HTTPAuthorizer is the Lambda authorizer of an API Gateway HTTP API with payload format 2.0 and
// simple responses ("Control access to HTTP APIs with AWS Lambda authorizers in API Gateway"):
// it reads the bearer token from the event's Authorization header, verifies it with the same
// Authorizer.Verify as the REST API's TOKEN authorizer, and answers {"isAuthorized": true,
// "context": {"scope": ..., "principalId": sub}} or {"isAuthorized": false}, which the HTTP API
// turns into 403 {"message":"Forbidden"}. It never returns an error for a bad request, so the
// API never answers 500 for one. It is safe for concurrent use.
type HTTPAuthorizer struct {
	verifier *Authorizer
	logger   *slog.Logger
}

// NewHTTPAuthorizer returns the HTTP API entry point over a (built with New). logger receives
// one decision line per request; nil means JSON on standard output.
func NewHTTPAuthorizer(a *Authorizer, logger *slog.Logger) *HTTPAuthorizer {
	if logger == nil {
		logger = slog.New(slog.NewJSONHandler(os.Stdout, nil))
	}
	return &HTTPAuthorizer{verifier: a, logger: logger}
}

// AuthorizeHTTP decides on one payload 2.0 authorizer request. The token comes from the
// "authorization" header (payload 2.0 lower-cases header names), exactly "Bearer <token>" as for
// the TOKEN authorizer. It writes one log line: msg "authorize", decision, reason, request_id
// (when ctx carries a Lambda context) and, on allow, sub — never the token.
func (h *HTTPAuthorizer) AuthorizeHTTP(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	claims, err := h.verify(ctx, req.Headers["authorization"])
	if err != nil {
		h.logDecision(ctx, "deny", Reason(err), "")
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
	}
	h.logDecision(ctx, "allow", Reason(nil), claims.Subject)
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{
		IsAuthorized: true,
		Context:      map[string]any{"scope": claims.Scope, "principalId": claims.Subject},
	}, nil
}

// verify extracts and verifies the bearer token; a panic below is a refusal, never an Allow.
func (h *HTTPAuthorizer) verify(ctx context.Context, authorization string) (claims *Claims, err error) {
	defer func() {
		if p := recover(); p != nil {
			claims, err = nil, fmt.Errorf("authorizer: panic while verifying: %v", p)
		}
	}()
	if len(authorization) > maxAuthorizationBytes {
		return nil, ErrTokenTooLarge
	}
	token, err := ParseBearer(authorization)
	if err != nil {
		return nil, err
	}
	return h.verifier.Verify(ctx, token)
}

// Invoke is AuthorizeHTTP as a lambda.Handler, for lambda.Start(h): the event's JSON in, the
// simple response's JSON out. A payload that is not a JSON object is an error, as aws-lambda-go's
// decoding would make it.
func (h *HTTPAuthorizer) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var req events.APIGatewayV2CustomAuthorizerV2Request
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, fmt.Errorf("authorizer: payload 2.0 authorizer event: %w", err)
	}
	resp, err := h.AuthorizeHTTP(ctx, req)
	if err != nil {
		return nil, err
	}
	return json.Marshal(resp)
}

// logDecision writes the decision line, shaped as Authorize's.
func (h *HTTPAuthorizer) logDecision(ctx context.Context, decision, reason, sub string) {
	attrs := []slog.Attr{slog.String("decision", decision), slog.String("reason", reason)}
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc != nil && lc.AwsRequestID != "" {
		attrs = append(attrs, slog.String("request_id", lc.AwsRequestID))
	}
	if sub != "" {
		attrs = append(attrs, slog.String("sub", sub))
	}
	h.logger.LogAttrs(ctx, slog.LevelInfo, "authorize", attrs...)
}
