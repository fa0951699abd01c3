package scenarios

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/fakegateway"
)

// The Lambda proxy integration as AWS recorded it: GW-15 and GW-16 replay,
// against the fake gateway, the AWS-validated snapshot that LocalStack keeps
// in localstack/localstack
// tests/aws/services/apigateway/test_apigateway_lambda.snapshot.json
// (recorded against AWS; the test code beside it says what each request
// sent). Every entry names the recorded case it replays.
const recordedSnapshot = "test_apigateway_lambda.snapshot.json"

// responseFromBody is the recorded test's function (LAMBDA_RESPONSE_FROM_BODY
// in test_apigateway_lambda.py) in Go: it answers with the JSON document the
// client posted, so each request scripts the function's response. Like the
// Python original it fails — a function error — when the event has no body
// (json.loads(None) raises) or a body that is not JSON.
var responseFromBody = fakegateway.FunctionFunc(func(_ context.Context, payload []byte) ([]byte, error) {
	var ev map[string]json.RawMessage
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	var body *string
	if err := json.Unmarshal(ev["body"], &body); err != nil || body == nil {
		return nil, errors.New("TypeError: the JSON object must be str, bytes or bytearray, not NoneType")
	}
	doc := []byte(*body)
	var encoded bool
	if raw, ok := ev["isBase64Encoded"]; ok && json.Unmarshal(raw, &encoded) == nil && encoded {
		decoded, err := base64.StdEncoding.DecodeString(*body)
		if err != nil {
			return nil, err
		}
		doc = decoded
	}
	if !json.Valid(doc) {
		return nil, errors.New("JSONDecodeError: the body is not JSON")
	}
	return doc, nil
})

// echoEvent is the recorded event test's function (lambda_aws_proxy.py):
// it answers 200 with the event it received as the body.
var echoEvent = fakegateway.FunctionFunc(func(_ context.Context, payload []byte) ([]byte, error) {
	return json.Marshal(map[string]any{"statusCode": 200, "body": string(payload)})
})

// unusedAuthorizer stands in for the implementation's authorizer on stacks
// whose requests only reach the recorded routes, which have none: it spares
// starting a function, and fails the request if the gateway called it.
var unusedAuthorizer = fakegateway.FunctionFunc(func(context.Context, []byte) ([]byte, error) {
	return nil, errors.New("the recorded routes have no authorizer, yet it was invoked")
})

// recordedRoutes are the recorded tests' resources: ANY /{proxy+} and ANY
// /hardcoded, both with authorizationType NONE.
var recordedRoutes = []fakegateway.Route{
	{Method: "ANY", Path: "/{proxy+}", NoAuth: true},
	{Method: "ANY", Path: "/hardcoded", NoAuth: true},
}

// gatewayProxy registers GW-15 and GW-16.
func (s *suite) gatewayProxy() {
	s.gatewayProxyResponses()
	s.gatewayProxyEvent()
}

// recordedAnswer is what a client of the recorded test received: the status,
// the body (exact bytes when raw, else compared as JSON) and headers, each
// header's values joined with ", " as the recording's client joined them.
type recordedAnswer struct {
	status  int
	body    string
	raw     bool
	headers map[string]string
}

// recordedInternalError is the recorded 502 body, byte for byte as AWS
// sends it (with the space after the colon).
var recordedInternalError = recordedAnswer{status: 502, body: internalError, raw: true,
	headers: map[string]string{"Content-Type": "application/json", "X-Amzn-Errortype": "InternalServerErrorException"}}

// recordedEmpty is the recorded 200 with an empty body: API Gateway's
// default Content-Type is application/json even so.
func recordedEmpty(status int, headers map[string]string) recordedAnswer {
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range headers {
		h[k] = v
	}
	return recordedAnswer{status: status, body: "", raw: true, headers: h}
}

