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
// with it, and the scenario IDs that must catch it. Those IDs, and the ones
// in alsoRun, are the label filter of its run, so each run stays short.
type brokenImplementation struct {
	mutant   string
	function string
	flaw     string
	caughtBy []string
	alsoRun  []string
}

// brokenImplementations is one realistic flaw each: a check skipped, an
// algorithm accepted, a key-set policy wrong, a response shape off.
var brokenImplementations = []brokenImplementation{
	{"exp-optional", "authorizer", "exp not required (no jwt.WithExpirationRequired)", []string{"AUTH-11"}, nil},
	{"issuer-unchecked", "authorizer", "iss not checked (no jwt.WithIssuer)", []string{"AUTH-08"}, nil},
	{"audience-unchecked", "authorizer", "aud not checked (no jwt.WithAudience)", []string{"AUTH-09"}, nil},
	{"alg-rsa-family", "authorizer", "README keyfunc: any RSA/RSA-PSS method with the same key (RS384, RS512, PS256)", []string{"AUTH-07"}, nil},
	{"kid-optional", "authorizer", "a token without kid is tried against every key (keyfunc's fallback)", []string{"AUTH-05"}, nil},
	{"iat-unchecked", "authorizer", "iat not checked (no jwt.WithIssuedAt): issued in the future, iat of any type", []string{"AUTH-10"}, nil},
	{"leeway-hour", "authorizer", "an hour of clock-skew leeway", []string{"AUTH-10"}, nil},
	{"sub-any-type", "authorizer", "principalId = fmt.Sprint(claims[\"sub\"]): number, object, absent sub accepted", []string{"AUTH-11"}, nil},
	{"crit-ignored", "authorizer", "the crit header is ignored", []string{"AUTH-15"}, nil},
	{"no-size-limit", "authorizer", "no size limit before parsing", []string{"AUTH-16"}, nil},
	{"bearer-trim-prefix", "authorizer", "strings.TrimPrefix(h, \"Bearer \"): a raw token is accepted", []string{"AUTH-03"}, nil},
	{"bearer-fields", "authorizer", "strings.Fields and a case-insensitive scheme: tabs, double spaces, extra parts accepted", []string{"AUTH-03"}, nil},
	{"deny-policy", "authorizer", "a Deny policy instead of the error \"Unauthorized\"", []string{"AUTH-02"}, nil},
	{"policy-account-wide", "authorizer", "Allow on arn:aws:execute-api:REGION:ACCOUNT:* (every API and stage)", []string{"AUTH-01"}, nil},
	{"principal-azp", "authorizer", "principalId = azp (the client id), not sub", []string{"AUTH-01"}, nil},
	{"context-array", "authorizer", "the permissions claim in the context as a JSON array", []string{"AUTH-01"}, nil},
	// LOG-01 reads the output right after its own invocation, before the
	// function's last lines may have left the pipe: AUTH-01's invocations
	// give it output that is already there.
	{"log-event", "authorizer", "the event, with its authorizationToken, logged for debugging", []string{"LOG-01"}, []string{"AUTH-01"}},
	{"log-signature", "authorizer", "the verified signature bytes logged (standard base64, as encoding/json writes []byte)", []string{"LOG-01"}, []string{"AUTH-01"}},
	{"jwks-any-key", "authorizer", "every RSA key of the JWKS used: enc keys, other algorithms, 1024-bit keys", []string{"AUTH-06"}, nil},
	{"arn-unchecked", "authorizer", "the blueprint's unchecked split of methodArn: wildcards echoed, a panic on a short ARN", []string{"AUTH-17"}, nil},
	{"empty-refresh-always", "authorizer", "while no keys are loaded, every invocation fetches the JWKS", []string{"AUTH-14"}, nil},
	{"jwks-per-request", "authorizer", "the JWKS fetched on every invocation", []string{"AUTH-13"}, nil},
	{"no-refresh-unknown-kid", "authorizer", "no refresh on an unknown kid once keys are loaded: rotation fails", []string{"AUTH-12"}, nil},
	{"refresh-unlimited", "authorizer", "a refresh on every unknown kid: a flood hammers the tenant", []string{"AUTH-13"}, nil},
	{"empty-refresh-wipes", "authorizer", "an empty key set from the tenant replaces the last good keys", []string{"AUTH-14"}, nil},
	{"jwks-no-timeout", "authorizer", "the JWKS request bounded by nothing: a slow tenant outlives the deadline", []string{"AUTH-14"}, nil},
	{"scope-substring", "profile", "strings.Contains(scope, \"get:profile\")", []string{"PROF-02"}, nil},
	{"scope-case-insensitive", "profile", "strings.EqualFold on each scope", []string{"PROF-02"}, nil},
	{"scope-comma-list", "profile", "scopes split on commas as well as spaces", []string{"PROF-02"}, nil},
	{"status-401", "profile", "401 instead of 403 without the scope", []string{"PROF-02", "PROF-03"}, nil},
	{"no-content-type", "profile", "no Content-Type on the JSON bodies", []string{"PROF-01"}, nil},
	{"body-envelope", "profile", "200 body {\"data\":{\"name\":\"Daniël\"}}", []string{"PROF-01"}, nil},
	{"context-panic", "profile", "authorizer[\"scope\"].(string) without ok: panics without a scope", []string{"PROF-02", "PROF-03"}, nil},
}

