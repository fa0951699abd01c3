// Command testfn is the Lambda function fakelambda's tests run: a Go
// bootstrap built with aws-lambda-go whose behaviour the event selects.
//
// TESTFN_INIT, when set, breaks the init phase: "exit" exits with status 3,
// "post" reports an init error to the Runtime API and exits, "hang" never
// asks for an invocation, "listen" listens on localhost:$_LAMBDA_SERVER_PORT
// and waits there, as lambda.Start of aws-lambda-go before v1.18 does.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// event selects what an invocation does.
type event struct {
	Action  string   `json:"action"`  // echo (default), error, panic, exit, sleep, wait, context, env, log, alloc, big, barrier, api
	Message string   `json:"message"` // error, panic and log text
	Code    int      `json:"code"`    // exit status
	MS      int      `json:"ms"`      // sleep duration
	Bytes   int      `json:"bytes"`   // alloc and big sizes
	URL     string   `json:"url"`     // barrier URL to GET
	Method  string   `json:"method"`  // api: request method
	Path    string   `json:"path"`    // api: Runtime API path
	Body    string   `json:"body"`    // api: request body
	Vars    []string `json:"vars"`    // env: variables to report
}

func handle(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	switch ev.Action {
	case "", "echo":
		return raw, nil
	case "error":
		return nil, errors.New(ev.Message)
	case "panic":
		panic(ev.Message)
	case "exit":
		os.Exit(ev.Code)
	case "sleep":
		time.Sleep(time.Duration(ev.MS) * time.Millisecond)
		return json.RawMessage(`"slept"`), nil
	case "wait":
		<-ctx.Done()
		return nil, ctx.Err()
	case "context":
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		return marshal(map[string]any{
			"requestId":    lc.AwsRequestID,
			"functionArn":  lc.InvokedFunctionArn,
			"deadlineMs":   deadline.UnixMilli(),
			"functionName": lambdacontext.FunctionName,
			"memory":       lambdacontext.MemoryLimitInMB,
			"version":      lambdacontext.FunctionVersion,
			"traceId":      os.Getenv("_X_AMZN_TRACE_ID"),
		})
	case "env":
		vars := map[string]string{}
		for _, k := range ev.Vars {
			vars[k] = os.Getenv(k)
		}
		wd, _ := os.Getwd()
		vars["cwd"] = wd
		return marshal(vars)
	case "log":
		fmt.Fprintln(os.Stdout, ev.Message+" to stdout")
		fmt.Fprintln(os.Stderr, ev.Message+" to stderr")
		return json.RawMessage(`"logged"`), nil
	case "alloc":
		b := make([]byte, max(ev.Bytes, 1))
		for i := range b {
			b[i] = byte(i)
		}
		return marshal(int(b[len(b)-1]))
	case "big":
		return marshal(strings.Repeat("x", ev.Bytes))
	case "barrier":
		resp, err := http.Get(ev.URL)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return marshal(string(body))
	case "api":
		return callAPI(ev)
	}
	return nil, fmt.Errorf("unknown action %q", ev.Action)
}

// callAPI sends a raw request to this instance's Runtime API and reports
// the status and body it got, for protocol tests.
func callAPI(ev event) (json.RawMessage, error) {
	req, err := http.NewRequest(ev.Method, "http://"+os.Getenv("AWS_LAMBDA_RUNTIME_API")+ev.Path, strings.NewReader(ev.Body))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return marshal(map[string]any{"status": resp.StatusCode, "body": string(bytes.TrimSpace(body))})
}

func marshal(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	return b, err
}

func main() {
	switch os.Getenv("TESTFN_INIT") {
	case "exit":
		fmt.Fprintln(os.Stderr, "testfn: init failed on purpose")
		os.Exit(3)
	case "post":
		fmt.Fprintln(os.Stderr, "testfn: reporting an init error")
		body := `{"errorMessage":"JWKS_URI is required","errorType":"Runtime.ConfigError"}`
		resp, err := http.Post("http://"+os.Getenv("AWS_LAMBDA_RUNTIME_API")+"/2018-06-01/runtime/init/error", "application/json", strings.NewReader(body))
		if err == nil {
			resp.Body.Close()
		}
		os.Exit(1)
	case "hang":
		fmt.Fprintln(os.Stderr, "testfn: hanging in init")
		select {}
	case "listen":
		ln, err := net.Listen("tcp", "localhost:"+os.Getenv("_LAMBDA_SERVER_PORT"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "testfn:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "testfn: waiting for go1.x RPC connections on", ln.Addr())
		select {}
	}
	lambda.Start(handle)
}
