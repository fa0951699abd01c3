package scenarios_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/fakelambda"
	"github.com/serverless-auth/serverless-auth/scenarios"
)

// The same suite against build/authorizer/bootstrap, build/profile/bootstrap
// and build/httpauthorizer/bootstrap run as Lambda functions. make test passes
// the binaries it built in SCENARIOS_AUTHORIZER_BINARY,
// SCENARIOS_PROFILE_BINARY and SCENARIOS_HTTPAUTHORIZER_BINARY; without them
// (go test ./..., go tool ginkgo -r) the suite builds them itself.
var _ = scenarios.Describe("build/ binaries through fakelambda", scenarios.Config{
	Authorizer:     binary("authorizer"),
	Profile:        binary("profile"),
	HTTPAuthorizer: binary("httpauthorizer"),
	HTTPProfile:    binary("profile"),
})

// bootstraps maps each function to its binary, set up by BeforeSuite.
var bootstraps = map[string]string{}

var _ = BeforeSuite(func() {
	for name, variable := range map[string]string{
		"authorizer":     "SCENARIOS_AUTHORIZER_BINARY",
		"profile":        "SCENARIOS_PROFILE_BINARY",
		"httpauthorizer": "SCENARIOS_HTTPAUTHORIZER_BINARY",
	} {
		if path := os.Getenv(variable); path != "" {
			bootstraps[name] = path
			continue
		}
		dir := GinkgoT().TempDir()
		out := filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, "../deploy/"+name)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		msg, err := cmd.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), "building deploy/%s:\n%s", name, msg)
		bootstraps[name] = out
	}
})

// binary starts deploy/<name>'s bootstrap as a provided.al2023 function.
func binary(name string) scenarios.Starter {
	return func(ctx context.Context, env map[string]string) (*scenarios.Instance, error) {
		path, ok := bootstraps[name]
		if !ok {
			return nil, fmt.Errorf("no bootstrap for %s: BeforeSuite did not run", name)
		}
		return scenarios.Process(fakelambda.Config{
			Name:    name,
			Command: "exec " + shellQuote(path),
			Dir:     filepath.Dir(path),
		})(ctx, env)
	}
}

// shellQuote quotes s for sh -c.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
