package scenarios

import (
	"slices"
	"strings"
)

// Scenario is one entry of the catalogue: a stable ID and what it checks.
// IDs are never renumbered; a retired scenario keeps its number unused.
type Scenario struct {
	ID       string
	Path     string
	Expected string
}

// Catalogue returns every scenario the suite knows, in ID order. Reports list
// each of them, so a scenario that did not run is visible as such.
func Catalogue() []Scenario {
	return slices.Clone(catalogue[:])
}

var catalogue = [...]Scenario{
	{"AUTH-01", "valid token", "Allow; principalId = sub; the policy covers methodArn; context.scope = the token's scope"},
	{"AUTH-02", "no token, or an empty one", "Unauthorized"},
	{"AUTH-03", "not `Bearer <token>` (other scheme, missing space, extra parts)", "Unauthorized"},
	{"AUTH-04", "malformed JWT (segments, base64, JSON)", "Unauthorized"},
	{"AUTH-05", "unknown, missing or non-string `kid`", "Unauthorized"},
	{"AUTH-06", "signed by a key not in the JWKS", "Unauthorized"},
	{"AUTH-07", "algorithm other than RS256 (none, HS256 keyed with the public key, PS256, ES256, RS384, RS512)", "Unauthorized"},
	{"AUTH-08", "wrong issuer", "Unauthorized"},
	{"AUTH-09", "wrong audience; an audience list containing ours", "Unauthorized; Allow"},
	{"AUTH-10", "expired; not yet valid; issued in the future", "Unauthorized"},
	{"AUTH-11", "required claim missing or of the wrong JSON type (exp, sub, iss, aud, scope)", "Unauthorized"},
	{"AUTH-12", "key rotation: a token signed with a newly published key", "Allow, without restart"},
	{"AUTH-13", "many valid tokens, and a flood of unknown kids, on a warm function", "JWKS fetched once; the flood does not hammer the tenant"},
	{"AUTH-14", "JWKS down, slow, garbage, dropped or empty", "Unauthorized within the deadline; Allow again once it recovers; an empty refresh keeps the keys"},
	{"AUTH-15", "key-selection headers (jku, jwk, x5u, x5c) and crit", "never change which key verifies; crit is refused"},
	{"AUTH-16", "oversized token or header", "Unauthorized"},
	{"AUTH-17", "a methodArn that is not an execute-api method ARN, with the method or the stage-wide policy", "Unauthorized, never an Allow on a garbled resource"},
	{"AUTH-18", "an event whose type is not TOKEN (REQUEST, none, lowercase), carrying a valid token", "no Allow"},
	{"PROF-01", "scope get:profile, alone or among others", `200 {"name":"Daniël"}, Content-Type application/json`},
	{"PROF-02", "scope absent, empty, or a look-alike", `403 {"message":"Forbidden","info":"scope \"get:profile\" is required"}`},
	{"PROF-03", "no authorizer context", "403"},
	{"GW-01", "no Authorization header", `401 {"message":"Unauthorized"}, UnauthorizedException, authorizer not invoked`},
	{"GW-02", "a header that fails the validation expression", `401 {"message":"Unauthorized"}, authorizer not invoked`},
	{"GW-03", "the authorizer answers Unauthorized (forged, tampered, alg none, expired)", `401 {"message":"Unauthorized"}, UnauthorizedException`},
	{"GW-04", "an explicit Deny", `403 {"Message":"User is not authorized to access this resource with an explicit deny"}, AccessDeniedException`},
	{"GW-05", "an Allow that does not cover the method", `403 {"Message":"User is not authorized to access this resource"}, AccessDeniedException`},
	{"GW-06", "another error, a malformed policy, a non-scalar context value, an authorizer timeout", `500 {"message":null}, AuthorizerConfigurationException`},
	{"GW-07", "the result cache: keyed by the token, TTL from the template, off at 0", "one authorizer invocation per token while cached; one per request at TTL 0"},
	{"GW-08", "cache pitfall and fix: a method-only policy behind a cache; the stage-wide policy the template turns on", "403 on the second route; 200 on both"},
	{"GW-09", "an Allow passes principalId and the context to the integration", "requestContext.authorizer holds principalId and the context values as strings"},
	{"GW-10", "gateway responses on every gateway-made answer", "Access-Control-Allow-Origin and -Headers from the template on 401, 403, 500"},
	{"GW-11", "an unknown resource, stage or method", `403 {"message":"Missing Authentication Token"}, MissingAuthenticationTokenException`},
	{"GW-12", "the integration fails or answers malformed", `502 {"message": "Internal server error"}`},
	{"GW-13", "the integration outlives its timeout", `504 {"message": "Endpoint request timed out"}`},
	{"GW-14", "hundreds of requests in flight", "every answer as it would be alone"},
	{"GW-15", "the Lambda proxy response, every case AWS recorded (string or missing statusCode, merged headers, extra keys, bare strings, base64 bodies)", "AWS's recorded status, body and headers for each case"},
	{"GW-16", "the Lambda proxy event, as AWS recorded it", "body null without a body, isBase64Encoded false, every identity key (null when unknown), deploymentId, authorizer only behind an authorizer"},
	{"FLOW-01", "client credentials at /oauth/token → token → GET /prod/profile", "200; a client without the scope → 403; a bad secret → 401 at the tenant"},
	{"FLOW-02", "design http-jwt: client credentials → token → GET /profile", `200; a client without the scope → 403 {"message":"Forbidden"} from the route; a bad secret → 401 at the tenant`},
	{"FLOW-03", "design http-lambda: client credentials → token → GET /profile", "200; a client without the scope → 403 from the profile; a bad secret → 401 at the tenant"},
	{"FLOW-04", "one client's token on the rest, http-jwt and http-lambda designs; no token", `200 from each; 401 {"message":"Unauthorized"} from each`},
	{"HTTP-01", "http-jwt: a valid token with the route's scope (JWT authorizer page)", "200 from the profile; the integration gets requestContext.authorizer.jwt.claims and .scopes"},
	{"HTTP-02", "http-jwt: no Authorization header (JWT authorizer page)", `401 {"message":"Unauthorized"}, www-authenticate: Bearer…`},
	{"HTTP-03", "http-jwt: a token for another audience (JWT troubleshooting page)", `401, www-authenticate: Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`},
	{"HTTP-04", "http-jwt: another issuer, expired, no exp, not yet valid, issued in the future, not RSA, unknown key, no kid, not a JWT (JWT authorizer page)", `401 {"message":"Unauthorized"}, www-authenticate error="invalid_token"; the integration is not invoked`},
	{"HTTP-05", "http-jwt: a valid token without any of the route's AuthorizationScopes (JWT authorizer page)", `403 {"message":"Forbidden"}; the integration is not invoked`},
	{"HTTP-06", "http-jwt: aud absent, client_id the audience; aud wrong, client_id right (JWT troubleshooting page)", "200; 401"},
	{"HTTP-07", "http-lambda: a valid token (Lambda authorizer page)", "200 from the profile (403 without the scope); the integration gets the context in requestContext.authorizer.lambda"},
	{"HTTP-08", "http-lambda: the identity source missing or empty (CreateAuthorizer IdentitySource)", `401 {"message":"Unauthorized"} without invoking the authorizer`},
	{"HTTP-09", "http-lambda: a forged, expired, wrong-audience, alg none or non-Bearer token (Lambda authorizer page)", `403 {"message":"Forbidden"} ({"isAuthorized":false}), or 401 for an "Unauthorized" error; never the integration`},
	{"HTTP-10", "http-lambda: the result cache, TTL from the template, off at 0 (Lambda authorizer page, caching)", "one authorizer invocation per identity while cached; one per request at TTL 0"},
	{"HTTP-11", "an unknown path or method on either HTTP API (routes page; 404 body recorded by a third party)", `404 {"message":"Not Found"}, no authorizer invoked`},
	{"HTTP-12", "CORS on either HTTP API (CORS page)", "a preflight answered 204 with the configured headers and no authorizer; Access-Control-Allow-Origin on answers"},
	{"HTTP-13", "the HTTP Lambda authorizer invoked directly: a valid token; the AUTH rejection paths", `{"isAuthorized":true,"context":{"scope":…}}; never isAuthorized true on a rejection path; the output never holds a token, its signature or a client secret`},
	{"LOG-01", "every authorizer path above", "the function's output never holds a token, its signature or a client secret"},
}

// Family returns the family of an ID: "AUTH" for "AUTH-07".
func Family(id string) string {
	family, _, _ := strings.Cut(id, "-")
	return family
}

// Lookup returns the catalogue entry for id.
func Lookup(id string) (Scenario, bool) {
	i := slices.IndexFunc(catalogue[:], func(s Scenario) bool { return s.ID == id })
	if i < 0 {
		return Scenario{}, false
	}
	return catalogue[i], true
}
