#!/usr/bin/env bash
# make package: build/authorizer.zip, build/profile.zip and build/httpauthorizer.zip, each holding the function's
# linux/arm64 binary as an executable "bootstrap" at the zip root (provided.al2023).
# Needs only Go. GO may name the go command (default: go).
set -euo pipefail
cd "$(dirname "$0")/../.."
. deploy/scripts/lib.sh

GO=${GO:-go}
need_tools "$GO"

mkdir -p build/linux-arm64
"$GO" build -trimpath -o build/zipbootstrap ./deploy/zipbootstrap
for fn in authorizer profile httpauthorizer; do
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 "$GO" build -tags lambda.norpc -trimpath -ldflags '-s -w' \
		-o "build/linux-arm64/$fn/bootstrap" "./deploy/$fn"
	chmod 0755 "build/linux-arm64/$fn/bootstrap"
	build/zipbootstrap -o "build/$fn.zip" "build/linux-arm64/$fn/bootstrap"
	printf 'package: build/%s.zip (%s bytes, linux/arm64 bootstrap)\n' "$fn" "$(wc -c <"build/$fn.zip" | tr -d ' ')"
done
