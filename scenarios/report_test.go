package scenarios_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/serverless-auth/serverless-auth/scenarios"
)

func spec(target, text string, state types.SpecState, message string, labels ...string) types.SpecReport {
	return types.SpecReport{
		ContainerHierarchyTexts: []string{target, "TOKEN authorizer"},
		LeafNodeType:            types.NodeTypeIt,
		LeafNodeText:            text,
		LeafNodeLabels:          labels,
		State:                   state,
		Failure:                 types.Failure{Message: message},
	}
}

// TestSummarize checks the per-ID outcome rules: a failure wins over a
// pass, a pass over not applicable; an ID with no spec is "not run"; each
// implementation gets its own summary.
func TestSummarize(t *testing.T) {
	report := types.Report{SpecReports: types.SpecReports{
		spec("ours", "AUTH-04: two segments", types.SpecStatePassed, "", "AUTH-04", "AUTH"),
		spec("ours", "AUTH-04: four segments", types.SpecStateFailed, "expected Unauthorized, got an Allow", "AUTH-04", "AUTH"),
		spec("ours", "AUTH-07: none", types.SpecStatePassed, "", "AUTH-07", "AUTH"),
		spec("ours", "AUTH-12: rotation", types.SpecStateSkipped, "not applicable: a deployed issuer cannot rotate", "AUTH-12", "AUTH"),
		spec("theirs", "AUTH-07: none", types.SpecStatePassed, "", "AUTH-07", "AUTH"),
	}}
	summaries := scenarios.Summarize(report)
	if len(summaries) != 2 || summaries[0].Target != "ours" || summaries[1].Target != "theirs" {
		t.Fatalf("want summaries for ours and theirs in order, got %+v", summaries)
	}
	byID := map[string]scenarios.Result{}
	for _, r := range summaries[0].Results {
		byID[r.ID] = r
	}
	if r := byID["AUTH-04"]; r.Status != scenarios.Fail || r.Specs != 2 || r.Passed != 1 || len(r.Failures) != 1 ||
		r.Failures[0].Message != "expected Unauthorized, got an Allow" {
		t.Errorf("AUTH-04 = %+v", r)
	}
	if r := byID["AUTH-07"]; r.Status != scenarios.Pass {
		t.Errorf("AUTH-07 = %+v", r)
	}
	if r := byID["AUTH-12"]; r.Status != scenarios.NotApplicable || r.Reason != "a deployed issuer cannot rotate" {
		t.Errorf("AUTH-12 = %+v", r)
	}
	if r := byID["PROF-01"]; r.Status != scenarios.NotRun {
		t.Errorf("PROF-01 = %+v", r)
	}
	if !summaries[0].Failed() || summaries[1].Failed() {
		t.Error("Failed() is wrong")
	}
	if len(summaries[0].Results) != len(scenarios.Catalogue()) {
		t.Errorf("a summary must list every catalogue ID")
	}
	md := summaries[0].Markdown()
	for _, want := range []string{"| AUTH-04 |", "fail", "expected Unauthorized, got an Allow", "not applicable (a deployed issuer cannot rotate)"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	data, err := scenarios.JSON(summaries)
	if err != nil {
		t.Fatal(err)
	}
	var decoded []scenarios.Summary
	if err := json.Unmarshal(data, &decoded); err != nil || len(decoded) != 2 {
		t.Fatalf("JSON round trip: %v", err)
	}
}
