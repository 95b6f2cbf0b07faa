# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""WebSockets over HTTP/2 (RFC 8441) through httpd's own WebSocket proxying.

A raw-frame client (h2client.Conn) opens extended CONNECT streams (:protocol websocket)
to `ProxyPass /ws/ ws://backend/` (mod_proxy_wstunnel, which hands over to mod_proxy_http)
and `ProxyPass /wsh/ http://backend/ upgrade=websocket` (mod_proxy_http); the backend is
the RFC 6455 echo server of ws_echo.py. WebSocket frames travel in DATA frames.
"""
import os
import shutil
import struct
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import h2conf  # noqa: E402
import h2client as w  # noqa: E402
import ws_echo  # noqa: E402


def ws_conf(port, on=True):
    return f"""LoadModule proxy_wstunnel_module {h2conf.MODULES_DIR}/mod_proxy_wstunnel.so
H2WebSockets {"on" if on else "off"}
ProxyPass /ws/ ws://127.0.0.1:{port}/
ProxyPass /wsh/ http://127.0.0.1:{port}/ upgrade=websocket
"""


@pytest.fixture(scope="module")
def backend():
    b = ws_echo.EchoServer()
    yield b
    b.stop()


@pytest.fixture(scope="module")
def ws_httpd(backend):
    root = tempfile.mkdtemp(prefix="mod_h2-ws-")
    os.chmod(root, 0o755)
    h = h2conf.Httpd(root, extra=ws_conf(backend.port), log_level="info")
    h.make_root()
    h.start()
    yield h
    h.stop()
    if not os.environ.get("H2_KEEP_ROOTS"):
        shutil.rmtree(root, ignore_errors=True)


def connect(h, tls, settings=()):
    c = w.Conn(h.https_port if tls else h.http_port, tls=tls, timeout=10)
    c.handshake(settings=settings)
    return c


class WsStream:
    """One extended CONNECT stream: WebSocket frames over DATA, both flow-control windows
    kept (ours: `window` is what we announced; we credit only what we consumed)."""

    def __init__(self, conn, sid, path, tls, window=65535, extra=()):
        self.c, self.sid = conn, sid
        self.send_win = dict(conn.server_settings).get(w.S_INITIAL_WINDOW_SIZE, 65535)
        self.window = window              # our stream receive window (SETTINGS)
        self.unacked = 0                  # stream DATA received, not yet credited
        self.conn_unacked = 0             # connection DATA received, not yet credited
        self.max_unacked = 0
        self.buf = bytearray()            # WebSocket bytes received
        self.headers = None
        self.ended = False
        self.rst = None
        self.peers = {}
        hdrs = [(":method", "CONNECT"), (":protocol", "websocket"),
                (":scheme", "https" if tls else "http"), (":path", path),
                (":authority", "localhost"), ("sec-websocket-version", "13")] + list(extra)
        conn.send_headers(sid, hdrs, end_stream=False)

    def pump(self, timeout, credit=True):
        """Read one frame and hand it to the stream it belongs to (self.peers: other
        WsStreams on the same connection)."""
        f = self.c.read_frame(timeout)
        assert f.type != w.GOAWAY, "unexpected GOAWAY %r" % f
        self.peers.get(f.sid, self).handle(f, credit)
        return f

    def handle(self, f, credit=True):
        if f.type == w.WINDOW_UPDATE:
            incr = struct.unpack(">I", f.payload)[0] & 0x7fffffff
            if f.sid == 0:
                self.c.conn_send_window += incr
            elif f.sid == self.sid:
                self.send_win += incr
        elif f.type == w.PING and not f.flags & w.ACK:
            self.c.send_frame(w.PING, w.ACK, 0, f.payload)
        elif f.type == w.SETTINGS and not f.flags & w.ACK:
            self.c.send_frame(w.SETTINGS, w.ACK, 0)
        elif f.type == w.HEADERS:
            h = self.c._decode_block(f, None)
            if f.sid == self.sid:
                self.headers = self.headers or h
                if f.flags & w.END_STREAM:
                    self.ended = True
        elif f.type == w.DATA:
            n = len(f.payload)
            self.conn_unacked += n
            # RFC 9113 §6.9.1: the server never exceeds the windows we gave
            assert self.conn_unacked <= 65535, "connection window exceeded"
            if n:
                self.c.send_frame(w.WINDOW_UPDATE, 0, 0, w.window_payload(n))
                self.conn_unacked -= n
            if f.sid == self.sid:
                self.unacked += n
                self.max_unacked = max(self.max_unacked, self.unacked)
                assert self.unacked <= self.window, \
                    "stream window exceeded: %d > %d" % (self.unacked, self.window)
                self.buf += f.data
                if f.flags & w.END_STREAM:
                    self.ended = True
                elif credit and self.unacked:
                    self.credit()
        elif f.type == w.RST_STREAM and f.sid == self.sid:
            self.rst = f.error_code
            self.ended = True

    def credit(self):
        if self.unacked and not self.ended:
            self.c.send_frame(w.WINDOW_UPDATE, 0, self.sid, w.window_payload(self.unacked))
        self.unacked = 0

    def response(self, timeout=10):
        deadline = time.monotonic() + timeout
        while self.headers is None and not self.ended:
            self.pump(max(0.01, deadline - time.monotonic()))
        assert self.headers is not None, "no response, rst=%r" % self.rst
        return int(dict(self.headers)[":status"])

    def send(self, data, end_stream=False, timeout=20):
        """Send bytes in DATA frames within the server's windows."""
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        while len(view):
            n = min(len(view), self.send_win, self.c.conn_send_window, self.c.peer_max_frame)
            if n <= 0:
                self.pump(max(0.01, deadline - time.monotonic()))
                continue
            self.c.send_frame(w.DATA, 0, self.sid, bytes(view[:n]))
            self.send_win -= n
            self.c.conn_send_window -= n
            view = view[n:]
        if end_stream:
            self.c.send_frame(w.DATA, w.END_STREAM, self.sid, b"")

    def recv_msg(self, timeout=20, credit=True):
        """The next WebSocket frame from the server: (fin, opcode, payload)."""
        deadline = time.monotonic() + timeout
        while True:
            fr = ws_echo.parse(self.buf)
            if fr:
                del self.buf[:fr[3]]
                return fr[:3]
            assert not self.ended, "stream ended (rst=%r) inside a WebSocket frame" % self.rst
            self.pump(max(0.01, deadline - time.monotonic()), credit=credit)

    def wait_end(self, timeout=10):
        deadline = time.monotonic() + timeout
        while not self.ended:
            self.pump(max(0.01, deadline - time.monotonic()))


