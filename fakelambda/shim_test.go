//go:build node || python

// Test helpers shared by the embedded runtimes' tests (node_test.go,
// python_test.go): starting a handler, and the table checks whose paths
// differ between the runtimes only in data.

package fakelambda_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/serverless-auth/serverless-auth/fakelambda"
)

// startShim starts cfg (its Runtime and Handler set) with dir and name as the
// defaults for Dir and Name, and closes it when the test ends.
func startShim(t testing.TB, cfg fakelambda.Config, dir, name string) *fakelambda.Function {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = dir
	}
	if cfg.Name == "" {
		cfg.Name = name
	}
	f, err := fakelambda.Start(testCtx(t), cfg)
	if err != nil {
		t.Fatalf("Start(%s): %v", cfg.Handler, err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// shimResponse is a handler and the response it gives to payload.
type shimResponse struct {
	name    string
	handler string
	payload string
	want    string
}

// testShimResponses invokes each handler, started with start, once.
func testShimResponses(t *testing.T, start func(testing.TB, string, fakelambda.Config) *fakelambda.Function, tests []shimResponse) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := start(t, tt.handler, fakelambda.Config{})
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

// shimContext is what testdata's handlers.context answers: the event and the
// Lambda context object as the runtime shows it to a handler. Waits is
// Node.js's callbackWaitsForEmptyEventLoop.
type shimContext struct {
	Event              map[string]string `json:"event"`
	AwsRequestID       string            `json:"awsRequestId"`
	InvokedFunctionArn string            `json:"invokedFunctionArn"`
	FunctionName       string            `json:"functionName"`
	FunctionVersion    string            `json:"functionVersion"`
	MemoryLimitInMB    string            `json:"memoryLimitInMB"`
	LogGroupName       string            `json:"logGroupName"`
	Remaining          int64             `json:"remaining"`
	Waits              bool              `json:"waits"`
	TraceID            string            `json:"traceId"`
	TaskRoot           string            `json:"taskRoot"`
	Handler            string            `json:"handler"`
	Cwd                string            `json:"cwd"`
}

// checkShimContext invokes handlers.context of f, started as "profile" with
// 256 MB and timeout from dir, and checks the context it shows; remaining
// names the runtime's remaining-time call in failures.
func checkShimContext(t *testing.T, f *fakelambda.Function, dir string, timeout time.Duration, remaining string) shimContext {
	t.Helper()
	resp, err := f.Invoke(testCtx(t), []byte(`{"hello":"world"}`))
	if err != nil {
		t.Fatal(err)
	}
	var got shimContext
	decode(t, resp, &got)
	abs, _ := filepath.Abs(dir)
	if got.Event["hello"] != "world" || !uuidPattern.MatchString(got.AwsRequestID) ||
		got.InvokedFunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:profile" ||
		got.FunctionName != "profile" || got.FunctionVersion != "$LATEST" || got.MemoryLimitInMB != "256" ||
		got.LogGroupName != "/aws/lambda/profile" || !strings.HasPrefix(got.TraceID, "Root=1-") ||
		got.TaskRoot != abs || got.Cwd != abs || got.Handler != "handlers.context" {
		t.Errorf("context = %+v", got)
	}
	if got.Remaining <= 0 || got.Remaining > timeout.Milliseconds() {
		t.Errorf("%s = %d, want within (0, %d]", remaining, got.Remaining, timeout.Milliseconds())
	}
	return got
}

// shimInitError is a handler whose Start fails with an init error of
// wantType whose message holds wantText.
type shimInitError struct {
	name     string
	handler  string
	wantType string
	wantText string
}

// testShimInitErrors starts each handler with base and checks the init
// error; the error must quote the runtime's log line, logLine(wantType).
func testShimInitErrors(t *testing.T, base fakelambda.Config, logLine func(wantType string) string, tests []shimInitError) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			cfg.Handler = tt.handler
			f, err := fakelambda.Start(testCtx(t), cfg)
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
			if !strings.Contains(err.Error(), logLine(tt.wantType)) {
				t.Errorf("error does not quote the runtime's log: %v", err)
			}
		})
	}
}

// testShimOutput invokes handlers.log of f with {"name":"world"}, closes f
// and checks its output holds each of want.
func testShimOutput(t *testing.T, f *fakelambda.Function, want ...string) {
	t.Helper()
	if _, err := f.Invoke(testCtx(t), event(t, map[string]any{"name": "world"})); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	for _, w := range want {
		if !strings.Contains(f.Output(), w) {
			t.Errorf("Output() = %q, want it to contain %q", f.Output(), w)
		}
	}
}
