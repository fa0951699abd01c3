// Command bench measures how this project's code compares with what it
// replaces or builds on, in one run on one machine: token verification
// against a raw RSA check, the authorizer function against a trivial one
// and the Node.js example, and the local stack against a bare net/http
// server. It prints each figure beside its reference, with the ratio, the
// target and whether it is met; with -out it also writes the Markdown
// report (docs/benchmarks.md) and SVG charts of it beside the page
// (docs/benchmarks-*.svg), which the page embeds.
//
//	go run ./cmd/bench -out docs/benchmarks.md
//
// Go figures come from testing.Benchmark, in alternating pairs with their
// reference; function figures from the real bootstraps under fakelambda;
// the gateway figure from a bounded Go load generator on 127.0.0.1. Each
// step prints a progress line with the time since the start to stderr.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// settings size the run.
type settings struct {
	benchtime       time.Duration   // per testing.Benchmark run
	pairs           int             // alternating pairs for the main Go rows
	scalePairs      int             // pairs per scale point
	tokenSizes      []int           // bytes
	keySets         []int           // keys in the JWKS
	invocations     int             // warm invocations per function, warmup included
	warmup          int             // unmeasured invocations
	coldRounds      int             // cold starts per function
	nodeInvocations int             // warm invocations of the Node.js example
	nodeDir         string          // the Node.js example, relative to the module root
	gwConns         int             // load generator connections
	gwRequests      int             // requests per load round
	gwDuration      time.Duration   // time bound per load round
	gwRounds        int             // alternating load rounds
	profile         bool            // profile BenchmarkVerify
	sections        map[string]bool // nil: all
	progress        progressLog     // where each step is announced
}

// wants reports whether the section is to run.
func (s settings) wants(section string) bool { return s.sections == nil || s.sections[section] }

// defaultSettings keep `make bench` within a few minutes on two cores.
func defaultSettings() settings {
	return settings{
		benchtime:       400 * time.Millisecond,
		pairs:           9,
		scalePairs:      3,
		tokenSizes:      []int{1 << 10, 2 << 10, 4 << 10, 8 << 10, 16 << 10},
		keySets:         []int{1, 10, 25, 50},
		invocations:     10_000,
		warmup:          200,
		coldRounds:      15,
		nodeInvocations: 2000,
		nodeDir:         filepath.Join("examples", "node"),
		gwConns:         64,
		gwRequests:      40_000,
		gwDuration:      4 * time.Second,
		gwRounds:        4,
		profile:         true,
	}
}

// quickSettings are for a fast check of the harness itself.
func quickSettings() settings {
	s := defaultSettings()
	s.benchtime, s.pairs, s.scalePairs = 50*time.Millisecond, 3, 1
	s.tokenSizes, s.keySets = []int{1 << 10, 16 << 10}, []int{1, 50}
	s.invocations, s.warmup, s.coldRounds, s.nodeInvocations = 400, 20, 3, 100
	s.gwRequests, s.gwDuration, s.gwRounds = 2000, time.Second, 2
	s.profile = false
	return s
}

