package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Differential tests: Verify against the jwt/v5 + keyfunc/v3 oracle
// (oracle_test.go), and scanJSON against encoding/json.

// diffHeaders are literal JOSE headers where a hand-written reader could
// part from encoding/json: repeated, escaped or oddly typed members,
// numbers out of float64 range, nesting, white space. %s is the kid.
var diffHeaders = []string{
	`{"alg":"RS256","kid":"%s"}`,
	` {"alg":"RS256","kid":"%s"} `,
	"\t{\n\"alg\"\r:\"RS256\" , \"kid\" : \"%s\"}\n",
	`{"alg":"HS256","alg":"RS256","kid":"%s"}`,
	`{"alg":"RS256","alg":"HS256","kid":"%s"}`,
	`{"alg":"RS256","alg":"none","kid":"%s"}`,
	`{"alg":"RS256","alg":"XX1","kid":"%s"}`,
	`{"alg":"RS256","kid":"%s","kid":5}`,
	`{"alg":"RS256","kid":5,"kid":"%s"}`,
	`{"alg":"RS256","kid":"","kid":"%s"}`,
	`{"\u0061lg":"RS256","kid":"%s"}`,
	`{"alg":"RS\u0032\u0035\u0036","kid":"%s"}`,
	`{"alg":"RS256","k\u0069d":"%s"}`,
	`{"alg":"RS256","kid":"key\u002d1"}`,
	`{"alg":"RS256","kid":"key-1\u0000"}`,
	"{\"alg\":\"RS256\",\"kid\":\"key-1\xff\"}",
	"{\"alg\":\"RS256\",\"kid\":\"k\xc3\xa9y\"}",
	"{\"al\xffg\":\"RS256\",\"kid\":\"%s\"}",
	`{"ALG":"RS256","kid":"%s"}`,
	`{"Alg":"RS256","alg":"RS256","KID":"x","kid":"%s"}`,
	`{"alg":"RS256","kid":"%s","crit":null}`,
	`{"alg":"RS256","kid":"%s","cr\u0069t":["exp"]}`,
	`{"alg":"RS256","kid":"%s","CRIT":["exp"]}`,
	`{"alg":"RS256","kid":"%s","x":1e400}`,
	`{"alg":"RS256","kid":"%s","x":[{"y":-1e309}]}`,
	`{"alg":"RS256","kid":"%s","x":1e-400}`,
	`{"alg":"RS256","kid":"%s","x":-0.0e-0}`,
	`{"alg":"RS256","kid":"%s","x":01}`,
	`{"alg":"RS256","kid":"%s","x":1.}`,
	`{"alg":"RS256","kid":"%s","x":.5}`,
	`{"alg":"RS256","kid":"%s","x":+1}`,
	`{"alg":"RS256","kid":"%s","x":"\x"}`,
	`{"alg":"RS256","kid":"%s","x":"\u12"}`,
	"{\"alg\":\"RS256\",\"kid\":\"%s\",\"x\":\"\x01\"}",
	`{"alg":"RS256","kid":"%s","x":tru}`,
	`{"alg":"RS256","kid":"%s",}`,
	`{"alg":"RS256","kid":"%s"}x`,
	`{"alg":"RS256","kid":"%s"}{}`,
	"\xef\xbb\xbf" + `{"alg":"RS256","kid":"%s"}`,
	`{"alg":"RS256","kid":"%s","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"}}`,
	`{"alg":["RS256"],"kid":"%s"}`,
	`{"alg":null,"kid":"%s"}`,
	`{"alg":"none","kid":"%s"}`,
	`{"alg":"PS256","kid":"%s"}`,
	`{"kid":"%s"}`,
	`{}`,
	`[]`,
	`null`,
	`"RS256"`,
	``,
	`{"alg":"RS256","kid":"%s","deep":` + strings.Repeat("[", maxJSONDepth-1) + strings.Repeat("]", maxJSONDepth-1) + `}`,
	`{"alg":"RS256","kid":"%s","deep":` + strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth) + `}`,
}

