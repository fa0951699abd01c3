package fakelambda

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
)

// Function is a running Lambda function: a pool of instances, each a
// process talking to its own Runtime API listener on 127.0.0.1. It is a
// Target (Invoke(ctx, payload) ([]byte, error)) and safe for concurrent use.
type Function struct {
	cfg Config
	arn string
	out *ring
	// interpreter is the absolute path of node or python (RuntimeNodeJS,
	// RuntimePython), shimPath the runtime shim it runs, in shimDir, a
	// temporary directory.
	interpreter, shimPath, shimDir string

	wg        sync.WaitGroup // instance servers and process waiters
	closeOnce sync.Once

	mu      sync.Mutex
	closed  bool
	changed chan struct{} // closed and replaced on every change of the pool
	idle    []*instance   // instances blocked in /invocation/next, most recent last
	live    map[*instance]struct{}
	stats   Stats
}

// Start starts a function: its first instance is launched and Start waits
// until that instance's runtime calls /runtime/invocation/next (bounded by
// Config.InitTimeout and ctx; ctx only bounds the start, the function runs
// until Close). If the runtime exits, posts /runtime/init/error or times out
// first, Start returns an error matching ErrInitFailed (and a *FunctionError
// with the init error) whose text ends with the tail of the output.
func Start(ctx context.Context, cfg Config) (*Function, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	f := &Function{
		cfg:     cfg,
		arn:     cfg.functionARN(),
		out:     newRing(OutputLimit, cfg.Output),
		changed: make(chan struct{}),
		live:    map[*instance]struct{}{},
	}
	if cfg.Runtime == RuntimeProvided {
		if err := cfg.checkRPCBinary(); err != nil {
			return nil, fmt.Errorf("fakelambda: start %s: %w: %w", cfg.Name, ErrInitFailed, err)
		}
	}
	var shimErr error
	switch cfg.Runtime {
	case RuntimeNodeJS:
		shimErr = f.prepareShim(cfg.Node, nodeShimName, nodeRuntime)
	case RuntimePython:
		shimErr = f.prepareShim(cfg.Python, pythonShimName, pythonRuntime)
	}
	if shimErr != nil {
		_ = f.Close()
		return nil, shimErr
	}
	f.mu.Lock()
	in, err := f.spawnLocked(nil)
	f.mu.Unlock()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	select {
	case <-in.ready:
		return f, nil
	case <-in.dead:
		if isClosed(in.ready) {
			return f, nil
		}
		fe := in.initFailure("")
		tail := in.tail.String()
		_ = f.Close()
		return nil, fmt.Errorf("fakelambda: start %s: %s: %w\noutput tail:\n%s", cfg.Name, fe.Type, fe, indent(tail, "  "))
	case <-ctx.Done():
		_ = f.Close()
		return nil, fmt.Errorf("fakelambda: start %s: %w", cfg.Name, context.Cause(ctx))
	}
}

// Invoke runs one invocation, as a synchronous (RequestResponse) Lambda
// Invoke does, and returns the function's response bytes. An empty payload
// is sent as {}.
//
// The runtime sees Lambda-Runtime-Deadline-Ms = min(ctx deadline, now +
// Timeout). A function error comes back as a *FunctionError whose Error() is
// the function's errorMessage. When the function outlives Timeout its
// process group is killed and the error matches ErrTimeout; when its process
// ends mid-invocation the error matches ErrRuntimeExit; either way the next
// Invoke gets a fresh instance. If ctx ends first Invoke returns its error at
// once while the invocation runs on to its end or its timeout, as in Lambda.
func (f *Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if len(payload) > MaxRequestBytes {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrRequestTooLarge, len(payload), MaxRequestBytes)
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	inv := &invocation{id: newRequestID(), payload: payload, done: make(chan struct{})}
	if d, ok := ctx.Deadline(); ok {
		inv.ctxDeadline = d
	}
	for {
		if err := context.Cause(ctx); err != nil {
			return nil, fmt.Errorf("fakelambda: invoke %s: %w", f.cfg.Name, err)
		}
		in, err := f.acquire(ctx, inv.id)
		if err != nil {
			return nil, err
		}
		select {
		case in.invokes <- inv:
		case <-in.dead:
			continue // it died while idle: pick another
		case <-ctx.Done():
			f.release(in, nil)
			return nil, fmt.Errorf("fakelambda: invoke %s: %w", f.cfg.Name, context.Cause(ctx))
		}
		select {
		case <-inv.done:
			return inv.resp, inv.err
		case <-ctx.Done():
			return nil, fmt.Errorf("fakelambda: invoke %s: %w", f.cfg.Name, context.Cause(ctx))
		}
	}
}

