package authorizer

import (
	"encoding/base64"
	"strings"
	"sync"
)

// b64url is the segment encoding of a compact JWS: base64url without
// padding, rejecting non-zero trailing bits (jwt/v5's WithStrictDecoding),
// so every segment has exactly one spelling. It is never modified.
var b64url = base64.RawURLEncoding.Strict()

// splitCompact splits a compact JWS into its three segments; ok is false
// unless the token holds exactly two dots.
func splitCompact(token string) (header, payload, signature string, ok bool) {
	header, rest, ok := strings.Cut(token, ".")
	if !ok {
		return "", "", "", false
	}
	payload, signature, ok = strings.Cut(rest, ".")
	if !ok || strings.IndexByte(signature, '.') >= 0 {
		return "", "", "", false
	}
	return header, payload, signature, true
}

// decodeSegment decodes the base64url segment seg into the start of dst,
// which must hold b64url.DecodedLen(len(seg)) bytes.
func decodeSegment(dst []byte, seg string) ([]byte, bool) {
	n, err := b64url.Decode(dst[:b64url.DecodedLen(len(seg))], []byte(seg))
	return dst[:n], err == nil
}

// scratchPool hands out byte buffers for one verification (the signing
// input, the decoded header, payload and signature). Nothing that outlives
// Verify points into a buffer: claim strings come from a copy of the payload.
type scratchPool struct{ pool sync.Pool }

// minScratch is the smallest buffer handed out, enough for typical tokens.
const minScratch = 4096

// get returns a buffer of at least n bytes.
func (p *scratchPool) get(n int) *[]byte {
	if b, ok := p.pool.Get().(*[]byte); ok && cap(*b) >= n {
		return b
	}
	b := make([]byte, max(n, minScratch))
	return &b
}

// put returns b to the pool.
func (p *scratchPool) put(b *[]byte) { p.pool.Put(b) }

// jwsHeader holds where the header members the verifier looks at are; a
// zero span means absent. A repeated member counts once, with its last
// value, as encoding/json decodes it.
type jwsHeader struct {
	alg, kid span
	crit     bool
}

// readHeader validates a decoded JOSE header and locates alg, kid and crit.
// ok is false unless the header is valid JSON, an object, and holds only
// numbers that fit a float64 (jwt/v5 fails to decode it otherwise).
func readHeader(doc []byte) (h jwsHeader, ok bool) {
	first := scanJSON(doc, true, func(name, value span) {
		switch {
		case nameIs(doc, name, "alg"):
			h.alg = value
		case nameIs(doc, name, "kid"):
			h.kid = value
		case nameIs(doc, name, "crit"):
			h.crit = true
		}
	})
	return h, first == '{'
}
