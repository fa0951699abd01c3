//go:build deploycheck

package templatecheck

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// What the AWS CLI printed for moto after each step of the rehearsal (deploy-check.sh capture).

type lambdaConfig struct {
	FunctionName  string
	FunctionArn   string
	Runtime       string
	Handler       string
	Role          string
	MemorySize    int
	Timeout       int
	CodeSha256    string
	CodeSize      int64
	LastModified  string
	Architectures []string
	Environment   *struct{ Variables map[string]string }
}

type iamRole struct {
	RoleName                 string
	Arn                      string
	AssumeRolePolicyDocument map[string]any
}

type rolePolicy struct {
	PolicyName     string
	PolicyDocument map[string]any
}

type motoPhase struct {
	dir       string
	inputs    map[string]string
	deployOut string
	functions []lambdaConfig
	roles     []iamRole
	logGroups []struct {
		LogGroupName    string `json:"logGroupName"`
		RetentionInDays int    `json:"retentionInDays"`
	}
	artifacts []struct {
		Key  string
		Size int64
	}
	restAPIs []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	stacks []struct{ StackName, StackStatus string }
}

func loadPhase(t *testing.T, name string) *motoPhase {
	t.Helper()
	p := &motoPhase{dir: filepath.Join(deploycheckDir(), "moto", name)}
	var fl struct{ Functions []lambdaConfig }
	readJSON(t, filepath.Join(p.dir, "list-functions.json"), &fl)
	p.functions = fl.Functions
	var rl struct{ Roles []iamRole }
	readJSON(t, filepath.Join(p.dir, "list-roles.json"), &rl)
	p.roles = rl.Roles
	var groups struct {
		LogGroups []struct {
			LogGroupName    string `json:"logGroupName"`
			RetentionInDays int    `json:"retentionInDays"`
		} `json:"logGroups"`
	}
	readJSON(t, filepath.Join(p.dir, "log-groups.json"), &groups)
	p.logGroups = groups.LogGroups
	var objs struct {
		Contents []struct {
			Key  string
			Size int64
		}
	}
	readJSON(t, filepath.Join(p.dir, "artifacts.json"), &objs)
	p.artifacts = objs.Contents
	var apis struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	readJSON(t, filepath.Join(p.dir, "rest-apis.json"), &apis)
	p.restAPIs = apis.Items
	var stacks struct {
		StackSummaries []struct{ StackName, StackStatus string }
	}
	readJSON(t, filepath.Join(p.dir, "list-stacks.json"), &stacks)
	p.stacks = stacks.StackSummaries
	if name != "destroyed" {
		readJSON(t, filepath.Join(p.dir, "inputs.json"), &p.inputs)
		out, err := os.ReadFile(filepath.Join(p.dir, "deploy.out"))
		if err != nil {
			t.Fatal(err)
		}
		p.deployOut = string(out)
	}
	return p
}

// stackStatus is the status list-stacks reports for stack.
func (p *motoPhase) stackStatus(stack string) string {
	for _, s := range p.stacks {
		if s.StackName == stack {
			return s.StackStatus
		}
	}
	return ""
}

func (p *motoPhase) functionsOf(stack string) map[string]lambdaConfig {
	out := map[string]lambdaConfig{}
	for _, f := range p.functions {
		if strings.HasPrefix(f.FunctionName, stack+"-") {
			out[f.FunctionName] = f
		}
	}
	return out
}

func (p *motoPhase) rolesOf(stack string) map[string]iamRole {
	out := map[string]iamRole{}
	for _, r := range p.roles {
		if strings.HasPrefix(r.RoleName, stack+"-") {
			out[r.RoleName] = r
		}
	}
	return out
}

func (p *motoPhase) logGroupsOf(stack string) map[string]int {
	out := map[string]int{}
	for _, g := range p.logGroups {
		if strings.HasPrefix(g.LogGroupName, "/aws/lambda/"+stack+"-") {
			out[g.LogGroupName] = g.RetentionInDays
		}
	}
	return out
}

