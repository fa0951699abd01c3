//go:build deploycheck

package templatecheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/serverless-auth/serverless-auth/cloudformation"
)

// The files make deploy-check writes: DEPLOYCHECK_DIR (default ../../build/deploycheck) holds
// transform/ttl-N.json (the transform's output) with ttl-N.params.json (the parameters it was
// given), and moto/PHASE/*.json (moto's state captured with the AWS CLI after each step).
func deploycheckDir() string {
	if d := os.Getenv("DEPLOYCHECK_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "build", "deploycheck")
}

// templatePath is the SAM template, relative to this package.
const templatePath = "../../deploy/template.yaml"

// wantTTLs are the AuthorizerCacheTtl values the check transforms the template with.
var wantTTLs = []int{0, 300, 3600}

type transformed struct {
	ttl    int
	params map[string]string
	stack  *cloudformation.Stack
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run make deploy-check, which writes it)", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// transforms loads every transform output, evaluated with the parameters it was made with, and
// fails unless the TTLs 0, 300 and 3600 are all there.
func transforms(t *testing.T) []transformed {
	t.Helper()
	return loadTransforms(t, "transform", wantTTLs, "transform outputs")
}

// loadTransforms loads the transform outputs in dir (below deploycheckDir), each evaluated with
// the parameters it was made with, and fails unless their TTLs are exactly want; what names them
// in that failure.
func loadTransforms(t *testing.T, dir string, want []int, what string) []transformed {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deploycheckDir(), dir, "ttl-*.params.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []transformed
	for _, pf := range files {
		var params map[string]string
		readJSON(t, pf, &params)
		ttl, err := strconv.Atoi(params["AuthorizerCacheTtl"])
		if err != nil {
			t.Fatalf("%s: AuthorizerCacheTtl %q", pf, params["AuthorizerCacheTtl"])
		}
		tpl, err := cloudformation.ParseFile(strings.TrimSuffix(pf, ".params.json") + ".json")
		if err != nil {
			t.Fatal(err)
		}
		st, err := tpl.Evaluate(params)
		if err != nil {
			t.Fatalf("TTL %d: %v", ttl, err)
		}
		out = append(out, transformed{ttl: ttl, params: params, stack: st})
	}
	var got []int
	for _, tr := range out {
		got = append(got, tr.ttl)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("%s for TTLs %v, want %v", what, got, want)
	}
	return out
}

// only returns the single resource of type typ.
func only(t *testing.T, st *cloudformation.Stack, typ string) (string, cloudformation.Resource) {
	t.Helper()
	ids := st.OfType(typ)
	if len(ids) != 1 {
		t.Fatalf("%d resources of type %s (%v), want 1", len(ids), typ, ids)
	}
	return ids[0], st.Resources[ids[0]]
}

// openAPI is the REST API's definition as the transform wrote it into the RestApi's Body.
func openAPI(t *testing.T, st *cloudformation.Stack) map[string]any {
	t.Helper()
	_, api := only(t, st, "AWS::ApiGateway::RestApi")
	body, ok := api.Properties["Body"].(map[string]any)
	if !ok {
		t.Fatal("the RestApi has no OpenAPI Body")
	}
	if v, _ := cloudformation.Text(body["openapi"]); v != "3.0.1" {
		t.Fatalf("Body.openapi = %v, want 3.0.1", body["openapi"])
	}
	return body
}

func mapAt(t *testing.T, v any, keys ...string) map[string]any {
	t.Helper()
	got, ok := Lookup(v, keys...)
	m, isMap := got.(map[string]any)
	if !ok || !isMap {
		t.Fatalf("%s: not an object (%v)", strings.Join(keys, "."), got)
	}
	return m
}

func textAt(t *testing.T, v any, keys ...string) string {
	t.Helper()
	got, ok := Lookup(v, keys...)
	s, isText := cloudformation.Text(got)
	if !ok || !isText {
		t.Fatalf("%s: not a scalar (%v)", strings.Join(keys, "."), got)
	}
	return s
}

// lambdaTarget matches the Lambda integration / authorizer URI the transform writes.
var lambdaTarget = regexp.MustCompile(`^arn:aws:apigateway:([a-z0-9-]+):lambda:path/2015-03-31/functions/<([A-Za-z0-9]+)\.Arn>/invocations$`)

// functionOfURI returns the logical ID of the function an integration or authorizer URI invokes.
func functionOfURI(t *testing.T, st *cloudformation.Stack, uri string) string {
	t.Helper()
	m := lambdaTarget.FindStringSubmatch(uri)
	if m == nil {
		t.Fatalf("URI %q does not invoke a function of this stack", uri)
	}
	if m[1] != st.Parameters["AWS::Region"] {
		t.Errorf("URI %q is not in region %s", uri, st.Parameters["AWS::Region"])
	}
	if r, ok := st.Resources[m[2]]; !ok || r.Type != "AWS::Lambda::Function" {
		t.Fatalf("URI %q: %s is not an AWS::Lambda::Function", uri, m[2])
	}
	return m[2]
}

// tokenAuthorizer is the TOKEN authorizer as the OpenAPI body declares it.
type tokenAuthorizer struct {
	name, function, header, identitySource, expression string
	ttl                                                int
}

func authorizerOf(t *testing.T, st *cloudformation.Stack) tokenAuthorizer {
	t.Helper()
	schemes := mapAt(t, openAPI(t, st), "components", "securitySchemes")
	if len(schemes) != 1 {
		t.Fatalf("%d security schemes, want the one TOKEN authorizer", len(schemes))
	}
	for name, s := range schemes {
		a := tokenAuthorizer{name: name}
		if got := textAt(t, s, "type"); got != "apiKey" {
			t.Errorf("scheme %s: type %q, want apiKey", name, got)
		}
		if got := textAt(t, s, "in"); got != "header" {
			t.Errorf("scheme %s: in %q, want header", name, got)
		}
		if got := textAt(t, s, "x-amazon-apigateway-authtype"); got != "custom" {
			t.Errorf("scheme %s: authtype %q, want custom", name, got)
		}
		a.header = textAt(t, s, "name")
		a.identitySource = "method.request.header." + a.header
		if src, ok := Lookup(s, "x-amazon-apigateway-authorizer", "identitySource"); ok {
			a.identitySource, _ = cloudformation.Text(src)
		}
		if got := textAt(t, s, "x-amazon-apigateway-authorizer", "type"); got != "token" {
			t.Errorf("scheme %s: authorizer type %q, want token", name, got)
		}
		a.function = functionOfURI(t, st, textAt(t, s, "x-amazon-apigateway-authorizer", "authorizerUri"))
		if expr, ok := Lookup(s, "x-amazon-apigateway-authorizer", "identityValidationExpression"); ok {
			a.expression, _ = cloudformation.Text(expr)
		}
		// API Gateway's default TTL when the key is absent is 300 s: absence is reported as
		// 300, which is what a deployed API would do.
		a.ttl = 300
		if raw, ok := Lookup(s, "x-amazon-apigateway-authorizer", "authorizerResultTtlInSeconds"); ok {
			txt, _ := cloudformation.Text(raw)
			n, err := strconv.Atoi(txt)
			if err != nil {
				t.Fatalf("authorizerResultTtlInSeconds %v is not a whole number", raw)
			}
			a.ttl = n
		}
		return a
	}
	panic("unreachable")
}

// route is one method of the OpenAPI body.
type route struct {
	method, path, function, authorizer string
}

func routesOf(t *testing.T, st *cloudformation.Stack) []route {
	t.Helper()
	var out []route
	paths := mapAt(t, openAPI(t, st), "paths")
	for path, item := range paths {
		methods, ok := item.(map[string]any)
		if !ok {
			t.Fatalf("paths.%s is not an object", path)
		}
		for method, op := range methods {
			r := route{method: strings.ToUpper(method), path: path}
			if got := textAt(t, op, "x-amazon-apigateway-integration", "type"); got != "aws_proxy" {
				t.Errorf("%s %s: integration type %q, want aws_proxy", r.method, path, got)
			}
			if got := textAt(t, op, "x-amazon-apigateway-integration", "httpMethod"); got != "POST" {
				t.Errorf("%s %s: integration httpMethod %q, want POST (Lambda is invoked by POST)", r.method, path, got)
			}
			r.function = functionOfURI(t, st, textAt(t, op, "x-amazon-apigateway-integration", "uri"))
			if sec, ok := Lookup(op, "security"); ok {
				list, _ := sec.([]any)
				for _, s := range list {
					for name := range s.(map[string]any) {
						r.authorizer = name
					}
				}
			}
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b route) int { return strings.Compare(a.path+" "+a.method, b.path+" "+b.method) })
	return out
}

// gatewayResponse is one entry of x-amazon-apigateway-gateway-responses.
type gatewayResponse struct {
	statusCode int
	headers    map[string]string
	body       string
}

func gatewayResponsesOf(t *testing.T, st *cloudformation.Stack) map[string]gatewayResponse {
	t.Helper()
	out := map[string]gatewayResponse{}
	raw, ok := Lookup(openAPI(t, st), "x-amazon-apigateway-gateway-responses")
	if !ok {
		return out
	}
	for typ, v := range raw.(map[string]any) {
		gr := gatewayResponse{headers: map[string]string{}}
		if sc, ok := Lookup(v, "statusCode"); ok {
			s, _ := cloudformation.Text(sc)
			n, err := strconv.Atoi(s)
			if err != nil {
				t.Fatalf("%s: statusCode %v", typ, sc)
			}
			gr.statusCode = n
		}
		if params, ok := Lookup(v, "responseParameters"); ok {
			for k, hv := range params.(map[string]any) {
				name, isHeader := strings.CutPrefix(k, "gatewayresponse.header.")
				if !isHeader {
					continue
				}
				gr.headers[name], _ = cloudformation.Text(hv)
			}
		}
		if body, ok := Lookup(v, "responseTemplates", "application/json"); ok {
			gr.body, _ = cloudformation.Text(body)
		}
		out[typ] = gr
	}
	return out
}

// functionEnv is a function's evaluated environment (empty when it has none).
func functionEnv(t *testing.T, st *cloudformation.Stack, id string) map[string]string {
	t.Helper()
	env := map[string]string{}
	vars, ok := Lookup(st.Resources[id].Properties, "Environment", "Variables")
	if !ok {
		return env
	}
	for k, v := range vars.(map[string]any) {
		s, ok := cloudformation.Text(v)
		if !ok {
			t.Fatalf("function %s: %s is not a string (%v)", id, k, v)
		}
		env[k] = s
	}
	return env
}
