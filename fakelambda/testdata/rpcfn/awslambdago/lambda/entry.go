// Package lambda does what aws-lambda-go v1.13.3's lambda.Start does on
// start (lambda/entry.go of that release): listen on
// localhost:$_LAMBDA_SERVER_PORT and serve net/rpc there, the go1.x
// runtime's protocol. It exists only to give testdata/rpcfn the build
// information of such a binary.
package lambda

import (
	"log"
	"net"
	"net/rpc"
	"os"
)

// Start serves the go1.x RPC protocol until the process is killed.
func Start(handler any) {
	lis, err := net.Listen("tcp", "localhost:"+os.Getenv("_LAMBDA_SERVER_PORT"))
	if err != nil {
		log.Fatal(err)
	}
	rpc.Accept(lis)
	log.Fatal("accept should not have returned")
}
