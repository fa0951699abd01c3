// Package fakeauth0 is a fake Auth0 tenant that runs on net/http/httptest and
// behaves like Auth0 on the wire.
//
// A Tenant serves the endpoints a resource server and a machine-to-machine
// client talk to:
//
//	GET  /.well-known/jwks.json            the signing keys, in Auth0's shape
//	GET  /.well-known/openid-configuration the discovery document
//	POST /oauth/token                      the client-credentials grant
//
// and lets a test do what a real tenant cannot: mint any token (including
// hostile ones), rotate keys step by step, publish odd JWKS entries, fault the
// JWKS endpoint, count requests and control the clock.
//
// Use it the way httptest.Server is used:
//
//	tenant := fakeauth0.New()
//	defer tenant.Close()
//	token := tenant.Token(fakeauth0.DefaultReaderID)
//	// configure the code under test with tenant.JWKSURL(), tenant.Issuer(), tenant.Audience()
//
// Every method of Tenant is safe for concurrent use.
package fakeauth0
