package fakegateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/serverless-auth/serverless-auth/deploy"
	"github.com/serverless-auth/serverless-auth/fakeauth0"
	"github.com/serverless-auth/serverless-auth/fakegateway"
)

const (
	httpNotFound     = `{"message":"Not Found"}`
	httpUnauthorized = `{"message":"Unauthorized"}`
	httpForbidden    = `{"message":"Forbidden"}`
	httpInternal     = `{"message":"Internal Server Error"}`
)

// echo is an integration that answers 200 with the payload 2.0 event it received as its body.
var echo = fakegateway.FunctionFunc(func(_ context.Context, payload []byte) ([]byte, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	return json.Marshal(events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json", "Access-Control-Allow-Origin": "https://evil.example"},
		Body:       string(payload),
	})
})

func templateParams(t *fakeauth0.Tenant, ttl string) map[string]string {
	return map[string]string{
		"TokenIssuer":        t.Issuer(),
		"JwksUri":            t.JWKSURL(),
		"Audience":           t.Audience(),
		"AuthorizerCacheTtl": ttl,
	}
}

func TestParseHTTPTemplateDeployDesigns(t *testing.T) {
	tenant := fakeauth0.New()
	defer tenant.Close()
	jwtCfg, err := fakegateway.ParseHTTPTemplate(deploy.HTTPTemplate(), deploy.JwtAPI, templateParams(tenant, "300"))
	if err != nil {
		t.Fatal(err)
	}
	if jwtCfg.Stage != fakegateway.DefaultHTTPStage || len(jwtCfg.Routes) != 1 {
		t.Fatalf("jwt config: stage %q, routes %+v", jwtCfg.Stage, jwtCfg.Routes)
	}
	r := jwtCfg.Routes[0]
	if r.Method != "GET" || r.Path != "/profile" || r.Function != deploy.HTTPProfileFunction || r.Authorizer != "Auth0Jwt" || strings.Join(r.Scopes, " ") != "get:profile" {
		t.Errorf("jwt route %+v", r)
	}
	a := jwtCfg.Authorizers["Auth0Jwt"]
	if a.Type != fakegateway.HTTPAuthorizerJWT || a.Issuer != tenant.Issuer() || strings.Join(a.Audience, " ") != tenant.Audience() ||
		strings.Join(a.IdentitySources, " ") != "$request.header.Authorization" {
		t.Errorf("jwt authorizer %+v", a)
	}
	if jwtCfg.Cors == nil || strings.Join(jwtCfg.Cors.AllowOrigins, ",") != "*" {
		t.Errorf("cors %+v", jwtCfg.Cors)
	}

	lambdaCfg, err := fakegateway.ParseHTTPTemplate(deploy.HTTPTemplate(), deploy.LambdaAPI, templateParams(tenant, "300"))
	if err != nil {
		t.Fatal(err)
	}
	la := lambdaCfg.Authorizers["Auth0Lambda"]
	if la.Type != fakegateway.HTTPAuthorizerLambda || la.Function != deploy.HTTPAuthorizerFunction || !la.SimpleResponses ||
		la.TTL != 300*time.Second || strings.Join(la.IdentitySources, " ") != "$request.header.Authorization" {
		t.Errorf("lambda authorizer %+v", la)
	}
	if env := lambdaCfg.FunctionEnv[deploy.HTTPAuthorizerFunction]; env["TOKEN_ISSUER"] != tenant.Issuer() || env["JWKS_URI"] != tenant.JWKSURL() {
		t.Errorf("authorizer env %v", env)
	}
	if _, err := fakegateway.ParseHTTPTemplate(deploy.HTTPTemplate(), "", templateParams(tenant, "0")); err == nil {
		t.Error("a template with two HTTP APIs must name the one to serve")
	}
}

