package fakelambda_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/serverless-auth/serverless-auth/fakelambda"
)

// A Go bootstrap built with `go build -tags lambda.norpc -o build/authorizer/bootstrap`
// runs as it would in Lambda's provided.al2023 runtime.
func ExampleStart() {
	ctx := context.Background()
	f, err := fakelambda.Start(ctx, fakelambda.Config{
		Name:    "authorizer",
		Dir:     "build/authorizer", // runs ./bootstrap there
		Env:     []string{"JWKS_URI=http://127.0.0.1:8081/.well-known/jwks.json"},
		Timeout: 3 * time.Second,
		Output:  os.Stderr,
	})
	if err != nil {
		log.Fatal(err) // errors.Is(err, fakelambda.ErrInitFailed), with the output's tail
	}
	defer f.Close()

	resp, err := f.Invoke(ctx, []byte(`{"type":"TOKEN","authorizationToken":"Bearer x","methodArn":"arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/profile"}`))
	var fe *fakelambda.FunctionError
	switch {
	case errors.As(err, &fe) && fe.Error() == "Unauthorized":
		fmt.Println("401")
	case errors.Is(err, fakelambda.ErrTimeout):
		fmt.Println("timed out; the next Invoke gets a fresh instance")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Printf("policy: %s\n", resp)
	}
	fmt.Println(f.Stats().ColdStarts)
}

// Node.js handlers run through the embedded runtime shim.
func ExampleStart_nodejs() {
	f, err := fakelambda.Start(context.Background(), fakelambda.Config{
		Name:    "profile",
		Runtime: fakelambda.RuntimeNodeJS,
		Handler: "profile.handler", // exports.handler of profile.js
		Dir:     "examples/node",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	resp, err := f.Invoke(context.Background(), []byte(`{"requestContext":{"authorizer":{"scope":"get:profile"}}}`))
	fmt.Println(string(resp), err)
}
