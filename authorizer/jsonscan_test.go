package authorizer

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// TestSWAR: the eight-byte tests agree with byte-by-byte ones for every
// byte value at every position.
func TestSWAR(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			word := bytes.Repeat([]byte{'a'}, 8)
			word[pos] = byte(c)
			x := le64(word)
			if got, want := zeroByte(x) != 0, c == 0; got != want {
				t.Errorf("zeroByte(%q) = %v, want %v", word, got, want)
			}
			for _, n := range []byte{1, 0x20, 0x61, 0x62, 0x7f, 0x80} {
				want := false
				for _, b := range word {
					want = want || b < n
				}
				if got := byteBelow(x, n) != 0; got != want {
					t.Errorf("byteBelow(%q, %#x) = %v, want %v", word, n, got, want)
				}
			}
			if got, want := plainText(word), c != '\\' && (c < 0x80); got != want {
				t.Errorf("plainText(%q) = %v, want %v", word, got, want)
			}
		}
	}
}

func TestParseNumericDate(t *testing.T) {
	for _, num := range []string{"0", "1", "-1", "-0", "007", "1893557045", "1893557045.5", "1e3", "1E+3", "2.5e-1",
		"999999999999999", "9999999999999999", "99999999999999999999", "253402300799", "253402300800", "1e400", "", "-", "1.", "abc"} {
		want, err := strconv.ParseFloat(num, 64)
		got, ok := parseNumericDate(num)
		if ok != (err == nil) || (ok && got != want) {
			t.Errorf("parseNumericDate(%q) = %v, %v; ParseFloat %v, %v", num, got, ok, want, err)
		}
	}
}

// TestScanLongStrings: strings long enough for the eight-byte skip, with
// the byte that matters at every offset.
func TestScanLongStrings(t *testing.T) {
	for n := 0; n < 48; n++ {
		for _, c := range []string{`"`, `\`, `\n`, `\u0041`, "\x01", "\x1f", "\x7f", "é", "\xff"} {
			body := strings.Repeat("a", n) + c + strings.Repeat("b", 40-n%8)
			for _, doc := range []string{`"` + body + `"`, `{"` + body + `":1}`, `["` + body + `"]`} {
				checkScan(t, []byte(doc))
			}
		}
	}
}
