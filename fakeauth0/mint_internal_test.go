package fakeauth0

import (
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// TestES256UsesTheTenantsP256Key verifies ES256 signatures with the P-256 key
// the tenant keeps unexported, and that the key is generated once.
func TestES256UsesTheTenantsP256Key(t *testing.T) {
	key, err := NewKey(1024) // small: only the P-256 key matters here
	if err != nil {
		t.Fatal(err)
	}
	tenant := New(WithKey(key))
	defer tenant.Close()

	for range 2 {
		compact := tenant.Mint(map[string]any{"sub": "x"}, Algorithm(AlgES256))
		i := strings.LastIndex(compact, ".")
		sig, err := jwt.NewParser().DecodeSegment(compact[i+1:])
		if err != nil {
			t.Fatal(err)
		}
		if err := jwt.SigningMethodES256.Verify(compact[:i], sig, &tenant.ecdsaKey().PublicKey); err != nil {
			t.Errorf("ES256 signature does not verify with the tenant's P-256 key: %v", err)
		}
	}
	first := tenant.ecdsaKey()
	if tenant.ecdsaKey() != first {
		t.Error("the P-256 key is generated more than once")
	}
}
