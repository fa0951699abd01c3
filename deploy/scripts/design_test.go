package scripts

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDeployDesign checks that DESIGN=http-jwt|http-lambda deploys deploy/httpapi.yaml (no
// StageName: the HTTP APIs serve $default) with build/httpauthorizer.zip, and reports the URL of
// the API named.
func TestDeployDesign(t *testing.T) {
	tests := []struct {
		design, output string
	}{
		{"http-jwt", "JwtApiUrl"},
		{"http-lambda", "LambdaApiUrl"},
	}
	for _, tt := range tests {
		t.Run(tt.design, func(t *testing.T) {
			tr := newTree(t, true)
			if err := os.WriteFile(filepath.Join(tr.root, "build", "httpauthorizer.zip"), []byte("zip"), 0o644); err != nil {
				t.Fatal(err)
			}
			url := "https://h1t2p3.execute-api.eu-west-1.amazonaws.com"
			code, stdout, stderr := tr.run(t, "deploy.sh", with(validEnv(), "DESIGN", tt.design, "FAKE_API_URL", url), true)
			if code != 0 {
				t.Fatalf("deploy.sh failed (%d): %s", code, stderr)
			}
			calls := tr.calls(t)
			if len(calls) != 3 {
				t.Fatalf("aws calls %q, want 3", calls)
			}
			prefix := []string{"--region", "eu-west-1"}
			want := [][]string{
				append(slices.Clone(prefix), "cloudformation", "package", "--template-file", "deploy/httpapi.yaml",
					"--s3-bucket", "artifacts", "--s3-prefix", "sa-test", "--output-template-file", "build/packaged.yaml"),
				append(slices.Clone(prefix), "cloudformation", "deploy", "--template-file", "build/packaged.yaml",
					"--stack-name", "sa-test", "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND",
					"--no-fail-on-empty-changeset", "--parameter-overrides",
					"TokenIssuer=https://tenant.example.auth0.com/",
					"JwksUri=https://tenant.example.auth0.com/.well-known/jwks.json",
					"Audience=https://profile-api.example/",
					"AuthorizerCacheTtl=0"),
				append(slices.Clone(prefix), "cloudformation", "describe-stacks", "--stack-name", "sa-test",
					"--query", "Stacks[0].Outputs[?OutputKey=='"+tt.output+"'].OutputValue | [0]", "--output", "text"),
			}
			for i, w := range want {
				if !slices.Equal(calls[i], w) {
					t.Errorf("call %d:\n got %q\nwant %q", i+1, calls[i], w)
				}
			}
			if !strings.Contains(stdout, "API URL: "+url+"\n") || !strings.Contains(stdout, "design "+tt.design) {
				t.Errorf("stdout:\n%s", stdout)
			}
		})
	}
}

func TestDeployDesignRefusals(t *testing.T) {
	tr := newTree(t, true)
	code, _, stderr := tr.run(t, "deploy.sh", with(validEnv(), "DESIGN", "graphql"), true)
	if code == 0 || !strings.Contains(stderr, `DESIGN "graphql" must be rest, http-jwt or http-lambda`) {
		t.Errorf("an unknown design: %d %q", code, stderr)
	}
	code, _, stderr = tr.run(t, "deploy.sh", with(validEnv(), "DESIGN", "http-jwt"), true)
	if code == 0 || !strings.Contains(stderr, "missing build/httpauthorizer.zip: run make package first") {
		t.Errorf("http-jwt without its zip: %d %q", code, stderr)
	}
}
