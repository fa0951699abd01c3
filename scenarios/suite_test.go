package scenarios_test

import (
	"fmt"
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/scenarios"
)

// TestScenarios runs the conformance suite against this project's own
// handlers: in-process, and as Lambda processes through fakelambda. Run one
// scenario with: go tool ginkgo --label-filter=AUTH-07 ./scenarios
func TestScenarios(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "serverless-auth conformance")
}

var _ = scenarios.Describe("in-process", scenarios.Config{
	Authorizer:     inProcessAuthorizer,
	Profile:        inProcessProfile,
	HTTPAuthorizer: inProcessHTTPAuthorizer,
	HTTPProfile:    inProcessHTTPProfile,
})

// The report of the run: every scenario ID with pass, fail or not
// applicable, per implementation. SCENARIOS_REPORT names a Markdown file to
// write it to as well.
var _ = ReportAfterSuite("scenario report", func(report types.Report) {
	summaries := scenarios.Summarize(report)
	var md string
	for _, s := range summaries {
		md += s.Markdown() + "\n"
	}
	fmt.Fprint(GinkgoWriter, md)
	fmt.Fprint(os.Stdout, "\n"+md)
	if path := os.Getenv("SCENARIOS_REPORT"); path != "" {
		Expect(os.WriteFile(path, []byte(md), 0o644)).To(Succeed())
	}
})
