# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Many connections and load shedding (issue 8): thousands of idle h2c and hundreds of
idle TLS connections then a request on each, a burst larger than the MPM's threads, and
the h2 idle timeout. The rule checked everywhere: a connection the server closes gets a
GOAWAY first (no silent close), and connections the client keeps are all answered.

`Swarm` is a small raw HTTP/2 (and HTTP/1.1) client over non-blocking sockets and one
selector, so that thousands of connections cost little in Python. It only understands
what these tests need: the handshake, one request per connection, SETTINGS/PING ACKs,
GOAWAY, RST_STREAM, the response's END_STREAM. tests/bench/bench_idle_mem.py uses it too.
"""
import os
import resource
import selectors
import socket
import ssl
import struct
import time

import hpack
import pytest

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = 0, 1, 3, 4, 6, 7, 8
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + struct.pack(">BBI", ftype, flags, sid) + payload


def raise_nofile(want):
    """Raise our descriptor limit (like `ulimit -n`); returns what we have."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


class MConn:
    """One connection of a Swarm. state: connecting, tls, h2wait, h1wait, idle, request,
    done (answered), closed."""
    __slots__ = ("sock", "kind", "state", "out", "inbuf", "got_settings", "got_ack",
                 "goaway", "goaway_before_eof", "eof", "status", "rst", "sid", "decoder",
                 "h1_need", "error", "frames", "answered", "port")

    def __init__(self, sock, kind):
        self.sock, self.kind, self.state = sock, kind, "connecting"
        self.out, self.inbuf = bytearray(), bytearray()
        self.got_settings = self.got_ack = False
        self.goaway = None            # (last_stream_id, error_code) of the last GOAWAY
        self.goaway_before_eof = False
        self.eof = False
        self.status = None            # :status of the response
        self.rst = None
        self.sid = 0
        self.decoder = None
        self.h1_need = None
        self.error = None
        self.frames = 0
        self.answered = False         # the response ended (END_STREAM or a whole HTTP/1.1 body)
        self.port = None              # our local port (to find the connection in the log)


