package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// decisionNote carries the authorizer's decision and reason code from its
// log record to the gateway's request line: both log with a context derived
// from the HTTP request's.
type decisionNote struct {
	mu               sync.Mutex
	decision, reason string
}

type noteKey struct{}

// withDecisionNote gives every request a fresh note.
func withDecisionNote(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), noteKey{}, &decisionNote{})))
	})
}

// decisionRecorder is the authorizer's slog handler: it copies decision
// and reason into the request's note, then passes the record on.
type decisionRecorder struct{ slog.Handler }

// Handle records the decision and forwards the record.
func (d decisionRecorder) Handle(ctx context.Context, r slog.Record) error {
	if note, ok := ctx.Value(noteKey{}).(*decisionNote); ok {
		note.mu.Lock()
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "decision":
				note.decision = a.Value.String()
			case "reason":
				note.reason = a.Value.String()
			}
			return true
		})
		note.mu.Unlock()
	}
	return d.Handler.Handle(ctx, r)
}

// WithAttrs keeps the recorder around the derived handler.
func (d decisionRecorder) WithAttrs(attrs []slog.Attr) slog.Handler {
	return decisionRecorder{d.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the recorder around the derived handler.
func (d decisionRecorder) WithGroup(name string) slog.Handler {
	return decisionRecorder{d.Handler.WithGroup(name)}
}

// requestLine is the gateway's slog handler: one readable line per request
// with the method, path, status, the authorizer's decision and reason,
// latency and whether the cached result was used.
type requestLine struct {
	mu  *sync.Mutex // serialises lines from concurrent requests; required
	out io.Writer
}

// Enabled reports that every request is printed.
func (requestLine) Enabled(context.Context, slog.Level) bool { return true }

// Handle prints one request.
func (l requestLine) Handle(ctx context.Context, r slog.Record) error {
	var method, path, gatewayReason, gatewayDecision string
	var status int64
	var latency float64
	var cacheHit bool
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "method":
			method = a.Value.String()
		case "path":
			path = a.Value.String()
		case "status":
			status = a.Value.Int64()
		case "reason":
			gatewayReason = a.Value.String()
		case "decision":
			gatewayDecision = a.Value.String()
		case "latency_ms":
			latency = a.Value.Float64()
		case "cache_hit":
			cacheHit = a.Value.Bool()
		}
		return true
	})
	decision := "authorizer not invoked"
	if cacheHit {
		decision = "cached result"
	}
	if note, ok := ctx.Value(noteKey{}).(*decisionNote); ok {
		note.mu.Lock()
		if note.decision != "" {
			decision = note.decision + " (" + note.reason + ")"
		}
		note.mu.Unlock()
	}
	// The HTTP API's managed JWT authorizer decides inside the gateway: its
	// decision is the gateway's own.
	if decision == "authorizer not invoked" && (gatewayDecision == "allow" || gatewayDecision == "deny") && gatewayReason != "identity_missing" {
		decision = "gateway " + gatewayDecision + " (" + gatewayReason + ")"
		gatewayReason = ""
	}
	if gatewayReason != "" && gatewayReason != "allow" && gatewayReason != "ok" {
		decision += ", gateway: " + gatewayReason
	}
	cache := "miss"
	if cacheHit {
		cache = "hit"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := fmt.Fprintf(l.out, "%s %-6s %-24s %d  %s  %.1fms  cache=%s\n",
		r.Time.Format(time.TimeOnly), method, path, status, decision, latency, cache)
	return err
}

// WithAttrs returns the same printer: the gateway adds no shared attributes.
func (l requestLine) WithAttrs([]slog.Attr) slog.Handler { return l }

// WithGroup returns the same printer.
func (l requestLine) WithGroup(string) slog.Handler { return l }