// diffPayloads are literal claim sets in the same spirit; %[1]d is a valid
// exp, %[2]d the clock's now, %[3]s the issuer and %[4]s the audience,
// %[5]d now less the leeway, %[6]d now plus the leeway and %[7]d one more.
var diffPayloads = []string{
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[5]d}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[5]d.5}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"nbf":%[6]d,"iat":%[6]d}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"nbf":%[7]d}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"iat":%[7]d}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"iat":%[6]d.9}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"iat":%[2]d}`,
	` {"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d} `,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"sub":""}`,
	`{"iss":"%[3]s","sub":"","aud":"%[4]s","exp":%[1]d,"sub":"t"}`,
	`{"iss":"%[3]s","sub":1,"aud":"%[4]s","exp":%[1]d,"sub":"t"}`,
	`{"iss":"%[3]s","\u0073ub":"s","aud":"%[4]s","exp":%[1]d}`,
	`{"iss":"%[3]s","sub":"\u0073\ud83d\ude00","aud":"%[4]s","exp":%[1]d}`,
	"{\"iss\":\"%[3]s\",\"sub\":\"s\xff\",\"aud\":\"%[4]s\",\"exp\":%[1]d}",
	`{"iss":"%[3]s","SUB":"s","aud":"%[4]s","exp":%[1]d}`,
	`{"iss":"%[3]s","sub":"s","aud":[],"exp":%[1]d}`,
	`{"iss":"%[3]s","sub":"s","aud":[""],"exp":%[1]d}`,
	`{"iss":"%[3]s","sub":"s","aud":"","exp":%[1]d}`,
	`{"iss":"%[3]s","sub":"s","aud":["","%[4]s"],"exp":%[1]d}`,
	`{"iss":"%[3]s","sub":"s","aud":["%[4]s",["x"]],"exp":%[1]d}`,
	`{"iss":"%[3]s","sub":"s","aud":null,"exp":%[1]d}`,
	`{"iss":"","sub":"s","aud":"%[4]s","exp":%[1]d}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"iss":"https://x/"}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d.75}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d e0}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]de0}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":1e3}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":-0}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":253402300799}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":253402300800}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":1e400}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"x":1e400}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"nbf":%[2]d.5,"iat":%[2]d.999999}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"nbf":null}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"permissions":[]}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"permissions":["a","b\u0063"]}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"permissions":["a",1]}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"permissions":null}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"permissions":[ "a" ,` + "\n\t" + `"b",""  ]}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"permissions":["a",["b"],"c"]}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"permissions":["é","a"]}`,
	`{"iss":"%[3]s","sub":"s","aud":[ "x" , "%[4]s" ],"exp":%[1]d,"permissions":["` + strings.Repeat(`read:a", "`, 300) + `"]}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"scope":"a b","scope":"c"}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"jti":"\n","azp":"\/"}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"https://x/roles":[{"a":[1,{"b":null}]},true,false]}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"deep":` + strings.Repeat("[", maxJSONDepth-1) + strings.Repeat("]", maxJSONDepth-1) + `}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,"deep":` + strings.Repeat("{\"a\":", maxJSONDepth) + "1" + strings.Repeat("}", maxJSONDepth) + `}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d}}`,
	`{"iss":"%[3]s","sub":"s","aud":"%[4]s","exp":%[1]d,}`,
	`{"iss":"%[3]s" "sub":"s"}`,
	`{}`,
	`null`,
	` null `,
	`nul`,
	`[]`,
	`"x"`,
	`1`,
	``,
}

// payloadFormatter fills in a diffPayloads entry for f's clock and config.
func payloadFormatter(f *fixture) func(string) string {
	now := f.clock.Now().Unix()
	leeway := int64(f.a.cfg.Leeway.Seconds())
	return func(p string) string {
		if !strings.Contains(p, "%[") {
			return p
		}
		return fmt.Sprintf(p, now+3600, now, testIssuer, testAudience, now-leeway, now+leeway, now+leeway+1)
	}
}

// diffTokens mints every diffHeaders × diffPayloads combination that makes
// sense, with the fixture's key and with an attacker's key under its kid.
func diffTokens(t testing.TB, f *fixture) []string {
	t.Helper()
	attacker := loadRSA(t, "attacker", f.key.kid)
	payload := payloadFormatter(f)
	good := payload(diffPayloads[6])
	var out []string
	add := func(h, p string) {
		for _, k := range []rsaKey{f.key, attacker} {
			out = append(out, mintRaw(t, k.priv, "RS256", []byte(h), []byte(p)))
		}
	}
	for _, h := range diffHeaders {
		if strings.Contains(h, "%s") {
			h = fmt.Sprintf(h, f.key.kid)
		}
		add(h, good)
	}
	goodHeader := fmt.Sprintf(diffHeaders[0], f.key.kid)
	for _, p := range diffPayloads {
		if strings.Contains(p, "%[") {
			p = payload(p)
		}
		add(goodHeader, p)
	}
	return out
}

