package fakeauth0

import (
	"slices"
)

// The default clients a Tenant registers when no WithClient option is given.
const (
	// DefaultReaderID is the client ID of the default client granted the
	// DefaultReaderScopes on the tenant's API.
	DefaultReaderID = "profile-reader"
	// DefaultReaderSecret is the client secret of DefaultReaderID.
	DefaultReaderSecret = "profile-reader-secret"
	// DefaultNoScopeID is the client ID of the default client granted the
	// tenant's API without any scope.
	DefaultNoScopeID = "no-scope-client"
	// DefaultNoScopeSecret is the client secret of DefaultNoScopeID.
	DefaultNoScopeSecret = "no-scope-secret"
)

// DefaultReaderScopes returns the scopes granted to DefaultReaderID.
func DefaultReaderScopes() []string { return []string{"get:profile", "read:messages"} }

// Client is a machine-to-machine application of the tenant together with its
// client grant: it may obtain tokens for Audience with Scopes.
type Client struct {
	// ID is the client_id. It must not be empty.
	ID string
	// Secret is the client_secret. A client with an empty secret can never
	// authenticate.
	Secret string
	// Name is the application's display name; it does not appear in tokens.
	Name string
	// Scopes are the scopes of the client grant, in order.
	Scopes []string
	// Audience is the API of the client grant; "" means the tenant's API.
	Audience string
}

// DefaultClients returns the clients a Tenant registers when no WithClient
// option is given: DefaultReaderID with DefaultReaderScopes, and
// DefaultNoScopeID with no scope, both granted the tenant's API.
func DefaultClients() []Client {
	return []Client{
		{ID: DefaultReaderID, Secret: DefaultReaderSecret, Name: "Profile Reader", Scopes: DefaultReaderScopes()},
		{ID: DefaultNoScopeID, Secret: DefaultNoScopeSecret, Name: "No Scope Client"},
	}
}

// AddClient registers c, replacing any client with the same ID. It panics if
// c.ID is empty.
func (t *Tenant) AddClient(c Client) {
	if c.ID == "" {
		panic("fakeauth0: AddClient: the client ID must not be empty")
	}
	c.Scopes = slices.Clone(c.Scopes)
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.clients[c.ID]; !ok {
		t.order = append(t.order, c.ID)
	}
	t.clients[c.ID] = c
}

// Clients returns the registered clients in the order they were first added.
func (t *Tenant) Clients() []Client {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]Client, 0, len(t.order))
	for _, id := range t.order {
		c := t.clients[id]
		c.Scopes = slices.Clone(c.Scopes)
		out = append(out, c)
	}
	return out
}

// client returns the registered client with that ID.
func (t *Tenant) client(id string) (Client, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	c, ok := t.clients[id]
	return c, ok
}

// grantAudience returns the API a client is granted.
func (t *Tenant) grantAudience(c Client) string {
	if c.Audience == "" {
		return t.audience
	}
	return c.Audience
}

// knownAPI reports whether identifier is an API of the tenant: its own API or
// the API of any client grant.
func (t *Tenant) knownAPI(identifier string) bool {
	if identifier == t.audience {
		return true
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, c := range t.clients {
		if c.Audience == identifier {
			return true
		}
	}
	return false
}
