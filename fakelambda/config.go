package fakelambda

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Runtime names how a function's process is started.
type Runtime string

const (
	// RuntimeProvided runs Command through `sh -c` in Dir, like Lambda's
	// provided.al2023 runs /var/task/bootstrap. The default.
	RuntimeProvided Runtime = ""
	// RuntimeNodeJS runs the embedded Node.js runtime shim with node, which
	// loads Handler ("file.export") from Dir.
	RuntimeNodeJS Runtime = "nodejs"
	// RuntimePython runs the embedded Python runtime shim with Python,
	// which imports Handler ("module.function", "pkg/module.function") from
	// Dir. Standard library only; the handler's own imports must be
	// importable by that interpreter.
	RuntimePython Runtime = "python3"
)

// Defaults applied by Start to zero fields of Config.
const (
	DefaultName         = "function"
	DefaultTimeout      = 3 * time.Second
	DefaultInitTimeout  = 10 * time.Second
	DefaultMemoryMB     = 128
	DefaultMaxInstances = 4
	DefaultRegion       = "us-east-1"
	// DefaultCommand is the provided runtime's entry point, run in Dir.
	DefaultCommand = "./bootstrap"
)

// Lambda's synchronous invocation limits.
const (
	// MaxRequestBytes is the largest payload Invoke accepts (6 MB).
	MaxRequestBytes = 6 * 1024 * 1024
	// MaxResponseBytes is the largest response or error document a runtime
	// may post (Lambda allows 6 MB plus 100 bytes).
	MaxResponseBytes = 6*1024*1024 + 100
)

// lambdaPath is Lambda's PATH; the host's PATH follows it so that tools
// installed elsewhere (node under nvm, say) are still found.
const lambdaPath = "/usr/local/bin:/usr/bin/:/bin:/opt/bin"

// Config describes a function. Zero fields take the defaults above.
type Config struct {
	// Name is AWS_LAMBDA_FUNCTION_NAME and part of the function ARN.
	Name string
	// Runtime selects how the process starts: RuntimeProvided (Command via
	// sh -c), RuntimeNodeJS (the embedded shim under node) or RuntimePython
	// (the embedded shim under python3).
	Runtime Runtime
	// Command is the shell command that starts the runtime (provided
	// runtime only), e.g. "./bootstrap" or "exec build/authorizer/bootstrap";
	// default DefaultCommand.
	Command string
	// Handler is _HANDLER: "bootstrap" by default for the provided runtime;
	// required for RuntimeNodeJS, e.g. "authorizer.handler" or
	// "src/index.handler" (relative to Dir), and for RuntimePython, e.g.
	// "authorizer.handler" (module authorizer, function handler).
	Handler string
	// Node is the node executable for RuntimeNodeJS (looked up in PATH);
	// default "node".
	Node string
	// Python is the interpreter for RuntimePython (looked up in PATH);
	// default "python3". Pick one that can import the handler's
	// dependencies: a Debian package such as python3-jwt serves
	// /usr/bin/python3, not a pyenv or virtualenv python3 earlier in PATH.
	Python string
	// Env holds extra KEY=VALUE entries, applied over the Lambda-like
	// environment (AWS_LAMBDA_RUNTIME_API cannot be overridden).
	Env []string
	// Dir is the working directory and LAMBDA_TASK_ROOT; default the
	// current directory.
	Dir string
	// Timeout is the function timeout, counted from the moment the runtime
	// receives the invocation; default 3s.
	Timeout time.Duration
	// InitTimeout bounds the init phase (exec until the first
	// /invocation/next); default 10s like Lambda's.
	InitTimeout time.Duration
	// MemoryMB is AWS_LAMBDA_FUNCTION_MEMORY_SIZE (not enforced; node gets
	// a matching --max-old-space-size); default 128.
	MemoryMB int
	// MaxInstances caps concurrently running instances; an Invoke finding
	// all of them busy waits for one. Default 4.
	MaxInstances int
	// Output, when set, receives a copy of every instance's stdout and
	// stderr (writes are serialised).
	Output io.Writer
}

