package fakegateway

import (
	"encoding/json"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// The events the gateway sends are encoded by hand on the hot path, byte for byte as
// encoding/json encodes them: same field order, omitempty fields, sorted map keys and string
// escaping. Anything the hand encoder does not cover (an unusual string, a field the gateway
// never sets) falls back to encoding/json, so the output is always exactly json.Marshal's.

// marshalAuthorizerRequest encodes the TOKEN authorizer event.
func marshalAuthorizerRequest(req events.APIGatewayCustomAuthorizerRequest) ([]byte, error) {
	b := make([]byte, 0, 64+len(req.AuthorizationToken)+len(req.MethodArn))
	b = append(b, `{"type":`...)
	b = appendJSONString(b, req.Type)
	b = append(b, `,"authorizationToken":`...)
	b = appendJSONString(b, req.AuthorizationToken)
	b = append(b, `,"methodArn":`...)
	b = appendJSONString(b, req.MethodArn)
	return append(b, '}'), nil
}

// marshalProxyEvent encodes a Lambda proxy integration event.
func marshalProxyEvent(ev *events.APIGatewayProxyRequest) ([]byte, error) {
	rc := &ev.RequestContext
	id := &rc.Identity
	if rc.OperationName != "" || id.CognitoIdentityPoolID != "" || id.AccountID != "" || id.CognitoIdentityID != "" ||
		id.Caller != "" || id.APIKey != "" || id.APIKeyID != "" || id.AccessKey != "" || id.CognitoAuthenticationType != "" ||
		id.CognitoAuthenticationProvider != "" || id.UserArn != "" || id.User != "" || id.ClientCert != nil {
		return json.Marshal(ev)
	}
	b := make([]byte, 0, 2048+2*len(ev.Body))
	b = append(b, `{"resource":`...)
	b = appendJSONString(b, ev.Resource)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, ev.Path)
	b = append(b, `,"httpMethod":`...)
	b = appendJSONString(b, ev.HTTPMethod)
	b = append(b, `,"headers":`...)
	b = appendStringMap(b, ev.Headers)
	b = append(b, `,"multiValueHeaders":`...)
	b = appendListMap(b, ev.MultiValueHeaders)
	b = append(b, `,"queryStringParameters":`...)
	b = appendStringMap(b, ev.QueryStringParameters)
	b = append(b, `,"multiValueQueryStringParameters":`...)
	b = appendListMap(b, ev.MultiValueQueryStringParameters)
	b = append(b, `,"pathParameters":`...)
	b = appendStringMap(b, ev.PathParameters)
	b = append(b, `,"stageVariables":`...)
	b = appendStringMap(b, ev.StageVariables)
	b = append(b, `,"requestContext":{"accountId":`...)
	b = appendJSONString(b, rc.AccountID)
	b = append(b, `,"resourceId":`...)
	b = appendJSONString(b, rc.ResourceID)
	b = append(b, `,"stage":`...)
	b = appendJSONString(b, rc.Stage)
	b = append(b, `,"domainName":`...)
	b = appendJSONString(b, rc.DomainName)
	b = append(b, `,"domainPrefix":`...)
	b = appendJSONString(b, rc.DomainPrefix)
	b = append(b, `,"requestId":`...)
	b = appendJSONString(b, rc.RequestID)
	b = append(b, `,"extendedRequestId":`...)
	b = appendJSONString(b, rc.ExtendedRequestID)
	b = append(b, `,"protocol":`...)
	b = appendJSONString(b, rc.Protocol)
	b = append(b, `,"identity":{"sourceIp":`...)
	b = appendJSONString(b, id.SourceIP)
	b = append(b, `,"userAgent":`...)
	b = appendJSONString(b, id.UserAgent)
	b = append(b, `},"resourcePath":`...)
	b = appendJSONString(b, rc.ResourcePath)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, rc.Path)
	b = append(b, `,"authorizer":`...)
	var ok bool
	if b, ok = appendAuthorizerMap(b, rc.Authorizer); !ok {
		return json.Marshal(ev)
	}
	b = append(b, `,"httpMethod":`...)
	b = appendJSONString(b, rc.HTTPMethod)
	b = append(b, `,"requestTime":`...)
	b = appendJSONString(b, rc.RequestTime)
	b = append(b, `,"requestTimeEpoch":`...)
	b = strconv.AppendInt(b, rc.RequestTimeEpoch, 10)
	b = append(b, `,"apiId":`...)
	b = appendJSONString(b, rc.APIID)
	b = append(b, `},"body":`...)
	b = appendJSONString(b, ev.Body)
	if ev.IsBase64Encoded {
		b = append(b, `,"isBase64Encoded":true`...)
	}
	return append(b, '}'), nil
}

// jsonPlain marks with '1' the bytes encoding/json writes as they are inside a string: printable
// ASCII except the quote, the backslash and the HTML-sensitive <, > and &.
const jsonPlain = "" +
	"00000000000000000000000000000000" + // 0x00-0x1f
	"11011101111111111111111111110101" + // 0x20-0x3f: '"' '&' '<' '>'
	"11111111111111111111111111110111" + // 0x40-0x5f: '\\'
	"11111111111111111111111111111110" + // 0x60-0x7f: DEL
	"00000000000000000000000000000000" +
	"00000000000000000000000000000000" +
	"00000000000000000000000000000000" +
	"00000000000000000000000000000000"

// appendJSONString appends s as encoding/json writes it (HTML-safe escaping included): plain
// printable ASCII as it is, anything else through encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if jsonPlain[s[i]] != '1' {
			enc, err := json.Marshal(s)
			if err != nil { // cannot happen for a string
				panic(err)
			}
			return append(b, enc...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendObject encodes m as encoding/json does a map: null when nil,
// otherwise its keys sorted, each value written by appendValue.
func appendObject[V any](b []byte, m map[string]V, appendValue func([]byte, V) []byte) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendValue(b, m[k])
	}
	return append(b, '}')
}

func appendStringMap(b []byte, m map[string]string) []byte {
	return appendObject(b, m, appendJSONString)
}

func appendListMap(b []byte, m map[string][]string) []byte {
	return appendObject(b, m, func(b []byte, vs []string) []byte {
		if vs == nil {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for j, v := range vs {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, v)
		}
		return append(b, ']')
	})
}

// appendAuthorizerMap encodes the authorizer context the gateway builds (string and int64
// values); it reports false for any other value type.
func appendAuthorizerMap(b []byte, m map[string]any) ([]byte, bool) {
	if m == nil {
		return append(b, "null"...), true
	}
	b = append(b, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		switch v := m[k].(type) {
		case string:
			b = appendJSONString(b, v)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		default:
			return b, false
		}
	}
	return append(b, '}'), true
}
