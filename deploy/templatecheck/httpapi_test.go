//go:build deploycheck

package templatecheck

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/serverless-auth/serverless-auth/cloudformation"
	"github.com/serverless-auth/serverless-auth/fakegateway"
)

// deploy/httpapi.yaml's checks: make deploy-check transforms it into transform-http/ttl-N.json
// (with ttl-N.params.json) for AuthorizerCacheTtl 0 and 300.

const httpTemplatePath = "../../deploy/httpapi.yaml"

var wantHTTPTTLs = []int{0, 300}

func httpTransforms(t *testing.T) []transformed {
	t.Helper()
	return loadTransforms(t, "transform-http", wantHTTPTTLs, "HTTP API transform outputs")
}

// TestTransformedHTTPInventory: two HTTP APIs on their $default stages, two functions, their
// roles and log groups, and three invoke permissions (the profile from each API, the Lambda
// authorizer from LambdaApi: SAM adds the last only with EnableFunctionDefaultPermissions).
func TestTransformedHTTPInventory(t *testing.T) {
	want := map[string]int{
		"AWS::ApiGatewayV2::Api":   2,
		"AWS::ApiGatewayV2::Stage": 2,
		"AWS::Lambda::Function":    2,
		"AWS::Lambda::Permission":  3,
		"AWS::IAM::Role":           2,
		"AWS::Logs::LogGroup":      2,
	}
	for _, tr := range httpTransforms(t) {
		got := map[string]int{}
		for _, r := range tr.stack.Resources {
			got[r.Type]++
		}
		if !maps.Equal(got, want) {
			t.Errorf("TTL %d: resource types %v, want %v", tr.ttl, got, want)
		}
		for _, id := range tr.stack.OfType("AWS::ApiGatewayV2::Stage") {
			if name := textAt(t, tr.stack.Resources[id].Properties, "StageName"); name != "$default" {
				t.Errorf("stage %s is %q, want $default", id, name)
			}
		}
		var authorizerPermission bool
		for _, id := range tr.stack.OfType("AWS::Lambda::Permission") {
			p := tr.stack.Resources[id].Properties
			if textAt(t, p, "FunctionName") == "<HttpAuthorizerFunction.Arn>" && textAt(t, p, "Principal") == "apigateway.amazonaws.com" {
				authorizerPermission = true
			}
		}
		if !authorizerPermission {
			t.Errorf("TTL %d: API Gateway may not invoke the Lambda authorizer", tr.ttl)
		}
	}
}

// httpRoute is a route as the transform's OpenAPI body declares it.
type httpRoute struct {
	method, path, function, authorizer, scopes string
}

var httpLambdaTarget = regexp.MustCompile(`functions/<([A-Za-z0-9]+)\.Arn>/invocations$`)

func httpRoutesOf(t *testing.T, body map[string]any) []httpRoute {
	t.Helper()
	var out []httpRoute
	for path, ops := range mapAt(t, body, "paths") {
		for method, op := range ops.(map[string]any) {
			r := httpRoute{method: strings.ToUpper(method), path: path}
			if v := textAt(t, op, "x-amazon-apigateway-integration", "payloadFormatVersion"); v != "2.0" {
				t.Errorf("%s %s: payloadFormatVersion %q, want 2.0", method, path, v)
			}
			m := httpLambdaTarget.FindStringSubmatch(textAt(t, op, "x-amazon-apigateway-integration", "uri"))
			if m == nil {
				t.Fatalf("%s %s: the integration invokes no function of the stack", method, path)
			}
			r.function = m[1]
			if sec, ok := Lookup(op, "security"); ok {
				for _, s := range sec.([]any) {
					for name, scopes := range s.(map[string]any) {
						r.authorizer = name
						var list []string
						for _, sc := range scopes.([]any) {
							txt, _ := cloudformation.Text(sc)
							list = append(list, txt)
						}
						r.scopes = strings.Join(list, " ")
					}
				}
			}
			out = append(out, r)
		}
	}
	return out
}

