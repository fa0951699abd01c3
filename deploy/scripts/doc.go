// Package scripts is the deploy tooling and its tests: the shell scripts behind make package,
// deploy, destroy, deploy-check and smoke-local (package.sh, deploy.sh, destroy.sh,
// deploy-check.sh, smoke-local.sh, with lib.sh and transform.py). Its tests run deploy.sh and destroy.sh in a scratch copy of
// the tree with a stand-in aws command that records its arguments, so the scripts' input checks
// and the exact AWS CLI calls they make are tested by make test with no AWS CLI, account or
// emulator.
package scripts
