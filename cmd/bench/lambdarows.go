package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
	"github.com/serverless-auth/serverless-auth/fakelambda"
)

// functionSpec is a function fakelambda can start, under a display name.
type functionSpec struct {
	name string
	cfg  fakelambda.Config
}

// binarySpec runs a Go bootstrap through fakelambda's provided runtime.
func binarySpec(name, bin string, env []string) functionSpec {
	return functionSpec{name: name, cfg: fakelambda.Config{
		Name:         name,
		Command:      "exec " + shellQuote(bin),
		Dir:          filepath.Dir(bin),
		Env:          env,
		MaxInstances: 1,
	}}
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + string(bytes.ReplaceAll([]byte(s), []byte("'"), []byte(`'\''`))) + "'"
}

// authorizerEnv is the authorizer's environment for tenant t.
func authorizerEnv(t *fakeauth0.Tenant) []string {
	return []string{"JWKS_URI=" + t.JWKSURL(), "TOKEN_ISSUER=" + t.Issuer(), "AUDIENCE=" + t.Audience()}
}

// allowed reports whether a response is an Allow policy.
func allowed(resp []byte) bool { return bytes.Contains(resp, []byte(`"Allow"`)) }

// invokeAlternating invokes the functions in turn, n measured rounds after
// warmup unmeasured ones, and returns each function's latencies.
func invokeAlternating(ctx context.Context, fns []*fakelambda.Function, payload []byte, warmup, n int) ([][]time.Duration, error) {
	lat := make([][]time.Duration, len(fns))
	for i := range lat {
		lat[i] = make([]time.Duration, 0, n)
	}
	for round := range warmup + n {
		for j := range fns {
			// Alternate which function goes first.
			k := (j + round) % len(fns)
			start := time.Now()
			resp, err := fns[k].Invoke(ctx, payload)
			d := time.Since(start)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", fns[k], err)
			}
			if !allowed(resp) {
				return nil, fmt.Errorf("%s: not an Allow policy: %.300s", fns[k], resp)
			}
			if round >= warmup {
				lat[k] = append(lat[k], d)
			}
		}
	}
	return lat, nil
}

// coldStarts starts each spec rounds times (alternating which goes
// first), invokes it once and returns fakelambda's cold start figure (exec
// to the first answer) of every start.
func coldStarts(ctx context.Context, specs []functionSpec, payload []byte, rounds int) ([][]time.Duration, error) {
	out := make([][]time.Duration, len(specs))
	for round := range rounds {
		for j := range specs {
			k := (j + round) % len(specs)
			d, err := coldStart(ctx, specs[k], payload)
			if err != nil {
				return nil, fmt.Errorf("%s cold start: %w", specs[k].name, err)
			}
			out[k] = append(out[k], d)
		}
	}
	return out, nil
}

func coldStart(ctx context.Context, spec functionSpec, payload []byte) (time.Duration, error) {
	f, err := fakelambda.Start(ctx, spec.cfg)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	resp, err := f.Invoke(ctx, payload)
	if err != nil {
		return 0, err
	}
	if !allowed(resp) {
		return 0, fmt.Errorf("not an Allow policy: %.300s", resp)
	}
	st := f.Stats()
	if len(st.ColdStarts) != 1 {
		return 0, fmt.Errorf("%d cold starts recorded, want 1", len(st.ColdStarts))
	}
	return st.ColdStarts[0], nil
}

// latencyFigure formats a median and p99.
func latencyFigure(ds []time.Duration) string {
	return fmt.Sprintf("%s / %s", micro(medianDuration(ds)), micro(percentile(ds, 99)))
}

// The bar groups of the function charts, named for the reference.
const (
	trivialGroup = "trivial Go function"
	nodeGroup    = "Node.js example"
)

// us is a duration in µs, for a chart.
func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// ms is a duration in ms, for a chart.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// micro formats a duration in µs.
func micro(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/1e3) }

