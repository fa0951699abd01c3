//go:build node

// Tests of the embedded Node.js runtime. They need node on PATH, so they
// only build with -tags node (make test-node).

package fakelambda_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/serverless-auth/serverless-auth/fakelambda"
)

// nodeDir holds the handlers of testdata/node.
var nodeDir = filepath.Join("testdata", "node")

func startNode(t testing.TB, handler string, cfg fakelambda.Config) *fakelambda.Function {
	t.Helper()
	cfg.Runtime = fakelambda.RuntimeNodeJS
	cfg.Handler = handler
	return startShim(t, cfg, nodeDir, "nodefn")
}

func TestNodeResponses(t *testing.T) {
	testShimResponses(t, startNode, []shimResponse{
		{"async handler", "handlers.echo", `{"a":[1,2]}`, `{"a":[1,2]}`},
		{"callback result", "handlers.callbackResult", `{}`, `{"via":"callback"}`},
		{"context.succeed", "handlers.succeed", `{}`, `{"via":"succeed"}`},
		{"sync handler without callback answers null", "handlers.syncReturn", `{}`, `null`},
		{"nested export", "handlers.nested.deeper.fn", `{}`, `"nested"`},
		{"module in a subdirectory", "lib/app.handler", `{}`, `"from lib/app.js"`},
		{"ES module .mjs", "esm/index.handler", `{"x":1}`, `{"loadedAs":"mjs","event":{"x":1}}`},
		{"ES module .js with type module", "esmpkg/index.handler", `{}`, `{"loadedAs":"js with \"type\": \"module\"","isModule":true}`},
	})
}

func TestNodeContext(t *testing.T) {
	const timeout = 3 * time.Second
	f := startNode(t, "handlers.context", fakelambda.Config{Name: "profile", MemoryMB: 256, Timeout: timeout})
	if got := checkShimContext(t, f, nodeDir, timeout, "getRemainingTimeInMillis()"); !got.Waits {
		t.Errorf("context.callbackWaitsForEmptyEventLoop = false, want true by default: %+v", got)
	}
}

func TestNodeFunctionErrors(t *testing.T) {
	tests := []struct {
		name          string
		handler       string
		payload       string
		wantType      string
		wantMessage   string
		wantTrace     bool
		is            error
		wantInstances int // after a following Invoke
	}{
		{"async throw", "handlers.asyncError", `{}`, "Error", "Unauthorized", true, nil, 1},
		{"callback error", "handlers.callbackError", `{}`, "Error", "Unauthorized", true, nil, 1},
		{"callback string", "handlers.callbackString", `{}`, "string", "Unauthorized", false, nil, 1},
		{"event is not JSON", "handlers.echo", `not json`, "SyntaxError", "", true, nil, 1},
		{"promise never settles", "handlers.neverSettles", `{}`, "Runtime.NodeJsExit", "", true, nil, 1},
		{"uncaught exception exits", "handlers.uncaught", `{}`, "Error", "boom", true, nil, 2},
		{"unhandled rejection exits", "handlers.unhandledRejection", `{}`, "Runtime.UnhandledPromiseRejection", "Error: nope", true, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startNode(t, tt.handler, fakelambda.Config{})
			ctx := testCtx(t)
			_, err := f.Invoke(ctx, []byte(tt.payload))
			var fe *fakelambda.FunctionError
			if !errors.As(err, &fe) {
				t.Fatalf("Invoke error = %v (%T), want *FunctionError", err, err)
			}
			if fe.Type != tt.wantType || (tt.wantMessage != "" && err.Error() != tt.wantMessage) {
				t.Errorf("error = %q type %q, want %q type %q", err.Error(), fe.Type, tt.wantMessage, tt.wantType)
			}
			if (len(fe.StackTrace) > 0) != tt.wantTrace {
				t.Errorf("trace = %q, want present: %v", fe.StackTrace, tt.wantTrace)
			}
			if errors.Is(err, fakelambda.ErrTimeout) || errors.Is(err, fakelambda.ErrRuntimeExit) {
				t.Errorf("a posted error matches a host sentinel: %v", err)
			}
			// The instance answers again, or has been replaced.
			_, err = f.Invoke(ctx, []byte(`{}`))
			var again *fakelambda.FunctionError
			if err != nil && !errors.As(err, &again) {
				t.Fatalf("second Invoke: %v", err)
			}
			if got := f.Stats().Instances; got != tt.wantInstances {
				t.Errorf("Instances = %d, want %d", got, tt.wantInstances)
			}
		})
	}
}

