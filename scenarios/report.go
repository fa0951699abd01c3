package scenarios

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// Status is the outcome of one scenario ID in a run.
type Status string

// The statuses a scenario can end with.
const (
	Pass          Status = "pass"
	Fail          Status = "fail"
	NotApplicable Status = "not applicable"
	NotRun        Status = "not run"
)

// Failure is one failed spec of a scenario: which variant, and what was
// expected against what came back.
type Failure struct {
	Spec     string `json:"spec"`
	Message  string `json:"message"`
	Location string `json:"location"`
}

// Result is the outcome of one scenario ID against one implementation.
type Result struct {
	Scenario
	Status   Status    `json:"status"`
	Specs    int       `json:"specs"`
	Passed   int       `json:"passed"`
	Reason   string    `json:"reason,omitempty"`
	Failures []Failure `json:"failures,omitempty"`
}

// Summary is a run's outcome for one implementation: every catalogue ID,
// in order, whether or not it ran.
type Summary struct {
	Target  string   `json:"target"`
	Results []Result `json:"results"`
}

// Summarize groups a Ginkgo run's specs by implementation (the name given
// to Describe) and by scenario ID (their labels).
func Summarize(report types.Report) []Summary {
	var order []string
	byTarget := map[string]map[string]*Result{}
	for _, spec := range report.SpecReports {
		if spec.LeafNodeType != types.NodeTypeIt || len(spec.ContainerHierarchyTexts) == 0 {
			continue
		}
		target := spec.ContainerHierarchyTexts[0]
		results, ok := byTarget[target]
		if !ok {
			order = append(order, target)
			results = map[string]*Result{}
			for _, sc := range catalogue {
				results[sc.ID] = &Result{Scenario: sc, Status: NotRun}
			}
			byTarget[target] = results
		}
		for _, id := range scenarioIDs(spec.Labels()) {
			r, ok := results[id]
			if !ok {
				continue
			}
			record(r, spec)
		}
	}
	out := make([]Summary, 0, len(order))
	for _, target := range order {
		s := Summary{Target: target}
		for _, sc := range catalogue {
			s.Results = append(s.Results, *byTarget[target][sc.ID])
		}
		out = append(out, s)
	}
	return out
}

// record adds one spec's outcome to its scenario's result. A failure wins
// over a pass, a pass over not applicable.
func record(r *Result, spec types.SpecReport) {
	switch {
	case spec.State.Is(types.SpecStatePassed):
		r.Specs++
		r.Passed++
		if r.Status != Fail {
			r.Status = Pass
		}
	case spec.State.Is(types.SpecStateSkipped) && strings.HasPrefix(spec.Failure.Message, notApplicablePrefix):
		r.Specs++
		if r.Status == NotRun {
			r.Status = NotApplicable
			r.Reason = strings.TrimPrefix(spec.Failure.Message, notApplicablePrefix)
		}
	case spec.State.Is(types.SpecStateFailureStates):
		r.Specs++
		r.Status = Fail
		r.Failures = append(r.Failures, Failure{
			Spec:     spec.LeafNodeText,
			Message:  spec.Failure.Message,
			Location: spec.Failure.Location.String(),
		})
	}
}

// scenarioIDs picks the labels that are catalogue IDs.
func scenarioIDs(labels []string) []string {
	var ids []string
	for _, l := range labels {
		if _, ok := Lookup(l); ok && !slices.Contains(ids, l) {
			ids = append(ids, l)
		}
	}
	return ids
}

// Failed reports whether any applicable scenario failed.
func (s Summary) Failed() bool {
	return slices.ContainsFunc(s.Results, func(r Result) bool { return r.Status == Fail })
}

// Count returns how many scenarios ended with status.
func (s Summary) Count(status Status) int {
	n := 0
	for _, r := range s.Results {
		if r.Status == status {
			n++
		}
	}
	return n
}

// Markdown renders the summary as a table, one row per scenario ID, then
// each failure with what was expected and what came back.
func (s Summary) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", s.Target)
	fmt.Fprintf(&b, "%d pass, %d fail, %d not applicable, %d not run\n\n",
		s.Count(Pass), s.Count(Fail), s.Count(NotApplicable), s.Count(NotRun))
	b.WriteString("| ID | path | result | specs |\n|---|---|---|---|\n")
	for _, r := range s.Results {
		result := string(r.Status)
		if r.Reason != "" {
			result += " (" + r.Reason + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d/%d |\n", r.ID, escapeCell(r.Path), escapeCell(result), r.Passed, r.Specs)
	}
	for _, r := range s.Results {
		for _, f := range r.Failures {
			fmt.Fprintf(&b, "\n**%s — %s** (%s)\n\n```\n%s\n```\n", r.ID, f.Spec, f.Location, strings.TrimSpace(f.Message))
		}
	}
	return b.String()
}

// JSON renders summaries for machines.
func JSON(summaries []Summary) ([]byte, error) {
	return json.MarshalIndent(summaries, "", "  ")
}

func escapeCell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
