# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Sessions whose streams wait for their workers give the MPM thread back when threads
run short (issue 8; mod_h2/h2_c1_park.h): with 4 MPM threads, 12 connections each wait
for a slow handler, and still another client is answered at once; the workers' output
reaches each parked session (it runs on an MPM timed callback); a stream that runs
longer than the MPM's wait-io Timeout survives (a PING at half of it makes the client
answer, and its ACK restarts the Timeout); and stop/graceful with parked sessions end
cleanly."""
import os
import select
import socket
import signal
import threading
import time

import pytest

import h2conf

from h2client import H2Client, Conn, Closed, GOAWAY, PING, ACK, HEADERS, DATA, \
    RST_STREAM, END_STREAM

TIMEOUT = 4
CONNS = 12



@pytest.fixture(scope="module")
def few(make_module_httpd):
    return make_module_httpd("park", log_level="info", threads=4, stop_probe=True,
                             extra="""
Timeout %d
AsyncRequestWorkerFactor 10
H2MaxWorkers 32
LogLevel info h2:debug
""" % TIMEOUT)


def run_clients(h, path, n=CONNS, tls=False):
    """n connections, one request each; returns (clients, threads, results) where a
    thread waits for each response into results[i]"""
    clients = [H2Client(h.https_port if tls else h.http_port, tls=tls, timeout=30)
               for _ in range(n)]
    results = [None] * n

    def wait(i, c, sid):
        try:
            results[i] = c.wait([sid])[0]
        except Exception as e:  # reported by the assertions below
            results[i] = e

    threads = []
    for i, c in enumerate(clients):
        sid = c.request(path)
        t = threading.Thread(target=wait, args=(i, c, sid), daemon=True)
        t.start()
        threads.append(t)
    return clients, threads, results


def wait_handlers(name, n, secs=10):
    """until n processes run the CGI `name` (its handlers started: every session waits
    for its worker now)"""
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        count = 0
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    if name.encode() in f.read():
                        count += 1
            except OSError:
                pass
        if count >= n:
            return True
        time.sleep(0.05)  # polling a condition, bounded by the deadline
    return False


def quick_get(h, tls=False):
    t0 = time.monotonic()
    c = H2Client(h.https_port if tls else h.http_port, tls=tls, timeout=10)
    try:
        r = c.get("/1k.txt")
        assert r.status == 200 and len(r.body) == 1024
    finally:
        c.close()
    return time.monotonic() - t0


def finish(clients, threads, secs):
    deadline = time.monotonic() + secs
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    for c in clients:
        try:
            c.close()
        except Exception:
            pass


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_waiting_sessions_give_threads_back(few, tls):
    clients, threads, results = run_clients(few, "/cgi-bin/slow.py?3", tls=tls)
    try:
        # the handlers sleep 3 s: 12 sessions that kept their thread would hold all 4
        # MPM threads, and this client would wait for them
        assert wait_handlers("slow.py", CONNS), "not every request reached its handler"
        took = quick_get(few, tls)
        assert took < 1.5, "a plain GET took %.2f s while sessions waited" % took
        finish(clients, threads, 15)
        for i, r in enumerate(results):
            assert not isinstance(r, Exception) and r is not None, (i, r)
            assert r.status == 200 and b"slept 3" in r.body, (i, r.status, r.body)
    finally:
        finish(clients, threads, 1)


def ticks_arrive(h, n, secs):
    """CONNS event streams of n events 0.3 s apart (stream.py): every one complete within
    secs"""
    clients, threads, results = run_clients(h, "/cgi-bin/stream.py?%d,0.3" % n)
    try:
        finish(clients, threads, secs)
        for i, r in enumerate(results):
            assert not isinstance(r, Exception) and r is not None, (i, r)
            assert r.status == 200, (i, r.status)
            assert r.body.count(b"data: event") == n, (i, r.body)
    finally:
        finish(clients, threads, 1)


def test_parked_sessions_get_streamed_output(few):
    """each tick of the handlers' output wakes its parked session"""
    ticks_arrive(few, 8, 20)


def test_stream_longer_than_the_mpm_timeout(few):
    """the MPM closes a connection that waits in its wait-io queue for Timeout (4 s) and
    counts from when process_connection returned; a parked session whose output runs on
    callbacks never returns there. 6 s of ticks (each well within Timeout, which also
    bounds the CGI's silence): the PING at half the Timeout keeps them alive."""
    ticks_arrive(few, 20, 25)


def read_through_goaway(c, sid, secs):
    """(status, body, goaway seen, rst code) of stream sid, read past a GOAWAY (the
    graceful stop's), or None when the connection closed first"""
    status, body, goaway = None, bytearray(), False
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        try:
            f = c.read_frame(max(0.01, deadline - time.monotonic()))
        except (Closed, TimeoutError, OSError):
            return None
        if f.type == GOAWAY:
            goaway = True
        elif f.type == PING and not f.flags & ACK:
            c.send_frame(PING, ACK, 0, f.payload)
        elif f.type == HEADERS and f.sid == sid:
            status = dict(c._decode_block(f, None)).get(":status")
            if f.flags & END_STREAM:
                return status, bytes(body), goaway, None
        elif f.type == DATA and f.sid == sid:
            body += f.payload
            if f.flags & END_STREAM:
                return status, bytes(body), goaway, None
        elif f.type == RST_STREAM and f.sid == sid:
            return status, bytes(body), goaway, f.error_code
    return None


