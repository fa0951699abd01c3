package fakeauth0

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// emptyKeySet is the body of a Fault with EmptySet.
const emptyKeySet = `{"keys":[]}`

// Fault describes how the JWKS endpoint misbehaves until ClearJWKSFault. The
// zero Fault serves the JWKS normally. The steps apply in this order:
//
//  1. Delay: wait before answering. The wait ends early, without an answer,
//     when the client gives up or the tenant is closed, so Close never hangs.
//  2. Drop: close the connection without a response.
//  3. Status: answer with this status code (0 means 200).
//  4. Body: answer with exactly these bytes (Content-Type application/json).
//     Without a Body, EmptySet answers {"keys":[]}, an error Status answers
//     {"error":STATUS TEXT}, and any other Status answers the JWKS.
type Fault struct {
	Status   int
	Delay    time.Duration
	Body     []byte
	EmptySet bool
	Drop     bool
}

// SetJWKSFault makes the JWKS endpoint misbehave as f describes, for every
// request from now on (a request already waiting out a Delay keeps the fault
// it started with).
func (t *Tenant) SetJWKSFault(f Fault) {
	f.Body = bytes.Clone(f.Body)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fault = &f
}

// ClearJWKSFault makes the JWKS endpoint serve the JWKS normally again.
func (t *Tenant) ClearJWKSFault() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fault = nil
}

// applyFault carries out f for one request. It returns the status and body to
// answer with, or ok false when the request has been dealt with.
func (t *Tenant) applyFault(w http.ResponseWriter, r *http.Request, f Fault, jwks []byte) (status int, body []byte, ok bool) {
	t.logger.Info("jwks", "decision", "fault", "status", f.Status, "delay", f.Delay.String(),
		"drop", f.Drop, "empty_set", f.EmptySet, "garbage_body", f.Body != nil)
	if f.Delay > 0 {
		timer := time.NewTimer(f.Delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return 0, nil, false
		case <-t.closing:
			dropConnection(w)
			return 0, nil, false
		}
	}
	if f.Drop {
		dropConnection(w)
		return 0, nil, false
	}
	status = f.Status
	if status == 0 {
		status = http.StatusOK
	}
	switch {
	case f.Body != nil:
		body = f.Body
	case f.EmptySet:
		body = []byte(emptyKeySet)
	case status >= http.StatusBadRequest:
		body, _ = json.Marshal(map[string]string{"error": http.StatusText(status)})
	default:
		body = jwks
	}
	return status, body, true
}

// dropConnection closes the request's connection without writing a response.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// The connection cannot be taken over (HTTP/2): make net/http
		// abort it instead.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
