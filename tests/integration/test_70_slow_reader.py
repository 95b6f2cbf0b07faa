# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""A client that stops reading with streams open (issue 8): large responses, windows wide
open, the socket never read. c1 must not block on the write: other connections are
answered, the stalled connection gives its MPM thread back (more stalled clients than
MPM threads, and still every other client is served), the same connection goes on as
soon as the client reads again (a request sent meanwhile is processed, its PING is
answered before the rest of the responses), the child does not grow threads with the
number of such clients, and a send stall of `Timeout` ends the connection."""
import os
import time

import pytest

from h2client import Conn, PING, ACK, DATA, WINDOW_UPDATE, S_INITIAL_WINDOW_SIZE, \
    S_MAX_FRAME_SIZE, window_payload

TIMEOUT = 4             # the server's Timeout: a stalled client is closed after it
BIG = "/10m.bin"
STREAMS = 4


@pytest.fixture(scope="module")
def slow(make_module_httpd):
    return make_module_httpd("slow", log_level="info", threads=64, extra="""
Timeout %d
LogLevel info h2:debug
H2MaxWorkers 16
""" % TIMEOUT)


def stalled_conn(h, tls=False, big_frames=False):
    """A connection with a tiny receive buffer that asks for STREAMS large responses with
    every window open, and then reads nothing. big_frames: it allows DATA frames of up
    to 16 MB (§6.5.2), so a single frame could hold a whole response."""
    c = Conn(h.https_port if tls else h.http_port, tls=tls, timeout=5, rcvbuf=4096)
    c.client_port = c.sock.getsockname()[1]
    settings = [(S_INITIAL_WINDOW_SIZE, 2 ** 31 - 1)]
    if big_frames:
        settings.append((S_MAX_FRAME_SIZE, 2 ** 24 - 1))
    c.handshake(settings=settings)
    c.send_frame(WINDOW_UPDATE, 0, 0, window_payload(2 ** 31 - 1 - 65535))
    for i in range(STREAMS):
        c.send_headers(1 + 2 * i, c.req_headers(BIG, scheme="https" if tls else "http"))
    return c


def tcp_sockets(server_port):
    """{client port: (state, tx_queue)} of the server's sockets on server_port"""
    out = {}
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            parts = line.split()
            lport = int(parts[1].split(":")[1], 16)
            rport = int(parts[2].split(":")[1], 16)
            if lport == server_port:
                tx = int(parts[4].split(":")[0], 16)
                out[rport] = (parts[3], tx)
    return out


def wait_stalled(h, conns, tls=False, secs=10):
    """until the server has unsent bytes queued on every one of conns' sockets"""
    port = h.https_port if tls else h.http_port
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        socks = tcp_sockets(port)
        if all(socks.get(c.client_port, ("", 0))[1] > 0 for c in conns):
            return True
        time.sleep(0.05)  # polling a condition, bounded by the deadline
    return False


def wait_logged(h, text, secs):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        with open(h.access_log, errors="replace") as f:
            if text in f.read():
                return True
        time.sleep(0.05)  # polling a condition, bounded by the deadline
    return False


def child_pids(h):
    parent = h.pid()
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/status" % d) as f:
                st = f.read()
        except OSError:
            continue
        if "\nPPid:\t%d\n" % parent in st and "apache2" in st.split("\n", 1)[0]:
            kids.append(int(d))
    return kids


