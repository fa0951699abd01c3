//go:build deploycheck

package templatecheck

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/serverless-auth/serverless-auth/cloudformation"
)

// validationExpression is the identity validation expression the API must have (DESIGN.md §7;
// the seed's "a-zA-z" range also admitted [ \ ] ^ _ and the backquote).
const validationExpression = `^Bearer [-0-9a-zA-Z._]+$`

// TestTransformedInventory: the transform leaves no SAM resource behind and makes exactly the
// resources the stack needs — in particular no SAM default role with its managed policy.
func TestTransformedInventory(t *testing.T) {
	want := map[string]int{
		"AWS::ApiGateway::RestApi":    1,
		"AWS::ApiGateway::Deployment": 1,
		"AWS::ApiGateway::Stage":      1,
		"AWS::Lambda::Function":       2,
		"AWS::Lambda::Permission":     2,
		"AWS::IAM::Role":              2,
		"AWS::Logs::LogGroup":         2,
	}
	for _, tr := range transforms(t) {
		got := map[string]int{}
		for _, r := range tr.stack.Resources {
			got[r.Type]++
		}
		if !maps.Equal(got, want) {
			t.Errorf("TTL %d: resource types %v, want %v", tr.ttl, got, want)
		}
	}
}

// TestTransformedAuthorizer: the TOKEN authorizer reads Authorization, validates it with the
// corrected expression, and caches for exactly the AuthorizerCacheTtl parameter (a misspelt
// ReauthorizeEvery would silently give API Gateway's 300 s default).
func TestTransformedAuthorizer(t *testing.T) {
	for _, tr := range transforms(t) {
		a := authorizerOf(t, tr.stack)
		if a.function != "AuthorizerFunction" {
			t.Errorf("TTL %d: the authorizer invokes %s, want AuthorizerFunction", tr.ttl, a.function)
		}
		if a.header != "Authorization" || a.identitySource != "method.request.header.Authorization" {
			t.Errorf("TTL %d: identity header %q source %q, want Authorization / method.request.header.Authorization", tr.ttl, a.header, a.identitySource)
		}
		if a.expression != validationExpression {
			t.Errorf("TTL %d: validation expression %q, want %q", tr.ttl, a.expression, validationExpression)
		}
		if a.ttl < 0 || a.ttl > 3600 {
			t.Errorf("TTL %d: authorizerResultTtlInSeconds %d is outside 0..3600", tr.ttl, a.ttl)
		}
		if a.ttl != tr.ttl {
			t.Errorf("authorizerResultTtlInSeconds = %d, want the parameter's %d", a.ttl, tr.ttl)
		}
	}
}

// TestValidationExpressionSemantics: what the expression admits and refuses, matched against
// the whole header value as API Gateway does.
func TestValidationExpressionSemantics(t *testing.T) {
	re := regexp.MustCompile(`^(?:` + validationExpression + `)$`)
	for value, want := range map[string]bool{
		"Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_": true,
		"Bearer a":    true,
		"bearer a":    false,
		"Bearer":      false,
		"Bearer ":     false,
		"Bearer  a":   false,
		"Bearer a b":  false,
		"Basic a":     false,
		"Bearer a`b":  false, // admitted by the seed's a-zA-z
		"Bearer a[b]": false,
		`Bearer a\b`:  false,
		"Bearer a^b":  false,
		"Bearer a=":   false, // JWTs are base64url without padding
		"Bearer a\n":  false,
	} {
		if got := re.MatchString(value); got != want {
			t.Errorf("%q: matched %v, want %v", value, got, want)
		}
	}
}

// TestTransformedRoutes: GET /profile, proxied to ProfileFunction, behind the authorizer.
func TestTransformedRoutes(t *testing.T) {
	for _, tr := range transforms(t) {
		a := authorizerOf(t, tr.stack)
		want := []route{{method: "GET", path: "/profile", function: "ProfileFunction", authorizer: a.name}}
		if got := routesOf(t, tr.stack); !slices.Equal(got, want) {
			t.Errorf("TTL %d: routes %+v, want %+v", tr.ttl, got, want)
		}
	}
}

