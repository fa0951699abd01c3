package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestMedianAndPercentile(t *testing.T) {
	cases := []struct {
		xs   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tc := range cases {
		if got := median(tc.xs); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median(nil) is not NaN")
	}
	ds := make([]time.Duration, 100)
	for i := range ds {
		ds[i] = time.Duration(100-i) * time.Millisecond
	}
	if got := percentile(ds, 99); got != 99*time.Millisecond {
		t.Errorf("p99 = %v", got)
	}
	if got := percentile(ds, 100); got != 100*time.Millisecond {
		t.Errorf("p100 = %v", got)
	}
	if got := percentile(ds[:1], 99); got != 100*time.Millisecond {
		t.Errorf("p99 of one = %v", got)
	}
	if got := medianDuration([]time.Duration{time.Second, 3 * time.Second, 2 * time.Second}); got != 2*time.Second {
		t.Errorf("medianDuration = %v", got)
	}
	if lo, hi := spread([]float64{2, 1, 3}); lo != 1 || hi != 3 {
		t.Errorf("spread = %v, %v", lo, hi)
	}
}

func TestTrimmedMean(t *testing.T) {
	ds := make([]time.Duration, 100)
	for i := range ds {
		ds[i] = 10 * time.Microsecond
	}
	ds[42] = time.Second // one preemption
	ds[7] = time.Second  // and another
	if got := trimmedMean(ds); got != float64(10*time.Microsecond) {
		t.Fatalf("trimmedMean = %v, want the outliers left out", got)
	}
}

// TestRunPairs: a pair of operations of known relative cost comes out in
// the right order, and failures are reported rather than measured.
func TestRunPairs(t *testing.T) {
	if err := flag.Set("test.benchtime", "20ms"); err != nil {
		t.Fatal(err)
	}
	spin := func(n int) op {
		return func() error {
			x := 0
			for i := range n {
				x += i
			}
			if x < 0 {
				return errors.New("overflow")
			}
			return nil
		}
	}
	p, err := runPairs(3, spin(20000), spin(2000))
	if err != nil {
		t.Fatal(err)
	}
	if p.Ratio <= 1 || p.A <= p.B || p.Rounds != 3 || p.Iterations == 0 {
		t.Fatalf("pair = %+v, want A clearly slower than B", p)
	}
	broken := errors.New("broken")
	if _, err := runPairs(1, func() error { return broken }, spin(10)); !errors.Is(err, broken) {
		t.Fatalf("err = %v, want the operation's error", err)
	}
}

func TestCPUModelAndLoad(t *testing.T) {
	doc := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"
	if got := cpuModel(strings.NewReader(doc)); got != "AMD EPYC 7B13" {
		t.Errorf("cpuModel = %q", got)
	}
	if got := cpuModel(strings.NewReader("processor: 0\n")); got != "unknown" {
		t.Errorf("cpuModel without a model = %q", got)
	}
	if got := loadAverage("0.52 0.58 0.59 1/389 12345\n"); got != "0.52 0.58 0.59" {
		t.Errorf("loadAverage = %q", got)
	}
	if got := loadAverage(""); got != "unknown" {
		t.Errorf("loadAverage of nothing = %q", got)
	}
	busy, total, ok := busyTicks("cpu  10 20 30 400 50 6 7 8 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n")
	if !ok || busy != 10+20+30+6+7+8 || total != 10+20+30+400+50+6+7+8 {
		t.Errorf("busyTicks = %d, %d, %v", busy, total, ok)
	}
	if _, _, ok := busyTicks("intr 1 2 3\n"); ok {
		t.Error("busyTicks without a cpu line is ok")
	}
}

func TestReportRendering(t *testing.T) {
	rows := []row{
		{What: "verify", Ours: "45.0 µs", Reference: "42.0 µs raw", Ratio: "1.071×", Target: "≤ 1.10×", Met: verdictMet, Note: "pairs | alternating"},
		{What: "gateway", Ours: "1 req/s", Reference: "2 req/s", Ratio: "0.500×", Target: "≥ 0.50×", Met: verdictMissed},
		{What: "Node.js example", Ours: "—", Reference: "—", Ratio: "—", Target: "reported", Met: verdictSkipped, Note: "skipped: node is not installed"},
	}
	var text bytes.Buffer
	if err := writeText(&text, rows); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"row", "ours", "reference (same run)", "ratio", "target", "met?", "1.071×", "NO", "skipped"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text table lacks %q:\n%s", want, text.String())
		}
	}
	var md bytes.Buffer
	writeMarkdown(&md, report{
		Machine: machine{CPUs: 2, CPUModel: "AMD EPYC", GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", Start: time.Unix(0, 0), LoadStart: "1 2 3", LoadEnd: "1 2 3", OtherCores: 0.5},
		Rows:    rows,
		Curves:  []curve{{Title: "Scale: token size", XLabel: "bytes", Columns: []string{"verify"}, Points: [][]string{{"1024", "45 µs"}}}},
		Profile: []string{"Verify, in all 100.0%"},
		Notes:   []string{"ratios are ours ÷ reference"},
	})
	out := md.String()
	for _, want := range []string{"# Benchmarks", "| CPUs (nproc) | 2 |", "| verify | 45.0 µs | 42.0 µs raw | 1.071× | ≤ 1.10× | yes |", "- **verify**: pairs | alternating",
		"## Scale: token size", "| 1024 | 45 µs |", "0.50 of 2 cores", "Verify, in all", "ratios are ours"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if got := mdCell("a|b\nc"); got != `a\|b c` {
		t.Errorf("mdCell = %q", got)
	}
	if got := nodeLast([]row{{What: "Node.js a"}, {What: "b"}, {What: "Node.js c"}, {What: "d"}}); got[0].What != "b" || got[1].What != "d" || got[2].What != "Node.js a" {
		t.Errorf("nodeLast = %v", got)
	}
}

func TestSummariseProfile(t *testing.T) {
	top := []byte(`File: authorizer.test
Type: cpu
Showing nodes accounting for 3.5s, 90% of 3.9s total
      flat  flat%   sum%        cum   cum%
         0     0%     0%      3.50s 89.74%  github.com/serverless-auth/serverless-auth/authorizer.(*Authorizer).Verify
         0     0%     0%      3.45s 88.46%  github.com/golang-jwt/jwt/v5.(*Parser).ParseWithClaims
         0     0%     0%      3.15s 80.77%  crypto/rsa.VerifyPKCS1v15
     0.01s  0.26%  0.26%      350ms  8.97%  github.com/golang-jwt/jwt/v5.(*Parser).ParseUnverified (inline)
`)
	lines := summariseProfile(top)
	if len(lines) != len(profileGroups) {
		t.Fatalf("%d lines", len(lines))
	}
	for i, want := range map[int]string{0: "100.0%", 1: "98.6%", 2: "90.0%", 4: "10.0%"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %q, want %s", i, lines[i], want)
		}
	}
	if summariseProfile([]byte("nothing")) != nil {
		t.Error("a profile without Verify gave lines")
	}
}

