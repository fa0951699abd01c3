// Package scenarios is the serverless-auth conformance suite: every path an
// API Gateway TOKEN authorizer and a scope-checking handler must get right,
// each with a stable ID (AUTH-nn, PROF-nn, GW-nn, FLOW-nn, LOG-nn), written
// as Ginkgo specs that run against any implementation.
//
// An implementation plugs in through a Config: functions (Starters) that
// start its authorizer and profile handler with a fake tenant's environment
// and return an Instance around a Target, the Invoke(ctx, payload) shape of
// a Lambda function. Handler adapts an aws-lambda-go handler function (the
// one main passes to lambda.Start) to run in-process; Process runs a binary
// or a Node handler under fakelambda's Runtime API host. Use Handler rather
// than lambda.NewHandler, whose reused output buffer corrupts concurrent
// answers.
//
// Use it the way kubernetes-csi's sanity package is used: in a Ginkgo test
// of your own, call Describe (which registers the specs) and RunSpecs:
//
//	var _ = scenarios.Describe("my authorizer", scenarios.Config{
//		Authorizer: func(ctx context.Context, env map[string]string) (*scenarios.Instance, error) {
//			a, err := myauth.New(ctx, env["JWKS_URI"], env["TOKEN_ISSUER"], env["AUDIENCE"])
//			if err != nil {
//				return nil, err
//			}
//			return &scenarios.Instance{Target: scenarios.Handler(a.Handle)}, nil
//		},
//		// Profile: nil makes PROF, GW and FLOW not applicable.
//	})
//
//	func TestConformance(t *testing.T) {
//		RegisterFailHandler(Fail)
//		RunSpecs(t, "conformance")
//	}
//
// Every spec carries three Ginkgo labels: its ID, its family and its Level
// (required, recommended or contract), so --label-filter=AUTH-07 runs one
// scenario and --label-filter=required the specs every implementation must
// pass. ReportAfterSuite with Summarize turns a run into the per-ID table:
// pass, fail (a required spec failed), warn (only recommended or contract
// specs failed), not applicable (with the reason) or not run. Each
// invocation's context carries its deadline, and an answer after it counts
// as Lambda's "Task timed out"; docs/spec.md has the catalogue with each
// spec's level, reason and source.
package scenarios