def open_ws(h, tls, path="/ws/echo", settings=(), window=65535):
    c = connect(h, tls, settings)
    s = WsStream(c, 1, path, tls, window=window)
    return c, s


# ---- SETTINGS -------------------------------------------------------------------------

@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_settings_enable_connect_protocol_on(ws_httpd, tls):
    c = connect(ws_httpd, tls)
    try:
        assert (w.S_ENABLE_CONNECT_PROTOCOL, 1) in c.server_settings, c.server_settings
    finally:
        c.close()


def test_off_no_setting_and_extended_connect_refused(make_httpd, backend):
    """RFC 8441 §3: without the setting the client must not use :protocol; a server that
    did not send it treats an extended CONNECT as malformed (§4, RFC 9113 §8.1.1)."""
    h = make_httpd("ws-off", extra=ws_conf(backend.port, on=False))
    for tls in (False, True):
        c = connect(h, tls)
        try:
            ids = [k for k, _ in c.server_settings]
            assert w.S_ENABLE_CONNECT_PROTOCOL not in ids, c.server_settings
            WsStream(c, 1, "/ws/echo", tls)
            c.expect_stream_error(1, w.PROTOCOL_ERROR)
            # the connection carries on
            c.request(3, "/1k.txt")
            hdrs, body, _, rst = c.read_response(3)
            assert rst is None and dict(hdrs)[":status"] == "200" and len(body) == 1024
        finally:
            c.close()


def test_protocol_with_get_is_malformed(ws_httpd):
    """RFC 8441 §4: :protocol only with CONNECT, even when the setting is on."""
    c = connect(ws_httpd, False)
    try:
        c.send_headers(1, c.req_headers("/ws/echo") + [(":protocol", "websocket")],
                       end_stream=True)
        c.expect_stream_error(1, w.PROTOCOL_ERROR)
    finally:
        c.close()


def test_extended_connect_without_path_is_malformed(ws_httpd):
    c = connect(ws_httpd, False)
    try:
        c.send_headers(1, [(":method", "CONNECT"), (":protocol", "websocket"),
                           (":scheme", "http"), (":authority", "localhost")], end_stream=False)
        c.expect_stream_error(1, w.PROTOCOL_ERROR)
    finally:
        c.close()


