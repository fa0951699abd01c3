#!/usr/bin/env bash
# Installs the pinned aws-lambda-ric (package.json beside this file) once,
# with its native build, for make conformance-node RIC=1. Later runs reuse
# the build. Says which tool is missing instead of failing half-way.
set -euo pipefail
cd "$(dirname "$0")"

entry=node_modules/aws-lambda-ric/index.mjs
marker=node_modules/.serverless-auth-ric-built
if [ -f "$entry" ] && [ -f "$marker" ] && [ "$marker" -nt package.json ]; then
	echo "aws-lambda-ric: using the cached build in examples/node/ric/node_modules"
	exit 0
fi

missing=()
for tool in node npm cmake make g++ autoconf automake libtoolize python3; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "make conformance-node RIC=1 builds aws-lambda-ric natively and needs: ${missing[*]}" >&2
	echo "(on Debian: apt-get install cmake autoconf automake libtool g++ make python3)" >&2
	exit 1
fi

echo "aws-lambda-ric: installing and building natively (about a minute or more, once)"
npm install --no-audit --no-fund
# npm 11 runs install scripts only for packages approved in allowScripts; a
# rebuild makes sure the native client is built whatever npm's version.
npm rebuild aws-lambda-ric
touch "$marker"
