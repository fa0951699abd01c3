package authorizer

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"net/url"
	"slices"
	"strings"
)

// jwkFields are the members of a JWKS entry, decoded exactly as
// jwkset.JWKMarshal decodes them: same names, same JSON types.
type jwkFields struct {
	KTY     string   `json:"kty,omitempty"`
	USE     string   `json:"use,omitempty"`
	KEYOPS  []string `json:"key_ops,omitempty"`
	ALG     string   `json:"alg,omitempty"`
	KID     string   `json:"kid,omitempty"`
	X5U     string   `json:"x5u,omitempty"`
	X5C     []string `json:"x5c,omitempty"`
	X5T     string   `json:"x5t,omitempty"`
	X5TS256 string   `json:"x5t#S256,omitempty"`
	CRV     string   `json:"crv,omitempty"`
	X       string   `json:"x,omitempty"`
	Y       string   `json:"y,omitempty"`
	D       string   `json:"d,omitempty"`
	N       string   `json:"n,omitempty"`
	E       string   `json:"e,omitempty"`
	P       string   `json:"p,omitempty"`
	Q       string   `json:"q,omitempty"`
	DP      string   `json:"dp,omitempty"`
	DQ      string   `json:"dq,omitempty"`
	QI      string   `json:"qi,omitempty"`
	OTH     []struct {
		R string `json:"r,omitempty"`
		D string `json:"d,omitempty"`
		T string `json:"t,omitempty"`
	} `json:"oth,omitempty"`
	K string `json:"k,omitempty"`
}

// usableKey is a JWKS key the verifier accepts: an RSA signing key for
// RS256, with its kid.
type usableKey struct {
	kid string
	pub *rsa.PublicKey
}

// parseJWK reads one JWKS entry and applies the usable-key policy (see
// keyPolicy). It accepts exactly the entries that jwkset v0.11.4's
// NewJWKFromRawJSON (public material, default validation: registered use and
// key_ops, x5c certificates that parse and hold the same key, x5t and
// x5t#S256 that are their thumbprints, an https x5u; private and other key
// types' members are ignored) accepts and the policy keeps; the package's tests check this
// against jwkset itself. Reading RSA keys only, it links none of jwkset's
// general-purpose key code into the function's binary.
func parseJWK(raw []byte) (usableKey, error) {
	var f jwkFields
	if err := json.Unmarshal(raw, &f); err != nil {
		return usableKey{}, err
	}
	if f.KTY != "RSA" {
		return usableKey{}, errors.New("not an RSA key")
	}
	if f.N == "" || f.E == "" {
		return usableKey{}, errors.New(`"n" and "e" are required`)
	}
	n, errN := paddedB64(f.N)
	e, errE := paddedB64(f.E)
	if errN != nil || errE != nil {
		return usableKey{}, errors.New(`"n" or "e" is not base64url`)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n)}
	// jwkset keeps the low 64 bits as an int, then requires 2..MaxInt32 and
	// that the value marshals back to the same integer.
	ev := new(big.Int).SetBytes(e)
	if !ev.IsInt64() || ev.Int64() < 2 || ev.Int64() > math.MaxInt32 {
		return usableKey{}, errors.New(`"e" is out of range`)
	}
	pub.E = int(ev.Int64())

	switch f.USE {
	case "", "sig", "enc":
	default:
		return usableKey{}, errors.New(`unregistered "use"`)
	}
	for _, op := range f.KEYOPS {
		switch op {
		case "sign", "verify", "encrypt", "decrypt", "wrapKey", "unwrapKey", "deriveKey", "deriveBits":
		default:
			return usableKey{}, errors.New(`unregistered "key_ops"`)
		}
	}
	if err := checkX509(&f, pub); err != nil {
		return usableKey{}, err
	}
	if f.X5U != "" {
		u, err := url.ParseRequestURI(f.X5U)
		if err != nil || u.Scheme != "https" {
			return usableKey{}, errors.New(`"x5u" is not an https URL`)
		}
	}
	k := usableKey{kid: f.KID, pub: pub}
	return k, keyPolicy(f.USE, f.ALG, f.KEYOPS, k)
}

// checkX509 checks the x5c chain of f (its first certificate must hold pub)
// and, when there is one, the x5t and x5t#S256 thumbprints.
func checkX509(f *jwkFields, pub *rsa.PublicKey) error {
	if len(f.X5C) == 0 {
		return nil
	}
	certs := make([]*x509.Certificate, len(f.X5C))
	for i, c := range f.X5C {
		der, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			return errors.New(`"x5c" is not base64`)
		}
		if certs[i], err = x509.ParseCertificate(der); err != nil {
			return errors.New(`"x5c" holds a certificate that does not parse`)
		}
	}
	certPub, ok := certs[0].PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(certPub) {
		return errors.New(`"x5c" certifies another key`)
	}
	sum1, sum256 := sha1.Sum(certs[0].Raw), sha256.Sum256(certs[0].Raw)
	for _, t := range []struct {
		given string
		want  []byte
	}{{f.X5T, sum1[:]}, {f.X5TS256, sum256[:]}} {
		if t.given == "" {
			continue
		}
		if got, err := paddedB64(t.given); err != nil || !bytes.Equal(got, t.want) {
			return errors.New("thumbprint does not match x5c")
		}
	}
	return nil
}

// paddedB64 decodes base64url, tolerating trailing "=" as jwkset does.
func paddedB64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// keyPolicy keeps only RS256 signing keys: use "sig" (or none), alg
// "RS256" (or none), key_ops holding "verify" (or none), a kid, a
// 2048..8192-bit modulus and an odd public exponent of at least 3.
func keyPolicy(use, alg string, keyOps []string, k usableKey) error {
	switch {
	case use != "" && use != "sig":
		return errors.New(`use is not "sig"`)
	case alg != "" && alg != algRS256:
		return errors.New(`alg is not "RS256"`)
	case len(keyOps) > 0 && !slices.Contains(keyOps, "verify"):
		return errors.New(`key_ops lacks "verify"`)
	case k.kid == "":
		return errors.New("no kid")
	case k.pub.N == nil || k.pub.N.BitLen() < minRSABits || k.pub.N.BitLen() > maxRSABits:
		return errors.New("modulus size out of range")
	case k.pub.E < 3 || k.pub.E%2 == 0:
		return errors.New("bad public exponent")
	}
	return nil
}
