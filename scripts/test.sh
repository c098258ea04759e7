#!/usr/bin/env bash
# The test command (`npm test`): build, static checks, then every test file, in three groups:
#   dist/test/unit/*.test.js         two files at a time, beside eslint and prettier (the unit
#                                    tests are light, and the type-aware lint is one busy core);
#   dist/test/integration/*.test.js  two files at a time: real clusters that mostly wait on their
#                                    processes, with bounds far above what they take;
#   dist/test/serial/*.test.js       one file at a time: tests that assert on timing (heartbeats,
#                                    speculation, worker timeouts, kills at random instants) or
#                                    load both cores, so that a neighbour cannot make them wrong.
# Every group runs even when an earlier one failed, so one run reports every failure; the exit
# status is non-zero when anything failed.
# `scripts/test.sh --list` prints the test files of each group (GROUP<TAB>FILE) and runs nothing:
# test/unit/test-script.test.ts checks that the groups hold every test file exactly once.
set -uo pipefail
cd "$(dirname "$0")/.."

UNIT='dist/test/unit/*.test.js'
INTEGRATION='dist/test/integration/*.test.js'
SERIAL='dist/test/serial/*.test.js'
RUN=(node --test --test-timeout=300000)

if [ "${1:-}" = "--list" ]; then
  for group in UNIT INTEGRATION SERIAL; do
    for f in ${!group}; do printf '%s\t%s\n' "$group" "$f"; done
  done
  exit 0
fi

npm run build || exit 1
npm run lint:cycles || exit 1

status=0
scratch=$(mktemp -d)
store_pid=
cleanup() {
  if [ -n "$store_pid" ]; then kill "$store_pid" 2>/dev/null && wait "$store_pid" 2>/dev/null; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
# One S3 store (Swift, test/helpers/s3-store.ts) for the whole run, started beside the lint: the
# s3:// test files share it, each with its own buckets. If it cannot start, each file starts its
# own and fails saying why.
node dist/test/helpers/s3-store-daemon.js "$scratch/s3-store.json" &
store_pid=$!
lint_log="$scratch/lint.log"
npm run lint >"$lint_log" 2>&1 &
lint_pid=$!
for _ in $(seq 1200); do
  [ -e "$scratch/s3-store.json" ] || ! kill -0 "$store_pid" 2>/dev/null && break
  sleep 0.1
done
if [ -e "$scratch/s3-store.json" ]; then export GROOVE_TEST_S3_STORE="$scratch/s3-store.json"; fi
# shellcheck disable=SC2086 # the globs are expanded here on purpose
"${RUN[@]}" --test-concurrency=2 $UNIT || status=1
if ! wait "$lint_pid"; then status=1; fi
cat "$lint_log"
# shellcheck disable=SC2086
"${RUN[@]}" --test-concurrency=2 $INTEGRATION || status=1
# shellcheck disable=SC2086
"${RUN[@]}" --test-concurrency=1 $SERIAL || status=1
exit "$status"