def threads(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def other_request_ok(h, tls=False):
    c = Conn(h.https_port if tls else h.http_port, tls=tls, timeout=5)
    try:
        c.handshake()
        c.request(1, "/1k.txt")
        headers, body, _, rst = c.read_response(1, timeout=5)
        return dict(headers).get(":status") == "200" and len(body) == 1024 and rst is None
    finally:
        c.close()


def resume_and_ping(s, payload, secs=10):
    """The stalled client reads again: returns the DATA bytes read before the ACK of a
    PING sent now (None: no ACK within secs)."""
    s.ping(payload)
    data = 0
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        f = s.read_frame(timeout=max(0.01, deadline - time.monotonic()))
        s.frames.clear()   # 40 MB of DATA: keep nothing
        if f.type == DATA:
            data += len(f.payload)
        elif f.type == PING and f.flags & ACK:
            assert f.payload == payload
            return data
    return None


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_stalled_reader_does_not_block(slow, tls):
    s = stalled_conn(slow, tls)
    try:
        assert wait_stalled(slow, [s], tls), "the server's socket never filled up"
        # a request sent on the stalled connection: nothing can be written to it, so the
        # MPM waits for the socket to take data again (not a thread of ours); the
        # request is read and processed once the client reads
        marker = "stalled-%s-%d" % ("h2" if tls else "h2c", s.client_port)
        s.send_headers(1 + 2 * STREAMS, s.req_headers("/1k.txt?" + marker,
                                                      scheme="https" if tls else "http"))
        # another connection is served meanwhile
        t0 = time.monotonic()
        assert other_request_ok(slow, tls)
        assert time.monotonic() - t0 < 3
        # the stalled connection goes on as soon as the client reads: its PING is
        # answered once the client took the data already on its way (not after the rest
        # of the responses), and the request is processed
        data = resume_and_ping(s, b"stalled!")
        assert data is not None, "no PING ACK on the stalled connection"
        assert data < STREAMS * 10 * 1024 * 1024 // 2, \
            "the PING ACK came only after %d bytes of DATA" % data
        assert wait_logged(slow, marker, 5), \
            "the request sent on the stalled connection was not processed"
    finally:
        s.close()


@pytest.fixture(scope="module")
def few(make_module_httpd):
    """4 MPM threads, a long Timeout: a stalled connection that kept its thread would
    hold it for 30 s (the factor lets the MPM take 4 + 4 * 10 connections)"""
    return make_module_httpd("few", log_level="info", threads=4, extra="""
Timeout 30
AsyncRequestWorkerFactor 10
LogLevel info h2:debug
H2MaxWorkers 8
""")


@pytest.mark.parametrize("tls,big_frames", [(False, False), (True, False), (False, True),
                                            (True, True)],
                         ids=["h2c", "h2", "h2c-16MB-frames", "h2-16MB-frames"])
def test_stalled_readers_give_threads_back(few, tls, big_frames):
    """three times more stalled clients than MPM threads: each one is set up and
    stalled, others are still served at once, and each stalled one goes on when its
    client reads again. With 16 MB frames allowed, a pass of output is still bounded
    below FlushMaxThreshold: a bigger one makes the core output filter block the thread
    until the client reads (before, each pass overshot by up to a frame)."""
    stalled = []
    try:
        for _ in range(12):
            stalled.append(stalled_conn(few, tls, big_frames))
        assert wait_stalled(few, stalled, tls, secs=15), \
            "not every stalled client got its responses started (MPM threads held?)"
        for _ in range(3):
            t0 = time.monotonic()
            assert other_request_ok(few, tls)
            assert time.monotonic() - t0 < 3
        for i, s in enumerate(stalled):
            data = resume_and_ping(s, b"resume%02d" % i)
            assert data is not None, "stalled client %d: no PING ACK after it read" % i
            s.close()
        t0 = time.monotonic()
        assert other_request_ok(few, tls)
        assert time.monotonic() - t0 < 3
        with open(few.error_log, errors="replace") as f:
            log = f.read()
        assert "AH00051" not in log and "Segmentation" not in log
    finally:
        for c in stalled:
            c.close()


def test_stalled_reader_closed_after_timeout(slow):
    s = stalled_conn(slow)
    try:
        assert wait_stalled(slow, [s])
        # Timeout after the socket stopped taking data, the server closes: its socket
        # leaves ESTABLISHED (state 01) although the client never read
        deadline = time.monotonic() + TIMEOUT + 8
        while time.monotonic() < deadline:
            st = tcp_sockets(slow.http_port).get(s.client_port)
            if not st or st[0] != "01":
                break
            time.sleep(0.1)  # polling a condition, bounded by the deadline
        st = tcp_sockets(slow.http_port).get(s.client_port)
        assert not st or st[0] != "01", "the server kept the stalled connection: %r" % (st,)
        with open(slow.error_log, errors="replace") as f:
            log = f.read()
        # the MPM's Timeout on the parked connection (MH200654), our send stall
        # (MH200603), or the streams' stall reset (MH200316) after which
        # the idle connection's output is the MPM's to write or drop (write completion)
        assert "MH200603" in log or "MH200316" in log or "MH200654" in log
    finally:
        s.close()


def test_stalled_readers_thread_count(slow):
    kids = child_pids(slow)
    assert kids
    pid = max(kids, key=threads)   # the MPM child (not mod_cgid's daemon)
    one = [stalled_conn(slow)]
    many = []
    try:
        assert wait_stalled(slow, one)
        n1 = threads(pid)
        many = [stalled_conn(slow) for _ in range(19)]
        assert wait_stalled(slow, one + many)
        n20 = threads(pid)
        assert other_request_ok(slow)
        # no thread per stalled client (workers are not held by file responses; c1
        # waits in poll)
        assert n20 - n1 <= 2, "threads: %d with 1 stalled client, %d with 20" % (n1, n20)
    finally:
        for c in one + many:
            c.close()
