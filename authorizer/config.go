package authorizer

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Environment variable names read by ConfigFromEnv. Error messages from
// ConfigFromEnv and Validate name the variable they are about.
const (
	EnvJWKSURI                = "JWKS_URI"
	EnvIssuer                 = "TOKEN_ISSUER"
	EnvAudience               = "AUDIENCE"
	EnvLeeway                 = "TOKEN_LEEWAY"
	EnvPolicyResource         = "POLICY_RESOURCE"
	EnvRequiredScope          = "REQUIRED_SCOPE"
	EnvMaxTokenBytes          = "MAX_TOKEN_BYTES"
	EnvJWKSTimeout            = "JWKS_TIMEOUT"
	EnvJWKSRefreshMinInterval = "JWKS_MIN_REFRESH_INTERVAL"
	EnvJWKSMaxAge             = "JWKS_MAX_AGE"
)

// Defaults and bounds of the optional settings (bounds are inclusive).
const (
	DefaultLeeway               = 10 * time.Second
	MinLeeway     time.Duration = 0
	MaxLeeway                   = 5 * time.Minute

	DefaultMaxTokenBytes = 8192
	MinMaxTokenBytes     = 1024
	MaxMaxTokenBytes     = 65536

	DefaultJWKSTimeout = 2 * time.Second
	MinJWKSTimeout     = 100 * time.Millisecond
	MaxJWKSTimeout     = 10 * time.Second

	DefaultJWKSRefreshMinInterval = 30 * time.Second
	MinJWKSRefreshMinInterval     = time.Second
	MaxJWKSRefreshMinInterval     = time.Hour

	DefaultJWKSMaxAge = 10 * time.Minute
	MinJWKSMaxAge     = time.Minute
	MaxJWKSMaxAge     = 24 * time.Hour
)

// PolicyResource selects the Resource of the Allow policy.
type PolicyResource string

const (
	// PolicyResourceMethod allows exactly the invoked method's ARN (the default).
	// Correct when the gateway's authorizer result cache is off.
	PolicyResourceMethod PolicyResource = "method"
	// PolicyResourceStage allows every method of the stage
	// (arn:aws:execute-api:REGION:ACCOUNT:APIID/STAGE/*). Required when the
	// gateway caches authorizer results, since a cached policy is re-used for
	// other methods.
	PolicyResourceStage PolicyResource = "stage"
)

// Config is the authorizer's configuration. Build it with DefaultConfig (then
// set the three required fields) or ConfigFromEnv; New validates it. Validate
// applies no implicit defaults: a zero duration or size is out of range.
type Config struct {
	// JWKSURI is the tenant's JWKS, e.g. https://TENANT/.well-known/jwks.json (JWKS_URI, required).
	JWKSURI string
	// Issuer is the exact expected iss, with Auth0's trailing slash: https://TENANT/ (TOKEN_ISSUER, required).
	Issuer string
	// Audience is the API identifier that aud must contain (AUDIENCE, required).
	Audience string
	// Leeway is the clock skew allowed on exp, nbf and iat (TOKEN_LEEWAY, default 10s, 0..5m).
	Leeway time.Duration
	// PolicyResource is "method" or "stage" (POLICY_RESOURCE, default "method").
	PolicyResource PolicyResource
	// RequiredScope, when not empty, must appear in the token's space-separated
	// scope (REQUIRED_SCOPE, default none).
	RequiredScope string
	// MaxTokenBytes bounds the token; the Authorization value may be
	// len("Bearer ") longer (MAX_TOKEN_BYTES, default 8192, 1024..65536).
	MaxTokenBytes int
	// JWKSTimeout bounds one JWKS fetch; a fetch also ends 100ms before the
	// caller's context deadline (JWKS_TIMEOUT, default 2s, 100ms..10s).
	JWKSTimeout time.Duration
	// JWKSRefreshMinInterval bounds the fetches that requests trigger (an
	// unknown kid, keys older than JWKSMaxAge): the first after init runs at
	// once, then at most one per interval. After a failed fetch the next may
	// run after 1s, doubling up to the interval
	// (JWKS_MIN_REFRESH_INTERVAL, default 30s, 1s..1h).
	JWKSRefreshMinInterval time.Duration
	// JWKSMaxAge is the age after which cached keys are refreshed on their next
	// use; they are kept if the refresh fails (JWKS_MAX_AGE, default 10m,
	// 1m..24h, and not below JWKSRefreshMinInterval).
	JWKSMaxAge time.Duration
}

// DefaultConfig returns a Config with every optional setting at its default
// and the required ones (JWKSURI, Issuer, Audience) empty.
func DefaultConfig() Config {
	return Config{
		Leeway:                 DefaultLeeway,
		PolicyResource:         PolicyResourceMethod,
		MaxTokenBytes:          DefaultMaxTokenBytes,
		JWKSTimeout:            DefaultJWKSTimeout,
		JWKSRefreshMinInterval: DefaultJWKSRefreshMinInterval,
		JWKSMaxAge:             DefaultJWKSMaxAge,
	}
}

