package fakelambda

import (
	_ "embed"
	"strconv"
)

// nodeRuntime is the Node.js runtime shim: the Runtime API loop, handler
// loading and Lambda's context object, in one dependency-free ES module.
//
//go:embed node/runtime.mjs
var nodeRuntime []byte

// nodeShimName is the file name of the Node shim inside Function.shimDir.
const nodeShimName = "fakelambda-runtime.mjs"

// nodeArgs are node's arguments: a heap limit matching MemoryMB, as
// Lambda's Node.js runtimes set one, then the shim.
func (f *Function) nodeArgs() []string {
	heapMB := max(f.cfg.MemoryMB*9/10, 16)
	return []string{
		"--max-old-space-size=" + strconv.Itoa(heapMB),
		f.shimPath,
	}
}
