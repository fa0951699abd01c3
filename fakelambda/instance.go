package fakelambda

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// shell runs Command.
const shell = "/bin/sh"

// instanceState is where an instance is in its life; guarded by Function.mu.
type instanceState int

const (
	stateStarting instanceState = iota // exec'd, init phase, no /next yet
	stateIdle                          // blocked in /next, listed in Function.idle
	stateBusy                          // reserved by an Invoke, or running / finishing an invocation
	stateDead                          // process exited
)

// instance is one execution environment: a process group and the Runtime
// API listener only it talks to.
type instance struct {
	f       *Function
	cmd     *exec.Cmd
	srv     *http.Server
	tail    *ring
	wrapper string // the shell Command runs under ("" for node): not counted in PeakRSS while it is the root
	execAt  time.Time

	ready   chan struct{}    // closed at the first /invocation/next
	dead    chan struct{}    // closed once the process has exited and state is stateDead
	invokes chan *invocation // Invoke → the /next handler

	// Guarded by f.mu.
	state instanceState
	// reservation, when set, is closed by the next /next, which hands the
	// instance to the Invoke waiting on it instead of listing it idle.
	reservation chan struct{}
	current     *invocation // the invocation delivered last, until the next /next
	initTimer   *time.Timer
	initDur     time.Duration
	coldDone    bool           // its first invocation's cold start is recorded
	initErr     *FunctionError // what the runtime posted to /init/error
	killErr     error          // why fakelambda killed it: ErrTimeout or ErrClosed
	exitStatus  string
	// listening holds the TCP ports the process group listened on when its
	// init timed out (provided runtime): the mark of a go1.x RPC binary.
	listening []int
}

// invocation is one Invoke handed to a runtime.
type invocation struct {
	id          string
	payload     []byte
	ctxDeadline time.Time // zero when the caller's ctx has none

	// Set on delivery, guarded by f.mu.
	deliveredAt time.Time
	deadline    time.Time
	timer       *time.Timer
	completed   bool

	// Written under f.mu before done is closed.
	resp []byte
	err  error
	done chan struct{}
}

// spawnLocked starts a new instance: listener, server, process. A non-nil
// reservation makes it the Invoke's that started it. Caller holds f.mu.
func (f *Function) spawnLocked(reservation chan struct{}) (*instance, error) {
	if f.closed {
		return nil, fmt.Errorf("fakelambda: start instance of %s: %w", f.cfg.Name, ErrClosed)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakelambda: runtime API listener for %s: %w", f.cfg.Name, err)
	}
	in := &instance{
		f:       f,
		tail:    newRing(initTailLimit, nil),
		ready:   make(chan struct{}),
		dead:    make(chan struct{}),
		invokes: make(chan *invocation),

		reservation: reservation,
	}
	in.srv = &http.Server{
		Handler:           in.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		_ = in.srv.Serve(ln)
	}()

	in.cmd, in.wrapper = f.command()
	in.cmd.Dir = f.cfg.Dir
	in.cmd.Env = f.cfg.environment(ln.Addr().String(), newLogStreamName(time.Now()))
	out := instanceOutput{tail: in.tail, shared: f.out}
	in.cmd.Stdout, in.cmd.Stderr = out, out
	in.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	in.cmd.WaitDelay = time.Second
	in.execAt = time.Now()
	if err := in.cmd.Start(); err != nil {
		_ = in.srv.Close()
		return nil, fmt.Errorf("fakelambda: start %s: %w", f.cfg.Name, err)
	}
	f.live[in] = struct{}{}
	f.stats.Instances++
	in.initTimer = time.AfterFunc(f.cfg.InitTimeout, in.initTimedOut)
	f.wg.Add(1)
	go in.wait()
	return in, nil
}

// command builds the process of an instance and names the executable of
// the shell wrapping it, if any ("exec ./bootstrap" replaces it).
func (f *Function) command() (*exec.Cmd, string) {
	switch f.cfg.Runtime {
	case RuntimeNodeJS:
		return exec.Command(f.interpreter, f.nodeArgs()...), ""
	case RuntimePython:
		return exec.Command(f.interpreter, f.pythonArgs()...), ""
	}
	sh, err := filepath.EvalSymlinks(shell)
	if err != nil {
		sh = shell
	}
	return exec.Command(shell, "-c", f.cfg.Command), sh
}

// wait reaps the process, kills what is left of its group and fails the
// invocation in flight, if any.
func (in *instance) wait() {
	defer in.f.wg.Done()
	err := in.cmd.Wait()
	_ = syscall.Kill(-in.cmd.Process.Pid, syscall.SIGKILL)
	status := ""
	var maxRSS uint64
	if st := in.cmd.ProcessState; st != nil {
		status = st.String()
		if ru, ok := st.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > 0 {
			maxRSS = uint64(ru.Maxrss) * 1024 // kilobytes on Linux
		}
	} else if err != nil {
		status = err.Error()
	}

	f := in.f
	f.mu.Lock()
	in.state = stateDead
	in.exitStatus = status
	if in.initTimer != nil {
		in.initTimer.Stop()
	}
	delete(f.live, in)
	f.removeIdleLocked(in)
	f.stats.PeakRSS = max(f.stats.PeakRSS, maxRSS)
	if inv := in.current; inv != nil && inv.timer != nil {
		inv.timer.Stop()
	}
	if inv := in.current; inv != nil && !inv.completed {
		if errors.Is(in.killErr, ErrClosed) {
			in.completeLocked(inv, nil, closedError(inv.id))
		} else {
			in.completeLocked(inv, nil, exitError(inv.id, status))
		}
	}
	f.broadcastLocked()
	f.mu.Unlock()
	close(in.dead)
	_ = in.srv.Close()
}

