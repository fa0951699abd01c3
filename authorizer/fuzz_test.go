package authorizer

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// FuzzVerify: Verify never panics, decides the same token the same way
// twice, every rejection carries a reason code, and nothing is accepted unless it is an RS256 signature by the published
// key over the token's own header and payload, with a good header and sub.
// The seed corpus (testdata/fuzz/FuzzVerify) holds the valid token and
// the failing shapes of verifyCases; more seeds come from the table here.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f, nil)
	for _, tc := range verifyCases() {
		if tc.id != "AUTH-16" {
			f.Add(tc.token(f, fx))
		}
	}
	pub := &fx.key.priv.PublicKey
	f.Fuzz(func(t *testing.T, token string) {
		claims, err := fx.a.Verify(context.Background(), token)
		if _, again := fx.a.Verify(context.Background(), token); Reason(again) != Reason(err) {
			t.Fatalf("two decisions on one token: %v, then %v", err, again)
		}
		if err != nil {
			if claims != nil {
				t.Fatalf("claims returned with error %v", err)
			}
			if Reason(err) == "internal" {
				t.Fatalf("error without a reason code: %v", err)
			}
			return
		}
		parts := strings.Split(token, ".")
		if len(parts) != 3 {
			t.Fatalf("accepted a token with %d segments", len(parts))
		}
		sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
		if err != nil {
			t.Fatalf("accepted a signature that is not base64url: %v", err)
		}
		digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			t.Fatalf("accepted a token not signed by the published key: %q", token)
		}
		raw, err := base64.RawURLEncoding.Strict().DecodeString(parts[0])
		if err != nil {
			t.Fatalf("accepted a header that is not base64url: %v", err)
		}
		var h map[string]any
		if err := json.Unmarshal(raw, &h); err != nil || h["alg"] != "RS256" || h["kid"] != fx.key.kid || h["crit"] != nil {
			t.Fatalf("accepted header %s", raw)
		}
		if claims.Subject == "" || claims.Issuer != testIssuer || claims.ExpiresAt == nil {
			t.Fatalf("accepted claims %+v", claims)
		}
	})
}

// FuzzMethodARN: methodArn parsing never panics and what it accepts
// round-trips.
func FuzzMethodARN(f *testing.F) {
	f.Add(testARN)
	f.Add("arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/")
	f.Add("arn:aws:execute-api:::/")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseMethodARN(s)
		if err != nil {
			return
		}
		if a.Partition == "" || a.Region == "" || a.Account == "" || a.APIID == "" || a.Stage == "" || a.Verb == "" {
			t.Fatalf("ParseMethodARN(%q) = %+v", s, a)
		}
		if !strings.HasPrefix(s, strings.TrimSuffix(a.StageWildcard(), "*")) {
			t.Fatalf("stage wildcard %s is not a prefix of %s", a.StageWildcard(), s)
		}
		if got := a.String(); got != s && got != s+"/" {
			t.Fatalf("String() = %q, want %q", got, s)
		}
	})
}

// FuzzAuthorize: the Lambda handler as lambda.Start(a.Authorize) serves it,
// on any event JSON, never panics, answers an error that is exactly
// "Unauthorized" or an Allow, allows only a TOKEN event carrying the
// fixture's valid token on a well-formed methodArn, and decides the same
// event the same way twice.
func FuzzAuthorize(f *testing.F) {
	fx := newFixture(f, nil)
	valid := fx.token(f)
	for _, ev := range []events.APIGatewayCustomAuthorizerRequest{
		tokenEvent("Bearer " + valid),
		{Type: "REQUEST", AuthorizationToken: "Bearer " + valid, MethodArn: testARN},
		tokenEvent("bearer " + valid),
		tokenEvent("Bearer " + valid[:len(valid)-2]),
		{Type: "TOKEN", AuthorizationToken: "Bearer " + valid, MethodArn: "arn:aws:execute-api:eu-west-1:1:a/*/GET/"},
	} {
		payload, err := json.Marshal(ev)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(payload)
	}
	f.Add([]byte(`{"type":"TOKEN","authorizationToken":null,"methodArn":[]}`))
	f.Add([]byte(`[]`))
	h := lambda.NewHandler(fx.a.Authorize)
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := h.Invoke(context.Background(), payload)
		again, errAgain := h.Invoke(context.Background(), payload)
		if (err == nil) != (errAgain == nil) || string(out) != string(again) {
			t.Fatalf("two decisions on one event: %v %s / %v %s", err, out, errAgain, again)
		}
		var ev events.APIGatewayCustomAuthorizerRequest
		if json.Unmarshal(payload, &ev) != nil {
			if err == nil {
				t.Fatalf("allowed an event that does not decode: %s", out)
			}
			return
		}
		if err != nil {
			if err.Error() != "Unauthorized" {
				t.Fatalf("error %q, want exactly Unauthorized", err)
			}
			return
		}
		if ev.Type != "TOKEN" || ev.AuthorizationToken != "Bearer "+valid {
			t.Fatalf("allowed %+v", ev)
		}
		if _, err := ParseMethodARN(ev.MethodArn); err != nil {
			t.Fatalf("allowed a garbled methodArn %q", ev.MethodArn)
		}
	})
}
