package scenarios_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
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

// The report of the run: every scenario ID with its status, per
// implementation. Our own handlers are held to -strict: a warn fails the
// run as a fail does (a failed spec of any level already fails RunSpecs;
// this says so by ID). Every spec must carry exactly one level.
// SCENARIOS_REPORT names a Markdown file to write the report to as well.
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
	for _, s := range summaries {
		Expect(s.Failed() || s.Warned()).To(BeFalse(), "%s: %d fail, %d warn", s.Target, s.Count(scenarios.Fail), s.Count(scenarios.Warn))
	}
	for _, spec := range report.SpecReports {
		if spec.LeafNodeType != types.NodeTypeIt || strings.Contains(spec.LeafNodeText, ": not applicable: ") {
			continue
		}
		levels := 0
		for _, l := range scenarios.Levels() {
			if slices.Contains(spec.Labels(), string(l)) {
				levels++
			}
		}
		Expect(levels).To(Equal(1), "%q has %d levels among its labels %v, want exactly one", spec.FullText(), levels, spec.Labels())
	}
})
