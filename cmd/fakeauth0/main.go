// Command fakeauth0 runs a fake Auth0 tenant (package fakeauth0) as a
// standalone server, so test suites in any language can get client-credentials
// tokens from it and verify them against its JWKS.
//
// Usage:
//
//	fakeauth0 [-addr 127.0.0.1:4000] [-audience URL] [-client ID:SECRET[:scope,scope]]... [-rbac] [-userinfo-audience] [-token-lifetime 24h]
//
// It prints the authorizer's environment (JWKS_URI, TOKEN_ISSUER, AUDIENCE)
// and a curl command per client, logs one JSON line per token decision to
// stderr, and stops cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/serverless-auth/serverless-auth/fakeauth0"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// clientFlags collects the repeatable -client flag.
type clientFlags []fakeauth0.Client

func (c *clientFlags) String() string {
	ids := make([]string, len(*c))
	for i, cl := range *c {
		ids[i] = cl.ID
	}
	return strings.Join(ids, ",")
}

func (c *clientFlags) Set(v string) error {
	cl, err := parseClient(v)
	if err != nil {
		return err
	}
	*c = append(*c, cl)
	return nil
}

// parseClient reads ID:SECRET or ID:SECRET:scope1,scope2.
func parseClient(v string) (fakeauth0.Client, error) {
	parts := strings.SplitN(v, ":", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return fakeauth0.Client{}, fmt.Errorf("%q is not ID:SECRET or ID:SECRET:scope1,scope2", v)
	}
	c := fakeauth0.Client{ID: parts[0], Secret: parts[1], Name: parts[0]}
	if len(parts) == 3 {
		for _, s := range strings.Split(parts[2], ",") {
			if s = strings.TrimSpace(s); s != "" {
				c.Scopes = append(c.Scopes, s)
			}
		}
	}
	return c, nil
}

// run serves a tenant until ctx is done and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakeauth0", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4000", "address to listen on (host:port)")
	audience := fs.String("audience", fakeauth0.DefaultAudience, "identifier of the tenant's API, also its default audience")
	var clients clientFlags
	fs.Var(&clients, "client", "client `ID:SECRET[:scope1,scope2]` granted the API (repeatable; default: the built-in clients)")
	rbac := fs.Bool("rbac", false, "add a permissions claim with the granted scopes, as Auth0 does with RBAC on")
	userinfo := fs.Bool("userinfo-audience", false, `mint aud as a list [AUDIENCE, ISSUER+"userinfo"]`)
	lifetime := fs.Duration("token-lifetime", fakeauth0.DefaultTokenLifetime, "lifetime of issued tokens (at least 1s)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fakeauth0: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *audience == "" {
		fmt.Fprintln(stderr, "fakeauth0: -audience must not be empty")
		return 2
	}
	if *lifetime < time.Second {
		fmt.Fprintf(stderr, "fakeauth0: -token-lifetime %v is shorter than 1s\n", *lifetime)
		return 2
	}

	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Error("listen", "addr", *addr, "error", err.Error())
		return 1
	}
	opts := []fakeauth0.Option{
		fakeauth0.WithListener(l),
		fakeauth0.WithAudience(*audience),
		fakeauth0.WithRBAC(*rbac),
		fakeauth0.WithUserinfoAudience(*userinfo),
		fakeauth0.WithTokenLifetime(*lifetime),
		fakeauth0.WithLogger(logger),
	}
	for _, c := range clients {
		opts = append(opts, fakeauth0.WithClient(c))
	}
	tenant := fakeauth0.New(opts...)
	logger.Info("listening", "url", tenant.URL, "kid", tenant.SigningKey().ID)
	printUsage(stdout, tenant)

	<-ctx.Done()
	tenant.Close()
	logger.Info("stopped")
	return 0
}

// printUsage prints the authorizer's environment and a curl per client; every
// other line is a shell comment.
func printUsage(w io.Writer, tenant *fakeauth0.Tenant) {
	fmt.Fprintf(w, "# fakeauth0: a fake Auth0 tenant at %s (Ctrl-C to stop)\n", tenant.URL)
	fmt.Fprintln(w, "# Environment of the authorizer:")
	fmt.Fprintf(w, "JWKS_URI=%s\n", tenant.JWKSURL())
	fmt.Fprintf(w, "TOKEN_ISSUER=%s\n", tenant.Issuer())
	fmt.Fprintf(w, "AUDIENCE=%s\n", tenant.Audience())
	for _, c := range tenant.Clients() {
		scopes := "no scope"
		if len(c.Scopes) > 0 {
			scopes = "scope: " + strings.Join(c.Scopes, " ")
		}
		aud := c.Audience
		if aud == "" {
			aud = tenant.Audience()
		}
		body, err := json.Marshal(struct {
			GrantType    string `json:"grant_type"`
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
			Audience     string `json:"audience"`
		}{fakeauth0.GrantTypeClientCredentials, c.ID, c.Secret, aud})
		if err != nil {
			continue
		}
		fmt.Fprintf(w, "\n# A token for %s (%s):\n", c.ID, scopes)
		fmt.Fprintf(w, "curl -s -X POST %s -H 'Content-Type: application/json' -d %s\n",
			shellQuote(tenant.TokenURL()), shellQuote(string(body)))
	}
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
