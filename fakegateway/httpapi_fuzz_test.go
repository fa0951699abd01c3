package fakegateway

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

func FuzzHTTPV2Response(f *testing.F) {
	f.Add([]byte(`{"statusCode":201,"headers":{"a":"b"},"multiValueHeaders":{"c":["d"]},"cookies":["x=1"],"body":"aGk=","isBase64Encoded":true}`))
	f.Add([]byte(`{"hello":"world"}`))
	f.Add([]byte(`"text"`))
	f.Add([]byte(`{"statusCode":"200"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, ok := v2Response(data)
		if ok && (rep.status < 100 || rep.status > 599) {
			t.Fatalf("accepted status %d", rep.status)
		}
	})
}

func FuzzHTTPSimpleAnswer(f *testing.F) {
	f.Add([]byte(`{"isAuthorized":true,"context":{"scope":"get:profile","n":1,"o":{"a":[1]}}}`))
	f.Add([]byte(`{"isAuthorized":false}`))
	f.Add([]byte(`{"isAuthorized":"true"}`))
	f.Add([]byte(`{"isAuthorized":true,"context":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ans, ok := simpleAnswer(data)
		if ok && ans.IsAuthorized && !bytes.Contains(data, []byte("true")) {
			t.Fatalf("authorized without a true in %q", data)
		}
	})
}

func FuzzParseHTTPTemplate(f *testing.F) {
	if data, err := os.ReadFile("../deploy/httpapi.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("Transform: AWS::Serverless-2016-10-31\nResources: {F: {Type: AWS::Serverless::Function, Properties: {Events: {E: {Type: HttpApi, Properties: {Path: /p, Method: get}}}}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		params := map[string]string{"TokenIssuer": "https://t/", "JwksUri": "https://t/j", "Audience": "a"}
		for _, api := range []string{"", "JwtApi", "LambdaApi"} {
			cfg, err := ParseHTTPTemplate(data, api, params)
			if err != nil {
				if !errors.Is(err, ErrTemplate) {
					t.Fatalf("unwrapped error %v", err)
				}
				continue
			}
			if err := cfg.Validate(); err != nil {
				t.Fatalf("ParseHTTPTemplate returned an invalid config: %v", err)
			}
		}
	})
}
