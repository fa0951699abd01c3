// Command zipbootstrap writes a Lambda deployment package: a zip archive holding one
// executable file named "bootstrap" at its root, as the provided.al2023 runtime expects.
// The entry has mode 0755 and a fixed timestamp, so the same binary always gives the same
// bytes (and the same S3 key from aws cloudformation package). make package uses it so that
// no zip program is needed:
//
//	go run ./deploy/zipbootstrap -o build/authorizer.zip build/linux-arm64/authorizer/bootstrap
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "zipbootstrap:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("zipbootstrap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "the zip file to write (required)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: zipbootstrap -o OUT.zip BINARY")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	return writeFile(*out, fs.Arg(0))
}
