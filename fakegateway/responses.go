package fakegateway

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// gatewayError is a response API Gateway makes itself (as opposed to one an integration makes).
type gatewayError struct {
	responseType string  // gateway response type: UNAUTHORIZED, ACCESS_DENIED, ...
	status       int     // the type's own status code
	body         string  // the built-in body
	errorType    string  // x-amzn-ErrorType, "" for none
	message      *string // $context.error.message; nil renders as null
}

func strPtr(s string) *string { return &s }

func errMissingToken() *gatewayError {
	return &gatewayError{
		responseType: "MISSING_AUTHENTICATION_TOKEN", status: http.StatusForbidden,
		body:      `{"message":"Missing Authentication Token"}`,
		errorType: "MissingAuthenticationTokenException", message: strPtr("Missing Authentication Token"),
	}
}

// errIncompleteSignature is what API Gateway answers for an unknown route when an Authorization
// header is present that is not SigV4 key=value pairs: it tries to read the header as a SigV4
// signature. It quotes the header only as a SHA-256 digest.
func errIncompleteSignature(authorization string) *gatewayError {
	sum := sha256.Sum256([]byte(authorization))
	msg := "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'."
	return &gatewayError{
		responseType: "INVALID_SIGNATURE", status: http.StatusForbidden,
		body:      `{"message":` + jsonString(msg) + `}`,
		errorType: "IncompleteSignatureException", message: strPtr(msg),
	}
}

func errUnauthorized() *gatewayError {
	return &gatewayError{
		responseType: "UNAUTHORIZED", status: http.StatusUnauthorized,
		body:      `{"message":"Unauthorized"}`,
		errorType: "UnauthorizedException", message: strPtr("Unauthorized"),
	}
}

func errExplicitDeny() *gatewayError {
	const msg = "User is not authorized to access this resource with an explicit deny"
	return &gatewayError{
		responseType: "ACCESS_DENIED", status: http.StatusForbidden,
		body:      `{"Message":"` + msg + `"}`,
		errorType: "AccessDeniedException", message: strPtr(msg),
	}
}

func errImplicitDeny() *gatewayError {
	const msg = "User is not authorized to access this resource"
	return &gatewayError{
		responseType: "ACCESS_DENIED", status: http.StatusForbidden,
		body:      `{"Message":"` + msg + `"}`,
		errorType: "AccessDeniedException", message: strPtr(msg),
	}
}

func errAuthorizerConfiguration() *gatewayError {
	return &gatewayError{
		responseType: "AUTHORIZER_CONFIGURATION_ERROR", status: http.StatusInternalServerError,
		body: `{"message":null}`, errorType: "AuthorizerConfigurationException",
	}
}

func errIntegrationFailure() *gatewayError {
	return &gatewayError{
		responseType: "INTEGRATION_FAILURE", status: http.StatusBadGateway,
		body:      `{"message": "Internal server error"}`,
		errorType: "InternalServerErrorException", message: strPtr("Internal server error"),
	}
}

// errInvocationRejected is Lambda refusing the invocation itself (here: a request event over
// Lambda's 6 MB payload limit): API Gateway answers 500 rather than 502.
func errInvocationRejected() *gatewayError {
	e := errIntegrationFailure()
	e.status = http.StatusInternalServerError
	return e
}

func errIntegrationTimeout() *gatewayError {
	return &gatewayError{
		responseType: "INTEGRATION_TIMEOUT", status: http.StatusGatewayTimeout,
		body:    `{"message": "Endpoint request timed out"}`,
		message: strPtr("Endpoint request timed out"),
	}
}

func errAPIConfiguration() *gatewayError {
	return &gatewayError{
		responseType: "API_CONFIGURATION_ERROR", status: http.StatusInternalServerError,
		body:      `{"message": "Internal server error"}`,
		errorType: "InternalServerErrorException", message: strPtr("Internal server error"),
	}
}

func errRequestTooLarge() *gatewayError {
	return &gatewayError{
		responseType: "REQUEST_TOO_LARGE", status: http.StatusRequestEntityTooLarge,
		body: `{"message":"Request Too Long"}`, message: strPtr("Request Too Long"),
	}
}

func errBadRequestBody() *gatewayError {
	return &gatewayError{
		responseType: "BAD_REQUEST_BODY", status: http.StatusBadRequest,
		body: `{"message": "Invalid request body"}`, errorType: "BadRequestException", message: strPtr("Invalid request body"),
	}
}

func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		return `""`
	}
	return string(b)
}