func main() {
	testing.Init()
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	out := fs.String("out", "", "also write the report as Markdown to this file (e.g. docs/benchmarks.md)")
	quick := fs.Bool("quick", false, "short run, for checking the harness (figures are rough)")
	nodeDir := fs.String("node", "", "the Node.js example's directory (default examples/node)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	only := fs.String("only", "", "run only these sections, comma-separated: go,lambda,size,gateway,scale,profile (default all)")
	_ = fs.Parse(os.Args[1:])
	s := defaultSettings()
	if *quick {
		s = quickSettings()
	}
	s.progress = newProgressLog(os.Stderr)
	if *nodeDir != "" {
		s.nodeDir = *nodeDir
	}
	if *only != "" {
		s.sections = map[string]bool{}
		for _, name := range strings.Split(*only, ",") {
			s.sections[strings.TrimSpace(name)] = true
		}
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	if err := run(ctx, s, os.Stdout, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// run measures everything, prints the table to w and, when out is set,
// writes the Markdown report there.
func run(ctx context.Context, s settings, w io.Writer, out string) error {
	if err := flag.Set("test.benchtime", s.benchtime.String()); err != nil {
		return err
	}
	m, meter := startMachine()
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bench-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	var r report
	var gores goResults
	if s.wants("go") || s.wants("lambda") {
		rows, res, err := goRows(ctx, s)
		if err != nil {
			return err
		}
		gores = res
		if s.wants("go") {
			r.Rows = append(r.Rows, rows...)
		}
	}
	if s.wants("lambda") {
		rows, err := lambdaRows(ctx, s, root, dir, time.Duration(gores.verify.B))
		if err != nil {
			return err
		}
		r.Rows = append(r.Rows, rows...)
	}
	if s.wants("size") {
		rows, err := sizeRows(ctx, s, root, dir)
		if err != nil {
			return err
		}
		r.Rows = append(r.Rows, rows...)
	}
	if s.wants("gateway") {
		rows, err := gatewayRows(ctx, s)
		if err != nil {
			return err
		}
		r.Rows = append(r.Rows, rows...)
	}
	// Node.js rows come with the lambda rows; keep them last in the table.
	r.Rows = nodeLast(r.Rows)
	if s.wants("scale") {
		if r.Curves, err = scaleCurves(ctx, s); err != nil {
			return err
		}
	}
	if s.profile && s.wants("profile") {
		s.progress.printf("profiling BenchmarkVerify")
		if r.Profile, err = verifyProfile(ctx, root, dir); err != nil {
			return err
		}
	}
	meter.finish(&m)
	r.Machine = m
	r.Notes = []string{
		"Ratios are ours ÷ reference. Each Go row is " + fmt.Sprint(s.pairs) + " testing.Benchmark rounds of " + s.benchtime.String() + " in which every iteration runs our operation and the reference back to back, alternating which goes first, each timed on its own: both see the machine in the same state, microseconds apart. A round's figure per side is the mean of its iterations without the slowest 2% (preemptions by other processes); the row shows the median round. Allocations are counted in separate runs of each side alone.",
		"The raw reference is sha256 over the token's signing input plus rsa.VerifyPKCS1v15 with the tenant's *rsa.PublicKey: what any RS256 verifier must do. Note that crypto/rsa rebuilds its Montgomery modulus from the public key on every call (no precomputation exists for public keys in the standard library); that cost is inside the reference too.",
		"The machine is shared: the load averages and the CPU other processes used during the run are in the Machine table. Absolute latencies and throughputs move with that load; treat them as this run's, not the machine's.",
	}

	fmt.Fprintln(w)
	if err := writeText(w, r.Rows); err != nil {
		return err
	}
	for _, c := range r.Curves {
		if err := writeCurveText(w, c); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nmachine: %d CPUs, %s, %s, load %s → %s, other processes ≈ %.2f cores\n",
		m.CPUs, m.CPUModel, m.GoVersion, m.LoadStart, m.LoadEnd, m.OtherCores)
	if out == "" {
		return nil
	}
	return writeReport(s, w, out, r)
}

// writeReport writes the charts of r as SVG files beside out, then the
// Markdown report to out with the charts embedded. A chart that fails is
// left out of the page and its error returned once the rest is written, so
// a run's figures are never lost to a drawing problem.
func writeReport(s settings, w io.Writer, out string, r report) error {
	s.progress.printf("writing %s and its charts", out)
	dir := filepath.Dir(out)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	prefix := strings.TrimSuffix(filepath.Base(out), filepath.Ext(out))
	images, chartErr := writeCharts(dir, prefix, r)
	r.Images = images
	var buf bytes.Buffer
	writeMarkdown(&buf, r)
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return errors.Join(err, chartErr)
	}
	for _, img := range images {
		fmt.Fprintf(w, "wrote %s\n", filepath.Join(dir, img.File))
	}
	fmt.Fprintf(w, "wrote %s\n", out)
	return chartErr
}

// nodeLast moves the Node.js rows to the end, keeping the order otherwise.
func nodeLast(rows []row) []row {
	var head, tail []row
	for _, r := range rows {
		if len(r.What) >= 7 && r.What[:7] == "Node.js" {
			tail = append(tail, r)
		} else {
			head = append(head, r)
		}
	}
	return append(head, tail...)
}
