#!/usr/bin/python3
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Request-body upload throughput against the connection receive window (H2ConnWindowSize):
the figures behind its default. Prints MB/s per window size; never a pass/fail test.

One httpd per window size (event MPM), a CGI that reads and discards its body. Workloads:
one 100 MB POST (curl, h2c and TLS) and four 25 MB POSTs at once on one connection
(h2load, h2c). Each run is repeated ROUNDS times; the median is printed.

usage: tests/bench/bench_upload_window.py [--rounds N] [--mb N] [--windows 1,4,16]
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import h2conf  # noqa: E402

SINK = "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\ncat > /dev/null\necho done\n"


def curl_upload(h, data, tls):
    url = h.url("/cgi-bin/sink.sh", tls=tls)
    cmd = ["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
           "--data-binary", "@" + data, "-H", "Content-Type: application/octet-stream"]
    cmd += ["--http2"] if tls else ["--http2-prior-knowledge"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True).stdout.split()
    return float(out[1]) if out and out[0] == "200" else None


def h2load_upload(h, data, n):
    cmd = ["h2load", "-n", str(n), "-c", "1", "-m", str(n), "-d", data,
           h.url("/cgi-bin/sink.sh", tls=False)]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    m = re.search(r"finished in ([\d.]+)(m?s)", out)
    if not m or "%d succeeded" % n not in out:
        return None
    return float(m.group(1)) / (1000.0 if m.group(2) == "ms" else 1.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--windows", default="1,4,16")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="mod_h2-upload-")
    os.chmod(tmp, 0o755)
    big = os.path.join(tmp, "big.bin")
    quarter = os.path.join(tmp, "quarter.bin")
    with open(big, "wb") as f:
        f.write(os.urandom(1024 * 1024) * args.mb)
    with open(quarter, "wb") as f:
        f.write(os.urandom(1024 * 1024) * (args.mb // 4))
    print("upload of %d MB (MB/s, median of %d)" % (args.mb, args.rounds))
    print("%-12s %12s %12s %16s" % ("window", "h2c 1x", "tls 1x", "h2c 4x on 1 conn"))
    try:
        for w in [int(x) for x in args.windows.split(",")]:
            root = os.path.join(tmp, "w%d" % w)
            h = h2conf.Httpd(root, extra="H2ConnWindowSize %d\n" % (w * 1024 * 1024))
            h.make_root()
            p = os.path.join(root, "cgi-bin", "sink.sh")
            with open(p, "w") as f:
                f.write(SINK)
            os.chmod(p, 0o755)
            h.start()
            try:
                res = []
                for fn in (lambda: curl_upload(h, big, False), lambda: curl_upload(h, big, True),
                           lambda: h2load_upload(h, quarter, 4)):
                    ts = [t for t in (fn() for _ in range(args.rounds)) if t]
                    res.append("%.0f" % (args.mb / statistics.median(ts)) if ts else "failed")
                print("%-12s %12s %12s %16s" % ("%d MiB" % w, res[0], res[1], res[2]))
            finally:
                h.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
