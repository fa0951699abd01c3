package scenarios

import (
	"slices"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// Level says how much a spec's failure matters. Every spec carries exactly
// one, as a Ginkgo label, so --label-filter=required runs only the specs a
// conforming implementation must pass, and the report records the level of
// each failure. docs/spec.md gives each spec's level with its reason and
// source.
type Level string

// The levels, from the one every implementation must meet to this
// project's own choices.
const (
	// Required: security and the API Gateway contract. An Allow for a token
	// that must be refused; an answer API Gateway turns into a 500 or a wrong
	// status; unbounded JWKS fetching; an answer after the invocation's
	// deadline; a token or secret in the output. A failure makes the
	// scenario "fail".
	Required Level = "required"
	// Recommended: defence in depth, RFC SHOULDs, availability, threats that
	// need the tenant's own signing key, inputs API Gateway never delivers.
	// A failure makes the scenario "warn".
	Recommended Level = "recommended"
	// Contract: this project's response contract (principalId = sub,
	// context.scope, the seed's bodies, the POLICY_RESOURCE knob). A failure
	// makes the scenario "warn".
	Contract Level = "contract"
)

// Levels lists the levels, strictest first.
func Levels() []Level { return []Level{Required, Recommended, Contract} }

// specLabels are the labels of one spec of scenario id at level: the ID,
// its family and the level, so that reports and --label-filter can name
// each.
func specLabels(id string, level Level) ginkgo.Labels {
	return ginkgo.Label(id, Family(id), string(level))
}

// levelEntry names the report entry that raises a spec's failure to
// another level than its label: a recommended spec whose invocation ran
// past its deadline fails as required, since an answer after the deadline
// is Lambda's "Task timed out" whatever the input.
const levelEntry = "scenarios-level"

// neverDelivered are the scenarios whose inputs API Gateway never delivers
// (a header over its 10 KB limit, a methodArn it does not build): a timeout
// there stays at the spec's own level.
var neverDelivered = []string{"AUTH-16", "AUTH-17"}

// raiseToRequired records that the current spec's failure is a required
// one, unless its scenario's inputs never arrive.
func raiseToRequired() {
	for _, l := range ginkgo.CurrentSpecReport().Labels() {
		if slices.Contains(neverDelivered, l) {
			return
		}
	}
	ginkgo.AddReportEntry(levelEntry, string(Required), ginkgo.ReportEntryVisibilityNever)
}

// failureLevel is the level of a failed spec: its label, unless the spec
// raised it.
func failureLevel(spec types.SpecReport) Level {
	for _, e := range spec.ReportEntries {
		if e.Name == levelEntry && e.StringRepresentation() == string(Required) {
			return Required
		}
	}
	return levelOf(spec.Labels())
}

// levelOf returns the level among a spec's labels; a spec without one
// counts as required, so a level forgotten errs on the strict side.
func levelOf(labels []string) Level {
	for _, l := range Levels() {
		if slices.Contains(labels, string(l)) {
			return l
		}
	}
	return Required
}
