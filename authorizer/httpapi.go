package authorizer

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// AuthorizeHTTP is the Lambda authorizer of an API Gateway HTTP API with
// payload format 2.0 and simple responses ("Control access to HTTP APIs with
// AWS Lambda authorizers in API Gateway"), for lambda.Start(a.AuthorizeHTTP).
// It reads the bearer token from the event's "authorization" header
// (payload 2.0 lower-cases header names), exactly "Bearer <token>" as for the
// TOKEN authorizer, verifies it with the same Verify, and answers
// {"isAuthorized": true, "context": {"scope": ..., "principalId": sub}} or
// {"isAuthorized": false}, which the HTTP API turns into 403
// {"message":"Forbidden"}. It never returns an error for a bad request, so
// the API never answers 500 for one; a panic is a refusal (reason
// "internal"). It writes one decision line, as Authorize does.
func (a *Authorizer) AuthorizeHTTP(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (resp events.APIGatewayV2CustomAuthorizerSimpleResponse, err error) {
	defer func() {
		if p := recover(); p != nil {
			a.logDecision(ctx, slog.LevelError, "deny", "internal", "")
			resp, err = events.APIGatewayV2CustomAuthorizerSimpleResponse{}, nil
		}
	}()
	token, err := a.bearerToken(req.Headers["authorization"])
	var claims *Claims
	if err == nil {
		claims, err = a.Verify(ctx, token)
	}
	if err != nil {
		a.logDecision(ctx, slog.LevelInfo, "deny", Reason(err), "")
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, nil
	}
	a.logDecision(ctx, slog.LevelInfo, "allow", Reason(nil), claims.Subject)
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{
		IsAuthorized: true,
		Context:      map[string]any{"scope": claims.Scope, "principalId": claims.Subject},
	}, nil
}
