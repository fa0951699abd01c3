// Command conformance runs the serverless-auth conformance suite against any
// Lambda functions given as commands (or Node.js handlers), the way AWS would
// run them: each through fakelambda's Runtime API host, with a fake Auth0
// tenant's JWKS_URI, TOKEN_ISSUER and AUDIENCE in its environment.
//
//	go run ./cmd/conformance -authorizer CMD -profile CMD [-env KEY=VALUE ...]
//	    [-label-filter EXPR] [-report report.md] [-json report.json] [-junit report.xml]
//
// With -url it runs the HTTP-level scenarios against an API that is already
// deployed (make smoke), getting tokens from the tenant by client
// credentials:
//
//	go run ./cmd/conformance -url https://ID.execute-api.REGION.amazonaws.com/prod \
//	    -tenant https://TENANT/ -audience API -client-id ID -client-secret SECRET
//
// Exit status: 0 when every applicable scenario passed, 1 when one failed,
// 2 when the run itself could not happen (bad flags, a function that does not
// start).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
	"github.com/serverless-auth/serverless-auth/fakelambda"
	"github.com/serverless-auth/serverless-auth/scenarios"
)

// Exit statuses.
const (
	exitPass      = 0
	exitFail      = 1
	exitCannotRun = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command line.
type options struct {
	authorizer, profile string
	runtime             string
	dir                 string
	env                 envFlag
	labelFilter         string
	report, json, junit string
	timeout             time.Duration
	name                string
	deployed            scenarios.Deployed
}

// envFlag collects repeated -env KEY=VALUE flags.
type envFlag []string

func (e *envFlag) String() string { return strings.Join(*e, " ") }

func (e *envFlag) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("%q is not KEY=VALUE", v)
	}
	*e = append(*e, v)
	return nil
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.authorizer, "authorizer", "", "command that starts the TOKEN authorizer (run with sh -c), or with -runtime nodejs its handler (file.export)")
	fs.StringVar(&o.profile, "profile", "", "command that starts the GET /profile function, or with -runtime nodejs its handler")
	fs.StringVar(&o.runtime, "runtime", "provided", `"provided" (commands, like provided.al2023) or "nodejs" (handlers run by fakelambda's Node shim)`)
	fs.StringVar(&o.dir, "dir", ".", "working directory of the functions (LAMBDA_TASK_ROOT)")
	fs.Var(&o.env, "env", "KEY=VALUE added to both functions' environment (repeatable)")
	fs.StringVar(&o.labelFilter, "label-filter", "", "Ginkgo label filter selecting scenarios, e.g. 'AUTH-07 || PROF'")
	fs.StringVar(&o.report, "report", "", "write the Markdown report to this file")
	fs.StringVar(&o.json, "json", "", "write the JSON report to this file")
	fs.StringVar(&o.junit, "junit", "", "write a JUnit XML report (Ginkgo's reporter) to this file")
	fs.DurationVar(&o.timeout, "timeout", fakelambda.DefaultTimeout, "the functions' timeout (their deadline per invocation)")
	fs.StringVar(&o.name, "name", "", "name of the implementation in the report (default: the commands or the URL)")
	fs.StringVar(&o.deployed.URL, "url", "", "a deployed stage's URL: run the HTTP-level scenarios against it instead of starting functions")
	fs.StringVar(&o.deployed.Issuer, "tenant", "", "with -url: the tenant's issuer URL, https://TENANT/")
	fs.StringVar(&o.deployed.Audience, "audience", "", "with -url: the API identifier to request tokens for")
	fs.StringVar(&o.deployed.ClientID, "client-id", "", "with -url: a client granted get:profile")
	fs.StringVar(&o.deployed.ClientSecret, "client-secret", "", "with -url: its secret")
	fs.StringVar(&o.deployed.UnscopedClientID, "unscoped-client-id", "", "with -url: optionally, a client granted the API without get:profile")
	fs.StringVar(&o.deployed.UnscopedClientSecret, "unscoped-client-secret", "", "with -url: its secret")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if o.deployed.URL != "" {
		if o.authorizer != "" || o.profile != "" {
			return o, errors.New("-url runs against a deployed API: do not give -authorizer or -profile with it")
		}
		var missing []string
		for flag, v := range map[string]string{"-tenant": o.deployed.Issuer, "-audience": o.deployed.Audience, "-client-id": o.deployed.ClientID, "-client-secret": o.deployed.ClientSecret} {
			if v == "" {
				missing = append(missing, flag)
			}
		}
		if len(missing) > 0 {
			slices.Sort(missing)
			return o, fmt.Errorf("-url needs %s", strings.Join(missing, ", "))
		}
		if (o.deployed.UnscopedClientID == "") != (o.deployed.UnscopedClientSecret == "") {
			return o, errors.New("give both -unscoped-client-id and -unscoped-client-secret, or neither")
		}
		if o.name == "" {
			o.name = o.deployed.URL
		}
	} else if o.authorizer == "" && o.profile == "" {
		return o, errors.New("give -authorizer, -profile or both (or -url for a deployed API)")
	}
	if o.runtime != "provided" && o.runtime != "nodejs" {
		return o, fmt.Errorf("-runtime %q must be provided or nodejs", o.runtime)
	}
	if o.timeout <= 0 {
		return o, fmt.Errorf("-timeout %s must be positive", o.timeout)
	}
	if o.labelFilter != "" {
		if _, err := types.ParseLabelFilter(o.labelFilter); err != nil {
			return o, fmt.Errorf("-label-filter: %w", err)
		}
	}
	if o.name == "" {
		var parts []string
		if o.authorizer != "" {
			parts = append(parts, "authorizer: "+o.authorizer)
		}
		if o.profile != "" {
			parts = append(parts, "profile: "+o.profile)
		}
		o.name = strings.Join(parts, ", ")
	}
	return o, nil
}

