package logbuffer_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/serverless-auth/serverless-auth/internal/logbuffer"
)

func TestConcurrentWrites(t *testing.T) {
	var b logbuffer.Buffer
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { _, _ = b.Write([]byte("line\n")) })
	}
	wg.Wait()
	if n := strings.Count(b.String(), "line\n"); n != 50 {
		t.Errorf("got %d lines, want 50", n)
	}
}
