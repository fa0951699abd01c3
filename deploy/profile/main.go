// Command profile is the GET /profile Lambda function: profile.Handler behind
// aws-lambda-go's Runtime API client, for a REST API's proxy events and an HTTP
// API's payload 2.0 events alike (the Handler's Invoke picks by the event's
// shape). Build it with -tags lambda.norpc for the provided.al2023 runtime
// (make build, make package).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/serverless-auth/serverless-auth/profile"
)

func main() {
	lambda.Start(profile.New())
}