class Swarm:
    """N connections to 127.0.0.1:port of one kind: "h2c", "h2" (TLS, ALPN h2), "h1"
    (HTTP/1.1 keep-alive, cleartext) or "h1s" (HTTP/1.1 keep-alive over TLS, ALPN
    http/1.1). Every wait is bounded by a deadline."""

    def __init__(self, port, kind, host="localhost"):
        self.port, self.kind, self.host = port, kind, host
        self.sel = selectors.DefaultSelector()
        self.conns = []
        self.ctx = None
        self.tls = kind in ("h2", "h1s")
        self.alpn = "h2" if kind == "h2" else "http/1.1"
        self.h1 = kind in ("h1", "h1s")
        if self.tls:
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            self.ctx.check_hostname = False
            self.ctx.verify_mode = ssl.CERT_NONE
            self.ctx.set_alpn_protocols([self.alpn])
        self.h1_request = ("GET /1k.txt HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode()

    # ---- set-up
    def open(self, n, timeout=60.0, max_pending=128):
        """Open n connections (at most max_pending handshakes at a time) and wait until
        each is idle (h2: both SETTINGS acknowledged; h1: one response read) or closed.
        Returns the number of idle connections."""
        deadline = time.monotonic() + timeout
        started = 0
        while time.monotonic() < deadline:
            pending = sum(1 for c in self.conns if c.state in ("connecting", "tls", "h2wait", "h1wait"))
            while started < n and pending < max_pending:
                self._start_one()
                started += 1
                pending += 1
            if started >= n and pending == 0:
                break
            self._poll(0.2)
        return self.count("idle")

    def _start_one(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c = MConn(s, self.kind)
        self.conns.append(c)
        err = s.connect_ex(("127.0.0.1", self.port))
        if err not in (0, 115, 11):  # EINPROGRESS, EAGAIN
            c.state, c.error = "closed", "connect: %s" % os.strerror(err)
            s.close()
            return
        self.sel.register(s, selectors.EVENT_WRITE, c)

    def _connected(self, c):
        err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self._close(c, "connect: %s" % os.strerror(err))
            return
        c.port = c.sock.getsockname()[1]
        if self.tls:
            self.sel.unregister(c.sock)
            c.sock = self.ctx.wrap_socket(c.sock, server_hostname=self.host,
                                          do_handshake_on_connect=False)
            self.sel.register(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
            c.state = "tls"
            self._handshake(c)
        else:
            self._begin(c)

    def _handshake(self, c):
        try:
            c.sock.do_handshake()
        except ssl.SSLWantReadError:
            self.sel.modify(c.sock, selectors.EVENT_READ, c)
            return
        except ssl.SSLWantWriteError:
            self.sel.modify(c.sock, selectors.EVENT_WRITE, c)
            return
        except (ssl.SSLError, OSError) as e:
            self._close(c, "tls: %s" % e)
            return
        if c.sock.selected_alpn_protocol() != self.alpn:
            self._close(c, "ALPN %r" % c.sock.selected_alpn_protocol())
            return
        self._begin(c)

    def _begin(self, c):
        if self.h1:
            c.state = "h1wait"
            self._send(c, self.h1_request)
        else:
            c.state = "h2wait"
            c.decoder = hpack.Decoder()
            self._send(c, PREFACE + frame(SETTINGS, 0, 0))
        self._want(c)

    # ---- requests
    def request_all(self, path="/1k.txt", timeout=60.0, which=None):
        """Send one GET on every idle connection (or on `which`) at once, then wait until
        each is answered or closed. Returns the list of connections asked."""
        asked = [c for c in (which or self.conns) if c.state == "idle"]
        for c in asked:
            self._send_request(c, path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(c.state == "request" for c in asked):
            self._poll(0.2)
        return asked

    def _send_request(self, c, path):
        c.state = "request"
        if self.h1:
            c.status, c.h1_need = None, None
            self._send(c, ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, self.host)).encode())
        else:
            c.sid += 2 if c.sid else 1
            block = hpack.Encoder().encode([(":method", "GET"),
                                            (":scheme", "https" if self.kind == "h2" else "http"),
                                            (":path", path), (":authority", self.host)])
            if c.sid > 1:
                raise AssertionError("Swarm sends one request per connection")
            self._send(c, frame(HEADERS, END_STREAM | END_HEADERS, c.sid, block))
        self._want(c)

    # ---- waiting
    def wait(self, pred, timeout):
        """Poll until pred() or the deadline; returns pred()."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not pred():
            self._poll(0.2)
        return pred()

    def count(self, state):
        return sum(1 for c in self.conns if c.state == state)

    def close_all(self):
        for c in self.conns:
            if c.state != "closed":
                try:
                    self.sel.unregister(c.sock)
                except (KeyError, ValueError):
                    pass
                c.sock.close()
                c.state = "closed"
        self.sel.close()

    # ---- event loop
    def _poll(self, timeout):
        for key, ev in self.sel.select(timeout):
            c = key.data
            if c.state == "closed":
                continue
            if c.state == "connecting":
                self._connected(c)
                continue
            if c.state == "tls":
                self._handshake(c)
                continue
            if ev & selectors.EVENT_WRITE:
                self._flush(c)
            if ev & selectors.EVENT_READ and c.state != "closed":
                self._read(c)

    def _want(self, c):
        if c.state == "closed":
            return
        ev = selectors.EVENT_READ | (selectors.EVENT_WRITE if c.out else 0)
        self.sel.modify(c.sock, ev, c)

    def _send(self, c, data):
        c.out += data
        self._flush(c)

    def _flush(self, c):
        while c.out:
            try:
                n = c.sock.send(c.out)
            except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                break
            except (OSError, ssl.SSLError):
                self._eof(c)
                return
            del c.out[:n]
        self._want(c)

    def _read(self, c):
        for _ in range(64):
            try:
                data = c.sock.recv(65536)
            except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                return
            except (OSError, ssl.SSLError):
                data = b""
            if not data:
                self._eof(c)
                return
            c.inbuf += data
            if self.h1:
                self._h1_input(c)
            else:
                self._h2_input(c)
            if c.state == "closed":
                return

    def _eof(self, c):
        self._close(c, None)

    def _close(self, c, error):
        if c.state == "closed":
            return
        c.eof = True
        c.error = c.error or error
        c.goaway_before_eof = c.goaway is not None
        try:
            self.sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()
        c.state = "closed"

    def _h1_input(self, c):
        if c.h1_need is None:
            end = c.inbuf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(c.inbuf[:end]).decode("latin-1").split("\r\n")
            c.status = int(head[0].split()[1])
            length = 0
            for line in head[1:]:
                k, _, v = line.partition(":")
                if k.strip().lower() == "content-length":
                    length = int(v)
            del c.inbuf[:end + 4]
            c.h1_need = length
        if len(c.inbuf) >= c.h1_need:
            del c.inbuf[:c.h1_need]
            c.h1_need = None
            if c.state == "request":
                c.answered = True
            c.state = "idle" if c.state == "h1wait" else "done"

    def _h2_input(self, c):
        buf = c.inbuf
        while len(buf) >= 9:
            n = int.from_bytes(buf[0:3], "big")
            if len(buf) < 9 + n:
                break
            ftype, flags = buf[3], buf[4]
            sid = int.from_bytes(buf[5:9], "big") & 0x7fffffff
            payload = bytes(buf[9:9 + n])
            del buf[:9 + n]
            c.frames += 1
            if ftype == SETTINGS:
                if flags & ACK:
                    c.got_ack = True
                else:
                    c.got_settings = True
                    self._send(c, frame(SETTINGS, ACK, 0))
            elif ftype == PING and not flags & ACK:
                self._send(c, frame(PING, ACK, 0, payload))
            elif ftype == GOAWAY:
                # the last one counts (a graceful shutdown sends 2^31-1 first)
                last, code = struct.unpack(">II", payload[:8])
                c.goaway = (last & 0x7fffffff, code)
            elif ftype == HEADERS and sid == c.sid and sid:
                block = payload
                if flags & PADDED:
                    block = block[1:len(block) - block[0]]
                if flags & PRIORITY_FLAG:
                    block = block[5:]
                fields = dict(c.decoder.decode(block, raw=False))
                if c.status is None or c.status < 200:
                    c.status = int(fields.get(":status", "0"))
                if flags & END_STREAM:
                    c.state, c.answered = "done", True
            elif ftype == DATA and sid == c.sid and sid:
                if n:
                    self._send(c, frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", n)))
                    if not flags & END_STREAM:
                        self._send(c, frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", n)))
                if flags & END_STREAM:
                    c.state, c.answered = "done", True
            elif ftype == RST_STREAM and sid == c.sid and sid:
                c.rst = struct.unpack(">I", payload[:4])[0]
                c.state = "done"
            if c.state == "h2wait" and c.got_settings and c.got_ack:
                c.state = "idle"


def outcome(conns):
    """Counts of what happened to the connections asked: answered (2xx, whatever happened
    to the connection afterwards), goaway (closed after a GOAWAY, unanswered), silent
    (closed without GOAWAY), pending (no answer in time)."""
    res = {"answered": 0, "goaway": 0, "silent": 0, "pending": 0, "other": 0}
    for c in conns:
        if c.answered and c.status and 200 <= c.status < 300 and c.rst is None:
            res["answered"] += 1
        elif c.state == "closed" and c.goaway_before_eof:
            res["goaway"] += 1
        elif c.state == "closed":
            res["silent"] += 1
        elif c.state == "request":
            res["pending"] += 1
        else:
            res["other"] += 1
    return res


# ---- tests ------------------------------------------------------------------------------

NOFILE = 12000
NAP_CGI = "#!/bin/sh\nsleep 0.1\nprintf 'Content-Type: text/plain\\r\\n\\r\\nnap\\n'\n"


def _many_httpd(make_httpd, threads, extra="", start=True):
    raise_nofile(NOFILE)
    return make_httpd("many", threads=threads, nofile=NOFILE, start=start,
                      log_level=os.environ.get("H2_TEST_LOGLEVEL", "info"),
                      extra="AsyncRequestWorkerFactor 200\nListenBacklog 4096\n"
                            "H2MaxWorkers 16\nTimeout 60\n" + extra)


def test_71_idle_h2c_then_request_each(make_httpd):
    """2,000 idle h2c connections (preface and SETTINGS exchanged), then one GET on each at
    once with 25 MPM threads: every one is answered."""
    h = _many_httpd(make_httpd, threads=25)
    sw = Swarm(h.http_port, "h2c")
    try:
        n = 2000
        idle = sw.open(n, timeout=60)
        assert idle == n, "only %d of %d h2c connections set up (%r)" % (
            idle, n, {c.error for c in sw.conns if c.error})
        asked = sw.request_all("/1k.txt", timeout=60)
        res = outcome(asked)
        assert res["answered"] == n, "%r\n%s" % (res, h.log_tail(10))
        # and they stay open: nothing sheds the answered, idle again, connections
        assert not sw.wait(lambda: sw.count("closed") > 0, 1.0), \
            "%d answered connections closed by the server" % sw.count("closed")
    finally:
        sw.close_all()


def test_71_idle_tls_then_request_each(make_httpd):
    """300 idle h2 connections over TLS, then one GET on each at once: all answered."""
    h = _many_httpd(make_httpd, threads=25)
    sw = Swarm(h.https_port, "h2")
    try:
        n = 300
        idle = sw.open(n, timeout=60, max_pending=32)
        assert idle == n, "only %d of %d TLS connections set up (%r)" % (
            idle, n, {c.error for c in sw.conns if c.error})
        asked = sw.request_all("/1k.txt", timeout=60)
        res = outcome(asked)
        assert res["answered"] == n, "%r\n%s" % (res, h.log_tail(10))
        # and they stay open: nothing sheds the answered, idle again, connections
        assert not sw.wait(lambda: sw.count("closed") > 0, 1.0), \
            "%d answered connections closed by the server" % sw.count("closed")
    finally:
        sw.close_all()


def test_71_burst_past_threads(make_httpd):
    """500 connections send a request at once to a server with 25 MPM threads, each
    response taking 0.1 s: every connection is answered, or closed after a GOAWAY (then
    its stream must be above the GOAWAY's last-stream-id, so a retry is safe)."""
    h = _many_httpd(make_httpd, threads=25, start=False)
    p = os.path.join(h.root, "cgi-bin", "nap.sh")
    with open(p, "w") as f:
        f.write(NAP_CGI)
    os.chmod(p, 0o755)
    h.start()
    sw = Swarm(h.http_port, "h2c")
    try:
        n = 500
        assert sw.open(n, timeout=60) == n
        asked = sw.request_all("/cgi-bin/nap.sh", timeout=90)
        res = outcome(asked)
        assert res["silent"] == 0 and res["pending"] == 0 and res["other"] == 0, \
            "%r\n%s" % (res, h.log_tail(10))
        for c in asked:
            if not c.answered:
                assert c.goaway[0] < c.sid, \
                    "GOAWAY last-stream-id %d covers the unanswered stream %d" % (c.goaway[0], c.sid)
        assert res["answered"] + res["goaway"] == n
        assert res["answered"] >= n // 2, res
    finally:
        sw.close_all()


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_71_idle_timeout_goaway(make_httpd, tls):
    """A connection idle past the h2 idle timeout gets GOAWAY(NO_ERROR) and then EOF;
    its last-stream-id is the last stream the server processed."""
    from h2client import Conn, Closed, GOAWAY as W_GOAWAY, NO_ERROR
    h = make_httpd("idle", log_level="info", extra="Timeout 2\nKeepAliveTimeout 2\n")
    c = Conn(h.https_port if tls else h.http_port, tls=tls, timeout=5)
    try:
        c.handshake()
        c.request(1, "/1k.txt")
        hdrs, body, _, rst = c.read_response(1)
        assert dict(hdrs)[":status"] == "200" and len(body) == 1024 and rst is None
        start = time.monotonic()
        goaway = None
        deadline = start + 15
        while time.monotonic() < deadline:
            try:
                f = c.read_frame(timeout=max(0.1, deadline - time.monotonic()))
            except Closed:
                break
            if f.type == W_GOAWAY and goaway is None:
                goaway = f
        else:
            raise AssertionError("not closed within 15 s")
        assert goaway is not None, "closed without GOAWAY after %.1f s; frames %r" % (
            time.monotonic() - start, c.frames[-5:])
        assert goaway.error_code == NO_ERROR and goaway.last_stream_id == 1, goaway
        assert c.eof
        assert time.monotonic() - start >= 1.0, "closed before the idle timeout"
    finally:
        c.close()


def _children(h):
    """pids of the httpd parent's children (MPM children and mod_cgid's daemon)."""
    ppid, out = h.pid(), set()
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[1] == str(ppid):
                    out.add(int(pid))
        except (OSError, IndexError, ValueError):
            pass
    return out


def _final_goaway(c):
    return c.goaway is not None and c.goaway[0] != 0x7fffffff


@pytest.mark.parametrize("how", ["graceful", "stop"])
def test_71_stop_idle_goaway(make_httpd, how):
    """Idle connections parked in the MPM when httpd restarts gracefully or stops: each
    gets its final GOAWAY(NO_ERROR, 0) at once (not after the MPM's Timeout) and then
    the close; on a graceful restart the server ends the stream behind the GOAWAY, so the
    old child is gone without waiting for the clients (issue 18: before, a client that
    kept its idle connection held the old child until the MPM's Timeout)."""
    h = _many_httpd(make_httpd, threads=25, extra="Timeout 30\n")
    plain, tls = Swarm(h.http_port, "h2c"), Swarm(h.https_port, "h2")
    try:
        assert plain.open(200, timeout=60) == 200
        assert tls.open(50, timeout=60, max_pending=16) == 50
        old = _children(h)
        start = time.monotonic()
        if how == "graceful":
            h.graceful()
        else:
            h.stop()
        conns = plain.conns + tls.conns

        def done():
            plain._poll(0)
            return all(c.state == "closed" for c in conns)
        # well before the MPM's Timeout (30 s) would have closed them
        assert tls.wait(done, 20), "after %s: %d without GOAWAY, %d open" % (
            how, sum(1 for c in conns if not _final_goaway(c)),
            sum(1 for c in conns if c.state != "closed"))
        assert time.monotonic() - start < 20
        for c in conns:
            # no stream was opened: the final GOAWAY says so, with NO_ERROR
            assert c.goaway == (0, 0), c.goaway
            if c.state == "closed":
                assert c.goaway_before_eof, "closed without GOAWAY"
        if how == "graceful":
            # the clients still hold their sockets: the old child leaves all the same
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and old & _children(h):
                time.sleep(0.05)  # polling for process exit, bounded by the deadline
            assert not old & _children(h), "old children still there after the GOAWAYs"
    finally:
        plain.close_all()
        tls.close_all()


def test_71_graceful_during_burst(make_httpd):
    """Requests arrive on 200 idle connections while httpd restarts gracefully: each is
    answered, or its connection's final GOAWAY has a last-stream-id below it (safe to
    retry); no connection is closed without GOAWAY."""
    h = _many_httpd(make_httpd, threads=25, start=False)
    p = os.path.join(h.root, "cgi-bin", "nap.sh")
    with open(p, "w") as f:
        f.write(NAP_CGI)
    os.chmod(p, 0o755)
    h.start()
    sw = Swarm(h.http_port, "h2c")
    try:
        n = 200
        assert sw.open(n, timeout=60) == n
        asked = [c for c in sw.conns if c.state == "idle"]
        for c in asked:
            sw._send_request(c, "/cgi-bin/nap.sh")
        h.graceful()

        def settled(c):
            return _final_goaway(c) and (c.answered or c.goaway[0] < c.sid or c.state == "closed")
        assert sw.wait(lambda: all(settled(c) for c in asked), 30), \
            (outcome(asked), sum(1 for c in asked if not _final_goaway(c)))
        res = outcome(asked)
        assert res["silent"] == 0 and res["other"] == 0, res
        for c in asked:
            if c.state == "closed":
                assert c.goaway_before_eof, "closed without GOAWAY"
            if not c.answered:
                assert c.goaway[0] < c.sid, (
                    "GOAWAY last-stream-id %d covers the unanswered stream %d (port %d, "
                    "status %r, %d frames, %r)" % (c.goaway[0], c.sid, c.port, c.status,
                                                   c.frames, c.error))
            else:
                assert c.goaway[0] >= c.sid, "answered stream above the GOAWAY's last id"
    finally:
        sw.close_all()