# ---- echo ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/ws/echo", "/wsh/echo"], ids=["wstunnel", "proxy_http"])
@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_echo_small_and_100k(ws_httpd, backend, tls, path):
    c, s = open_ws(ws_httpd, tls, path)
    try:
        assert s.response() == 200, s.headers
        fields = dict(s.headers)
        # the 101's upgrade fields never reach an HTTP/2 client (RFC 8441 §5)
        assert "sec-websocket-accept" not in fields and "upgrade" not in fields, fields
        assert fields.get("x-backend") == "ws-echo", fields
        for i in range(3):
            s.send(ws_echo.build("hello %d" % i))
            assert s.recv_msg() == (True, ws_echo.OP_TEXT, b"hello %d" % i)
        big = bytes((i * 31 + 7) & 0xff for i in range(100 * 1024))
        s.send(ws_echo.build(big, ws_echo.OP_BIN))
        assert s.recv_msg() == (True, ws_echo.OP_BIN, big)
        # PING/PONG pass too
        s.send(ws_echo.build(b"p", ws_echo.OP_PING))
        assert s.recv_msg() == (True, ws_echo.OP_PONG, b"p")
    finally:
        c.close()
    # the backend saw an HTTP/1.1 upgrade GET for the path
    method, bpath, fields = backend.requests[-1]
    assert method == "GET" and bpath == "/echo", backend.requests[-1]
    assert fields.get("upgrade", "").lower() == "websocket"


def test_close_from_client_end_stream(ws_httpd, backend):
    """END_STREAM from the client (its TCP FIN, RFC 8441 §5): the tunnel ends, the
    backend connection is closed, the stream ends from our side too."""
    closed_before = backend.closed
    c, s = open_ws(ws_httpd, False)
    try:
        assert s.response() == 200
        s.send(ws_echo.build("last"))
        assert s.recv_msg() == (True, ws_echo.OP_TEXT, b"last")
        s.send(ws_echo.build(struct.pack(">H", 1000), ws_echo.OP_CLOSE), end_stream=True)
        s.wait_end()
        assert s.rst in (None, w.NO_ERROR), s.rst
        assert backend.wait_closed(closed_before + 1)
        # the connection is fine
        c.request(3, "/1k.txt")
        hdrs, body, _, rst = c.read_response(3)
        assert dict(hdrs)[":status"] == "200" and len(body) == 1024
    finally:
        c.close()


def test_close_from_client_rst_cancel(ws_httpd, backend):
    closed_before = backend.closed
    c, s = open_ws(ws_httpd, True)
    try:
        assert s.response() == 200
        s.send(ws_echo.build("x"))
        assert s.recv_msg() == (True, ws_echo.OP_TEXT, b"x")
        c.send_frame(w.RST_STREAM, 0, 1, w.rst_payload(w.CANCEL))
        assert backend.wait_closed(closed_before + 1), "backend connection not closed"
        c.request(3, "/1k.txt")
        hdrs, body, _, rst = c.read_response(3)
        assert dict(hdrs)[":status"] == "200" and len(body) == 1024
    finally:
        c.close()


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_close_from_backend(ws_httpd, tls):
    """The backend sends a message and a CLOSE and closes TCP first (RFC 6455 §7.1.1):
    the client gets both and then the stream's END_STREAM."""
    c, s = open_ws(ws_httpd, tls, "/ws/close")
    try:
        assert s.response() == 200
        assert s.recv_msg() == (True, ws_echo.OP_TEXT, b"bye")
        fin, op, payload = s.recv_msg()
        assert op == ws_echo.OP_CLOSE and payload[:2] == struct.pack(">H", 1000)
        s.wait_end()
        assert s.rst is None, "stream reset (%r) instead of END_STREAM" % s.rst
    finally:
        c.close()


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_flow_control_1m_small_window(ws_httpd, tls):
    """1 MB each way with a 16 KB stream window on our side: the server never sends more
    than the window (asserted per DATA frame) and the echo is intact."""
    win = 16384
    c, s = open_ws(ws_httpd, tls, settings=[(w.S_INITIAL_WINDOW_SIZE, win)], window=win)
    try:
        assert s.response() == 200
        big = os.urandom(1024 * 1024)
        s.send(ws_echo.build(big, ws_echo.OP_BIN), timeout=30)
        # read slowly: credit only when the whole window is used
        deadline = time.monotonic() + 30
        got = None
        while got is None:
            fr = ws_echo.parse(s.buf)
            if fr:
                got = fr
                break
            assert not s.ended
            s.pump(max(0.01, deadline - time.monotonic()), credit=False)
            if s.unacked >= win:
                s.credit()
        assert got[1] == ws_echo.OP_BIN and got[2] == big
        assert s.max_unacked == win, "the server should fill our window: %d" % s.max_unacked
    finally:
        c.close()


