package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

func TestParseClient(t *testing.T) {
	cases := []struct {
		in      string
		want    fakeauth0.Client
		wantErr bool
	}{
		{in: "a:b", want: fakeauth0.Client{ID: "a", Secret: "b", Name: "a"}},
		{in: "a:b:", want: fakeauth0.Client{ID: "a", Secret: "b", Name: "a"}},
		{in: "a:b:get:profile,read:messages", want: fakeauth0.Client{ID: "a", Secret: "b", Name: "a", Scopes: []string{"get:profile", "read:messages"}}},
		{in: "a:b: x , ,y", want: fakeauth0.Client{ID: "a", Secret: "b", Name: "a", Scopes: []string{"x", "y"}}},
		{in: "a", wantErr: true},
		{in: ":b", wantErr: true},
		{in: "a:", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := parseClient(c.in)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if !c.wantErr && (got.ID != c.want.ID || got.Secret != c.want.Secret || got.Name != c.want.Name || !slices.Equal(got.Scopes, c.want.Scopes)) {
				t.Errorf("parseClient = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestRunRejectsBadUsage(t *testing.T) {
	cases := [][]string{
		{"-client", "nocolon"},
		{"-token-lifetime", "10ms"},
		{"-audience", ""},
		{"extra"},
		{"-addr", "256.0.0.1:0"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if code := run(context.Background(), args, io.Discard, io.Discard); code == 0 {
				t.Errorf("run(%q) = 0, want a failure", args)
			}
		})
	}
}

// TestRunServesUntilCancelled starts the command on a random port, reads the
// environment it prints, obtains a token from it and stops it.
func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"-addr", "127.0.0.1:0", "-client", "svc:pa'ss:get:profile", "-rbac"}, outW, io.Discard)
		outW.Close()
		done <- code
	}()

	env := map[string]string{}
	var curls []string
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for line := range lines {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.Contains(k, " ") {
			env[k] = v
		}
		if strings.HasPrefix(line, "curl ") {
			curls = append(curls, line)
			break
		}
	}
	go func() {
		for range lines { // drain
		}
	}()
	for _, k := range []string{"JWKS_URI", "TOKEN_ISSUER", "AUDIENCE"} {
		if env[k] == "" {
			t.Fatalf("%s not printed; got %v", k, env)
		}
	}
	if env["AUDIENCE"] != fakeauth0.DefaultAudience || !strings.HasSuffix(env["TOKEN_ISSUER"], "/") {
		t.Errorf("environment = %v", env)
	}
	if len(curls) != 1 || !strings.Contains(curls[0], `"client_id":"svc"`) || !strings.Contains(curls[0], `pa'\''ss`) {
		t.Errorf("curl = %q", curls)
	}

	client := &http.Client{Timeout: 30 * time.Second}
	tokenURL := strings.TrimSuffix(env["TOKEN_ISSUER"], "/") + "/oauth/token"
	resp, err := client.Post(tokenURL, "application/json",
		strings.NewReader(`{"grant_type":"client_credentials","client_id":"svc","client_secret":"pa'ss"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tr fakeauth0.TokenResponse
	err = json.NewDecoder(resp.Body).Decode(&tr)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || tr.Scope != "get:profile" {
		t.Errorf("token response %d %+v (%v)", resp.StatusCode, tr, err)
	}
	if resp, err := client.Get(env["JWKS_URI"]); err != nil || resp.StatusCode != 200 {
		t.Errorf("JWKS: %v", err)
	} else {
		resp.Body.Close()
	}

	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit code = %d after cancellation, want 0", code)
	}
}