// gatewayProxyResponses: GW-15, every case of
// test_aws_proxy_response_payload_format_validation (recorded 15-11-2024).
// Each request posts the response the function is to return, as the
// recorded test did (requests' json=, so an empty object sends no body).
func (s *suite) gatewayProxyResponses() {
	ginkgo.DescribeTable("parses the Lambda proxy response as AWS recorded it",
		func(posted string, want recordedAnswer) {
			s.require("GW-15")
			st := s.newStack(stackOptions{integration: responseFromBody, extraRoutes: recordedRoutes, authorizer: unusedAuthorizer})
			req, err := http.NewRequest(http.MethodPost, st.gateway.StageURL()+"/test", strings.NewReader(posted))
			gomega.Expect(err).NotTo(gomega.HaveOccurred())
			req.Header.Set("User-Agent", "python/test")
			if posted != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			r := s.send(req)
			gomega.Expect(r.err).NotTo(gomega.HaveOccurred(), "no answer")
			gomega.Expect(r.status).To(gomega.Equal(want.status), "status; got %s", r)
			if want.raw {
				gomega.Expect(r.body).To(gomega.Equal(want.body), "body; got %s", r)
			} else {
				gomega.Expect(r.body).To(gomega.MatchJSON(want.body), "body; got %s", r)
			}
			for name, value := range want.headers {
				gomega.Expect(strings.Join(r.header.Values(name), ", ")).To(gomega.Equal(value), "header %s; got %v", name, r.header)
			}
		},
		gwRecorded("GW-15", "invoke-api-no-body: statusCode only", `{"statusCode": 200}`, recordedEmpty(200, nil)),
		gwRecorded("GW-15", "invoke-api-with-headers: a boolean header value is sent as true",
			`{"statusCode": 200, "headers": {"test-header": "value", "header-bool": true}}`,
			recordedEmpty(200, map[string]string{"test-header": "value", "header-bool": "true"})),
		gwRecorded("GW-15", "invoke-api-with-headers-null: headers null", `{"statusCode": 200, "headers": null}`, recordedEmpty(200, nil)),
		gwRecorded("GW-15", "invoke-api-wrong-format: a key that is not part of the format", `{"statusCode": 200, "wrongValue": "value"}`, recordedInternalError),
		gwRecorded("GW-15", "invoke-api-empty-response: no request body, so the recorded function fails", ``, recordedInternalError),
		gwRecorded("GW-15", "invoke-api-b64-encoded-true: without binary media types the body passes as it is",
			`{"statusCode": 200, "body": "dGVzdC1kYXRh", "isBase64Encoded": true}`, recordedAnswer{status: 200, body: "dGVzdC1kYXRh", raw: true}),
		gwRecorded("GW-15", "invoke-api-b64-encoded-false", `{"statusCode": 200, "body": "dGVzdC1kYXRh"}`, recordedAnswer{status: 200, body: "dGVzdC1kYXRh", raw: true}),
		gwRecorded("GW-15", "invoke-api-multi-headers-valid: both values of a multi-value header",
			`{"statusCode": 200, "multiValueHeaders": {"test-multi": ["value1", "value2"]}}`,
			recordedEmpty(200, map[string]string{"test-multi": "value1, value2"})),
		gwRecorded("GW-15", "invoke-api-multi-headers-overwrite: a header in both maps is sent with both values",
			`{"statusCode": 200, "multiValueHeaders": {"test-multi": ["value-multi"]}, "headers": {"test-multi": "value-solo"}}`,
			recordedEmpty(200, map[string]string{"test-multi": "value-multi, value-solo"})),
		gwRecorded("GW-15", "invoke-api-multi-headers-overwrite-casing: the names merge whatever their case",
			`{"statusCode": 200, "multiValueHeaders": {"tesT-Multi": ["value-multi"]}, "headers": {"test-multi": "value-solo"}}`,
			recordedEmpty(200, map[string]string{"tesT-Multi": "value-multi, value-solo"})),
		gwRecorded("GW-15", "invoke-api-multi-headers-invalid: a multi-value header that is not a list",
			`{"statusCode": 200, "multiValueHeaders": {"test-multi-invalid": "value1"}}`, recordedInternalError),
		gwRecorded("GW-15", "invoke-api-invalid-status-code: a statusCode that is not a number", `{"statusCode": "test"}`, recordedInternalError),
		gwRecorded("GW-15", "invoke-api-status-code-str: a statusCode given as a string", `{"statusCode": "201"}`, recordedEmpty(201, nil)),
		gwRecorded("GW-15", "invoke-api-just-string: a bare JSON string", `"justAString"`, recordedInternalError),
		gwRecorded("GW-15", "invoke-api-only-headers: no statusCode is 200", `{"headers": {"test-header": "value"}}`, recordedEmpty(200, map[string]string{"test-header": "value"})),
	)
}

