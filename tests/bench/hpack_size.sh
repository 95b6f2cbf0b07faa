#!/bin/sh
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
#
# hpack_size.sh -- total wire bytes of our HPACK encoder over the hpack-test-case stories'
# header lists (those of the nghttp2/ folder, the same lists as upstream's raw-data/; one
# encoder per story, 4096-octet table, through `h2hpack encode`), next to the nghttp2
# folder's total for the same header lists, and the ratio. Prints figures; it fails only
# when a story cannot be encoded or does not decode back. Our goal: a ratio below 1.
#
#   tests/bench/hpack_size.sh [BUILD_DIR [HPACK_TEST_CASE_DIR]]
#
# BUILD_DIR (default: the current directory) holds tests/tools/h2hpack.
set -eu
build=${1:-.}
cases=${2:-${HPACK_TEST_CASE:-$(cd "$(dirname "$0")/../.." && pwd)/tests/data/hpack-test-case}}
h2hpack=$build/tests/tools/h2hpack
[ -x "$h2hpack" ] || { echo "hpack_size.sh: $h2hpack not built (make in $build)" >&2; exit 2; }
[ -d "$cases/nghttp2" ] || { echo "hpack_size.sh: no $cases/nghttp2" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# sum of the octets of every "wire" hex string in the given JSON files
wire_bytes() {
    awk '/"wire"/ { s = $0; sub(/.*"wire": *"/, "", s); sub(/".*/, "", s); n += length(s) / 2 }
         END { printf "%d\n", n }' "$@"
}

for f in "$cases"/nghttp2/*.json; do
    "$h2hpack" encode "$f" > "$tmp/$(basename "$f")"
done
# what we wrote must decode back to the same header lists
"$h2hpack" decode "$tmp"/*.json > "$tmp/decode.log" || { cat "$tmp/decode.log" >&2; exit 1; }

ours=$(wire_bytes "$tmp"/*.json)
theirs=$(wire_bytes "$cases"/nghttp2/*.json)
stories=$(ls "$cases"/nghttp2/*.json | wc -l)
echo "HPACK encoded size over $stories stories (4096-octet table):"
echo "  mod_h2:  $ours bytes"
echo "  nghttp2: $theirs bytes (the corpus' nghttp2/ folder)"
awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "  ratio mod_h2/nghttp2: %.4f\n", a / b }'
