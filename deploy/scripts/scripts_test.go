package scripts

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeAWS records each call's arguments (separated by \x1f, one call per line) in $FAKE_AWS_LOG
// and answers the two queries deploy.sh reads: the ApiUrl output and the REST API ids.
const fakeAWS = `#!/bin/sh
for a in "$@"; do printf '%s\037' "$a"; done >>"$FAKE_AWS_LOG"
echo >>"$FAKE_AWS_LOG"
case "$*" in
*"cloudformation describe-stacks"*) echo "${FAKE_API_URL:-None}" ;;
*"apigateway get-rest-apis"*) echo "${FAKE_API_IDS:-}" ;;
esac
`

// tree is a scratch copy of the scripts and the template, with build/*.zip and a bin directory
// holding the stand-in aws.
type tree struct {
	root, bin, log string
}

func newTree(t *testing.T, withZips bool) *tree {
	t.Helper()
	tr := &tree{root: t.TempDir()}
	scripts := filepath.Join(tr.root, "deploy", "scripts")
	if err := os.MkdirAll(scripts, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"lib.sh", "deploy.sh", "destroy.sh"} {
		copyFile(t, name, filepath.Join(scripts, name))
	}
	copyFile(t, "../template.yaml", filepath.Join(tr.root, "deploy", "template.yaml"))
	if err := os.MkdirAll(filepath.Join(tr.root, "build"), 0o755); err != nil {
		t.Fatal(err)
	}
	if withZips {
		for _, z := range []string{"authorizer.zip", "profile.zip"} {
			if err := os.WriteFile(filepath.Join(tr.root, "build", z), []byte("zip"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tr.bin = filepath.Join(tr.root, "bin")
	if err := os.Mkdir(tr.bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tr.bin, "aws"), []byte(fakeAWS), 0o755); err != nil {
		t.Fatal(err)
	}
	tr.log = filepath.Join(tr.root, "aws-calls.log")
	return tr
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

// run runs a script of the tree with exactly env (plus PATH and FAKE_AWS_LOG) and returns its
// exit code, stdout and stderr.
func (tr *tree) run(t *testing.T, script string, env map[string]string, withAWS bool) (int, string, string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("the deploy scripts need bash:", err)
	}
	path := filepath.Dir(bash) + ":/usr/bin:/bin"
	if withAWS {
		path = tr.bin + ":" + path
	}
	cmd := exec.Command(bash, filepath.Join(tr.root, "deploy", "scripts", script))
	cmd.Env = []string{"PATH=" + path, "FAKE_AWS_LOG=" + tr.log, "HOME=" + tr.root}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// calls returns the recorded aws invocations, each as its argument list.
func (tr *tree) calls(t *testing.T) [][]string {
	t.Helper()
	data, err := os.ReadFile(tr.log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		out = append(out, strings.Split(strings.TrimSuffix(line, "\x1f"), "\x1f"))
	}
	return out
}

func validEnv() map[string]string {
	return map[string]string{
		"STACK":           "sa-test",
		"ARTIFACT_BUCKET": "artifacts",
		"TOKEN_ISSUER":    "https://tenant.example.auth0.com/",
		"AUDIENCE":        "https://profile-api.example/",
		"AWS_REGION":      "eu-west-1",
	}
}

func with(env map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
			continue
		}
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestDeployRefusesBadInputs(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		noAWS   bool
		noZips  bool
		wantErr string
	}{
		{"no aws CLI", validEnv(), true, false, "deploy.sh: missing tool(s): aws "},
		{"nothing set", map[string]string{}, false, false,
			"deploy.sh: missing environment variable(s): STACK ARTIFACT_BUCKET TOKEN_ISSUER AUDIENCE AWS_REGION\n"},
		{"two missing", with(validEnv(), "AUDIENCE", "", "AWS_REGION", ""), false, false,
			"deploy.sh: missing environment variable(s): AUDIENCE AWS_REGION\n"},
		{"issuer without trailing slash", with(validEnv(), "TOKEN_ISSUER", "https://tenant.example.auth0.com"), false, false,
			`TOKEN_ISSUER "https://tenant.example.auth0.com" must be an http(s) URL ending in "/"`},
		{"JWKS URI not a URL", with(validEnv(), "JWKS_URI", "tenant/jwks.json"), false, false, `JWKS_URI "tenant/jwks.json" must be an http(s) URL`},
		{"TTL above 3600", with(validEnv(), "CACHE_TTL", "3601"), false, false, `CACHE_TTL "3601" must be whole seconds from 0 (off) to 3600`},
		{"TTL with a leading zero", with(validEnv(), "CACHE_TTL", "00"), false, false, `CACHE_TTL "00" must be whole seconds`},
		{"TTL not a number", with(validEnv(), "CACHE_TTL", "5m"), false, false, `CACHE_TTL "5m" must be whole seconds`},
		{"bad stage", with(validEnv(), "STAGE", "v1-beta"), false, false, `STAGE "v1-beta" must be letters, digits and underscores`},
		{"bad stack name", with(validEnv(), "STACK", "1stack"), false, false, `STACK "1stack" must start with a letter`},
		{"unknown transform mode", with(validEnv(), "SAM_TRANSFORM", "maybe"), false, false, `SAM_TRANSFORM "maybe" must be aws, local or local-moto`},
		{"emulator mode on AWS", with(validEnv(), "SAM_TRANSFORM", "local-moto"), false, false, "SAM_TRANSFORM=local-moto deploys an API without a stage"},
		{"not packaged", validEnv(), false, true, "missing build/authorizer.zip: run make package first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTree(t, !tt.noZips)
			code, _, stderr := tr.run(t, "deploy.sh", tt.env, !tt.noAWS)
			if code == 0 {
				t.Fatal("deploy.sh succeeded")
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr %q does not say %q", stderr, tt.wantErr)
			}
			if calls := tr.calls(t); len(calls) != 0 {
				t.Errorf("aws was called before the inputs were checked: %q", calls)
			}
		})
	}
}

func TestDeployCalls(t *testing.T) {
	const url = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
	tests := []struct {
		name      string
		env       map[string]string
		endpoint  []string // the --endpoint-url flag every call carries
		params    []string
		wantURL   string
		wantCalls int
	}{
		{
			name:     "defaults",
			env:      with(validEnv(), "FAKE_API_URL", url),
			endpoint: nil,
			params: []string{
				"TokenIssuer=https://tenant.example.auth0.com/",
				"JwksUri=https://tenant.example.auth0.com/.well-known/jwks.json",
				"Audience=https://profile-api.example/",
				"StageName=prod",
				"AuthorizerCacheTtl=0",
			},
			wantURL:   url,
			wantCalls: 3,
		},
		{
			name: "every knob, and an endpoint override",
			env: with(validEnv(), "FAKE_API_URL", url, "JWKS_URI", "https://keys.example/jwks.json", "CACHE_TTL", "3600",
				"STAGE", "dev", "AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
			endpoint: []string{"--endpoint-url", "http://127.0.0.1:4566"},
			params: []string{
				"TokenIssuer=https://tenant.example.auth0.com/",
				"JwksUri=https://keys.example/jwks.json",
				"Audience=https://profile-api.example/",
				"StageName=dev",
				"AuthorizerCacheTtl=3600",
			},
			wantURL:   url,
			wantCalls: 3,
		},
		{
			name:     "an emulator that reports no outputs: the API found by name",
			env:      with(validEnv(), "AWS_ENDPOINT_URL", "http://127.0.0.1:5000", "FAKE_API_IDS", "q1w2e3"),
			endpoint: []string{"--endpoint-url", "http://127.0.0.1:5000"},
			params: []string{
				"TokenIssuer=https://tenant.example.auth0.com/",
				"JwksUri=https://tenant.example.auth0.com/.well-known/jwks.json",
				"Audience=https://profile-api.example/",
				"StageName=prod",
				"AuthorizerCacheTtl=0",
			},
			wantURL:   "https://q1w2e3.execute-api.eu-west-1.amazonaws.com/prod",
			wantCalls: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTree(t, true)
			code, stdout, stderr := tr.run(t, "deploy.sh", tt.env, true)
			if code != 0 {
				t.Fatalf("deploy.sh failed (%d): %s", code, stderr)
			}
			calls := tr.calls(t)
			if len(calls) != tt.wantCalls {
				t.Fatalf("aws calls %q, want %d", calls, tt.wantCalls)
			}
			prefix := append([]string{"--region", "eu-west-1"}, tt.endpoint...)
			want := [][]string{
				append(slices.Clone(prefix), "cloudformation", "package", "--template-file", "deploy/template.yaml",
					"--s3-bucket", "artifacts", "--s3-prefix", "sa-test", "--output-template-file", "build/packaged.yaml"),
				append(append(slices.Clone(prefix), "cloudformation", "deploy", "--template-file", "build/packaged.yaml",
					"--stack-name", "sa-test", "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND",
					"--no-fail-on-empty-changeset", "--parameter-overrides"), tt.params...),
				append(slices.Clone(prefix), "cloudformation", "describe-stacks", "--stack-name", "sa-test",
					"--query", "Stacks[0].Outputs[?OutputKey=='ApiUrl'].OutputValue | [0]", "--output", "text"),
			}
			for i, w := range want {
				if !slices.Equal(calls[i], w) {
					t.Errorf("call %d:\n got %q\nwant %q", i+1, calls[i], w)
				}
			}
			if tt.wantCalls == 4 {
				w := append(slices.Clone(prefix), "apigateway", "get-rest-apis", "--query", "items[?name=='sa-test-api'].id", "--output", "text")
				if !slices.Equal(calls[3], w) {
					t.Errorf("call 4:\n got %q\nwant %q", calls[3], w)
				}
			}
			for _, line := range []string{
				"API URL: " + tt.wantURL + "\n",
				"SMOKE_URL=" + tt.wantURL + " TENANT=https://tenant.example.auth0.com/ AUDIENCE=https://profile-api.example/ CLIENT_ID=<client id> CLIENT_SECRET=<client secret> make smoke\n",
			} {
				if !strings.Contains(stdout, line) {
					t.Errorf("stdout does not hold %q:\n%s", line, stdout)
				}
			}
		})
	}
}

func TestDeployWithoutOutputOnAWS(t *testing.T) {
	tr := newTree(t, true)
	code, _, stderr := tr.run(t, "deploy.sh", validEnv(), true)
	if code == 0 || !strings.Contains(stderr, "stack sa-test has no ApiUrl output") {
		t.Fatalf("deploy.sh = %d, %q; want a failure naming the missing output", code, stderr)
	}
}

func TestDeployEmulatorAPINotUnique(t *testing.T) {
	tr := newTree(t, true)
	env := with(validEnv(), "AWS_ENDPOINT_URL", "http://127.0.0.1:5000", "FAKE_API_IDS", "a1 b2")
	code, _, stderr := tr.run(t, "deploy.sh", env, true)
	if code == 0 || !strings.Contains(stderr, "2 APIs are named sa-test-api") {
		t.Fatalf("deploy.sh = %d, %q; want a failure counting the APIs", code, stderr)
	}
}

func TestDestroy(t *testing.T) {
	tr := newTree(t, false)
	code, _, stderr := tr.run(t, "destroy.sh", map[string]string{}, true)
	if code == 0 || !strings.Contains(stderr, "destroy.sh: missing environment variable(s): STACK AWS_REGION\n") {
		t.Fatalf("destroy.sh without inputs = %d, %q", code, stderr)
	}
	env := map[string]string{"STACK": "sa-test", "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}
	code, stdout, stderr := tr.run(t, "destroy.sh", env, true)
	if code != 0 {
		t.Fatalf("destroy.sh failed: %s", stderr)
	}
	prefix := []string{"--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:4566", "cloudformation"}
	want := [][]string{
		append(slices.Clone(prefix), "delete-stack", "--stack-name", "sa-test"),
		append(slices.Clone(prefix), "wait", "stack-delete-complete", "--stack-name", "sa-test"),
	}
	calls := tr.calls(t)
	if len(calls) != len(want) {
		t.Fatalf("aws calls %q, want %q", calls, want)
	}
	for i := range want {
		if !slices.Equal(calls[i], want[i]) {
			t.Errorf("call %d: got %q, want %q", i+1, calls[i], want[i])
		}
	}
	if !strings.Contains(stdout, "stack sa-test deleted") {
		t.Errorf("stdout %q", stdout)
	}
}

func TestDeployReportsEveryProblemAtOnce(t *testing.T) {
	tr := newTree(t, false)
	env := map[string]string{"TOKEN_ISSUER": "tenant.example", "CACHE_TTL": "-1", "STAGE": "a b"}
	code, _, stderr := tr.run(t, "deploy.sh", env, false)
	if code == 0 {
		t.Fatal("deploy.sh succeeded")
	}
	want := []string{
		"deploy.sh: missing tool(s): aws ",
		"deploy.sh: missing environment variable(s): STACK ARTIFACT_BUCKET AUDIENCE AWS_REGION\n",
		`deploy.sh: TOKEN_ISSUER "tenant.example" must be an http(s) URL ending in "/"`,
		`deploy.sh: JWKS_URI "tenant.example.well-known/jwks.json" must be an http(s) URL`,
		`deploy.sh: CACHE_TTL "-1" must be whole seconds from 0 (off) to 3600`,
		`deploy.sh: STAGE "a b" must be letters, digits and underscores`,
		"deploy.sh: missing build/authorizer.zip: run make package first\n",
		"deploy.sh: missing build/profile.zip: run make package first\n",
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr does not say %q:\n%s", w, stderr)
		}
	}
}

func TestDeployCheckInputsOnly(t *testing.T) {
	tr := newTree(t, false)
	cmd := func(env map[string]string) (int, string) {
		t.Helper()
		bash, err := exec.LookPath("bash")
		if err != nil {
			t.Fatal(err)
		}
		c := exec.Command(bash, filepath.Join(tr.root, "deploy", "scripts", "deploy.sh"), "--check-inputs")
		c.Env = []string{"PATH=" + tr.bin + ":/usr/bin:/bin", "FAKE_AWS_LOG=" + tr.log}
		for k, v := range env {
			c.Env = append(c.Env, k+"="+v)
		}
		var stderr bytes.Buffer
		c.Stderr = &stderr
		err = c.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), stderr.String()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, stderr.String()
	}
	if code, stderr := cmd(validEnv()); code != 0 {
		t.Errorf("--check-inputs with valid inputs and no zips = %d, %q; want success (the zips are not built yet)", code, stderr)
	}
	if code, stderr := cmd(with(validEnv(), "STACK", "")); code == 0 || !strings.Contains(stderr, "missing environment variable(s): STACK\n") {
		t.Errorf("--check-inputs without STACK = %d, %q", code, stderr)
	}
	if calls := tr.calls(t); len(calls) != 0 {
		t.Errorf("--check-inputs called aws: %q", calls)
	}
}