// sameDecision fails t unless Verify and the oracle agree on token.
func sameDecision(t *testing.T, f *fixture, o *oracle, token string) {
	t.Helper()
	ctx := context.Background()
	got, gotErr := f.a.Verify(ctx, token)
	want, wantErr := o.verify(ctx, token)
	if Reason(gotErr) != Reason(wantErr) {
		t.Fatalf("token %q: Verify says %s (%v), jwt/v5 says %s (%v)", token, Reason(gotErr), gotErr, Reason(wantErr), wantErr)
	}
	if gotErr != nil {
		if gotErr.Error() != wantErr.Error() {
			t.Fatalf("token %q: Verify error %q, jwt/v5 error %q", token, gotErr, wantErr)
		}
		return
	}
	type view struct {
		Iss, Sub, ID, Azp, Scope string
		Aud, Perms               []string
		Exp, Nbf, Iat            string
	}
	date := func(d interface{ String() string }, isNil bool) string {
		if isNil {
			return "<nil>"
		}
		return d.String()
	}
	g := view{got.Issuer, got.Subject, got.ID, got.AuthorizedParty, got.Scope, got.Audience, got.Permissions,
		date(got.ExpiresAt, got.ExpiresAt == nil), date(got.NotBefore, got.NotBefore == nil), date(got.IssuedAt, got.IssuedAt == nil)}
	w := view{want.Issuer, want.Subject, want.ID, want.AuthorizedParty, want.Scope, want.Audience, want.Permissions,
		date(want.ExpiresAt, want.ExpiresAt == nil), date(want.NotBefore, want.NotBefore == nil), date(want.IssuedAt, want.IssuedAt == nil)}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("token %q: Verify claims %+v, jwt/v5 claims %+v", token, g, w)
	}
}

func newOracleFixture(t testing.TB, edit func(*Config)) (*fixture, *oracle) {
	t.Helper()
	f := newFixture(t, edit)
	o, err := newOracle(f.a)
	if err != nil {
		t.Fatal(err)
	}
	return f, o
}

// TestVerifyMatchesJWTv5: on every rejection case of verify_test.go and on
// the hand-made edge cases above, Verify answers exactly what jwt/v5's
// Parser over keyfunc/v3 (the implementation it replaced) answers.
func TestVerifyMatchesJWTv5(t *testing.T) {
	for _, scope := range []string{"", "get:profile"} {
		f, o := newOracleFixture(t, func(c *Config) { c.RequiredScope = scope })
		for _, tc := range verifyCases() {
			sameDecision(t, f, o, tc.token(t, f))
		}
		for _, tok := range diffTokens(t, f) {
			sameDecision(t, f, o, tok)
		}
	}
}

// FuzzVerifyDifferential: for any string, Verify and jwt/v5 agree.
func FuzzVerifyDifferential(f *testing.F) {
	fx, o := newOracleFixture(f, nil)
	for _, tc := range verifyCases() {
		if tc.id != "AUTH-16" {
			f.Add(tc.token(f, fx))
		}
	}
	for _, tok := range diffTokens(f, fx) {
		if len(tok) <= DefaultMaxTokenBytes {
			f.Add(tok)
		}
	}
	f.Fuzz(func(t *testing.T, token string) { sameDecision(t, fx, o, token) })
}

// FuzzSignedDifferential: for any header and payload signed with the
// published key (so that the claim checks are reached), Verify and jwt/v5
// agree.
func FuzzSignedDifferential(f *testing.F) {
	fx, o := newOracleFixture(f, nil)
	payload := payloadFormatter(fx)
	for _, h := range diffHeaders[:8] {
		f.Add(fmt.Sprintf(h, fx.key.kid), payload(diffPayloads[6]))
	}
	for _, p := range diffPayloads {
		if len(p) < 1000 {
			f.Add(fmt.Sprintf(diffHeaders[0], fx.key.kid), payload(p))
		}
	}
	f.Fuzz(func(t *testing.T, header, payload string) {
		tok := mintRaw(t, fx.key.priv, "RS256", []byte(header), []byte(payload))
		sameDecision(t, fx, o, tok)
	})
}

