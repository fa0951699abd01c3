package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

// printBanner tells a first-time user what runs where and gives them curl
// commands that work as printed: tokens are minted fresh at start.
func printBanner(w io.Writer, s *stack) error {
	outsider, err := fakeauth0.NewKey(2048)
	if err != nil {
		return fmt.Errorf("generating the forged example's key: %w", err)
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	api := s.api
	p("serverless-auth local stack, design %s (Ctrl-C to stop)", s.design)
	p("")
	p("  API Gateway (fake):  %s   %s", s.url, s.route)
	p("  Auth0 tenant (fake): %s", s.tenant.URL)
	p("")
	switch s.design {
	case designJWT:
		p("The JWT authorizer (from deploy/httpapi.yaml, API JwtApi; API Gateway checks the token itself):")
		for _, k := range slices.Sorted(maps.Keys(s.env)) {
			p("  %s: %s", k, s.env[k])
		}
	default:
		template := "deploy/template.yaml"
		if s.design == designLambda {
			template = "deploy/httpapi.yaml, API LambdaApi"
		}
		p("The authorizer's environment (from %s):", template)
		for _, k := range slices.Sorted(maps.Keys(s.env)) {
			p("  %s=%s", k, s.env[k])
		}
	}
	p("")
	p("Demo clients (machine-to-machine applications of the tenant):")
	for _, c := range s.tenant.Clients() {
		scopes := strings.Join(c.Scopes, " ")
		if scopes == "" {
			scopes = "(no scope)"
		}
		p("  %-16s secret %-22s scopes %s", c.ID, c.Secret, scopes)
	}
	p("")
	p("Get a token as each client (client credentials, as with Auth0):")
	for _, c := range s.tenant.Clients() {
		p("  curl -s %s -H 'Content-Type: application/json' -d '{\"grant_type\":\"client_credentials\",\"client_id\":\"%s\",\"client_secret\":\"%s\",\"audience\":\"%s\"}'",
			s.tenant.TokenURL(), c.ID, c.Secret, s.tenant.Audience())
	}
	p("")
	p("Call the API (tokens minted now, valid for 24 hours):")
	p("  # 200 {\"name\":\"Daniël\"}: a token with scope get:profile")
	p("  curl -i %s/profile -H 'Authorization: Bearer %s'", api, s.tenant.Token(fakeauth0.DefaultReaderID))
	switch s.design {
	case designJWT:
		p("  # 403 {\"message\":\"Forbidden\"}: a valid token without the route's scope (API Gateway refuses it)")
	default:
		p("  # 403 Forbidden: a valid token without the scope (the profile function refuses it)")
	}
	p("  curl -i %s/profile -H 'Authorization: Bearer %s'", api, s.tenant.Token(fakeauth0.DefaultNoScopeID))
	p("  # 401 Unauthorized: no token (the authorizer is not even invoked)")
	p("  curl -i %s/profile", api)
	switch s.design {
	case designJWT:
		p("  # 401 Unauthorized, www-authenticate naming the reason: a token signed by a key the tenant never published")
	case designLambda:
		p("  # 403 {\"message\":\"Forbidden\"}: a token signed by a key the tenant never published ({\"isAuthorized\":false})")
	default:
		p("  # 401 Unauthorized: a token signed by a key the tenant never published")
	}
	forged := s.tenant.Mint(s.tenant.Claims(fakeauth0.DefaultReaderID), fakeauth0.SignedWith(outsider))
	p("  curl -i %s/profile -H 'Authorization: Bearer %s'", api, forged)
	p("")
	p("One line per request follows: method, path, status, the authorizer's decision (reason), latency, cache.")
	return nil
}