// maxConcurrentRuns bounds the suite runs in flight: the machine has two cores.
const maxConcurrentRuns = 2

// runTimeout bounds one run of the runner; the slowest selection (AUTH-14)
// takes about half a minute.
const runTimeout = 2 * time.Minute

// TestSuiteCatchesBrokenImplementations runs cmd/conformance against
// testdata/mutant with one flaw at a time and expects every flaw to be caught
// (exit 1, the expected IDs failed), while the same program without a flaw
// passes the same selection (exit 0), so each catch is due to the flaw.
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
				r := runSuite(t, runner, impl, sel.function, "", sel.filter)
				if r.exit != exitPass {
					t.Fatalf("the unbroken implementation: exit %d, want %d (every selected scenario passes)\n%s", r.exit, exitPass, r.output)
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
				if r.exit != exitFail {
					t.Fatalf("%s (%s): exit %d, want %d (caught)\n%s", b.mutant, b.flaw, r.exit, exitFail, r.output)
				}
				for _, id := range b.caughtBy {
					if got := r.status[id]; got != scenarios.Fail {
						t.Errorf("%s (%s): %s is %q, want %q\n%s", b.mutant, b.flaw, id, got, scenarios.Fail, r.output)
					}
				}
			})
		}
	})

	var table strings.Builder
	w := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "mutant\tfunction\tflaw\tcaught by")
	for i, b := range brokenImplementations {
		caught := strings.Join(failing[i], ", ")
		if caught == "" {
			caught = "NOT CAUGHT"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", b.mutant, b.function, b.flaw, caught)
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
	reason map[string]string // why, for the not-applicable IDs
	output string
}

// failed returns the IDs the run's report marks as failed, in catalogue order.
func (r suiteRun) failed() []string {
	var ids []string
	for _, sc := range scenarios.Catalogue() {
		if r.status[sc.ID] == scenarios.Fail {
			ids = append(ids, sc.ID)
		}
	}
	return ids
}

// runSuite runs the runner against one function of the mutant program
// (mutant "" is the unbroken one) with the given label filter, and reads its
// JSON report.
func runSuite(t *testing.T, runner, impl, function, mutant, filter string) suiteRun {
	t.Helper()
	command := fmt.Sprintf("FUNCTION=%s MUTANT=%s exec %s", function, mutant, quoteArg(impl))
	return runRunner(t, runner, "-"+function, command, "-label-filter", filter)
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
	r := suiteRun{status: map[string]scenarios.Status{}, reason: map[string]string{}, output: out.String()}
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
			r.reason[res.ID] = res.Reason
		}
	}
	return r
}

// quoteArg quotes s for sh -c.
func quoteArg(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
