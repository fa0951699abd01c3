package fakeauth0

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Discovery is the tenant's OpenID Connect discovery document, with the
// members Auth0 serves, in Auth0's order. Endpoints other than the JWKS and
// the token endpoint are listed as Auth0 lists them but not served.
type Discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	MFAChallengeEndpoint              string   `json:"mfa_challenge_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	RegistrationEndpoint              string   `json:"registration_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
}

// Discovery returns the tenant's discovery document.
func (t *Tenant) Discovery() Discovery {
	iss := t.Issuer()
	return Discovery{
		Issuer:                      iss,
		AuthorizationEndpoint:       iss + "authorize",
		TokenEndpoint:               t.TokenURL(),
		DeviceAuthorizationEndpoint: iss + "oauth/device/code",
		UserinfoEndpoint:            iss + "userinfo",
		MFAChallengeEndpoint:        iss + "mfa/challenge",
		JWKSURI:                     t.JWKSURL(),
		RegistrationEndpoint:        iss + "oidc/register",
		RevocationEndpoint:          iss + "oauth/revoke",
		ScopesSupported: []string{"openid", "profile", "offline_access", "name", "given_name", "family_name",
			"nickname", "email", "email_verified", "picture", "created_at", "identities", "phone", "address"},
		ResponseTypesSupported: []string{"code", "token", "id_token", "code token", "code id_token",
			"token id_token", "code token id_token"},
		CodeChallengeMethodsSupported: []string{"S256", "plain"},
		ResponseModesSupported:        []string{"query", "fragment", "form_post"},
		SubjectTypesSupported:         []string{"public"},
		// Only the methods this tenant implements (Auth0 adds private_key_jwt).
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		ClaimsSupported: []string{"aud", "auth_time", "created_at", "email", "email_verified", "exp",
			"family_name", "given_name", "iat", "identities", "iss", "name", "nickname", "phone_number",
			"picture", "sub"},
		RequestURIParameterSupported:     false,
		RequestParameterSupported:        false,
		IDTokenSigningAlgValuesSupported: []string{"HS256", "RS256", "PS256"},
		EndSessionEndpoint:               iss + "oidc/logout",
	}
}

// serveDiscovery answers GET /.well-known/openid-configuration.
func (t *Tenant) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	t.discoveryRequests.Add(1)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		serveNotFound(w, r)
		return
	}
	body, err := json.Marshal(t.Discovery())
	if err != nil {
		panic(fmt.Sprintf("fakeauth0: marshalling the discovery document: %v", err))
	}
	w.Header().Set("Cache-Control", jwksCacheControl)
	writeJSON(w, http.StatusOK, body)
}
