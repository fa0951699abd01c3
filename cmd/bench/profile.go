package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// profileGroups name the parts of a verification, each by the functions
// whose cumulative samples make it up.
var profileGroups = []struct{ label, fn string }{
	{"Verify, in all", "authorizer.(*Authorizer).Verify"},
	{"  jwt/v5 Parser.ParseWithClaims", "jwt/v5.(*Parser).ParseWithClaims"},
	{"    rsa.VerifyPKCS1v15 (the floor)", "crypto/rsa.VerifyPKCS1v15"},
	{"      of which building the modulus from *rsa.PublicKey", "crypto/rsa.fipsPublicKey"},
	{"    ParseUnverified: base64url and JSON of header and claims", "jwt/v5.(*Parser).ParseUnverified"},
	{"      of which Claims.UnmarshalJSON (encoding/json, exact names)", "authorizer.(*Claims).UnmarshalJSON"},
	{"    the key: keyfunc/v3 over the key set", "keyfunc/v3.keyfunc.KeyfuncCtx.func1"},
	{"      of which keySet.KeyRead (jwkset memory storage)", "authorizer.(*keySet).KeyRead"},
	{"    claim validation (jwt/v5 Validator)", "jwt/v5.(*Validator).Validate"},
	{"  memory allocation (mallocgc)", "runtime.mallocgc"},
}

// verifyProfile profiles BenchmarkVerify with go test and summarises where
// the samples went.
func verifyProfile(ctx context.Context, root, dir string) ([]string, error) {
	prof, bin := filepath.Join(dir, "verify.pprof"), filepath.Join(dir, "authorizer.test")
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkVerify$", "-benchtime", "5s",
		"-cpuprofile", prof, "-o", bin, "./authorizer/")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go test -cpuprofile: %w: %s", err, out)
	}
	top := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-cum", "-nodecount", "400", bin, prof)
	top.Dir = root
	top.Stderr = os.Stderr
	out, err := top.Output()
	if err != nil {
		return nil, fmt.Errorf("go tool pprof: %w", err)
	}
	return summariseProfile(out), nil
}

// summariseProfile picks the profileGroups lines out of `pprof -top -cum`
// output, as shares of Verify's cumulative samples.
func summariseProfile(top []byte) []string {
	cum := map[string]string{} // function → cumulative seconds
	sc := bufio.NewScanner(bytes.NewReader(top))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// flat flat% sum% cum cum% name...
		if len(f) >= 6 && strings.HasSuffix(f[4], "%") {
			name := strings.TrimSuffix(strings.Join(f[5:], " "), " (inline)")
			if _, seen := cum[name]; !seen {
				cum[name] = f[3]
			}
		}
	}
	seconds := func(fn string) (float64, bool) {
		for name, v := range cum {
			if name == fn || strings.HasSuffix(name, "/"+fn) {
				var x float64
				if _, err := fmt.Sscanf(strings.TrimSuffix(strings.TrimSuffix(v, "ms"), "s"), "%g", &x); err != nil {
					return 0, false
				}
				if strings.HasSuffix(v, "ms") {
					x /= 1000
				}
				return x, true
			}
		}
		return 0, false
	}
	total, ok := seconds(profileGroups[0].fn)
	if !ok || total == 0 {
		return nil
	}
	var lines []string
	for _, g := range profileGroups {
		s, ok := seconds(g.fn)
		if !ok {
			s = 0
		}
		lines = append(lines, fmt.Sprintf("%-55s %6.1f%%  (%.2fs)", g.label, 100*s/total, s))
	}
	return lines
}