def test_not_a_websocket_resource_502(ws_httpd):
    """A 2xx that did not come through a valid 101 is not a WebSocket: 502."""
    c, s = open_ws(ws_httpd, False, "/wsh/plain")
    try:
        assert s.response() == 502
        s.wait_end()
    finally:
        c.close()


def test_bad_accept_502(ws_httpd):
    c, s = open_ws(ws_httpd, False, "/ws/badaccept")
    try:
        assert s.response() == 502
        s.wait_end()
    finally:
        c.close()


def test_no_websocket_here_404(ws_httpd):
    """No proxy for the path: the error response passes (and ends the stream)."""
    c, s = open_ws(ws_httpd, False, "/nothing/here")
    try:
        assert s.response() == 404
        s.wait_end()
    finally:
        c.close()


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_concurrent_tunnels_one_connection(ws_httpd, tls):
    """Four WebSockets on one connection at once, each with data sent before its 200
    arrived; every echo comes back on its own stream."""
    c = connect(ws_httpd, tls)
    try:
        streams = [WsStream(c, sid, "/ws/echo", tls) for sid in (1, 3, 5, 7)]
        peers = {s.sid: s for s in streams}
        for s in streams:
            s.peers = peers
            s.send(ws_echo.build("early %d" % s.sid))
        for s in streams:
            assert s.response() == 200
            assert s.recv_msg() == (True, ws_echo.OP_TEXT, b"early %d" % s.sid)
        for rnd in range(3):
            for s in streams:
                s.send(ws_echo.build("r%d s%d" % (rnd, s.sid)))
            for s in reversed(streams):
                assert s.recv_msg() == (True, ws_echo.OP_TEXT, b"r%d s%d" % (rnd, s.sid))
        for s in streams:
            s.send(b"", end_stream=True)
        for s in streams:
            s.wait_end()
            assert s.rst in (None, w.NO_ERROR), s.rst
    finally:
        c.close()


def test_other_protocol_501(ws_httpd):
    """Only :protocol websocket is implemented; another is answered 501."""
    c = connect(ws_httpd, False)
    try:
        c.send_headers(1, [(":method", "CONNECT"), (":protocol", "connect-udp"),
                           (":scheme", "http"), (":path", "/ws/echo"),
                           (":authority", "localhost")], end_stream=False)
        hdrs, _, _, rst = c.read_response(1)
        assert hdrs and dict(hdrs)[":status"] == "501", (hdrs, rst)
    finally:
        c.close()


def test_prefork_does_not_offer(make_httpd, backend):
    """Without a worker pool (prefork) a tunnel would block the connection's only
    thread: the setting is not sent, extended CONNECT is refused."""
    h = make_httpd("ws-prefork", mpm="prefork", extra=ws_conf(backend.port))
    c = connect(h, False)
    try:
        assert w.S_ENABLE_CONNECT_PROTOCOL not in [k for k, _ in c.server_settings]
    finally:
        c.close()


def test_vhost_off_501(make_httpd, backend):
    """H2WebSockets of the vhost a request lands on: off there means 501 (as mod_http2),
    even when the connection's server announced the setting."""
    vh = """<VirtualHost 127.0.0.1:{http_port}>
    ServerName localhost
</VirtualHost>
<VirtualHost 127.0.0.1:{http_port}>
    ServerName other.localhost
    H2WebSockets off
</VirtualHost>
"""
    h = make_httpd("ws-vhost", extra=ws_conf(backend.port), vhosts=vh)
    c = connect(h, False)
    try:
        assert (w.S_ENABLE_CONNECT_PROTOCOL, 1) in c.server_settings
        s = WsStream(c, 1, "/ws/echo", False, extra=())
        assert s.response() == 200
        c.send_headers(3, [(":method", "CONNECT"), (":protocol", "websocket"),
                           (":scheme", "http"), (":path", "/ws/echo"),
                           (":authority", "other.localhost"),
                           ("sec-websocket-version", "13")], end_stream=False)
        hdrs, _, _, rst = c.read_response(3)
        assert hdrs and dict(hdrs)[":status"] == "501", (hdrs, rst)
    finally:
        c.close()