// starter turns a command (or handler) into a scenarios.Starter, or nil.
func (o options) starter(name, command string) scenarios.Starter {
	if command == "" {
		return nil
	}
	cfg := fakelambda.Config{Name: name, Dir: o.dir, Timeout: o.timeout, Env: o.env}
	if o.runtime == "nodejs" {
		cfg.Runtime = fakelambda.RuntimeNodeJS
		cfg.Handler = command
	} else {
		cfg.Command = command
	}
	return scenarios.Process(cfg)
}

// preflight starts each function once against a healthy tenant, so that a
// command that does not start is reported as such (exit 2), not as a
// failure of every scenario.
func preflight(ctx context.Context, starters map[string]scenarios.Starter) error {
	tenant := fakeauth0.New()
	defer tenant.Close()
	env := map[string]string{"JWKS_URI": tenant.JWKSURL(), "TOKEN_ISSUER": tenant.Issuer(), "AUDIENCE": tenant.Audience()}
	for name, start := range starters {
		if start == nil {
			continue
		}
		inst, err := start(ctx, env)
		if err != nil {
			return fmt.Errorf("the %s function did not start: %w", name, err)
		}
		if inst.Close != nil {
			if err := inst.Close(); err != nil {
				return fmt.Errorf("stopping the %s function: %w", name, err)
			}
		}
	}
	return nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "conformance:", err)
		}
		return exitCannotRun
	}
	if o.deployed.URL != "" {
		scenarios.DescribeDeployed(o.name, o.deployed)
	} else {
		cfg := scenarios.Config{
			Authorizer:    o.starter("authorizer", o.authorizer),
			Profile:       o.starter("profile", o.profile),
			InvokeTimeout: o.timeout,
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := preflight(ctx, map[string]scenarios.Starter{"authorizer": cfg.Authorizer, "profile": cfg.Profile}); err != nil {
			fmt.Fprintln(stderr, "conformance:", err)
			return exitCannotRun
		}
		scenarios.Describe(o.name, cfg)
	}

	var summaries []scenarios.Summary
	ginkgo.ReportAfterSuite("conformance report", func(r types.Report) {
		summaries = scenarios.Summarize(r)
	})

	suiteConfig, reporterConfig := ginkgo.GinkgoConfiguration()
	suiteConfig.LabelFilter = o.labelFilter
	reporterConfig.JUnitReport = o.junit
	reporterConfig.Succinct = true
	gomega.RegisterFailHandler(ginkgo.Fail)
	t := &suiteT{}
	ginkgo.RunSpecs(t, "serverless-auth conformance", suiteConfig, reporterConfig)

	if len(summaries) == 0 {
		fmt.Fprintln(stderr, "conformance: the suite produced no report")
		return exitCannotRun
	}
	if err := writeReports(o, summaries, stdout); err != nil {
		fmt.Fprintln(stderr, "conformance:", err)
		return exitCannotRun
	}
	for _, s := range summaries {
		if s.Failed() {
			return exitFail
		}
	}
	if t.failed {
		// A failure outside any scenario (a suite-level node) still fails the run.
		return exitFail
	}
	return exitPass
}

// writeReports prints the Markdown report and writes the requested files.
func writeReports(o options, summaries []scenarios.Summary, stdout io.Writer) error {
	var md strings.Builder
	md.WriteString("## serverless-auth conformance report\n\n")
	for _, s := range summaries {
		md.WriteString(s.Markdown())
		md.WriteString("\n")
	}
	fmt.Fprint(stdout, "\n"+md.String())
	if o.report != "" {
		if err := os.WriteFile(o.report, []byte(md.String()), 0o644); err != nil {
			return fmt.Errorf("writing -report: %w", err)
		}
	}
	if o.json != "" {
		data, err := scenarios.JSON(summaries)
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.json, append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("writing -json: %w", err)
		}
	}
	return nil
}

// suiteT is the GinkgoTestingT of a run outside go test.
type suiteT struct{ failed bool }

// Fail records that the suite failed.
func (t *suiteT) Fail() { t.failed = true }
