package fakelambda

import (
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// nodeRuntime is the Node.js runtime shim: the Runtime API loop, handler
// loading and Lambda's context object, in one dependency-free ES module.
//
//go:embed node/runtime.mjs
var nodeRuntime []byte

// shimName is the file name of the shim inside Function.shimDir.
const shimName = "fakelambda-runtime.mjs"

// prepareNode resolves the node executable and writes the shim to a
// private temporary directory, removed by Close.
func (f *Function) prepareNode() error {
	node, err := exec.LookPath(f.cfg.Node)
	if err != nil {
		return fmt.Errorf("fakelambda: nodejs runtime: %w", err)
	}
	if node, err = filepath.Abs(node); err != nil {
		return fmt.Errorf("fakelambda: nodejs runtime: %w", err)
	}
	dir, err := os.MkdirTemp("", "fakelambda-node-")
	if err != nil {
		return fmt.Errorf("fakelambda: nodejs runtime: %w", err)
	}
	f.shimDir = dir
	if err := os.WriteFile(filepath.Join(dir, shimName), nodeRuntime, 0o600); err != nil {
		return fmt.Errorf("fakelambda: nodejs runtime: %w", err)
	}
	f.node = node
	return nil
}

// nodeArgs are node's arguments: a heap limit matching MemoryMB, as
// Lambda's Node.js runtimes set one, then the shim.
func (f *Function) nodeArgs() []string {
	heapMB := max(f.cfg.MemoryMB*9/10, 16)
	return []string{
		"--max-old-space-size=" + strconv.Itoa(heapMB),
		filepath.Join(f.shimDir, shimName),
	}
}
