package scenarios

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
)

// deadlineGrace is how long past an invocation's deadline the suite waits
// for an in-process target before it stops waiting: Lambda would have ended
// the invocation at the deadline.
const deadlineGrace = 200 * time.Millisecond

// patience says when the suite stops invoking a function that keeps
// running past its deadline, so that an implementation that hangs costs
// seconds per scenario, not minutes: after consecutive timeouts in a row,
// once total timeouts have happened.
type patience struct{ consecutive, total int }

// Two timeouts in a row end a function that serves one scenario: its spec
// has failed by then. A function shared by many scenarios gets three in a
// row, and only after six in all, so one that hangs on some inputs only
// (an unknown kid) still gets every other spec judged.
var (
	scenarioPatience = patience{consecutive: 2, total: 2}
	sharedPatience   = patience{consecutive: 3, total: 6}
)

// function is one function of the implementation under test, as Lambda
// runs it: started on first use (an init that fails or hangs past the init
// timeout is retried on the next invocation, as Lambda retries a failed
// init), each invocation bounded by its deadline.
type function struct {
	start       Starter
	env         map[string]string
	initTimeout time.Duration
	ctx         context.Context // lives until the spec or container ends

	patience patience

	mu          sync.Mutex
	inst        *Instance
	lateInARow  int
	lateInTotal int
}

// errInitTimeout is the init error of a start that did not finish within
// the init timeout.
var errInitTimeout = errors.New("its init did not finish in time")

// errGaveUp is the outcome of an invocation the suite did not make.
var errGaveUp = errors.New("the function kept running past its deadline, so the suite stopped waiting for it")

// newFunction prepares a function started with env; it is stopped when the
// current spec or container ends. start == nil is a programming error of
// the suite (require checks the configuration first).
func (s *suite) newFunction(start Starter, env map[string]string) *function {
	ctx, cancel := context.WithCancel(context.Background())
	f := &function{start: start, env: env, initTimeout: s.cfg.initTimeout(), ctx: ctx, patience: scenarioPatience}
	ginkgo.DeferCleanup(func() error {
		cancel()
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.inst != nil && f.inst.Close != nil {
			return f.inst.Close()
		}
		return nil
	})
	return f
}

// ensureLocked starts an instance if none runs, bounded by the init timeout.
func (f *function) ensureLocked() error {
	if f.inst != nil {
		return nil
	}
	type result struct {
		inst *Instance
		err  error
	}
	done := make(chan result, 1)
	go func() {
		inst, err := f.start(f.ctx, f.env)
		done <- result{inst, err}
	}()
	timer := time.NewTimer(f.initTimeout)
	defer timer.Stop()
	select {
	case r := <-done:
		switch {
		case r.err != nil:
			return fmt.Errorf("its init failed: %w", r.err)
		case r.inst == nil || r.inst.Target == nil:
			return errors.New("its Starter returned no Instance or no Target")
		}
		f.inst = r.inst
		return nil
	case <-timer.C:
		f.late()
		go func() {
			if r := <-done; r.inst != nil && r.inst.Close != nil {
				_ = r.inst.Close()
			}
		}()
		return fmt.Errorf("%w: not within %s (Lambda's init limit)", errInitTimeout, f.initTimeout)
	}
}

// output returns the running instance's output, and false when it cannot
// show one.
func (f *function) output() (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inst == nil || f.inst.Output == nil {
		return "", false
	}
	return f.inst.Output(), true
}

// invocation is what one invocation came back with.
type invocation struct {
	raw     []byte
	err     error // the function's error: its message is what Lambda reports
	elapsed time.Duration
	// deadline is the invocation's timeout; late marks an answer (or none)
	// after it, which Lambda turns into "Task timed out".
	deadline time.Duration
	late     bool
	// initErr is set when the function could not be started for it.
	initErr error
}

// invoke runs one invocation with the deadline timeout: the target's
// context carries that deadline, and the suite waits no longer than the
// deadline and a short grace.
func (f *function) invoke(payload []byte, timeout time.Duration) invocation {
	f.mu.Lock()
	if f.lateInARow >= f.patience.consecutive && f.lateInTotal >= f.patience.total {
		f.mu.Unlock()
		return invocation{initErr: errGaveUp, deadline: timeout}
	}
	if err := f.ensureLocked(); err != nil {
		f.mu.Unlock()
		return invocation{initErr: err, deadline: timeout}
	}
	inst := f.inst
	f.mu.Unlock()

	inv := invokeTarget(inst.Target, payload, timeout)
	f.mu.Lock()
	defer f.mu.Unlock()
	if !inv.late {
		f.lateInARow = 0
		return inv
	}
	// Lambda ends a timed-out invocation by resetting the sandbox: the next
	// invocation gets a fresh init.
	f.late()
	if f.inst == inst {
		if f.inst.Close != nil {
			_ = f.inst.Close()
		}
		f.inst = nil
	}
	return inv
}

// forgive gives a function that timed out one more chance, for a
// scenario that has just ended the condition that may have caused it (a
// JWKS outage): the next invocation is waited for, and one more timeout
// gives up again.
func (f *function) forgive() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lateInARow = min(f.lateInARow, f.patience.consecutive-1)
	f.lateInTotal = min(f.lateInTotal, f.patience.total-1)
}

// late counts a timeout.
func (f *function) late() {
	f.lateInARow++
	f.lateInTotal++
}

// invokeTarget invokes target with a context whose deadline is timeout away
// and waits at most that long plus deadlineGrace.
func invokeTarget(target Target, payload []byte, timeout time.Duration) invocation {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	began := time.Now()
	go func() {
		defer cancel()
		out, err := target.Invoke(ctx, payload)
		done <- result{out, err}
	}()
	wait := time.NewTimer(timeout + deadlineGrace)
	defer wait.Stop()
	select {
	case r := <-done:
		elapsed := time.Since(began)
		return invocation{raw: r.out, err: r.err, elapsed: elapsed, deadline: timeout, late: elapsed > timeout}
	case <-wait.C:
		return invocation{err: errors.New("no answer"), elapsed: time.Since(began), deadline: timeout, late: true}
	}
}

// failure describes an invocation that did not produce an answer API
// Gateway can use, or "" when it did.
func (inv invocation) failure() string {
	switch {
	case inv.initErr != nil:
		return "no invocation: " + inv.initErr.Error()
	case inv.late && inv.err != nil:
		return fmt.Sprintf("no answer within the %s deadline (%s after %s; Lambda ends the invocation with \"Task timed out\")",
			inv.deadline, errorText(inv.err), inv.elapsed.Round(time.Millisecond))
	case inv.late:
		return fmt.Sprintf("an answer after %s, past the %s deadline (Lambda ends the invocation with \"Task timed out\")",
			inv.elapsed.Round(time.Millisecond), inv.deadline)
	}
	return ""
}

// errorText quotes an error's message.
func errorText(err error) string {
	return fmt.Sprintf("%q", err.Error())
}

// Invoke makes the function a fakegateway.Function for the gateway
// scenarios: started on first use, and never waited for past ctx, whose
// deadline is the gateway's authorizer or integration timeout.
func (f *function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	f.mu.Lock()
	err := f.ensureLocked()
	var target Target
	if err == nil {
		target = f.inst.Target
	}
	f.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("the function did not start: %w", err)
	}
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := target.Invoke(ctx, payload)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}
