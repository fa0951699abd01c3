package fakelambda

import (
	"bytes"
	"strings"
	"testing"
)

func TestRingKeepsTheTail(t *testing.T) {
	tests := []struct {
		name   string
		limit  int
		writes []string
		want   string
	}{
		{"under the limit", 10, []string{"abc", "def"}, "abcdef"},
		{"exactly the limit", 6, []string{"abc", "def"}, "abcdef"},
		{"over the limit", 4, []string{"abc", "def"}, "cdef"},
		{"one write larger than the limit", 3, []string{"abcdefgh"}, "fgh"},
		{"many small writes", 5, strings.Split("abcdefghijklmnopqrstuvwxyz", ""), "vwxyz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tee bytes.Buffer
			r := newRing(tt.limit, &tee)
			for _, w := range tt.writes {
				if n, err := r.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if got := r.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if len(r.buf) > 2*tt.limit {
				t.Errorf("buffer holds %d bytes, limit %d", len(r.buf), tt.limit)
			}
			if tee.String() != strings.Join(tt.writes, "") {
				t.Errorf("tee got %q", tee.String())
			}
		})
	}
}

func TestIndent(t *testing.T) {
	if got := indent("a\nb\n", "  "); got != "  a\n  b" {
		t.Errorf("indent = %q", got)
	}
	if got := indent("", "  "); got != "  (no output)" {
		t.Errorf("indent of nothing = %q", got)
	}
}