func TestParseHTTPTemplateRefusals(t *testing.T) {
	const head = "Transform: AWS::Serverless-2016-10-31\nResources:\n"
	fn := func(events string) string {
		return "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n" + events
	}
	route := "        E:\n          Type: HttpApi\n          Properties:\n            Path: /p\n            Method: get\n"
	lambdaAuth := func(extra string) string {
		return "  ServerlessHttpApi:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      Auth:\n        DefaultAuthorizer: L\n        Authorizers:\n          L:\n            FunctionArn: !GetAtt Fn.Arn\n" + extra
	}
	tests := []struct {
		name, template, want string
	}{
		{"payload 1.0 authorizer", head + fn(route) + lambdaAuth("            AuthorizerPayloadFormatVersion: '1.0'\n            EnableSimpleResponses: true\n            Identity:\n              Headers: [Authorization]\n"), "only 2.0"},
		{"IAM policy responses", head + fn(route) + lambdaAuth("            AuthorizerPayloadFormatVersion: '2.0'\n            Identity:\n              Headers: [Authorization]\n"), "simple responses"},
		{"no identity", head + fn(route) + lambdaAuth("            AuthorizerPayloadFormatVersion: '2.0'\n            EnableSimpleResponses: true\n"), "identity source"},
		{"scopes on a Lambda authorizer", head + fn(route+"            Auth:\n              AuthorizationScopes: [a]\n") + lambdaAuth("            AuthorizerPayloadFormatVersion: '2.0'\n            EnableSimpleResponses: true\n            Identity:\n              Headers: [Authorization]\n"), "JWT authorizer"},
		{"unknown authorizer", head + fn(route+"            Auth:\n              Authorizer: Nope\n"), "does not define"},
		{"payload 1.0 integration", head + fn(route+"            PayloadFormatVersion: '1.0'\n"), "only 2.0"},
		{"no routes", head + fn("        E:\n          Type: Api\n          Properties:\n            Path: /p\n            Method: get\n"), "no function has an HttpApi event"},
		{"OpenAPI body", head + fn(route) + "  ServerlessHttpApi:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      DefinitionBody: {}\n", "OpenAPI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fakegateway.ParseHTTPTemplate([]byte(tt.template), "", nil)
			if err == nil || !errors.Is(err, fakegateway.ErrTemplate) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want ErrTemplate mentioning %q", err, tt.want)
			}
		})
	}
}

