package fakelambda

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Runtime API headers (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
const (
	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadlineMS  = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID     = "Lambda-Runtime-Trace-Id"
	headerErrorType   = "Lambda-Runtime-Function-Error-Type"
	headerErrorBody   = "Lambda-Runtime-Function-Error-Body"
)

// routes is the Runtime API of one instance, version 2018-06-01.
func (in *instance) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", in.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", in.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", in.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", in.handleInitError)
	return mux
}

// apiError is the body of the Runtime API's own error responses.
type apiError struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeAccepted(w http.ResponseWriter) {
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

func writeInvalidRequestID(w http.ResponseWriter) {
	writeJSON(w, http.StatusBadRequest, apiError{ErrorMessage: "Invalid request ID", ErrorType: "InvalidRequestID"})
}

func writeInvalidState(w http.ResponseWriter, from, to string) {
	writeJSON(w, http.StatusForbidden, apiError{
		ErrorMessage: fmt.Sprintf("State transition from %s to %s failed for runtime.", from, to),
		ErrorType:    "InvalidStateTransition",
	})
}

// readBody reads at most MaxResponseBytes+1 bytes, so callers can tell an
// oversized body from one at the limit.
func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes+1))
}

// handleNext is GET /runtime/invocation/next: it ends the previous
// invocation's "finishing" phase (or the init phase), makes the instance
// available and blocks until an invocation is delivered.
func (in *instance) handleNext(w http.ResponseWriter, r *http.Request) {
	f := in.f
	now := time.Now()
	f.mu.Lock()
	switch in.state {
	case stateDead:
		f.mu.Unlock()
		return
	case stateStarting:
		in.initTimer.Stop()
		in.initDur = now.Sub(in.execAt)
		f.stats.Inits = append(f.stats.Inits, in.initDur)
		close(in.ready)
		in.availableLocked()
	case stateBusy:
		if inv := in.current; inv != nil {
			if !inv.completed {
				f.mu.Unlock()
				writeInvalidState(w, "Invoke", "Ready")
				return
			}
			// The previous invocation is over: its clock stops here.
			inv.timer.Stop()
			in.current = nil
			in.availableLocked()
		}
		// current == nil: handed to an Invoke that is about to deliver.
	case stateIdle:
		// Already listed: an earlier /next went away before an invocation came.
	}
	f.mu.Unlock()

	var inv *invocation
	select {
	case inv = <-in.invokes:
	case <-r.Context().Done():
		return
	case <-in.dead:
		return
	}

	f.mu.Lock()
	if in.state == stateDead {
		in.completeLocked(inv, nil, exitError(inv.id, in.exitStatus))
		f.mu.Unlock()
		return
	}
	in.deliverLocked(inv, time.Now())
	deadline := inv.deadline
	f.mu.Unlock()

	h := w.Header()
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadlineMS, strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, f.arn)
	h.Set(headerTraceID, newTraceID(inv.deliveredAt))
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(inv.payload)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// inflight returns the invocation that id names if it is still open.
func (in *instance) inflight(id string) *invocation {
	in.f.mu.Lock()
	defer in.f.mu.Unlock()
	if inv := in.current; inv != nil && inv.id == id && !inv.completed {
		return inv
	}
	return nil
}

// finish completes inv with a runtime's answer.
func (in *instance) finish(inv *invocation, resp []byte, err error) bool {
	now := time.Now()
	in.f.mu.Lock()
	defer in.f.mu.Unlock()
	if in.current != inv || !in.completeLocked(inv, resp, err) {
		return false
	}
	in.answeredLocked(inv, now)
	return true
}

// invocationPost reads a POST about invocation {id} — a response or an
// error — answering it itself (unknown id, truncated body) when ok is false.
func (in *instance) invocationPost(w http.ResponseWriter, r *http.Request) (*invocation, []byte, bool) {
	inv := in.inflight(r.PathValue("id"))
	if inv == nil {
		writeInvalidRequestID(w)
		return nil, nil, false
	}
	body, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{ErrorMessage: "HTTP request detected as truncated", ErrorType: "TruncatedHTTPRequestError"})
		return nil, nil, false
	}
	return inv, body, true
}

// handleResponse is POST /runtime/invocation/{id}/response.
func (in *instance) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv, body, ok := in.invocationPost(w, r)
	if !ok {
		return
	}
	if len(body) > MaxResponseBytes {
		in.finish(inv, nil, &FunctionError{
			Type:    "Function.ResponseSizeTooLarge",
			Message: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxResponseBytes),
		})
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{
			ErrorMessage: fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxResponseBytes),
			ErrorType:    "RequestEntityTooLarge",
		})
		return
	}
	var fnErr error
	if t := r.Trailer.Get(headerErrorType); t != "" {
		// aws-lambda-go reports a response body that failed mid-stream in
		// trailers; Lambda turns it into a function error.
		doc, _ := base64.StdEncoding.DecodeString(r.Trailer.Get(headerErrorBody))
		fnErr, body = parseErrorDocument(doc, t), nil
	}
	if !in.finish(inv, body, fnErr) {
		writeInvalidRequestID(w)
		return
	}
	writeAccepted(w)
}

// handleError is POST /runtime/invocation/{id}/error.
func (in *instance) handleError(w http.ResponseWriter, r *http.Request) {
	inv, body, ok := in.invocationPost(w, r)
	if !ok {
		return
	}
	if !in.finish(inv, nil, parseErrorDocument(body, errorTypeOf(r))) {
		writeInvalidRequestID(w)
		return
	}
	writeAccepted(w)
}

// handleInitError is POST /runtime/init/error: the runtime could not start.
// The error is recorded for Start (or the Invoke waiting on this instance)
// and the process is killed once the runtime has its answer.
func (in *instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{ErrorMessage: "HTTP request detected as truncated", ErrorType: "TruncatedHTTPRequestError"})
		return
	}
	f := in.f
	f.mu.Lock()
	if in.state != stateStarting || in.initErr != nil {
		f.mu.Unlock()
		writeInvalidState(w, "Ready", "InitError")
		return
	}
	in.initErr = parseErrorDocument(body, errorTypeOf(r))
	f.mu.Unlock()
	writeAccepted(w)
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	in.sampleRSS()
	in.kill()
}

// errorTypeOf reads Lambda-Runtime-Function-Error-Type from the headers or,
// as aws-lambda-go sends it when a response body fails, the trailers. Call
// it after the body has been read.
func errorTypeOf(r *http.Request) string {
	if t := r.Header.Get(headerErrorType); t != "" {
		return t
	}
	return r.Trailer.Get(headerErrorType)
}
