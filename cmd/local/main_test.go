package main

import (
	"bytes"
	"context"
	"github.com/serverless-auth/serverless-auth/internal/logbuffer"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// curlLine matches the printed API calls: URL and optional bearer token.
var curlLine = regexp.MustCompile(`^\s*curl -i (\S+)(?: -H 'Authorization: Bearer ([^']+)')?$`)

// TestBannerCommandsWork starts the stack of each design as make run does
// (on free ports), takes the curl commands it prints and checks each answers
// as its comment says, and that every request is logged on one line.
func TestBannerCommandsWork(t *testing.T) {
	tests := []struct {
		design  string
		status  []int
		reasons []string
	}{
		{designREST, []int{200, 403, 401, 401}, []string{"allow (ok)", "allow (ok)", "authorizer not invoked", "deny (unknown_kid)"}},
		{designJWT, []int{200, 403, 401, 401}, []string{"gateway allow (ok)", "gateway deny (scope_missing)", "gateway deny (token_missing)", "gateway deny (unknown_kid)"}},
		{designLambda, []int{200, 403, 401, 403}, []string{"allow (ok)", "allow (ok)", "authorizer not invoked, gateway: identity_missing", "deny (unknown_kid)"}},
	}
	for _, tt := range tests {
		t.Run(tt.design, func(t *testing.T) {
			logs := &logbuffer.Buffer{}
			s, err := start(context.Background(), options{addr: "127.0.0.1:0", tenantAddr: "127.0.0.1:0", design: tt.design}, logs)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var banner bytes.Buffer
			if err := printBanner(&banner, s); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(banner.String(), "design "+tt.design) {
				t.Errorf("the banner does not name the design:\n%s", banner.String())
			}
			var got []int
			for line := range strings.SplitSeq(banner.String(), "\n") {
				m := curlLine.FindStringSubmatch(line)
				if m == nil {
					continue
				}
				req, err := http.NewRequest(http.MethodGet, m[1], nil)
				if err != nil {
					t.Fatal(err)
				}
				if m[2] != "" {
					req.Header.Set("Authorization", "Bearer "+m[2])
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				got = append(got, resp.StatusCode)
				if resp.StatusCode == 200 && string(body) != `{"name":"Daniël"}` {
					t.Errorf("200 body %s", body)
				}
			}
			if len(got) != len(tt.status) {
				t.Fatalf("banner printed %d API curl commands, want %d:\n%s", len(got), len(tt.status), banner.String())
			}
			for i := range tt.status {
				if got[i] != tt.status[i] {
					t.Errorf("curl %d answered %d, want %d", i, got[i], tt.status[i])
				}
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != len(tt.status) {
				t.Fatalf("want one log line per request, got:\n%s", logs.String())
			}
			for i, reason := range tt.reasons {
				if !strings.Contains(lines[i], reason) {
					t.Errorf("log line %d %q lacks %q", i, lines[i], reason)
				}
			}
			if strings.Contains(logs.String(), "eyJ") {
				t.Error("the request log contains a token")
			}
		})
	}
}

// TestTokenCurlCommandsAreValid checks the printed client-credentials
// commands against the tenant.
func TestTokenCurlCommandsAreValid(t *testing.T) {
	s, err := start(context.Background(), options{addr: "127.0.0.1:0", tenantAddr: "127.0.0.1:0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var banner bytes.Buffer
	if err := printBanner(&banner, s); err != nil {
		t.Fatal(err)
	}
	tokenLine := regexp.MustCompile(`curl -s (\S+) -H 'Content-Type: application/json' -d '([^']+)'`)
	n := 0
	for _, m := range tokenLine.FindAllStringSubmatch(banner.String(), -1) {
		resp, err := http.Post(m[1], "application/json", strings.NewReader(m[2]))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"access_token"`) {
			t.Errorf("token request %s: %d %s", m[2], resp.StatusCode, body)
		}
		n++
	}
	if n != 2 {
		t.Errorf("want 2 token commands, got %d", n)
	}
}

func TestParseRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-cache-ttl", "3601"}, {"-cache-ttl", "-1"}, {"extra"}, {"-design", "graphql"}} {
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("parse(%q) accepted", args)
		}
	}
}

// TestInterruptStopsCleanly runs the command as make run does and sends it SIGINT, as Ctrl-C
// does: it must exit with status 0 and say it stopped in one line.
func TestInterruptStopsCleanly(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "local")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0", "-tenant-addr", "127.0.0.1:0")
	stdout, stderr := &logbuffer.Buffer{}, &logbuffer.Buffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(stdout.String(), "Call the API") {
		if ctx.Err() != nil {
			t.Fatalf("the stack did not start:\n%s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGINT: %v\nstderr:\n%s", err, stderr.String())
	}
	if got := strings.TrimSpace(stderr.String()); got != "local: stopped" {
		t.Errorf("stderr after SIGINT = %q, want the one line %q", got, "local: stopped")
	}
}

// TestRunReturnsNilWhenCancelled: run itself reports a clean stop as success.
func TestRunReturnsNilWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &logbuffer.Buffer{}, &logbuffer.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-tenant-addr", "127.0.0.1:0"}, stdout, stderr)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "Call the API") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after cancel: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	if !strings.HasSuffix(stderr.String(), "local: stopped\n") {
		t.Errorf("stderr = %q", stderr.String())
	}
}
