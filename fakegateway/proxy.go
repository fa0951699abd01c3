package fakegateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
	requestPath string    // decoded resource path of the request, without the stage (for methodArn)
	eventPath   string    // the resource path as sent, without the stage: the event's path
	stagePath   string    // the path as sent from the stage on: requestContext.path
	methodARN   string
	facts       requestFacts
}

// proxyEvent builds the Lambda proxy integration event the way API Gateway (REST, payload 1.0)
// builds it.
func (g *Gateway) proxyEvent(r *http.Request, st *requestState, m routeMatch, body []byte, auth *authResult) events.APIGatewayProxyRequest {
	headers := map[string]string{}
	multi := map[string][]string{}
	for k, vs := range r.Header {
		if len(vs) == 0 || k == "Content-Length" || k == "Connection" {
			// AWS's recorded events carry neither, a POST with a body included
			// (test_lambda_aws_proxy_integration).
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
		Path:                            st.eventPath,
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
			Path:             st.stagePath,
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

// proxyResponse is a function's Lambda proxy response as the gateway reads it.
type proxyResponse struct {
	status int
	// header holds the names as the function spelled them: a name in both multiValueHeaders and
	// headers takes multiValueHeaders' spelling and carries both maps' values.
	header          http.Header
	body            string
	isBase64Encoded bool
}

// parseProxyResponse reads a function's output as a REST API reads a Lambda proxy response. What
// AWS recorded (test_aws_proxy_response_payload_format_validation in localstack/localstack
// tests/aws/services/apigateway/test_apigateway_lambda.snapshot.json) decides each rule:
//
//   - the output is a JSON object (a bare string is 502) whose keys are among statusCode, headers,
//     multiValueHeaders, body and isBase64Encoded (any other key is 502); none is required;
//   - statusCode absent is 200; a string holding a number counts as that number ("201" is 201);
//     any other string is 502;
//   - header values may be strings or booleans (true is sent as "true"); a multiValueHeaders
//     value that is not a list is 502; headers: null is no headers;
//   - a name in both multiValueHeaders and headers, in any case, is sent with the multi values
//     then the single one, under multiValueHeaders' spelling; a value already among the multi
//     values is not repeated (the AWS documentation's "Output format of a Lambda function for
//     proxy integration": "If the same key-value pair is specified in both, only the values from
//     multiValueHeaders will appear in the merged list").
//
// Rules no recording settles keep the stricter reading and say so in docs/fakes.md: a statusCode
// outside 100-599 or not an integer, a body or isBase64Encoded of another JSON type, a header
// value that is an object, a list or null, and a header name or value the gateway could not put on
// the wire (CR, LF, NUL) are 502; statusCode null counts as absent; numbers are accepted as
// header values.
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
	pr := proxyResponse{status: http.StatusOK, header: http.Header{}}
	if sc, ok := raw["statusCode"]; ok && !isNull(sc) {
		code, err := statusCode(sc)
		if err != nil {
			return bad("%v", err)
		}
		pr.status = code
	}
	if mv, ok := raw["multiValueHeaders"]; ok && !isNull(mv) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(mv, &m); err != nil {
			return bad("multiValueHeaders is not an object")
		}
		for _, name := range slices.Sorted(maps.Keys(m)) {
			var vals []json.RawMessage
			if err := json.Unmarshal(m[name], &vals); err != nil {
				return bad("multiValueHeaders %q is not a list", name)
			}
			for _, v := range vals {
				if err := addProxyHeader(pr.header, name, v, false); err != nil {
					return bad("multiValueHeaders %q: %v", name, err)
				}
			}
		}
	}
	if hv, ok := raw["headers"]; ok && !isNull(hv) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(hv, &m); err != nil {
			return bad("headers is not an object")
		}
		for _, name := range slices.Sorted(maps.Keys(m)) {
			if err := addProxyHeader(pr.header, name, m[name], true); err != nil {
				return bad("headers %q: %v", name, err)
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

// statusCode reads statusCode: a JSON integer, or a string holding one, from 100 to 599.
func statusCode(raw json.RawMessage) (int, error) {
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		var num json.Number
		if err := json.Unmarshal(raw, &num); err != nil {
			return 0, errors.New("statusCode is not a number")
		}
		text = num.String()
	}
	code, err := strconv.Atoi(text)
	if err != nil || code < 100 || code > 599 {
		return 0, fmt.Errorf("statusCode %s is not an HTTP status code", raw)
	}
	return code, nil
}

// addProxyHeader adds one value to h under the spelling of name h already holds, or under name as
// it is; with once, a value h already holds for the name is not added again.
func addProxyHeader(h http.Header, name string, raw json.RawMessage, once bool) error {
	if !validHeaderName(name) {
		return errors.New("not a header name")
	}
	v, err := headerScalar(raw)
	if err != nil {
		return err
	}
	key := headerKey(h, name)
	if once && slices.Contains(h[key], v) {
		return nil
	}
	h[key] = append(h[key], v)
	return nil
}

// headerKey returns the key of h that equals name without regard to case, or name.
func headerKey(h http.Header, name string) string {
	for k := range h {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
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
	payload, err := marshalProxyEvent(&ev, g.deploymentID)
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
	pr, err := parseProxyResponse(out)
	if err != nil {
		return reply{}, errIntegrationFailure(), "malformed_response: " + err.Error()
	}
	h := http.Header{}
	for name, vals := range pr.header {
		if remappedHeader(http.CanonicalHeaderKey(name)) {
			name = "x-amzn-Remapped-" + name
		}
		h[name] = append(h[name], vals...)
	}
	if _, ok := h[headerKey(h, "Content-Type")]; !ok {
		h.Set("Content-Type", "application/json")
	}
	for name, value := range map[string]string{"X-Amzn-Requestid": st.id, "X-Amz-Apigw-Id": st.extendedID, "X-Amzn-Trace-Id": st.traceID} {
		delete(h, headerKey(h, name))
		h.Set(name, value)
	}
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
