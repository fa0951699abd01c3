package fakelambda

import (
	_ "embed"
)

// pythonRuntime is the Python runtime shim: the Runtime API loop, handler
// loading ("module.function"), Lambda's context object and log format, on
// the standard library alone.
//
//go:embed python/runtime.py
var pythonRuntime []byte

// pythonShimName is the file name of the Python shim inside
// Function.shimDir; the underscore keeps it from shadowing a handler's
// module.
const pythonShimName = "_fakelambda_runtime.py"

// pythonArgs are the interpreter's arguments: unbuffered output (Lambda's
// runtime flushes every write), then the shim.
func (f *Function) pythonArgs() []string {
	return []string{"-u", f.shimPath}
}
