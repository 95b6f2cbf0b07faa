#!/usr/bin/python3
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""How long a NEW connection waits while a server is flooded or restarted (issue 18).

Servers as in bench_servers.py (its helpers: mod_h2 and Apache's mod_http2 in httpd with the
event MPM, one child; nginx with one worker), all started at once, measured one at a time:

  flood (default)  h2load -c C -m M -n N -t 1 on /1k.txt (h2c, or TLS with --flood-tls);
                   meanwhile a bystander opens a NEW connection for one GET every 0.2-1 s
                   (random), alternately h2 over TLS and h2c (curl, --max-time 3)
  --graceful       h2load -c 20 -m 10 -D DURATION on /1k.txt while the server is told to
                   restart gracefully every 2 s (httpd: -k graceful; nginx: SIGHUP), and a
                   curl loop makes one request per new connection, one after the other

Prints, per server: the bystander's p50/p90/p99/max latency of the GETs answered, how many
got nothing within 3 s, and h2load's succeeded/failed counts. A figure, never a pass/fail.

usage: tests/bench/bench_bystander.py [-c 500] [-m 100] [-n 200000] [--issue]
                                      [--threads 200] [--factor 30] [--max-workers N]
                                      [--servers mod_h2,mod_http2,nginx] [--baseline SO]
                                      [--graceful [--duration 20]]
