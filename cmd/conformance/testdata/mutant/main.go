// Command mutant is an independently written TOKEN authorizer and GET /profile
// function, used to show that the conformance suite catches broken
// implementations. FUNCTION selects the function (authorizer or profile);
// MUTANT selects one realistic flaw, and empty means the correct baseline.
// It reads JWKS_URI, TOKEN_ISSUER and AUDIENCE (and JWKS_MIN_REFRESH_INTERVAL)
// like the real authorizer, and is run through lambda.Start as Lambda runs it.
//
// It lives in testdata so that go build ./... and go vet ./... ignore it;
// cmd/conformance's mutants_test.go builds it and lists the flaws with the
// scenarios that catch each. A flaw it does not list is one that no scenario
// catches yet; run it with cmd/conformance to see:
//
//	go build -tags lambda.norpc -o /tmp/mutant ./cmd/conformance/testdata/mutant
//	go run ./cmd/conformance -authorizer 'FUNCTION=authorizer MUTANT=jwks-any-key exec /tmp/mutant'
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"

	"github.com/aws/aws-lambda-go/lambda"
)

// flaw names one deliberate defect; "" is the correct implementation.
type flaw string

// The flaws, each one mistake found in real authorizers and handlers.
const (
	none flaw = ""

	// Token verification.
	expOptional       flaw = "exp-optional"        // jwt.WithExpirationRequired left out: a token without exp never expires
	issuerUnchecked   flaw = "issuer-unchecked"    // jwt.WithIssuer left out
	audienceUnchecked flaw = "audience-unchecked"  // jwt.WithAudience left out
	algRSAFamily      flaw = "alg-rsa-family"      // the README keyfunc: any *SigningMethodRSA or RSAPSS is fine, no WithValidMethods
	kidOptional       flaw = "kid-optional"        // no kid: keyfunc tries every key in the set
	iatUnchecked      flaw = "iat-unchecked"       // jwt.WithIssuedAt left out: iat in the future (or of any type) accepted
	leewayHour        flaw = "leeway-hour"         // clock-skew leeway of an hour
	subAnyType        flaw = "sub-any-type"        // principalId = fmt.Sprint(claims["sub"]): numbers, objects, absent all pass
	critIgnored       flaw = "crit-ignored"        // the crit header is ignored instead of refused
	noSizeLimit       flaw = "no-size-limit"       // the header is parsed whatever its size
	bearerTrimPrefix  flaw = "bearer-trim-prefix"  // strings.TrimPrefix(h, "Bearer "): a raw token is accepted
	bearerFields      flaw = "bearer-fields"       // strings.Fields: extra parts, tabs and double spaces accepted
	denyPolicy        flaw = "deny-policy"         // a Deny policy instead of the error "Unauthorized" (AWS blueprint style)
	policyAccountWide flaw = "policy-account-wide" // Resource arn:aws:execute-api:REGION:ACCOUNT:* (every API, every stage)
	principalAzp      flaw = "principal-azp"       // principalId = azp (the client id) instead of sub
	contextArray      flaw = "context-array"       // the permissions claim copied into the context as a JSON array
	logEvent          flaw = "log-event"           // the incoming event (with its authorizationToken) logged for debugging
	logSignature      flaw = "log-signature"       // the verified token's signature bytes logged (standard base64 in JSON)
	arnUnchecked      flaw = "arn-unchecked"       // the methodArn is echoed into the policy without being parsed
	eventTypeIgnored  flaw = "event-type-ignored"  // the event's type is never read: a REQUEST event with a token is allowed

	// Key-set policy.
	jwksPerRequest      flaw = "jwks-per-request"       // the key set is fetched on every invocation
	noRefreshUnknownKid flaw = "no-refresh-unknown-kid" // an unknown kid is rejected without a refresh: rotation fails
	refreshUnlimited    flaw = "refresh-unlimited"      // every unknown kid triggers a fetch: a flood hammers the tenant
	emptyRefreshWipes   flaw = "empty-refresh-wipes"    // an empty key set from the tenant replaces the good keys
	jwksNoTimeout       flaw = "jwks-no-timeout"        // the JWKS request is bounded by nothing: a slow tenant outlives the deadline
	emptyRefreshAlways  flaw = "empty-refresh-always"   // while no keys are loaded, every invocation fetches, unthrottled
	jwksAnyKey          flaw = "jwks-any-key"           // every RSA key of the set is used, whatever its use, alg or size

	// GET /profile.
	scopeSubstring       flaw = "scope-substring"        // strings.Contains(scope, "get:profile")
	scopeCaseInsensitive flaw = "scope-case-insensitive" // strings.EqualFold on each scope
	scopeCommaList       flaw = "scope-comma-list"       // scopes split on commas as well as spaces
	status401            flaw = "status-401"             // 401 instead of 403 when the scope is missing
	noContentType        flaw = "no-content-type"        // no Content-Type header on the JSON bodies
	bodyEnvelope         flaw = "body-envelope"          // 200 body {"data":{"name":"Daniël"}}
	contextPanic         flaw = "context-panic"          // authorizer["scope"].(string) without ok: panics without a scope
)

var flaws = []flaw{
	expOptional, issuerUnchecked, audienceUnchecked, algRSAFamily, kidOptional, iatUnchecked, leewayHour,
	subAnyType, critIgnored, noSizeLimit, bearerTrimPrefix, bearerFields, denyPolicy, policyAccountWide,
	principalAzp, contextArray, logEvent, jwksPerRequest, noRefreshUnknownKid, refreshUnlimited,
	emptyRefreshWipes, jwksNoTimeout, emptyRefreshAlways, jwksAnyKey, logSignature, arnUnchecked, eventTypeIgnored, scopeSubstring, scopeCaseInsensitive, scopeCommaList, status401, noContentType,
	bodyEnvelope, contextPanic,
}

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(logger); err != nil {
		logger.Error("init", slog.String("error", err.Error()))
		os.Exit(1)
	}
}

func run(logger *slog.Logger) error {
	m := flaw(os.Getenv("MUTANT"))
	if m != none && !slices.Contains(flaws, m) {
		return fmt.Errorf("MUTANT %q is not a known flaw", m)
	}
	switch fn := os.Getenv("FUNCTION"); fn {
	case "authorizer":
		cfg, err := configFromEnv(os.LookupEnv)
		if err != nil {
			return err
		}
		a := newAuthorizer(context.Background(), cfg, m, logger)
		lambda.Start(a.handle)
	case "profile":
		p := &profile{flaw: m, logger: logger}
		lambda.Start(p.handle)
	default:
		return fmt.Errorf("FUNCTION %q must be authorizer or profile", fn)
	}
	return nil
}
