package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/serverless-auth/serverless-auth/internal/logbuffer"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/handlertrace"
)

// invokePayloads are event documents for Invoke: API Gateway's TOKEN
// event and everything around it that encoding/json reads its own way.
func invokePayloads(t testing.TB, f *fixture) [][]byte {
	t.Helper()
	tok := f.token(t)
	odd := f.claims()
	odd["sub"] = "dé\u2028\u2029<>&\"\\\x01\x7f\t\n/x"
	odd["scope"] = "a\"b <c>"
	oddTok := mint(t, f.key, nil, odd)
	ev := func(fields ...string) []byte { return []byte("{" + strings.Join(fields, ",") + "}") }
	q := func(s string) string { return string(mustJSON(t, s)) }
	typ, auth, arn := `"type":"TOKEN"`, `"authorizationToken":`+q("Bearer "+tok), `"methodArn":`+q(testARN)
	return [][]byte{
		ev(typ, auth, arn),
		mustJSON(t, tokenEvent("Bearer "+tok)),
		mustJSON(t, tokenEvent("Bearer "+oddTok)),
		mustJSON(t, tokenEvent("bearer "+tok)),
		mustJSON(t, tokenEvent("Bearer "+tok+"x")),
		mustJSON(t, tokenEvent("")),
		mustJSON(t, events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: "arn:aws:execute-api:eu-west-1:1:a/prod/GET/p\u00e9/<x>\"y\""}),
		mustJSON(t, events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: "not an arn"}),
		ev(auth, arn),
		ev(arn, auth),
		[]byte(" \n\t" + string(ev(typ, auth, arn)) + " \r\n"),
		[]byte(string(ev(typ, auth, arn)) + " trailing"),
		[]byte(string(ev(typ, auth, arn)) + "{}"),
		ev(typ, auth, arn, `"authorizationToken":"Bearer x"`),
		ev(typ, `"authorizationToken":"Bearer x"`, auth, arn),
		ev(typ, auth, arn, `"authorizationToken":null`),
		ev(typ, auth, arn, `"AuthorizationToken":"Bearer x"`),
		ev(typ, `"AUTHORIZATIONTOKEN":`+q("Bearer "+tok), arn),
		ev(typ, `"authorizationtoken":`+q("Bearer "+tok), arn),
		ev(typ, auth, arn, `"extra":{"a":[1,2]}`),
		ev(typ, auth, `"methodArn":1`),
		ev(typ, auth, `"methodArn":["x"]`),
		ev(`"type":null`, auth, arn),
		ev(typ, `"authorizationToken":"Bearer \u0041"`, arn),
		ev(typ, `"\u0061uthorizationToken":`+q("Bearer "+tok), arn),
		ev(typ, `"authorizationToken":"Bearer `+tok[:10]+`\`+tok[10:]+`"`, arn),
		ev(typ, "\"authorizationToken\":\"Bearer \xff\"", arn),
		[]byte(`{}`),
		[]byte(`null`),
		[]byte(`[]`),
		[]byte(`"TOKEN"`),
		[]byte(``),
		[]byte(` `),
		[]byte(`{`),
		[]byte(`{"type":"TOKEN",}`),
		[]byte(`{"type":1e400}`),
	}
}

// sameInvoke fails t unless Invoke answers payload as
// lambda.NewHandler(a.Authorize) does, and calls the trace hooks with the
// same values.
func sameInvoke(t *testing.T, f *fixture, payload []byte) {
	t.Helper()
	type traced struct{ req, resp []any }
	run := func(h func(context.Context, []byte) ([]byte, error)) ([]byte, error, traced) {
		var tr traced
		ctx := handlertrace.NewContext(lambdaCtx("req-invoke"), handlertrace.HandlerTrace{
			RequestEvent:  func(_ context.Context, ev any) { tr.req = append(tr.req, ev) },
			ResponseEvent: func(_ context.Context, resp any) { tr.resp = append(tr.resp, resp) },
		})
		out, err := h(ctx, payload)
		return out, err, tr
	}
	want, wantErr, wantTrace := run(lambda.NewHandler(f.a.Authorize).Invoke)
	got, gotErr, gotTrace := run(f.a.Invoke)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !bytes.Equal(got, want) {
		t.Fatalf("payload %q:\nInvoke       %s, %v\naws-lambda-go %s, %v", payload, got, gotErr, want, wantErr)
	}
	if !reflect.DeepEqual(gotTrace, wantTrace) {
		t.Fatalf("payload %q: trace hooks got %+v, want %+v", payload, gotTrace, wantTrace)
	}
}

// TestInvokeMatchesReflectiveHandler: Invoke is byte for byte
// lambda.NewHandler(a.Authorize), under both policy resource modes.
func TestInvokeMatchesReflectiveHandler(t *testing.T) {
	for _, mode := range []PolicyResource{PolicyResourceMethod, PolicyResourceStage} {
		f := newFixture(t, func(c *Config) { c.PolicyResource = mode })
		for _, p := range invokePayloads(t, f) {
			sameInvoke(t, f, p)
		}
	}
}

func TestInvokeAllowJSON(t *testing.T) {
	f := newFixture(t, nil)
	out, err := f.a.Invoke(context.Background(), mustJSON(t, tokenEvent("Bearer "+f.token(t))))
	if err != nil {
		t.Fatal(err)
	}
	var resp events.APIGatewayCustomAuthorizerResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	want := allowResponse(testSub, testARN, testScope)
	if !reflect.DeepEqual(resp, want) {
		t.Fatalf("Invoke = %+v, want %+v", resp, want)
	}
	if n := len(logLines(t, f.logs, "authorize")); n != 1 {
		t.Fatalf("%d decision lines, want 1", n)
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `"`, `\`, "\x00\x1f\x7f", "<>&", "é", "\u2028\u2029", "\xff\xfe", "a\tb\nc\rd\be\f"} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got, want := string(appendJSONString(nil, s)), strings.TrimSuffix(buf.String(), "\n"); got != want {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
}

// FuzzInvoke: for any payload, Invoke and aws-lambda-go's reflective
// handler answer the same bytes and the same error.
func FuzzInvoke(f *testing.F) {
	fx := newFixture(f, nil)
	fx.a.logger = discardLogger()
	for _, p := range invokePayloads(f, fx) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, payload []byte) { sameInvoke(t, fx, payload) })
}

// TestDecisionLineSource: a handler that adds the source still gets the
// decision line's call site, though the stack is no longer unwound per line.
func TestDecisionLineSource(t *testing.T) {
	f := newFixture(t, nil)
	var buf logbuffer.Buffer
	f.a.logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{AddSource: true}))
	for range 2 {
		if _, err := f.a.Authorize(lambdaCtx("req-src"), tokenEvent("Bearer "+f.token(t))); err != nil {
			t.Fatal(err)
		}
	}
	lines := logLines(t, &buf, "authorize")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		src, _ := l["source"].(map[string]any)
		fn, _ := src["function"].(string)
		file, _ := src["file"].(string)
		if !strings.HasSuffix(fn, "authorizer.(*Authorizer).logDecision") || !strings.HasSuffix(file, "authorizer.go") {
			t.Fatalf("source = %v", l["source"])
		}
		if l["decision"] != "allow" || l["request_id"] != "req-src" || l["sub"] != testSub || l["time"] == nil {
			t.Fatalf("line = %v", l)
		}
	}
}