// reply is one answer as a client sees it.
type reply struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, method, url string, header map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// serveJWTDesign serves deploy/httpapi.yaml's JWT design (AuthorizerCacheTtl 0) with echo as
// the profile function, for a new tenant; both close when the test ends, the server first.
func serveJWTDesign(t *testing.T) (*fakeauth0.Tenant, *fakegateway.HTTPServer) {
	t.Helper()
	tenant := fakeauth0.New()
	t.Cleanup(tenant.Close)
	cfg, err := fakegateway.ParseHTTPTemplate(deploy.HTTPTemplate(), deploy.JwtAPI, templateParams(tenant, "0"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := fakegateway.NewHTTPServer(cfg, map[string]fakegateway.Function{deploy.HTTPProfileFunction: echo})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return tenant, srv
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

func TestHTTPJWTAuthorizer(t *testing.T) {
	tenant, srv := serveJWTDesign(t)
	outsider, err := fakeauth0.NewKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	claims := func(edit func(map[string]any)) map[string]any {
		c := tenant.Claims(fakeauth0.DefaultReaderID)
		edit(c)
		return c
	}
	now := time.Now().Unix()
	challenge := func(desc string) string {
		return `Bearer scope="" error="invalid_token" error_description="` + desc + `"`
	}
	tests := []struct {
		name      string
		header    map[string]string
		status    int
		body      string
		challenge string
	}{
		{"valid token with the scope", bearer(tenant.Token(fakeauth0.DefaultReaderID)), 200, "", ""},
		{"token without Bearer prefix", map[string]string{"Authorization": tenant.Token(fakeauth0.DefaultReaderID)}, 200, "", ""},
		{"audience from client_id when aud is absent", bearer(tenant.Mint(claims(func(c map[string]any) { delete(c, "aud"); c["client_id"] = tenant.Audience() }))), 200, "", ""},
		{"scope in scp", bearer(tenant.Mint(claims(func(c map[string]any) { delete(c, "scope"); c["scp"] = []any{"get:profile"} }))), 200, "", ""},
		{"no Authorization header", nil, 401, httpUnauthorized, "Bearer"},
		{"valid token without the route's scope", bearer(tenant.Token(fakeauth0.DefaultNoScopeID)), 403, httpForbidden, ""},
		{"look-alike scope", bearer(tenant.Mint(claims(func(c map[string]any) { c["scope"] = "get:profile2" }))), 403, httpForbidden, ""},
		{"wrong audience (documented wording)", bearer(tenant.Mint(claims(func(c map[string]any) { c["aud"] = "https://other.example/" }))), 401, httpUnauthorized, challenge("the token does not have a valid audience")},
		{"client_id ignored when aud is present", bearer(tenant.Mint(claims(func(c map[string]any) { c["aud"] = "x"; c["client_id"] = tenant.Audience() }))), 401, httpUnauthorized, challenge("the token does not have a valid audience")},
		{"wrong issuer", bearer(tenant.Mint(claims(func(c map[string]any) { c["iss"] = "https://evil.example/" }))), 401, httpUnauthorized, challenge("the token does not have a valid issuer")},
		{"expired", bearer(tenant.Mint(claims(func(c map[string]any) { c["exp"] = now - 60 }))), 401, httpUnauthorized, challenge("the token has expired")},
		{"no exp", bearer(tenant.Mint(claims(func(c map[string]any) { delete(c, "exp") }))), 401, httpUnauthorized, challenge("the token's claims are invalid")},
		{"not yet valid", bearer(tenant.Mint(claims(func(c map[string]any) { c["nbf"] = now + 600 }))), 401, httpUnauthorized, challenge("the token is not valid yet")},
		{"issued in the future", bearer(tenant.Mint(claims(func(c map[string]any) { c["iat"] = now + 600 }))), 401, httpUnauthorized, challenge("the token was issued in the future")},
		{"HS256", bearer(tenant.Mint(tenant.Claims(fakeauth0.DefaultReaderID), fakeauth0.Algorithm("HS256"))), 401, httpUnauthorized, challenge("the token's signing method is not an RSA algorithm")},
		{"ES256", bearer(tenant.Mint(tenant.Claims(fakeauth0.DefaultReaderID), fakeauth0.Algorithm("ES256"))), 401, httpUnauthorized, challenge("the token's signing method is not an RSA algorithm")},
		{"no kid", bearer(tenant.Mint(tenant.Claims(fakeauth0.DefaultReaderID), fakeauth0.WithHeader("kid", nil))), 401, httpUnauthorized, challenge("the token's kid matches no key of the issuer")},
		{"signed by an unpublished key", bearer(tenant.Mint(tenant.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(outsider))), 401, httpUnauthorized, challenge("the token's kid matches no key of the issuer")},
		{"garbage", bearer("not.a.jwt"), 401, httpUnauthorized, challenge("the token is malformed")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, "GET", srv.StageURL()+"/profile", tt.header)
			if got.status != tt.status {
				t.Fatalf("status %d, want %d: %s", got.status, tt.status, got.body)
			}
			if tt.body != "" && got.body != tt.body {
				t.Errorf("body %s, want %s", got.body, tt.body)
			}
			if h := got.header.Get("Www-Authenticate"); h != tt.challenge {
				t.Errorf("www-authenticate %q, want %q", h, tt.challenge)
			}
			if got.header.Get("Apigw-Requestid") == "" {
				t.Error("no apigw-requestid")
			}
			if tt.status != 200 {
				return
			}
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal([]byte(got.body), &ev); err != nil {
				t.Fatal(err)
			}
			jwt := ev.RequestContext.Authorizer.JWT
			if ev.Version != "2.0" || ev.RouteKey != "GET /profile" || jwt == nil || jwt.Claims["sub"] != fakeauth0.DefaultReaderID+"@clients" ||
				!strings.Contains(strings.Join(jwt.Scopes, " "), "get:profile") {
				t.Errorf("event %+v, authorizer %+v", ev, jwt)
			}
		})
	}
	if got := send(t, "GET", srv.StageURL()+"/nowhere", nil); got.status != 404 || got.body != httpNotFound {
		t.Errorf("unknown route: %d %s", got.status, got.body)
	}
	if got := send(t, "POST", srv.StageURL()+"/profile", nil); got.status != 404 || got.body != httpNotFound {
		t.Errorf("unknown method: %d %s", got.status, got.body)
	}
}

func TestHTTPJWTAuthorizerKeyRotation(t *testing.T) {
	tenant, srv := serveJWTDesign(t)
	if got := send(t, "GET", srv.StageURL()+"/profile", bearer(tenant.Token(fakeauth0.DefaultReaderID))); got.status != 200 {
		t.Fatalf("before rotation: %d %s", got.status, got.body)
	}
	next, err := fakeauth0.NewKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	tenant.PublishKey(next)
	tenant.UseKey(next)
	if got := send(t, "GET", srv.StageURL()+"/profile", bearer(tenant.Token(fakeauth0.DefaultReaderID))); got.status != 200 {
		t.Fatalf("after rotation: %d %s %s", got.status, got.header.Get("Www-Authenticate"), got.body)
	}
}

func TestHTTPLambdaAuthorizer(t *testing.T) {
	tenant := fakeauth0.New()
	defer tenant.Close()
	var calls atomic.Int64
	var lastRequest atomic.Value
	// The scripted authorizer decides by the token text.
	authz := fakegateway.FunctionFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		calls.Add(1)
		lastRequest.Store(string(payload))
		var req events.APIGatewayV2CustomAuthorizerV2Request
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, err
		}
		switch req.IdentitySource[0] {
		case "Bearer allow":
			return json.Marshal(events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: map[string]any{"scope": "get:profile", "n": 7}})
		case "Bearer deny":
			return json.Marshal(events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false})
		case "Bearer unauthorized":
			return nil, errors.New("Unauthorized")
		case "Bearer error":
			return nil, errors.New("boom")
		case "Bearer malformed":
			return []byte(`{"isAuthorized":"yes"}`), nil
		case "Bearer slow":
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return nil, errors.New("unexpected token")
	})
	start := func(t *testing.T, ttl string) *fakegateway.HTTPServer {
		cfg, err := fakegateway.ParseHTTPTemplate(deploy.HTTPTemplate(), deploy.LambdaAPI, templateParams(tenant, ttl))
		if err != nil {
			t.Fatal(err)
		}
		cfg.FunctionTimeout[deploy.HTTPAuthorizerFunction] = 200 * time.Millisecond
		srv, err := fakegateway.NewHTTPServer(cfg, map[string]fakegateway.Function{deploy.HTTPProfileFunction: echo, deploy.HTTPAuthorizerFunction: authz})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		return srv
	}
	srv := start(t, "0")
	tests := []struct {
		name   string
		header map[string]string
		status int
		body   string
		calls  int64
	}{
		{"isAuthorized true", bearer("allow"), 200, "", 1},
		{"isAuthorized false", bearer("deny"), 403, httpForbidden, 1},
		{"error Unauthorized", bearer("unauthorized"), 401, httpUnauthorized, 1},
		{"another error", bearer("error"), 500, httpInternal, 1},
		{"malformed answer", bearer("malformed"), 500, httpInternal, 1},
		{"authorizer timeout", bearer("slow"), 500, httpInternal, 1},
		{"identity source missing", nil, 401, httpUnauthorized, 0},
		{"identity source empty", map[string]string{"Authorization": ""}, 401, httpUnauthorized, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := calls.Load()
			got := send(t, "GET", srv.StageURL()+"/profile", tt.header)
			if got.status != tt.status || (tt.body != "" && got.body != tt.body) {
				t.Fatalf("got %d %s, want %d %s", got.status, got.body, tt.status, tt.body)
			}
			if n := calls.Load() - before; n != tt.calls {
				t.Errorf("%d authorizer invocations, want %d", n, tt.calls)
			}
			if tt.status != 200 {
				return
			}
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal([]byte(got.body), &ev); err != nil {
				t.Fatal(err)
			}
			if l := ev.RequestContext.Authorizer.Lambda; l["scope"] != "get:profile" || l["n"] != float64(7) {
				t.Errorf("requestContext.authorizer.lambda = %v", l)
			}
			var req events.APIGatewayV2CustomAuthorizerV2Request
			if err := json.Unmarshal([]byte(lastRequest.Load().(string)), &req); err != nil {
				t.Fatal(err)
			}
			if req.Version != "2.0" || req.Type != "REQUEST" || req.RouteKey != "GET /profile" || req.RawPath != "/profile" ||
				req.RouteArn != "arn:aws:execute-api:us-east-1:123456789012:fakegw0001/$default/GET/profile" ||
				strings.Join(req.IdentitySource, ",") != "Bearer allow" || req.Headers["authorization"] != "Bearer allow" {
				t.Errorf("authorizer request %+v", req)
			}
		})
	}

	cached := start(t, "300")
	before := calls.Load()
	for range 3 {
		if got := send(t, "GET", cached.StageURL()+"/profile", bearer("allow")); got.status != 200 {
			t.Fatalf("cached: %d %s", got.status, got.body)
		}
		if got := send(t, "GET", cached.StageURL()+"/profile", bearer("deny")); got.status != 403 {
			t.Fatalf("cached deny: %d %s", got.status, got.body)
		}
	}
	if n := calls.Load() - before; n != 2 {
		t.Errorf("TTL 300: %d invocations for two identities, want 2", n)
	}
	cached.Gateway.FlushAuthorizerCache()
	send(t, "GET", cached.StageURL()+"/profile", bearer("allow"))
	if n := calls.Load() - before; n != 3 {
		t.Errorf("after a flush: %d invocations, want 3", n)
	}
}

