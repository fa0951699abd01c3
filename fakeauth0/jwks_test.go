package fakeauth0_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

func TestJWKSShape(t *testing.T) {
	tenant := newTenant(t)
	k := tenant.SigningKey()
	resp, body := get(t, http.MethodGet, tenant.JWKSURL())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
		t.Errorf("Cache-Control = %q, want Auth0's max-age", cc)
	}
	if string(body) != string(tenant.JWKS()) {
		t.Errorf("served %s, JWKS() = %s", body, tenant.JWKS())
	}
	// Members and their order as Auth0 serves them.
	prefix := `{"keys":[{"kty":"RSA","use":"sig","n":"`
	if !strings.HasPrefix(string(body), prefix) {
		t.Errorf("JWKS = %s, want it to start %s", body, prefix)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 {
		t.Fatalf("%d keys, want 1", len(set.Keys))
	}
	if !sameClaims(set.Keys[0], k.JWK()) {
		t.Errorf("entry = %v, want %v", set.Keys[0], k.JWK())
	}
	if got := sortedKeys(set.Keys[0]); !slices.Equal(got, []string{"alg", "e", "kid", "kty", "n", "use", "x5c", "x5t"}) {
		t.Errorf("members = %v", got)
	}
	if keys := publishedKeys(t, tenant); len(keys) != 1 || !keys[k.ID].Equal(k.Public()) {
		t.Errorf("jwkset found %v", keys)
	}
}

func TestJWKSHead(t *testing.T) {
	tenant := newTenant(t)
	resp, body := get(t, http.MethodHead, tenant.JWKSURL())
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("HEAD = %d with %d bytes", resp.StatusCode, len(body))
	}
}

// TestRotation walks Auth0's key rotation: publish the next key, sign with
// it, retire the old one. A token verifies at each step if and only if its
// key is published.
func TestRotation(t *testing.T) {
	keys := testKeys()
	k1, k2 := keys[0], keys[1]
	now := time.Now()
	tenant := newTenant(t, fakeauth0.WithKey(k1), fakeauth0.WithClock(func() time.Time { return now }))

	steps := []struct {
		name          string
		do            func()
		wantPublished []string
		wantSigning   *fakeauth0.Key
	}{
		{"initial", func() {}, []string{k1.ID}, k1},
		{"publish next", func() { tenant.PublishKey(k2) }, []string{k1.ID, k2.ID}, k1},
		{"publish again is a no-op", func() { tenant.PublishKey(k2) }, []string{k1.ID, k2.ID}, k1},
		{"switch signing", func() { tenant.UseKey(k2) }, []string{k1.ID, k2.ID}, k2},
		{"retire old", func() { tenant.RetireKey(k1.ID) }, []string{k2.ID}, k2},
		{"retire unknown is a no-op", func() { tenant.RetireKey("nope") }, []string{k2.ID}, k2},
		{"use an unpublished key publishes it", func() { tenant.UseKey(k1) }, []string{k2.ID, k1.ID}, k1},
		{"retire the signing key", func() { tenant.RetireKey(k1.ID) }, []string{k2.ID}, k1},
	}
	var tokens []struct {
		kid, token string
	}
	for _, s := range steps {
		s.do()
		if got := tenant.PublishedKeyIDs(); !slices.Equal(got, s.wantPublished) {
			t.Fatalf("%s: published %v, want %v", s.name, got, s.wantPublished)
		}
		if tenant.SigningKey() != s.wantSigning {
			t.Fatalf("%s: signing with %s, want %s", s.name, tenant.SigningKey().ID, s.wantSigning.ID)
		}
		tokens = append(tokens, struct{ kid, token string }{s.wantSigning.ID, tenant.Token(fakeauth0.DefaultReaderID)})
		published := publishedKeys(t, tenant)
		for _, tok := range tokens {
			_, ok := published[tok.kid]
			if err := verifyErr(tenant, published, tok.token, now); (err == nil) != ok {
				t.Errorf("%s: token of %s verifies = %v, published = %v", s.name, tok.kid, err == nil, ok)
			}
		}
	}
}

func TestPublishRawEntries(t *testing.T) {
	tenant := newTenant(t)
	signing := tenant.SigningKey()
	enc := signing.JWK()
	enc["use"] = "enc"
	enc["kid"] = "enc-key"
	tenant.PublishRawJWK(enc)
	tenant.PublishRawJWK(map[string]any{"kty": "EC", "crv": "P-256", "x": "garbage", "kid": "ec-key"})
	tenant.PublishRawJSON([]byte(`"not an object"`))
	tenant.PublishRawJSON([]byte(`{"kid":"weird","kty":"RSA","n":42}`))

	if got, want := tenant.PublishedKeyIDs(), []string{signing.ID, "enc-key", "ec-key", "", "weird"}; !slices.Equal(got, want) {
		t.Fatalf("published %v, want %v", got, want)
	}
	_, body := get(t, http.MethodGet, tenant.JWKSURL())
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("JWKS with raw entries is not JSON: %v\n%s", err, body)
	}
	if len(set.Keys) != 5 || string(set.Keys[3]) != `"not an object"` || string(set.Keys[4]) != `{"kid":"weird","kty":"RSA","n":42}` {
		t.Errorf("keys = %s", body)
	}
	var encEntry map[string]any
	_ = json.Unmarshal(set.Keys[1], &encEntry)
	if encEntry["use"] != "enc" || encEntry["n"] != enc["n"] {
		t.Errorf("enc entry = %v", encEntry)
	}

	tenant.RetireKey("ec-key")
	tenant.RetireKey("weird")
	if got, want := tenant.PublishedKeyIDs(), []string{signing.ID, "enc-key", ""}; !slices.Equal(got, want) {
		t.Errorf("after retiring, published %v, want %v", got, want)
	}
}

func TestPublishRawRejectsWhatIsNotJSON(t *testing.T) {
	tenant := newTenant(t)
	cases := map[string]func(){
		"PublishRawJWK with a channel": func() { tenant.PublishRawJWK(map[string]any{"c": make(chan int)}) },
		"PublishRawJSON with garbage":  func() { tenant.PublishRawJSON([]byte(`{"kid":`)) },
		"UseKey with nil":              func() { tenant.UseKey(nil) },
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("did not panic")
				}
			}()
			fn()
		})
	}
	if got := tenant.PublishedKeyIDs(); len(got) != 1 {
		t.Errorf("published %v after refused entries", got)
	}
}
