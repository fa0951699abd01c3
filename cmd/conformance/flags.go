package main

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"text/template"

	"github.com/serverless-auth/serverless-auth/scenarios"
)

// caFileVariables are the variables -tls sets to the CA file: the ones
// Go and OpenSSL (SSL_CERT_FILE), Node.js (NODE_EXTRA_CA_CERTS) and Python's
// requests (REQUESTS_CA_BUNDLE) read.
var caFileVariables = []string{"SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE"}

// tenantValues are the fields an -env template may use, for the tenant
// whose JWKS_URI, TOKEN_ISSUER and AUDIENCE are in env: those three, DOMAIN
// (the issuer's host:port, for code that builds https://DOMAIN/... itself)
// and CA_FILE (the -tls CA file, "" without -tls).
func tenantValues(env map[string]string, caFile string) map[string]string {
	domain := ""
	if u, err := url.Parse(env["TOKEN_ISSUER"]); err == nil {
		domain = u.Host
	}
	return map[string]string{
		"JWKS_URI":     env["JWKS_URI"],
		"TOKEN_ISSUER": env["TOKEN_ISSUER"],
		"AUDIENCE":     env["AUDIENCE"],
		"DOMAIN":       domain,
		"CA_FILE":      caFile,
	}
}

// templateFields lists the fields of tenantValues as template actions.
func templateFields() []string {
	var fields []string
	for _, k := range slices.Sorted(maps.Keys(tenantValues(nil, ""))) {
		fields = append(fields, "{{."+k+"}}")
	}
	return fields
}

// envEntry is one -env KEY=TEMPLATE.
type envEntry struct {
	key  string
	text string
	tmpl *template.Template
}

// envFlag collects repeated -env KEY=TEMPLATE flags.
type envFlag []envEntry

// String returns the flags as given.
func (e *envFlag) String() string {
	parts := make([]string, len(*e))
	for i, entry := range *e {
		parts[i] = entry.key + "=" + entry.text
	}
	return strings.Join(parts, " ")
}

// Set parses KEY=TEMPLATE and checks the template against every field a
// tenant has, so that a misspelt field fails here rather than at a start.
func (e *envFlag) Set(v string) error {
	k, text, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q is not KEY=VALUE", v)
	}
	tmpl, err := template.New(k).Option("missingkey=error").Parse(text)
	if err != nil {
		return fmt.Errorf("%s: %w", k, err)
	}
	sample := tenantValues(map[string]string{"TOKEN_ISSUER": "https://127.0.0.1:1/"}, "/tmp/ca.pem")
	if err := tmpl.Execute(new(strings.Builder), sample); err != nil {
		return fmt.Errorf("%s: %w (the fields are %s)", k, err, strings.Join(templateFields(), ", "))
	}
	*e = append(*e, envEntry{key: k, text: text, tmpl: tmpl})
	return nil
}

// render returns every entry's value for one tenant.
func (e envFlag) render(values map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(e))
	for _, entry := range e {
		var b strings.Builder
		if err := entry.tmpl.Execute(&b, values); err != nil {
			return nil, fmt.Errorf("-env %s: %w", entry.key, err)
		}
		out[entry.key] = b.String()
	}
	return out, nil
}

// skipFlag collects repeated -skip ID=reason flags.
type skipFlag map[string]string

// String returns the flags, sorted by ID.
func (s *skipFlag) String() string {
	var parts []string
	for _, id := range slices.Sorted(maps.Keys(*s)) {
		parts = append(parts, id+"="+(*s)[id])
	}
	return strings.Join(parts, " ")
}

// Set parses ID=reason; ID is a catalogue ID or a family of one.
func (s *skipFlag) Set(v string) error {
	id, reason, ok := strings.Cut(v, "=")
	id, reason = strings.TrimSpace(id), strings.TrimSpace(reason)
	if !ok || id == "" || reason == "" {
		return fmt.Errorf("%q is not ID=reason (a scenario ID or family, and why it does not apply)", v)
	}
	if _, known := scenarios.Lookup(id); !known && !isFamily(id) {
		return fmt.Errorf("%q is neither a scenario ID nor a family of the catalogue", id)
	}
	if *s == nil {
		*s = skipFlag{}
	}
	(*s)[id] = reason
	return nil
}

// reasons returns the IDs and families to report as not applicable.
func (s skipFlag) reasons() map[string]string { return maps.Clone(s) }

// isFamily reports whether some catalogue ID belongs to the family f.
func isFamily(f string) bool {
	return slices.ContainsFunc(scenarios.Catalogue(), func(sc scenarios.Scenario) bool { return scenarios.Family(sc.ID) == f })
}