def test_idle_tunnel_outlives_keepalive(ws_httpd):
    """A quiet WebSocket is an open stream, not an idle connection: nothing closes it
    after KeepAliveTimeout (5 s in h2conf); it echoes afterwards."""
    c, s = open_ws(ws_httpd, False)
    try:
        assert s.response() == 200
        s.send(ws_echo.build("before"))
        assert s.recv_msg() == (True, ws_echo.OP_TEXT, b"before")
        with pytest.raises(TimeoutError):
            f = c.read_frame(6.5)
            raise AssertionError("frame on an idle tunnel: %r" % f)
        s.send(ws_echo.build("after"))
        assert s.recv_msg() == (True, ws_echo.OP_TEXT, b"after")
    finally:
        c.close()


def test_access_log_http2(ws_httpd):
    c, s = open_ws(ws_httpd, True, "/ws/echo?logcheck=1")
    try:
        assert s.response() == 200
        s.send(ws_echo.build("x"))
        assert s.recv_msg() == (True, ws_echo.OP_TEXT, b"x")
        s.send(b"", end_stream=True)
        s.wait_end()
    finally:
        c.close()
    # (the worker logs once the tunnel's handler ended: slower under ASan)
    lines = ws_httpd.access_lines("logcheck=1", secs=20 if h2conf.SANITIZER else 5)
    assert lines, "no access log line"
    assert '"GET /ws/echo?logcheck=1 HTTP/2.0" 200 ' in lines[0], lines[0]
    assert lines[0].rstrip().endswith(" HTTP/2.0 on"), lines[0]


# ---- descriptors (issue 17) ------------------------------------------------------------
# A WebSocket stream's pipe (the pollable side of its c2) exists only while a worker runs
# its tunnel, counts against the connection's descriptor cap (H2_FDS_PER_CONN, 64: 2 per
# pipe) and is closed when the stream ends, on every path. The backend's /hang path never
# answers the upgrade: the streams that run hold their workers (the connection's cap of
# half the pool) and those behind them wait in the queue.

FDS_PER_CONN = 64        # mod_h2/h2_stream.h H2_FDS_PER_CONN


def fds_conf(port, workers=40, extra=""):
    # a worker cap of workers/2 per connection; ProxyTimeout keeps /hang waiting
    return ws_conf(port) + "H2MaxWorkers %d\nProxyTimeout 60\n%s" % (workers, extra)


def child_pid(h, timeout=10):
    """The MPM child of h: of the parent's children (cgid's daemon is one too) the one with
    the most threads."""
    deadline = time.monotonic() + timeout
    while True:
        best = None
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/status" % d) as f:
                    st = dict(ln.split(":", 1) for ln in f.read().splitlines() if ":" in ln)
            except OSError:
                continue
            if int(st.get("PPid", "0").strip()) != h.pid():
                continue
            thr = int(st.get("Threads", "0").strip())
            if best is None or thr > best[0]:
                best = (thr, int(d))
        if best and best[0] > 1:
            return best[1]
        assert time.monotonic() < deadline, "no MPM child of %r" % h.pid()
        time.sleep(0.05)  # polling for the child to start, bounded by the deadline


def fd_counts(pid):
    """(descriptors, pipe descriptors) the process holds: `ls /proc/<pid>/fd | wc -l`."""
    n = pipes = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        n += 1
        pipes += link.startswith("pipe:")
    return n, pipes


def sync(c):
    """A PING round trip: c1 has handled every frame sent before it."""
    c.ping()
    c.expect_ping_ack()


def open_streams(c, sids, path, tls=False):
    """HEADERS of extended CONNECTs for sids in one write."""
    buf = bytearray()
    for sid in sids:
        hdrs = [(":method", "CONNECT"), (":protocol", "websocket"),
                (":scheme", "https" if tls else "http"), (":path", path),
                (":authority", "localhost"), ("sec-websocket-version", "13")]
        buf += w.frame(w.HEADERS, w.END_HEADERS, sid, c.encode(hdrs))
    c.send(bytes(buf))


def reset_streams(c, sids):
    c.send(b"".join(w.rst_frame(sid, w.CANCEL) for sid in sids))


