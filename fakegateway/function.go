package fakegateway

import (
	"context"
	"fmt"
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

// invoke calls fn and returns when it returns or ctx ends, whichever is first. A function that
// ignores its context is left to finish in the background; a panic becomes an error.
func invoke(ctx context.Context, fn Function, payload []byte) ([]byte, error) {
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("function panicked: %v", p)}
			}
		}()
		out, err := fn.Invoke(ctx, payload)
		done <- result{out: out, err: err}
	}()
	select {
	case res := <-done:
		return res.out, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
