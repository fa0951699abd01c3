package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/handlertrace"
)

var _ lambda.Handler = (*Authorizer)(nil)

// Invoke is Authorize as a lambda.Handler, so that a Lambda main can run
// lambda.Start(a): it takes the event's JSON and returns the response's.
// Its answers are byte for byte those of lambda.NewHandler(a.Authorize)
// (decoding as aws-lambda-go's json.Decoder does, handler-trace hooks
// included, response encoded without HTML escaping), but the TOKEN event API
// Gateway sends and the Allow policy are read and written directly instead
// of through reflection: on a warm function that work would otherwise cost
// a fifth of the RSA check.
func (a *Authorizer) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	req, ok := readTokenEvent(payload)
	if !ok {
		// Anything but a plain TOKEN event: decode as aws-lambda-go does.
		var event events.APIGatewayCustomAuthorizerRequest
		if err := json.NewDecoder(bytes.NewReader(payload)).Decode(&event); err != nil {
			return nil, err
		}
		req = event
	}
	trace := handlertrace.FromContext(ctx)
	if trace.RequestEvent != nil {
		trace.RequestEvent(ctx, req)
	}
	g, err := a.decide(ctx, req)
	if err != nil {
		return nil, err
	}
	if trace.ResponseEvent != nil {
		trace.ResponseEvent(ctx, allowResponse(g.principal, g.resource, g.scope))
	}
	return appendAllowJSON(nil, g), nil
}

// readTokenEvent reads the TOKEN event API Gateway sends: one JSON object
// (white space around it allowed) whose members are among "type",
// "authorizationToken" and "methodArn", spelled exactly so, each a string.
// ok is false for anything else, which encoding/json must then decode (its
// case-insensitive names, nulls, unknown members and trailing data are all
// handled there).
func readTokenEvent(payload []byte) (req events.APIGatewayCustomAuthorizerRequest, ok bool) {
	ok = true
	var text string // the payload as a string, made for the first member
	first := scanJSON(payload, false, func(name, value span) {
		if !ok {
			return
		}
		var dst *string
		switch string(payload[name.start:name.end]) {
		case `"type"`:
			dst = &req.Type
		case `"authorizationToken"`:
			dst = &req.AuthorizationToken
		case `"methodArn"`:
			dst = &req.MethodArn
		default:
			ok = false
			return
		}
		if text == "" {
			text = string(payload)
		}
		*dst, ok = decodeString(payload, text, value)
	})
	return req, ok && first == '{'
}

// The fixed parts of the Allow policy's JSON, around the principal, the
// resource and the scope.
const (
	allowJSON1 = `{"principalId":`
	allowJSON2 = `,"policyDocument":{"Version":"` + policyVersion + `","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":[`
	allowJSON3 = `]}]},"context":{"scope":`
	allowJSON4 = `}}`
)

// appendAllowJSON appends the JSON of allowResponse(g...) to b, exactly as
// encoding/json encodes it without HTML escaping.
func appendAllowJSON(b []byte, g grant) []byte {
	b = slices.Grow(b, len(allowJSON1+allowJSON2+allowJSON3+allowJSON4)+6+len(g.principal)+len(g.resource)+len(g.scope))
	b = append(b, allowJSON1...)
	b = appendJSONString(b, g.principal)
	b = append(b, allowJSON2...)
	b = appendJSONString(b, g.resource)
	b = append(b, allowJSON3...)
	b = appendJSONString(b, g.scope)
	return append(b, allowJSON4...)
}

// appendJSONString appends s as a JSON string as encoding/json writes it
// with SetEscapeHTML(false).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			// Escapes and non-ASCII text: let encoding/json decide.
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(s) // a string always encodes
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