def bystander_ok(h):
    """Another connection is served: a GET and a WebSocket echo."""
    c, s = open_ws(h, False)
    try:
        assert s.response() == 200, (s.headers, s.rst)
        s.send(ws_echo.build("bystander"))
        assert s.recv_msg() == (True, ws_echo.OP_TEXT, b"bystander")
        c.request(3, "/1k.txt")
        hdrs, body, _, rst = c.read_response(3)
        assert rst is None and dict(hdrs)[":status"] == "200" and len(body) == 1024
    finally:
        c.close()


def test_fds_queued_streams_open_no_pipe(make_httpd, backend):
    """Streams that wait for a worker, and are reset there, hold no descriptor: the
    connection's workers all wait for the backend, 60 more extended CONNECTs queue behind
    them and are reset; the child's pipes do not grow (they grew by 2 per stream when the
    pipe was made as HEADERS arrived)."""
    h = make_httpd("ws-fds-q", extra=fds_conf(backend.port))
    pid = child_pid(h)
    c = connect(h, False)
    try:
        running = list(range(1, 41, 2))          # 20: the connection's worker cap
        open_streams(c, running, "/ws/hang")
        assert backend.wait_hanging(len(running)), backend.hanging
        sync(c)
        base = fd_counts(pid)
        queued = list(range(41, 161, 2))         # 60 more, queued
        open_streams(c, queued, "/ws/hang")
        sync(c)
        mid = fd_counts(pid)
        assert mid[1] <= base[1] + 2, "queued streams hold pipes: %r -> %r" % (base, mid)
        reset_streams(c, queued)
        sync(c)
        after = fd_counts(pid)
        assert after[1] <= base[1] + 2, (base, after)
        assert after[0] <= base[0] + 4, (base, after)
        assert c.goaway() is None
    finally:
        backend.release_hung()
        c.close()


def test_fds_reset_rounds_bounded(make_httpd, backend):
    """Issue 17 row 5: rounds of 100 extended CONNECTs to a backend that never answers,
    each reset at once, behind streams that hold the connection's workers. The child's
    descriptors stay within the connection's cap (and the backend sockets and worker
    sockets of the running streams) however many rounds pass, and another connection is
    served."""
    h = make_httpd("ws-fds-r", extra=fds_conf(backend.port))
    pid = child_pid(h)
    bystander_ok(h)                      # warm: the bystander's worker exists
    base = fd_counts(pid)
    cap_workers = 20
    # per running stream a backend socket and its worker's socket; the cap; some slack
    bound = base[0] + 2 * cap_workers + FDS_PER_CONN + 16
    c = connect(h, False)
    sid, peak = 41, base
    try:
        # the connection's workers all wait for the backend: what comes next queues
        open_streams(c, list(range(1, 41, 2)), "/ws/hang")
        assert backend.wait_hanging(cap_workers), backend.hanging
        for rnd in range(4):
            t0 = time.monotonic()
            sids = list(range(sid, sid + 200, 2))
            sid += 200
            open_streams(c, sids, "/ws/hang")
            reset_streams(c, sids)
            sync(c)
            # the engine allows 200 resets a second per connection (rapid reset): the
            # rounds keep under it, sampling the descriptors meanwhile
            while True:
                now = fd_counts(pid)
                peak = (max(peak[0], now[0]), max(peak[1], now[1]))
                if time.monotonic() - t0 >= 1.05:
                    break
                time.sleep(0.05)  # pacing under the reset budget, bounded
            assert c.goaway() is None
        assert peak[0] <= bound, "descriptors grew: %r -> peak %r (bound %d)" \
            % (base, peak, bound)
        assert peak[1] <= base[1] + FDS_PER_CONN, (base, peak)
        bystander_ok(h)
    finally:
        backend.release_hung()
        c.close()


