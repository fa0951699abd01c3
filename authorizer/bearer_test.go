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
		// The scheme is case-sensitive, as the gateway's validation expression.
		{"bearer " + tok, "", ErrBadScheme},
		{"BEARER " + tok, "", ErrBadScheme},
		{"BeArEr " + tok, "", ErrBadScheme},
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
// "Bearer" (spelt so), one space and a b64token.
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
		if header != "Bearer "+tok {
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
