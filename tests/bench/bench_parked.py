#!/usr/bin/python3
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Busy connections and MPM threads (issue 8): do connections whose streams wait for slow
handlers hold the MPM's threads, so that everyone else waits?

One httpd per module (event MPM, 1 child, ThreadsPerChild 8, AsyncRequestWorkerFactor 40,
Timeout 6, H2MaxWorkers 150), run one after the other. In each:
  slow      h2load -c 100 -m 1 -n 300 on a CGI that writes an event every 0.3 s, 5 times
  slow-tls  h2load -c 40 -m 1 -n 120 over TLS on the same CGI, 12 events
  fast      one second later, while both run: h2load -c 20 -m 10 -n 20000 on a 1 KB file
and prints for each: seconds to finish, req/s, failed requests. A figure, not a test.

usage: tests/bench/bench_parked.py [--modules mod_h2,mod_http2] [--baseline SO]
  --baseline SO: also an earlier mod_h2.so (as mod_h2_base), for a before/after
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import h2conf  # noqa: E402



def h2load(args):
    return subprocess.Popen(["h2load", "-t", "1"] + args, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def summary(out):
    fin = re.search(r"finished in ([\d.]+)s, ([\d.]+) req/s", out)
    ok = re.search(r"requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, (\d+) failed",
                   out)
    if not fin or not ok:
        return "no result: " + out.strip()[-120:]
    return "%7.2f s %9.1f req/s  %s failed" % (float(fin.group(1)), float(fin.group(2)),
                                               ok.group(1))


def run(name, module=None, mod_http2=False):
    root = tempfile.mkdtemp(prefix="mod_h2-bparked-")
    os.chmod(root, 0o755)
    h = h2conf.Httpd(root, module=module, use_mod_http2=mod_http2, threads=8, extra="""
Timeout 6
AsyncRequestWorkerFactor 40
H2MaxWorkers 150
""")
    h.make_root()
    h.start()
    try:
        slow = h2load(["-c", "100", "-m", "1", "-n", "300",
                       "http://127.0.0.1:%d/cgi-bin/stream.py?5,0.3" % h.http_port])
        slow_tls = h2load(["-c", "40", "-m", "1", "-n", "120",
                           "https://127.0.0.1:%d/cgi-bin/stream.py?12,0.3" % h.https_port])
        time.sleep(1)  # the slow load is under way (a set-up, not a synchronisation)
        fast = h2load(["-c", "20", "-m", "10", "-n", "20000",
                       "http://127.0.0.1:%d/1k.txt" % h.http_port])
        for what, pr in (("fast", fast), ("slow", slow), ("slow-tls", slow_tls)):
            try:
                out = pr.communicate(timeout=300)[0]
            except subprocess.TimeoutExpired:
                pr.kill()
                out = pr.communicate()[0]
            print("%-11s %-8s %s" % (name, what, summary(out)), flush=True)
    finally:
        h.stop()
        shutil.rmtree(root, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modules", default="mod_h2,mod_http2")
    ap.add_argument("--baseline", metavar="SO")
    args = ap.parse_args(argv)
    print("# 8 MPM threads; slow: 300 event streams of 1.5 s on 100 connections, slow-tls: "
          "120 of 3.6 s on 40; fast: 20000 x 1 KB on 20 connections meanwhile")
    for m in args.modules.split(","):
        if m == "mod_h2":
            run("mod_h2")
        elif m == "mod_http2":
            run("mod_http2", mod_http2=True)
    if args.baseline:
        run("mod_h2_base", module=os.path.abspath(args.baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