// TestTransformedFunctions: both functions arm64, provided.al2023, handler bootstrap, 128 MB,
// 3 s, code from S3, logging to their own log group with a retention, each with its own role.
func TestTransformedFunctions(t *testing.T) {
	for _, tr := range transforms(t) {
		st := tr.stack
		stackName := st.Parameters["AWS::StackName"]
		names := map[string]string{"AuthorizerFunction": stackName + "-authorizer", "ProfileFunction": stackName + "-profile"}
		if got := st.OfType("AWS::Lambda::Function"); !slices.Equal(got, slices.Sorted(maps.Keys(names))) {
			t.Fatalf("functions %v", got)
		}
		for id, name := range names {
			p := st.Resources[id].Properties
			for key, want := range map[string]string{
				"FunctionName": name, "Runtime": "provided.al2023", "Handler": "bootstrap", "MemorySize": "128", "Timeout": "3",
			} {
				if got, _ := cloudformation.Text(p[key]); got != want {
					t.Errorf("TTL %d: %s.%s = %v, want %s", tr.ttl, id, key, p[key], want)
				}
			}
			if arch, _ := p["Architectures"].([]any); len(arch) != 1 || arch[0] != "arm64" {
				t.Errorf("TTL %d: %s.Architectures = %v, want [arm64]", tr.ttl, id, p["Architectures"])
			}
			if _, ok := Lookup(p, "Code", "S3Bucket"); !ok {
				t.Errorf("TTL %d: %s has no Code.S3Bucket", tr.ttl, id)
			}
			if _, ok := Lookup(p, "Code", "S3Key"); !ok {
				t.Errorf("TTL %d: %s has no Code.S3Key", tr.ttl, id)
			}
			group := logGroupOf(t, st, id)
			if got := textAt(t, st.Resources[group].Properties, "LogGroupName"); got != "/aws/lambda/"+name {
				t.Errorf("TTL %d: %s logs to %s, want /aws/lambda/%s", tr.ttl, id, got, name)
			}
			days, err := strconv.Atoi(textAt(t, st.Resources[group].Properties, "RetentionInDays"))
			if err != nil || days < 1 {
				t.Errorf("TTL %d: log group %s has no retention", tr.ttl, group)
			}
		}
	}
}

// logGroupOf returns the logical ID of the log group function id logs to.
func logGroupOf(t *testing.T, st *cloudformation.Stack, id string) string {
	t.Helper()
	ref := textAt(t, st.Resources[id].Properties, "LoggingConfig", "LogGroup")
	for _, g := range st.OfType("AWS::Logs::LogGroup") {
		if cloudformation.RefTo(g) == ref {
			return g
		}
	}
	t.Fatalf("%s: LoggingConfig.LogGroup %q is not a log group of the stack", id, ref)
	return ""
}

