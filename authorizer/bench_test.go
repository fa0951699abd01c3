package authorizer

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// BenchmarkVerify is a warm verification: a valid token, keys cached,
// through Verify (parse, key lookup, RS256 check, claim validation).
func BenchmarkVerify(b *testing.B) {
	f := newFixture(b, nil)
	tok := f.token(b)
	ctx := context.Background()
	if _, err := f.a.Verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.a.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRSAVerify is the floor: rsa.VerifyPKCS1v15 on the same key and
// signing input as BenchmarkVerify (hashing included).
func BenchmarkRSAVerify(b *testing.B) {
	f := newFixture(b, nil)
	tok := f.token(b)
	i := strings.LastIndexByte(tok, '.')
	input := []byte(tok[:i])
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		b.Fatal(err)
	}
	pub := &f.key.priv.PublicKey
	b.ReportAllocs()
	for b.Loop() {
		digest := sha256.Sum256(input)
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthorize is a warm Authorize call with an allow decision
// (logging to a discarded handler).
func BenchmarkAuthorize(b *testing.B) {
	f := newFixture(b, nil)
	f.a.logger = discardLogger()
	ev := tokenEvent("Bearer " + f.token(b))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.a.Authorize(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRejectOversized shows an oversized header is refused before any
// decoding.
func BenchmarkRejectOversized(b *testing.B) {
	f := newFixture(b, nil)
	f.a.logger = discardLogger()
	ev := tokenEvent("Bearer " + strings.Repeat("a", MaxMaxTokenBytes))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.a.Authorize(ctx, ev); err != ErrUnauthorized {
			b.Fatal(err)
		}
	}
}
