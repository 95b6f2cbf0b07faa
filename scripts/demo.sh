#!/usr/bin/env bash
# Install what is missing, build mod_h2 and serve a demo site with it on loopback:
# h2 over TLS (self-signed certificate) and h2c, HTTP/1.1 too. Idempotent: a rerun
# rebuilds and restarts the demo. Stop it with: scripts/demo.sh stop
#
# The server root is a folder of its own under the temporary folder ($TMPDIR or /tmp), not
# in the clone: as root, httpd's children run as www-data, and a clone may lie where only
# its owner can enter (root's home is mode 0700), which made every page a 403. demo/ in the
# clone records where the server root is (demo/root, demo/ports; demo/logs links to its
# logs); `stop` stops the server and removes that folder (tests/integration/h2conf.py,
# "the demo"). The demo checks its own URLs: anything but a 200 with the demo page over
# h2 (TLS) and over h2c is a failure, with the reason and a non-zero exit.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
fail() { echo "demo: FAILED: $*" >&2; exit 1; }
if [ "${1:-}" = stop ]; then
  /usr/bin/python3 tests/integration/h2conf.py stop demo || fail "stopping the demo (the reason above)"
  exit 0
fi
[ $# -eq 0 ] || { echo "usage: scripts/demo.sh [stop]" >&2; exit 2; }
echo "== demo: installing packages (if missing)"
scripts/deps.sh build || fail "installing packages (scripts/deps.sh build, its output above)"
echo "== demo: building"
scripts/build.sh build/gcc || fail "building mod_h2 (scripts/build.sh build/gcc, its output above)"
echo "== demo: starting httpd with mod_h2 on 127.0.0.1"
export MOD_H2_SO="$top/build/gcc/mod_h2/.libs/mod_h2.so"
/usr/bin/python3 tests/integration/h2conf.py demo demo || fail "starting httpd (the reason above)"
read -r http_port https_port < demo/ports
echo "== demo: checking with curl"
body=$(mktemp)
trap 'rm -f "$body" "$body.err"' EXIT
bad=0
check() {   # what, URL, curl options...: a 200 over HTTP/2 with the demo page, else say why
  local what=$1 url=$2 got err code version; shift 2
  if ! got=$(curl -sS --max-time 10 -o "$body" -w '%{http_code} %{http_version}' "$@" "$url" 2>"$body.err"); then
    echo "demo: FAILED: $url ($what): $(cat "$body.err")" >&2; bad=1; return
  fi
  read -r code version <<<"$got"
  if [ "$code" != 200 ] || [ "$version" != 2 ]; then
    err="answered $code over HTTP/$version, expected 200 over HTTP/2"
  elif ! grep -q 'Served by Apache httpd with mod_h2' "$body"; then
    err="answered 200 over HTTP/2, but not with the demo page"
  else
    echo "demo: ok   $url ($what): 200 over HTTP/2"; return
  fi
  echo "demo: FAILED: $url ($what) $err" >&2; bad=1
}
check "h2 over TLS" "https://localhost:$https_port/" -k --http2
check "h2c, prior knowledge" "http://localhost:$http_port/" --http2-prior-knowledge
if [ "$bad" -ne 0 ]; then
  echo "demo: the end of the error log ($top/demo/logs/error_log, without TLS handshake news):" >&2
  grep -v '\[ssl:info\]' demo/logs/error_log | tail -10 >&2 || true
  echo "demo: httpd is left running for a look; stop it with scripts/demo.sh stop" >&2
  fail "the demo does not serve its page over HTTP/2"
fi
echo "demo: try  curl -k --http2 https://localhost:$https_port/   or   nghttp -v http://localhost:$http_port/"
echo "demo: logs in $top/demo/logs (-> $(cat demo/root)/logs); stop with scripts/demo.sh stop"
