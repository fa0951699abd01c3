package fakeauth0

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// keyCommonName is the subject of the self-signed certificate of a Key, as
// Auth0 names its certificates after the tenant.
const keyCommonName = "fakeauth0.serverless-auth.test"

// certValidity is how long the self-signed certificate of a Key is valid.
const certValidity = 10 * 365 * 24 * time.Hour

// Key is an RSA signing key with the self-signed certificate Auth0 publishes
// with it (x5c, x5t). A Key must not be modified once it is in use.
type Key struct {
	// ID is the key ID (kid).
	ID string
	// Private is the RSA private key.
	Private *rsa.PrivateKey
	// Cert is the self-signed certificate of the public key.
	Cert *x509.Certificate
}

// NewKey generates an RSA key of the given size, a random key ID and a
// self-signed certificate for it. Sizes below 1024 bits are refused by
// crypto/rsa.
func NewKey(bits int) (*Key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("fakeauth0: generating a %d-bit RSA key: %w", bits, err)
	}
	return NewKeyFrom(priv)
}

// NewKeyFrom wraps an existing RSA private key with a random key ID and a
// self-signed certificate.
func NewKeyFrom(priv *rsa.PrivateKey) (*Key, error) {
	kid := make([]byte, 16)
	if _, err := rand.Read(kid); err != nil {
		return nil, fmt.Errorf("fakeauth0: generating a key ID: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("fakeauth0: generating a certificate serial number: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: keyCommonName},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("fakeauth0: creating the self-signed certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("fakeauth0: parsing the self-signed certificate: %w", err)
	}
	return &Key{ID: base64.RawURLEncoding.EncodeToString(kid), Private: priv, Cert: cert}, nil
}

// Public returns the RSA public key.
func (k *Key) Public() *rsa.PublicKey { return &k.Private.PublicKey }

// PublicPEM returns the public key as a PEM "PUBLIC KEY" block (PKIX), the
// bytes an algorithm-confusion attack uses as an HMAC secret.
func (k *Key) PublicPEM() []byte {
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		// An *rsa.PublicKey always marshals.
		panic(fmt.Sprintf("fakeauth0: marshalling an RSA public key: %v", err))
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Thumbprint returns x5t: the base64url SHA-1 of the certificate's DER bytes.
func (k *Key) Thumbprint() string {
	sum := sha1.Sum(k.Cert.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// JWK returns the public key as the JWKS entry Auth0 publishes for it, as a
// map a test may alter and give to PublishRawJWK.
func (k *Key) JWK() map[string]any {
	j := k.jwk()
	return map[string]any{
		"kty": j.Kty, "use": j.Use, "n": j.N, "e": j.E,
		"kid": j.Kid, "x5t": j.X5t, "x5c": j.X5c, "alg": j.Alg,
	}
}

// publicJWK is an Auth0 JWKS entry, its members in Auth0's order.
type publicJWK struct {
	Kty string   `json:"kty"`
	Use string   `json:"use"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	Kid string   `json:"kid"`
	X5t string   `json:"x5t"`
	X5c []string `json:"x5c"`
	Alg string   `json:"alg"`
}

func (k *Key) jwk() publicJWK {
	pub := k.Public()
	return publicJWK{
		Kty: "RSA",
		Use: "sig",
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		Kid: k.ID,
		X5t: k.Thumbprint(),
		X5c: []string{base64.StdEncoding.EncodeToString(k.Cert.Raw)},
		Alg: "RS256",
	}
}
