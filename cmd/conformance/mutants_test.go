//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/serverless-auth/serverless-auth/scenarios"
)

// brokenImplementation is one deliberately broken function of
// testdata/mutant: its MUTANT name, which function it breaks, what is wrong
// with it, the level of the flaw (a required one fails the run, a
// recommended or contract one warns), and the scenario IDs that must catch
// it at that level. Those IDs, and the ones in alsoRun, are the label
// filter of its run, so each run stays short.
type brokenImplementation struct {
	mutant   string
	function string
	flaw     string
	level    scenarios.Level
	caughtBy []string
	alsoRun  []string
}

// Shorter names for the table.
const (
	required    = scenarios.Required
	recommended = scenarios.Recommended
	contract    = scenarios.Contract
)

// brokenImplementations is one realistic flaw each: a check skipped, an
// algorithm accepted, a key-set policy wrong, a response shape off.
var brokenImplementations = []brokenImplementation{
	{"exp-optional", "authorizer", "exp not required (no jwt.WithExpirationRequired)", recommended, []string{"AUTH-11"}, nil},
	{"issuer-unchecked", "authorizer", "iss not checked (no jwt.WithIssuer)", required, []string{"AUTH-08"}, nil},
	{"audience-unchecked", "authorizer", "aud not checked (no jwt.WithAudience)", required, []string{"AUTH-09"}, nil},
	{"alg-rsa-family", "authorizer", "README keyfunc: any RSA/RSA-PSS method with the same key (RS384, RS512, PS256)", recommended, []string{"AUTH-07"}, nil},
	{"kid-optional", "authorizer", "a token without kid is tried against every key (keyfunc's fallback)", recommended, []string{"AUTH-05"}, nil},
	{"iat-unchecked", "authorizer", "iat not checked (no jwt.WithIssuedAt): issued in the future, iat of any type", recommended, []string{"AUTH-10"}, nil},
	{"leeway-hour", "authorizer", "an hour of clock-skew leeway", required, []string{"AUTH-10"}, nil},
	{"sub-any-type", "authorizer", "principalId = fmt.Sprint(claims[\"sub\"]): number, object, absent sub accepted", recommended, []string{"AUTH-11"}, nil},
	{"crit-ignored", "authorizer", "the crit header is ignored", recommended, []string{"AUTH-15"}, nil},
	{"no-size-limit", "authorizer", "no size limit before parsing", recommended, []string{"AUTH-16"}, nil},
	{"bearer-trim-prefix", "authorizer", "strings.TrimPrefix(h, \"Bearer \"): a raw token is accepted", recommended, []string{"AUTH-03"}, nil},
	{"bearer-fields", "authorizer", "strings.Fields and a case-insensitive scheme: tabs, double spaces, extra parts accepted", recommended, []string{"AUTH-03"}, nil},
	{"deny-policy", "authorizer", "a Deny policy instead of the error \"Unauthorized\"", required, []string{"AUTH-02"}, nil},
	{"policy-account-wide", "authorizer", "Allow on arn:aws:execute-api:REGION:ACCOUNT:* (every API and stage)", recommended, []string{"AUTH-01"}, nil},
	{"principal-azp", "authorizer", "principalId = azp (the client id), not sub", contract, []string{"AUTH-01"}, nil},
	{"context-array", "authorizer", "the permissions claim in the context as a JSON array", required, []string{"AUTH-01"}, nil},
	// LOG-01 reads the output right after its own invocation, before the
	// function's last lines may have left the pipe: AUTH-01's invocations
	// give it output that is already there.
	{"log-event", "authorizer", "the event, with its authorizationToken, logged for debugging", required, []string{"LOG-01"}, []string{"AUTH-01"}},
	{"log-signature", "authorizer", "the verified signature bytes logged (standard base64, as encoding/json writes []byte)", required, []string{"LOG-01"}, []string{"AUTH-01"}},
	{"jwks-any-key", "authorizer", "every RSA key of the JWKS used: enc keys, other algorithms, 1024-bit keys", recommended, []string{"AUTH-06"}, nil},
	{"arn-unchecked", "authorizer", "the blueprint's unchecked split of methodArn: wildcards echoed, a panic on a short ARN", recommended, []string{"AUTH-17"}, nil},
	{"event-type-ignored", "authorizer", "the event's type never read: a REQUEST event carrying a token is allowed", recommended, []string{"AUTH-18"}, nil},
	{"empty-refresh-always", "authorizer", "while no keys are loaded, every invocation fetches the JWKS", recommended, []string{"AUTH-14"}, nil},
	{"jwks-per-request", "authorizer", "the JWKS fetched on every invocation", required, []string{"AUTH-13"}, nil},
	{"no-refresh-unknown-kid", "authorizer", "no refresh on an unknown kid once keys are loaded: rotation fails", recommended, []string{"AUTH-12"}, nil},
	{"refresh-unlimited", "authorizer", "a refresh on every unknown kid: a flood hammers the tenant", required, []string{"AUTH-13"}, nil},
	{"empty-refresh-wipes", "authorizer", "an empty key set from the tenant replaces the last good keys", recommended, []string{"AUTH-14"}, nil},
	{"jwks-no-timeout", "authorizer", "the JWKS request bounded by nothing: a slow tenant outlives the deadline", required, []string{"AUTH-14"}, nil},
	{"scope-substring", "profile", "strings.Contains(scope, \"get:profile\")", required, []string{"PROF-02"}, nil},
	{"scope-case-insensitive", "profile", "strings.EqualFold on each scope", required, []string{"PROF-02"}, nil},
	{"scope-comma-list", "profile", "scopes split on commas as well as spaces", required, []string{"PROF-02"}, nil},
	{"status-401", "profile", "401 instead of 403 without the scope", recommended, []string{"PROF-02", "PROF-03"}, nil},
	{"no-content-type", "profile", "no Content-Type on the JSON bodies", contract, []string{"PROF-01"}, nil},
	{"body-envelope", "profile", "200 body {\"data\":{\"name\":\"Daniël\"}}", contract, []string{"PROF-01"}, nil},
	{"context-panic", "profile", "authorizer[\"scope\"].(string) without ok: panics without a scope", required, []string{"PROF-02", "PROF-03"}, nil},
}

