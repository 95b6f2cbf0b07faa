#!/usr/bin/env bash
# Install what is missing, build mod_h2 and run every test:
#   1. C unit + engine conformance tests (gcc, -Wall -Wextra -Werror)
#   2. the same tests under ASan + UBSan (clang)
#   3. each libFuzzer target for FUZZ_SECONDS (default 60) from the seed corpus
#   4. h2hpack over the hpack-test-case stories (tests/data/hpack-test-case)
#   5. integration tests: pytest against a real httpd with the built module
#   5b. the tests that stop, restart and detach again, against the ASan + UBSan module of
#      step 2 (H2_SANITIZER=1: the runtime preloaded into httpd; a report fails the test)
#   6. the Debian package: build, install, switch apache2 to h2, curl, purge
#      (tests/package/test_package.sh; PACKAGE_TEST=0 skips it)
#   7. the work tree is as clean as before the run (git status --porcelain)
# The last line is the total: "total: N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
passed=0; failed=0
step() { echo; echo "== test: $*"; }
count_c_logs() {  # add up the "N passed, N failed" lines of the C test logs in $1
  local p f
  for log in "$1"/tests/unit/*.log; do
    [ -f "$log" ] || continue
    read -r p f < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log" | tail -1)
    if [ -z "${p:-}" ]; then failed=$((failed + 1)); echo "  no result line in $log"; continue; fi
    passed=$((passed + p)); failed=$((failed + f))
  done
}
fail_step() { failed=$((failed + 1)); echo "FAILED: $*"; }
in_git=no
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  in_git=yes; status_before=$(git -C "$top" status --porcelain)
fi

step "installing packages (if missing)"
scripts/deps.sh test || { echo "deps failed"; exit 1; }

step "build (gcc, -Werror)"
if ! scripts/build.sh build/gcc --enable-werror; then echo "0 passed, 1 failed"; exit 1; fi

step "C tests (gcc)"
(cd build/gcc && make -j"$(nproc)" check >check.out 2>&1) || { fail_step "make check (gcc)"; tail -40 build/gcc/check.out; cat build/gcc/tests/unit/*.log 2>/dev/null | grep -E 'FAIL' | head -40; }
grep -E '^(# (TOTAL|PASS|FAIL|ERROR)|PASS:|FAIL:)' build/gcc/check.out || true
count_c_logs build/gcc

step "C tests under ASan + UBSan (clang)"
san="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if scripts/build.sh build/asan --enable-werror CC=clang "CFLAGS=$san" "LDFLAGS=-fsanitize=address,undefined"; then
  (cd build/asan && ASAN_OPTIONS=detect_leaks=1 make -j"$(nproc)" check >check.out 2>&1) || { fail_step "make check (asan)"; tail -40 build/asan/check.out; }
  grep -E '^(# (TOTAL|PASS|FAIL|ERROR)|PASS:|FAIL:)' build/asan/check.out || true
  count_c_logs build/asan
else
  fail_step "asan build"
fi

step "h2hpack decode over every hpack-test-case story"
hc="$top/tests/data/hpack-test-case"
n=0
# configure builds h2hpack only when it finds jansson (libjansson-dev, scripts/deps.sh test)
if [ ! -x build/gcc/tests/tools/h2hpack ]; then
  fail_step "build/gcc/tests/tools/h2hpack not built: configure found no jansson (install libjansson-dev)"
  hc=/nonexistent; n=1   # (no story loop: one failure, not one per story)
fi
for d in "$hc"/*/; do
  [ -d "$d" ] || continue
  name=$(basename "$d"); n=$((n + 1))
  if build/gcc/tests/tools/h2hpack decode "$d"/*.json >/dev/null 2>build/gcc/h2hpack-$name.err; then
    passed=$((passed + 1)); echo "  ok   $name"
  else
    fail_step "h2hpack decode $name"; head -5 build/gcc/h2hpack-$name.err
  fi
done
[ "$n" -gt 0 ] || fail_step "no story folders in $hc"

step "fuzzing: each target ${FUZZ_SECONDS}s (clang, libFuzzer, ASan + UBSan)"
if scripts/build.sh build/fuzz --enable-fuzz CC=clang; then
  pids=()
  for fz in build/fuzz/tests/fuzz/fuzz_*; do
    [ -x "$fz" ] || continue
    name=$(basename "$fz"); seed="tests/fuzz/corpus/${name#fuzz_}"
    work=$(mktemp -d); mkdir -p "$seed"
    ( "$fz" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="build/fuzz/$name-" "$work" "$seed" >"build/fuzz/$name.out" 2>&1
      echo $? >"build/fuzz/$name.rc"; rm -rf "$work" ) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  for rc in build/fuzz/*.rc; do
    [ -f "$rc" ] || continue
    name=$(basename "$rc" .rc)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$name.out")
    cov=$(grep -o 'cov: [0-9]*' "build/fuzz/$name.out" | tail -1)
    if [ "$(cat "$rc")" = 0 ]; then
      passed=$((passed + 1)); echo "  ok   $name: ${runs:-?} runs, $cov"
    else
      fail_step "$name"; grep -E 'ERROR|SUMMARY|==[0-9]+==' "build/fuzz/$name.out" | head -20
    fi
  done
else
  fail_step "fuzz build"
fi

step "integration tests (pytest, real httpd on free loopback ports)"
export MOD_H2_SO="$top/build/gcc/mod_h2/.libs/mod_h2.so"
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration 2>&1 | tee build/gcc/pytest.out
rc=${PIPESTATUS[0]}
p=$(tail -1 build/gcc/pytest.out | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+'); passed=$((passed + ${p:-0}))
f=$(tail -1 build/gcc/pytest.out | grep -oE '[0-9]+ (failed|error)' | awk '{s+=$1} END {print s+0}'); failed=$((failed + ${f:-0}))
if [ "$rc" -ne 0 ] && [ "${f:-0}" = 0 ]; then fail_step "pytest exit $rc"; fi

step "stop, restart and detach under ASan + UBSan (H2_SANITIZER=1, build/asan's module)"
# (~4 min on 2 cores; STOP_CYCLES: fewer stop cycles than the plain run's 100)
san_tests=""
for t in 70_lifecycle 73_parked_sessions 74_close 75_stop_race 26_held_resources 26_late_handler; do
  san_tests="$san_tests tests/integration/test_$t.py"
done
# the WebSocket tests whose tunnels are closed, reset or left running at the end
for t in close_from_client_end_stream close_from_client_rst_cancel close_from_backend \
         fds_queued_streams_open_no_pipe fds_reset_rounds_bounded \
         fds_connection_closed_with_tunnels_running fds_cap_refuses_stream; do
  san_tests="$san_tests tests/integration/test_55_websocket.py::test_$t"
done
if [ -f build/asan/mod_h2/.libs/mod_h2.so ]; then
  t0=$(date +%s)
  # shellcheck disable=SC2086
  H2_SANITIZER=1 STOP_CYCLES=10 MOD_H2_SO="$top/build/asan/mod_h2/.libs/mod_h2.so" \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider $san_tests 2>&1 | tee build/asan/pytest-san.out
  rc=${PIPESTATUS[0]}
  echo "  (sanitizer step: $(( $(date +%s) - t0 )) s)"
  p=$(tail -1 build/asan/pytest-san.out | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+'); passed=$((passed + ${p:-0}))
  f=$(tail -1 build/asan/pytest-san.out | grep -oE '[0-9]+ (failed|error)' | awk '{s+=$1} END {print s+0}'); failed=$((failed + ${f:-0}))
  if [ "$rc" -ne 0 ] && [ "${f:-0}" = 0 ]; then fail_step "pytest (sanitizer) exit $rc"; fi
else
  fail_step "no build/asan/mod_h2/.libs/mod_h2.so (step 2's build failed)"
fi

step "Debian package (tests/package/test_package.sh)"
if [ "${PACKAGE_TEST:-1}" = 0 ]; then
  echo "  (PACKAGE_TEST=0: skipped)"
elif tests/package/test_package.sh 2>&1 | tee build/gcc/package.out; [ "${PIPESTATUS[0]}" -eq 0 ]; then
  passed=$((passed + 1))
else
  fail_step "Debian package test"
fi

step "the work tree is clean (git status --porcelain)"
if [ "$in_git" = yes ]; then
  # what the run wrote: entries that were not in the status before it (in a fresh clone
  # the status must simply be empty)
  stray=$(comm -13 <(echo "$status_before" | sort) <(git -C "$top" status --porcelain | sort))
  if [ -n "$status_before" ]; then
    echo "  (the tree had uncommitted changes before the run; only new entries count)"
  fi
  if [ -z "$stray" ]; then
    passed=$((passed + 1)); echo "  ok   nothing written outside ignored paths"
  else
    fail_step "the run left files in the work tree (add them to .gitignore or stop writing them):"
    echo "$stray" | sed 's/^/    /'
  fi
else
  echo "  (not a git checkout: skipped)"
fi

echo
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