// headerMapping is a parsed gateway response header mapping expression.
type headerMapping struct {
	literal string
	source  string // "" for a literal; header | querystring | path | stageVariables
	name    string
}

// parseHeaderMapping parses "'literal'", method.request.header.NAME, method.request.querystring.NAME,
// method.request.path.NAME or stageVariables.NAME.
func parseHeaderMapping(expr string) (headerMapping, error) {
	if len(expr) >= 2 && strings.HasPrefix(expr, "'") && strings.HasSuffix(expr, "'") {
		return headerMapping{literal: expr[1 : len(expr)-1]}, nil
	}
	for _, src := range []string{"header", "querystring", "path"} {
		if name, ok := strings.CutPrefix(expr, "method.request."+src+"."); ok && name != "" {
			return headerMapping{source: src, name: name}, nil
		}
	}
	if name, ok := strings.CutPrefix(expr, "stageVariables."); ok && name != "" {
		return headerMapping{source: "stageVariables", name: name}, nil
	}
	return headerMapping{}, errors.New(`mapping must be a quoted literal ("'value'") or method.request.{header,querystring,path}.NAME or stageVariables.NAME`)
}

// requestFacts is what a gateway response may draw on from the request.
type requestFacts struct {
	requestID   string
	extendedID  string
	method      string
	resource    string
	header      http.Header
	query       map[string][]string
	pathParams  map[string]string
	stageValues map[string]string
}

func (m headerMapping) resolve(f requestFacts) (string, bool) {
	switch m.source {
	case "":
		return m.literal, true
	case "header":
		v := f.header.Get(m.name)
		return v, v != ""
	case "querystring":
		if vs := f.query[m.name]; len(vs) > 0 {
			return vs[len(vs)-1], true
		}
	case "path":
		v, ok := f.pathParams[m.name]
		return v, ok
	case "stageVariables":
		v, ok := f.stageValues[m.name]
		return v, ok
	}
	return "", false
}

// reply is a complete HTTP response.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// write sends the reply to the client of r: the status, the headers with Content-Length, and the
// body unless r is a HEAD or the status has no body.
func (rep reply) write(w http.ResponseWriter, r *http.Request) {
	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	if r.Method != http.MethodHead && rep.status != http.StatusNoContent && rep.status != http.StatusNotModified {
		_, _ = w.Write(rep.body)
	}
}

// gatewayReply renders a gateway-made response, applying the template's gateway responses: the
// specific type's if configured, else DEFAULT_4XX or DEFAULT_5XX by status class.
func (g *Gateway) gatewayReply(e *gatewayError, f requestFacts) reply {
	status, body := e.status, e.body
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	gr, ok := g.cfg.GatewayResponses[e.responseType]
	if !ok {
		class := "DEFAULT_4XX"
		if e.status >= 500 {
			class = "DEFAULT_5XX"
		}
		gr, ok = g.cfg.GatewayResponses[class]
	}
	if ok {
		if gr.StatusCode != 0 {
			status = gr.StatusCode
		}
		for name, expr := range gr.Headers {
			m, err := parseHeaderMapping(expr)
			if err != nil {
				continue
			}
			if v, ok := m.resolve(f); ok && validHeaderValue(v) {
				h.Set(name, v)
			}
		}
		if gr.Body != "" {
			body = renderTemplate(gr.Body, e, f, g.cfg.Stage, g.apiID)
		}
	}
	h.Set("X-Amzn-Requestid", f.requestID)
	h.Set("X-Amz-Apigw-Id", f.extendedID)
	if e.errorType != "" {
		h.Set("X-Amzn-Errortype", e.errorType)
	}
	return reply{status: status, header: h, body: []byte(body)}
}

// renderTemplate substitutes the $context variables a gateway response template may use.
func renderTemplate(tmpl string, e *gatewayError, f requestFacts, stage, apiID string) string {
	messageString, message := "null", ""
	if e.message != nil {
		messageString, message = jsonString(*e.message), *e.message
	}
	return strings.NewReplacer(
		"$context.error.messageString", messageString,
		"$context.error.message", message,
		"$context.error.responseType", e.responseType,
		"$context.error.validationErrorString", "",
		"$context.requestId", f.requestID,
		"$context.extendedRequestId", f.extendedID,
		"$context.stage", stage,
		"$context.apiId", apiID,
		"$context.httpMethod", f.method,
		"$context.resourcePath", f.resource,
	).Replace(tmpl)
}

// validHeaderValue rejects values that would split or corrupt a header line.
func validHeaderValue(v string) bool {
	return !strings.ContainsAny(v, "\r\n\x00")
}