// TestTransformedRoles: one role per function, trusted by Lambda only, with no managed policy
// and one inline statement: CreateLogStream and PutLogEvents on the function's own log group.
func TestTransformedRoles(t *testing.T) {
	for _, tr := range transforms(t) {
		st := tr.stack
		seen := map[string]bool{}
		for _, fn := range st.OfType("AWS::Lambda::Function") {
			roleAtt := textAt(t, st.Resources[fn].Properties, "Role")
			var role string
			for _, r := range st.OfType("AWS::IAM::Role") {
				if cloudformation.AttOf(r, "Arn") == roleAtt {
					role = r
				}
			}
			if role == "" {
				t.Fatalf("TTL %d: %s.Role %q is not a role of the stack", tr.ttl, fn, roleAtt)
			}
			if seen[role] {
				t.Errorf("TTL %d: role %s is shared", tr.ttl, role)
			}
			seen[role] = true
			p := st.Resources[role].Properties
			if m, ok := p["ManagedPolicyArns"]; ok {
				t.Errorf("TTL %d: %s has managed policies %v", tr.ttl, role, m)
			}
			trust := statements(t, p["AssumeRolePolicyDocument"])
			if len(trust) != 1 || textAt(t, trust[0], "Effect") != "Allow" ||
				!slices.Equal(stringsOf(trust[0]["Action"]), []string{"sts:AssumeRole"}) ||
				!slices.Equal(stringsOf(mapAt(t, trust[0], "Principal")["Service"]), []string{"lambda.amazonaws.com"}) {
				t.Errorf("TTL %d: %s trust policy %v, want Lambda only", tr.ttl, role, trust)
			}
			policies, _ := p["Policies"].([]any)
			if len(policies) != 1 {
				t.Fatalf("TTL %d: %s has %d inline policies, want 1", tr.ttl, role, len(policies))
			}
			stmts := statements(t, mapAt(t, policies[0], "PolicyDocument"))
			wantResource := "arn:aws:logs:" + st.Parameters["AWS::Region"] + ":" + st.Parameters["AWS::AccountId"] +
				":log-group:" + cloudformation.RefTo(logGroupOf(t, st, fn)) + ":*"
			if len(stmts) != 1 || textAt(t, stmts[0], "Effect") != "Allow" ||
				!slices.Equal(slices.Sorted(slices.Values(stringsOf(stmts[0]["Action"]))), []string{"logs:CreateLogStream", "logs:PutLogEvents"}) ||
				!slices.Equal(stringsOf(stmts[0]["Resource"]), []string{wantResource}) {
				t.Errorf("TTL %d: %s may do %v, want logs:CreateLogStream and logs:PutLogEvents on %s only", tr.ttl, role, stmts, wantResource)
			}
		}
	}
}

// statements returns a policy document's statements.
func statements(t *testing.T, doc any) []map[string]any {
	t.Helper()
	if v, _ := cloudformation.Text(mapAt(t, doc)["Version"]); v != "2012-10-17" {
		t.Errorf("policy Version %q, want 2012-10-17", v)
	}
	raw, _ := Lookup(doc, "Statement")
	list, ok := raw.([]any)
	if !ok {
		list = []any{raw}
	}
	out := make([]map[string]any, len(list))
	for i, s := range list {
		out[i] = mapAt(t, s)
	}
	return out
}

// stringsOf reads a policy field that may be one string or a list of strings.
func stringsOf(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, it := range list {
		s, _ := cloudformation.Text(it)
		out = append(out, s)
	}
	return out
}

// TestTransformedEnvironment: the authorizer gets the tenant settings, and the stage-wide policy
// exactly when the result cache is on; the profile function needs no environment.
func TestTransformedEnvironment(t *testing.T) {
	for _, tr := range transforms(t) {
		policy := "method"
		if tr.ttl > 0 {
			policy = "stage"
		}
		want := map[string]string{
			"JWKS_URI":        tr.params["JwksUri"],
			"TOKEN_ISSUER":    tr.params["TokenIssuer"],
			"AUDIENCE":        tr.params["Audience"],
			"POLICY_RESOURCE": policy,
		}
		if got := functionEnv(t, tr.stack, "AuthorizerFunction"); !maps.Equal(got, want) {
			t.Errorf("TTL %d: authorizer environment %v, want %v", tr.ttl, got, want)
		}
		if got := functionEnv(t, tr.stack, "ProfileFunction"); len(got) != 0 {
			t.Errorf("TTL %d: profile environment %v, want none", tr.ttl, got)
		}
	}
}

// TestTransformedGatewayResponses: the gateway's own 4XX and 5XX responses carry CORS headers,
// so a browser can read a 401 or 403.
func TestTransformedGatewayResponses(t *testing.T) {
	for _, tr := range transforms(t) {
		grs := gatewayResponsesOf(t, tr.stack)
		for _, typ := range []string{"DEFAULT_4XX", "DEFAULT_5XX"} {
			gr, ok := grs[typ]
			if !ok {
				t.Errorf("TTL %d: no %s gateway response", tr.ttl, typ)
				continue
			}
			want := map[string]string{
				"Access-Control-Allow-Origin":  "'*'",
				"Access-Control-Allow-Headers": "'Authorization,Content-Type'",
			}
			if !maps.Equal(gr.headers, want) {
				t.Errorf("TTL %d: %s headers %v, want %v", tr.ttl, typ, gr.headers, want)
			}
		}
	}
}

