package fakeauth0_test

import (
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"testing"

	"github.com/MicahParks/jwkset"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

func TestNewKey(t *testing.T) {
	cases := []struct {
		name    string
		bits    int
		wantErr bool
	}{
		{"1024 bits", 1024, false},
		{"2048 bits", 2048, false},
		{"too small", 512, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := fakeauth0.NewKey(c.bits)
			if c.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.Private.N.BitLen() != c.bits {
				t.Errorf("modulus = %d bits, want %d", k.Private.N.BitLen(), c.bits)
			}
			if len(k.ID) != 22 {
				t.Errorf("kid %q: want 22 base64url characters", k.ID)
			}
			pub, ok := k.Cert.PublicKey.(*rsa.PublicKey)
			if !ok || !pub.Equal(k.Public()) {
				t.Error("the certificate does not hold the key's public key")
			}
			if err := k.Cert.CheckSignatureFrom(k.Cert); err != nil {
				t.Errorf("the certificate is not self-signed: %v", err)
			}
			sum := sha1.Sum(k.Cert.Raw)
			if got, want := k.Thumbprint(), base64.RawURLEncoding.EncodeToString(sum[:]); got != want {
				t.Errorf("Thumbprint = %q, want %q", got, want)
			}
			checkJWKWithJwkset(t, k.JWK(), k)
		})
	}
}

func TestKeyIDsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range testKeys() {
		if seen[k.ID] {
			t.Errorf("duplicate kid %q", k.ID)
		}
		seen[k.ID] = true
	}
}

func TestKeyJWKShape(t *testing.T) {
	k := testKeys()[0]
	jwk := k.JWK()
	want := map[string]any{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": k.ID, "e": "AQAB",
		"n":   base64.RawURLEncoding.EncodeToString(k.Public().N.Bytes()),
		"x5t": k.Thumbprint(),
		"x5c": []string{base64.StdEncoding.EncodeToString(k.Cert.Raw)},
	}
	if !sameClaims(jwk, want) {
		t.Errorf("JWK() = %v, want %v", jwk, want)
	}
}

func TestKeyPublicPEM(t *testing.T) {
	k := testKeys()[0]
	block, rest := pem.Decode(k.PublicPEM())
	if block == nil || block.Type != "PUBLIC KEY" || len(rest) != 0 {
		t.Fatalf("PublicPEM = %q", k.PublicPEM())
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if rsaPub, ok := pub.(*rsa.PublicKey); !ok || !rsaPub.Equal(k.Public()) {
		t.Error("PublicPEM does not hold the public key")
	}
}

// checkJWKWithJwkset checks that jwkset, with its default validation, accepts
// the JWK and finds k's public key in it.
func checkJWKWithJwkset(t *testing.T, jwk map[string]any, k *fakeauth0.Key) {
	t.Helper()
	raw, err := json.Marshal(jwk)
	if err != nil {
		t.Fatal(err)
	}
	var m jwkset.JWKMarshal
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	parsed, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
	if err != nil {
		t.Fatalf("jwkset rejects the JWK: %v", err)
	}
	pub, ok := parsed.Key().(*rsa.PublicKey)
	if !ok || !pub.Equal(k.Public()) {
		t.Errorf("jwkset's key = %T, want the key's public key", parsed.Key())
	}
	if got := parsed.Marshal().X5T; got != k.Thumbprint() {
		t.Errorf("jwkset's x5t = %q, want %q", got, k.Thumbprint())
	}
}