// gwRecorded is one entry replaying a recorded case of the snapshot.
func gwRecorded(id, what string, args ...any) ginkgo.TableEntry {
	return ginkgo.Entry(id+": "+what+" (recorded in "+recordedSnapshot+")", append([]any{specLabels(id, Required)}, args...)...)
}

// The recorded event's keys (test_lambda_aws_proxy_integration, recorded
// 02-08-2024). requestContext.authorizer is absent on those NONE routes and
// present behind an authorizer; identity holds every key, null when unknown.
var (
	recordedEventKeys = []string{"body", "headers", "httpMethod", "isBase64Encoded", "multiValueHeaders",
		"multiValueQueryStringParameters", "path", "pathParameters", "queryStringParameters", "requestContext",
		"resource", "stageVariables"}
	recordedRequestContextKeys = []string{"accountId", "apiId", "deploymentId", "domainName", "domainPrefix",
		"extendedRequestId", "httpMethod", "identity", "path", "protocol", "requestId", "requestTime",
		"requestTimeEpoch", "resourceId", "resourcePath", "stage"}
	recordedIdentityKeys = []string{"accessKey", "accountId", "caller", "cognitoAuthenticationProvider",
		"cognitoAuthenticationType", "cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "sourceIp",
		"user", "userAgent", "userArn"}
	// recordedHeaderAbsent are request headers the recorded events never carry.
	recordedHeaderAbsent = []string{"Content-Length", "Connection"}
)

// eventRequest is what a recorded event case sent: method, path below the
// stage (with its query; below the host when fromRoot), body and headers.
type eventRequest struct {
	method, path, body string
	header             map[string]string
	fromRoot           bool // path is the whole URL path, stage included
	authorized         bool // send a valid token to the template's GET /profile
}

