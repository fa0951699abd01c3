// Package deploy holds the SAM templates that define the APIs on AWS
// (template.yaml: the REST API; httpapi.yaml: the HTTP APIs), so that the
// fake gateway, the conformance suite and the deploy checks all read the
// files AWS deploys. The functions' mains live in deploy/authorizer,
// deploy/profile and deploy/httpauthorizer.
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

//go:embed httpapi.yaml
var httpTemplate []byte

// HTTPTemplate returns a copy of deploy/httpapi.yaml: the two HTTP API designs (JwtAPI and
// LambdaAPI) in one stack.
func HTTPTemplate() []byte {
	return append([]byte(nil), httpTemplate...)
}

// Logical IDs of deploy/httpapi.yaml's HTTP APIs and functions, as the fake gateway names them.
const (
	// JwtAPI is the HTTP API whose routes the managed JWT authorizer protects (design http-jwt).
	JwtAPI = "JwtApi"
	// LambdaAPI is the HTTP API whose routes the Lambda authorizer protects (design http-lambda).
	LambdaAPI = "LambdaApi"
	// HTTPAuthorizerFunction is the HTTP API Lambda authorizer (payload 2.0, simple responses).
	HTTPAuthorizerFunction = "HttpAuthorizerFunction"
	// HTTPProfileFunction is the profile function behind both HTTP APIs.
	HTTPProfileFunction = "HttpProfileFunction"
)
