package scenarios

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// TestJudgeAuthorizer checks that answers are read as API Gateway and IAM
// read them: the policy's documented string forms are an Allow, not a
// decoding error; what API Gateway rejects is the client's 500.
func TestJudgeAuthorizer(t *testing.T) {
	const arn = methodARN
	answer := func(body string) invocation { return invocation{raw: []byte(body), deadline: time.Second} }
	policy := func(statements string) string {
		return `{"principalId":"me","policyDocument":{"Version":"2012-10-17","Statement":` + statements + `}}`
	}
	tests := []struct {
		name   string
		inv    invocation
		status int
		says   string
	}{
		{"strings, as in AWS's examples", answer(policy(`[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + arn + `"}]`)), 200, "an Allow"},
		{"lists", answer(policy(`[{"Effect":"Allow","Action":["execute-api:Invoke"],"Resource":["` + arn + `"]}]`)), 200, "an Allow"},
		{"one statement object and a wildcard", answer(policy(`{"Effect":"Allow","Action":"execute-api:*","Resource":"arn:aws:execute-api:*:*:a1b2c3d4e5/prod/*"}`)), 200, "an Allow"},
		{"Deny over Allow", answer(policy(`[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"},{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"` + arn + `"}]`)), 403, "an explicit Deny"},
		{"another route", answer(policy(`[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/POST/x"}]`)), 403, "does not allow"},
		{"an array in the context", answer(`{"principalId":"me","policyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]},"context":{"p":["a"]}}`), 500, "strings, numbers and booleans"},
		{"no principalId", answer(`{"policyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}}`), 500, "principalId"},
		{"a policy IAM cannot read", answer(policy(`[{"Effect":"Permit","Action":"execute-api:Invoke","Resource":"*"}]`)), 500, "IAM cannot read"},
		{"Unauthorized", invocation{err: errors.New("Unauthorized"), deadline: time.Second}, 401, "401"},
		{"another error", invocation{err: errors.New("jwt expired"), deadline: time.Second}, 500, `"jwt expired"`},
		{"an Allow after the deadline", invocation{raw: []byte(policy(`[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]`)), late: true, elapsed: 4 * time.Second, deadline: 3 * time.Second}, 500, "past the 3s deadline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := judgeAuthorizer(tt.inv, arn)
			if d.status != tt.status || !strings.Contains(d.String(), tt.says) {
				t.Errorf("got %d %q, want %d saying %q", d.status, d.String(), tt.status, tt.says)
			}
		})
	}
}

// TestInvokeTargetDeadline checks that an in-process target gets the
// invocation's deadline in its context, that an answer after it counts as
// a timeout, and that the suite does not wait for a target that ignores it.
func TestInvokeTargetDeadline(t *testing.T) {
	const timeout = 200 * time.Millisecond
	var sawDeadline bool
	inTime := Handler(func(ctx context.Context, _ events.APIGatewayCustomAuthorizerRequest) (string, error) {
		_, sawDeadline = ctx.Deadline()
		return "ok", nil
	})
	if inv := invokeTarget(inTime, []byte(`{}`), timeout); inv.late || inv.err != nil || !sawDeadline {
		t.Errorf("in time: late %v, err %v, deadline in context %v", inv.late, inv.err, sawDeadline)
	}
	late := Handler(func(ctx context.Context, _ events.APIGatewayCustomAuthorizerRequest) (string, error) {
		time.Sleep(timeout + 50*time.Millisecond)
		return "too late", nil
	})
	if inv := invokeTarget(late, []byte(`{}`), timeout); !inv.late || judgeAuthorizer(inv, methodARN).status != http.StatusInternalServerError {
		t.Errorf("an answer after the deadline: late %v, %s", inv.late, judgeAuthorizer(inv, methodARN))
	}
	release := make(chan struct{})
	defer close(release)
	hung := Handler(func(ctx context.Context, _ events.APIGatewayCustomAuthorizerRequest) (string, error) {
		<-release
		return "never", nil
	})
	began := time.Now()
	if inv := invokeTarget(hung, []byte(`{}`), timeout); !inv.late || time.Since(began) > timeout+deadlineGrace+time.Second {
		t.Errorf("a hung target: late %v after %s", inv.late, time.Since(began))
	}
}

// TestHandlerConcurrent checks the adapter's answers stay each its own
// under concurrency (lambda.NewHandler's reused buffer does not), with a
// request ID in the context.
func TestHandlerConcurrent(t *testing.T) {
	h := Handler(func(ctx context.Context, n int) (string, error) {
		lc, ok := lambdacontext.FromContext(ctx)
		if !ok || lc.AwsRequestID == "" {
			return "", errors.New("no request id")
		}
		return strings.Repeat(fmt.Sprint(n), 1000), nil
	})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			out, err := h.Invoke(context.Background(), []byte(fmt.Sprint(i%10)))
			if want := `"` + strings.Repeat(fmt.Sprint(i%10), 1000) + `"`; err != nil || string(out) != want {
				t.Errorf("invocation %d: %v %.40s", i, err, out)
			}
		})
	}
	wg.Wait()
}

