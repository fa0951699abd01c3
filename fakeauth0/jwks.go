package fakeauth0

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

// jwksCacheControl is the Cache-Control Auth0 sends with its JWKS and
// discovery document.
const jwksCacheControl = "public, max-age=15, stale-while-revalidate=15, stale-if-error=86400"

// jwksEntry is one member of the published keys array: a Key, or raw JSON.
type jwksEntry struct {
	kid string
	key *Key
	raw json.RawMessage
}

// SigningKey returns the key that signs issued and minted tokens.
func (t *Tenant) SigningKey() *Key {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.signing
}

// PublishKey adds k to the JWKS, after the keys already there, without
// signing with it: rotation step 1. Publishing a published key does nothing.
func (t *Tenant) PublishKey(k *Key) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.publishLocked(k)
}

// UseKey makes k the signing key, publishing it first if it is not yet in the
// JWKS: rotation step 2.
func (t *Tenant) UseKey(k *Key) {
	if k == nil || k.Private == nil || k.Cert == nil {
		panic("fakeauth0: UseKey: the key must have a private key and a certificate")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.publishLocked(k)
	t.signing = k
}

// RetireKey removes every JWKS entry whose kid is kid, keys and raw entries
// alike: rotation step 3. Retiring the signing key leaves it signing, which
// makes the tenant issue tokens no verifier can check.
func (t *Tenant) RetireKey(kid string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entries = slices.DeleteFunc(t.entries, func(e jwksEntry) bool { return e.kid == kid })
}

// PublishRawJWK adds an arbitrary entry to the JWKS: a key for encryption, an
// EC key, a 1024-bit RSA key, an entry with garbage members. A string "kid"
// member makes the entry retirable with RetireKey. It panics if jwk does not
// marshal to JSON.
func (t *Tenant) PublishRawJWK(jwk map[string]any) {
	raw, err := json.Marshal(jwk)
	if err != nil {
		panic(fmt.Sprintf("fakeauth0: PublishRawJWK: %v", err))
	}
	kid, _ := jwk["kid"].(string)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entries = append(t.entries, jwksEntry{kid: kid, raw: raw})
}

// PublishRawJSON adds any JSON value as an entry of the keys array, such as a
// string, a number or null. It panics if entry is not valid JSON.
func (t *Tenant) PublishRawJSON(entry []byte) {
	if !json.Valid(entry) {
		panic("fakeauth0: PublishRawJSON: the entry is not valid JSON")
	}
	var probe struct {
		Kid string `json:"kid"`
	}
	_ = json.Unmarshal(entry, &probe)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entries = append(t.entries, jwksEntry{kid: probe.Kid, raw: bytes.Clone(entry)})
}

// PublishedKeyIDs returns the kid of every JWKS entry, in order ("" for an
// entry without one).
func (t *Tenant) PublishedKeyIDs() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	ids := make([]string, len(t.entries))
	for i, e := range t.entries {
		ids[i] = e.kid
	}
	return ids
}

// JWKS returns the JSON Web Key Set the tenant serves when no fault is set.
func (t *Tenant) JWKS() []byte {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.jwksLocked()
}

func (t *Tenant) publishLocked(k *Key) {
	for _, e := range t.entries {
		if e.key == k {
			return
		}
	}
	t.entries = append(t.entries, jwksEntry{kid: k.ID, key: k})
}

func (t *Tenant) jwksLocked() []byte {
	var b bytes.Buffer
	b.WriteString(`{"keys":[`)
	for i, e := range t.entries {
		if i > 0 {
			b.WriteByte(',')
		}
		if e.key != nil {
			raw, err := json.Marshal(e.key.jwk())
			if err != nil {
				panic(fmt.Sprintf("fakeauth0: marshalling a JWK: %v", err))
			}
			b.Write(raw)
			continue
		}
		b.Write(e.raw)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// serveJWKS answers GET /.well-known/jwks.json, applying the JWKS fault if
// one is set.
func (t *Tenant) serveJWKS(w http.ResponseWriter, r *http.Request) {
	t.jwksRequests.Add(1)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		serveNotFound(w, r)
		return
	}
	t.mu.RLock()
	body := t.jwksLocked()
	var fault *Fault
	if t.fault != nil {
		f := *t.fault
		fault = &f
	}
	t.mu.RUnlock()

	status := http.StatusOK
	if fault != nil {
		var ok bool
		if status, body, ok = t.applyFault(w, r, *fault, body); !ok {
			return
		}
	}
	if status == http.StatusOK {
		w.Header().Set("Cache-Control", jwksCacheControl)
	}
	writeJSON(w, status, body)
}
