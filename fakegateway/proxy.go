package fakegateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// requestTimeLayout is the format of requestContext.requestTime.
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// requestState is what the gateway knows about one request as it goes through the pipeline.
type requestState struct {
	id          string
	extendedID  string
	traceID     string
	received    time.Time // from the injected clock
	requestPath string    // decoded resource path of the request, without the stage
	methodARN   string
	facts       requestFacts
}

// proxyEvent builds the Lambda proxy integration event the way API Gateway (REST, payload 1.0)
// builds it.
func (g *Gateway) proxyEvent(r *http.Request, st *requestState, m routeMatch, body []byte, auth *authResult) events.APIGatewayProxyRequest {
	headers := map[string]string{}
	multi := map[string][]string{}
	for k, vs := range r.Header {
		if len(vs) == 0 {
			continue
		}
		headers[k] = vs[len(vs)-1]
		multi[k] = slices.Clone(vs)
	}
	set := func(k, v string) {
		headers[k] = v
		multi[k] = []string{v}
	}
	sourceIP := clientIP(r)
	host, port := hostPort(r)
	set("Host", r.Host)
	xff := sourceIP
	if prior := r.Header.Values("X-Forwarded-For"); len(prior) > 0 {
		xff = strings.Join(prior, ", ") + ", " + sourceIP
	}
	set("X-Forwarded-For", xff)
	set("X-Forwarded-Port", port)
	set("X-Forwarded-Proto", scheme(r))
	if r.Header.Get("X-Amzn-Trace-Id") == "" {
		set("X-Amzn-Trace-Id", st.traceID)
	}

	var query map[string]string
	var multiQuery map[string][]string
	if q := r.URL.Query(); len(q) > 0 {
		query = make(map[string]string, len(q))
		multiQuery = make(map[string][]string, len(q))
		for k, vs := range q {
			query[k] = vs[len(vs)-1]
			multiQuery[k] = vs
		}
	}

	ev := events.APIGatewayProxyRequest{
		Resource:                        m.route.Path,
		Path:                            st.requestPath,
		HTTPMethod:                      r.Method,
		Headers:                         headers,
		MultiValueHeaders:               multi,
		QueryStringParameters:           query,
		MultiValueQueryStringParameters: multiQuery,
		PathParameters:                  m.params,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:         g.accountID,
			ResourceID:        resourceID(m.route.Path),
			Stage:             g.cfg.Stage,
			DomainName:        host,
			DomainPrefix:      strings.SplitN(host, ".", 2)[0],
			RequestID:         st.id,
			ExtendedRequestID: st.extendedID,
			Protocol:          r.Proto,
			Identity: events.APIGatewayRequestIdentity{
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
			ResourcePath:     m.route.Path,
			Path:             "/" + g.cfg.Stage + st.requestPath,
			HTTPMethod:       r.Method,
			RequestTime:      st.received.UTC().Format(requestTimeLayout),
			RequestTimeEpoch: st.received.UnixMilli(),
			APIID:            g.apiID,
		},
	}
	if len(g.cfg.StageVariables) > 0 {
		ev.StageVariables = g.cfg.StageVariables
	}
	if auth != nil {
		a := make(map[string]any, len(auth.context)+2)
		for k, v := range auth.context {
			a[k] = v
		}
		a["principalId"] = auth.principalID
		a["integrationLatency"] = auth.latencyMS
		ev.RequestContext.Authorizer = a
	}
	if len(body) > 0 {
		if g.isBinary(r.Header.Get("Content-Type")) {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		} else {
			ev.Body = string(body)
		}
	}
	return ev
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// hostPort splits the Host header into a host name and a port (defaulted from the scheme).
func hostPort(r *http.Request) (string, string) {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
		port = "80"
		if r.TLS != nil {
			port = "443"
		}
	}
	return host, port
}

// resourceID derives a stable 6-character resource id, like API Gateway's, from a resource path.
func resourceID(path string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	h := uint64(14695981039346656037)
	for i := 0; i < len(path); i++ {
		h ^= uint64(path[i])
		h *= 1099511628211
	}
	b := make([]byte, 6)
	for i := range b {
		b[i] = alphabet[h%uint64(len(alphabet))]
		h /= uint64(len(alphabet))
	}
	return string(b)
}

