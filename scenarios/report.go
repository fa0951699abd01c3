package scenarios

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// Status is the outcome of one scenario ID in a run.
type Status string

// The statuses a scenario can end with, from the worst.
const (
	// Fail: a required spec failed.
	Fail Status = "fail"
	// Warn: only recommended or contract specs failed.
	Warn Status = "warn"
	// Pass: every spec that ran passed.
	Pass Status = "pass"
	// NotApplicable: the scenario cannot run against this implementation;
	// Result.Reason says why.
	NotApplicable Status = "not applicable"
	// NotRun: no spec of the scenario ran (a label filter left it out).
	NotRun Status = "not run"
)

// rank orders statuses: a scenario's status is the highest-ranked of its
// specs' outcomes.
func (s Status) rank() int {
	switch s {
	case Fail:
		return 4
	case Warn:
		return 3
	case Pass:
		return 2
	case NotApplicable:
		return 1
	}
	return 0
}

// Failure is one failed spec of a scenario: which variant, at what level,
// where it is declared, and what was expected against what came back.
type Failure struct {
	Spec     string `json:"spec"`
	Level    Level  `json:"level"`
	Message  string `json:"message"`
	Location string `json:"location"`
}

// Result is the outcome of one scenario ID against one implementation.
// Specs counts the specs that ran (passed or failed); Reason is set for
// NotApplicable.
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
// to Describe) and by scenario ID (their labels). A scenario is "fail" when
// a required spec failed, "warn" when only recommended or contract specs
// did; one that is not applicable keeps its reason even when a label filter
// left it out of the run.
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
			if r, ok := results[id]; ok {
				record(r, spec)
			}
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

// record adds one spec's outcome to its scenario's result.
func record(r *Result, spec types.SpecReport) {
	raise := func(s Status) {
		if s.rank() > r.Status.rank() {
			r.Status = s
		}
	}
	switch {
	case spec.State.Is(types.SpecStatePassed):
		r.Specs++
		r.Passed++
		raise(Pass)
	case spec.State.Is(types.SpecStateSkipped):
		reason, ok := notApplicableReason(r.ID, spec)
		if ok && r.Status.rank() <= NotApplicable.rank() {
			r.Status = NotApplicable
			if r.Reason == "" {
				r.Reason = reason
			}
		}
	case spec.State.Is(types.SpecStateFailureStates):
		r.Specs++
		level := failureLevel(spec)
		if level == Required {
			raise(Fail)
		} else {
			raise(Warn)
		}
		r.Failures = append(r.Failures, Failure{
			Spec:     spec.LeafNodeText,
			Level:    level,
			Message:  strings.TrimSpace(spec.Failure.Message),
			Location: shortLocation(spec.LeafNodeLocation),
		})
	}
}

// notApplicableReason reads why a skipped spec of scenario id is not
// applicable: from the skip message of a spec that ran, or from the text of
// the marker spec Describe registers for a scenario known to be not
// applicable before the run (which a label filter may have left out).
func notApplicableReason(id string, spec types.SpecReport) (string, bool) {
	if reason, ok := strings.CutPrefix(spec.Failure.Message, notApplicablePrefix); ok {
		return reason, true
	}
	if reason, ok := strings.CutPrefix(spec.LeafNodeText, id+": "+notApplicablePrefix); ok {
		return reason, true
	}
	return "", false
}

// shortLocation is file:line of a spec's declaration with only the file's
// directory kept ("scenarios/authorizer_rejections.go:42"), the same
// wherever the module lives.
func shortLocation(cl types.CodeLocation) string {
	dir, file := filepath.Split(cl.FileName)
	return fmt.Sprintf("%s:%d", filepath.ToSlash(filepath.Join(filepath.Base(dir), file)), cl.LineNumber)
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

// Failed reports whether a required spec failed: the implementation does
// not conform.
func (s Summary) Failed() bool {
	return slices.ContainsFunc(s.Results, func(r Result) bool { return r.Status == Fail })
}

// Warned reports whether a recommended or contract spec failed (and no
// required one did in the same scenario).
func (s Summary) Warned() bool {
	return slices.ContainsFunc(s.Results, func(r Result) bool { return r.Status == Warn })
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
// the failures grouped by level, each with the spec's declaration and what
// was expected against what came back.
func (s Summary) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", s.Target)
	fmt.Fprintf(&b, "%d pass, %d fail, %d warn, %d not applicable, %d not run\n\n",
		s.Count(Pass), s.Count(Fail), s.Count(Warn), s.Count(NotApplicable), s.Count(NotRun))
	b.WriteString("| ID | path | result | specs passed |\n|---|---|---|---|\n")
	for _, r := range s.Results {
		result, specs := string(r.Status), fmt.Sprintf("%d/%d", r.Passed, r.Specs)
		switch r.Status {
		case NotApplicable:
			result, specs = "n/a ("+r.Reason+")", "n/a"
		case NotRun:
			specs = "—"
		case Fail, Warn:
			result += " (" + failedLevels(r.Failures) + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.ID, escapeCell(r.Path), escapeCell(result), specs)
	}
	for _, level := range Levels() {
		heading := false
		for _, r := range s.Results {
			for _, f := range r.Failures {
				if f.Level != level {
					continue
				}
				if !heading {
					fmt.Fprintf(&b, "\n#### Failures: %s\n", level)
					heading = true
				}
				fmt.Fprintf(&b, "\n**%s — %s** (%s)\n\n```\n%s\n```\n", r.ID, f.Spec, f.Location, f.Message)
			}
		}
	}
	return b.String()
}

// failedLevels names the levels of failures, strictest first, with counts.
func failedLevels(failures []Failure) string {
	var parts []string
	for _, level := range Levels() {
		n := 0
		for _, f := range failures {
			if f.Level == level {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, level))
		}
	}
	return strings.Join(parts, ", ")
}

// JSON renders summaries for machines.
func JSON(summaries []Summary) ([]byte, error) {
	return json.MarshalIndent(summaries, "", "  ")
}

func escapeCell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
