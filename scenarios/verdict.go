package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/onsi/ginkgo/v2"

	"github.com/serverless-auth/serverless-auth/fakegateway"
)

// methodARN is the methodArn of GET /profile on the stage the scenarios
// pretend to be, as API Gateway builds it.
const methodARN = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/profile"

// decision is an authorizer invocation judged as API Gateway reads it: the
// status the client gets (200 for an Allow of the methodArn, 401, 403 or
// 500) and, for a usable response, the response itself.
type decision struct {
	invocation
	arn    string
	status int
	// problem says why API Gateway cannot use the answer (500), if so.
	problem string
	// principalID, context and policy are read from a usable response.
	principalID string
	context     map[string]json.RawMessage
	policy      fakegateway.Policy
}

// judgeAuthorizer reads an authorizer invocation for arn the way API
// Gateway does (see fakegateway): the error "Unauthorized" is a 401, any
// other error or a timeout a 500; a response needs a string principalId, a
// policy IAM can parse (Action and Resource strings or lists, Statement an
// object or a list) and scalar context values, or it is a 500; the policy
// is evaluated as IAM does (wildcards, Deny over Allow): an Allow is a 200,
// anything else a 403.
func judgeAuthorizer(inv invocation, arn string) decision {
	d := decision{invocation: inv, arn: arn, status: http.StatusInternalServerError}
	if p := inv.failure(); p != "" {
		d.problem = p
		return d
	}
	if inv.err != nil {
		if inv.err.Error() == "Unauthorized" {
			d.status = http.StatusUnauthorized
		} else {
			d.problem = "the error " + errorText(inv.err) + " (only \"Unauthorized\" becomes a 401)"
		}
		return d
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(inv.raw, &raw); err != nil || raw == nil {
		d.problem = "a response that is not a JSON object"
		return d
	}
	if _, ok := raw["policyDocument"]; !ok {
		if msg, ok := raw["errorMessage"]; ok {
			var text string
			if json.Unmarshal(msg, &text) == nil && text == "Unauthorized" {
				d.status = http.StatusUnauthorized
				return d
			}
			d.problem = "a Lambda error payload"
			return d
		}
	}
	if err := json.Unmarshal(raw["principalId"], &d.principalID); err != nil || isJSONNull(raw["principalId"]) {
		d.problem = "a response without a string principalId"
		return d
	}
	policy, err := fakegateway.ParsePolicy(raw["policyDocument"])
	if err != nil {
		d.problem = "a policy IAM cannot read (" + err.Error() + ")"
		return d
	}
	d.policy = policy
	if c, ok := raw["context"]; ok && !isJSONNull(c) {
		if err := json.Unmarshal(c, &d.context); err != nil {
			d.problem = "a context that is not a JSON object"
			return d
		}
		for k, v := range d.context {
			if t := jsonType(v); t != "string" && t != "number" && t != "boolean" {
				d.problem = fmt.Sprintf("context value %q is %s; API Gateway accepts strings, numbers and booleans only", k, t)
				return d
			}
		}
	}
	switch policy.Evaluate("execute-api:Invoke", arn) {
	case fakegateway.Allow:
		d.status = http.StatusOK
	case fakegateway.ExplicitDeny:
		d.status = http.StatusForbidden
		d.problem = "an explicit Deny"
	default:
		d.status = http.StatusForbidden
		d.problem = "a policy that does not allow " + arn
	}
	return d
}

// allows reports whether the policy of a usable response allows arn.
func (d decision) allows(arn string) bool {
	return d.problem == "" && d.status == http.StatusOK && d.policy.Evaluate("execute-api:Invoke", arn) == fakegateway.Allow
}

// String says what came back and what the client gets, in one phrase. It
// never includes the token: the scenarios do not log secrets either.
func (d decision) String() string {
	switch {
	case d.status == http.StatusUnauthorized:
		return fmt.Sprintf("the error \"Unauthorized\" after %s (the client gets 401)", d.elapsed.Round(time.Millisecond))
	case d.status == http.StatusOK:
		return fmt.Sprintf("an Allow for %s (the client gets 200): %s", d.arn, truncate(string(d.raw), 400))
	case d.status == http.StatusForbidden:
		return fmt.Sprintf("%s (the client gets 403): %s", d.problem, truncate(string(d.raw), 400))
	case d.raw != nil:
		return fmt.Sprintf("%s (the client gets 500): %s", d.problem, truncate(string(d.raw), 400))
	}
	return d.problem + " (the client gets 500)"
}

// expectAllowed fails the spec unless API Gateway would let the request
// through.
func expectAllowed(d decision, what string) {
	ginkgo.GinkgoHelper()
	if d.status != http.StatusOK {
		d.raiseIfLate()
		ginkgo.Fail(fmt.Sprintf("%s: expected an Allow for %s, got %s", what, d.arn, d))
	}
}

// expectRefused fails the spec unless the authorizer answered with the
// error "Unauthorized", which API Gateway turns into a 401.
func expectRefused(d decision, what string) {
	ginkgo.GinkgoHelper()
	if d.status != http.StatusUnauthorized {
		d.raiseIfLate()
		ginkgo.Fail(fmt.Sprintf("%s: expected the error \"Unauthorized\" (the client gets 401), got %s", what, d))
	}
}

// expectNoAllowInTime fails the spec if the authorizer allowed the request
// or answered after its deadline. A 401, a Deny or an error (500) all keep
// the request out.
func expectNoAllowInTime(d decision, what string) {
	ginkgo.GinkgoHelper()
	if d.status == http.StatusOK || d.timedOut() {
		d.raiseIfLate()
		ginkgo.Fail(fmt.Sprintf("%s: expected a refusal within the %s deadline, got %s", what, d.deadline, d))
	}
}

// timedOut reports whether the invocation ran past its deadline (or its
// init past Lambda's limit, or the suite had given up waiting).
func (inv invocation) timedOut() bool {
	return inv.late || errors.Is(inv.initErr, errGaveUp) || errors.Is(inv.initErr, errInitTimeout)
}

// raiseIfLate makes the current spec's failure a required one when the
// invocation timed out: an answer after the deadline fails at any level.
func (inv invocation) raiseIfLate() {
	if inv.timedOut() {
		raiseToRequired()
	}
}

// isJSONNull reports whether raw is absent or null.
func isJSONNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// jsonType names the JSON type of a value.
func jsonType(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '"':
		return "string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// proxyAnswer is a proxy-integration invocation judged as API Gateway
// reads it: the status the client gets and the response.
type proxyAnswer struct {
	invocation
	status   int
	problem  string
	response events.APIGatewayProxyResponse
}

// judgeProxy reads a proxy integration's invocation: an error, a timeout or
// a response that is not a proxy response is API Gateway's 502.
func judgeProxy(inv invocation) proxyAnswer {
	a := proxyAnswer{invocation: inv, status: http.StatusBadGateway}
	switch {
	case inv.failure() != "":
		a.problem = inv.failure()
	case inv.err != nil:
		a.problem = "the error " + errorText(inv.err)
	case json.Unmarshal(inv.raw, &a.response) != nil:
		a.problem = "a response that is not a proxy response"
	case a.response.StatusCode < 100 || a.response.StatusCode > 599:
		a.problem = fmt.Sprintf("status code %d", a.response.StatusCode)
	default:
		a.status = a.response.StatusCode
	}
	return a
}

// String says what came back, in one phrase.
func (a proxyAnswer) String() string {
	if a.problem != "" {
		return fmt.Sprintf("%s (the client gets 502): %s", a.problem, truncate(string(a.raw), 300))
	}
	return fmt.Sprintf("status %d, headers %v, body %s", a.status, a.response.Headers, truncate(a.response.Body, 300))
}

// truncate cuts s to n bytes, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// expectf fails the spec with the sentence format makes unless ok.
func expectf(ok bool, format string, args ...any) {
	ginkgo.GinkgoHelper()
	if !ok {
		ginkgo.Fail(strings.TrimSpace(fmt.Sprintf(format, args...)))
	}
}
