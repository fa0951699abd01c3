// Command httpauthorizer is the HTTP API Lambda authorizer (payload format 2.0,
// simple responses) of deploy/httpapi.yaml: Authorizer.AuthorizeHTTP over the
// same verifier and environment as the REST API's TOKEN authorizer (JWKS_URI,
// TOKEN_ISSUER, AUDIENCE and the optional knobs of docs/authorizer.md). A
// missing or malformed setting fails the function's init with one JSON log
// line naming it, so no request is ever answered by a half-configured
// authorizer.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/serverless-auth/serverless-auth/authorizer"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	a, err := authorizer.NewFromEnv(context.Background(), os.LookupEnv, authorizer.WithLogger(logger))
	if err != nil {
		logger.Error("init", slog.String("reason", "config_invalid"), slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(a.AuthorizeHTTP)
}