// milli formats a duration in ms.
func milli(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

// lambdaRows measures warm invocations, cold starts and peak RSS of the
// authorizer bootstrap against the trivial function, and the Node.js
// example when it is there.
func lambdaRows(ctx context.Context, s settings, root, dir string, raw time.Duration) ([]row, error) {
	ours, trivial := filepath.Join(dir, "authorizer", "bootstrap"), filepath.Join(dir, "trivial", "bootstrap")
	s.progress.printf("building the authorizer and trivial bootstraps")
	if err := goBuild(ctx, root, "./deploy/authorizer", ours, "", ""); err != nil {
		return nil, err
	}
	if err := goBuild(ctx, root, "./cmd/bench/testdata/trivial", trivial, "", ""); err != nil {
		return nil, err
	}
	tenant := newTenant()
	defer tenant.Close()
	env := authorizerEnv(tenant)
	specs := []functionSpec{binarySpec("authorizer", ours, env), binarySpec("trivial", trivial, env)}
	payload, err := tokenEvent(tenant.Token(fakeauth0.DefaultReaderID))
	if err != nil {
		return nil, err
	}

	// Cold starts first, while this process is still small and quiet.
	runtime.GC()
	s.progress.printf("cold starts: %d each, alternating", s.coldRounds)
	cold, err := coldStarts(ctx, specs[:2], payload, s.coldRounds)
	if err != nil {
		return nil, err
	}

	fns := make([]*fakelambda.Function, len(specs))
	for i, spec := range specs {
		if fns[i], err = fakelambda.Start(ctx, spec.cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", spec.name, err)
		}
		defer fns[i].Close()
	}
	s.progress.printf("warm invocations: %d each, alternating", s.invocations)
	lat, err := invokeAlternating(ctx, fns, payload, s.warmup, s.invocations-s.warmup)
	if err != nil {
		return nil, err
	}
	rss := []uint64{fns[0].Stats().PeakRSS, fns[1].Stats().PeakRSS}
	for _, f := range fns {
		f.Close()
	}

	medOurs, medTrivial := medianDuration(lat[0]), medianDuration(lat[1])
	budget := medTrivial + raw*3/2
	coldOurs, coldTrivial := medianDuration(cold[0]), medianDuration(cold[1])
	coldRatio := float64(coldOurs) / float64(coldTrivial)
	rssRatio := float64(rss[0]) / float64(rss[1])
	rows := []row{
		{
			What: "warm invocation through fakelambda (median / p99)", Ours: latencyFigure(lat[0]), Reference: latencyFigure(lat[1]) + " trivial",
			Ratio: fmt.Sprintf("+%s median", micro(medOurs-medTrivial)), Target: fmt.Sprintf("median ≤ trivial + 1.5× raw verify = %s", micro(budget)),
			Met:    check(medOurs <= budget),
			Figure: &figure{Chart: chartWarm, Group: trivialGroup, Ours: us(medOurs), Reference: us(medTrivial)},
			Note: fmt.Sprintf("%d invocations of each bootstrap (host build of ./deploy/authorizer as it is, and of the trivial allow-all function, CGO_ENABLED=0 -tags lambda.norpc -trimpath) through fakelambda's Runtime API on loopback, alternating, after %d unmeasured; the authorizer writes its JSON decision line to stdout, captured by fakelambda. Raw verify = %s from the Go rows.",
				s.invocations-s.warmup, s.warmup, micro(raw)),
		},
	}
	rows = append(rows,
		row{
			What: "cold start to first answer, JWKS on loopback (median)", Ours: milli(coldOurs), Reference: milli(coldTrivial) + " trivial",
			Ratio: ratio(coldRatio), Target: "≤ 1.25×", Met: check(coldRatio <= 1.25),
			Figure: &figure{Chart: chartCold, Group: trivialGroup, Ours: ms(coldOurs), Reference: ms(coldTrivial)},
			Note: fmt.Sprintf("fakelambda's ColdStarts (exec to the first /next, plus the first invocation) over %d starts of each, alternating; the authorizer fetches the JWKS from a fake tenant on 127.0.0.1 during init. Ranges: ours %s–%s, trivial %s–%s.",
				s.coldRounds, milli(minD(cold[0])), milli(maxD(cold[0])), milli(minD(cold[1])), milli(maxD(cold[1]))),
		},
		row{
			What: fmt.Sprintf("peak RSS after %d invocations", s.invocations), Ours: mib(int64(rss[0])), Reference: mib(int64(rss[1])) + " trivial",
			Ratio: ratio(rssRatio), Target: "≤ 1.20×", Met: check(rssRatio <= 1.20),
			Note: "fakelambda's PeakRSS (VmHWM of the instance's process) after the warm invocations above.",
		},
	)
	nodeRowsOut, err := nodeRows(ctx, s, root, env, payload, specs[0], coldOurs)
	if err != nil {
		return nil, err
	}
	return append(rows, nodeRowsOut...), nil
}

func minD(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = min(m, d)
	}
	return m
}

