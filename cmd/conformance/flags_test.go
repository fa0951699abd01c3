//go:build unix

package main

import (
	"maps"
	"path/filepath"
	"testing"

	"github.com/serverless-auth/serverless-auth/scenarios"
)

// TestEnvTemplates checks that -env renders the tenant's values under the
// names an implementation reads.
func TestEnvTemplates(t *testing.T) {
	env := map[string]string{
		"JWKS_URI":     "https://127.0.0.1:4443/.well-known/jwks.json",
		"TOKEN_ISSUER": "https://127.0.0.1:4443/",
		"AUDIENCE":     "https://api.example/",
	}
	tests := []struct {
		flag, key, want string
	}{
		{"JWKS_URL={{.JWKS_URI}}", "JWKS_URL", "https://127.0.0.1:4443/.well-known/jwks.json"},
		{"AUTH0_DOMAIN={{.DOMAIN}}", "AUTH0_DOMAIN", "127.0.0.1:4443"},
		{"audience={{.AUDIENCE}}", "audience", "https://api.example/"},
		{"ISSUER={{.TOKEN_ISSUER}}", "ISSUER", "https://127.0.0.1:4443/"},
		{"CA={{.CA_FILE}}", "CA", "/tmp/ca.pem"},
		{"PLAIN=value=with=equals", "PLAIN", "value=with=equals"},
		{"JWKS=https://{{.DOMAIN}}/.well-known/jwks.json", "JWKS", "https://127.0.0.1:4443/.well-known/jwks.json"},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			var e envFlag
			if err := e.Set(tt.flag); err != nil {
				t.Fatal(err)
			}
			got, err := e.render(tenantValues(env, "/tmp/ca.pem"))
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]string{tt.key: tt.want}; !maps.Equal(got, want) {
				t.Errorf("render = %v, want %v", got, want)
			}
		})
	}
}

// TestRunnerFlags runs the unbroken testdata/mutant authorizer through the
// flags a public implementation needs: -tls (a Go binary trusting the CA
// through SSL_CERT_FILE), -authorizer-dir, -skip and -env applied last.
func TestRunnerFlags(t *testing.T) {
	dir := t.TempDir()
	runner := goBuild(t, filepath.Join(dir, "conformance"), ".", "-trimpath")
	goBuild(t, filepath.Join(dir, "fn", "bootstrap"), "./testdata/mutant", "-tags", "lambda.norpc", "-trimpath")
	fnDir := filepath.Join(dir, "fn")
	const filter = "AUTH-01 || AUTH-02"

	t.Run("tls, a directory of its own, a skipped ID", func(t *testing.T) {
		r := runRunner(t, runner, "-tls", "-authorizer-dir", fnDir, "-authorizer", "FUNCTION=authorizer exec ./bootstrap",
			"-skip", "AUTH-02=answers a Deny policy by design", "-label-filter", filter)
		if r.exit != exitPass || r.status["AUTH-01"] != scenarios.Pass {
			t.Fatalf("exit %d, AUTH-01 %q; want exit 0 and a pass over https\n%s", r.exit, r.status["AUTH-01"], r.output)
		}
		if r.status["AUTH-02"] != scenarios.NotApplicable || r.reason["AUTH-02"] != "answers a Deny policy by design" {
			t.Errorf("AUTH-02 is %q (%q), want not applicable with the -skip reason\n%s", r.status["AUTH-02"], r.reason["AUTH-02"], r.output)
		}
	})
	t.Run("env applied last", func(t *testing.T) {
		r := runRunner(t, runner, "-dir", fnDir, "-authorizer", "FUNCTION=authorizer exec ./bootstrap",
			"-env", "JWKS_URI={{.TOKEN_ISSUER}}no-such-jwks.json", "-label-filter", "AUTH-01")
		if r.exit != exitFail || r.status["AUTH-01"] != scenarios.Fail {
			t.Fatalf("exit %d, AUTH-01 %q; want AUTH-01 to fail against a JWKS_URI that -env broke\n%s", r.exit, r.status["AUTH-01"], r.output)
		}
	})
}
