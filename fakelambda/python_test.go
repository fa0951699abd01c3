//go:build python

// Tests of the embedded Python runtime. They need python3 on PATH (or
// FAKELAMBDA_PYTHON), so they only build with -tags python (make
// test-python).

package fakelambda_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/serverless-auth/serverless-auth/fakelambda"
)

// pythonDir holds the handlers of testdata/python.
var pythonDir = filepath.Join("testdata", "python")

func startPython(t testing.TB, handler string, cfg fakelambda.Config) *fakelambda.Function {
	t.Helper()
	cfg.Runtime = fakelambda.RuntimePython
	cfg.Handler = handler
	cfg.Python = os.Getenv("FAKELAMBDA_PYTHON")
	return startShim(t, cfg, pythonDir, "pythonfn")
}

func TestPythonResponses(t *testing.T) {
	testShimResponses(t, startPython, []shimResponse{
		{"echo", "handlers.echo", `{"a":[1,2],"b":"Daniël"}`, `{"a": [1, 2], "b": "Daniël"}`},
		{"None is null", "handlers.log", `{}`, `null`},
		{"module in a package", "pkg/app.handler", `{}`, `"from pkg/app.py"`},
	})
}

func TestPythonContext(t *testing.T) {
	const timeout = 3 * time.Second
	f := startPython(t, "handlers.context", fakelambda.Config{Name: "profile", MemoryMB: 256, Timeout: timeout})
	checkShimContext(t, f, pythonDir, timeout, "get_remaining_time_in_millis()")
	if _, err := os.Stat(filepath.Join(pythonDir, "__pycache__")); err == nil {
		t.Errorf("the runtime wrote %s/__pycache__: Lambda's task root is read-only", pythonDir)
	}
}

func TestPythonFunctionErrors(t *testing.T) {
	tests := []struct {
		name          string
		handler       string
		payload       string
		wantType      string
		wantMessage   string
		is            error
		wantInstances int // after a following Invoke
	}{
		{"raise Exception(Unauthorized)", "handlers.unauthorized", `{}`, "Exception", "Unauthorized", nil, 1},
		{"another exception", "handlers.value_error", `{}`, "ValueError", "bad value", nil, 1},
		{"event is not JSON", "handlers.echo", `not json`, "Runtime.UnmarshalError", "", nil, 1},
		{"result is not JSON", "handlers.not_json", `{}`, "Runtime.MarshalError", "", nil, 1},
		{"sys.exit", "handlers.exits", `{}`, "Runtime.ExitError", "", fakelambda.ErrRuntimeExit, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startPython(t, tt.handler, fakelambda.Config{})
			ctx := testCtx(t)
			_, err := f.Invoke(ctx, []byte(tt.payload))
			var fe *fakelambda.FunctionError
			if !errors.As(err, &fe) {
				t.Fatalf("Invoke error = %v (%T), want *FunctionError", err, err)
			}
			if fe.Type != tt.wantType || (tt.wantMessage != "" && err.Error() != tt.wantMessage) {
				t.Errorf("error = %q type %q, want %q type %q", err.Error(), fe.Type, tt.wantMessage, tt.wantType)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not match %v", err, tt.is)
			}
			if tt.is == nil && (errors.Is(err, fakelambda.ErrTimeout) || errors.Is(err, fakelambda.ErrRuntimeExit)) {
				t.Errorf("a posted error matches a host sentinel: %v", err)
			}
			if _, err := f.Invoke(ctx, []byte(`{}`)); err != nil && !errors.As(err, new(*fakelambda.FunctionError)) {
				t.Fatalf("second Invoke: %v", err)
			}
			if got := f.Stats().Instances; got != tt.wantInstances {
				t.Errorf("Instances = %d, want %d", got, tt.wantInstances)
			}
		})
	}
}

func TestPythonTimeout(t *testing.T) {
	f := startPython(t, "handlers.sleep", fakelambda.Config{Timeout: 500 * time.Millisecond})
	ctx := testCtx(t)
	_, err := f.Invoke(ctx, event(t, map[string]any{"ms": 60000}))
	if !errors.Is(err, fakelambda.ErrTimeout) {
		t.Fatalf("Invoke error = %v, want ErrTimeout", err)
	}
	got, err := f.Invoke(ctx, event(t, map[string]any{"ms": 1}))
	if err != nil || string(got) != `"slept"` {
		t.Fatalf("Invoke after timeout = %s, %v", got, err)
	}
}

func TestPythonInitErrors(t *testing.T) {
	base := fakelambda.Config{Runtime: fakelambda.RuntimePython, Dir: pythonDir, Python: os.Getenv("FAKELAMBDA_PYTHON")}
	logLine := func(wantType string) string { return "[ERROR] " + wantType }
	testShimInitErrors(t, base, logLine, []shimInitError{
		{"missing module", "missing.handler", "Runtime.ImportModuleError", "Unable to import module 'missing'"},
		{"missing function", "handlers.nope", "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'handlers'"},
		{"no dot in the handler", "handlers", "Runtime.MalformedHandlerName", "Bad handler 'handlers'"},
		{"syntax error", "syntax.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'syntax'"},
		{"module raises", "raises.handler", "KeyError", "JWKS_URI"},
	})
}

func TestPythonOutput(t *testing.T) {
	testShimOutput(t, startPython(t, "handlers.log", fakelambda.Config{}), "hello world\n", "[WARNING]\t", "\ttrouble\n")
}

func TestPythonInterpreterMissing(t *testing.T) {
	_, err := fakelambda.Start(testCtx(t), fakelambda.Config{Runtime: fakelambda.RuntimePython, Handler: "handlers.echo", Dir: pythonDir, Python: "no-such-python"})
	if err == nil || !strings.Contains(err.Error(), "python3 runtime") || !strings.Contains(err.Error(), "no-such-python") {
		t.Errorf("Start error = %v, want one naming the python3 runtime and the interpreter", err)
	}
}
