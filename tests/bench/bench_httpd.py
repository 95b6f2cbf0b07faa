#!/usr/bin/python3
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""mod_h2 next to Apache's mod_http2 in identical httpd configs: figures and ratios.

Both servers run at once (event MPM, same threads, same docroot files) on free loopback
ports; each workload alternates h2load runs between them ROUNDS times and prints the best
and median req/s of each and the ratio. Never a pass/fail test.

usage: tests/bench/bench_httpd.py [--rounds N] [--duration S] [--workloads a,b,...]
workloads: h2c-1k (8 conns x 16 streams, 1 KB file), h2c-100k, tls-1k, tls-100k,
           idle (RSS and threads of the httpd children holding 1,000 idle h2c connections)
"""
import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import h2conf  # noqa: E402

WORKLOADS = {
    "h2c-1k": dict(tls=False, path="/1k.txt", clients=8, streams=16),
    "h2c-100k": dict(tls=False, path="/100k.bin", clients=8, streams=16),
    "tls-1k": dict(tls=True, path="/1k.txt", clients=8, streams=16),
    "tls-100k": dict(tls=True, path="/100k.bin", clients=8, streams=16),
}


def h2load(server, w, duration, warmup=1):
    url = server.url(w["path"], tls=w["tls"])
    cmd = ["h2load", "-c", str(w["clients"]), "-m", str(w["streams"]), "-t", "1",
           "-D", str(duration), "--warm-up-time", str(warmup), url]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    m = re.search(r"finished in [^,]+, ([\d.]+) req/s", out)
    proto = re.search(r"Application protocol: (\S+)", out)
    if not proto or proto.group(1) not in ("h2", "h2c"):
        return 0.0, "not h2: " + (proto.group(1) if proto else "no protocol")
    ok = re.search(r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed", out)
    if not m:
        return 0.0, out
    if ok and int(ok.group(2)) > 0:
        return float(m.group(1)), "failed requests: " + ok.group(0)
    return float(m.group(1)), ""


def children_stats(server):
    """RSS (KiB) and thread count summed over the httpd children of server."""
    ppid = server.pid()
    rss = threads = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/status" % pid) as f:
                st = f.read()
        except OSError:
            continue
        if re.search(r"^PPid:\s+%d$" % ppid, st, re.M):
            rss += int(re.search(r"^VmRSS:\s+(\d+)", st, re.M).group(1))
            threads += int(re.search(r"^Threads:\s+(\d+)", st, re.M).group(1))
    return rss, threads


def idle_connections(server, n=1000):
    socks = []
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
    before = children_stats(server)
    deadline = time.monotonic() + 20
    refused = 0
    for _ in range(n):
        if time.monotonic() > deadline:
            break
        try:
            s = socket.create_connection(("127.0.0.1", server.http_port), timeout=1)
            s.sendall(preface)
            socks.append(s)
        except OSError:
            refused += 1
    if len(socks) < n:
        print("          note: %d of %d connections could be opened" % (len(socks), n))
    # read the server's SETTINGS so each connection is established as h2 (10 s overall)
    import selectors
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    pending, deadline = len(socks), time.monotonic() + 10
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            try:
                key.fileobj.recv(4096)
            except OSError:
                pass
            sel.unregister(key.fileobj)
            pending -= 1
    after = children_stats(server)
    if pending:
        print("          note: %d of %d connections got no SETTINGS" % (pending, n))
    for s in socks:
        s.close()
    return before, after


def main():
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))  # stop the servers on timeout(1)
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--workloads", default="h2c-1k,h2c-100k,tls-1k,tls-100k,idle")
    ap.add_argument("--threads", type=int, default=25)
    args = ap.parse_args()

    servers = {}
    roots = []
    for name, kw in (("mod_h2", {}), ("mod_http2", {"use_mod_http2": True})):
        root = tempfile.mkdtemp(prefix="h2bench-%s-" % name)
        os.chmod(root, 0o755)
        roots.append(root)
        extra = "<IfDirective H2MaxWorkers>\nH2MaxWorkers %d\n</IfDirective>\n" % args.threads
        srv = h2conf.Httpd(root, threads=args.threads, extra=extra, log_level="warn", **kw)
        srv.make_root()
        # same access logging cost for both: none
        with open(srv.conf_path) as f:
            conf = f.read().replace('CustomLog "', '# CustomLog "')
        with open(srv.conf_path, "w") as f:
            f.write(conf)
        srv.start()
        servers[name] = srv
    print("# mod_h2 vs mod_http2, same httpd %s, event MPM, %d threads, h2load -t1, %ds x %d rounds"
          % (subprocess.run(["/usr/sbin/apache2", "-v"], capture_output=True, text=True)
             .stdout.split("\n")[0].split(":")[1].strip(), args.threads, args.duration, args.rounds))
    try:
        for wl in args.workloads.split(","):
            if wl == "idle":
                for name, srv in servers.items():
                    (rss0, th0), (rss1, th1) = idle_connections(srv)
                    print("%-9s idle: 1000 h2c connections: RSS %+d KiB (%.1f KiB/conn), threads %d -> %d"
                          % (name, rss1 - rss0, (rss1 - rss0) / 1000.0, th0, th1))
                continue
            w = WORKLOADS[wl]
            print("          running %s ..." % wl, flush=True)
            res = {name: [] for name in servers}
            notes = []
            for _ in range(args.rounds):
                for name, srv in servers.items():
                    rps, note = h2load(srv, w, args.duration)
                    res[name].append(rps)
                    if note:
                        notes.append("%s: %s" % (name, note.strip().splitlines()[-1]))
            ours, peer = statistics.median(res["mod_h2"]), statistics.median(res["mod_http2"])
            ratio = ours / peer if peer else float("nan")
            print("%-9s mod_h2 %9.0f req/s (best %9.0f)  mod_http2 %9.0f req/s (best %9.0f)  ratio %.2f"
                  % (wl, ours, max(res["mod_h2"]), peer, max(res["mod_http2"]), ratio))
            for n in notes[:4]:
                print("          note: " + n)
    finally:
        for srv in servers.values():
            srv.stop()
        for r in roots:
            subprocess.run(["rm", "-rf", r])


if __name__ == "__main__":
    main()
