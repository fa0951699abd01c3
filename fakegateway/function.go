package fakegateway

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Function is anything the gateway can invoke: the shape of aws-lambda-go's lambda.Handler, so
// in-process handlers, fakelambda functions and remote functions all fit. An error whose message
// is exactly "Unauthorized" from an authorizer means 401; any other error is a function error.
type Function interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// FunctionFunc adapts a plain function to Function.
type FunctionFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Invoke calls f.
func (f FunctionFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// usedFunctions picks from functions the Function of each logical ID in used; IDs without one
// are an ErrInvalidConfig that names them all.
func usedFunctions(used []string, functions map[string]Function) (map[string]Function, error) {
	picked := make(map[string]Function, len(used))
	var missing []string
	for _, id := range used {
		fn := functions[id]
		if fn == nil {
			missing = append(missing, id)
			continue
		}
		picked[id] = fn
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: no Function given for %s", ErrInvalidConfig, strings.Join(missing, ", "))
	}
	return picked, nil
}

// workerIdle is how long an invocation worker waits for more work before it exits.
const workerIdle = 5 * time.Second

// invoker runs invocations on reusable worker goroutines, so that a function runs on a stack that
// has already grown to what functions need instead of growing a fresh one on every request.
type invoker struct {
	jobs chan *invocation // unbuffered: a send succeeds only when a worker is idle
}

type invocation struct {
	ctx     context.Context
	fn      Function
	payload []byte
	done    chan invocationResult
}

type invocationResult struct {
	out []byte
	err error
}

func newInvoker() *invoker { return &invoker{jobs: make(chan *invocation)} }

// invoke calls fn and returns when it returns or ctx ends, whichever is first. A function that
// ignores its context is left to finish in the background; a panic becomes an error.
func (p *invoker) invoke(ctx context.Context, fn Function, payload []byte) ([]byte, error) {
	job := &invocation{ctx: ctx, fn: fn, payload: payload, done: make(chan invocationResult, 1)}
	select {
	case p.jobs <- job:
	default:
		go p.work(job)
	}
	select {
	case res := <-job.done:
		return res.out, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// work runs job, then further jobs as they come, until it has been idle for workerIdle.
func (p *invoker) work(job *invocation) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		job.run()
		idle.Reset(workerIdle)
		select {
		case job = <-p.jobs:
		case <-idle.C:
			return
		}
	}
}

func (job *invocation) run() {
	defer func() {
		if p := recover(); p != nil {
			job.done <- invocationResult{err: fmt.Errorf("function panicked: %v", p)}
		}
	}()
	out, err := job.fn.Invoke(job.ctx, job.payload)
	job.done <- invocationResult{out: out, err: err}
}