func TestHTTPCors(t *testing.T) {
	tenant, srv := serveJWTDesign(t)
	origin := "https://app.example"
	pre := send(t, "OPTIONS", srv.StageURL()+"/profile", map[string]string{"Origin": origin, "Access-Control-Request-Method": "GET"})
	if pre.status != 204 || pre.header.Get("Access-Control-Allow-Origin") != "*" ||
		pre.header.Get("Access-Control-Allow-Methods") != "GET" || pre.header.Get("Access-Control-Allow-Headers") != "authorization,content-type" {
		t.Errorf("preflight (no authorizer runs): %d %v", pre.status, pre.header)
	}
	ok := send(t, "GET", srv.StageURL()+"/profile", map[string]string{"Origin": origin, "Authorization": "Bearer " + tenant.Token(fakeauth0.DefaultReaderID)})
	if ok.status != 200 || ok.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("the API's CORS headers replace the integration's: %d %q", ok.status, ok.header.Values("Access-Control-Allow-Origin"))
	}
	denied := send(t, "GET", srv.StageURL()+"/profile", map[string]string{"Origin": origin})
	if denied.status != 401 || denied.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("401 with CORS: %d %v", denied.status, denied.header)
	}
	plain := send(t, "GET", srv.StageURL()+"/profile", nil)
	if plain.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no Origin, yet CORS headers: %v", plain.header)
	}
}

