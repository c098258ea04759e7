#!/usr/bin/env bash
# Installs, when missing, the Debian packages the tests need, and does nothing when all are
# there (no `apt-get update` then):
#   iproute2          the multi-host tests put each process of a cluster in its own network namespace;
#   swift-* memcached the real S3-compatible store the s3:// tests start on loopback
#                     (OpenStack Swift with s3api, test/helpers/s3-store.ts);
#   python3-boto3     an independent S3 client the tests check Groove's objects with;
#   zstd              makes the .zst inputs the compressed-input tests read (Groove decompresses with fzstd);
#   g++ make python3  what `npm ci` compiles better-sqlite3 (the master's journal) with, when its
#                     prebuilt binary cannot be downloaded;
#   chromium          the headless browser the web UI tests drive (playwright-core, test/integration/web-ui.test.ts).
# Needs root (or sudo) only when something must be installed.
# `--toolchain` installs only what `npm ci` needs (g++ make python3), so that scripts/test-setup.sh
# can run `npm ci` while the rest installs.
set -euo pipefail

toolchain=(g++ make python3)
packages=(iproute2 swift swift-proxy swift-object swift-container swift-account memcached python3-boto3 zstd "${toolchain[@]}" chromium)
if [ "${1:-}" = "--toolchain" ]; then packages=("${toolchain[@]}"); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: missing ${missing[*]}, and there is no apt-get here to install them with" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "test-deps: missing ${missing[*]}: run this script as root to install them" >&2
    exit 1
  fi
  sudo=(sudo)
fi
echo "test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y "${missing[@]}"
