package authorizer

import (
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/MicahParks/jwkset"
)

// jwksetUsableKey is how the key set read an entry before parseJWK: jwkset's
// own parser and validation, then the usable-key policy. It is the oracle
// parseJWK must agree with.
func jwksetUsableKey(raw []byte) (usableKey, error) {
	k, err := jwkset.NewJWKFromRawJSON(raw, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
	if err != nil {
		return usableKey{}, err
	}
	return normaliseKey(k)
}

// sameJWKDecision fails t unless parseJWK and jwkset agree on raw.
func sameJWKDecision(t *testing.T, raw []byte) {
	t.Helper()
	got, gotErr := parseJWK(raw)
	want, wantErr := jwksetUsableKey(raw)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("entry %s: parseJWK error %v, jwkset error %v", raw, gotErr, wantErr)
	}
	if gotErr == nil && (got.kid != want.kid || !got.pub.Equal(want.pub)) {
		t.Fatalf("entry %s: parseJWK %s/%v, jwkset %s/%v", raw, got.kid, got.pub, want.kid, want.pub)
	}
}

// jwkVariants are JWKS entries around a valid one, each with one member
// (or a few related members) changed.
func jwkVariants(t testing.TB) [][]byte {
	t.Helper()
	primary := loadRSA(t, "primary", "key-1")
	other := loadRSA(t, "attacker", "other")
	small := loadRSA(t, "small", "small")
	cert := selfSignedCert(t, primary)
	otherCert := selfSignedCert(t, other)
	std := base64.StdEncoding.EncodeToString
	sum1, sum256 := sha1.Sum(cert), sha256.Sum256(cert)
	x5t, x5t256 := b64(sum1[:]), b64(sum256[:])
	n := b64(primary.priv.N.Bytes())
	big8193 := new(big.Int).Lsh(big.NewInt(1), 8192)
	big8193.Add(big8193, big.NewInt(1))
	base := func() map[string]any { return primary.jwk() }
	withX5C := func() map[string]any {
		m := base()
		m["x5c"], m["x5t"], m["x5t#S256"] = []string{std(cert)}, x5t, x5t256
		return m
	}
	values := map[string][]any{
		"kty":      {"RSA", "rsa", "EC", "oct", "", 5, nil},
		"use":      {"sig", "enc", "", "SIG", "other", 1, nil},
		"alg":      {"RS256", "RS512", "PS256", "", "rs256", "none", 1, nil},
		"kid":      {"k", "", 5, nil, []string{"k"}},
		"n":        {n, n + "=", n + "==", b64(append([]byte{0}, primary.priv.N.Bytes()...)), strings.NewReplacer("-", "+", "_", "/").Replace(n), "!!", "", 5, nil, b64(small.priv.N.Bytes()), b64(big8193.Bytes()), n[:len(n)-1] + "B", n + "\n"},
		"e":        {"AQAB", "AQAB=", "AAEAAQ", "Aw", "Ag", "AQ", "AQAA", "gAAAAQ", "f____w", "f____v", b64(new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 64), big.NewInt(3)).Bytes()), "AQAC", "", "!", 5, nil},
		"key_ops":  {[]string{"verify"}, []string{"sign"}, []string{"verify", "sign"}, []string{"verify", "foo"}, []string{}, "verify", []any{1}, nil},
		"x5u":      {"https://x.example/c.pem", "http://x.example/c.pem", "not a url", "", "https://", "/relative", 5},
		"crv":      {"P-256", "", 1},
		"d":        {"AA", "AAA", "AQ", "!!", "", "AA=="},
		"p":        {"AA", "AQ", ""},
		"q":        {"AQ"},
		"dp":       {"AQ", "AA"},
		"dq":       {"AQ", "AA"},
		"qi":       {"!!", "AQ"},
		"oth":      {[]any{}, []any{map[string]any{}}, nil, "x"},
		"k":        {"AA", "!!"},
		"x":        {"!!"},
		"y":        {"AQ"},
		"KTY":      {"RSA", "EC"},
		"Kid":      {"other-kid"},
		"N":        {b64(other.priv.N.Bytes())},
		"x5t":      {x5t, "!!", b64([]byte("wrong"))},
		"x5t#S256": {x5t256, "!!"},
	}
	var out [][]byte
	add := func(m map[string]any) { out = append(out, mustJSON(t, m)) }
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range values {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, v := range values[name] {
			for _, start := range []func() map[string]any{base, withX5C} {
				m := start()
				if v == nil {
					delete(m, name)
				} else {
					m[name] = v
				}
				add(m)
			}
		}
	}
	x5cValues := [][]string{{std(cert)}, {std(cert), std(otherCert)}, {std(otherCert)}, {"garbage"}, {strings.TrimRight(std(cert), "=")}, {}, {std(cert) + "\n"}}
	for _, chain := range x5cValues {
		for _, t1 := range []any{nil, x5t, x5t + "=", "!!", strings.ToUpper(x5t)} {
			for _, t256 := range []any{nil, x5t256, b64(sum1[:])} {
				m := base()
				m["x5c"] = chain
				if t1 != nil {
					m["x5t"] = t1
				}
				if t256 != nil {
					m["x5t#S256"] = t256
				}
				add(m)
			}
		}
	}
	m := base()
	m["x5c"] = "not a list"
	add(m)
	for _, doc := range []string{`null`, `[]`, `"x"`, `42`, `{}`, `{"kty":"RSA"}`,
		fmt.Sprintf(`{"kty":"RSA","kid":"a","kid":"b","n":%q,"e":"AQAB"}`, n),
		fmt.Sprintf(`{"kty":"RSA","kid":"a","n":%q,"e":"AQAB","e":"Aw"}`, n),
		fmt.Sprintf(`{"kty":"RSA","kid":"a","n":%q,"e":"AQAB","use":null}`, n),
		fmt.Sprintf(`{"kty":"RSA","kid":"\u0061","n":%q,"e":"AQAB"}`, n),
	} {
		out = append(out, []byte(doc))
	}
	return out
}

// TestParseJWKMatchesJWKSet: on every variant, parseJWK accepts exactly
// what jwkset and the policy accepted, with the same kid and key.
func TestParseJWKMatchesJWKSet(t *testing.T) {
	accepted := 0
	for _, raw := range jwkVariants(t) {
		sameJWKDecision(t, raw)
		if _, err := parseJWK(raw); err == nil {
			accepted++
		}
	}
	if accepted < 10 {
		t.Fatalf("only %d variants accepted: the corpus does not exercise acceptance", accepted)
	}
}

func TestParseJWKKeepsKeyMaterial(t *testing.T) {
	primary := loadRSA(t, "primary", "key-1")
	k, err := parseJWK(mustJSON(t, primary.jwk()))
	if err != nil {
		t.Fatal(err)
	}
	if k.kid != "key-1" || !k.pub.Equal(&primary.priv.PublicKey) {
		t.Fatalf("parsed %s %v", k.kid, k.pub)
	}
	var pub *rsa.PublicKey = k.pub
	if pub.E != 65537 {
		t.Fatalf("e = %d", pub.E)
	}
}

// FuzzParseJWK: for any entry, parseJWK and jwkset agree.
func FuzzParseJWK(f *testing.F) {
	for _, raw := range jwkVariants(f) {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { sameJWKDecision(t, raw) })
}
