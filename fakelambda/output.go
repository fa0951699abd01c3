package fakelambda

import (
	"io"
	"sync"
)

// Sizes of the captured output buffers.
const (
	// OutputLimit bounds Function.Output: the most recent 4 MiB are kept.
	OutputLimit = 4 << 20
	// initTailLimit bounds the per-instance tail quoted in init errors.
	initTailLimit = 8 << 10
)

// ring keeps the last limit bytes written to it. It is safe for concurrent
// use; tee, when set, gets every write while the lock is held, so writes
// from several processes reach it whole and one at a time.
type ring struct {
	mu    sync.Mutex
	limit int
	buf   []byte
	tee   io.Writer
}

func newRing(limit int, tee io.Writer) *ring {
	return &ring{limit: limit, tee: tee}
}

// Write records p; it never fails, so a slow or failing tee cannot stall
// or kill the function it observes.
func (r *ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tee != nil {
		_, _ = r.tee.Write(p)
	}
	if len(p) >= r.limit {
		r.buf = append(r.buf[:0], p[len(p)-r.limit:]...)
		return len(p), nil
	}
	r.buf = append(r.buf, p...)
	// Let the buffer grow to twice the limit, then drop the oldest bytes in
	// one copy: amortised O(1) per byte, memory bounded by 2×limit.
	if len(r.buf) > 2*r.limit {
		n := copy(r.buf, r.buf[len(r.buf)-r.limit:])
		r.buf = r.buf[:n]
	}
	return len(p), nil
}

// String returns the last limit bytes written.
func (r *ring) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) > r.limit {
		return string(r.buf[len(r.buf)-r.limit:])
	}
	return string(r.buf)
}

// instanceOutput is the stdout+stderr of one process: its own short tail,
// for init errors, plus the function's shared ring.
type instanceOutput struct {
	tail   *ring
	shared *ring
}

func (o instanceOutput) Write(p []byte) (int, error) {
	_, _ = o.tail.Write(p)
	return o.shared.Write(p)
}