// gatewayProxyEvent: GW-16, the event of test_lambda_aws_proxy_integration:
// its shape (keys, nulls, types) on every request, and each case's values.
func (s *suite) gatewayProxyEvent() {
	ginkgo.DescribeTable("builds the Lambda proxy event as AWS recorded it",
		func(in eventRequest, want map[string]any) {
			s.require("GW-16")
			o := stackOptions{integration: echoEvent, extraRoutes: recordedRoutes}
			if !in.authorized {
				o.authorizer = unusedAuthorizer
			}
			st := s.newStack(o)
			var body io.Reader
			if in.body != "" {
				body = strings.NewReader(in.body)
			}
			base := st.gateway.StageURL()
			if in.fromRoot {
				base = st.gateway.URL
			}
			req, err := http.NewRequest(in.method, base+in.path, body)
			gomega.Expect(err).NotTo(gomega.HaveOccurred())
			for k, v := range in.header {
				req.Header.Set(k, v)
			}
			if in.authorized {
				req.Header.Set("Authorization", validBearer(st.tenant))
			}
			r := s.send(req)
			gomega.Expect(r.err).NotTo(gomega.HaveOccurred(), "no answer")
			gomega.Expect(r.status).To(gomega.Equal(200), "status; got %s", r)
			var ev map[string]any
			gomega.Expect(json.Unmarshal([]byte(r.body), &ev)).To(gomega.Succeed(), "the event; got %s", r)
			expectRecordedShape(ev, in.authorized)
			for key, value := range want {
				var match any = value
				if value == nil {
					match = gomega.BeNil() // Equal refuses nil
				}
				in := ev
				if name, ok := strings.CutPrefix(key, "requestContext."); ok {
					in, key = ev["requestContext"].(map[string]any), name
				}
				gomega.Expect(in).To(gomega.HaveKeyWithValue(key, match), "event.%s; got %s", key, r.body)
			}
			headers, _ := ev["headers"].(map[string]any)
			for k, v := range in.header {
				gomega.Expect(headers).To(gomega.HaveKeyWithValue(http.CanonicalHeaderKey(k), v), "event.headers; got %s", r.body)
			}
		},
		gwRecorded("GW-16", "invocation-payload-without-trailing-slash: a GET without body or query",
			eventRequest{method: "GET", path: "/proxy-value", header: map[string]string{"User-Agent": "python-requests/testing", "Authorization": "random-value"}},
			map[string]any{"body": nil, "isBase64Encoded": false, "resource": "/{proxy+}", "path": "/proxy-value",
				"pathParameters": map[string]any{"proxy": "proxy-value"}, "queryStringParameters": nil,
				"multiValueQueryStringParameters": nil, "stageVariables": nil, "httpMethod": "GET"}),
		gwRecorded("GW-16", "invocation-payload-with-trailing-slash: kept in path, not in the parameter",
			eventRequest{method: "GET", path: "/proxy-value/", header: map[string]string{"User-Agent": "python-requests/testing"}},
			map[string]any{"path": "/proxy-value/", "pathParameters": map[string]any{"proxy": "proxy-value"}, "requestContext.path": "/prod/proxy-value/"}),
		gwRecorded("GW-16", "invocation-payload-with-double-slash: kept inside the greedy parameter",
			eventRequest{method: "GET", path: "/proxy-value//double-slash", header: map[string]string{"User-Agent": "python-requests/testing"}},
			map[string]any{"path": "/proxy-value//double-slash", "pathParameters": map[string]any{"proxy": "proxy-value//double-slash"}}),
		gwRecorded("GW-16", "invocation-payload-with-prepended-slash-to-stage: ignored",
			eventRequest{method: "GET", path: "//prod/proxy-value", fromRoot: true, header: map[string]string{"User-Agent": "python-requests/testing"}},
			map[string]any{"path": "/proxy-value", "pathParameters": map[string]any{"proxy": "proxy-value"}, "requestContext.path": "/prod/proxy-value"}),
		gwRecorded("GW-16", "invocation-payload-with-prepended-slash: dropped from path, kept in requestContext.path",
			eventRequest{method: "GET", path: "//proxy-value", header: map[string]string{"User-Agent": "python-requests/testing"}},
			map[string]any{"path": "/proxy-value", "pathParameters": map[string]any{"proxy": "proxy-value"}, "requestContext.path": "/prod//proxy-value"}),
		gwRecorded("GW-16", "invocation-payload-with-path-encoded-email: the path as sent, percent-encoding kept",
			eventRequest{method: "GET", path: "/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com", header: map[string]string{"User-Agent": "python-requests/testing"}},
			map[string]any{"path": "/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
				"pathParameters": map[string]any{"proxy": "proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com"}}),
		gwRecorded("GW-16", "invocation-payload-without-trailing-slash-and-query-params",
			eventRequest{method: "GET", path: "/proxy-value?urlparam=test", header: map[string]string{"User-Agent": "python-requests/testing"}},
			map[string]any{"body": nil, "queryStringParameters": map[string]any{"urlparam": "test"},
				"multiValueQueryStringParameters": map[string]any{"urlparam": []any{"test"}}}),
		gwRecorded("GW-16", "invocation-payload-with-params-encoding: query values decoded as recorded",
			eventRequest{method: "GET", path: "/proxy-value/api?dateTimeOffset=2023-06-12T18:05:10.123456+00:00&email=test%2Balias@gmail.com&plus=test+alias@gmail.com&url=https://www.google.com/&whitespace=foo%20bar&zhash=abort/",
				header: map[string]string{"User-Agent": "python-requests/testing"}},
			map[string]any{"path": "/proxy-value/api", "pathParameters": map[string]any{"proxy": "proxy-value/api"},
				"queryStringParameters": map[string]any{"dateTimeOffset": "2023-06-12T18:05:10.123456 00:00", "email": "test+alias@gmail.com",
					"plus": "test alias@gmail.com", "url": "https://www.google.com/", "whitespace": "foo bar", "zhash": "abort/"}}),
		gwRecorded("GW-16", "invocation-payload-with-params-encoding-multi: a POST body and repeated query keys",
			eventRequest{method: "POST", path: "/proxy-value?category=electronics&category=books&price=10&price=20&price=30", body: `{"message": "hello world"}`,
				header: map[string]string{"Content-Type": "application/json;charset=utf-8", "User-Agent": "python-requests/testing"}},
			map[string]any{"body": `{"message": "hello world"}`, "isBase64Encoded": false, "httpMethod": "POST",
				"queryStringParameters":           map[string]any{"category": "books", "price": "30"},
				"multiValueQueryStringParameters": map[string]any{"category": []any{"electronics", "books"}, "price": []any{"10", "20", "30"}}}),
		gwRecorded("GW-16", "invocation-hardcoded: a resource without path parameters, after a double slash",
			eventRequest{method: "GET", path: "//hardcoded", header: map[string]string{"User-Agent": "python-requests/testing"}},
			map[string]any{"resource": "/hardcoded", "path": "/hardcoded", "pathParameters": nil, "body": nil, "requestContext.path": "/prod//hardcoded"}),
		gwRecorded("GW-16", "the same shape behind the template's authorizer, with requestContext.authorizer",
			eventRequest{method: "GET", path: "/profile", authorized: true},
			map[string]any{"resource": "/profile", "body": nil, "isBase64Encoded": false}),
	)
}

