package fakelambda_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/serverless-auth/serverless-auth/fakelambda"
)

// testfnDir holds the testdata/testfn bootstrap built by TestMain, rpcfnDir
// the testdata/rpcfn one (built with aws-lambda-go v1.13.3's protocol).
var testfnDir, rpcfnDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fakelambda-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "bootstrap"), "./testdata/testfn")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building testdata/testfn:", err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	testfnDir = dir
	// testdata/rpcfn is a module of its own whose aws-lambda-go is a local
	// replacement: it builds offline.
	rpc := exec.Command("go", "build", "-o", filepath.Join(dir, "rpc", "bootstrap"), ".")
	rpc.Dir = filepath.Join("testdata", "rpcfn")
	rpc.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	rpc.Stdout, rpc.Stderr = os.Stderr, os.Stderr
	if err := rpc.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building testdata/rpcfn:", err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	rpcfnDir = filepath.Join(dir, "rpc")
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// testCtx bounds a test.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// startTestfn starts the Go test function with cfg's other fields.
func startTestfn(t testing.TB, cfg fakelambda.Config) *fakelambda.Function {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = testfnDir
	}
	if cfg.Name == "" {
		cfg.Name = "testfn"
	}
	f, err := fakelambda.Start(testCtx(t), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// event encodes a testfn event.
func event(t testing.TB, fields map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decode unmarshals a response into v.
func decode(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %q: %v", b, err)
	}
}

// barrier is an HTTP endpoint that holds every request until n have
// arrived, then answers all of them (and any later ones) at once.
type barrier struct {
	*httptest.Server
	mu      sync.Mutex
	arrived int
	release chan struct{}
}

func newBarrier(t testing.TB, n int) *barrier {
	b := &barrier{release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.arrived++
		if b.arrived == n {
			close(b.release)
		}
		b.mu.Unlock()
		select {
		case <-b.release:
			_, _ = fmt.Fprint(w, "released")
		case <-ctx.Done():
			http.Error(w, "test over", http.StatusServiceUnavailable)
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() {
		cancel() // unblock held requests first: Close waits for them
		b.Close()
	})
	return b
}
