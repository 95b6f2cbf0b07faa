#!/usr/bin/python3
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Resident memory per idle connection: mod_h2 (h2c, h2 over TLS) beside HTTP/1.1
keep-alive in the same httpd config, and the same with Apache's mod_http2.

For each (module, kind) a fresh httpd (event MPM, one child) is started; a few connections
of that kind warm it up and are closed; then N connections are opened and left idle (h2:
preface and both SETTINGS acknowledged; HTTP/1.1: one GET answered, connection kept
alive) and the child's VmRSS delta (/proc/PID/status) divided by N is printed, then how
many of the N connections are still open after a few seconds of idleness, and finally
whether one GET on each idle connection (all at once) is answered and how many of them
are still open 2 s later -- "set up", "answered" and "open +2s" show load shedding.
Figures and ratios, never pass/fail.

kinds: h1 (HTTP/1.1 cleartext), h2c, h1s (HTTP/1.1 over TLS), h2 (TLS); h2c is
compared with h1 and h2 with h1s.

usage: tests/bench/bench_idle_mem.py [-n N] [--threads T] [--factor F] [--kinds h1,h2c,h1s,h2]
                                     [--modules mod_h2,mod_http2] [--no-request]
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import h2conf  # noqa: E402
from test_71_many_conns import Swarm, outcome, raise_nofile  # noqa: E402


def child_pid(server):
    """The MPM child: the child of the parent with the most threads (not mod_cgid's)."""
    ppid, best = server.pid(), (0, None)
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/status" % pid) as f:
                st = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if int(st.get("PPid", "0").strip()) == ppid:
            threads = int(st["Threads"].strip())
            if threads > best[0]:
                best = (threads, int(pid))
    return best[1]


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def settle_rss(pid, timeout=5.0):
    """VmRSS once it stops moving (two equal readings 0.3 s apart), bounded."""
    deadline = time.monotonic() + timeout
    last = rss_kib(pid)
    while time.monotonic() < deadline:
        time.sleep(0.3)  # sampling interval of a measurement, not synchronisation
        now = rss_kib(pid)
        if now == last:
            return now
        last = now
    return last


def measure(module, kind, n, threads, request, factor=None):
    root = tempfile.mkdtemp(prefix="mod_h2-bench-mem-")
    os.chmod(root, 0o755)
    extra = ("AsyncRequestWorkerFactor %d\nListenBacklog 4096\nTimeout 60\n"
             "KeepAliveTimeout 60\nMaxKeepAliveRequests 0\n"
             % (factor or max(2, (n * 2) // threads)))
    h = h2conf.Httpd(root, use_mod_http2=(module == "mod_http2"), threads=threads,
                     nofile=n * 2 + 1000, extra=extra)
    h.make_root()
    h.start()
    try:
        port = h.https_port if kind in ("h2", "h1s") else h.http_port
        warm = Swarm(port, kind)
        warm.open(min(50, n), timeout=30, max_pending=16)
        warm.request_all(timeout=30)
        warm.close_all()
        pid = child_pid(h)
        # the warm-up connections are gone when the child's connection count is back
        time.sleep(0.5)  # let the MPM finish their lingering close before the baseline
        base = settle_rss(pid)
        sw = Swarm(port, kind)
        t0 = time.monotonic()
        idle = sw.open(n, timeout=120, max_pending=32 if kind in ("h2", "h1s") else 128)
        setup_s = time.monotonic() - t0
        after = settle_rss(pid)
        kept = sw.wait(lambda: False, 3.0) or sw.count("idle")
        answered = still = None
        if request:
            res = outcome(sw.request_all(timeout=60))
            answered = res["answered"]
            sw.wait(lambda: False, 2.0)   # observation window: does the server shed them?
            still = sum(1 for c in sw.conns if c.state != "closed")
        sw.close_all()
        per = (after - base) / idle if idle else float("nan")
        return dict(idle=idle, kept=kept, answered=answered, still=still, per_kib=per, base=base,
                    after=after, setup_s=setup_s)
    finally:
        h.stop()
        shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=50)
    ap.add_argument("--kinds", default="h1,h2c,h1s,h2")
    ap.add_argument("--modules", default="mod_h2,mod_http2")
    ap.add_argument("--factor", type=int, default=None,
                    help="AsyncRequestWorkerFactor (default: enough for N connections)")
    ap.add_argument("--no-request", action="store_true")
    a = ap.parse_args()
    have = raise_nofile(a.n * 2 + 1000)
    if have < a.n + 100:
        print("descriptor limit %d is too low for -n %d" % (have, a.n))
        return 1
    results = {}
    print("idle connections: N=%d, event MPM, 1 child, ThreadsPerChild %d"
          % (a.n, a.threads))
    print("%-10s %-4s %8s %8s %9s %9s %10s %8s %8s" % ("module", "kind", "set up", "kept 3s",
                                                      "answered", "open +2s", "KiB/conn",
                                                      "RSS0", "RSS1"))
    for module in a.modules.split(","):
        for kind in a.kinds.split(","):
            r = measure(module, kind, a.n, a.threads, not a.no_request, a.factor)
            results[(module, kind)] = r
            print("%-10s %-4s %8d %8d %9s %9s %10.1f %8d %8d   (set up in %.1fs)"
                  % (module, kind, r["idle"], r["kept"],
                     "-" if r["answered"] is None else r["answered"],
                     "-" if r["still"] is None else r["still"], r["per_kib"],
                     r["base"], r["after"], r["setup_s"]), flush=True)
    print()
    for module in a.modules.split(","):
        for kind, ref in (("h2c", "h1"), ("h2", "h1s")):
            r, h1 = results.get((module, kind)), results.get((module, ref))
            if h1 and r and h1["per_kib"] > 0:
                print("%-10s %-4s vs HTTP/1.1 %-4s: %+.1f KiB per connection (ratio %.2f)"
                      % (module, kind, ref, r["per_kib"] - h1["per_kib"],
                         r["per_kib"] / h1["per_kib"]))
    a_h2c, b_h2c = results.get(("mod_h2", "h2c")), results.get(("mod_http2", "h2c"))
    if a_h2c and b_h2c and b_h2c["per_kib"] > 0:
        print("mod_h2 / mod_http2 per idle h2c connection: %.2f" % (a_h2c["per_kib"] / b_h2c["per_kib"]))
    a_tls, b_tls = results.get(("mod_h2", "h2")), results.get(("mod_http2", "h2"))
    if a_tls and b_tls and b_tls["per_kib"] > 0:
        print("mod_h2 / mod_http2 per idle TLS connection: %.2f" % (a_tls["per_kib"] / b_tls["per_kib"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
