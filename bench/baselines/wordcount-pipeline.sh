#!/usr/bin/env bash
# The shell word count: one token a line, sort, count runs. C locale: bytes, not collation.
set -euo pipefail
export LC_ALL=C
cat "$@" | tr -s '[:space:]' '\n' | sort | uniq -c
