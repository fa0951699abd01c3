package profile

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// RequiredScope is the OAuth scope a caller needs to read the profile.
const RequiredScope = "get:profile"

// Profile is the body of a successful answer.
type Profile struct {
	Name string `json:"name"`
}

// Forbidden is the body of a 403 answer.
type Forbidden struct {
	Message string `json:"message"`
	Info    string `json:"info"`
}

// Handler answers GET /profile. Create it with New; the zero value is not usable.
type Handler struct {
	logger  *slog.Logger
	profile Profile
}

// Option configures a Handler.
type Option func(*Handler)

// WithLogger sends the handler's decision lines to l instead of a JSON
// handler on standard output.
func WithLogger(l *slog.Logger) Option {
	return func(h *Handler) { h.logger = l }
}

// New returns a Handler that logs one JSON line per request to standard
// output unless WithLogger says otherwise.
func New(opts ...Option) *Handler {
	h := &Handler{profile: Profile{Name: "Daniël"}}
	for _, o := range opts {
		o(h)
	}
	if h.logger == nil {
		h.logger = slog.New(slog.NewJSONHandler(os.Stdout, nil))
	}
	return h
}

// Handle answers one proxy request. It never returns an error: every outcome
// is an HTTP answer, so API Gateway never turns it into a 502.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	requestID := req.RequestContext.RequestID
	if lc, ok := lambdacontext.FromContext(ctx); ok && requestID == "" {
		requestID = lc.AwsRequestID
	}
	scope, reason := grantedScope(req.RequestContext.Authorizer)
	if reason == "" && !HasScope(scope, RequiredScope) {
		reason = "scope_missing"
	}
	status, body, logged := h.decide(reason)
	h.logDecision(ctx, status, logged, requestID)
	return events.APIGatewayProxyResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       body,
	}, nil
}

// grantedScope reads the scope string API Gateway passed from the
// authorizer's context. A missing context or a scope that is not a string is
// reported by a reason code, so it is logged rather than guessed at.
func grantedScope(authorizer map[string]any) (scope, reason string) {
	if authorizer == nil {
		return "", "authorizer_context_missing"
	}
	raw, ok := authorizer["scope"]
	if !ok {
		return "", "scope_missing"
	}
	s, ok := raw.(string)
	if !ok {
		return "", "scope_not_a_string"
	}
	return s, ""
}

// HasScope reports whether the space-separated scope string (RFC 6749 §3.3:
// scope tokens separated by single spaces) contains want exactly:
// "get:profile2", "xget:profile" or "get:profile\t" do not grant "get:profile".
func HasScope(scope, want string) bool {
	for s := range strings.SplitSeq(scope, " ") {
		if s == want {
			return true
		}
	}
	return false
}

// jsonBody encodes body for an answer with status.
func jsonBody(status int, body any) (int, string) {
	b, err := json.Marshal(body)
	if err != nil {
		// The bodies are fixed structs of strings; Marshal cannot fail on them.
		return 500, `{"message":"Internal server error"}`
	}
	return status, string(b)
}