// TestFunctionLateRuns checks Lambda's handling of a timed-out invocation
// (the next one gets a fresh init) and that the suite stops waiting for a
// function after the timeouts its patience allows, until forgiven.
func TestFunctionLateRuns(t *testing.T) {
	const timeout = 100 * time.Millisecond
	starts := 0
	release := make(chan struct{})
	defer close(release)
	f := &function{
		start: func(context.Context, map[string]string) (*Instance, error) {
			starts++
			return &Instance{Target: Handler(func(ctx context.Context, _ events.APIGatewayCustomAuthorizerRequest) (string, error) {
				<-release
				return "never", nil
			})}, nil
		},
		initTimeout: time.Second,
		ctx:         context.Background(),
		patience:    scenarioPatience,
	}
	for i := range scenarioPatience.consecutive {
		if inv := f.invoke([]byte(`{}`), timeout); !inv.late {
			t.Fatalf("invocation %d: want late, got %+v", i, inv)
		}
	}
	if starts != scenarioPatience.consecutive {
		t.Errorf("starts = %d, want %d (a fresh init after each timeout)", starts, scenarioPatience.consecutive)
	}
	began := time.Now()
	if inv := f.invoke([]byte(`{}`), timeout); !errors.Is(inv.initErr, errGaveUp) || time.Since(began) > timeout {
		t.Errorf("after %d timeouts: want errGaveUp at once, got %+v after %s", scenarioPatience.consecutive, inv, time.Since(began))
	}
	f.forgive()
	if inv := f.invoke([]byte(`{}`), timeout); !inv.late {
		t.Errorf("forgiven: want a fresh invocation (late again), got %+v", inv)
	}
}

// TestFunctionInitRetried checks a failed init is retried on the next
// invocation, as Lambda does.
func TestFunctionInitRetried(t *testing.T) {
	starts := 0
	f := &function{
		start: func(context.Context, map[string]string) (*Instance, error) {
			starts++
			if starts == 1 {
				return nil, errors.New("JWKS unavailable")
			}
			return &Instance{Target: Handler(func(context.Context, events.APIGatewayCustomAuthorizerRequest) (string, error) { return "ok", nil })}, nil
		},
		initTimeout: time.Second,
		ctx:         context.Background(),
		patience:    scenarioPatience,
	}
	if inv := f.invoke([]byte(`{}`), time.Second); inv.initErr == nil || !strings.Contains(inv.failure(), "JWKS unavailable") {
		t.Errorf("first invocation: want the init error, got %+v", inv)
	}
	if inv := f.invoke([]byte(`{}`), time.Second); inv.initErr != nil || string(inv.raw) != `"ok"` {
		t.Errorf("second invocation: want a fresh init and an answer, got %+v", inv)
	}
}

// TestSharedPatience checks a shared function that hangs on some inputs
// only keeps being invoked, and one that hangs on every input is given up
// on after sharedPatience.
func TestSharedPatience(t *testing.T) {
	const timeout = 50 * time.Millisecond
	release := make(chan struct{})
	defer close(release)
	f := &function{
		start: func(context.Context, map[string]string) (*Instance, error) {
			return &Instance{Target: Handler(func(ctx context.Context, hang bool) (string, error) {
				if hang {
					<-release
				}
				return "ok", nil
			})}, nil
		},
		initTimeout: time.Second,
		ctx:         context.Background(),
		patience:    sharedPatience,
	}
	// Hanging on every other input: never given up on.
	for i := range 3 * sharedPatience.total {
		inv := f.invoke([]byte(fmt.Sprint(i%2 == 0)), timeout)
		if errors.Is(inv.initErr, errGaveUp) {
			t.Fatalf("invocation %d: given up on a function that answers every other input", i)
		}
	}
	// Hanging on every input: given up on.
	gaveUp := 0
	for range sharedPatience.consecutive + 1 {
		if inv := f.invoke([]byte("true"), timeout); errors.Is(inv.initErr, errGaveUp) {
			gaveUp++
		}
	}
	if gaveUp != 1 {
		t.Errorf("after %d timeouts in a row: %d invocations given up, want 1", sharedPatience.consecutive, gaveUp)
	}
}
