# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""What a hostile client can make the server hold (issue 17; the table in
docs/ARCHITECTURE.md "What a client can make the server hold"): each test drives a client
to a bound and asserts the child's memory, descriptors or another client's service."""
import os
import subprocess
import time

import h2conf
from h2client import Conn, H2Client, RST_STREAM, S_INITIAL_WINDOW_SIZE

CANCEL = 0x8


def children(h):
    return [int(p) for p in subprocess.run(["pgrep", "-P", str(h.pid())], capture_output=True,
                                           text=True).stdout.split()]


def count_procs(pattern):
    out = subprocess.run(["pgrep", "-fc", pattern], capture_output=True, text=True).stdout
    return int(out or 0)


def rss_kib(h):
    """VmRSS of the server's children, KiB"""
    total = 0
    for pid in children(h):
        try:
            with open("/proc/%d/status" % pid) as f:
                for ln in f:
                    if ln.startswith("VmRSS:"):
                        total += int(ln.split()[1])
        except OSError:
            pass
    return total


def drain(c, secs=0.0):
    """read what the server sent (WINDOW_UPDATEs, SETTINGS), for at most secs"""
    while True:
        f = c.next_frame(timeout=secs)
        if f is None:
            return
        secs = 0.0


def test_reset_while_queued_frees_at_once(make_httpd):
    """Streams reset while they wait for a worker: what they hold (the request's header
    copy, the request body the engine took and credited back) is freed at the reset, not
    when a worker of the session reaches them. The connection's share of the workers is
    held by sleeping handlers, so nothing reaches the queue: before, every HEADERS + DATA
    65535 + RST_STREAM kept its body queued until those handlers ended (600 streams: about
    40 MB more in the child)."""
    h = make_httpd("rstq", threads=16, log_level="info", extra="""
H2MaxWorkers 8
H2MinWorkers 8
Timeout 30
""")
    c = Conn(h.http_port, timeout=10)
    c.handshake(settings={S_INITIAL_WINDOW_SIZE: 0})
    # half of the pool is this connection's share: 4 handlers that sleep hold it
    for sid in (1, 3, 5, 7):
        c.request(sid, "/cgi-bin/slow.py?25")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if count_procs(h.root + "/cgi-bin/slow.py") >= 4:
            break
        time.sleep(0.05)  # polling for the handlers, bounded by the deadline
    base = rss_kib(h)
    body = b"x" * 16384
    sid = 9
    start = time.monotonic()
    for i in range(600):
        c.request(sid, "/1k.txt", method="POST", end_stream=False)
        for _ in range(4):
            c.send_data(sid, body[:16383] if _ == 3 else body)
        c.send_frame(RST_STREAM, 0, sid, CANCEL.to_bytes(4, "big"))
        sid += 2
        if i % 10 == 9:
            drain(c)
            # 150 resets a second: below the Rapid Reset budget (200 a second)
            behind = (i + 1) / 150.0 - (time.monotonic() - start)
            if behind > 0:
                time.sleep(behind)   # pacing the client, not synchronisation
    drain(c, 0.5)
    # the connection is alive and answers
    c.ping(b"rstqping")
    got = False
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not got:
        f = c.next_frame(timeout=1)
        got = f is not None and f.payload == b"rstqping"
    grown = rss_kib(h) - base
    print("child RSS after 600 queued streams were reset: %+d KiB" % grown)
    assert got, "no PING ACK"
    if not h2conf.SANITIZER:
        # (under ASan freed memory waits in its quarantine: the sanitizer run checks
        # that nothing of the reset streams is read after it is freed, not the size)
        assert grown < 8 * 1024, grown
    # another client is served meanwhile
    other = H2Client(h.http_port, timeout=10)
    assert other.get("/1k.txt").status == 200


def test_stalled_connections_leave_workers_for_others(make_httpd):
    """Two connections whose 18 streams each hold a worker (handlers that wait): each
    may grow to half of the pool, but together they leave a quarter of it to other
    clients, so a bystander's request is answered at once. Before, the two took all 16
    workers and the bystander waited 11.6 s."""
    h = make_httpd("fair", threads=32, log_level="info", extra="""
H2MaxWorkers 16
H2MinWorkers 16
Timeout 30
""")
    conns = []
    for _ in range(2):
        c = Conn(h.http_port, timeout=20)
        c.handshake(settings={S_INITIAL_WINDOW_SIZE: 0})
        for i in range(18):
            c.request(1 + 2 * i, "/cgi-bin/slow.py?6")
        conns.append(c)
    # the connections grow their share while their queues stand still: wait until the
    # number of running handlers stays put for 0.5 s
    deadline = time.monotonic() + 10
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        n = count_procs(h.root + "/cgi-bin/slow.py")
        if n != last:
            last, since = n, time.monotonic()
        elif n > 0 and time.monotonic() - since > 0.5:
            break
        time.sleep(0.05)  # polling the process count, bounded by the deadline
    t0 = time.monotonic()
    r = H2Client(h.http_port, timeout=20).get("/1k.txt")
    took = time.monotonic() - t0
    print("handlers of the two stalled connections: %d of 16 workers; a bystander's GET "
          "took %.2f s" % (last, took))
    assert r.status == 200
    assert last <= 12, last
    assert took < 3, took
    for c in conns:
        c.sock.close()