def test_fds_connection_closed_with_tunnels_running(make_httpd, backend):
    """Issue 17 row 7: the connection ends with tunnels running (echoes), streams whose
    backend never answers (their handlers outlive the connection: c1 leaves them to their
    workers after Timeout) and streams still queued. Once everything has ended the child
    holds as many pipes as before."""
    h = make_httpd("ws-fds-c", extra=fds_conf(backend.port,
                                               extra="Timeout 2\nH2StreamTimeout 30\n"))
    pid = child_pid(h)
    base = fd_counts(pid)
    c = connect(h, False)
    try:
        echo = [WsStream(c, sid, "/ws/echo", False) for sid in (1, 3, 5, 7, 9)]
        peers = {s.sid: s for s in echo}
        for s in echo:
            s.peers = peers
        for s in echo:
            assert s.response() == 200
        hang = list(range(11, 41, 2))            # 15: with the echoes the worker cap
        open_streams(c, hang, "/ws/hang")
        assert backend.wait_hanging(len(hang)), backend.hanging
        queued = list(range(41, 81, 2))          # 20 queued behind them
        open_streams(c, queued, "/ws/hang")
        for s in echo:
            s.send(ws_echo.build("still %d" % s.sid))
        for s in echo:
            assert s.recv_msg() == (True, ws_echo.OP_TEXT, b"still %d" % s.sid)
        running = fd_counts(pid)
        assert running[1] >= base[1] + 2 * len(echo), (base, running)
    finally:
        c.close()
    # c1 waits for the hanging handlers (a WARNING after Timeout, 2 s)
    lines = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with open(h.error_log, errors="replace") as f:
            lines = [ln for ln in f if "MH201000" in ln]
        if lines:
            break
        time.sleep(0.1)  # polling the log, bounded by the deadline
    assert lines, "the connection did not end: %s" % h.log_tail()
    backend.release_hung()
    deadline = time.monotonic() + 20
    while True:
        now = fd_counts(pid)
        if now[1] <= base[1] or time.monotonic() >= deadline:
            break
        time.sleep(0.1)  # polling for the workers to end, bounded by the deadline
    assert now[1] <= base[1], "pipes left after the connection: %r -> %r" % (base, now)
    bystander_ok(h)


def test_fds_cap_refuses_stream(make_httpd, backend):
    """The connection's descriptor cap: 40 tunnels at once on one connection (the worker
    cap is 40 here) get 32 tunnels (2 descriptors each); the others are refused with
    RST_STREAM(REFUSED_STREAM), which a client may retry (RFC 9113 §8.7); one log line.
    When a tunnel ends a retried stream is served; other connections are."""
    h = make_httpd("ws-fds-cap", extra=fds_conf(backend.port, workers=80), log_level="info",
                  threads=50)   # mod_proxy pools ThreadsPerChild backend connections
    c = connect(h, False)
    try:
        sids = list(range(1, 81, 2))
        streams = [WsStream(c, sid, "/ws/echo", False) for sid in sids]
        peers = {s.sid: s for s in streams}
        for s in streams:
            s.peers = peers
        deadline = time.monotonic() + 20
        while not all(s.headers is not None or s.rst is not None for s in streams):
            streams[0].pump(max(0.01, deadline - time.monotonic()))
        ok = [s for s in streams if s.headers is not None and s.rst is None]
        refused = [s for s in streams if s.rst is not None]
        assert len(ok) == FDS_PER_CONN // 2, (len(ok), [s.rst for s in refused])
        assert all(int(dict(s.headers)[":status"]) == 200 for s in ok)
        assert all(s.rst == w.REFUSED_STREAM for s in refused), [s.rst for s in refused]
        for s in ok[:2]:
            s.send(ws_echo.build("tunnel %d" % s.sid))
            assert s.recv_msg() == (True, ws_echo.OP_TEXT, b"tunnel %d" % s.sid)
        # another connection is served
        bystander_ok(h)
        # one tunnel ends: a retry of a refused stream gets its tunnel
        ok[0].send(b"", end_stream=True)
        ok[0].wait_end()
        # (the worker gives the descriptors back as it ends, maybe after END_STREAM)
        sid, deadline = 101, time.monotonic() + 10
        while True:
            retry = WsStream(c, sid, "/ws/echo", False)
            peers[sid] = retry
            retry.peers = peers
            while retry.headers is None and retry.rst is None:
                retry.pump(max(0.01, deadline - time.monotonic()))
            if retry.rst is None:
                break
            assert retry.rst == w.REFUSED_STREAM and time.monotonic() < deadline
            sid += 2
            time.sleep(0.05)  # polling for the worker's end, bounded by the deadline
        assert int(dict(retry.headers)[":status"]) == 200, retry.headers
        retry.send(ws_echo.build("retried"))
        assert retry.recv_msg() == (True, ws_echo.OP_TEXT, b"retried")
        assert c.goaway() is None
    finally:
        c.close()
    with open(h.error_log, errors="replace") as f:
        logged = [ln for ln in f if "MH200931" in ln]
    assert 1 <= len(logged) <= 2, logged