// acquire returns an instance reserved for one invocation: an idle one; or
// one finishing its previous invocation (response sent, no /next yet),
// which is what a warm Lambda sandbox is to the next sequential request; or
// a new one when fewer than MaxInstances run; or the first to become free.
func (f *Function) acquire(ctx context.Context, requestID string) (*instance, error) {
	for {
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			return nil, fmt.Errorf("fakelambda: invoke %s: %w", f.cfg.Name, ErrClosed)
		}
		if n := len(f.idle); n > 0 {
			in := f.idle[n-1]
			f.idle = f.idle[:n-1]
			in.state = stateBusy
			f.mu.Unlock()
			return in, nil
		}
		if in := f.finishingLocked(); in != nil {
			reservation := make(chan struct{})
			in.reservation = reservation
			f.mu.Unlock()
			got, err := f.awaitReservation(ctx, in, reservation, requestID)
			if got == nil && err == nil {
				continue // it died before its /next: look again
			}
			return got, err
		}
		if len(f.live) < f.cfg.MaxInstances {
			reservation := make(chan struct{})
			in, err := f.spawnLocked(reservation)
			f.mu.Unlock()
			if err != nil {
				return nil, err
			}
			got, err := f.awaitReservation(ctx, in, reservation, requestID)
			if got == nil && err == nil {
				continue
			}
			return got, err
		}
		changed := f.changed
		f.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("fakelambda: invoke %s: %w", f.cfg.Name, context.Cause(ctx))
		}
	}
}

// finishingLocked returns an instance that has answered its invocation but
// not yet called /next, and that no other Invoke waits for.
func (f *Function) finishingLocked() *instance {
	for in := range f.live {
		if in.state == stateBusy && in.current != nil && in.current.completed && in.reservation == nil {
			return in
		}
	}
	return nil
}

// awaitReservation waits until the instance's runtime calls /next and the
// instance is handed over. It returns (nil, nil) when the instance died
// after its init, so that the caller looks for another; a failed init is
// the invocation's error, as in Lambda.
func (f *Function) awaitReservation(ctx context.Context, in *instance, reservation chan struct{}, requestID string) (*instance, error) {
	select {
	case <-reservation:
		return in, nil
	case <-in.dead:
		if isClosed(reservation) || isClosed(in.ready) {
			return nil, nil
		}
		f.mu.Lock()
		closed := f.closed
		f.mu.Unlock()
		if closed {
			return nil, fmt.Errorf("fakelambda: invoke %s: %w", f.cfg.Name, ErrClosed)
		}
		return nil, in.initFailure(requestID)
	case <-ctx.Done():
		f.release(in, reservation)
		return nil, fmt.Errorf("fakelambda: invoke %s: %w", f.cfg.Name, context.Cause(ctx))
	}
}

// release gives back an instance reserved by an invocation that was never
// delivered to it: a pending reservation is dropped (its /next makes the
// instance idle), a granted one makes it idle now.
func (f *Function) release(in *instance, reservation chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case reservation != nil && in.reservation == reservation:
		in.reservation = nil
	case in.state == stateBusy && in.current == nil:
		in.state = stateIdle
		f.idle = append(f.idle, in)
		f.broadcastLocked()
	}
}

// broadcastLocked wakes every acquire waiting for the pool to change.
func (f *Function) broadcastLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// removeIdleLocked drops in from the idle list.
func (f *Function) removeIdleLocked(in *instance) {
	if i := slices.Index(f.idle, in); i >= 0 {
		f.idle = slices.Delete(f.idle, i, i+1)
	}
}

// Close kills every instance (their process groups), stops the Runtime API
// listeners and removes temporary files. Invocations in flight end with an
// error matching ErrClosed. Close is idempotent and always returns nil.
func (f *Function) Close() error {
	f.closeOnce.Do(func() {
		f.mu.Lock()
		f.closed = true
		instances := make([]*instance, 0, len(f.live))
		for in := range f.live {
			if in.killErr == nil {
				in.killErr = ErrClosed
			}
			instances = append(instances, in)
		}
		f.broadcastLocked()
		f.mu.Unlock()
		for _, in := range instances {
			in.sampleRSS()
			in.kill()
		}
		f.wg.Wait()
		if f.shimDir != "" {
			_ = os.RemoveAll(f.shimDir)
		}
	})
	return nil
}

// Output returns the most recent OutputLimit bytes of stdout and stderr of
// all instances, in the order they were written.
func (f *Function) Output() string { return f.out.String() }

// Stats returns a snapshot of the function's counters, sampling the peak
// RSS of the instances alive now.
func (f *Function) Stats() Stats {
	f.mu.Lock()
	live := make([]*instance, 0, len(f.live))
	for in := range f.live {
		live = append(live, in)
	}
	f.mu.Unlock()
	for _, in := range live {
		in.sampleRSS()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stats
	s.Live = len(f.live)
	s.Inits = slices.Clone(s.Inits)
	s.ColdStarts = slices.Clone(s.ColdStarts)
	return s
}

// String names the function, for logs and test failures.
func (f *Function) String() string {
	if f.cfg.Runtime != RuntimeProvided {
		return f.cfg.Name + " (" + string(f.cfg.Runtime) + " " + f.cfg.Handler + ")"
	}
	return f.cfg.Name + " (" + strings.TrimSpace(f.cfg.Command) + ")"
}

// isClosed reports whether ch has been closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
