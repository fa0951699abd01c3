package scenarios_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/fakelambda"
	"github.com/serverless-auth/serverless-auth/scenarios"
)

// myAuthorizer stands for another team's authorizer: a constructor that
// reads the three variables and a handler with aws-lambda-go's signature.
type myAuthorizer struct{ jwksURI, issuer, audience string }

func (a *myAuthorizer) Handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("Unauthorized")
}

// Example shows how another Go implementation runs the conformance suite
// against its own handlers in its own go test, the way kubernetes-csi's
// sanity package is used: describe how to start the functions, register the
// suite, run it, and print the per-ID report. (Compiled, not run: a process
// runs one Ginkgo suite, and this package's is TestScenarios.)
func Example() {
	// In a _test.go file of your module:
	var _ = scenarios.Describe("my authorizer", scenarios.Config{
		Authorizer: func(_ context.Context, env map[string]string) (*scenarios.Instance, error) {
			a := &myAuthorizer{jwksURI: env["JWKS_URI"], issuer: env["TOKEN_ISSUER"], audience: env["AUDIENCE"]}
			// fakelambda.HandlerFunc, not lambda.NewHandler: the gateway scenarios
			// invoke concurrently, and lambda.NewHandler recycles its output buffer.
			target := fakelambda.HandlerFunc[events.APIGatewayCustomAuthorizerRequest, events.APIGatewayCustomAuthorizerResponse](a.Handle)
			return &scenarios.Instance{Target: target}, nil
		},
		// Profile: nil — PROF scenarios are reported as not applicable.
		NotApplicable: map[string]string{"AUTH-16": "our gateway rejects large headers before the authorizer"},
	})

	var _ = ReportAfterSuite("conformance report", func(r types.Report) {
		for _, s := range scenarios.Summarize(r) {
			fmt.Println(s.Markdown())
		}
	})

	// And the usual Ginkgo entry point; select scenarios with
	// go test -ginkgo.label-filter='AUTH-07 || AUTH-15' or go tool ginkgo --label-filter=...
	_ = func(t *testing.T) {
		RegisterFailHandler(Fail)
		RunSpecs(t, "my authorizer conformance")
	}
}
