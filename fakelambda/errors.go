package fakelambda

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, checked with errors.Is on what Start and Invoke return.
var (
	// ErrInitFailed: the runtime exited, timed out or posted
	// /runtime/init/error before asking for its first invocation.
	ErrInitFailed = errors.New("fakelambda: function init failed")
	// ErrTimeout: the invocation (or the init phase) outlived its limit and
	// the process was killed, like Lambda's "Task timed out after 3.00 seconds".
	ErrTimeout = errors.New("fakelambda: timed out")
	// ErrRuntimeExit: the process ended while an invocation was in flight
	// (Lambda's Runtime.ExitError); the instance is replaced.
	ErrRuntimeExit = errors.New("fakelambda: runtime exited")
	// ErrClosed: the function was closed before or during the call.
	ErrClosed = errors.New("fakelambda: function closed")
	// ErrRequestTooLarge: the payload exceeds Lambda's 6 MB synchronous
	// invocation limit; nothing was invoked.
	ErrRequestTooLarge = errors.New("fakelambda: request payload too large")
	// ErrRPCProtocol: the function is a Go binary built with aws-lambda-go
	// before v1.18.0, which serves the retired go1.x runtime's RPC protocol
	// on _LAMBDA_SERVER_PORT and never calls the Runtime API. Start returns
	// it (with ErrInitFailed) when the binary's build information says so,
	// or when an init that timed out was listening on a TCP port.
	ErrRPCProtocol = errors.New("fakelambda: go1.x RPC protocol")
)

// FunctionError is the error document an invocation ended with: the one the
// function posted to /runtime/invocation/{id}/error, or one fakelambda made
// the way Lambda does (Sandbox.Timedout, Runtime.ExitError,
// Function.ResponseSizeTooLarge, init errors).
//
// Error returns Message alone, so a Go authorizer's errors.New("Unauthorized")
// or a Node authorizer's callback("Unauthorized") comes back with
// Error() == "Unauthorized", as API Gateway sees it. Errors made by
// fakelambda also match ErrTimeout, ErrRuntimeExit or ErrInitFailed with
// errors.Is.
type FunctionError struct {
	// Type is errorType: "errorString", "Error", "Runtime.ExitError", ...
	Type string
	// Message is errorMessage.
	Message string
	// StackTrace holds one line per frame: Node's "trace" lines, or Go's
	// stackTrace frames rendered as "label (path:line)".
	StackTrace []string

	kind error
}

// Error returns the error message exactly as the function reported it.
func (e *FunctionError) Error() string { return e.Message }

// Unwrap returns the sentinel for errors fakelambda made itself (nil for
// errors the function posted).
func (e *FunctionError) Unwrap() error { return e.kind }

// errorDocument is what runtimes post to /error and /init/error. Go posts
// stackTrace as frames, Python as strings, Node posts trace as strings.
type errorDocument struct {
	ErrorMessage *string         `json:"errorMessage"`
	ErrorType    string          `json:"errorType"`
	StackTrace   json.RawMessage `json:"stackTrace"`
	Trace        []string        `json:"trace"`
}

type goStackFrame struct {
	Path  string `json:"path"`
	Line  int    `json:"line"`
	Label string `json:"label"`
}

// parseErrorDocument turns a posted error body into a FunctionError; a body
// that is not an error document becomes the message as it is. headerType is
// the Lambda-Runtime-Function-Error-Type header, used when the body has none.
func parseErrorDocument(body []byte, headerType string) *FunctionError {
	fe := &FunctionError{Type: headerType}
	var doc errorDocument
	if err := json.Unmarshal(body, &doc); err != nil || (doc.ErrorMessage == nil && doc.ErrorType == "") {
		fe.Message = string(body)
		if fe.Type == "" {
			fe.Type = "Unhandled"
		}
		return fe
	}
	if doc.ErrorMessage != nil {
		fe.Message = *doc.ErrorMessage
	}
	if doc.ErrorType != "" {
		fe.Type = doc.ErrorType
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	fe.StackTrace = append(fe.StackTrace, doc.Trace...)
	if len(doc.StackTrace) > 0 {
		var lines []string
		var frames []goStackFrame
		switch {
		case json.Unmarshal(doc.StackTrace, &lines) == nil:
			fe.StackTrace = append(fe.StackTrace, lines...)
		case json.Unmarshal(doc.StackTrace, &frames) == nil:
			for _, f := range frames {
				fe.StackTrace = append(fe.StackTrace, fmt.Sprintf("%s (%s:%d)", f.Label, f.Path, f.Line))
			}
		}
	}
	return fe
}

// timeoutError is Lambda's answer to an invocation that ran out of time.
func timeoutError(requestID string, seconds float64) *FunctionError {
	return &FunctionError{
		Type:    "Sandbox.Timedout",
		Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, seconds),
		kind:    ErrTimeout,
	}
}

// exitError is Lambda's answer to a runtime that died during an invocation.
func exitError(requestID, status string) *FunctionError {
	return &FunctionError{
		Type:    "Runtime.ExitError",
		Message: "RequestId: " + requestID + " Error: " + exitReason(status),
		kind:    ErrRuntimeExit,
	}
}

// exitReason words a process state ("exit status 2", "signal: killed") as
// Lambda does.
func exitReason(status string) string {
	if status == "" || status == "exit status 0" {
		return "Runtime exited without providing a reason"
	}
	return "Runtime exited with error: " + status
}

// initError wraps what ended an init phase so that it matches ErrInitFailed
// (and kind, when not nil) with errors.Is.
func initError(fe *FunctionError, kind error) *FunctionError {
	out := *fe
	out.kind = ErrInitFailed
	if kind != nil {
		out.kind = errors.Join(ErrInitFailed, kind)
	}
	return &out
}

// closedError is the error of invocations cut short by Close.
func closedError(requestID string) *FunctionError {
	return &FunctionError{
		Type:    "Runtime.ExitError",
		Message: "RequestId: " + requestID + " Error: function closed",
		kind:    ErrClosed,
	}
}

// indent prefixes every line of s, for output tails inside error messages.
func indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return prefix + "(no output)"
	}
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
