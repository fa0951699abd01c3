package fakegateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func sampleProxyEvent(s string) events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{
		Resource: "/items/{id}", Path: "/items/" + s, HTTPMethod: "POST",
		Headers:                         map[string]string{"B": s, "A": "x", s: "k", "<&>": "\u2028"},
		MultiValueHeaders:               map[string][]string{"B": {s, "y"}, "A": {}, "N": nil, s: {s}},
		QueryStringParameters:           map[string]string{"q": s},
		MultiValueQueryStringParameters: map[string][]string{"q": {s, s}},
		PathParameters:                  map[string]string{"id": s},
		StageVariables:                  map[string]string{},
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID: "123456789012", ResourceID: "abc123", Stage: "prod", DomainName: s, DomainPrefix: s,
			RequestID: "id", ExtendedRequestID: "e=", Protocol: "HTTP/1.1",
			Identity:     events.APIGatewayRequestIdentity{SourceIP: "127.0.0.1", UserAgent: s},
			ResourcePath: "/items/{id}", Path: "/prod/items/" + s,
			Authorizer: map[string]any{"principalId": s, "integrationLatency": int64(-3), s: s, "scope": "a b"},
			HTTPMethod: "POST", RequestTime: "01/Jan/2026:00:00:00 +0000", RequestTimeEpoch: 1767225600000, APIID: "fakegw0001",
		},
		Body: s, IsBase64Encoded: len(s)%2 == 1,
	}
}

func checkEncoders(t *testing.T, s string) {
	t.Helper()
	evs := []events.APIGatewayProxyRequest{sampleProxyEvent(s), {}}
	unusual := sampleProxyEvent(s)
	unusual.RequestContext.Identity.User = s + "u"
	unusual.RequestContext.Authorizer["f"] = 1.5
	evs = append(evs, unusual)
	for i, ev := range evs {
		got, err := marshalProxyEvent(&ev)
		want, werr := json.Marshal(ev)
		if err != nil || werr != nil || !bytes.Equal(got, want) {
			t.Fatalf("event %d for %q:\n got %s (%v)\nwant %s (%v)", i, s, got, err, want, werr)
		}
	}
	req := events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: s, MethodArn: "arn:" + s}
	got, err := marshalAuthorizerRequest(req)
	want, werr := json.Marshal(req)
	if err != nil || werr != nil || !bytes.Equal(got, want) {
		t.Fatalf("authorizer request for %q:\n got %s\nwant %s", s, got, want)
	}
}

func TestEncodersMatchEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "Bearer abc.def-ghi_jkl", `q"uote\back`, "<script>&amp;", "tab\tnl\ncr\r\b\f\x00\x1f\x7f",
		"héllo", "\u2028\u2029", "bad\xffutf8\xc3", "emoji 😀", "~ !#$%'()*+,/:;=?@[]^`{|}"} {
		checkEncoders(t, s)
	}
	for c := range 256 {
		checkEncoders(t, "a"+string([]byte{byte(c)})+"z")
	}
}

func TestEpochHexMatchesFmt(t *testing.T) {
	for _, sec := range []int64{0, 1, 0xfffffff, 0x10000000, 1767225600, 1 << 40, -1, -1767225600} {
		if got, want := epochHex(sec), fmt.Sprintf("%08x", sec); got != want {
			t.Errorf("epochHex(%d) = %q, want %q", sec, got, want)
		}
	}
}

func FuzzEncodersMatchEncodingJSON(f *testing.F) {
	f.Add("Bearer token")
	f.Add("<\x00\xff>")
	f.Fuzz(func(t *testing.T, s string) { checkEncoders(t, s) })
}