@pytest.mark.parametrize("how", ["graceful", "stop"])
def test_stop_with_parked_sessions(make_httpd, how):
    """graceful: the parked streams finish, their responses arrive behind the GOAWAY;
    stop: the child ends at once; no crash either way, every process gone in bounded
    time"""
    h = make_httpd("parkstop", log_level="info", threads=4, stop_probe=True, extra="""
Timeout 10
AsyncRequestWorkerFactor 10
H2MaxWorkers 32
GracefulShutdownTimeout 15
LogLevel info h2:debug
""")
    conns = []
    try:
        for i in range(CONNS):
            c = Conn(h.http_port, timeout=20)
            c.handshake()
            c.request(1, "/cgi-bin/slow.py?2")
            conns.append(c)
        assert wait_handlers("slow.py", CONNS), "not every request reached its handler"
        results = [None] * CONNS

        def read(i, c):
            results[i] = read_through_goaway(c, 1, 15)

        threads = [threading.Thread(target=read, args=(i, c), daemon=True)
                   for i, c in enumerate(conns)]
        for t in threads:
            t.start()
        pid = h.pid()
        h._ctl("-k", "graceful-stop" if how == "graceful" else "stop")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.1)  # polling a condition, bounded by the deadline
        else:
            os.kill(pid, signal.SIGKILL)
            raise AssertionError("httpd still runs 20 s after %s" % how)
        for t in threads:
            t.join(5)
        if how == "graceful":
            for i, r in enumerate(results):
                assert r is not None, "connection %d closed before its response" % i
                status, body, goaway, rst = r
                assert status == "200" and b"slept 2" in body and rst is None, (i, r)
                assert goaway, "connection %d: no GOAWAY" % i
        with open(h.error_log, errors="replace") as f:
            log = f.read()
        assert "AH00051" not in log and "AH00052" not in log, log[-3000:]
        assert "Segmentation" not in log and "core dump" not in log
    finally:
        for c in conns:
            try:
                c.close()
            except Exception:
                pass


# an event stream that starts after 1 s of silence (its session parks first: H2_C1_WORKER_PARK
# of quiet with threads short), then ticks every 50 ms (its session then runs on callbacks)
LATE_TICKS = r'''#!/usr/bin/python3
import os, sys, time
n = int(os.environ.get("QUERY_STRING") or "120")
sys.stdout.write("Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n")
sys.stdout.flush()
time.sleep(1.0)
try:
    for i in range(n):
        sys.stdout.write("data: tick %d\n\n" % i)
        sys.stdout.flush()
        time.sleep(0.05)
except (BrokenPipeError, ConnectionResetError):
    os._exit(0)
'''


def test_client_that_talks_to_a_parked_session_outlives_the_mpm_timeout(make_httpd):
    """issue 17 row 6: a parked session runs on callbacks, which read the client's input
    too (a new request, the PING's ACK); the MPM starts its wait-io Timeout again only
    when process_connection returns. An event stream ticking every 50 ms, `Timeout 2`, a
    GET every 500 ms for 6 s on the same connection: the connection is never closed while
    the client keeps talking, every GET and every tick arrives."""
    h = make_httpd("parktalk", log_level="info", threads=4, extra="""
Timeout 2
AsyncRequestWorkerFactor 10
H2MaxWorkers 32
LogLevel info h2:trace2
""")
    p = os.path.join(h.root, "cgi-bin", "late_ticks.py")
    with open(p, "w") as f:
        f.write(LATE_TICKS)
    os.chmod(p, 0o755)
    # 3 of the 4 MPM threads held by HTTP/1.1 requests to a sleeping CGI: threads run
    # short, so a quiet session parks
    holders = []
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", h.http_port), timeout=20)
        s.sendall(b"GET /cgi-bin/slow.py?12 HTTP/1.1\r\nHost: localhost\r\n\r\n")
        holders.append(s)
    c = H2Client(h.http_port, timeout=20)
    try:
        assert wait_handlers(h.root + "/cgi-bin/slow.py", 3), "the HTTP/1.1 requests hold no threads"
        ticks = 120
        ev = c.request("/cgi-bin/late_ticks.py?%d" % ticks)
        gets = []
        next_get = time.monotonic() + 0.5
        end = time.monotonic() + 20
        while not c.responses[ev].ended and time.monotonic() < end:
            now = time.monotonic()
            if now >= next_get and len(gets) < 12:
                gets.append(c.request("/1k.txt"))
                next_get += 0.5
                continue
            r, _, _ = select.select([c.sock], [], [], max(0.0, min(next_get, end) - now))
            if r and not c.pump():
                break
        assert not c.closed and c.goaway is None, \
            "connection closed after %d GETs, %d ticks: %r" % (
                len(gets), c.responses[ev].body.count(b"data: tick"), c.goaway)
        res = c.wait(gets)
        assert c.responses[ev].body.count(b"data: tick") == ticks, c.responses[ev].body[-200:]
        assert len(gets) == 12 and all(r.status == 200 and len(r.body) == 1024 for r in res)
        with open(h.error_log, errors="replace") as f:
            log = f.read()
        # the premise: the session parked and ran on callbacks meanwhile. Whether it
        # parks depends on how short the MPM's threads run on this machine at that
        # moment (measured: parked in some runs, kept its thread in others), so a run
        # where it did not park says nothing about row 6: reported as skipped, after the
        # connection's assertions above held either way
        if not ("back to the MPM (wait-io)" in log and "on a callback" in log):
            pytest.skip("the session kept its MPM thread this time: row 6's path not taken")
    finally:
        c.close()
        for s in holders:
            s.close()
