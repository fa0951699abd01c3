package fakeauth0

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// MaxTokenRequestBytes is the largest token request body the tenant reads;
// a larger one is answered 413.
const MaxTokenRequestBytes = 64 << 10

// The error codes of the token endpoint's error bodies.
const (
	ErrorInvalidRequest       = "invalid_request"
	ErrorUnsupportedGrantType = "unsupported_grant_type"
	ErrorAccessDenied         = "access_denied"
)

// GrantTypeClientCredentials is the grant_type parameter of the
// client-credentials grant, the only grant the tenant supports.
const GrantTypeClientCredentials = "client_credentials"

// TokenResponse is the body of a successful token request, members in
// Auth0's order. Scope is omitted when no scope is granted.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope,omitempty"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// ErrorResponse is the body of a failed token request.
type ErrorResponse struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// tokenError is a failed token request: its status, body and reason code.
type tokenError struct {
	status int
	body   ErrorResponse
	reason string
}

func invalidRequest(reason, description string) *tokenError {
	return &tokenError{http.StatusBadRequest, ErrorResponse{ErrorInvalidRequest, description}, reason}
}

func accessDenied(status int, reason, description string) *tokenError {
	return &tokenError{status, ErrorResponse{ErrorAccessDenied, description}, reason}
}

// ClientGrantMissing returns Auth0's error_description for a client that has
// no client grant for audience.
func ClientGrantMissing(audience string) string {
	return fmt.Sprintf("Client is not authorized to access %q. You need to create a \"client-grant\" associated "+
		"to this API. See: https://auth0.com/docs/api/management/v2/client-grants/post-client-grants", audience)
}

// ServiceNotFound returns Auth0's error_description for an audience that is
// no API of the tenant.
func ServiceNotFound(audience string) string {
	return "Service not found: " + audience
}

// tokenRequest holds the parameters of a token request.
type tokenRequest struct {
	grantType, clientID, clientSecret, audience, scope string
}

// serveToken answers POST /oauth/token for the client-credentials grant.
func (t *Tenant) serveToken(w http.ResponseWriter, r *http.Request) {
	t.tokenRequests.Add(1)
	if r.Method != http.MethodPost {
		serveNotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")

	resp, clientID, terr := t.issue(w, r)
	if terr != nil {
		t.logger.Info("token", "decision", "deny", "reason", terr.reason, "status", terr.status, "client_id", clientID)
		body, err := json.Marshal(terr.body)
		if err != nil {
			panic(fmt.Sprintf("fakeauth0: marshalling an error body: %v", err))
		}
		writeJSON(w, terr.status, body)
		return
	}
	body, err := json.Marshal(resp)
	if err != nil {
		panic(fmt.Sprintf("fakeauth0: marshalling a token response: %v", err))
	}
	writeJSON(w, http.StatusOK, body)
}

// issue authenticates the client and mints its token, or says why not. It
// also returns the client ID the request named.
func (t *Tenant) issue(w http.ResponseWriter, r *http.Request) (*TokenResponse, string, *tokenError) {
	req, terr := readTokenRequest(w, r)
	if terr != nil {
		return nil, "", terr
	}
	resp, terr := t.grant(req)
	return resp, req.clientID, terr
}

// grant decides a well-formed token request.
func (t *Tenant) grant(req tokenRequest) (*TokenResponse, *tokenError) {
	switch req.grantType {
	case "":
		return nil, invalidRequest("grant_type_missing", "Missing required parameter: grant_type")
	case GrantTypeClientCredentials:
	default:
		return nil, &tokenError{http.StatusBadRequest,
			ErrorResponse{ErrorUnsupportedGrantType, "Unsupported grant type: " + req.grantType}, "grant_type_unsupported"}
	}
	if req.clientID == "" {
		return nil, invalidRequest("client_id_missing", "Missing required parameter: client_id")
	}
	client, ok := t.client(req.clientID)
	if !ok {
		return nil, accessDenied(http.StatusUnauthorized, "client_unknown", "Unauthorized")
	}
	if client.Secret == "" || subtle.ConstantTimeCompare([]byte(client.Secret), []byte(req.clientSecret)) != 1 {
		return nil, accessDenied(http.StatusUnauthorized, "client_secret_invalid", "Unauthorized")
	}
	audience := req.audience
	if audience == "" {
		audience = t.audience
	}
	if !t.knownAPI(audience) {
		return nil, accessDenied(http.StatusForbidden, "audience_unknown", ServiceNotFound(audience))
	}
	if t.grantAudience(client) != audience {
		return nil, accessDenied(http.StatusForbidden, "client_grant_missing", ClientGrantMissing(audience))
	}
	scopes := client.Scopes
	if req.scope != "" {
		requested := strings.Fields(req.scope)
		scopes = slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return !slices.Contains(requested, s) })
	}
	token := t.Mint(t.claims(client.ID, audience, scopes))
	t.logger.Info("token", "decision", "issue", "client_id", client.ID, "audience", audience,
		"scope", strings.Join(scopes, " "))
	return &TokenResponse{
		AccessToken: token,
		Scope:       strings.Join(scopes, " "),
		ExpiresIn:   int64(t.lifetime.Seconds()),
		TokenType:   "Bearer",
	}, nil
}

// readTokenRequest reads the parameters from a form or JSON body, and the
// client credentials from HTTP Basic authentication when the body has none.
func readTokenRequest(w http.ResponseWriter, r *http.Request) (tokenRequest, *tokenError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxTokenRequestBytes))
	if err != nil {
		if maxErr := (*http.MaxBytesError)(nil); errors.As(err, &maxErr) {
			return tokenRequest{}, &tokenError{http.StatusRequestEntityTooLarge,
				ErrorResponse{ErrorInvalidRequest, "Request body is too large"}, "body_too_large"}
		}
		return tokenRequest{}, invalidRequest("body_unreadable", "The request body could not be read")
	}
	params := map[string]string{}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "application/json":
		var problem string
		if params, problem = jsonParams(body); problem != "" {
			return tokenRequest{}, invalidRequest("body_malformed", problem)
		}
	case "application/x-www-form-urlencoded":
		values, err := url.ParseQuery(string(body))
		if err != nil {
			return tokenRequest{}, invalidRequest("body_malformed", "The request body is not valid form data")
		}
		for k := range values {
			params[k] = values.Get(k)
		}
	}
	req := tokenRequest{
		grantType:    params["grant_type"],
		clientID:     params["client_id"],
		clientSecret: params["client_secret"],
		audience:     params["audience"],
		scope:        params["scope"],
	}
	if req.clientID == "" && req.clientSecret == "" {
		if id, secret, ok := basicCredentials(r); ok {
			req.clientID, req.clientSecret = id, secret
		}
	}
	return req, nil
}

// jsonParams reads a JSON object whose members of interest are strings, or
// describes what is wrong with it.
func jsonParams(body []byte) (map[string]string, string) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return nil, "The request body is not a valid JSON object"
	}
	params := map[string]string{}
	for _, name := range []string{"grant_type", "client_id", "client_secret", "audience", "scope"} {
		v, ok := raw[name]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, "Invalid value for parameter: " + name
		}
		params[name] = s
	}
	return params, ""
}

// basicCredentials returns the client credentials of an HTTP Basic
// Authorization header, form-decoded as RFC 6749 section 2.3.1 requires.
func basicCredentials(r *http.Request) (id, secret string, ok bool) {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return "", "", false
	}
	if u, err := url.QueryUnescape(user); err == nil {
		user = u
	}
	if p, err := url.QueryUnescape(pass); err == nil {
		pass = p
	}
	return user, pass, true
}
