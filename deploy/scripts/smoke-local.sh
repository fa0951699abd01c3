#!/usr/bin/env bash
# make smoke-local: the smoke scenarios against the make run stack, with the
# fake tenant playing the real one — the smoke path tested before anyone has
# an AWS account. Starts cmd/local on loopback, waits for it, runs make
# smoke against it, and stops it.
set -euo pipefail
cd "$(dirname "$0")/../.."

GO=${GO:-go}
addr=${SMOKE_LOCAL_ADDR:-127.0.0.1:39080}
tenant_addr=${SMOKE_LOCAL_TENANT_ADDR:-127.0.0.1:39081}
log=$(mktemp)
"$GO" build -o build/local ./cmd/local
build/local -addr "$addr" -tenant-addr "$tenant_addr" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
	grep -q "^Call the API" "$log" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || { echo "smoke-local: the local stack did not start:"; cat "$log"; exit 1; }
	sleep 0.1
done
grep -q "^Call the API" "$log" || { echo "smoke-local: the local stack was not ready after 10 s:"; cat "$log"; exit 1; }

audience=$(sed -n 's/^  AUDIENCE=//p' "$log")
make --no-print-directory smoke \
	SMOKE_URL="http://$addr/prod" TENANT="http://$tenant_addr/" AUDIENCE="$audience" \
	CLIENT_ID=profile-reader CLIENT_SECRET=profile-reader-secret \
	UNSCOPED_CLIENT_ID=no-scope-client UNSCOPED_CLIENT_SECRET=no-scope-secret
