package fakegateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// The payload format 2.0 event and response, as "Create AWS Lambda proxy integrations for HTTP
// APIs in API Gateway" (section "Payload format version") documents them:
//
//   - version "2.0"; routeKey "METHOD /path"; rawPath and rawQueryString as sent;
//   - header names in lower case, duplicate headers combined with commas; the Cookie header
//     moved to the cookies list; duplicate query string parameters combined with commas;
//   - requestContext with accountId, apiId, domainName, domainPrefix, http (method, path,
//     protocol, sourceIp, userAgent), requestId, routeKey, stage, time, timeEpoch, and the
//     authorizer's output (jwt.claims/jwt.scopes, or lambda);
//   - the response: statusCode, headers, cookies, body, isBase64Encoded; "If your Lambda
//     function returns valid JSON and doesn't return a statusCode, API Gateway assumes" 200,
//     content-type application/json and the function's answer as the body.

// httpTimeLayout is requestContext.time's format ("12/Mar/2020:19:03:58 +0000" in the docs).
const httpTimeLayout = "02/Jan/2006:15:04:05 -0700"

// event builds the integration's (and the Lambda authorizer's) view of the request.
func (g *HTTPGateway) event(r *http.Request, id string, route HTTPRoute, params map[string]string, rawPath string, body []byte, now time.Time) events.APIGatewayV2HTTPRequest {
	routeKey := route.Method + " " + route.Path
	headers := map[string]string{}
	var cookies []string
	for name, vs := range r.Header {
		lower := strings.ToLower(name)
		if lower == "cookie" {
			for _, v := range vs {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		if prev, ok := headers[lower]; ok {
			headers[lower] = prev + "," + strings.Join(vs, ",")
		} else {
			headers[lower] = strings.Join(vs, ",")
		}
	}
	host := r.Host
	headers["host"] = host
	var query map[string]string
	if q := r.URL.Query(); len(q) > 0 {
		query = make(map[string]string, len(q))
		for k, vs := range q {
			query[k] = strings.Join(vs, ",")
		}
	}
	sourceIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		sourceIP = r.RemoteAddr
	}
	domainPrefix, _, _ := strings.Cut(host, ".")
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               rawPath,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        params,
		StageVariables:        g.cfg.StageVariables,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    g.accountID,
			Stage:        g.cfg.Stage,
			RequestID:    id,
			APIID:        g.apiID,
			DomainName:   host,
			DomainPrefix: domainPrefix,
			Time:         now.UTC().Format(httpTimeLayout),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      rawPath,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if textual(r.Header.Get("Content-Type"), body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// textual reports whether a body goes to the function as text: a text/*, JSON, XML or form
// content type holding valid UTF-8. Anything else is base64-encoded (isBase64Encoded true), as
// API Gateway does for bodies it does not treat as text; the exact rule is not documented for
// HTTP APIs (no source found), this is the conservative reading.
func textual(contentType string, body []byte) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	text := strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "application/xml" ||
		mt == "application/x-www-form-urlencoded" || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml")
	return text && utf8.Valid(body)
}

// integrate invokes the route's function with the payload 2.0 event and turns its answer into
// the HTTP response. A function error or an answer that is not JSON is 500 {"message":"Internal
// Server Error"}; the integration timeout is 503 (see httpMsgUnavailable).
func (g *HTTPGateway) integrate(ctx context.Context, route HTTPRoute, req events.APIGatewayV2HTTPRequest) (reply, string) {
	payload, err := json.Marshal(req)
	if err != nil {
		return gatewayJSON(http.StatusInternalServerError, httpMsgInternal), "event_unencodable"
	}
	timeout := g.integrationTimeout
	functionTimeout := g.cfg.FunctionTimeout[route.Function]
	if functionTimeout > 0 && functionTimeout < timeout {
		timeout = functionTimeout
	}
	ictx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := g.invoker.invoke(ictx, g.functions[route.Function], payload)
	if err != nil {
		if errors.Is(ictx.Err(), context.DeadlineExceeded) {
			if timeout < g.integrationTimeout {
				// Lambda ended the function at its own timeout: a function error to API Gateway.
				return gatewayJSON(http.StatusInternalServerError, httpMsgInternal), "function_timeout"
			}
			return gatewayJSON(http.StatusServiceUnavailable, httpMsgUnavailable), "integration_timeout"
		}
		return gatewayJSON(http.StatusInternalServerError, httpMsgInternal), "integration_error"
	}
	rep, ok := v2Response(out)
	if !ok {
		return gatewayJSON(http.StatusInternalServerError, httpMsgInternal), "integration_malformed"
	}
	return rep, ""
}

// v2Response reads a function's payload 2.0 answer; ok is false when API Gateway could not use it.
func v2Response(out []byte) (reply, bool) {
	out = bytes.TrimSpace(out)
	if !json.Valid(out) {
		return reply{}, false
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(out, &probe) != nil || probe["statusCode"] == nil {
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		return reply{status: http.StatusOK, header: h, body: slices.Clone(out)}, true
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode < 100 || resp.StatusCode > 599 {
		return reply{}, false
	}
	h := http.Header{}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return reply{}, false
		}
		body = b
	}
	return reply{status: resp.StatusCode, header: h, body: body}, true
}

// lambdaContext is requestContext.authorizer for a Lambda authorizer's context.
func lambdaContext(values map[string]any) *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
	if values == nil {
		values = map[string]any{}
	}
	return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: values}
}