// kill sends SIGKILL to the instance's process group.
func (in *instance) kill() {
	_ = syscall.Kill(-in.cmd.Process.Pid, syscall.SIGKILL)
}

// sampleRSS records the process tree's peak RSS in the function's stats.
func (in *instance) sampleRSS() {
	pid := in.cmd.Process.Pid
	rss := treePeakRSS(pid, in.wrapper != "" && executable(pid) == in.wrapper)
	in.f.mu.Lock()
	in.f.stats.PeakRSS = max(in.f.stats.PeakRSS, rss)
	in.f.mu.Unlock()
}

// initTimedOut kills an instance still in its init phase after InitTimeout.
func (in *instance) initTimedOut() {
	in.f.mu.Lock()
	if in.state != stateStarting {
		in.f.mu.Unlock()
		return
	}
	if in.killErr == nil {
		in.killErr = ErrTimeout
	}
	in.f.mu.Unlock()
	if in.f.cfg.Runtime == RuntimeProvided {
		ports := listeningPorts(in.cmd.Process.Pid)
		in.f.mu.Lock()
		in.listening = ports
		in.f.mu.Unlock()
	}
	in.sampleRSS()
	in.kill()
}

// initFailure describes why a dead instance never finished its init;
// requestID names the invocation that waited for it ("" for Start).
func (in *instance) initFailure(requestID string) *FunctionError {
	in.f.mu.Lock()
	defer in.f.mu.Unlock()
	prefix := ""
	if requestID != "" {
		prefix = "RequestId: " + requestID + " Error: "
	}
	switch {
	case in.initErr != nil:
		return initError(in.initErr, nil)
	case errors.Is(in.killErr, ErrTimeout) && len(in.listening) > 0:
		return initError(&FunctionError{
			Type: "Sandbox.Timedout",
			Message: fmt.Sprintf("%sInit timed out after %.2f seconds: the process listened on TCP port %d and never called the Runtime API, "+
				"like a Go binary built with aws-lambda-go before %s: %s",
				prefix, in.f.cfg.InitTimeout.Seconds(), in.listening[0], firstRuntimeAPIVersion, rpcHint),
		}, errors.Join(ErrTimeout, ErrRPCProtocol))
	case errors.Is(in.killErr, ErrTimeout):
		return initError(&FunctionError{
			Type:    "Sandbox.Timedout",
			Message: fmt.Sprintf("%sInit timed out after %.2f seconds", prefix, in.f.cfg.InitTimeout.Seconds()),
		}, ErrTimeout)
	default:
		return initError(&FunctionError{
			Type:    "Runtime.ExitError",
			Message: prefix + exitReason(in.exitStatus),
		}, ErrRuntimeExit)
	}
}

// availableLocked ends the instance's busy or init phase at a /next: it
// goes to the Invoke holding its reservation, or to the idle list. Caller
// holds f.mu.
func (in *instance) availableLocked() {
	f := in.f
	if in.reservation != nil {
		in.state = stateBusy
		close(in.reservation)
		in.reservation = nil
	} else {
		in.state = stateIdle
		f.idle = append(f.idle, in)
	}
	f.broadcastLocked()
}

// timedOut is the function timeout of inv, counted until the runtime's next
// /next as in Lambda: an unanswered invocation gets Lambda's timeout error;
// either way the process group is killed.
func (in *instance) timedOut(inv *invocation) {
	in.sampleRSS()
	f := in.f
	f.mu.Lock()
	if in.state == stateDead || in.current != inv {
		f.mu.Unlock()
		return
	}
	in.completeLocked(inv, nil, timeoutError(inv.id, f.cfg.Timeout.Seconds()))
	if in.killErr == nil {
		in.killErr = ErrTimeout
	}
	f.mu.Unlock()
	in.kill()
}

// deliverLocked starts the clock of an invocation the runtime has just
// received. Caller holds f.mu.
func (in *instance) deliverLocked(inv *invocation, now time.Time) {
	f := in.f
	in.current = inv
	f.stats.Invocations++
	inv.deliveredAt = now
	inv.deadline = now.Add(f.cfg.Timeout)
	if !inv.ctxDeadline.IsZero() && inv.ctxDeadline.Before(inv.deadline) {
		inv.deadline = inv.ctxDeadline
	}
	inv.timer = time.AfterFunc(f.cfg.Timeout, func() { in.timedOut(inv) })
}

// completeLocked ends an invocation once; it reports whether this call
// did. Caller holds f.mu.
func (in *instance) completeLocked(inv *invocation, resp []byte, err error) bool {
	if inv.completed {
		return false
	}
	inv.completed = true
	inv.resp, inv.err = resp, err
	close(inv.done)
	return true
}

// answeredLocked records the cold start of an instance that answered its
// first invocation (response or function error). Caller holds f.mu.
func (in *instance) answeredLocked(inv *invocation, now time.Time) {
	if in.coldDone {
		return
	}
	in.coldDone = true
	in.f.stats.ColdStarts = append(in.f.stats.ColdStarts, in.initDur+now.Sub(inv.deliveredAt))
}