// expectRecordedShape checks the keys of the event, its requestContext and
// identity against the recording: the same keys (authorizer only behind an
// authorizer), identity's unknown keys null, multiValueHeaders a list per
// header of headers, and no header the recording never carries.
func expectRecordedShape(ev map[string]any, authorized bool) {
	ginkgo.GinkgoHelper()
	gomega.Expect(keysOf(ev)).To(gomega.Equal(recordedEventKeys), "the event's keys")
	rc, ok := ev["requestContext"].(map[string]any)
	gomega.Expect(ok).To(gomega.BeTrue(), "requestContext is an object")
	wantRC := recordedRequestContextKeys
	if authorized {
		wantRC = append(slices.Clone(wantRC), "authorizer")
		slices.Sort(wantRC)
		gomega.Expect(rc["authorizer"]).To(gomega.HaveKey("principalId"), "requestContext.authorizer")
	}
	gomega.Expect(keysOf(rc)).To(gomega.Equal(wantRC), "requestContext's keys")
	gomega.Expect(rc["deploymentId"]).To(gomega.BeAssignableToTypeOf(""), "requestContext.deploymentId")
	gomega.Expect(rc["requestTimeEpoch"]).To(gomega.BeNumerically(">", 0), "requestContext.requestTimeEpoch")
	identity, ok := rc["identity"].(map[string]any)
	gomega.Expect(ok).To(gomega.BeTrue(), "requestContext.identity is an object")
	gomega.Expect(keysOf(identity)).To(gomega.Equal(recordedIdentityKeys), "requestContext.identity's keys")
	for k, v := range identity {
		if k == "sourceIp" || k == "userAgent" {
			gomega.Expect(v).To(gomega.BeAssignableToTypeOf(""), "identity.%s", k)
			continue
		}
		gomega.Expect(v).To(gomega.BeNil(), "identity.%s is null when unknown", k)
	}
	headers, _ := ev["headers"].(map[string]any)
	multi, _ := ev["multiValueHeaders"].(map[string]any)
	gomega.Expect(keysOf(multi)).To(gomega.Equal(keysOf(headers)), "multiValueHeaders has the names of headers")
	for name, values := range multi {
		list, ok := values.([]any)
		gomega.Expect(ok && len(list) > 0).To(gomega.BeTrue(), "multiValueHeaders.%s is a list", name)
		gomega.Expect(list[len(list)-1]).To(gomega.Equal(headers[name]), "headers.%s is the last of multiValueHeaders.%s", name, name)
	}
	for _, name := range recordedHeaderAbsent {
		gomega.Expect(headers).NotTo(gomega.HaveKey(name), "the recorded events carry no %s header", name)
	}
}

func keysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
