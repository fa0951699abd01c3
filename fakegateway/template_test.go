package fakegateway

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const deployTemplate = "../deploy/template.yaml"

func tenantParams(extra map[string]string) map[string]string {
	p := map[string]string{
		"TokenIssuer": "https://tenant.example/",
		"JwksUri":     "https://tenant.example/.well-known/jwks.json",
		"Audience":    "https://profile-api.example/",
	}
	maps.Copy(p, extra)
	return p
}

func TestLoadDeployTemplate(t *testing.T) {
	tests := []struct {
		name       string
		params     map[string]string
		stage      string
		ttl        time.Duration
		policyRsrc string
	}{
		{"defaults: cache off, method-wide policy", tenantParams(nil), "prod", 0, "method"},
		{"cache on: stage-wide policy", tenantParams(map[string]string{"AuthorizerCacheTtl": "300"}), "prod", 300 * time.Second, "stage"},
		{"cache at the maximum", tenantParams(map[string]string{"AuthorizerCacheTtl": "3600", "StageName": "dev"}), "dev", time.Hour, "stage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadTemplate(deployTemplate, tt.params)
			if err != nil {
				t.Fatalf("LoadTemplate: %v", err)
			}
			if cfg.Stage != tt.stage {
				t.Errorf("Stage = %q, want %q", cfg.Stage, tt.stage)
			}
			wantRoutes := []Route{{Method: "GET", Path: "/profile", Function: "ProfileFunction"}}
			if !reflect.DeepEqual(cfg.Routes, wantRoutes) {
				t.Errorf("Routes = %+v, want %+v", cfg.Routes, wantRoutes)
			}
			wantAuth := Authorizer{
				Function:             "AuthorizerFunction",
				IdentityHeader:       "Authorization",
				ValidationExpression: "^Bearer [-0-9a-zA-Z._]+$",
				TTL:                  tt.ttl,
			}
			if cfg.Authorizer != wantAuth {
				t.Errorf("Authorizer = %+v, want %+v", cfg.Authorizer, wantAuth)
			}
			wantEnv := map[string]string{
				"JWKS_URI":        "https://tenant.example/.well-known/jwks.json",
				"TOKEN_ISSUER":    "https://tenant.example/",
				"AUDIENCE":        "https://profile-api.example/",
				"POLICY_RESOURCE": tt.policyRsrc,
			}
			if !reflect.DeepEqual(cfg.FunctionEnv["AuthorizerFunction"], wantEnv) {
				t.Errorf("authorizer env = %v, want %v", cfg.FunctionEnv["AuthorizerFunction"], wantEnv)
			}
			if env, ok := cfg.FunctionEnv["ProfileFunction"]; !ok || len(env) != 0 {
				t.Errorf("profile env = %v (present %v), want empty", env, ok)
			}
			for _, fn := range []string{"AuthorizerFunction", "ProfileFunction"} {
				if cfg.FunctionTimeout[fn] != 3*time.Second {
					t.Errorf("%s timeout = %s, want 3s (Globals)", fn, cfg.FunctionTimeout[fn])
				}
			}
			cors := map[string]string{
				"Access-Control-Allow-Origin":  "'*'",
				"Access-Control-Allow-Headers": "'Authorization,Content-Type'",
			}
			for _, typ := range []string{"DEFAULT_4XX", "DEFAULT_5XX"} {
				gr, ok := cfg.GatewayResponses[typ]
				if !ok || !reflect.DeepEqual(gr.Headers, cors) || gr.StatusCode != 0 || gr.Body != "" {
					t.Errorf("GatewayResponses[%s] = %+v, want the CORS headers", typ, gr)
				}
			}
			if len(cfg.GatewayResponses) != 2 {
				t.Errorf("GatewayResponses has %d types, want 2", len(cfg.GatewayResponses))
			}
			if cfg.APIName != "serverless-auth-api" {
				t.Errorf("APIName = %q", cfg.APIName)
			}
		})
	}
}

