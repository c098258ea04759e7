#!/usr/bin/env bash
# Sets a fresh clone up for `npm test`: the Debian packages the tests need (scripts/test-deps.sh)
# and the npm dependencies (`npm ci`), side by side. apt-get (swift, chromium: mostly downloads
# and unpacking) and `npm ci` (compiling better-sqlite3: one busy core) hardly compete, and
# together they were the first quarter of a CI run one after the other. Only the compiler
# toolchain npm ci needs is installed before it starts.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/test-deps.sh --toolchain
deps_log=$(mktemp)
trap 'rm -f "$deps_log"' EXIT
bash scripts/test-deps.sh >"$deps_log" 2>&1 &
deps_pid=$!
npm_status=0
npm ci || npm_status=$?
deps_status=0
wait "$deps_pid" || deps_status=$?
# apt-get's lines after npm's, not interleaved with them; all of them when it failed.
if [ "$deps_status" -ne 0 ]; then cat "$deps_log" >&2; else tail -n 3 "$deps_log"; fi
if [ "$npm_status" -ne 0 ]; then echo "test-setup: npm ci failed (exit $npm_status)" >&2; fi
if [ "$deps_status" -ne 0 ]; then echo "test-setup: scripts/test-deps.sh failed (exit $deps_status)" >&2; fi
[ "$npm_status" -eq 0 ] && [ "$deps_status" -eq 0 ]
