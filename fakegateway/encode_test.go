package fakegateway

import (
	"encoding/json"
	"reflect"
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

func decodeObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b)
	}
	return m
}

// checkProxyEventJSON checks that the event on the wire is encoding/json's encoding of the events
// type with exactly the overrides encode.go lists, and nothing else changed.
func checkProxyEventJSON(t *testing.T, ev events.APIGatewayProxyRequest) {
	t.Helper()
	got, err := marshalProxyEvent(&ev, "dep123")
	if err != nil {
		t.Fatalf("marshalProxyEvent: %v", err)
	}
	plain, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	want := decodeObject(t, plain)
	if ev.Body == "" {
		want["body"] = nil
	}
	want["isBase64Encoded"] = ev.IsBase64Encoded
	rc := want["requestContext"].(map[string]any)
	rc["deploymentId"] = "dep123"
	if ev.RequestContext.Authorizer == nil {
		delete(rc, "authorizer")
	}
	identity := rc["identity"].(map[string]any)
	for _, k := range recordedIdentityKeys {
		if _, ok := identity[k]; !ok {
			identity[k] = nil
		}
	}
	if g := decodeObject(t, got); !reflect.DeepEqual(g, want) {
		t.Fatalf("event on the wire:\n got %s\nwant %v", got, want)
	}
}

func TestProxyEventJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote\back`, "<script>&amp;", "tab\tnl\ncr", "héllo", "\u2028", "emoji 😀"} {
		checkProxyEventJSON(t, sampleProxyEvent(s))
	}
	bare := events.APIGatewayProxyRequest{}
	checkProxyEventJSON(t, bare)
	withUser := sampleProxyEvent("u")
	withUser.RequestContext.Identity.User = "someone"
	withUser.RequestContext.Authorizer = nil
	checkProxyEventJSON(t, withUser)

	// The overrides themselves, as AWS recorded them.
	out, err := marshalProxyEvent(&bare, "dep123")
	if err != nil {
		t.Fatal(err)
	}
	m := decodeObject(t, out)
	rc := m["requestContext"].(map[string]any)
	if v, ok := m["body"]; !ok || v != nil {
		t.Errorf("body = %v (present %v), want null", v, ok)
	}
	if v, ok := m["isBase64Encoded"]; !ok || v != false {
		t.Errorf("isBase64Encoded = %v (present %v), want false", v, ok)
	}
	if _, ok := rc["authorizer"]; ok {
		t.Errorf("requestContext.authorizer is present without an authorizer: %s", out)
	}
	if rc["deploymentId"] != "dep123" {
		t.Errorf("requestContext.deploymentId = %v", rc["deploymentId"])
	}
	if id := rc["identity"].(map[string]any); len(id) != len(recordedIdentityKeys) || id["principalOrgId"] != nil || id["sourceIp"] != "" {
		t.Errorf("requestContext.identity = %v", id)
	}
}

func FuzzProxyEventJSON(f *testing.F) {
	f.Add("Bearer token")
	f.Add("<\x00\xff>")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) { checkProxyEventJSON(t, sampleProxyEvent(s)) })
}