// TestParityHTTPWithFakeGateway: fakegateway.LoadHTTPTemplate reads deploy/httpapi.yaml itself
// (same parameters) for each API; its routes, authorizers, TTL and CORS must be what the SAM
// transform makes for AWS.
func TestParityHTTPWithFakeGateway(t *testing.T) {
	for _, tr := range httpTransforms(t) {
		for _, api := range []string{"JwtApi", "LambdaApi"} {
			t.Run(api+" TTL "+strconv.Itoa(tr.ttl), func(t *testing.T) {
				cfg, err := fakegateway.LoadHTTPTemplate(httpTemplatePath, api, tr.params)
				if err != nil {
					t.Fatal(err)
				}
				body := mapAt(t, tr.stack.Resources[api].Properties, "Body")
				var local []httpRoute
				for _, r := range cfg.Routes {
					local = append(local, httpRoute{method: r.Method, path: r.Path, function: r.Function, authorizer: r.Authorizer, scopes: strings.Join(r.Scopes, " ")})
				}
				if aws := httpRoutesOf(t, body); !slices.Equal(local, aws) {
					t.Errorf("routes: fakegateway %+v, transform %+v", local, aws)
				}
				schemes := mapAt(t, body, "components", "securitySchemes")
				if len(schemes) != len(cfg.Authorizers) {
					t.Fatalf("%d security schemes, fakegateway has %d authorizers", len(schemes), len(cfg.Authorizers))
				}
				for name, s := range schemes {
					a, ok := cfg.Authorizers[name]
					if !ok {
						t.Fatalf("authorizer %s: not in fakegateway's config", name)
					}
					auth := mapAt(t, s, "x-amazon-apigateway-authorizer")
					switch textAt(t, auth, "type") {
					case "jwt":
						aud, _ := Lookup(auth, "jwtConfiguration", "audience")
						var audience []string
						for _, v := range aud.([]any) {
							txt, _ := cloudformation.Text(v)
							audience = append(audience, txt)
						}
						if a.Type != fakegateway.HTTPAuthorizerJWT || a.Issuer != textAt(t, auth, "jwtConfiguration", "issuer") ||
							!slices.Equal(a.Audience, audience) || a.Issuer != tr.params["TokenIssuer"] ||
							strings.Join(a.IdentitySources, ",") != textAt(t, auth, "identitySource") {
							t.Errorf("JWT authorizer: fakegateway %+v, transform %v", a, auth)
						}
					case "request":
						src, _ := Lookup(auth, "identitySource")
						var sources []string
						for _, v := range src.([]any) {
							txt, _ := cloudformation.Text(v)
							sources = append(sources, txt)
						}
						ttl, _ := strconv.Atoi(textAt(t, auth, "authorizerResultTtlInSeconds"))
						m := httpLambdaTarget.FindStringSubmatch(textAt(t, auth, "authorizerUri"))
						if a.Type != fakegateway.HTTPAuthorizerLambda || m == nil || a.Function != m[1] ||
							textAt(t, auth, "authorizerPayloadFormatVersion") != "2.0" || textAt(t, auth, "enableSimpleResponses") != "true" || !a.SimpleResponses ||
							!slices.Equal(a.IdentitySources, sources) || a.TTL != time.Duration(ttl)*time.Second || ttl != tr.ttl {
							t.Errorf("Lambda authorizer: fakegateway %+v, transform %v", a, auth)
						}
					default:
						t.Errorf("authorizer %s: type %v", name, auth["type"])
					}
				}
				cors := mapAt(t, body, "x-amazon-apigateway-cors")
				for key, got := range map[string][]string{"allowOrigins": cfg.Cors.AllowOrigins, "allowMethods": cfg.Cors.AllowMethods, "allowHeaders": cfg.Cors.AllowHeaders} {
					var want []string
					for _, v := range cors[key].([]any) {
						txt, _ := cloudformation.Text(v)
						want = append(want, txt)
					}
					if !slices.Equal(got, want) {
						t.Errorf("CORS %s: fakegateway %v, transform %v", key, got, want)
					}
				}
				for id, env := range cfg.FunctionEnv {
					vars, _ := Lookup(tr.stack.Resources[id].Properties, "Environment", "Variables")
					aws := map[string]string{}
					if m, ok := vars.(map[string]any); ok {
						for k, v := range m {
							aws[k], _ = cloudformation.Text(v)
						}
					}
					if !maps.Equal(env, aws) {
						t.Errorf("function %s environment: fakegateway %v, transform %v", id, env, aws)
					}
				}
			})
		}
	}
}