// maxConcurrentRuns bounds the suite runs in flight: the machine has two cores.
const maxConcurrentRuns = 2

// runTimeout bounds one run of the runner; the slowest selection (AUTH-14)
// takes about half a minute.
const runTimeout = 2 * time.Minute

// TestSuiteCatchesBrokenImplementations runs cmd/conformance against
// testdata/mutant with one flaw at a time and expects every flaw to be caught
// at its level (a required flaw: exit 1, the expected IDs "fail"; a
// recommended or contract one: exit 0 without -strict, the IDs "warn"),
// while the same program without a flaw passes the same selection with
// -strict (exit 0), so each catch is due to the flaw.
func TestSuiteCatchesBrokenImplementations(t *testing.T) {
	dir := t.TempDir()
	runner := goBuild(t, filepath.Join(dir, "conformance"), ".", "-trimpath")
	impl := goBuild(t, filepath.Join(dir, "mutant"), "./testdata/mutant", "-tags", "lambda.norpc", "-trimpath")

	type selection struct{ function, filter string }
	var selections []selection
	for _, b := range brokenImplementations {
		if sel := (selection{b.function, b.labelFilter()}); !slices.Contains(selections, sel) {
			selections = append(selections, sel)
		}
	}

	sem := make(chan struct{}, maxConcurrentRuns)
	failing := make([][]string, len(brokenImplementations))
	t.Run("runs", func(t *testing.T) {
		for _, sel := range selections {
			t.Run("baseline "+sel.function+" "+sel.filter, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				r := runSuite(t, runner, impl, sel.function, "", sel.filter, "-strict")
				if r.exit != exitPass {
					t.Fatalf("the unbroken implementation: exit %d with -strict, want %d (every selected scenario passes)\n%s", r.exit, exitPass, r.output)
				}
				for _, id := range strings.Split(sel.filter, " || ") {
					if got := r.status[id]; got != scenarios.Pass {
						t.Errorf("the unbroken implementation: %s is %q, want %q\n%s", id, got, scenarios.Pass, r.output)
					}
				}
			})
		}
		for i, b := range brokenImplementations {
			t.Run(b.mutant, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				r := runSuite(t, runner, impl, b.function, b.mutant, b.labelFilter())
				failing[i] = r.failed()
				// Without -strict, only a required flaw fails the run.
				wantExit, wantStatus := exitPass, scenarios.Warn
				if b.level == required {
					wantExit, wantStatus = exitFail, scenarios.Fail
				}
				if r.exit != wantExit {
					t.Fatalf("%s (%s, %s): exit %d, want %d\n%s", b.mutant, b.flaw, b.level, r.exit, wantExit, r.output)
				}
				for _, id := range b.caughtBy {
					if got := r.status[id]; got != wantStatus {
						t.Errorf("%s (%s, %s): %s is %q, want %q\n%s", b.mutant, b.flaw, b.level, id, got, wantStatus, r.output)
					}
					if got := r.levels[id]; !slices.Contains(got, b.level) {
						t.Errorf("%s (%s): %s failed at %v, want a %s failure\n%s", b.mutant, b.flaw, id, got, b.level, r.output)
					}
				}
			})
		}
	})

	var table strings.Builder
	w := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "mutant\tfunction\tlevel\tflaw\tcaught by")
	for i, b := range brokenImplementations {
		caught := strings.Join(failing[i], ", ")
		if caught == "" {
			caught = "NOT CAUGHT"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", b.mutant, b.function, b.level, b.flaw, caught)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("broken implementations and the scenarios that caught them:\n%s", table.String())
}

// labelFilter selects the scenarios of b's run.
func (b brokenImplementation) labelFilter() string {
	return strings.Join(append(slices.Clone(b.caughtBy), b.alsoRun...), " || ")
}

// goBuild builds pkg (relative to this package) into out, for the host,
// without cgo (with the flags make build uses, so the build cache is
// shared), and returns out.
func goBuild(t *testing.T, out, pkg string, flags ...string) string {
	t.Helper()
	args := append([]string{"build", "-o", out}, flags...)
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	return out
}

// suiteRun is what one run of the runner came back with.
type suiteRun struct {
	exit   int
	status map[string]scenarios.Status
	levels map[string][]scenarios.Level // of each ID's failures
	reason map[string]string            // why, for the not-applicable IDs
	output string
}

// failed returns the IDs the run's report marks as failed or warned, with
// the status, in catalogue order.
func (r suiteRun) failed() []string {
	var ids []string
	for _, sc := range scenarios.Catalogue() {
		if st := r.status[sc.ID]; st == scenarios.Fail || st == scenarios.Warn {
			ids = append(ids, sc.ID+" ("+string(st)+")")
		}
	}
	return ids
}

// runSuite runs the runner against one function of the mutant program
// (mutant "" is the unbroken one) with the given label filter, and reads its
// JSON report.
func runSuite(t *testing.T, runner, impl, function, mutant, filter string, flags ...string) suiteRun {
	t.Helper()
	command := fmt.Sprintf("FUNCTION=%s MUTANT=%s exec %s", function, mutant, quoteArg(impl))
	return runRunner(t, runner, append([]string{"-" + function, command, "-label-filter", filter}, flags...)...)
}

// runRunner runs the runner with args and reads its JSON report.
func runRunner(t *testing.T, runner string, args ...string) suiteRun {
	t.Helper()
	report := filepath.Join(t.TempDir(), "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, runner, append(args, "-json", report)...)
	// The runner starts functions of its own: on a timeout, stop them all.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	r := suiteRun{status: map[string]scenarios.Status{}, levels: map[string][]scenarios.Level{}, reason: map[string]string{}, output: out.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		r.exit = 0
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		r.exit = exitErr.ExitCode()
	default:
		t.Fatalf("running the suite (%q): %v\n%s", args, err, r.output)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("the runner wrote no JSON report (exit %d): %v\n%s", r.exit, err, r.output)
	}
	var summaries []scenarios.Summary
	if err := json.Unmarshal(data, &summaries); err != nil {
		t.Fatalf("the JSON report: %v\n%s", err, data)
	}
	for _, s := range summaries {
		for _, res := range s.Results {
			r.status[res.ID] = res.Status
			for _, f := range res.Failures {
				r.levels[res.ID] = append(r.levels[res.ID], f.Level)
			}
			r.reason[res.ID] = res.Reason
		}
	}
	return r
}

// quoteArg quotes s for sh -c.
func quoteArg(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
