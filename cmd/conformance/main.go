// Command conformance runs the serverless-auth conformance suite against any
// Lambda functions given as commands, Node.js handlers or Python handlers,
// the way AWS would run them: each through fakelambda's Runtime API host,
// with a fake Auth0 tenant's JWKS_URI, TOKEN_ISSUER and AUDIENCE in its
// environment.
//
//	go run ./cmd/conformance -authorizer CMD -profile CMD [-runtime provided|nodejs|python3]
//	    [-dir DIR | -authorizer-dir DIR -profile-dir DIR] [-env KEY=TEMPLATE ...] [-tls]
//	    [-skip ID=reason ...] [-label-filter EXPR] [-strict] [-report report.md] [-json report.json] [-junit report.xml]
//
// -env values are Go text/template strings over the tenant of each start:
// {{.JWKS_URI}}, {{.TOKEN_ISSUER}}, {{.AUDIENCE}}, {{.DOMAIN}} (the
// tenant's host:port) and {{.CA_FILE}} (with -tls), so that an
// implementation reading other names runs unchanged, e.g.
// -env JWKS_URL={{.JWKS_URI}} -env AUTH0_DOMAIN={{.DOMAIN}}. With -tls the
// tenant serves https with a generated CA whose file is passed through
// SSL_CERT_FILE, NODE_EXTRA_CA_CERTS and REQUESTS_CA_BUNDLE.
//
// With -url it runs the HTTP-level scenarios against an API that is already
// deployed (make smoke), getting tokens from the tenant by client
// credentials:
//
//	go run ./cmd/conformance -url https://ID.execute-api.REGION.amazonaws.com/prod \
//	    -tenant https://TENANT/ -audience API -client-id ID -client-secret SECRET
//
// Exit status: 0 when no scenario failed (a scenario whose only failures are
// recommended or contract specs is "warn" and does not fail the run unless
// -strict is given), 1 when one failed (a required spec failed; with
// -strict, a warn too), 2 when the run itself could not happen (bad flags, a
// function that does not start).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
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
	authorizer, profile       string
	httpAuthorizer            string
	httpProfile               string
	runtime                   string
	python                    string
	dir                       string
	authorizerDir, profileDir string
	env                       envFlag
	skip                      skipFlag
	tls                       bool
	labelFilter               string
	strict                    bool
	report, json, junit       string
	timeout                   time.Duration
	name                      string
	deployed                  scenarios.Deployed
}