--issue: the issue's flood, -c 1000 -m 100 -n 1000000 (several minutes here)
--baseline SO: also run this mod_h2.so (as mod_h2_base) in the same invocation
"""
import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_servers as bs  # noqa: E402

DEADLINE = 3.0  # a bystander GET without a response within this counts as failed


def curl_once(url, tls):
    """One GET on a new connection: (seconds, ok, seconds until TLS was set up: the wait
    for the accept and the handshake; 0 for h2c)."""
    cmd = ["curl", "-s", "-o", "/dev/null", "--max-time", "%g" % DEADLINE,
           "-w", "%{http_code} %{time_total} %{time_appconnect}"]
    cmd += ["--http2", "-k"] if tls else ["--http2-prior-knowledge"]
    t0 = time.monotonic()
    res = subprocess.run(cmd + [url], capture_output=True, text=True)
    wall = time.monotonic() - t0
    parts = res.stdout.split()
    ok = res.returncode == 0 and len(parts) == 3 and parts[0] == "200"
    return (float(parts[1]) if ok else wall), ok, (float(parts[2]) if ok else 0.0)


class Bystander(threading.Thread):
    """New connections, one GET each, until stopped: every gap seconds (a callable) or
    back to back (gap None)."""

    def __init__(self, srv, gap):
        super().__init__(daemon=True)
        self.srv, self.gap = srv, gap
        self.stop_ev = threading.Event()
        self.lat = {"h2": [], "h2c": []}
        self.failed = {"h2": 0, "h2c": 0}
        self.tls_setup = []

    def run(self):
        i = 0
        while not self.stop_ev.is_set():
            tls = i % 2 == 0
            i += 1
            kind = "h2" if tls else "h2c"
            url = ("https://localhost:%d/1k.txt" % self.srv.https_port if tls
                   else "http://localhost:%d/1k.txt" % self.srv.http_port)
            secs, ok, setup = curl_once(url, tls)
            if ok:
                self.lat[kind].append(secs)
                if tls:
                    self.tls_setup.append(setup)
            else:
                self.failed[kind] += 1
            if self.gap is not None:
                self.stop_ev.wait(self.gap())


def pct(v, p):
    if not v:
        return float("nan")
    s = sorted(v)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def fmt_lat(lat, failed):
    n = len(lat) + failed
    return ("%3d GETs: p50 %5.3f  p90 %5.3f  p99 %5.3f  max %5.3f s; %d got nothing within %gs"
            % (n, pct(lat, 50), pct(lat, 90), pct(lat, 99), max(lat) if lat else float("nan"),
               failed, DEADLINE))


def h2load_counts(out):
    m = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed", out)
    t = re.search(r"finished in ([\d.]+)(m?s)", out)
    if not m:
        return "h2load: " + (out.strip()[-200:] or "no output")
    secs = float(t.group(1)) / (1000 if t and t.group(2) == "ms" else 1) if t else 0
    return "h2load: %s of %s succeeded, %s failed, in %.1f s" % (m.group(3), m.group(1), m.group(4), secs)


def restart(srv):
    if isinstance(srv, bs.HttpdServer):
        srv.httpd.graceful()
    else:
        srv.proc.send_signal(signal.SIGHUP)  # nginx: reload, new workers, old ones finish


def run_one(srv, args):
    port = srv.https_port if args.flood_tls else srv.http_port
    url = "%s://localhost:%d/1k.txt" % ("https" if args.flood_tls else "http", port)
    if args.graceful:
        cmd = ["h2load", "-c", "20", "-m", "10", "-t", "1", "-D", "%ds" % args.duration, url]
        by = Bystander(srv, None)
    else:
        cmd = ["h2load", "-c", str(args.c), "-m", str(args.m), "-n", str(args.n), "-t", "1", url]
        by = Bystander(srv, lambda: random.uniform(0.2, 1.0))
    flood = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1.0 if not args.graceful else 0.5)  # let the flood build up (a measurement gap, not a sync)
    by.start()
    restarts = 0
    if args.graceful:
        while flood.poll() is None:
            time.sleep(2)
            if flood.poll() is None:
                try:
                    restart(srv)
                    restarts += 1
                except Exception as e:  # keep measuring
                    print("# %s: restart: %s" % (srv.name, e))
    out = flood.communicate()[0]
    by.stop_ev.set()
    by.join()
    print("%-11s %s%s" % (srv.name, h2load_counts(out),
                          ", %d restarts" % restarts if args.graceful else ""))
    for kind in ("h2", "h2c"):
        print("%-11s   bystander %-3s %s" % ("", kind, fmt_lat(by.lat[kind], by.failed[kind])))
    if by.tls_setup:
        print("%-11s   bystander h2  of that until TLS was set up (accept, handshake): p50 %5.3f"
              "  p90 %5.3f  max %5.3f s" % ("", pct(by.tls_setup, 50), pct(by.tls_setup, 90),
                                          max(by.tls_setup)))
    alll = by.lat["h2"] + by.lat["h2c"]
    print("%-11s   bystander all %s" % ("", fmt_lat(alll, by.failed["h2"] + by.failed["h2c"])))
    sys.stdout.flush()


def main(argv=None):
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    ap = argparse.ArgumentParser(description="latency of new connections under a flood or restarts")
    ap.add_argument("-c", type=int, default=500, help="h2load clients (flood)")
    ap.add_argument("-m", type=int, default=100, help="h2load streams per client (flood)")
    ap.add_argument("-n", type=int, default=200000, help="h2load requests (flood)")
    ap.add_argument("--issue", action="store_true", help="-c 1000 -m 100 -n 1000000")
    ap.add_argument("--flood-tls", action="store_true", help="flood over TLS (default h2c)")
    ap.add_argument("--graceful", action="store_true", help="graceful restarts every 2 s")
    ap.add_argument("--duration", type=int, default=20, help="--graceful: seconds of load")
    ap.add_argument("--threads", type=int, default=200, help="httpd ThreadsPerChild")
    ap.add_argument("--factor", type=int, default=30, help="AsyncRequestWorkerFactor")
    ap.add_argument("--max-workers", type=int, default=0, help="H2MaxWorkers (both modules)")
    ap.add_argument("--servers", default="mod_h2,mod_http2,nginx")
    ap.add_argument("--baseline", metavar="SO", help="also run this mod_h2.so as mod_h2_base")
    args = ap.parse_args(argv)
    if args.issue:
        args.c, args.m, args.n = 1000, 100, 1000000
    names = args.servers.split(",")
    if args.baseline:
        args.baseline = os.path.abspath(args.baseline)
        names.append("mod_h2_base")
    top = tempfile.mkdtemp(prefix="h2bystander-")
    os.chmod(top, 0o755)
    common = bs.make_common(os.path.join(top, "common"))
    servers = []
    try:
        for n in names:
            if n not in bs.SERVER_CLASSES or n == "h2o":
                ap.error("unknown server %r" % n)
            if not bs.installed(n):
                print("# %s: not installed, skipped" % n)
                continue
            srv = bs.SERVER_CLASSES[n](n, os.path.join(top, n), args, common)
            if isinstance(srv, bs.HttpdServer):
                srv.httpd.extra += "AsyncRequestWorkerFactor %d\n" % args.factor
            srv.start()
            servers.append(srv)
        if args.graceful:
            print("# graceful every 2 s for %d s under h2load -c 20 -m 10 (%s); curl loop, a new "
                  "connection per request" % (args.duration, "TLS" if args.flood_tls else "h2c"))
        else:
            print("# flood: h2load -c %d -m %d -n %d -t 1 on /1k.txt (%s); bystander: a new "
                  "connection every 0.2-1 s, TLS and h2c in turn"
                  % (args.c, args.m, args.n, "TLS" if args.flood_tls else "h2c"))
        print("# httpd: event MPM, 1 child, ThreadsPerChild %d, AsyncRequestWorkerFactor %d%s; "
              "nginx: 1 worker" % (args.threads, args.factor,
                                   ", H2MaxWorkers %d" % args.max_workers if args.max_workers else ""))
        sys.stdout.flush()
        for srv in servers:
            run_one(srv, args)
    finally:
        for srv in servers:
            try:
                srv.stop()
            except Exception as e:
                print("# %s: stop: %s" % (srv.name, e))
        shutil.rmtree(top, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