// TestTransformedStage: the stage has the StageName parameter and deploys this API; a TTL change
// makes a new deployment (the Deployment's logical ID hashes the definition), so the stage
// picks the new authorizer setting up.
func TestTransformedStage(t *testing.T) {
	deployments := map[string]int{}
	for _, tr := range transforms(t) {
		st := tr.stack
		api, restAPI := only(t, st, "AWS::ApiGateway::RestApi")
		dep, deployment := only(t, st, "AWS::ApiGateway::Deployment")
		_, stage := only(t, st, "AWS::ApiGateway::Stage")
		deployments[dep]++
		if got := textAt(t, restAPI.Properties, "Name"); got != st.Parameters["AWS::StackName"]+"-api" {
			t.Errorf("TTL %d: API name %q", tr.ttl, got)
		}
		if got := stringsOf(mapAt(t, restAPI.Properties, "EndpointConfiguration")["Types"]); !slices.Equal(got, []string{"REGIONAL"}) {
			t.Errorf("TTL %d: endpoint types %v, want [REGIONAL]", tr.ttl, got)
		}
		if got := textAt(t, deployment.Properties, "RestApiId"); got != cloudformation.RefTo(api) {
			t.Errorf("TTL %d: deployment of %s, want %s", tr.ttl, got, cloudformation.RefTo(api))
		}
		for key, want := range map[string]string{"RestApiId": cloudformation.RefTo(api), "DeploymentId": cloudformation.RefTo(dep), "StageName": tr.params["StageName"]} {
			if got := textAt(t, stage.Properties, key); got != want {
				t.Errorf("TTL %d: stage %s = %q, want %q", tr.ttl, key, got, want)
			}
		}
	}
	if len(deployments) != len(wantTTLs) {
		t.Errorf("deployments %v: a TTL change must produce a new Deployment", deployments)
	}
}

// TestTransformedPermissions: API Gateway may invoke the authorizer for this API's authorizers
// only, and the profile function for GET /profile of this API only.
func TestTransformedPermissions(t *testing.T) {
	for _, tr := range transforms(t) {
		st := tr.stack
		api, _ := only(t, st, "AWS::ApiGateway::RestApi")
		prefix := "arn:aws:execute-api:" + st.Parameters["AWS::Region"] + ":" + st.Parameters["AWS::AccountId"] + ":" + cloudformation.RefTo(api)
		want := map[string]string{
			cloudformation.AttOf("AuthorizerFunction", "Arn"): prefix + "/authorizers/*",
			cloudformation.RefTo("ProfileFunction"):           prefix + "/*/GET/profile",
		}
		got := map[string]string{}
		for _, id := range st.OfType("AWS::Lambda::Permission") {
			p := st.Resources[id].Properties
			if textAt(t, p, "Action") != "lambda:InvokeFunction" || textAt(t, p, "Principal") != "apigateway.amazonaws.com" {
				t.Errorf("TTL %d: permission %s grants %v to %v", tr.ttl, id, p["Action"], p["Principal"])
			}
			got[textAt(t, p, "FunctionName")] = textAt(t, p, "SourceArn")
		}
		if !maps.Equal(got, want) {
			t.Errorf("TTL %d: invoke permissions %v, want %v", tr.ttl, got, want)
		}
	}
}

// TestTransformedOutputs: ApiUrl is the stage's invoke URL; the function names are outputs too.
func TestTransformedOutputs(t *testing.T) {
	for _, tr := range transforms(t) {
		st := tr.stack
		api, _ := only(t, st, "AWS::ApiGateway::RestApi")
		want := map[string]any{
			"ApiUrl":                 "https://" + cloudformation.RefTo(api) + ".execute-api." + st.Parameters["AWS::Region"] + ".amazonaws.com/" + tr.params["StageName"],
			"AuthorizerFunctionName": cloudformation.RefTo("AuthorizerFunction"),
			"ProfileFunctionName":    cloudformation.RefTo("ProfileFunction"),
		}
		if !maps.Equal(st.Outputs, want) {
			t.Errorf("TTL %d: outputs %v, want %v", tr.ttl, st.Outputs, want)
		}
	}
}