func TestNodeCallbackWaitsForEmptyEventLoop(t *testing.T) {
	tests := []struct {
		name      string
		wait      bool
		ms        int
		wantFired bool
	}{
		{"waits by default", true, 50, true},
		{"answers at once when told not to wait", false, 30000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startNode(t, "handlers.callbackWaits", fakelambda.Config{MaxInstances: 1, Timeout: 60 * time.Second})
			ctx := testCtx(t)
			got, err := f.Invoke(ctx, event(t, map[string]any{"wait": tt.wait, "ms": tt.ms}))
			if err != nil || string(got) != `"answered"` {
				t.Fatalf("Invoke = %s, %v", got, err)
			}
			got, err = f.Invoke(ctx, []byte(`{"report":true}`))
			if err != nil {
				t.Fatal(err)
			}
			var state struct {
				Fired bool `json:"fired"`
			}
			decode(t, got, &state)
			if state.Fired != tt.wantFired {
				t.Errorf("timer fired before the next invocation: %v, want %v", state.Fired, tt.wantFired)
			}
			if n := f.Stats().Instances; n != 1 {
				t.Errorf("Instances = %d, want 1", n)
			}
		})
	}
}

func TestNodeTimeout(t *testing.T) {
	f := startNode(t, "handlers.sleep", fakelambda.Config{Timeout: 500 * time.Millisecond})
	ctx := testCtx(t)
	_, err := f.Invoke(ctx, event(t, map[string]any{"ms": 60000}))
	if !errors.Is(err, fakelambda.ErrTimeout) || !strings.HasSuffix(err.Error(), "Task timed out after 0.50 seconds") {
		t.Fatalf("Invoke error = %v, want ErrTimeout", err)
	}
	got, err := f.Invoke(ctx, event(t, map[string]any{"ms": 1}))
	if err != nil || string(got) != `"slept"` {
		t.Fatalf("Invoke after timeout = %s, %v", got, err)
	}
	if s := f.Stats(); s.Instances != 2 {
		t.Errorf("Instances = %d, want 2", s.Instances)
	}
}

func TestNodeInitErrors(t *testing.T) {
	base := fakelambda.Config{Runtime: fakelambda.RuntimeNodeJS, Dir: nodeDir}
	logLine := func(string) string { return "Uncaught Exception" }
	testShimInitErrors(t, base, logLine, []shimInitError{
		{"missing module", "missing.handler", "Runtime.ImportModuleError", "Cannot find module 'missing'"},
		{"missing export", "handlers.nope", "Runtime.HandlerNotFound", "handlers.nope is undefined or not exported"},
		{"export is not a function", "handlers.notAFunction", "Runtime.HandlerNotFound", "handlers.notAFunction is not a function"},
		{"no dot in the handler", "handlers", "Runtime.MalformedHandlerName", "Bad handler"},
		{"relative path", "../handlers.echo", "Runtime.MalformedHandlerName", "is not a valid handler name"},
		{"syntax error", "syntax.handler", "Runtime.UserCodeSyntaxError", "SyntaxError"},
		{"module throws", "throws.handler", "Error", "JWKS_URI is required"},
	})
}

func TestNodeOutput(t *testing.T) {
	testShimOutput(t, startNode(t, "handlers.log", fakelambda.Config{}), "\tINFO\thello world\n", "\tERROR\ttrouble\n")
}

func TestNodeConcurrency(t *testing.T) {
	f := startNode(t, "handlers.sleep", fakelambda.Config{MaxInstances: 2})
	ctx, cancel := context.WithTimeout(testCtx(t), 30*time.Second)
	defer cancel()
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := f.Invoke(ctx, event(t, map[string]any{"ms": 20}))
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if s := f.Stats(); s.Instances > 2 || s.Invocations != 4 || s.PeakRSS == 0 {
		t.Errorf("Stats = %+v, want at most 2 instances, 4 invocations, a peak RSS", s)
	}
}

func BenchmarkNodeInvokeWarm(b *testing.B) {
	f := startNode(b, "handlers.echo", fakelambda.Config{})
	ctx := testCtx(b)
	payload := []byte(`{"action":"echo"}`)
	for b.Loop() {
		if _, err := f.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNodeColdStart(b *testing.B) {
	benchmarkColdStart(b, fakelambda.Config{Runtime: fakelambda.RuntimeNodeJS, Handler: "handlers.echo", Dir: nodeDir}, []byte(`{"action":"echo"}`))
}