// scanCases are documents for the scanner, valid and not.
var scanCases = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e+3`, `true`, `false`, `null`, ` {"a" : [1, {"b":null}] } `,
	`{"a":1,"a":2}`, `{"\u0061":1}`, `{"a":"\ud800"}`, "\"\xff\"", `"\/\b\f\n\r\t\"\\"`,
	`{`, `}`, `[`, `]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a":1 "b":2}`,
	`01`, `-`, `1.`, `.1`, `1e`, `1e+`, `+1`, `0x1`, `NaN`, `Infinity`, `tru`, `nulll`, `"`, `"\`, `"\u123"`, `"\u123g"`,
	`"\a"`, "\"\x00\"", "\"\x1f\"", "\"\x7f\"", "\v1", "\u00a01", "1 2", `{"a":1}}`, ``, ` `, `1e400`, `-1e400`, `1e-400`,
	`[1e308]`, `[1.7976931348623157e309]`, `{"a":[{"b":[1e999]}]}`,
	strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth),
	strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1),
	`{"a":` + strings.Repeat("[", maxJSONDepth-1) + strings.Repeat("]", maxJSONDepth-1) + `}`,
	`{"a":` + strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth) + `}`,
}

// checkScan fails t unless scanJSON agrees with encoding/json on doc:
// validity, validity with float64 numbers, the first byte, and for objects
// the members (decoded names, raw values, the last of repeated names).
func checkScan(t *testing.T, doc []byte) {
	t.Helper()
	type member struct{ name, value string }
	var members []member
	plainOK := func(s span) {
		if !s.plain {
			return
		}
		raw := doc[s.start:s.end]
		if raw[0] == '[' {
			var want []string
			if err := json.Unmarshal(raw, &want); err != nil || len(want) != s.n {
				t.Fatalf("%q: %q marked an array of %d plain strings, decodes to %q (%v)", doc, raw, s.n, want, err)
			}
			for _, w := range want {
				if !bytes.Contains(raw, []byte(`"`+w+`"`)) {
					t.Fatalf("%q: %q marked plain, holds %q escaped", doc, raw, w)
				}
			}
			return
		}
		var want string
		if err := json.Unmarshal(raw, &want); err != nil || want != string(raw[1:len(raw)-1]) {
			t.Fatalf("%q: %q marked plain, decodes to %q (%v)", doc, raw, want, err)
		}
	}
	first := scanJSON(doc, false, func(name, value span) {
		plainOK(name)
		plainOK(value)
		n, ok := decodeString(doc, "", name)
		if !ok {
			t.Fatalf("%q: member name %q is not a string", doc, doc[name.start:name.end])
		}
		members = append(members, member{n, string(doc[value.start:value.end])})
	})
	if valid := json.Valid(doc); valid != (first != 0) {
		t.Fatalf("%q: scanJSON valid = %v, json.Valid = %v", doc, first != 0, valid)
	}
	var anyValue any
	fits := json.Unmarshal(doc, &anyValue) == nil
	if got := scanJSON(doc, true, func(span, span) {}) != 0; got != fits {
		t.Fatalf("%q: scanJSON with float64 numbers valid = %v, json.Unmarshal into any = %v", doc, got, fits)
	}
	if first == 0 {
		return
	}
	if first != doc[skipSpace(doc, 0)] {
		t.Fatalf("%q: first byte %q", doc, first)
	}
	if first != '{' {
		if members != nil {
			t.Fatalf("%q: members reported for a non-object", doc)
		}
		return
	}
	var want map[string]json.RawMessage
	if err := json.Unmarshal(doc, &want); err != nil {
		t.Fatalf("%q: %v", doc, err)
	}
	last := map[string]string{}
	for _, m := range members {
		last[m.name] = m.value
	}
	if len(last) != len(want) {
		t.Fatalf("%q: members %v, encoding/json %v", doc, last, want)
	}
	for name, raw := range want {
		if last[name] != string(raw) {
			t.Fatalf("%q: member %q = %q, encoding/json %q", doc, name, last[name], raw)
		}
	}
}

func TestScanJSON(t *testing.T) {
	for _, doc := range scanCases {
		checkScan(t, []byte(doc))
	}
	for _, h := range diffHeaders {
		checkScan(t, []byte(h))
	}
	for _, p := range diffPayloads {
		checkScan(t, []byte(p))
	}
}

// FuzzScanJSON: scanJSON accepts exactly what encoding/json accepts.
func FuzzScanJSON(f *testing.F) {
	for _, doc := range scanCases {
		if len(doc) < 1000 {
			f.Add([]byte(doc))
		}
	}
	for _, h := range diffHeaders[:20] {
		f.Add([]byte(h))
	}
	for _, p := range diffPayloads[:30] {
		f.Add([]byte(strings.ReplaceAll(p, "%[1]d", strconv.Itoa(2000000000))))
	}
	f.Fuzz(func(t *testing.T, doc []byte) { checkScan(t, doc) })
}
