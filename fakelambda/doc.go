// Package fakelambda hosts the AWS Lambda Runtime API on 127.0.0.1 and runs
// any command as a Lambda function, so a real function binary (a Go
// bootstrap built with aws-lambda-go), a Node.js or a Python handler can be
// invoked from tests exactly as Lambda would invoke it.
//
// Start launches one execution environment ("instance") and waits until its
// runtime asks for work. A [Function] is a Target: Invoke hands the payload
// to an idle instance (starting another, up to MaxInstances, when all are
// busy), enforces the function timeout the way Lambda does (kill the
// process, start a fresh one next time) and returns the response bytes or a
// [*FunctionError] shaped like the error document Lambda returns.
//
// Each instance is its own process group with its own Runtime API listener
// (AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT), so a runtime only ever sees its
// own invocations, as in a Lambda sandbox. The API implemented is
// /2018-06-01/runtime/invocation/next, …/{id}/response, …/{id}/error and
// /2018-06-01/runtime/init/error, with the Lambda-Runtime-Aws-Request-Id,
// Lambda-Runtime-Deadline-Ms, Lambda-Runtime-Invoked-Function-Arn and
// Lambda-Runtime-Trace-Id headers, Lambda's status codes (202, 400
// InvalidRequestID, 403 InvalidStateTransition, 413 RequestEntityTooLarge)
// and its 6 MB payload limits.
//
// Node.js handlers run through a small runtime shim embedded in this
// package (Config.Runtime = RuntimeNodeJS): it is written to a temporary
// directory at Start and executed with node directly. It loads _HANDLER from
// LAMBDA_TASK_ROOT (CommonJS or ES modules), supports async and callback
// handlers with Lambda's context object, posts handler errors as
// {errorType, errorMessage, trace}, turns uncaught exceptions and unhandled
// rejections into an invocation error followed by process exit, and reports
// load failures to /runtime/init/error.
//
// Python handlers run the same way through an embedded shim on the
// standard library alone (Config.Runtime = RuntimePython, the interpreter
// Config.Python): it imports "module.function" from LAMBDA_TASK_ROOT, calls
// handler(event, context), posts exceptions as {errorMessage, errorType,
// requestId, stackTrace} the way awslambdaric does (so raise
// Exception("Unauthorized") answers "Unauthorized"), and reports load
// failures (Runtime.ImportModuleError, Runtime.HandlerNotFound, …) to
// /runtime/init/error.
//
// A Go binary built with aws-lambda-go before v1.18 speaks the retired go1.x
// RPC protocol (it waits on _LAMBDA_SERVER_PORT) and never calls the
// Runtime API: Start says so (ErrRPCProtocol) instead of timing out
// without a hint.
//
// As in Lambda, an invocation's clock runs until the runtime's next
// /invocation/next (work done after posting the response still counts
// against the timeout), and the next sequential Invoke waits for that
// warm instance rather than starting another.
//
// Deviations from real Lambda: no memory limit is enforced (MemoryMB is
// only advertised in the environment and as node's heap limit), no
// Extensions, Telemetry or Logs API, no response streaming, no credentials
// in the environment, no Client-Context or Cognito identity headers, and an
// instance whose process ends after replying is replaced on the next
// Invoke rather than re-initialised inside the same sandbox.
package fakelambda
