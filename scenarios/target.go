package scenarios

import (
	"context"
	"time"
)

// Target is anything that can be invoked like a Lambda function: the payload
// is the event's JSON, the result the response's JSON. A function error comes
// back as a non-nil error whose Error() is the function's error message, so an
// authorizer's rejection reads "Unauthorized". aws-lambda-go's lambda.Handler
// and fakelambda.Function both satisfy it.
type Target interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// Instance is a started function: the Target to invoke and, where the
// implementation can give them, its output and a way to stop it.
type Instance struct {
	// Target receives the invocations.
	Target Target
	// Output returns everything the function has written to its log so far
	// (standard output and error of a process). Nil when the target cannot
	// show its output: LOG scenarios are then not applicable.
	Output func() string
	// Close stops the function. Nil when there is nothing to stop.
	Close func() error
}

// Starter starts a fresh instance of a function with the given environment
// (JWKS_URI, TOKEN_ISSUER, AUDIENCE and the optional knobs of README.md).
// Scenarios that need a cold function (key rotation, a JWKS outage at start,
// counting JWKS fetches) call it again for their own instance.
type Starter func(ctx context.Context, env map[string]string) (*Instance, error)

// Config describes the implementation under test.
type Config struct {
	// Authorizer starts the TOKEN authorizer. Nil makes every AUTH scenario
	// not applicable.
	Authorizer Starter
	// Profile starts the GET /profile handler. Nil makes every PROF scenario
	// not applicable.
	Profile Starter
	// HTTPAuthorizer starts the HTTP API Lambda authorizer (payload format 2.0 requests,
	// simple {"isAuthorized": ...} responses). Nil makes the scenarios that need it (HTTP-07…
	// HTTP-10, HTTP-13, FLOW-03, FLOW-04) not applicable.
	HTTPAuthorizer Starter
	// HTTPProfile starts the GET /profile handler behind an HTTP API (payload format 2.0
	// events); it may be the same starter as Profile when the handler reads both shapes. Nil
	// makes the scenarios that reach the profile through an HTTP API not applicable.
	HTTPProfile Starter
	// NotApplicable names scenario IDs (or whole families, "GW") that cannot
	// run against this implementation, with the reason shown in the report.
	NotApplicable map[string]string
	// InvokeTimeout bounds each invocation; it plays the function's deadline.
	// Zero means 3 seconds, the timeout of the deployed functions.
	InvokeTimeout time.Duration
	// Env is added to the environment every function starts with, after the
	// tenant's three variables (so it may override them).
	Env map[string]string
}

func (c Config) invokeTimeout() time.Duration {
	if c.InvokeTimeout > 0 {
		return c.InvokeTimeout
	}
	return 3 * time.Second
}
