# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Who touches a connection parked for its workers (issue 17 row 9, issue 18 "No close
lands on a stop"; docs/ARCHITECTURE.md "Busy connections give the thread back"):

- a timed callback runs the session only once the MPM thread that parked it has handed
  the connection back (its suspend_connection hooks ran): tests/tools/suspendwin.c, a
  test module, holds that thread in a suspend_connection hook and logs any write another
  thread makes to the connection meanwhile;
- a thread running a callback shows in its scoreboard slot (the probe also logs writes
  from threads the scoreboard counts idle), and a hard stop while sessions run on
  callbacks ends the child at once, without a crash.
"""
import os
import signal
import subprocess
import tempfile
import threading
import time

import pytest

from h2conf import TOP
# the same end for a set of client threads as test_73's
from test_73_parked_sessions import finish as close_all
from h2client import H2Client, Conn, Closed, PING, ACK, DATA, RST_STREAM, END_STREAM

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
        assert holds >= CONNS // 2, "the suspend hook held only %d times" % holds
        assert not races, "%d writes while the MPM suspended the connection:\n%s" % (
            len(races), "\n".join(races[:5]))
    finally:
        close_all(clients, threads, 1)


def read_events(c, sid, want, secs):
    """frames of stream sid until `want` events arrived (True), the stream or connection
    ended, or secs passed (False)"""
    got = 0
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        try:
            f = c.read_frame(max(0.01, deadline - time.monotonic()))
        except (Closed, TimeoutError, OSError):
            return False
        if f.type == PING and not f.flags & ACK:
            c.send_frame(PING, ACK, 0, f.payload)
        elif f.type == DATA and f.sid == sid:
            got += f.payload.count(b"data: event")
            if got >= want:
                return True
            if f.flags & END_STREAM:
                return False
        elif f.type == RST_STREAM and f.sid == sid:
            return False
    return False


def test_hard_stop_while_callbacks_run(make_httpd):
    """16 event streams ticking every 0.3 s on 4 MPM threads: the sessions park (250 ms
    without news while threads are short) and each tick runs on a timed callback. A thread that runs a callback is at work in
    the scoreboard (before: the MPM's "ready", so mod_status, the parent's idle count and
    our own threads-short check counted it idle; the probe logs a write from such a
    thread), and `-k stop` ends the child at once although the MPM's own hard stop closes
    only the sockets of its threads in process_connection: no crash, no SIGKILL, gone
    within 5 s (the workers' 1 s for handlers, the parent's look once a second)."""
    h = make_httpd("cbstop", log_level="info", threads=4, stop_probe=True, extra="""
LoadModule suspendwin_module %s
Timeout 10
AsyncRequestWorkerFactor 10
H2MaxWorkers 32
LogLevel info h2:trace2
""" % suspendwin_so())
    conns = []
    try:
        for i in range(2 * CONNS):
            c = Conn(h.http_port, timeout=20)
            c.handshake()     # idle: the connection goes back to the MPM
            conns.append(c)
        for c in conns:
            c.request(1, "/cgi-bin/stream.py?2000,0.3")
        # every stream delivers ticks (4 of them: parked and woken a few times)
        for i, c in enumerate(conns):
            assert read_events(c, 1, 4, 15), "stream %d: no ticks" % i
        # and keeps ticking meanwhile: the readers drain the sockets while we stop
        stop_readers = threading.Event()

        def drain(c):
            while not stop_readers.is_set():
                try:
                    c.read_frame(0.5)
                except TimeoutError:
                    continue
                except (Closed, OSError):
                    return

        readers = [threading.Thread(target=drain, args=(c,), daemon=True) for c in conns]
        for t in readers:
            t.start()
        deadline = time.monotonic() + 10
        while "on a callback" not in log_text(h) and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the log for a condition, bounded by the deadline
        assert "on a callback" in log_text(h), "no session ran on a callback"
        pid = h.pid()
        t0 = time.monotonic()
        h._ctl("-k", "stop")
        deadline = t0 + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.05)  # polling for the process exit, bounded by the deadline
        else:
            os.kill(pid, signal.SIGKILL)
        took = time.monotonic() - t0
        stop_readers.set()
        log = log_text(h)
        assert took < 5, "httpd took %.1f s to stop:\n%s" % (took, "\n".join(
            [l for l in log.splitlines() if "trace" not in l][-30:]))
        idle = [l for l in log.splitlines() if "counts idle" in l]
        assert not idle, "%d writes from threads the scoreboard counts idle:\n%s" % (
            len(idle), "\n".join(idle[:3]))
        for bad in ("AH00051", "AH00052", "Segmentation", "core dump", "SIGKILL", "STALE"):
            assert bad not in log, (bad, log[-3000:])
    finally:
        for c in conns:
            try:
                c.close()
            except Exception:
                pass
