package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// requiredScope is the scope GET /profile needs.
const requiredScope = "get:profile"

// profile answers GET /profile from the scope the authorizer passed on.
type profile struct {
	flaw   flaw
	logger *slog.Logger
}

// handle is the Lambda handler.
func (p *profile) handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	var scope string
	if p.flaw == contextPanic {
		scope = req.RequestContext.Authorizer["scope"].(string)
	} else {
		scope, _ = req.RequestContext.Authorizer["scope"].(string)
	}
	if !p.granted(scope) {
		p.logger.InfoContext(ctx, "profile", slog.String("decision", "forbidden"), slog.String("request_id", req.RequestContext.RequestID))
		status := http.StatusForbidden
		if p.flaw == status401 {
			status = http.StatusUnauthorized
		}
		return p.json(status, map[string]string{"message": "Forbidden", "info": `scope "` + requiredScope + `" is required`}), nil
	}
	p.logger.InfoContext(ctx, "profile", slog.String("decision", "ok"), slog.String("request_id", req.RequestContext.RequestID))
	var body any = map[string]string{"name": "Daniël"}
	if p.flaw == bodyEnvelope {
		body = map[string]any{"data": body}
	}
	return p.json(http.StatusOK, body), nil
}

// granted reports whether the space-separated scope holds requiredScope.
func (p *profile) granted(scope string) bool {
	exact := func(a, b string) bool { return a == b }
	switch p.flaw {
	case scopeSubstring:
		return strings.Contains(scope, requiredScope)
	case scopeCommaList:
		return contains(strings.FieldsFunc(scope, func(r rune) bool { return r == ' ' || r == ',' }), requiredScope, exact)
	case scopeCaseInsensitive:
		return contains(strings.Split(scope, " "), requiredScope, strings.EqualFold)
	}
	return contains(strings.Split(scope, " "), requiredScope, exact)
}

// contains reports whether one of list equals want by eq.
func contains(list []string, want string, eq func(a, b string) bool) bool {
	for _, s := range list {
		if eq(s, want) {
			return true
		}
	}
	return false
}

// json is a proxy response with a JSON body.
func (p *profile) json(status int, body any) events.APIGatewayProxyResponse {
	data, err := json.Marshal(body)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"message":"Internal Server Error"}`)
	}
	headers := map[string]string{"Content-Type": "application/json"}
	if p.flaw == noContentType {
		headers = nil
	}
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: headers, Body: string(data)}
}
