// Command authorizer is the API Gateway TOKEN authorizer Lambda function. It
// reads JWKS_URI, TOKEN_ISSUER and AUDIENCE (and the optional knobs listed in
// docs/authorizer.md) and serves the Runtime API through aws-lambda-go. A missing or
// malformed setting fails the function's init with one JSON log line naming
// it, so no request is ever answered by a half-configured authorizer.
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
	lambda.Start(a.Authorize)
}
