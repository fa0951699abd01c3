package scenarios_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/scenarios"
)

// myAuthorizer stands for another team's authorizer: a constructor that
// reads the three variables and a handler with aws-lambda-go's signature,
// the function its main passes to lambda.Start.
type myAuthorizer struct{ jwksURI, issuer, audience string }

func newMyAuthorizer(jwksURI, issuer, audience string) (*myAuthorizer, error) {
	if jwksURI == "" || issuer == "" || audience == "" {
		return nil, errors.New("JWKS_URI, TOKEN_ISSUER and AUDIENCE are required")
	}
	return &myAuthorizer{jwksURI: jwksURI, issuer: issuer, audience: audience}, nil
}

func (a *myAuthorizer) Handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return events.APIGatewayCustomAuthorizerResponse{}, errors.New("Unauthorized")
}

// Example shows how another Go implementation runs the conformance suite
// against its own handler in its own go test, the way kubernetes-csi's
// sanity package is used: say how to start the function, register the
// suite, run it, and print the per-ID report. (Compiled, not run: a process
// runs one Ginkgo suite, and this package's is TestScenarios.) In a
// _test.go file of your module, the two declarations and the test function
// are top-level; the imports are this file's.
func Example() {
	var _ = scenarios.Describe("my authorizer", scenarios.Config{
		// Each call is a cold start (Lambda's init) with a fake tenant's
		// JWKS_URI, TOKEN_ISSUER and AUDIENCE.
		Authorizer: func(ctx context.Context, env map[string]string) (*scenarios.Instance, error) {
			a, err := newMyAuthorizer(env["JWKS_URI"], env["TOKEN_ISSUER"], env["AUDIENCE"])
			if err != nil {
				return nil, err
			}
			// scenarios.Handler runs the handler function in-process, with the
			// invocation's deadline in its context.
			return &scenarios.Instance{Target: scenarios.Handler(a.Handle)}, nil
		},
		// Profile: nil makes PROF, GW and FLOW not applicable, with the reason.
		NotApplicable: map[string]string{"AUTH-16": "our gateway rejects large headers before the authorizer"},
	})

	var _ = ReportAfterSuite("conformance report", func(r types.Report) {
		for _, s := range scenarios.Summarize(r) {
			fmt.Println(s.Markdown())
		}
	})

	// The usual Ginkgo entry point; go test fails on any failed spec, of
	// any level. Select specs with -ginkgo.label-filter: by ID
	// ('AUTH-07 || AUTH-15'), family ('AUTH') or level ('required').
	_ = func(t *testing.T) {
		RegisterFailHandler(Fail)
		RunSpecs(t, "my authorizer conformance")
	}
}