// apiID is the id of the one REST API named STACK-api.
func (p *motoPhase) apiID(t *testing.T, stack string) string {
	t.Helper()
	var ids []string
	for _, a := range p.restAPIs {
		if a.Name == stack+"-api" {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%s: %d REST APIs named %s-api, want 1", p.dir, len(ids), stack)
	}
	return ids[0]
}

// zipDigests returns the base64 SHA-256 (Lambda's CodeSha256), the hex MD5 (the S3 key
// `aws cloudformation package` gives an artifact) and the size of build/NAME.zip.
func zipDigests(t *testing.T, name string) (sha string, md5hex string, size int64) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(deploycheckDir(), "..", name+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	m := md5.Sum(data)
	return base64.StdEncoding.EncodeToString(s[:]), hex.EncodeToString(m[:]), int64(len(data))
}

// TestMotoDeployments: after the create, the unchanged re-deploy and the update, moto holds
// exactly the functions, roles, log groups, artifacts and invoke permissions the template
// describes, configured from deploy.sh's inputs — not just a stack that says it is complete.
func TestMotoDeployments(t *testing.T) {
	for phase, wantStatus := range map[string]string{
		"created":   "CREATE_COMPLETE",
		"unchanged": "CREATE_COMPLETE",
		"updated":   "UPDATE_COMPLETE",
	} {
		t.Run(phase, func(t *testing.T) {
			p := loadPhase(t, phase)
			in := p.inputs
			stack, region := in["STACK"], in["AWS_REGION"]
			if got := p.stackStatus(stack); got != wantStatus {
				t.Errorf("stack %s is %q, want %s", stack, got, wantStatus)
			}
			api := p.apiID(t, stack)
			url := "https://" + api + ".execute-api." + region + ".amazonaws.com/" + in["STAGE"]
			for _, want := range []string{
				"API URL: " + url + "\n",
				"SMOKE_URL=" + url + " TENANT=" + in["TOKEN_ISSUER"] + " AUDIENCE=" + in["AUDIENCE"] + " CLIENT_ID=",
				" make smoke\n",
			} {
				if !strings.Contains(p.deployOut, want) {
					t.Errorf("deploy.sh did not print %q", want)
				}
			}

			fns := p.functionsOf(stack)
			if len(fns) != 2 {
				t.Fatalf("functions %v, want %s-authorizer and %s-profile", keys(fns), stack, stack)
			}
			roles := p.rolesOf(stack)
			if len(roles) != 2 {
				t.Errorf("roles %v, want one per function and no other", keys(roles))
			}
			groups := p.logGroupsOf(stack)
			if len(groups) != 2 {
				t.Errorf("log groups %v, want one per function", groups)
			}
			policy := "method"
			if in["CACHE_TTL"] != "0" {
				policy = "stage"
			}
			envs := map[string]map[string]string{
				"authorizer": {
					"TOKEN_ISSUER":    in["TOKEN_ISSUER"],
					"JWKS_URI":        in["TOKEN_ISSUER"] + ".well-known/jwks.json",
					"AUDIENCE":        in["AUDIENCE"],
					"POLICY_RESOURCE": policy,
				},
				"profile": {},
			}
			sources := map[string]string{"authorizer": "/authorizers/*", "profile": "/*/GET/profile"}
			var keysUploaded []string
			for _, short := range []string{"authorizer", "profile"} {
				name := stack + "-" + short
				f, ok := fns[name]
				if !ok {
					t.Errorf("no function %s", name)
					continue
				}
				account := strings.Split(f.FunctionArn, ":")[4]
				if f.Runtime != "provided.al2023" || f.Handler != "bootstrap" || f.MemorySize != 128 || f.Timeout != 3 {
					t.Errorf("%s: runtime %s handler %s memory %d timeout %d, want provided.al2023 bootstrap 128 3",
						name, f.Runtime, f.Handler, f.MemorySize, f.Timeout)
				}
				sha, md5hex, size := zipDigests(t, short)
				if f.CodeSha256 != sha || f.CodeSize != size {
					t.Errorf("%s: code %s (%d bytes), want build/%s.zip's %s (%d bytes)", name, f.CodeSha256, f.CodeSize, short, sha, size)
				}
				var env map[string]string
				if f.Environment != nil {
					env = f.Environment.Variables
				}
				if !equalEnv(env, envs[short]) {
					t.Errorf("%s: environment %v, want %v", name, env, envs[short])
				}
				keysUploaded = append(keysUploaded, stack+"/"+md5hex)

				var gf struct {
					Configuration lambdaConfig
					Code          struct{ Location string }
				}
				readJSON(t, filepath.Join(p.dir, "function-"+name+".json"), &gf)
				if gf.Configuration.FunctionArn != f.FunctionArn || !strings.HasSuffix(gf.Code.Location, "/"+stack+"/"+md5hex) {
					t.Errorf("%s: get-function says code at %q, want the uploaded %s/%s", name, gf.Code.Location, stack, md5hex)
				}

				checkRole(t, p, roles, f, name, region, account)
				if days, ok := groups["/aws/lambda/"+name]; !ok || days < 1 {
					t.Errorf("log group /aws/lambda/%s: present %v, retention %d days", name, ok, days)
				}
				checkInvokePermission(t, p, name, "arn:aws:execute-api:"+region+":"+account+":"+api+sources[short])
			}
			var uploaded []string
			for _, o := range p.artifacts {
				uploaded = append(uploaded, o.Key)
			}
			slices.Sort(uploaded)
			slices.Sort(keysUploaded)
			if !slices.Equal(uploaded, keysUploaded) {
				t.Errorf("artifact bucket holds %v, want %v", uploaded, keysUploaded)
			}
			for _, f := range fns {
				if len(f.Architectures) == 1 && f.Architectures[0] != "arm64" {
					t.Logf("%s: moto reports architecture %v (moto ignores Architectures; the transform test asserts arm64)", f.FunctionName, f.Architectures)
				}
			}
		})
	}
}

// TestMotoUnchangedRedeploy: deploying the same inputs again is an empty change set, which
// --no-fail-on-empty-changeset turns into success, and nothing is redeployed.
func TestMotoUnchangedRedeploy(t *testing.T) {
	created, unchanged := loadPhase(t, "created"), loadPhase(t, "unchanged")
	if !strings.Contains(unchanged.deployOut, "No changes to deploy") {
		t.Error("the re-deploy with unchanged inputs was not an empty change set")
	}
	stack := created.inputs["STACK"]
	for name, f := range created.functionsOf(stack) {
		if after := unchanged.functionsOf(stack)[name]; after.LastModified != f.LastModified || after.CodeSha256 != f.CodeSha256 {
			t.Errorf("%s changed on an unchanged re-deploy: %+v -> %+v", name, f, after)
		}
	}
}

// TestMotoDestroyed: destroy.sh leaves no function, role or log group of the stack, and the
// stack is DELETE_COMPLETE. The uploaded artifacts stay in the bucket (README says how to
// remove them).
func TestMotoDestroyed(t *testing.T) {
	updated, p := loadPhase(t, "updated"), loadPhase(t, "destroyed")
	stack := updated.inputs["STACK"]
	if got := p.stackStatus(stack); got != "DELETE_COMPLETE" {
		t.Errorf("stack %s is %q, want DELETE_COMPLETE", stack, got)
	}
	if fns := p.functionsOf(stack); len(fns) != 0 {
		t.Errorf("functions left: %v", keys(fns))
	}
	if roles := p.rolesOf(stack); len(roles) != 0 {
		t.Errorf("roles left: %v", keys(roles))
	}
	if groups := p.logGroupsOf(stack); len(groups) != 0 {
		t.Errorf("log groups left: %v", groups)
	}
	if len(p.artifacts) != len(updated.artifacts) {
		t.Errorf("artifacts %d after destroy, %d before: destroy must not touch the bucket", len(p.artifacts), len(updated.artifacts))
	}
	for _, a := range p.restAPIs {
		if a.Name == stack+"-api" {
			t.Logf("moto keeps REST API %s (%s) after the stack is deleted (moto does not delete CloudFormation-made REST APIs)", a.ID, a.Name)
		}
	}
}

// checkRole: the function's role is one of the stack's, trusted by Lambda only, with no managed
// policy and one inline policy allowing CreateLogStream and PutLogEvents on the function's log
// group only.
func checkRole(t *testing.T, p *motoPhase, roles map[string]iamRole, f lambdaConfig, name, region, account string) {
	t.Helper()
	var role iamRole
	for _, r := range roles {
		if r.Arn == f.Role {
			role = r
		}
	}
	if role.RoleName == "" {
		t.Errorf("%s: role %s is not one of the stack's roles %v", name, f.Role, keys(roles))
		return
	}
	trust := statements(t, role.AssumeRolePolicyDocument)
	if len(trust) != 1 || !slices.Equal(stringsOf(trust[0]["Action"]), []string{"sts:AssumeRole"}) ||
		!slices.Equal(stringsOf(mapAt(t, trust[0], "Principal")["Service"]), []string{"lambda.amazonaws.com"}) {
		t.Errorf("%s: trust policy %v, want Lambda only", role.RoleName, trust)
	}
	var attached struct{ AttachedPolicies []any }
	readJSON(t, filepath.Join(p.dir, "role-"+role.RoleName+".attached.json"), &attached)
	if len(attached.AttachedPolicies) != 0 {
		t.Errorf("%s: managed policies %v, want none", role.RoleName, attached.AttachedPolicies)
	}
	files, err := filepath.Glob(filepath.Join(p.dir, "role-"+role.RoleName+".policy-*.json"))
	if err != nil || len(files) != 1 {
		t.Fatalf("%s: inline policies %v, want exactly one", role.RoleName, files)
	}
	var rp rolePolicy
	readJSON(t, files[0], &rp)
	stmts := statements(t, rp.PolicyDocument)
	want := "arn:aws:logs:" + region + ":" + account + ":log-group:/aws/lambda/" + name + ":*"
	if len(stmts) != 1 || textAt(t, stmts[0], "Effect") != "Allow" ||
		!slices.Equal(slices.Sorted(slices.Values(stringsOf(stmts[0]["Action"]))), []string{"logs:CreateLogStream", "logs:PutLogEvents"}) ||
		!slices.Equal(stringsOf(stmts[0]["Resource"]), []string{want}) {
		t.Errorf("%s: may do %v, want logs:CreateLogStream and logs:PutLogEvents on %s only", role.RoleName, stmts, want)
	}
}

// checkInvokePermission: the function's resource policy lets API Gateway invoke it from
// sourceArn only.
func checkInvokePermission(t *testing.T, p *motoPhase, name, sourceArn string) {
	t.Helper()
	var gp struct{ Policy string }
	readJSON(t, filepath.Join(p.dir, "function-"+name+".policy.json"), &gp)
	var doc map[string]any
	if err := json.Unmarshal([]byte(gp.Policy), &doc); err != nil {
		t.Fatalf("%s: resource policy: %v", name, err)
	}
	stmts := statements(t, doc)
	if len(stmts) != 1 {
		t.Fatalf("%s: %d resource policy statements, want 1", name, len(stmts))
	}
	s := stmts[0]
	got, _ := Lookup(s, "Condition", "ArnLike", "AWS:SourceArn")
	if textAt(t, s, "Effect") != "Allow" || !slices.Equal(stringsOf(s["Action"]), []string{"lambda:InvokeFunction"}) ||
		!slices.Equal(stringsOf(mapAt(t, s, "Principal")["Service"]), []string{"apigateway.amazonaws.com"}) || got != sourceArn {
		t.Errorf("%s: resource policy %v, want API Gateway invoking from %s", name, s, sourceArn)
	}
}

func equalEnv(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return false
		}
	}
	return true
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
