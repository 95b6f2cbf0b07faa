#!/usr/bin/env bash
# Install the Debian packages mod_h2 needs to build, serve and test. Idempotent.
# usage: scripts/deps.sh [build|test]   (test adds the test peers, clang and sanitizer runtimes)
set -euo pipefail
what=${1:-build}
pkgs=(build-essential autoconf automake libtool pkg-config apache2 apache2-dev libssl-dev
      openssl curl ca-certificates)
if [ "$what" = test ]; then
  pkgs+=(libjansson-dev)   # tests/tools/h2hpack (configure builds it only with jansson)
  pkgs+=(clang libclang-rt-14-dev nghttp2-client libnghttp2-dev python3 python3-h2 python3-pytest chromium)
  pkgs+=(dpkg-dev debhelper)   # tests/package/test_package.sh builds the Debian package
  pkgs+=(golang-go)   # tests/integration/test_72_go_client.py: interop with Go's net/http client
  pkgs+=(nginx h2o)  # peers of tests/bench/bench_servers.py (its smoke test runs them)
  pkgs+=(python3-websockets)  # tests/integration/test_55_websocket_browser.py (DevTools)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#pkgs[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if [ -n "$SUDO" ] && ! command -v sudo >/dev/null; then
  echo "deps: FAILED: missing ${missing[*]}; installing them needs root (no sudo here)" >&2
  exit 1
fi
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
  echo "deps: apt-get update, then retry"
  if ! { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; }; then
    echo "deps: FAILED: apt-get could not install ${missing[*]} (its output above)" >&2
    exit 1
  fi
fi
# Debian starts the packaged apache2 on port 80 on install; our tests and demo run private
# instances and need nothing from it.