// isBinary reports whether a media type matches one of the API's binary media types.
func (g *Gateway) isBinary(contentType string) bool {
	if len(g.cfg.BinaryMediaTypes) == 0 || contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	for _, pattern := range g.cfg.BinaryMediaTypes {
		if mediaTypeMatch(strings.ToLower(pattern), mt) {
			return true
		}
	}
	return false
}

func mediaTypeMatch(pattern, mt string) bool {
	if pattern == "*/*" || pattern == mt {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, "/*"); ok {
		return strings.HasPrefix(mt, prefix+"/")
	}
	return false
}

// firstAccept returns the first media type of an Accept header, which is what API Gateway
// compares with the binary media types to decide whether to decode a base64 response.
func firstAccept(accept string) string {
	first, _, _ := strings.Cut(accept, ",")
	return strings.TrimSpace(first)
}

// errMalformedProxyResponse is wrapped by every error about a function's proxy response.
var errMalformedProxyResponse = errors.New("malformed Lambda proxy response")

// proxyResponse is a validated Lambda proxy integration response.
type proxyResponse struct {
	status          int
	header          http.Header
	body            string
	isBase64Encoded bool
}

// parseProxyResponse validates a function's output as a REST API does: a JSON object with only
// statusCode (an integer), headers (string values), multiValueHeaders (lists of strings), body
// (a string) and isBase64Encoded (a boolean). Anything else is a malformed response (502).
func parseProxyResponse(out []byte) (proxyResponse, error) {
	bad := func(format string, args ...any) (proxyResponse, error) {
		return proxyResponse{}, fmt.Errorf("%w: %s", errMalformedProxyResponse, fmt.Sprintf(format, args...))
	}
	var raw map[string]json.RawMessage
	if err := strictObject(out, &raw); err != nil {
		return bad("not a JSON object")
	}
	for k := range raw {
		switch k {
		case "statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded":
		default:
			return bad("unexpected field %q", k)
		}
	}
	var pr proxyResponse
	sc, ok := raw["statusCode"]
	if !ok || isNull(sc) {
		return bad("no statusCode")
	}
	var num json.Number
	if trimmed := bytes.TrimSpace(sc); len(trimmed) == 0 || trimmed[0] == '"' || json.Unmarshal(trimmed, &num) != nil {
		return bad("statusCode is not a number")
	}
	code, err := strconv.Atoi(num.String())
	if err != nil || code < 100 || code > 599 {
		return bad("statusCode %s is not an HTTP status code", num)
	}
	pr.status = code
	pr.header = http.Header{}
	multiNames := map[string]bool{}
	if mv, ok := raw["multiValueHeaders"]; ok && !isNull(mv) {
		var m map[string][]json.RawMessage
		if err := json.Unmarshal(mv, &m); err != nil {
			return bad("multiValueHeaders is not an object of lists")
		}
		for name, vals := range m {
			if !validHeaderName(name) {
				return bad("header name %q", name)
			}
			multiNames[http.CanonicalHeaderKey(name)] = true
			for _, v := range vals {
				s, err := headerScalar(v)
				if err != nil {
					return bad("multiValueHeaders %q: %v", name, err)
				}
				pr.header.Add(name, s)
			}
		}
	}
	if hv, ok := raw["headers"]; ok && !isNull(hv) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(hv, &m); err != nil {
			return bad("headers is not an object")
		}
		for name, v := range m {
			if !validHeaderName(name) {
				return bad("header name %q", name)
			}
			s, err := headerScalar(v)
			if err != nil {
				return bad("headers %q: %v", name, err)
			}
			if !multiNames[http.CanonicalHeaderKey(name)] {
				pr.header.Add(name, s)
			}
		}
	}
	if b, ok := raw["body"]; ok && !isNull(b) {
		if err := json.Unmarshal(b, &pr.body); err != nil {
			return bad("body is not a string")
		}
	}
	if b, ok := raw["isBase64Encoded"]; ok && !isNull(b) {
		if err := json.Unmarshal(b, &pr.isBase64Encoded); err != nil {
			return bad("isBase64Encoded is not a boolean")
		}
	}
	return pr, nil
}

