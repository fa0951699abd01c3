package fakeauth0_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// TestTLSTenant checks that a tenant served with WithTLS answers on https
// with a certificate its CA signs, and that every URL it hands out, the
// discovery document and the tokens' iss say https.
func TestTLSTenant(t *testing.T) {
	ca, err := fakeauth0.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	tenant := newTenant(t, fakeauth0.WithTLS(ca))
	for name, u := range map[string]string{"URL": tenant.URL, "Issuer": tenant.Issuer(), "JWKSURL": tenant.JWKSURL(), "TokenURL": tenant.TokenURL()} {
		if !strings.HasPrefix(u, "https://127.0.0.1:") {
			t.Errorf("%s = %q, want https://127.0.0.1:PORT…", name, u)
		}
	}

	trusting := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.CertPool()}}}
	resp, err := trusting.Get(tenant.DiscoveryURL())
	if err != nil {
		t.Fatalf("GET discovery with the CA trusted: %v", err)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	err = json.NewDecoder(resp.Body).Decode(&doc)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if doc.Issuer != tenant.Issuer() || doc.JWKSURI != tenant.JWKSURL() {
		t.Errorf("discovery says issuer %q, jwks_uri %q; want %q, %q", doc.Issuer, doc.JWKSURI, tenant.Issuer(), tenant.JWKSURL())
	}

	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tenant.Token(fakeauth0.DefaultReaderID), claims); err != nil {
		t.Fatal(err)
	}
	if claims["iss"] != tenant.Issuer() {
		t.Errorf("iss = %v, want %q", claims["iss"], tenant.Issuer())
	}

	_, err = httpClient.Get(tenant.JWKSURL())
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("GET without the CA trusted: err = %v, want an x509.UnknownAuthorityError", err)
	}
}

// TestCAPEM checks that the PEM is one CA certificate, the file a function
// is told to trust.
func TestCAPEM(t *testing.T) {
	ca, err := fakeauth0.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	block, rest := pem.Decode(ca.PEM())
	if block == nil || block.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) != 0 {
		t.Fatalf("PEM is not exactly one CERTIFICATE block:\n%s", ca.PEM())
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !cert.IsCA || cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("IsCA = %v, KeyUsage = %b: not a CA certificate", cert.IsCA, cert.KeyUsage)
	}
}

// TestWithTLSNil checks that a nil CA is refused in New with a clear panic.
func TestWithTLSNil(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "WithTLS") {
			t.Errorf("recover() = %v, want a panic naming WithTLS", r)
		}
	}()
	fakeauth0.New(fakeauth0.WithTLS(nil))
}