// runtimeNamed returns fakelambda's runtime for a -runtime value.
func runtimeNamed(name string) (fakelambda.Runtime, bool) {
	switch name {
	case "provided":
		return fakelambda.RuntimeProvided, true
	case "nodejs":
		return fakelambda.RuntimeNodeJS, true
	case "python3":
		return fakelambda.RuntimePython, true
	}
	return "", false
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.authorizer, "authorizer", "", "command that starts the TOKEN authorizer (run with sh -c), or with -runtime nodejs or python3 its handler (file.export, module.function)")
	fs.StringVar(&o.profile, "profile", "", "command that starts the GET /profile function, or with -runtime nodejs or python3 its handler")
	fs.StringVar(&o.runtime, "runtime", "provided", `"provided" (commands, like provided.al2023), "nodejs" or "python3" (handlers run by fakelambda's embedded runtimes)`)
	fs.StringVar(&o.python, "python", "python3", "with -runtime python3: the interpreter, one that can import the handlers' dependencies")
	fs.StringVar(&o.dir, "dir", ".", "working directory of both functions (LAMBDA_TASK_ROOT)")
	fs.StringVar(&o.httpAuthorizer, "http-authorizer", "", "command (or handler) that starts the HTTP API Lambda authorizer (payload 2.0, simple responses): opts in to the http-lambda scenarios")
	fs.StringVar(&o.httpProfile, "http-profile", "", "command (or handler) that starts the GET /profile function behind an HTTP API (payload 2.0): opts in to the HTTP API scenarios")
	fs.StringVar(&o.authorizerDir, "authorizer-dir", "", "working directory of the authorizer (default -dir)")
	fs.StringVar(&o.profileDir, "profile-dir", "", "working directory of the profile function (default -dir)")
	fs.Var(&o.env, "env", "KEY=TEMPLATE added to both functions' environment, applied last (repeatable); "+
		"TEMPLATE may use "+strings.Join(templateFields(), ", ")+", e.g. JWKS_URL={{.JWKS_URI}}")
	fs.Var(&o.skip, "skip", "ID=reason: report a scenario ID or a family (AUTH, PROF, GW, FLOW, LOG) as not applicable, with the reason (repeatable)")
	fs.BoolVar(&o.tls, "tls", false, "serve the fake tenant over https with a generated CA, passed to the functions in SSL_CERT_FILE, NODE_EXTRA_CA_CERTS and REQUESTS_CA_BUNDLE")
	fs.StringVar(&o.labelFilter, "label-filter", "", "Ginkgo label filter selecting specs by ID, family or level, e.g. 'AUTH-07 || PROF' or 'required'")
	fs.BoolVar(&o.strict, "strict", false, "exit 1 on a warn too (a recommended or contract spec failed), not only on a fail")
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
		if o.authorizer != "" || o.profile != "" || o.httpAuthorizer != "" || o.httpProfile != "" {
			return o, errors.New("-url runs against a deployed API: do not give -authorizer, -profile, -http-authorizer or -http-profile with it")
		}
		if len(o.skip) > 0 || o.tls {
			return o, errors.New("-skip and -tls apply to functions the runner starts, not to -url")
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
	if _, ok := runtimeNamed(o.runtime); !ok {
		return o, fmt.Errorf("-runtime %q must be provided, nodejs or python3", o.runtime)
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
// Each start gets the scenario's environment, then, with -tls, the CA file
// under the names TLS clients read, then the -env entries rendered against
// that start's tenant.
func (o options) starter(name, command, dir, caFile string) scenarios.Starter {
	if command == "" {
		return nil
	}
	if dir == "" {
		dir = o.dir
	}
	rt, _ := runtimeNamed(o.runtime) // checked by parse
	cfg := fakelambda.Config{Name: name, Dir: dir, Timeout: o.timeout, Runtime: rt}
	switch cfg.Runtime {
	case fakelambda.RuntimeProvided:
		cfg.Command = command
	case fakelambda.RuntimePython:
		cfg.Handler = command
		cfg.Python = o.python
	default:
		cfg.Handler = command
	}
	process := scenarios.Process(cfg)
	return func(ctx context.Context, env map[string]string) (*scenarios.Instance, error) {
		full := maps.Clone(env)
		if caFile != "" {
			for _, k := range caFileVariables {
				full[k] = caFile
			}
		}
		mapped, err := o.env.render(tenantValues(env, caFile))
		if err != nil {
			return nil, err
		}
		maps.Copy(full, mapped)
		return process(ctx, full)
	}
}

// preflight starts each function once against a healthy tenant, so that a
// command that does not start is reported as such (exit 2), not as a
// failure of every scenario.
func preflight(ctx context.Context, starters map[string]scenarios.Starter, ca *fakeauth0.CA) error {
	var opts []fakeauth0.Option
	if ca != nil {
		opts = append(opts, fakeauth0.WithTLS(ca))
	}
	tenant := fakeauth0.New(opts...)
	defer tenant.Close()
	env := map[string]string{"JWKS_URI": tenant.JWKSURL(), "TOKEN_ISSUER": tenant.Issuer(), "AUDIENCE": tenant.Audience()}
	for _, name := range slices.Sorted(maps.Keys(starters)) {
		start := starters[name]
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

// tlsCA generates the tenant's CA for -tls and writes it to a file in a new
// temporary directory; cleanup removes it.
func tlsCA() (ca *fakeauth0.CA, file string, cleanup func(), err error) {
	ca, err = fakeauth0.NewCA()
	if err != nil {
		return nil, "", nil, err
	}
	dir, err := os.MkdirTemp("", "conformance-tls-")
	if err != nil {
		return nil, "", nil, fmt.Errorf("-tls: %w", err)
	}
	file = filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(file, ca.PEM(), 0o644); err != nil {
		_ = os.RemoveAll(dir)
		return nil, "", nil, fmt.Errorf("-tls: %w", err)
	}
	return ca, file, func() { _ = os.RemoveAll(dir) }, nil
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
		var ca *fakeauth0.CA
		var caFile string
		if o.tls {
			var cleanup func()
			if ca, caFile, cleanup, err = tlsCA(); err != nil {
				fmt.Fprintln(stderr, "conformance:", err)
				return exitCannotRun
			}
			defer cleanup()
		}
		cfg := scenarios.Config{
			Authorizer: o.starter("authorizer", o.authorizer, o.authorizerDir, caFile),
			Profile:    o.starter("profile", o.profile, o.profileDir, caFile),
			// The HTTP API functions live beside the REST ones, in -dir.
			HTTPAuthorizer: o.starter("httpauthorizer", o.httpAuthorizer, "", caFile),
			HTTPProfile:    o.starter("httpprofile", o.httpProfile, "", caFile),
			InvokeTimeout:  o.timeout,
			NotApplicable:  o.skip.reasons(),
			TLS:            ca,
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := preflight(ctx, map[string]scenarios.Starter{"authorizer": cfg.Authorizer, "profile": cfg.Profile}, ca); err != nil {
			fmt.Fprintln(stderr, "conformance:", err)
			return exitCannotRun
		}
		scenarios.Describe(o.name, cfg)
	}

	var summaries []scenarios.Summary
	var outside int
	ginkgo.ReportAfterSuite("conformance report", func(r types.Report) {
		summaries = scenarios.Summarize(r)
		outside = failedOutsideScenarios(r)
	})

	suiteConfig, reporterConfig := ginkgo.GinkgoConfiguration()
	suiteConfig.LabelFilter = o.labelFilter
	reporterConfig.JUnitReport = o.junit
	reporterConfig.Succinct = true
	gomega.RegisterFailHandler(ginkgo.Fail)
	ginkgo.RunSpecs(&suiteT{}, "serverless-auth conformance", suiteConfig, reporterConfig)

	if len(summaries) == 0 {
		fmt.Fprintln(stderr, "conformance: the suite produced no report")
		return exitCannotRun
	}
	if err := writeReports(o, summaries, stdout); err != nil {
		fmt.Fprintln(stderr, "conformance:", err)
		return exitCannotRun
	}
	for _, s := range summaries {
		if s.Failed() || (o.strict && s.Warned()) {
			return exitFail
		}
	}
	if outside > 0 {
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

// failedOutsideScenarios counts the failed nodes that are not specs (a
// BeforeSuite, a report node): RunSpecs's own verdict counts every failed
// spec, whatever its level, so the exit status comes from the summaries and
// from these.
func failedOutsideScenarios(r types.Report) int {
	n := 0
	for _, spec := range r.SpecReports {
		if spec.LeafNodeType != types.NodeTypeIt && spec.State.Is(types.SpecStateFailureStates) {
			n++
		}
	}
	return n
}

// suiteT is the GinkgoTestingT of a run outside go test; the exit status
// does not depend on it.
type suiteT struct{}

// Fail is Ginkgo's report of a failed suite; the summaries say more.
func (*suiteT) Fail() {}
