#!/usr/bin/env bash
# Install what is missing, build mod_h2 and serve a demo site with it on loopback:
# h2 over TLS (self-signed certificate) and h2c, HTTP/1.1 too. Idempotent: a rerun
# rebuilds and restarts the demo. Stop it with: scripts/demo.sh stop
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "${1:-}" = stop ]; then
  /usr/bin/python3 tests/integration/h2conf.py stop demo && echo "demo: stopped"
  exit 0
fi
echo "== demo: installing packages (if missing)"
scripts/deps.sh build
echo "== demo: building"
scripts/build.sh build/gcc
echo "== demo: starting httpd with mod_h2 on 127.0.0.1"
export MOD_H2_SO="$top/build/gcc/mod_h2/.libs/mod_h2.so"
/usr/bin/python3 tests/integration/h2conf.py demo demo
read -r http_port https_port < demo/ports
echo "== demo: checking with curl"
curl -sk --http2 -o /dev/null -w "demo: https://localhost:$https_port/ answered %{http_code} over HTTP/%{http_version}\n" "https://localhost:$https_port/" || true
curl -s --http2-prior-knowledge -o /dev/null -w "demo: http://localhost:$http_port/ (prior knowledge) answered %{http_code} over HTTP/%{http_version}\n" "http://localhost:$http_port/" || true
echo "demo: try  curl -k --http2 https://localhost:$https_port/   or   nghttp -v http://localhost:$http_port/"
echo "demo: logs in $top/demo/logs; stop with scripts/demo.sh stop"
