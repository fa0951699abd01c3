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
	if cfg.Dir == "" {
		cfg.Dir = pythonDir
	}
	if cfg.Name == "" {
		cfg.Name = "pythonfn"
	}
	f, err := fakelambda.Start(testCtx(t), cfg)
	if err != nil {
		t.Fatalf("Start(%s): %v", handler, err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func TestPythonResponses(t *testing.T) {
	tests := []struct {
		name    string
		handler string
		payload string
		want    string
	}{
		{"echo", "handlers.echo", `{"a":[1,2],"b":"Daniël"}`, `{"a": [1, 2], "b": "Daniël"}`},
		{"None is null", "handlers.log", `{}`, `null`},
		{"module in a package", "pkg/app.handler", `{}`, `"from pkg/app.py"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startPython(t, tt.handler, fakelambda.Config{})
			got, err := f.Invoke(testCtx(t), []byte(tt.payload))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("response = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPythonContext(t *testing.T) {
	const timeout = 3 * time.Second
	f := startPython(t, "handlers.context", fakelambda.Config{Name: "profile", MemoryMB: 256, Timeout: timeout})
	resp, err := f.Invoke(testCtx(t), []byte(`{"hello":"world"}`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Event              map[string]string `json:"event"`
		AwsRequestID       string            `json:"awsRequestId"`
		InvokedFunctionArn string            `json:"invokedFunctionArn"`
		FunctionName       string            `json:"functionName"`
		FunctionVersion    string            `json:"functionVersion"`
		MemoryLimitInMB    string            `json:"memoryLimitInMB"`
		LogGroupName       string            `json:"logGroupName"`
		Remaining          int64             `json:"remaining"`
		TraceID            string            `json:"traceId"`
		TaskRoot           string            `json:"taskRoot"`
		Handler            string            `json:"handler"`
		Cwd                string            `json:"cwd"`
	}
	decode(t, resp, &got)
	abs, _ := filepath.Abs(pythonDir)
	if got.Event["hello"] != "world" || !uuidPattern.MatchString(got.AwsRequestID) ||
		got.InvokedFunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:profile" ||
		got.FunctionName != "profile" || got.FunctionVersion != "$LATEST" || got.MemoryLimitInMB != "256" ||
		got.LogGroupName != "/aws/lambda/profile" || !strings.HasPrefix(got.TraceID, "Root=1-") ||
		got.TaskRoot != abs || got.Cwd != abs || got.Handler != "handlers.context" {
		t.Errorf("context = %+v", got)
	}
	if got.Remaining <= 0 || got.Remaining > timeout.Milliseconds() {
		t.Errorf("get_remaining_time_in_millis() = %d, want within (0, %d]", got.Remaining, timeout.Milliseconds())
	}
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
	tests := []struct {
		name     string
		handler  string
		wantType string
		wantText string
	}{
		{"missing module", "missing.handler", "Runtime.ImportModuleError", "Unable to import module 'missing'"},
		{"missing function", "handlers.nope", "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'handlers'"},
		{"no dot in the handler", "handlers", "Runtime.MalformedHandlerName", "Bad handler 'handlers'"},
		{"syntax error", "syntax.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'syntax'"},
		{"module raises", "raises.handler", "KeyError", "JWKS_URI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := fakelambda.Start(testCtx(t), fakelambda.Config{Runtime: fakelambda.RuntimePython, Handler: tt.handler, Dir: pythonDir, Python: os.Getenv("FAKELAMBDA_PYTHON")})
			if err == nil {
				_ = f.Close()
				t.Fatal("Start succeeded")
			}
			var fe *fakelambda.FunctionError
			if !errors.Is(err, fakelambda.ErrInitFailed) || !errors.As(err, &fe) {
				t.Fatalf("error = %v, want ErrInitFailed with a *FunctionError", err)
			}
			if fe.Type != tt.wantType || !strings.Contains(fe.Message, tt.wantText) {
				t.Errorf("init error = %q type %q, want type %q containing %q", fe.Message, fe.Type, tt.wantType, tt.wantText)
			}
			if !strings.Contains(err.Error(), "[ERROR] "+tt.wantType) {
				t.Errorf("error does not quote the runtime's log: %v", err)
			}
		})
	}
}

func TestPythonOutput(t *testing.T) {
	f := startPython(t, "handlers.log", fakelambda.Config{})
	if _, err := f.Invoke(testCtx(t), event(t, map[string]any{"name": "world"})); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	for _, want := range []string{"hello world\n", "[WARNING]\t", "\ttrouble\n"} {
		if !strings.Contains(f.Output(), want) {
			t.Errorf("Output() = %q, want it to contain %q", f.Output(), want)
		}
	}
}

func TestPythonInterpreterMissing(t *testing.T) {
	_, err := fakelambda.Start(testCtx(t), fakelambda.Config{Runtime: fakelambda.RuntimePython, Handler: "handlers.echo", Dir: pythonDir, Python: "no-such-python"})
	if err == nil || !strings.Contains(err.Error(), "python3 runtime") || !strings.Contains(err.Error(), "no-such-python") {
		t.Errorf("Start error = %v, want one naming the python3 runtime and the interpreter", err)
	}
}