func TestHTTPIntegrationAnswers(t *testing.T) {
	cfg := fakegateway.HTTPConfig{
		Stage: "v1",
		Routes: []fakegateway.HTTPRoute{
			{Method: "GET", Path: "/fn/{case}", Function: "Fn"},
		},
		FunctionTimeout: map[string]time.Duration{"Fn": time.Second},
	}
	fn := fakegateway.FunctionFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		switch ev.PathParameters["case"] {
		case "plain":
			return []byte(`{"hello":"world"}`), nil
		case "string":
			return []byte(`"hi"`), nil
		case "status":
			return []byte(`{"statusCode":201,"headers":{"X-A":"b"},"cookies":["c=1"],"body":"made"}`), nil
		case "base64":
			return []byte(`{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`), nil
		case "error":
			return nil, errors.New("boom")
		case "notjson":
			return []byte(`nope`), nil
		case "slow":
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return nil, errors.New("unexpected")
	})
	srv, err := fakegateway.NewHTTPServer(cfg, map[string]fakegateway.Function{"Fn": fn})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tests := []struct {
		name, path string
		status     int
		body       string
		header     [2]string
	}{
		{"JSON without statusCode", "/fn/plain", 200, `{"hello":"world"}`, [2]string{"Content-Type", "application/json"}},
		{"a JSON string", "/fn/string", 200, `"hi"`, [2]string{"Content-Type", "application/json"}},
		{"statusCode, headers, cookies", "/fn/status", 201, "made", [2]string{"Set-Cookie", "c=1"}},
		{"base64 body", "/fn/base64", 200, "hi", [2]string{}},
		{"function error", "/fn/error", 500, httpInternal, [2]string{}},
		{"not JSON", "/fn/notjson", 500, httpInternal, [2]string{}},
		{"function timeout", "/fn/slow", 500, httpInternal, [2]string{}},
		{"outside the stage", "/../fn/plain", 404, httpNotFound, [2]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, "GET", srv.StageURL()+tt.path, nil)
			if got.status != tt.status || got.body != tt.body {
				t.Fatalf("got %d %s, want %d %s", got.status, got.body, tt.status, tt.body)
			}
			if tt.header[0] != "" && got.header.Get(tt.header[0]) != tt.header[1] {
				t.Errorf("%s: %q", tt.header[0], got.header.Get(tt.header[0]))
			}
		})
	}
}