// parsedProxy is the outcome of parseProxyResponse, as memoized per output; integrate only reads it.
type parsedProxy struct {
	pr  proxyResponse
	err error
}

func parseProxyOutput(out []byte) parsedProxy {
	pr, err := parseProxyResponse(out)
	return parsedProxy{pr: pr, err: err}
}

// headerScalar reads a header value: a string, number or boolean, without CR, LF or NUL.
func headerScalar(raw json.RawMessage) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case json.Number:
		s = t.String()
	case bool:
		s = strconv.FormatBool(t)
	default:
		return "", fmt.Errorf("value is %s", jsonKind(v))
	}
	if !validHeaderValue(s) {
		return "", errors.New("value contains CR, LF or NUL")
	}
	return s, nil
}

// remappedHeaders are integration response headers API Gateway does not pass through as they
// are; it renames them x-amzn-Remapped-NAME.
func remappedHeader(canonical string) bool {
	switch canonical {
	case "Authorization", "Connection", "Content-Length", "Content-Md5", "Date", "Max-Forwards",
		"Proxy-Authenticate", "Server", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "User-Agent",
		"Via", "Www-Authenticate", "Warn":
		return true
	}
	return false
}

// integrate invokes the route's function with the proxy event and maps its response.
func (g *Gateway) integrate(r *http.Request, st *requestState, m routeMatch, body []byte, auth *authResult) (reply, *gatewayError, string) {
	ev := g.proxyEvent(r, st, m, body, auth)
	payload, err := marshalProxyEvent(&ev)
	if err != nil {
		return reply{}, errIntegrationFailure(), "encode_event"
	}
	if len(payload) > maxLambdaResponse {
		return reply{}, errInvocationRejected(), "event_too_large"
	}
	integrationCtx, cancel := context.WithTimeout(r.Context(), g.integrationTimeout)
	defer cancel()
	fnCtx := integrationCtx
	if d := g.cfg.FunctionTimeout[m.route.Function]; d > 0 && d < g.integrationTimeout {
		var cancelFn context.CancelFunc
		fnCtx, cancelFn = context.WithTimeout(integrationCtx, d)
		defer cancelFn()
	}
	out, err := g.invoker.invoke(fnCtx, g.functions[m.route.Function], payload)
	switch {
	case errors.Is(integrationCtx.Err(), context.DeadlineExceeded):
		return reply{}, errIntegrationTimeout(), "integration_timeout"
	case fnCtx.Err() != nil:
		return reply{}, errIntegrationFailure(), "function_timeout"
	case err != nil:
		return reply{}, errIntegrationFailure(), "function_error"
	case len(out) > maxLambdaResponse:
		return reply{}, errIntegrationFailure(), "response_too_large"
	}
	parsed := g.proxyParses.parse(out, parseProxyOutput)
	pr, err := parsed.pr, parsed.err
	if err != nil {
		return reply{}, errIntegrationFailure(), "malformed_response: " + err.Error()
	}
	h := http.Header{}
	for name, vals := range pr.header {
		if remappedHeader(name) {
			name = "X-Amzn-Remapped-" + name
		}
		h[name] = append(h[name], vals...)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set("X-Amzn-Requestid", st.id)
	h.Set("X-Amz-Apigw-Id", st.extendedID)
	h.Set("X-Amzn-Trace-Id", st.traceID)
	respBody := []byte(pr.body)
	if pr.isBase64Encoded && g.isBinary(firstAccept(r.Header.Get("Accept"))) {
		decoded, err := base64.StdEncoding.DecodeString(pr.body)
		if err != nil {
			return reply{}, errAPIConfiguration(), "bad_base64_body"
		}
		respBody = decoded
	}
	return reply{status: pr.status, header: h, body: respBody}, nil, "ok"
}
