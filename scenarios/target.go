package scenarios

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// Target is anything that can be invoked like a Lambda function: the payload
// is the event's JSON, the result the response's JSON. A function error comes
// back as a non-nil error whose Error() is the function's error message, so an
// authorizer's rejection reads "Unauthorized". Handler adapts an
// aws-lambda-go handler function; fakelambda.Function (a process under the
// Runtime API) is one too.
//
// The suite calls Invoke with a context whose deadline is the invocation's
// (Config.InvokeTimeout), concurrently for the gateway scenarios. An answer
// after the deadline counts as Lambda's "Task timed out", whatever it says.
type Target interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// Handler adapts an aws-lambda-go handler function — the function you pass
// to lambda.Start, e.g. func(context.Context,
// events.APIGatewayCustomAuthorizerRequest)
// (events.APIGatewayCustomAuthorizerResponse, error) — to a Target that runs
// it in-process: the event is decoded from JSON, the response encoded to
// JSON, and an error returned as it is (so "Unauthorized" reads the same as
// from Lambda). The handler's context carries the invocation's deadline and
// a lambdacontext.LambdaContext with a fresh AwsRequestID.
//
// Use it rather than lambda.NewHandler: that one returns bytes from an
// output buffer it reuses on the next invocation, which corrupts answers
// when the gateway scenarios invoke concurrently. Handler allocates per
// invocation and is safe for concurrent use if the handler is.
func Handler[E, R any](handler func(ctx context.Context, event E) (R, error)) Target {
	return handlerTarget[E, R](handler)
}

// handlerTarget is the Target Handler returns.
type handlerTarget[E, R any] func(ctx context.Context, event E) (R, error)

// Invoke decodes payload, calls the handler and encodes its response.
func (h handlerTarget[E, R]) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var event E
	if err := json.Unmarshal(payload, &event); err != nil {
		return nil, fmt.Errorf("scenarios: decoding the event: %w", err)
	}
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID: newRequestID(),
	})
	response, err := h(ctx, event)
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(response)
	if err != nil {
		return nil, fmt.Errorf("scenarios: encoding the response: %w", err)
	}
	return out, nil
}

// Instance is a started function: the Target to invoke and, where the
// implementation can give them, its output and a way to stop it.
type Instance struct {
	// Target receives the invocations. Required.
	Target Target
	// Output returns everything the function has written to its log so far
	// (standard output and error of a process). Nil when the target cannot
	// show its output: LOG-01 is then not applicable.
	Output func() string
	// Close stops the function. Nil when there is nothing to stop.
	Close func() error
}

// Starter starts a fresh instance of a function with the given environment:
// JWKS_URI, TOKEN_ISSUER and AUDIENCE of a fake tenant, the suite's knobs
// (JWKS_MIN_REFRESH_INTERVAL=1s, and POLICY_RESOURCE for the contract specs
// that use it), then Config.Env. It is Lambda's init: scenarios that need a
// cold function (key rotation, a JWKS outage at start, counting JWKS
// fetches) call it again for their own instance. An error, or no return
// within Config.InitTimeout, is an init failure: as on Lambda, the next
// invocation starts a fresh instance. ctx lasts as long as the instance,
// so background work may use it.
type Starter func(ctx context.Context, env map[string]string) (*Instance, error)

// Config describes the implementation under test.
type Config struct {
	// Authorizer starts the TOKEN authorizer. Nil makes the AUTH and LOG
	// scenarios, and the GW and FLOW ones, which need both functions, not
	// applicable.
	Authorizer Starter
	// Profile starts the GET /profile handler. Nil makes the PROF scenarios,
	// and the GW and FLOW ones, not applicable.
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
	// InvokeTimeout is each invocation's deadline, as the function's timeout
	// is on Lambda: the target's context carries it, and an answer after it
	// is a timeout. Zero means 3 seconds, the timeout of the deployed
	// functions.
	InvokeTimeout time.Duration
	// InitTimeout bounds each start (Starter call). Zero means 10 seconds,
	// Lambda's init limit.
	InitTimeout time.Duration
	// Env is added to the environment every function starts with, after the
	// tenant's variables and the suite's knobs (so it may override them).
	Env map[string]string
	// Progress receives one line as each scenario ID starts, so a long run
	// shows where it is. Nil means os.Stderr; io.Discard silences it.
	Progress io.Writer
	// TLS, when set, serves every fake tenant the suite starts over https
	// with a certificate this CA signs (fakeauth0.WithTLS), for code that
	// only talks https to its tenant. The functions must trust the CA:
	// cmd/conformance -tls writes it to a file named by SSL_CERT_FILE,
	// NODE_EXTRA_CA_CERTS and REQUESTS_CA_BUNDLE.
	TLS *fakeauth0.CA
}

func (c Config) invokeTimeout() time.Duration {
	if c.InvokeTimeout > 0 {
		return c.InvokeTimeout
	}
	return 3 * time.Second
}

func (c Config) initTimeout() time.Duration {
	if c.InitTimeout > 0 {
		return c.InitTimeout
	}
	return 10 * time.Second
}

func (c Config) progress() io.Writer {
	if c.Progress != nil {
		return c.Progress
	}
	return os.Stderr
}

// newRequestID returns a random version 4 UUID, the shape of Lambda's
// request IDs.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
