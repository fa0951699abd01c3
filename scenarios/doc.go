// Package scenarios is the serverless-auth conformance suite: every path an
// API Gateway TOKEN authorizer and a scope-checking handler must get right,
// each with a stable ID (AUTH-nn, PROF-nn, GW-nn, FLOW-nn, LOG-nn), written
// as Ginkgo specs that run against any implementation.
//
// An implementation plugs in through a Config: functions that start its
// authorizer and profile handler with a tenant's environment and return a
// Target, the Invoke(ctx, payload) shape of aws-lambda-go's lambda.Handler.
// In-process handlers (lambda.NewHandler), Lambda processes run by
// fakelambda and anything else with that method fit.
//
// Use it the way kubernetes-csi's sanity package is used: in a Ginkgo test
// of your own, call Describe (which registers the specs) and RunSpecs:
//
//	var _ = scenarios.Describe("my authorizer", scenarios.Config{
//		Authorizer: func(ctx context.Context, env map[string]string) (*scenarios.Instance, error) { ... },
//		Profile:    func(ctx context.Context, env map[string]string) (*scenarios.Instance, error) { ... },
//	})
//
//	func TestConformance(t *testing.T) {
//		RegisterFailHandler(Fail)
//		RunSpecs(t, "conformance")
//	}
//
// Every spec carries its ID as a Ginkgo label, so --label-filter=AUTH-07
// runs one scenario, and ReportAfterSuite with Summarize turns a run into
// the per-ID table (pass, fail or not applicable).
package scenarios
