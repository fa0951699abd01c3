package fakelambda_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/serverless-auth/serverless-auth/internal/logbuffer"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/serverless-auth/serverless-auth/fakelambda"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestInvokeResponse(t *testing.T) {
	f := startTestfn(t, fakelambda.Config{})
	ctx := testCtx(t)
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{"echo", `{"action":"echo","message":"Daniël"}`, `{"action":"echo","message":"Daniël"}`},
		{"empty payload is {}", ``, `{}`},
		{"string response", `{"action":"sleep","ms":1}`, `"slept"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.Invoke(ctx, []byte(tt.payload))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("response = %s, want %s", got, tt.want)
			}
		})
	}
	if s := f.Stats(); s.Instances != 1 || s.Invocations != len(tests) {
		t.Errorf("Stats = %+v, want 1 instance and %d invocations", s, len(tests))
	}
}

func TestFunctionErrors(t *testing.T) {
	tests := []struct {
		name          string
		payload       map[string]any
		wantType      string
		wantMessage   string
		wantStack     bool
		wantInstances int // after a following successful Invoke
	}{
		{"returned error keeps the instance", map[string]any{"action": "error", "message": "Unauthorized"}, "errorString", "Unauthorized", false, 1},
		{"panic replaces the instance", map[string]any{"action": "panic", "message": "boom"}, "string", "boom", true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startTestfn(t, fakelambda.Config{})
			ctx := testCtx(t)
			_, err := f.Invoke(ctx, event(t, tt.payload))
			var fe *fakelambda.FunctionError
			if !errors.As(err, &fe) {
				t.Fatalf("Invoke error = %v (%T), want *FunctionError", err, err)
			}
			if err.Error() != tt.wantMessage || fe.Type != tt.wantType {
				t.Errorf("error = %q type %q, want %q type %q", err.Error(), fe.Type, tt.wantMessage, tt.wantType)
			}
			if (len(fe.StackTrace) > 0) != tt.wantStack {
				t.Errorf("StackTrace = %q, want present: %v", fe.StackTrace, tt.wantStack)
			}
			for _, sentinel := range []error{fakelambda.ErrTimeout, fakelambda.ErrRuntimeExit, fakelambda.ErrInitFailed, fakelambda.ErrClosed} {
				if errors.Is(err, sentinel) {
					t.Errorf("function error matches %v", sentinel)
				}
			}
			if _, err := f.Invoke(ctx, event(t, map[string]any{"action": "echo"})); err != nil {
				t.Fatalf("Invoke after the error: %v", err)
			}
			if got := f.Stats().Instances; got != tt.wantInstances {
				t.Errorf("Instances = %d, want %d", got, tt.wantInstances)
			}
		})
	}
}

func TestTimeoutKillsAndReplaces(t *testing.T) {
	f := startTestfn(t, fakelambda.Config{Timeout: 500 * time.Millisecond})
	ctx := testCtx(t)
	_, err := f.Invoke(ctx, event(t, map[string]any{"action": "sleep", "ms": 60000}))
	if !errors.Is(err, fakelambda.ErrTimeout) {
		t.Fatalf("Invoke error = %v, want ErrTimeout", err)
	}
	var fe *fakelambda.FunctionError
	if !errors.As(err, &fe) || fe.Type != "Sandbox.Timedout" || !strings.HasSuffix(fe.Message, "Error: Task timed out after 0.50 seconds") {
		t.Errorf("error = %#v, want Sandbox.Timedout ... Task timed out after 0.50 seconds", fe)
	}
	got, err := f.Invoke(ctx, event(t, map[string]any{"action": "echo", "message": "fresh"}))
	if err != nil || !strings.Contains(string(got), "fresh") {
		t.Fatalf("Invoke after timeout = %s, %v", got, err)
	}
	if s := f.Stats(); s.Instances != 2 || s.Live != 1 {
		t.Errorf("Stats = %+v, want 2 instances started, 1 live", s)
	}
}

func TestCrashReplacesInstance(t *testing.T) {
	f := startTestfn(t, fakelambda.Config{})
	ctx := testCtx(t)
	_, err := f.Invoke(ctx, event(t, map[string]any{"action": "exit", "code": 2}))
	if !errors.Is(err, fakelambda.ErrRuntimeExit) {
		t.Fatalf("Invoke error = %v, want ErrRuntimeExit", err)
	}
	var fe *fakelambda.FunctionError
	if !errors.As(err, &fe) || fe.Type != "Runtime.ExitError" || !strings.HasSuffix(fe.Message, "Runtime exited with error: exit status 2") {
		t.Errorf("error = %#v, want Runtime.ExitError ... exit status 2", fe)
	}
	if _, err := f.Invoke(ctx, event(t, map[string]any{"action": "echo"})); err != nil {
		t.Fatalf("Invoke after crash: %v", err)
	}
	if s := f.Stats(); s.Instances != 2 {
		t.Errorf("Instances = %d, want 2", s.Instances)
	}
}

func TestInitFailures(t *testing.T) {
	tests := []struct {
		name     string
		init     string
		wantType string
		wantText []string
		alsoIs   error
	}{
		{"exits", "exit", "Runtime.ExitError", []string{"exit status 3", "testfn: init failed on purpose"}, fakelambda.ErrRuntimeExit},
		{"posts /init/error", "post", "Runtime.ConfigError", []string{"JWKS_URI is required", "testfn: reporting an init error"}, nil},
		{"hangs", "hang", "Sandbox.Timedout", []string{"Init timed out after 0.30 seconds", "testfn: hanging in init"}, fakelambda.ErrTimeout},
		{"listens like a go1.x binary", "listen", "Sandbox.Timedout", []string{"Init timed out after 0.30 seconds", "listened on TCP port", "_LAMBDA_SERVER_PORT", "aws-lambda-go v1.18.0"}, fakelambda.ErrRPCProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := fakelambda.Start(testCtx(t), fakelambda.Config{
				Dir:         testfnDir,
				Env:         []string{"TESTFN_INIT=" + tt.init},
				InitTimeout: 300 * time.Millisecond,
			})
			if err == nil {
				_ = f.Close()
				t.Fatal("Start succeeded, want an init failure")
			}
			if !errors.Is(err, fakelambda.ErrInitFailed) {
				t.Errorf("error %v does not match ErrInitFailed", err)
			}
			if tt.alsoIs != nil && !errors.Is(err, tt.alsoIs) {
				t.Errorf("error %v does not match %v", err, tt.alsoIs)
			}
			var fe *fakelambda.FunctionError
			if !errors.As(err, &fe) || fe.Type != tt.wantType {
				t.Errorf("FunctionError = %#v, want type %s", fe, tt.wantType)
			}
			for _, want := range tt.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestDeadlineHeader(t *testing.T) {
	const timeout = 3 * time.Second
	f := startTestfn(t, fakelambda.Config{Timeout: timeout})
	ctx := testCtx(t)
	var got struct {
		DeadlineMs int64 `json:"deadlineMs"`
	}

	t.Run("function timeout", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, time.Hour)
		defer cancel()
		before := time.Now().Add(timeout).UnixMilli()
		resp, err := f.Invoke(ctx, event(t, map[string]any{"action": "context"}))
		after := time.Now().Add(timeout).UnixMilli()
		if err != nil {
			t.Fatal(err)
		}
		decode(t, resp, &got)
		if got.DeadlineMs < before-1 || got.DeadlineMs > after {
			t.Errorf("deadline = %d, want within [%d, %d]", got.DeadlineMs, before, after)
		}
	})
	t.Run("earlier caller deadline", func(t *testing.T) {
		deadline := time.Now().Add(2 * time.Second)
		ctx, cancel := context.WithDeadline(ctx, deadline)
		defer cancel()
		resp, err := f.Invoke(ctx, event(t, map[string]any{"action": "context"}))
		if err != nil {
			t.Fatal(err)
		}
		decode(t, resp, &got)
		if got.DeadlineMs != deadline.UnixMilli() {
			t.Errorf("deadline = %d, want the caller's %d", got.DeadlineMs, deadline.UnixMilli())
		}
	})
	t.Run("function sees the deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		// The function's context ends when the caller's does: whichever
		// reports first, it is a deadline, not a timeout of the function.
		_, err := f.Invoke(ctx, event(t, map[string]any{"action": "wait"}))
		var fe *fakelambda.FunctionError
		fromFunction := errors.As(err, &fe) && fe.Message == context.DeadlineExceeded.Error()
		if !fromFunction && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Invoke error = %v, want a deadline exceeded", err)
		}
	})
}

func TestContextAndEnvironment(t *testing.T) {
	f := startTestfn(t, fakelambda.Config{
		Name:     "authorizer",
		MemoryMB: 256,
		Env:      []string{"AWS_REGION=eu-west-1", "JWKS_URI=http://127.0.0.1/jwks"},
	})
	ctx := testCtx(t)
	resp, err := f.Invoke(ctx, event(t, map[string]any{"action": "context"}))
	if err != nil {
		t.Fatal(err)
	}
	var lc struct {
		RequestID    string `json:"requestId"`
		FunctionArn  string `json:"functionArn"`
		FunctionName string `json:"functionName"`
		Memory       int    `json:"memory"`
		Version      string `json:"version"`
		TraceID      string `json:"traceId"`
	}
	decode(t, resp, &lc)
	if !uuidPattern.MatchString(lc.RequestID) {
		t.Errorf("request id %q is not a UUID", lc.RequestID)
	}
	if lc.FunctionArn != "arn:aws:lambda:eu-west-1:123456789012:function:authorizer" ||
		lc.FunctionName != "authorizer" || lc.Memory != 256 || lc.Version != "$LATEST" ||
		!strings.HasPrefix(lc.TraceID, "Root=1-") {
		t.Errorf("lambda context = %+v", lc)
	}

	vars := []string{"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION", "_HANDLER",
		"LAMBDA_TASK_ROOT", "TZ", "JWKS_URI", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_RUNTIME_API"}
	resp, err = f.Invoke(ctx, event(t, map[string]any{"action": "env", "vars": vars}))
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]string
	decode(t, resp, &env)
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "authorizer",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_REGION":                      "eu-west-1",
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                testfnDir,
		"TZ":                              ":UTC",
		"JWKS_URI":                        "http://127.0.0.1/jwks",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/authorizer",
		"cwd":                             testfnDir,
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if !strings.HasPrefix(env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:") {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q, want 127.0.0.1:PORT", env["AWS_LAMBDA_RUNTIME_API"])
	}
}

func TestConcurrentInvocations(t *testing.T) {
	tests := []struct {
		name          string
		maxInstances  int
		invocations   int
		barrier       int // invocations held until this many are inside the function
		wantInstances int
	}{
		{"each concurrent invocation gets an instance", 3, 3, 3, 3},
		{"beyond MaxInstances invocations wait", 2, 4, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startTestfn(t, fakelambda.Config{MaxInstances: tt.maxInstances})
			b := newBarrier(t, tt.barrier)
			ctx := testCtx(t)
			var wg sync.WaitGroup
			errs := make(chan error, tt.invocations)
			for range tt.invocations {
				wg.Go(func() {
					resp, err := f.Invoke(ctx, event(t, map[string]any{"action": "barrier", "url": b.URL}))
					if err == nil && string(resp) != `"released"` {
						err = errors.New("unexpected response " + string(resp))
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			s := f.Stats()
			if s.Instances != tt.wantInstances || s.Invocations != tt.invocations {
				t.Errorf("Stats = %+v, want %d instances, %d invocations", s, tt.wantInstances, tt.invocations)
			}
			if len(s.Inits) != tt.wantInstances || len(s.ColdStarts) != tt.wantInstances {
				t.Errorf("Inits = %v, ColdStarts = %v, want %d of each", s.Inits, s.ColdStarts, tt.wantInstances)
			}
		})
	}
}

func TestCallerGivesUpInstanceSurvives(t *testing.T) {
	f := startTestfn(t, fakelambda.Config{MaxInstances: 1})
	ctx := testCtx(t)
	caller, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		_, err := f.Invoke(caller, event(t, map[string]any{"action": "sleep", "ms": 300}))
		errc <- err
	}()
	waitForInvocations(t, f, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Invoke error = %v, want context.Canceled", err)
	}
	// The invocation runs on; the next one waits for the only instance.
	if _, err := f.Invoke(ctx, event(t, map[string]any{"action": "echo"})); err != nil {
		t.Fatal(err)
	}
	if s := f.Stats(); s.Instances != 1 || s.Invocations != 2 {
		t.Errorf("Stats = %+v, want 1 instance, 2 invocations", s)
	}
}

// waitForInvocations polls until n invocations have reached a runtime.
func waitForInvocations(t *testing.T, f *fakelambda.Function, n int) {
	t.Helper()
	ctx := testCtx(t)
	for f.Stats().Invocations < n {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %d invocations: %v", n, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func TestOutputCapture(t *testing.T) {
	var tee logbuffer.Buffer
	f := startTestfn(t, fakelambda.Config{Output: &tee})
	if _, err := f.Invoke(testCtx(t), event(t, map[string]any{"action": "log", "message": "hello"})); err != nil {
		t.Fatal(err)
	}
	_ = f.Close() // waits for the output pipes to drain
	for _, want := range []string{"hello to stdout\n", "hello to stderr\n"} {
		if !strings.Contains(f.Output(), want) {
			t.Errorf("Output() = %q, want it to contain %q", f.Output(), want)
		}
		if !strings.Contains(tee.String(), want) {
			t.Errorf("Config.Output got %q, want it to contain %q", tee.String(), want)
		}
	}
}

func TestStats(t *testing.T) {
	for _, command := range []string{"./bootstrap", "exec ./bootstrap"} {
		t.Run(command, func(t *testing.T) {
			f := startTestfn(t, fakelambda.Config{Command: command, MemoryMB: 512})
			ctx := testCtx(t)
			const alloc = 64 << 20
			for _, payload := range []map[string]any{{"action": "echo"}, {"action": "alloc", "bytes": alloc}} {
				if _, err := f.Invoke(ctx, event(t, payload)); err != nil {
					t.Fatal(err)
				}
			}
			s := f.Stats()
			if s.Instances != 1 || s.Live != 1 || s.Invocations != 2 {
				t.Errorf("Stats = %+v, want 1 instance, 1 live, 2 invocations", s)
			}
			if len(s.Inits) != 1 || len(s.ColdStarts) != 1 || s.Inits[0] <= 0 || s.ColdStarts[0] < s.Inits[0] {
				t.Errorf("Inits = %v, ColdStarts = %v, want one each, cold start >= init > 0", s.Inits, s.ColdStarts)
			}
			if s.PeakRSS < alloc || s.PeakRSS > 4*alloc {
				t.Errorf("PeakRSS = %d, want about the %d bytes the function touched", s.PeakRSS, alloc)
			}
			_ = f.Close()
			if s := f.Stats(); s.Live != 0 || s.PeakRSS < alloc {
				t.Errorf("after Close: Live = %d, PeakRSS = %d", s.Live, s.PeakRSS)
			}
		})
	}
}

func TestInitFailureDuringInvoke(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "started")
	// The first instance starts; every later one fails its init.
	command := fmt.Sprintf(`if [ -e %[1]s ]; then echo "second init fails" >&2; exit 4; fi; touch %[1]s; exec ./bootstrap`, marker)
	f := startTestfn(t, fakelambda.Config{Command: command})
	ctx := testCtx(t)
	if _, err := f.Invoke(ctx, event(t, map[string]any{"action": "exit", "code": 1})); !errors.Is(err, fakelambda.ErrRuntimeExit) {
		t.Fatalf("crash: %v", err)
	}
	_, err := f.Invoke(ctx, event(t, map[string]any{"action": "echo"}))
	var fe *fakelambda.FunctionError
	if !errors.Is(err, fakelambda.ErrInitFailed) || !errors.As(err, &fe) {
		t.Fatalf("Invoke error = %v, want ErrInitFailed", err)
	}
	if fe.Type != "Runtime.ExitError" || !strings.HasPrefix(fe.Message, "RequestId: ") || !strings.HasSuffix(fe.Message, "Runtime exited with error: exit status 4") {
		t.Errorf("init error = %#v", fe)
	}
}

func TestClose(t *testing.T) {
	f := startTestfn(t, fakelambda.Config{})
	ctx := testCtx(t)
	errc := make(chan error, 1)
	go func() {
		_, err := f.Invoke(ctx, event(t, map[string]any{"action": "sleep", "ms": 60000}))
		errc <- err
	}()
	waitForInvocations(t, f, 1)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, fakelambda.ErrClosed) {
		t.Errorf("in-flight Invoke error = %v, want ErrClosed", err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := f.Invoke(ctx, nil); !errors.Is(err, fakelambda.ErrClosed) {
		t.Errorf("Invoke after Close = %v, want ErrClosed", err)
	}
}

func TestRuntimeAPIProtocol(t *testing.T) {
	f := startTestfn(t, fakelambda.Config{})
	ctx := testCtx(t)
	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantBody   string
	}{
		{"response for an unknown request id", "POST", "/2018-06-01/runtime/invocation/not-a-request/response", 400, `"errorType":"InvalidRequestID"`},
		{"error for an unknown request id", "POST", "/2018-06-01/runtime/invocation/not-a-request/error", 400, `"errorType":"InvalidRequestID"`},
		{"init error after init", "POST", "/2018-06-01/runtime/init/error", 403, `"errorType":"InvalidStateTransition"`},
		{"next during an invocation", "GET", "/2018-06-01/runtime/invocation/next", 403, `"errorType":"InvalidStateTransition"`},
		{"unknown path", "GET", "/2018-06-01/runtime/whatever", 404, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := f.Invoke(ctx, event(t, map[string]any{"action": "api", "method": tt.method, "path": tt.path, "body": "{}"}))
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Status int    `json:"status"`
				Body   string `json:"body"`
			}
			decode(t, resp, &got)
			if got.Status != tt.wantStatus || !strings.Contains(got.Body, tt.wantBody) {
				t.Errorf("got %d %s, want %d containing %s", got.Status, got.Body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestPayloadLimits(t *testing.T) {
	f := startTestfn(t, fakelambda.Config{})
	ctx := testCtx(t)
	big := make([]byte, fakelambda.MaxRequestBytes+1)
	if _, err := f.Invoke(ctx, big); !errors.Is(err, fakelambda.ErrRequestTooLarge) {
		t.Errorf("oversized request: error = %v, want ErrRequestTooLarge", err)
	}
	_, err := f.Invoke(ctx, event(t, map[string]any{"action": "big", "bytes": fakelambda.MaxResponseBytes}))
	var fe *fakelambda.FunctionError
	if !errors.As(err, &fe) || fe.Type != "Function.ResponseSizeTooLarge" {
		t.Errorf("oversized response: error = %v, want Function.ResponseSizeTooLarge", err)
	}
	if _, err := f.Invoke(ctx, event(t, map[string]any{"action": "echo"})); err != nil {
		t.Errorf("Invoke after oversized response: %v", err)
	}
}

func TestStartConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  fakelambda.Config
		want string
	}{
		{"negative timeout", fakelambda.Config{Timeout: -time.Second}, "must not be negative"},
		{"unknown runtime", fakelambda.Config{Runtime: "python3.13"}, "unknown runtime"},
		{"missing dir", fakelambda.Config{Dir: "/nonexistent/fakelambda"}, "dir"},
		{"bad env entry", fakelambda.Config{Env: []string{"NOEQUALS"}}, "KEY=VALUE"},
		{"bad name", fakelambda.Config{Name: "a/b"}, "function name"},
		{"nodejs without handler", fakelambda.Config{Runtime: fakelambda.RuntimeNodeJS}, "Handler"},
		{"missing command", fakelambda.Config{Command: "./no-such-bootstrap", InitTimeout: 5 * time.Second}, "exit status 127"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cfg.Dir == "" {
				tt.cfg.Dir = testfnDir
			}
			f, err := fakelambda.Start(testCtx(t), tt.cfg)
			if err == nil {
				_ = f.Close()
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestStartHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(testCtx(t))
	cancel()
	f, err := fakelambda.Start(ctx, fakelambda.Config{Dir: testfnDir, Env: []string{"TESTFN_INIT=hang"}})
	if err == nil {
		_ = f.Close()
		t.Fatal("Start succeeded")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func BenchmarkInvokeWarm(b *testing.B) {
	f := startTestfn(b, fakelambda.Config{})
	ctx := testCtx(b)
	payload := []byte(`{"action":"echo"}`)
	for b.Loop() {
		if _, err := f.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkColdStart(b *testing.B) {
	benchmarkColdStart(b, fakelambda.Config{Dir: testfnDir}, []byte(`{"action":"echo"}`))
}

// benchmarkColdStart starts, invokes once and closes cfg's function per
// iteration, reporting Lambda-style init and cold start and peak RSS.
func benchmarkColdStart(b *testing.B, cfg fakelambda.Config, payload []byte) {
	ctx := testCtx(b)
	var init, cold time.Duration
	var rss uint64
	for b.Loop() {
		f, err := fakelambda.Start(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
		s := f.Stats()
		_ = f.Close()
		init += s.Inits[0]
		cold += s.ColdStarts[0]
		rss = max(rss, s.PeakRSS)
	}
	n := float64(b.N)
	b.ReportMetric(float64(init.Microseconds())/1000/n, "init-ms")
	b.ReportMetric(float64(cold.Microseconds())/1000/n, "coldstart-ms")
	b.ReportMetric(float64(rss)/(1<<20), "peakrss-MiB")
	b.ReportMetric(0, "ns/op")
}

// TestRPCBinary checks that a binary built with aws-lambda-go before v1.18
// is refused at once, saying why, whichever way Command names it.
func TestRPCBinary(t *testing.T) {
	for _, command := range []string{"./bootstrap", "exec ./bootstrap", "FOO=bar PATH_2=/usr/bin exec " + filepath.Join(rpcfnDir, "bootstrap")} {
		t.Run(command, func(t *testing.T) {
			start := time.Now()
			f, err := fakelambda.Start(testCtx(t), fakelambda.Config{Dir: rpcfnDir, Command: command})
			if err == nil {
				_ = f.Close()
				t.Fatal("Start succeeded, want ErrRPCProtocol")
			}
			if !errors.Is(err, fakelambda.ErrRPCProtocol) || !errors.Is(err, fakelambda.ErrInitFailed) {
				t.Errorf("error %v does not match ErrRPCProtocol and ErrInitFailed", err)
			}
			for _, want := range []string{"aws-lambda-go v1.13.3", "_LAMBDA_SERVER_PORT", "v1.18.0 or later"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("Start took %v: it should not wait for the init timeout", took)
			}
		})
	}
}
