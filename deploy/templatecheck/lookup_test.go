package templatecheck

import "testing"

func TestLookup(t *testing.T) {
	v := map[string]any{"a": map[string]any{"b": "c"}, "l": []any{1}}
	if got, ok := Lookup(v, "a", "b"); !ok || got != "c" {
		t.Errorf("Lookup(a, b) = %v, %v", got, ok)
	}
	for _, path := range [][]string{{"x"}, {"a", "x"}, {"l", "0"}, {"a", "b", "c"}} {
		if _, ok := Lookup(v, path...); ok {
			t.Errorf("Lookup(%v) found something", path)
		}
	}
}
