package scenarios_test

import (
	"context"
	"log/slog"

	"github.com/serverless-auth/serverless-auth/authorizer"
	"github.com/serverless-auth/serverless-auth/internal/logbuffer"
	"github.com/serverless-auth/serverless-auth/profile"
	"github.com/serverless-auth/serverless-auth/scenarios"
)

// lookup reads a starter's environment the way os.LookupEnv reads a process's.
func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

// inProcessAuthorizer runs authorizer.Authorizer's handler in-process
// through scenarios.Handler, as deploy/authorizer runs it under lambda.Start.
func inProcessAuthorizer(ctx context.Context, env map[string]string) (*scenarios.Instance, error) {
	return startAuthorizer(ctx, env, func(a *authorizer.Authorizer) scenarios.Target { return scenarios.Handler(a.Authorize) })
}

// startAuthorizer builds an Authorizer from env, logging to a buffer the
// Instance shows, and serves it through target.
func startAuthorizer(ctx context.Context, env map[string]string, target func(*authorizer.Authorizer) scenarios.Target) (*scenarios.Instance, error) {
	logs := &logbuffer.Buffer{}
	a, err := authorizer.NewFromEnv(ctx, lookup(env), authorizer.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	if err != nil {
		return nil, err
	}
	return &scenarios.Instance{Target: target(a), Output: logs.String}, nil
}

// inProcessProfile runs profile.Handler's handler in-process.
func inProcessProfile(context.Context, map[string]string) (*scenarios.Instance, error) {
	logs := &logbuffer.Buffer{}
	h := profile.New(profile.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	return &scenarios.Instance{Target: scenarios.Handler(h.Handle), Output: logs.String}, nil
}

// inProcessHTTPAuthorizer runs Authorizer.AuthorizeHTTP (payload 2.0, simple
// responses), as deploy/httpauthorizer does, without a process.
func inProcessHTTPAuthorizer(ctx context.Context, env map[string]string) (*scenarios.Instance, error) {
	return startAuthorizer(ctx, env, func(a *authorizer.Authorizer) scenarios.Target { return scenarios.Handler(a.AuthorizeHTTP) })
}

// inProcessHTTPProfile runs profile.Handler as the lambda.Handler
// deploy/profile starts, which reads payload 2.0 events too.
func inProcessHTTPProfile(context.Context, map[string]string) (*scenarios.Instance, error) {
	logs := &logbuffer.Buffer{}
	h := profile.New(profile.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	return &scenarios.Instance{Target: h, Output: logs.String}, nil
}
