package authorizer

import (
	"errors"
	"strings"
	"testing"
)

func TestParseBearer(t *testing.T) {
	const tok = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"
	cases := []struct {
		header string
		want   string
		err    error
	}{
		{"Bearer " + tok, tok, nil},
		{"bearer " + tok, tok, nil},
		{"BEARER " + tok, tok, nil},
		{"BeArEr " + tok, tok, nil},
		{"Bearer abc~+/==", "abc~+/==", nil},
		{"Bearer a", "a", nil},
		{"", "", ErrTokenMissing},
		{"Bearer ", "", ErrTokenMissing},
		{"Bearer", "", ErrBadScheme},
		{"Bearer  " + tok, "", ErrBadScheme},
		{"Bearer " + tok + " ", "", ErrBadScheme},
		{"Bearer " + tok + " extra", "", ErrBadScheme},
		{"Bearer\t" + tok, "", ErrBadScheme},
		{" Bearer " + tok, "", ErrBadScheme},
		{"Basic " + tok, "", ErrBadScheme},
		{"Token " + tok, "", ErrBadScheme},
		{"Bearerx " + tok, "", ErrBadScheme},
		{tok, "", ErrBadScheme},
		{"Bearer " + tok + "\n", "", ErrBadScheme},
		{"Bearer =" + tok, "", ErrMalformed},
		{"Bearer ==", "", ErrMalformed},
		{"Bearer a=b", "", ErrMalformed},
		{"Bearer " + tok + ",x", "", ErrMalformed},
		{"Bearer \"" + tok + "\"", "", ErrMalformed},
		{"Bearer tök", "", ErrMalformed},
		{"Bearer a\x00b", "", ErrMalformed},
		{"Bearér " + tok, "", ErrBadScheme},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.header, tok, "TOKEN"), func(t *testing.T) {
			got, err := ParseBearer(tc.header)
			if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("ParseBearer(%q) = %q, %v; want %q, %v", tc.header, got, err, tc.want, tc.err)
			}
		})
	}
}

// FuzzBearer: extraction never panics, and whatever it accepts is exactly
// "Bearer" (any case), one space and a b64token.
func FuzzBearer(f *testing.F) {
	for _, s := range []string{"", "Bearer ", "Bearer a.b.c", "bearer x==", "Basic x", "Bearer  x", "Bearer x y", "Bearer\tx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		tok, err := ParseBearer(header)
		if err != nil {
			if tok != "" {
				t.Fatalf("token %q returned with error %v", tok, err)
			}
			if Reason(err) == "internal" {
				t.Fatalf("error without a reason code: %v", err)
			}
			return
		}
		if len(header) != len(bearerScheme)+1+len(tok) || !strings.EqualFold(header[:len(bearerScheme)], bearerScheme) ||
			header[len(bearerScheme)] != ' ' || header[len(bearerScheme)+1:] != tok {
			t.Fatalf("ParseBearer(%q) accepted %q", header, tok)
		}
		if tok == "" || strings.ContainsAny(tok, " \t\r\n,;\"\\") || strings.Trim(tok, "=") == "" {
			t.Fatalf("ParseBearer(%q) accepted a bad token %q", header, tok)
		}
		if i := strings.IndexByte(tok, '='); i >= 0 && strings.Trim(tok[i:], "=") != "" {
			t.Fatalf("ParseBearer(%q): padding inside the token %q", header, tok)
		}
	})
}

// TestIsB64Char: the bit masks hold exactly RFC 6750's b64token characters
// (before the "=" padding).
func TestIsB64Char(t *testing.T) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		want := ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z') || ('0' <= b && b <= '9') ||
			b == '-' || b == '.' || b == '_' || b == '~' || b == '+' || b == '/'
		if got := isB64Char(b); got != want {
			t.Errorf("isB64Char(%#x) = %v, want %v", b, got, want)
		}
	}
}

// TestAllJWSChars: the eight-byte test agrees with a byte-by-byte one for
// every byte value at every position.
func TestAllJWSChars(t *testing.T) {
	jws := func(c byte) bool {
		return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c == '-' || c == '.' || c == '_'
	}
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			for _, fill := range []byte{'a', 'Z', '0', '_', '-', '.'} {
				word := []byte(strings.Repeat(string(fill), 8))
				word[pos] = byte(c)
				if got, want := allJWSChars(le64s(string(word))), jws(byte(c)); got != want {
					t.Errorf("allJWSChars(%q) = %v, want %v", word, got, want)
				}
			}
		}
	}
}
