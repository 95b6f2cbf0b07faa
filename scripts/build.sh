#!/usr/bin/env bash
# Configure and build mod_h2 out of tree. usage: scripts/build.sh DIR [configure args...]
# Example: scripts/build.sh build/gcc --enable-werror
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?build dir}; shift
cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
  echo "build: autoreconf -fi"
  autoreconf -fi >/dev/null
fi
mkdir -p "$dir"
cd "$dir"
if [ ! -f Makefile ] || [ "$top/configure" -nt config.status ] || [ "$(cat .h2-configure-args 2>/dev/null)" != "$*" ]; then
  echo "build: configure $* (in $dir)"
  "$top/configure" "$@" >configure.out 2>&1 || { cat configure.out; exit 1; }
  echo "$*" > .h2-configure-args
fi
echo "build: make (in $dir)"
make -j"$(nproc)" >make.out 2>&1 || { tail -60 make.out; exit 1; }
