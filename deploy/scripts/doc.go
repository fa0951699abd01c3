// Package scripts holds the shell scripts behind the make targets package, deploy, destroy and
// deploy-check (package.sh, deploy.sh, destroy.sh, deploy-check.sh, with lib.sh and
// transform.py), and smoke-local. Its tests run deploy.sh and destroy.sh in a scratch copy of
// the tree with a stand-in aws command that records its arguments, so the scripts' input checks
// and the exact AWS CLI calls they make are tested by make test with no AWS CLI, account or
// emulator.
package scripts