func TestLoadDeployTemplateErrors(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
		want   string
	}{
		{"missing required parameter", map[string]string{"TokenIssuer": "https://t/", "JwksUri": "https://t/j"}, "Audience has no Default"},
		{"unknown parameter", tenantParams(map[string]string{"Audiense": "x"}), `"Audiense" is not declared`},
		{"TTL above 3600", tenantParams(map[string]string{"AuthorizerCacheTtl": "3601"}), "above MaxValue"},
		{"TTL negative", tenantParams(map[string]string{"AuthorizerCacheTtl": "-1"}), "below MinValue"},
		{"TTL not a number", tenantParams(map[string]string{"AuthorizerCacheTtl": "soon"}), "not a number"},
		{"issuer without trailing slash", tenantParams(map[string]string{"TokenIssuer": "https://tenant.example"}), "AllowedPattern"},
		{"empty audience", tenantParams(map[string]string{"Audience": ""}), "MinLength"},
		{"bad stage name", tenantParams(map[string]string{"StageName": "pr od"}), "AllowedPattern"},
		{"bad region", tenantParams(map[string]string{"AWS::Region": "mars"}), "region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadTemplate(deployTemplate, tt.params)
			if !errors.Is(err, ErrTemplate) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrTemplate containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadTemplateMissingFile(t *testing.T) {
	_, err := LoadTemplate(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if !errors.Is(err, ErrTemplate) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
}

// minimal is a small template the table below edits.
const minimal = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Ttl:
    Type: Number
    Default: 60
Conditions:
  Cached: !Not [!Equals [!Ref Ttl, 0]]
Globals:
  Function:
    Timeout: 5
    Environment:
      Variables:
        SHARED: from-globals
Resources:
  Auth:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 2
      Environment:
        Variables:
          MODE: !If [Cached, stage, method]
          REGION: !Sub "${AWS::Region}-${!Literal}"
          ARN: !GetAtt Auth.Arn
          JOINED: !Join ["/", [a, !Ref Ttl, c]]
          PICKED: !Select [1, !Split [",", "x,y,z"]]
          GONE: !If [Cached, !Ref AWS::NoValue, here]
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /items/{id}
            Method: get
        Health:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /health
            Method: any
            Auth:
              Authorizer: NONE
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Variables:
        color: blue
      BinaryMediaTypes: ["image~1png"]
      Auth:
        DefaultAuthorizer: Tok
        Authorizers:
          Tok:
            FunctionArn: !GetAtt Auth.Arn
            Identity:
              Header: X-Token
              ReauthorizeEvery: !Ref Ttl
      GatewayResponses:
        UNAUTHORIZED:
          StatusCode: 401
          ResponseTemplates:
            application/json: '{"error": $context.error.messageString}'
          ResponseParameters:
            Headers:
              WWW-Authenticate: "'Bearer'"
`

func TestParseTemplateFeatures(t *testing.T) {
	cfg, err := ParseTemplate([]byte(minimal), nil)
	if err != nil {
		t.Fatalf("ParseTemplate: %v", err)
	}
	wantRoutes := []Route{
		{Method: "ANY", Path: "/health", Function: "Handler", NoAuth: true},
		{Method: "GET", Path: "/items/{id}", Function: "Handler"},
	}
	if !reflect.DeepEqual(cfg.Routes, wantRoutes) {
		t.Errorf("Routes = %+v", cfg.Routes)
	}
	if want := (Authorizer{Function: "Auth", IdentityHeader: "X-Token", TTL: time.Minute}); cfg.Authorizer != want {
		t.Errorf("Authorizer = %+v", cfg.Authorizer)
	}
	wantEnv := map[string]string{
		"SHARED": "from-globals",
		"MODE":   "stage",
		"REGION": "us-east-1-${Literal}",
		"ARN":    "arn:aws:lambda:us-east-1:123456789012:function:Auth",
		"JOINED": "a/60/c",
		"PICKED": "y",
	}
	if !reflect.DeepEqual(cfg.FunctionEnv["Auth"], wantEnv) {
		t.Errorf("Auth env = %v", cfg.FunctionEnv["Auth"])
	}
	if cfg.FunctionTimeout["Auth"] != 2*time.Second || cfg.FunctionTimeout["Handler"] != 5*time.Second {
		t.Errorf("timeouts = %v", cfg.FunctionTimeout)
	}
	if cfg.Stage != "v1" || cfg.StageVariables["color"] != "blue" || !reflect.DeepEqual(cfg.BinaryMediaTypes, []string{"image/png"}) {
		t.Errorf("stage %q, variables %v, binary %v", cfg.Stage, cfg.StageVariables, cfg.BinaryMediaTypes)
	}
	gr := cfg.GatewayResponses["UNAUTHORIZED"]
	if gr.StatusCode != 401 || gr.Body != `{"error": $context.error.messageString}` || gr.Headers["WWW-Authenticate"] != "'Bearer'" {
		t.Errorf("UNAUTHORIZED = %+v", gr)
	}

	cfg, err = ParseTemplate([]byte(minimal), map[string]string{"Ttl": "0", "AWS::Region": "eu-west-1"})
	if err != nil {
		t.Fatalf("ParseTemplate(Ttl=0): %v", err)
	}
	if cfg.Authorizer.TTL != 0 || cfg.FunctionEnv["Auth"]["MODE"] != "method" || cfg.FunctionEnv["Auth"]["GONE"] != "here" ||
		cfg.FunctionEnv["Auth"]["REGION"] != "eu-west-1-${Literal}" {
		t.Errorf("with Ttl=0: authorizer %+v env %v", cfg.Authorizer, cfg.FunctionEnv["Auth"])
	}
}

func TestParseTemplateLongFormsAnchorsAndImplicitAPI(t *testing.T) {
	const tmpl = `
Transform: [AWS::Serverless-2016-10-31]
Mappings:
  Env:
    prod: {level: info}
Conditions:
  Always: {"Fn::Equals": [a, a]}
  Never: {"Fn::And": [{"Condition": Always}, {"Fn::Equals": [a, b]}]}
Resources:
  Base:
    Type: AWS::Serverless::Function
    Properties: &props
      Environment:
        Variables:
          LEVEL: {"Fn::FindInMap": [Env, prod, level]}
          NAME: {"Fn::Sub": ["${X}-fn", {X: {"Ref": "AWS::StackName"}}]}
      Events:
        Hello:
          Type: Api
          Properties: {Path: /hello, Method: POST}
  Skipped:
    Type: AWS::Serverless::Function
    Condition: Never
    Properties:
      Events:
        Other:
          Type: Api
          Properties: {Path: /other, Method: GET, RestApiId: {"Ref": "Elsewhere"}}
  Copy:
    Type: AWS::Serverless::Function
    Properties:
      <<: *props
      Events:
        Bye: {Type: Api, Properties: {Path: /bye, Method: delete}}
`
	cfg, err := ParseTemplate([]byte(tmpl), map[string]string{"AWS::StackName": "demo"})
	if err != nil {
		t.Fatalf("ParseTemplate: %v", err)
	}
	if cfg.Stage != "Prod" || cfg.Authorizer.Function != "" {
		t.Errorf("implicit API: stage %q authorizer %+v", cfg.Stage, cfg.Authorizer)
	}
	want := []Route{
		{Method: "DELETE", Path: "/bye", Function: "Copy", NoAuth: true},
		{Method: "POST", Path: "/hello", Function: "Base", NoAuth: true},
	}
	if !reflect.DeepEqual(cfg.Routes, want) {
		t.Errorf("Routes = %+v", cfg.Routes)
	}
	if _, ok := cfg.FunctionEnv["Skipped"]; ok {
		t.Error("a resource whose Condition is false was read")
	}
	if env := cfg.FunctionEnv["Copy"]; env["LEVEL"] != "info" || env["NAME"] != "demo-fn" {
		t.Errorf("Copy env = %v", env)
	}
}

func TestParseTemplateErrors(t *testing.T) {
	base := strings.ReplaceAll(minimal, "\t", "  ")
	tests := []struct {
		name     string
		tmpl     string
		params   map[string]string
		wantText string
	}{
		{"no transform", strings.Replace(base, "Transform: AWS::Serverless-2016-10-31", "", 1), nil, "Transform"},
		{"TTL out of range", base, map[string]string{"Ttl": "3601"}, "ReauthorizeEvery"},
		{"TTL fraction", base, map[string]string{"Ttl": "1.5"}, "ReauthorizeEvery"},
		{"REQUEST authorizer", strings.Replace(base, "FunctionArn: !GetAtt Auth.Arn", "FunctionPayloadType: REQUEST\n            FunctionArn: !GetAtt Auth.Arn", 1), nil, "REQUEST"},
		{"authorizer ARN not a function here", strings.Replace(base, "FunctionArn: !GetAtt Auth.Arn", "FunctionArn: arn:aws:lambda:us-east-1:1:function:x", 1), nil, "FunctionArn"},
		{"default authorizer undefined", strings.Replace(base, "DefaultAuthorizer: Tok", "DefaultAuthorizer: Tik", 1), nil, `"Tik" is not defined`},
		{"DefinitionBody", strings.Replace(base, "StageName: v1", "StageName: v1\n      DefinitionBody: {}", 1), nil, "DefinitionBody"},
		{"Cors", strings.Replace(base, "StageName: v1", "StageName: v1\n      Cors: \"'*'\"", 1), nil, "Cors"},
		{"unknown gateway response type", strings.Replace(base, "UNAUTHORIZED:", "NOT_A_TYPE:", 1), nil, "NOT_A_TYPE"},
		{"bad header mapping", strings.Replace(base, `WWW-Authenticate: "'Bearer'"`, `WWW-Authenticate: Bearer`, 1), nil, "mapping must be"},
		{"bad validation expression", strings.Replace(base, "Header: X-Token", "Header: X-Token\n              ValidationExpression: '(['", 1), nil, "validation expression"},
		{"event on a missing API", strings.Replace(base, "RestApiId: !Ref Api\n            Path: /items", "RestApiId: !Ref Nope\n            Path: /items", 1), nil, "spread over APIs"},
		{"bad route path", strings.Replace(base, "Path: /items/{id}", "Path: items", 1), nil, "must start with /"},
		{"bad method", strings.Replace(base, "Method: get", "Method: fetch", 1), nil, "method must be"},
		{"HttpApi", strings.Replace(base, "Type: AWS::Serverless::Api", "Type: AWS::Serverless::HttpApi", 1), nil, "HTTP APIs"},
		{"no routes", "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n", nil, "no routes"},
		{"no functions", "Transform: AWS::Serverless-2016-10-31\nResources:\n  B:\n    Type: AWS::S3::Bucket\n", nil, "no AWS::Serverless::Function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTemplate([]byte(tt.tmpl), tt.params)
			if !errors.Is(err, ErrTemplate) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("err = %v, want ErrTemplate containing %q", err, tt.wantText)
			}
		})
	}
}
