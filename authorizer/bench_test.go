package authorizer

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
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
	benchRSA(b, f, f.token(b))
}

// benchRSA measures sha256 and rsa.VerifyPKCS1v15 over tok's signing input
// with the fixture key.
func benchRSA(b *testing.B, f *fixture, tok string) {
	b.Helper()
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

// BenchmarkHandler is one invocation as the Lambda runtime makes it with
// lambda.Start(a.Authorize): event JSON in, response JSON out through
// aws-lambda-go's handler, with the decision line written as JSON (to
// io.Discard).
func BenchmarkHandler(b *testing.B) {
	f := newFixture(b, nil)
	f.a.logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	payload, err := json.Marshal(tokenEvent("Bearer " + f.token(b)))
	if err != nil {
		b.Fatal(err)
	}
	h := lambda.NewHandler(f.a.Authorize)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// scaleTokenSizes and scaleKeySets are the points of BenchmarkVerifyScale.
var (
	scaleTokenSizes = []int{1 << 10, 2 << 10, 4 << 10, 8 << 10, 16 << 10}
	scaleKeySets    = []int{1, 10, 25, 50}
)

// BenchmarkVerifyScale: how Verify's cost grows with the token's size (a
// large permissions array, 1 KB to 16 KB, MaxTokenBytes raised to the
// maximum) and with the size of the key set (1 to 50 keys, the token's key
// last), each beside the raw RSA check of the same signing input.
func BenchmarkVerifyScale(b *testing.B) {
	f := newFixture(b, func(c *Config) { c.MaxTokenBytes = MaxMaxTokenBytes })
	for _, size := range scaleTokenSizes {
		tok := sizedToken(b, f, size)
		b.Run(fmt.Sprintf("token=%dKB/verify", size>>10), func(b *testing.B) { benchVerify(b, f.a, tok) })
		b.Run(fmt.Sprintf("token=%dKB/raw", size>>10), func(b *testing.B) { benchRSA(b, f, tok) })
	}
	for _, n := range scaleKeySets {
		keys := make([]map[string]any, n)
		for i := range keys {
			keys[i] = rsaKey{kid: fmt.Sprintf("key-%d", i+1), priv: f.key.priv}.jwk()
		}
		// The same modulus under n kids: lookups depend on the kid only.
		g := newFixture(b, nil, keys...)
		last := rsaKey{kid: fmt.Sprintf("key-%d", n), priv: g.key.priv}
		tok := mint(b, last, nil, g.claims())
		b.Run(fmt.Sprintf("keys=%d/verify", n), func(b *testing.B) { benchVerify(b, g.a, tok) })
	}
}

func benchVerify(b *testing.B, a *Authorizer, tok string) {
	b.Helper()
	ctx := context.Background()
	if _, err := a.Verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// sizedToken mints a valid token of about size bytes by filling a
// permissions array.
func sizedToken(t testing.TB, f *fixture, size int) string {
	t.Helper()
	c := f.claims()
	var perms []string
	for i := 0; ; i++ {
		c["permissions"] = perms
		if tok := mint(t, f.key, nil, c); len(tok) >= size {
			return tok
		}
		perms = append(perms, fmt.Sprintf("read:resource-%04d", i))
	}
}
