package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// methodARN is the methodArn of GET /profile on the stage the scenarios
// pretend to be, as API Gateway builds it.
const methodARN = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/profile"

// otherMethodARN is another route of the same stage.
const otherMethodARN = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/POST/messages"

// decision is what an authorizer invocation came back with: an error (a
// rejection reads "Unauthorized"), or a response, or a response that is not
// an authorizer response at all.
type decision struct {
	response events.APIGatewayCustomAuthorizerResponse
	raw      []byte
	err      error
	decode   error
	elapsed  time.Duration
}

// String describes what came back, for failure messages. It never includes
// the token: the scenarios do not log secrets either.
func (d decision) String() string {
	switch {
	case d.err != nil:
		return fmt.Sprintf("error %q after %s", d.err.Error(), d.elapsed.Round(time.Millisecond))
	case d.decode != nil:
		return fmt.Sprintf("a response that is not an authorizer response (%v): %.200s", d.decode, d.raw)
	default:
		return fmt.Sprintf("response %.600s", d.raw)
	}
}

// unauthorized reports whether the function rejected the token the way API
// Gateway turns into 401: an error whose message is exactly "Unauthorized".
func (d decision) unauthorized() bool {
	return d.err != nil && d.err.Error() == "Unauthorized"
}

// authorize invokes an authorizer with a TOKEN event for arn.
func authorize(inst *Instance, timeout time.Duration, authorizationToken, arn string) decision {
	payload, err := json.Marshal(events.APIGatewayCustomAuthorizerRequest{
		Type:               "TOKEN",
		AuthorizationToken: authorizationToken,
		MethodArn:          arn,
	})
	if err != nil {
		return decision{err: fmt.Errorf("encoding the event: %w", err)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	began := time.Now()
	out, err := inst.Target.Invoke(ctx, payload)
	d := decision{raw: out, err: err, elapsed: time.Since(began)}
	if err == nil {
		d.decode = json.Unmarshal(out, &d.response)
	}
	return d
}

// proxyAnswer is what a proxy-integration function came back with.
type proxyAnswer struct {
	response events.APIGatewayProxyResponse
	raw      []byte
	err      error
	decode   error
}

// String describes the answer for failure messages.
func (a proxyAnswer) String() string {
	switch {
	case a.err != nil:
		return fmt.Sprintf("error %q", a.err.Error())
	case a.decode != nil:
		return fmt.Sprintf("a response that is not a proxy response (%v): %.200s", a.decode, a.raw)
	default:
		return fmt.Sprintf("response %.600s", a.raw)
	}
}

// invokeProxy invokes a proxy-integration function with req.
func invokeProxy(inst *Instance, timeout time.Duration, req events.APIGatewayProxyRequest) proxyAnswer {
	payload, err := json.Marshal(req)
	if err != nil {
		return proxyAnswer{err: fmt.Errorf("encoding the event: %w", err)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := inst.Target.Invoke(ctx, payload)
	a := proxyAnswer{raw: out, err: err}
	if err == nil {
		a.decode = json.Unmarshal(out, &a.response)
	}
	return a
}
