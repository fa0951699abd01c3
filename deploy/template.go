// Package deploy holds the SAM template that defines the API on AWS, so that
// the fake gateway, the conformance suite and the deploy checks all read the
// one file AWS deploys. The functions' mains live in deploy/authorizer and
// deploy/profile.
package deploy

import _ "embed"

//go:embed template.yaml
var template []byte

// Template returns a copy of deploy/template.yaml.
func Template() []byte {
	return append([]byte(nil), template...)
}

// Logical IDs of the template's functions, as the fake gateway names them.
const (
	AuthorizerFunction = "AuthorizerFunction"
	ProfileFunction    = "ProfileFunction"
)
