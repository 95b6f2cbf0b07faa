# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Who touches a connection parked for its workers (issue 17 row 9, issue 18 "No close
lands on a stop"; docs/ARCHITECTURE.md "Busy connections give the thread back"):

- a timed callback runs the session only once the MPM thread that parked it has handed
  the connection back (its suspend_connection hooks ran): tests/tools/suspendwin.c, a
  test module, holds that thread in a suspend_connection hook and logs any write another
  thread makes to the connection meanwhile;
- a hard stop while sessions run on callbacks ends the child at once, without a crash.
"""
import os
import signal
import subprocess
import tempfile
import threading
import time

import pytest

from h2conf import TOP
from h2client import H2Client

CONNS = 8


_SUSPENDWIN = None


def suspendwin_so():
    global _SUSPENDWIN
    if _SUSPENDWIN is None:
        out = os.path.join(tempfile.mkdtemp(prefix="mod_h2-suspendwin-"), "mod_suspendwin.so")
        res = subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", out,
                              os.path.join(TOP, "tests", "tools", "suspendwin.c"),
                              "-I/usr/include/apache2", "-I/usr/include/apr-1.0"],
                             capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError("suspendwin.c: %s" % res.stderr)
        os.chmod(os.path.dirname(out), 0o755)
        _SUSPENDWIN = out
    return _SUSPENDWIN


def streams(h, path, n=CONNS):
    """n connections with one request each; (clients, threads, results)"""
    clients = [H2Client(h.http_port, timeout=30) for _ in range(n)]
    results = [None] * n

    def wait(i, c, sid):
        try:
            results[i] = c.wait([sid])[0]
        except Exception as e:  # reported by the assertions
            results[i] = e

    threads = []
    for i, c in enumerate(clients):
        t = threading.Thread(target=wait, args=(i, c, c.request(path)), daemon=True)
        t.start()
        threads.append(t)
    return clients, threads, results


def close_all(clients, threads, secs):
    deadline = time.monotonic() + secs
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    for c in clients:
        try:
            c.close()
        except Exception:
            pass


def log_text(h):
    with open(h.error_log, errors="replace") as f:
        return f.read()


def test_no_callback_while_the_mpm_suspends(make_httpd):
    """event streams ticking every 0.4 s on 8 connections, 4 MPM threads: each session
    parks 250 ms after a tick (threads are short), so the next tick's news come while the
    parking thread is held 300 ms in the MPM's suspend_connection hooks. A callback armed
    by that news must wait until the MPM has the connection (before: it ran at once and
    wrote the tick on another thread while the MPM still handed the connection back)."""
    h = make_httpd("suspendwin", log_level="info", threads=4,
                   env={"SUSPENDWIN_HOLD_MS": "300"}, extra="""
LoadModule suspendwin_module %s
Timeout 10
AsyncRequestWorkerFactor 10
H2MaxWorkers 32
LogLevel info suspendwin:info
""" % suspendwin_so())
    n = 6
    clients, threads, results = streams(h, "/cgi-bin/stream.py?%d,0.4" % n)
    try:
        close_all(clients, threads, 30)
        for i, r in enumerate(results):
            assert not isinstance(r, Exception) and r is not None, (i, r)
            assert r.status == 200 and r.body.count(b"data: event") == n, (i, r.body)
        log = log_text(h)
        holds = log.count("SUSPENDWIN hold")
        races = [l for l in log.splitlines() if "SUSPENDWIN: write" in l]
        assert holds >= CONNS, "the suspend hook held only %d times" % holds
        assert not races, "%d writes while the MPM suspended the connection:\n%s" % (
            len(races), "\n".join(races[:5]))
    finally:
        close_all(clients, threads, 1)
