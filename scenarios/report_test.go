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
		LeafNodeLocation:        types.CodeLocation{FileName: "/home/me/go/pkg/mod/github.com/serverless-auth/serverless-auth@v1.0.0/scenarios/authorizer_rejections.go", LineNumber: 42},
		State:                   state,
		Failure:                 types.Failure{Message: message},
	}
}

// raised is a failed spec that raised its failure to required, as a spec
// whose invocation ran past its deadline does.
func raised(r types.SpecReport) types.SpecReport {
	r.ReportEntries = types.ReportEntries{{Name: "scenarios-level", Value: types.WrapEntryValue("required")}}
	return r
}

// TestSummarize checks the per-ID outcome rules: a required failure is
// "fail", a recommended or contract one only "warn"; a pass wins over not
// applicable; a scenario made not applicable keeps its reason when a label
// filter left its specs out; a spec past its deadline fails as required
// whatever its level; an ID with no spec is "not run"; each
// implementation gets its own summary.
func TestSummarize(t *testing.T) {
	report := types.Report{SpecReports: types.SpecReports{
		spec("ours", "AUTH-04: two segments", types.SpecStatePassed, "", "AUTH-04", "AUTH", "required"),
		spec("ours", "AUTH-04: four segments", types.SpecStateFailed, "expected Unauthorized, got an Allow", "AUTH-04", "AUTH", "required"),
		spec("ours", "AUTH-10: issued in the future", types.SpecStateFailed, "expected Unauthorized, got an Allow", "AUTH-10", "AUTH", "recommended"),
		spec("ours", "AUTH-10: expired", types.SpecStatePassed, "", "AUTH-10", "AUTH", "required"),
		spec("ours", "AUTH-01: principalId", types.SpecStateFailed, "expected principalId = sub", "AUTH-01", "AUTH", "contract"),
		spec("ours", "AUTH-07: none", types.SpecStatePassed, "", "AUTH-07", "AUTH", "required"),
		raised(spec("ours", "AUTH-12: a new key", types.SpecStateFailed, "no answer within the 3s deadline", "AUTH-12", "AUTH", "recommended")),
		spec("ours", "AUTH-13: fetches", types.SpecStateSkipped, "not applicable: a deployed issuer cannot rotate", "AUTH-13", "AUTH", "recommended"),
		// A marker left out by a label filter: skipped, never run, no message.
		spec("ours", "PROF-01: not applicable: no profile handler configured", types.SpecStateSkipped, "", "PROF-01", "PROF"),
		spec("ours", "PROF-02: get:profile2", types.SpecStateSkipped, "", "PROF-02", "PROF", "required"),
		spec("theirs", "AUTH-07: none", types.SpecStatePassed, "", "AUTH-07", "AUTH", "required"),
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
		r.Failures[0].Message != "expected Unauthorized, got an Allow" || r.Failures[0].Level != scenarios.Required ||
		r.Failures[0].Location != "scenarios/authorizer_rejections.go:42" {
		t.Errorf("AUTH-04 = %+v", r)
	}
	if r := byID["AUTH-10"]; r.Status != scenarios.Warn || r.Failures[0].Level != scenarios.Recommended {
		t.Errorf("AUTH-10 = %+v", r)
	}
	if r := byID["AUTH-01"]; r.Status != scenarios.Warn || r.Failures[0].Level != scenarios.Contract {
		t.Errorf("AUTH-01 = %+v", r)
	}
	if r := byID["AUTH-07"]; r.Status != scenarios.Pass {
		t.Errorf("AUTH-07 = %+v", r)
	}
	if r := byID["AUTH-12"]; r.Status != scenarios.Fail || r.Failures[0].Level != scenarios.Required {
		t.Errorf("AUTH-12 (a recommended spec past its deadline) = %+v", r)
	}
	if r := byID["AUTH-13"]; r.Status != scenarios.NotApplicable || r.Reason != "a deployed issuer cannot rotate" {
		t.Errorf("AUTH-13 = %+v", r)
	}
	if r := byID["PROF-01"]; r.Status != scenarios.NotApplicable || r.Reason != "no profile handler configured" {
		t.Errorf("PROF-01 = %+v", r)
	}
	for _, id := range []string{"PROF-02", "GW-01"} {
		if r := byID[id]; r.Status != scenarios.NotRun {
			t.Errorf("%s = %+v", id, r)
		}
	}
	if !summaries[0].Failed() || !summaries[0].Warned() || summaries[1].Failed() || summaries[1].Warned() {
		t.Error("Failed() or Warned() is wrong")
	}
	if len(summaries[0].Results) != len(scenarios.Catalogue()) {
		t.Errorf("a summary must list every catalogue ID")
	}
	md := summaries[0].Markdown()
	for _, want := range []string{
		"| AUTH-04 |", "| fail (1 required) | 1/2 |", "| warn (1 recommended) | 1/2 |", "| warn (1 contract) | 0/1 |",
		"| n/a (a deployed issuer cannot rotate) | n/a |", "| fail (1 required) | 0/1 |", "| not run | — |",
		"#### Failures: required", "#### Failures: recommended", "#### Failures: contract",
		"**AUTH-04 — AUTH-04: four segments** (scenarios/authorizer_rejections.go:42)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Index(md, "Failures: required") > strings.Index(md, "Failures: recommended") {
		t.Errorf("required failures must come first:\n%s", md)
	}
	data, err := scenarios.JSON(summaries)
	if err != nil {
		t.Fatal(err)
	}
	var decoded []scenarios.Summary
	if err := json.Unmarshal(data, &decoded); err != nil || len(decoded) != 2 || decoded[0].Results[3].Failures[0].Level != scenarios.Required {
		t.Fatalf("JSON round trip: %v %s", err, data)
	}
}
