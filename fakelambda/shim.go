package fakelambda

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// prepareShim resolves the interpreter of a language runtime (looked up in
// PATH) and writes its embedded runtime shim, as file name, to a private
// temporary directory that Close removes.
func (f *Function) prepareShim(interpreter, name string, shim []byte) error {
	exe, err := exec.LookPath(interpreter)
	if err != nil {
		return fmt.Errorf("fakelambda: %s runtime: %w", f.cfg.Runtime, err)
	}
	if exe, err = filepath.Abs(exe); err != nil {
		return fmt.Errorf("fakelambda: %s runtime: %w", f.cfg.Runtime, err)
	}
	dir, err := os.MkdirTemp("", "fakelambda-"+string(f.cfg.Runtime)+"-")
	if err != nil {
		return fmt.Errorf("fakelambda: %s runtime: %w", f.cfg.Runtime, err)
	}
	f.shimDir = dir
	f.shimPath = filepath.Join(dir, name)
	if err := os.WriteFile(f.shimPath, shim, 0o600); err != nil {
		return fmt.Errorf("fakelambda: %s runtime: %w", f.cfg.Runtime, err)
	}
	f.interpreter = exe
	return nil
}