// withDefaults fills zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.Name == "" {
		c.Name = DefaultName
	}
	if strings.ContainsAny(c.Name, " /:\t\n") {
		return c, fmt.Errorf("fakelambda: function name %q must not contain spaces, '/' or ':'", c.Name)
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.InitTimeout == 0 {
		c.InitTimeout = DefaultInitTimeout
	}
	if c.MemoryMB == 0 {
		c.MemoryMB = DefaultMemoryMB
	}
	if c.MaxInstances == 0 {
		c.MaxInstances = DefaultMaxInstances
	}
	if c.Timeout < 0 || c.InitTimeout < 0 || c.MemoryMB < 0 || c.MaxInstances < 0 {
		return c, errors.New("fakelambda: Timeout, InitTimeout, MemoryMB and MaxInstances must not be negative")
	}
	dir := c.Dir
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return c, fmt.Errorf("fakelambda: dir %q: %w", c.Dir, err)
	}
	if st, err := os.Stat(abs); err != nil {
		return c, fmt.Errorf("fakelambda: dir: %w", err)
	} else if !st.IsDir() {
		return c, fmt.Errorf("fakelambda: dir %q is not a directory", abs)
	}
	c.Dir = abs
	for _, kv := range c.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return c, fmt.Errorf("fakelambda: env entry %q is not KEY=VALUE", kv)
		}
	}
	switch c.Runtime {
	case RuntimeProvided:
		if c.Command == "" {
			c.Command = DefaultCommand
		}
		if c.Handler == "" {
			c.Handler = "bootstrap"
		}
	case RuntimeNodeJS:
		if c.Handler == "" {
			return c, errors.New("fakelambda: Handler (\"file.export\") is required for the nodejs runtime")
		}
		if c.Node == "" {
			c.Node = "node"
		}
	case RuntimePython:
		if c.Handler == "" {
			return c, errors.New("fakelambda: Handler (\"module.function\") is required for the python3 runtime")
		}
		if c.Python == "" {
			c.Python = "python3"
		}
	default:
		return c, fmt.Errorf("fakelambda: unknown runtime %q", c.Runtime)
	}
	return c, nil
}

// region is AWS_REGION as the function will see it.
func (c Config) region() string {
	region := DefaultRegion
	for _, kv := range c.Env {
		if v, ok := strings.CutPrefix(kv, "AWS_REGION="); ok && v != "" {
			region = v
		}
	}
	return region
}

// functionARN is the Lambda-Runtime-Invoked-Function-Arn header value.
func (c Config) functionARN() string {
	return "arn:aws:lambda:" + c.region() + ":123456789012:function:" + c.Name
}

// environment is the process environment of one instance: a Lambda-like
// base, then Config.Env, then the instance's Runtime API address.
func (c Config) environment(runtimeAPI, logStream string) []string {
	path := lambdaPath
	if host := os.Getenv("PATH"); host != "" {
		path += ":" + host
	}
	env := []string{
		"PATH=" + path,
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"AWS_REGION=" + c.region(),
		"AWS_DEFAULT_REGION=" + c.region(),
		"AWS_LAMBDA_FUNCTION_NAME=" + c.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(c.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + c.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + logStream,
		"_HANDLER=" + c.Handler,
		"LAMBDA_TASK_ROOT=" + c.Dir,
	}
	switch c.Runtime {
	case RuntimeNodeJS:
		env = append(env, "AWS_EXECUTION_ENV=AWS_Lambda_nodejs")
	case RuntimePython:
		// Only /tmp is writable on Lambda (AWS whitepaper "Security Overview
		// of AWS Lambda", Lambda isolation technologies): no __pycache__ in
		// the task root.
		env = append(env, "AWS_EXECUTION_ENV=AWS_Lambda_python3", "PYTHONDONTWRITEBYTECODE=1")
	}
	env = append(env, c.Env...)
	return append(env, "AWS_LAMBDA_RUNTIME_API="+runtimeAPI)
}
