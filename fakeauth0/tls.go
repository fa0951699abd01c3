package fakeauth0

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// caLifetime is how long a CA and the certificates it issues are valid.
// Tenants live for one test run; a day leaves room for clock skew.
const caLifetime = 24 * time.Hour

// CA is a certificate authority for tenants served over https (WithTLS).
// Real Auth0 tenants are only reachable over https, and code that builds
// "https://" + DOMAIN + "/.well-known/jwks.json" itself can only be tested
// against one; the code under test trusts the CA through a file holding
// PEM (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE), as it trusts
// a real tenant through the system's roots. A CA is safe for concurrent use.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

// NewCA generates a CA: a P-256 key and a self-signed CA certificate valid
// for a day.
func NewCA() (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("fakeauth0: CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serialNumber(),
		Subject:               pkix.Name{Organization: []string{"fakeauth0"}, CommonName: "fakeauth0 test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("fakeauth0: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("fakeauth0: CA certificate: %w", err)
	}
	return &CA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// PEM returns the CA certificate, PEM-encoded: the content of the file the
// code under test is told to trust.
func (ca *CA) PEM() []byte { return append([]byte(nil), ca.pem...) }

// CertPool returns a new pool holding the CA certificate, for the RootCAs of
// a client that talks to the tenant.
func (ca *CA) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	return pool
}

// issue signs a server certificate for the loopback names a tenant listens
// on: 127.0.0.1, ::1 and localhost.
func (ca *CA) issue() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("fakeauth0: server key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serialNumber(),
		Subject:      pkix.Name{Organization: []string{"fakeauth0"}, CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(caLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("fakeauth0: server certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}, nil
}

// serialNumber is a random 128-bit certificate serial number.
func serialNumber() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		// crypto/rand does not fail on Linux (it panics itself if it must).
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

// WithTLS serves the tenant over https with a certificate ca signs for
// 127.0.0.1 and localhost: URL, Issuer, JWKSURL and TokenURL then start with
// https://, and the discovery document and tokens say so. Clients must trust
// ca (CA.CertPool, CA.PEM). It panics in New if ca is nil.
func WithTLS(ca *CA) Option {
	return func(t *Tenant) {
		if ca == nil {
			panic("fakeauth0: WithTLS: the CA must not be nil")
		}
		t.ca = ca
	}
}