// ConfigFromEnv reads the configuration through lookup (os.LookupEnv in a
// Lambda). Unset or empty optional variables take their defaults. Every
// problem found is reported, each naming its variable; the result is
// validated.
func ConfigFromEnv(lookup func(string) (string, bool)) (Config, error) {
	c := DefaultConfig()
	get := func(name string) (string, bool) {
		v, ok := lookup(name)
		return v, ok && v != ""
	}
	var errs []error
	duration := func(name string, dst *time.Duration) {
		v, ok := get(name)
		if !ok {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %q must be a Go duration such as 10s or 2m", name, v))
			return
		}
		*dst = d
	}

	c.JWKSURI, _ = get(EnvJWKSURI)
	c.Issuer, _ = get(EnvIssuer)
	c.Audience, _ = get(EnvAudience)
	if v, ok := get(EnvPolicyResource); ok {
		c.PolicyResource = PolicyResource(v)
	}
	c.RequiredScope, _ = get(EnvRequiredScope)
	if v, ok := get(EnvMaxTokenBytes); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %q must be an integer number of bytes", EnvMaxTokenBytes, v))
		} else {
			c.MaxTokenBytes = n
		}
	}
	duration(EnvLeeway, &c.Leeway)
	duration(EnvJWKSTimeout, &c.JWKSTimeout)
	duration(EnvJWKSRefreshMinInterval, &c.JWKSRefreshMinInterval)
	duration(EnvJWKSMaxAge, &c.JWKSMaxAge)
	if len(errs) > 0 {
		// Report the parse errors together with the semantic ones, without
		// complaining twice about a value that did not parse.
		if err := c.Validate(); err != nil {
			errs = append(errs, err)
		}
		return Config{}, errors.Join(errs...)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate reports every setting that is missing or out of bounds, each
// error naming its environment variable.
func (c Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(validateURL(EnvJWKSURI, c.JWKSURI, false))
	add(validateURL(EnvIssuer, c.Issuer, true))
	switch {
	case c.Audience == "":
		add(fmt.Errorf("%s is required", EnvAudience))
	case strings.TrimSpace(c.Audience) != c.Audience:
		add(fmt.Errorf("%s %q must not have leading or trailing white space", EnvAudience, c.Audience))
	}
	switch c.PolicyResource {
	case PolicyResourceMethod, PolicyResourceStage:
	default:
		add(fmt.Errorf("%s %q must be %q or %q", EnvPolicyResource, string(c.PolicyResource), PolicyResourceMethod, PolicyResourceStage))
	}
	if c.RequiredScope != "" && !isScopeToken(c.RequiredScope) {
		add(fmt.Errorf("%s %q must be a single OAuth scope (no spaces, quotes or backslashes)", EnvRequiredScope, c.RequiredScope))
	}
	if c.MaxTokenBytes < MinMaxTokenBytes || c.MaxTokenBytes > MaxMaxTokenBytes {
		add(fmt.Errorf("%s %d must be between %d and %d", EnvMaxTokenBytes, c.MaxTokenBytes, MinMaxTokenBytes, MaxMaxTokenBytes))
	}
	add(durationInRange(EnvLeeway, c.Leeway, MinLeeway, MaxLeeway))
	add(durationInRange(EnvJWKSTimeout, c.JWKSTimeout, MinJWKSTimeout, MaxJWKSTimeout))
	add(durationInRange(EnvJWKSRefreshMinInterval, c.JWKSRefreshMinInterval, MinJWKSRefreshMinInterval, MaxJWKSRefreshMinInterval))
	if err := durationInRange(EnvJWKSMaxAge, c.JWKSMaxAge, MinJWKSMaxAge, MaxJWKSMaxAge); err != nil {
		add(err)
	} else if c.JWKSMaxAge < c.JWKSRefreshMinInterval {
		add(fmt.Errorf("%s %s must not be shorter than %s %s", EnvJWKSMaxAge, c.JWKSMaxAge, EnvJWKSRefreshMinInterval, c.JWKSRefreshMinInterval))
	}
	return errors.Join(errs...)
}

func durationInRange(name string, d, lo, hi time.Duration) error {
	if d < lo || d > hi {
		return fmt.Errorf("%s %s must be between %s and %s", name, d, lo, hi)
	}
	return nil
}

// validateURL checks an absolute http(s) URL with a host and no user info,
// query or fragment; an issuer must also end in "/".
func validateURL(name, v string, issuer bool) error {
	if v == "" {
		return fmt.Errorf("%s is required", name)
	}
	want := "an https or http URL"
	if issuer {
		want = `an https or http URL ending in "/"`
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(v, " \t\r\n") ||
		(issuer && !strings.HasSuffix(v, "/")) {
		return fmt.Errorf("%s %q must be %s", name, v, want)
	}
	return nil
}

// isScopeToken reports whether s is an RFC 6749 scope-token:
// 1*( %x21 / %x23-5B / %x5D-7E ).
func isScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x21 || b > 0x7e || b == '"' || b == '\\' {
			return false
		}
	}
	return true
}