func maxD(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

// nodeRows measures the Node.js example (examples/node) when node and its
// node_modules are present, against our bootstrap; otherwise it says why not.
func nodeRows(ctx context.Context, s settings, root string, env []string, payload []byte, oursSpec functionSpec, oursCold time.Duration) ([]row, error) {
	dir := s.nodeDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	skip := func(why string) []row {
		return []row{{What: "Node.js example: warm invocation and cold start", Ours: "—", Reference: "—", Ratio: "—", Target: "reported", Met: verdictSkipped, Note: "skipped: " + why}}
	}
	if _, err := exec.LookPath("node"); err != nil {
		return skip("node is not installed (not in PATH)"), nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return skip(dir + " does not exist"), nil
	}
	if st, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil || !st.IsDir() {
		return skip(filepath.Join(dir, "node_modules") + " is missing (run npm ci there)"), nil
	}
	spec := functionSpec{name: "node", cfg: fakelambda.Config{
		Name: "node", Runtime: fakelambda.RuntimeNodeJS, Handler: "authorizer.handler", Dir: dir, Env: env, MaxInstances: 1,
	}}
	node, err := fakelambda.Start(ctx, spec.cfg)
	if err != nil {
		return skip(fmt.Sprintf("the example did not start: %v", err)), nil
	}
	defer node.Close()
	ours, err := fakelambda.Start(ctx, oursSpec.cfg)
	if err != nil {
		return nil, err
	}
	defer ours.Close()
	s.progress.printf("node example: %d warm invocations, %d cold starts", s.nodeInvocations, s.coldRounds)
	lat, err := invokeAlternating(ctx, []*fakelambda.Function{node, ours}, payload, s.warmup/10, s.nodeInvocations)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil, err
	}
	if err != nil {
		return skip(fmt.Sprintf("the example did not allow the benchmark token: %v", err)), nil
	}
	node.Close()
	ours.Close()
	cold, err := coldStarts(ctx, []functionSpec{spec}, payload, s.coldRounds)
	if err != nil {
		return skip(err.Error()), nil
	}
	nodeCold := medianDuration(cold[0])
	warmRatio := float64(medianDuration(lat[0])) / float64(medianDuration(lat[1]))
	return []row{
		{
			What: "Node.js example: warm invocation (median / p99)", Ours: latencyFigure(lat[0]) + " node", Reference: latencyFigure(lat[1]) + " ours",
			Ratio: ratio(warmRatio), Target: "reported", Met: verdictReported,
			Figure: &figure{Chart: chartWarm, Group: nodeGroup, Ours: us(medianDuration(lat[1])), Reference: us(medianDuration(lat[0]))},
			Note:   fmt.Sprintf("examples/node (handler authorizer.handler) under fakelambda's Node.js runtime, %d invocations alternating with our bootstrap.", s.nodeInvocations),
		},
		{
			What: "Node.js example: cold start (median)", Ours: milli(nodeCold) + " node", Reference: milli(oursCold) + " ours",
			Ratio: ratio(float64(nodeCold) / float64(oursCold)), Target: "reported", Met: verdictReported,
			Figure: &figure{Chart: chartCold, Group: nodeGroup, Ours: ms(oursCold), Reference: ms(nodeCold)},
		},
	}, nil
}