func TestZipBootstrap(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	content := bytes.Repeat([]byte("binary "), 1000)
	if err := os.WriteFile(bin, content, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "function.zip")
	size, err := zipBootstrap(bin, out)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if st, _ := os.Stat(out); st.Size() != size || size >= int64(len(content)) {
		t.Errorf("size %d, file %d, content %d", size, st.Size(), len(content))
	}
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode().Perm() != 0o755 || zr.File[0].Method != zip.Deflate {
		t.Fatalf("zip holds %+v", zr.File[0].FileHeader)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, _ := io.ReadAll(rc); !bytes.Equal(got, content) {
		t.Error("zipped bootstrap differs")
	}
}

func TestLoadGenerator(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if r.Header.Get("Authorization") != "Bearer x" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	ctx := context.Background()
	r, err := load{url: srv.URL, authorization: "Bearer x", conns: 4, maxRequests: 200, maxDuration: 10 * time.Second, wantStatus: http.StatusOK}.run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 200 || len(r.Latencies) != 200 || served.Load() != 200 || r.RPS() <= 0 {
		t.Fatalf("result %d requests, %d latencies, %d served, %.0f/s", r.Requests, len(r.Latencies), served.Load(), r.RPS())
	}
	// Bounded in time as well as in requests.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		w.WriteHeader(http.StatusOK)
	}))
	defer slow.Close()
	began := time.Now()
	r, err = load{url: slow.URL, conns: 2, maxRequests: 1_000_000, maxDuration: 200 * time.Millisecond, wantStatus: http.StatusOK}.run(ctx)
	if err != nil || time.Since(began) > 5*time.Second || r.Requests == 0 || r.Requests > 100 {
		t.Fatalf("time-bounded run: %d requests in %v, %v", r.Requests, time.Since(began), err)
	}
	// An unexpected status ends the run with an error.
	if _, err := (load{url: srv.URL, conns: 2, maxRequests: 10, maxDuration: time.Second, wantStatus: http.StatusOK}).run(ctx); err == nil {
		t.Fatal("401s were counted as successes")
	}
}

func TestLoadGeneratorIsLoopbackOnly(t *testing.T) {
	for _, u := range []string{"http://example.com/", "http://localhost:8080/", "https://127.0.0.1/", "http://10.0.0.1/", "::"} {
		if err := checkLoopback(u); !errors.Is(err, errNotLoopback) {
			t.Errorf("checkLoopback(%q) = %v", u, err)
		}
		if _, err := (load{url: u, conns: 1, maxRequests: 1, maxDuration: time.Second, wantStatus: 200}).run(context.Background()); !errors.Is(err, errNotLoopback) {
			t.Errorf("run(%q) = %v", u, err)
		}
	}
	if err := checkLoopback("http://127.0.0.1:1234/prod/profile"); err != nil {
		t.Errorf("loopback refused: %v", err)
	}
}