func TestNewHTTPRefusesBadConfig(t *testing.T) {
	good := func() fakegateway.HTTPConfig {
		return fakegateway.HTTPConfig{
			Stage:       fakegateway.DefaultHTTPStage,
			Routes:      []fakegateway.HTTPRoute{{Method: "GET", Path: "/p", Function: "Fn", Authorizer: "J", Scopes: []string{"s"}}},
			Authorizers: map[string]fakegateway.HTTPAuthorizer{"J": {Type: fakegateway.HTTPAuthorizerJWT, IdentitySources: []string{fakegateway.DefaultHTTPIdentitySource}, Issuer: "https://t.example/", Audience: []string{"a"}}},
		}
	}
	fns := map[string]fakegateway.Function{"Fn": echo}
	tests := []struct {
		name string
		edit func(*fakegateway.HTTPConfig)
	}{
		{"bad stage", func(c *fakegateway.HTTPConfig) { c.Stage = "a/b" }},
		{"no routes", func(c *fakegateway.HTTPConfig) { c.Routes = nil }},
		{"undefined authorizer", func(c *fakegateway.HTTPConfig) { c.Routes[0].Authorizer = "X" }},
		{"no audience", func(c *fakegateway.HTTPConfig) { a := c.Authorizers["J"]; a.Audience = nil; c.Authorizers["J"] = a }},
		{"issuer not a URL", func(c *fakegateway.HTTPConfig) { a := c.Authorizers["J"]; a.Issuer = "tenant"; c.Authorizers["J"] = a }},
		{"identity source not modelled", func(c *fakegateway.HTTPConfig) {
			a := c.Authorizers["J"]
			a.IdentitySources = []string{"$context.x"}
			c.Authorizers["J"] = a
		}},
		{"credentials with any origin", func(c *fakegateway.HTTPConfig) {
			c.Cors = &fakegateway.CorsConfig{AllowOrigins: []string{"*"}, AllowCredentials: true}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good()
			tt.edit(&c)
			if _, err := fakegateway.NewHTTP(c, fns); !errors.Is(err, fakegateway.ErrInvalidConfig) {
				t.Fatalf("error %v, want ErrInvalidConfig", err)
			}
		})
	}
	if _, err := fakegateway.NewHTTP(good(), nil); !errors.Is(err, fakegateway.ErrInvalidConfig) {
		t.Errorf("missing function: %v", err)
	}
	g, err := fakegateway.NewHTTP(good(), fns)
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
}

func TestHTTPRouteSelection(t *testing.T) {
	named := func(name string) fakegateway.Function {
		return fakegateway.FunctionFunc(func(_ context.Context, payload []byte) ([]byte, error) {
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(payload, &ev); err != nil {
				return nil, err
			}
			params, _ := json.Marshal(ev.PathParameters)
			return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: name + " " + ev.RouteKey + " " + string(params)})
		})
	}
	cfg := fakegateway.HTTPConfig{
		Stage: fakegateway.DefaultHTTPStage,
		Routes: []fakegateway.HTTPRoute{
			{Method: "GET", Path: "/pets/{id}", Function: "Param"},
			{Method: "GET", Path: "/pets/dog", Function: "Literal"},
			{Method: "ANY", Path: "/pets/{id}", Function: "Any"},
			{Method: "GET", Path: "/files/{proxy+}", Function: "Greedy"},
		},
	}
	srv, err := fakegateway.NewHTTPServer(cfg, map[string]fakegateway.Function{
		"Param": named("Param"), "Literal": named("Literal"), "Any": named("Any"), "Greedy": named("Greedy"),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/pets/dog", 200, `Literal GET /pets/dog null`},
		{"GET", "/pets/7", 200, `Param GET /pets/{id} {"id":"7"}`},
		{"DELETE", "/pets/7", 200, `Any ANY /pets/{id} {"id":"7"}`},
		{"GET", "/pets/a%20b", 200, `Param GET /pets/{id} {"id":"a b"}`},
		{"GET", "/files/a/b/c", 200, `Greedy GET /files/{proxy+} {"proxy":"a/b/c"}`},
		{"GET", "/files", 404, httpNotFound},
		{"GET", "/pets//7", 404, httpNotFound},
		{"POST", "/files/a", 404, httpNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			got := send(t, tt.method, srv.URL+tt.path, nil)
			if got.status != tt.status || got.body != tt.body {
				t.Errorf("got %d %s, want %d %s", got.status, got.body, tt.status, tt.body)
			}
		})
	}
}
