#!/usr/bin/env bash
# Configure and build mod_h2 out of tree. usage: scripts/build.sh DIR [configure args...]
# Example: scripts/build.sh build/gcc --enable-werror
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?build dir}; shift
cd "$top"
mkdir -p "$dir"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
  echo "build: autoreconf -fi"
  mkdir -p m4   # AC_CONFIG_MACRO_DIR (libtool's macros land there; ignored by git)
  autoreconf -fi >"$dir/autoreconf.out" 2>&1 \
    || { cat "$dir/autoreconf.out"; echo "build: FAILED: autoreconf -fi (the output above)"; exit 1; }
fi
cd "$dir"
# configure again when the arguments changed or an optional library (jansson: h2hpack;
# libnghttp2: the HPACK benchmark) came or went since the last configure
optional=$(for m in jansson libnghttp2; do if pkg-config --exists "$m" 2>/dev/null; then echo -n "$m "; fi; done)
stamp="$* [optional: $optional]"
if [ ! -f Makefile ] || [ "$top/configure" -nt config.status ] || [ "$(cat .h2-configure-args 2>/dev/null)" != "$stamp" ]; then
  echo "build: configure $* (in $dir)"
  "$top/configure" "$@" >configure.out 2>&1 || { cat configure.out; echo "build: FAILED: configure (the output above; all of it in $dir/configure.out)"; exit 1; }
  grep -E '^configure: (jansson not found|WARNING)' configure.out || true
  echo "$stamp" > .h2-configure-args
fi
echo "build: make (in $dir)"
make -j"$(nproc)" >make.out 2>&1 || { tail -60 make.out; echo "build: FAILED: make (the last lines above; all of it in $dir/make.out)"; exit 1; }
