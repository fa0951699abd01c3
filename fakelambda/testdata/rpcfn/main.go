// Command rpcfn is a Go binary whose build information says it was built
// with aws-lambda-go v1.13.3, the go1.x RPC protocol: fakelambda must refuse
// to start it with ErrRPCProtocol rather than wait for an init timeout.
// aws-lambda-go itself is replaced by ./awslambdago, which does what
// v1.13.3's lambda.Start does on start, so that the test needs no network.
package main

import "github.com/aws/aws-lambda-go/lambda"

func main() {
	lambda.Start(func() (string, error) { return "never called", nil })
}