// TestMotoHTTPDesign: deploy.sh DESIGN=http-lambda against moto creates the HTTP design's two
// functions (code from build/httpauthorizer.zip and build/profile.zip, the authorizer configured
// from the inputs), their roles and log groups; destroy.sh removes them. moto's CloudFormation
// makes no AWS::ApiGatewayV2 resources, so the APIs themselves are checked by the transform and
// parity tests only, and deploy.sh must say there is no URL rather than invent one.
func TestMotoHTTPDesign(t *testing.T) {
	p := loadPhase(t, "http-created")
	in := p.inputs
	stack := in["STACK"]
	if got := p.stackStatus(stack); got != "CREATE_COMPLETE" {
		t.Errorf("stack %s is %q, want CREATE_COMPLETE", stack, got)
	}
	if !strings.Contains(p.deployOut, "API URL: ") || !strings.Contains(p.deployOut, "design http-lambda") {
		t.Errorf("deploy.sh output:\n%s", p.deployOut)
	}
	fns := p.functionsOf(stack)
	envs := map[string]map[string]string{
		"httpauthorizer": {"TOKEN_ISSUER": in["TOKEN_ISSUER"], "JWKS_URI": in["TOKEN_ISSUER"] + ".well-known/jwks.json", "AUDIENCE": in["AUDIENCE"]},
		"profile":        {},
	}
	for zip, short := range map[string]string{"httpauthorizer": "http-authorizer", "profile": "http-profile"} {
		f, ok := fns[stack+"-"+short]
		if !ok {
			t.Errorf("no function %s-%s (have %v)", stack, short, keys(fns))
			continue
		}
		if f.Runtime != "provided.al2023" || f.Handler != "bootstrap" || f.MemorySize != 128 || f.Timeout != 3 {
			t.Errorf("%s: runtime %s handler %s memory %d timeout %d", f.FunctionName, f.Runtime, f.Handler, f.MemorySize, f.Timeout)
		}
		sha, _, size := zipDigests(t, zip)
		if f.CodeSha256 != sha || f.CodeSize != size {
			t.Errorf("%s: code %s (%d bytes), want build/%s.zip's %s (%d bytes)", f.FunctionName, f.CodeSha256, f.CodeSize, zip, sha, size)
		}
		var env map[string]string
		if f.Environment != nil {
			env = f.Environment.Variables
		}
		if !equalEnv(env, envs[zip]) {
			t.Errorf("%s: environment %v, want %v", f.FunctionName, env, envs[zip])
		}
	}
	if len(fns) != 2 || len(p.rolesOf(stack)) != 2 || len(p.logGroupsOf(stack)) != 2 {
		t.Errorf("functions %v, roles %v, log groups %v: want two of each", keys(fns), keys(p.rolesOf(stack)), p.logGroupsOf(stack))
	}

	gone := loadPhase(t, "http-destroyed")
	if got := gone.stackStatus(stack); got != "DELETE_COMPLETE" {
		t.Errorf("after destroy.sh, stack %s is %q, want DELETE_COMPLETE", stack, got)
	}
	if len(gone.functionsOf(stack)) != 0 || len(gone.rolesOf(stack)) != 0 || len(gone.logGroupsOf(stack)) != 0 {
		t.Errorf("left after destroy.sh: functions %v, roles %v, log groups %v", keys(gone.functionsOf(stack)), keys(gone.rolesOf(stack)), gone.logGroupsOf(stack))
	}
}
