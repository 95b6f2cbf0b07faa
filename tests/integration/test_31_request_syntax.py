# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Request pseudo-header syntax over the wire (issue 17 rows 3 and 8).

Row 3: a :method that is not a token (RFC 9110 §5.6.2) would reach a proxied backend's
HTTP/1.1 request line as more than a method ("GET /admin?" with :path /public becomes
"GET /admin? /public HTTP/1.1": request smuggling, access-control bypass). Such a request
is malformed (RFC 9113 §8.3.1): RST_STREAM(PROTOCOL_ERROR), the connection lives on, and the
backend never sees it.

Row 8: a header list over the limits (answered 431) is still checked as far as it was
decoded: a malformed one is RST_STREAM(PROTOCOL_ERROR), a well-formed one gets its 431 and
nothing else (no WebSocket tunnel is set up for it: the glue's debug line MH200900 counts
the tunnels).
"""
import os
import socket
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import h2conf  # noqa: E402
import h2client as w  # noqa: E402


class LineBackend:
    """An HTTP/1.1 origin on 127.0.0.1 that records the request line of every request and
    answers each with 200 "ok" (keep-alive; requests without a body)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.lines = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def stop(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def seen(self):
        with self.lock:
            return list(self.lines)

    def wait_line(self, text, timeout=10):
        """Poll until a request line containing text was recorded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in ln for ln in self.seen()):
                return True
            time.sleep(0.02)  # polling a condition, bounded by the deadline
        return False

    def _accept_loop(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        buf = b""
        try:
            c.settimeout(30)
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = c.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head, buf = buf.split(b"\r\n\r\n", 1)
                with self.lock:
                    self.lines.append(head.split(b"\r\n", 1)[0].decode("latin-1"))
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                          b"Content-Length: 3\r\n\r\nok\n")
        except OSError:
            pass
        finally:
            c.close()


@pytest.fixture(scope="module")
def backend():
    b = LineBackend()
    yield b
    b.stop()


@pytest.fixture(scope="module")
def proxy_httpd(make_module_httpd, backend):
    return make_module_httpd("reqsyntax", extra="ProxyPass /p/ http://127.0.0.1:%d/\n"
                                                % backend.port)


def connect(h):
    c = w.Conn(h.http_port, timeout=10)
    c.handshake()
    return c


def fields(method="GET", path="/p/public", scheme="http", authority="localhost", extra=()):
    return [(":method", method), (":scheme", scheme), (":authority", authority),
            (":path", path)] + list(extra)


# ---------------------------------------------------------------------------------------
# row 3: :method must be a token

@pytest.mark.parametrize("method", ["GET /admin?", "", "G:ET", "GE\tT", "GET /admin HTTP/1.1\r"])
def test_method_not_token_is_reset_never_proxied(proxy_httpd, backend, method):
    c = connect(proxy_httpd)
    tag = "tok%d" % time.monotonic_ns()
    # byte-exact literals (no validation on our side)
    c.send(c.headers(1, fields(method=method, path="/p/public?" + tag)))
    c.expect_stream_error(1, w.PROTOCOL_ERROR)
    # another stream on the same connection: served (through the same proxy)
    c.send(c.headers(3, fields(path="/p/ok?" + tag)))
    headers, body, _, rst = c.read_response(3)
    assert rst is None and dict(headers)[":status"] == "200" and body == b"ok\n"
    assert c.goaway() is None
    c.close()
    assert backend.wait_line("/ok?" + tag)
    bad = [ln for ln in backend.seen() if "/public?" + tag in ln]
    assert not bad, "backend saw: %r" % bad


@pytest.mark.parametrize("method", ["PROPFIND", "M-SEARCH"])
def test_custom_token_method_proxied(proxy_httpd, backend, method):
    c = connect(proxy_httpd)
    tag = "custom%d" % time.monotonic_ns()
    c.send(c.headers(1, fields(method=method, path="/p/x?" + tag)))
    headers, body, _, rst = c.read_response(1)
    assert rst is None and dict(headers)[":status"] == "200"
    c.close()
    assert backend.wait_line("/x?" + tag)
    assert "%s /x?%s HTTP/1.1" % (method, tag) in backend.seen()


@pytest.mark.parametrize("name,value", [(":scheme", "ht tp"), (":path", "/p/a b"),
                                        (":path", "p/relative"), (":authority", "a b"),
                                        (":authority", "user@localhost"),
                                        (":authority", "localhost/x")])
def test_bad_target_pseudo_header_is_reset(proxy_httpd, backend, name, value):
    c = connect(proxy_httpd)
    tag = "tgt%d" % time.monotonic_ns()
    f = dict(fields(path="/p/t?" + tag))
    f[name] = value if name != ":path" else value + "?" + tag
    c.send(c.headers(1, list(f.items())))
    c.expect_stream_error(1, w.PROTOCOL_ERROR)
    c.send(c.headers(3, fields(path="/p/ok?" + tag)))
    headers, _, _, rst = c.read_response(3)
    assert rst is None and dict(headers)[":status"] == "200"
    c.close()
    assert backend.wait_line("/ok?" + tag)
    assert not [ln for ln in backend.seen() if "/t?" + tag in ln or " b?" + tag in ln]


# ---------------------------------------------------------------------------------------
# row 8: a header list over the limits (65536 octets with LimitRequestFieldSize 8190)

PAD = [("x-pad-%d" % i, "p" * 7000) for i in range(10)]   # ~70 KB


def send_block(c, sid, hb, end_stream):
    """One header block over HEADERS + CONTINUATIONs of 16384 octets."""
    parts = [hb[i:i + 16384] for i in range(0, len(hb), 16384)]
    out = w.frame(w.HEADERS, (w.END_STREAM if end_stream else 0)
                  | (w.END_HEADERS if len(parts) == 1 else 0), sid, parts[0])
    for j, p in enumerate(parts[1:], 1):
        out += w.frame(w.CONTINUATION, w.END_HEADERS if j == len(parts) - 1 else 0, sid, p)
    c.send(out)


def ws_fields(path="/ws/x", extra=()):
    return [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"),
            (":path", path), (":authority", "localhost"),
            ("sec-websocket-version", "13")] + list(extra)


def tunnels(h, sid):
    """the glue's debug lines saying a tunnel was set up for stream sid"""
    try:
        with open(h.error_log, errors="replace") as f:
            return [ln for ln in f if "MH200900" in ln and "stream %d:" % sid in ln]
    except OSError:
        return []


def wait_tunnel(h, sid, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tunnels(h, sid):
            return True
        time.sleep(0.05)  # polling a condition, bounded by the deadline
    return False


def served(c, sid, path="/1k.txt"):
    c.send(c.headers(sid, fields(path=path)))
    headers, body, _, rst = c.read_response(sid)
    return rst is None and dict(headers)[":status"] == "200" and len(body) == 1024


@pytest.mark.parametrize("ws_on", [False, True])
def test_oversized_block_protocol(make_httpd, ws_on):
    h = make_httpd("oversized-ws", log_level="info h2:debug",
                   extra="H2WebSockets %s\n" % ("on" if ws_on else "off"))
    c = connect(h)
    if ws_on:
        # positive control: a well-formed extended CONNECT gets its tunnel (and the line)
        c.send(c.headers(1, ws_fields()))
        assert wait_tunnel(h, 1), h.log_tail()
    send_block(c, 3, w.block(ws_fields(extra=PAD)), end_stream=False)
    if ws_on:
        # well-formed but too large: 431, and nothing else
        headers, _, _, rst = c.read_response(3)
        assert rst is None and dict(headers)[":status"] == "431", (headers, rst)
    else:
        # :protocol without SETTINGS_ENABLE_CONNECT_PROTOCOL: malformed, however large
        c.expect_stream_error(3, w.PROTOCOL_ERROR)
    assert served(c, 5)
    assert c.goaway() is None
    c.close()
    assert h.access_lines("/1k.txt")
    assert not tunnels(h, 3), tunnels(h, 3)


@pytest.mark.parametrize("ws_on", [False, True])
def test_oversized_block_protocol_without_connect(make_httpd, ws_on):
    h = make_httpd("oversized-get", log_level="info h2:debug",
                   extra="H2WebSockets %s\n" % ("on" if ws_on else "off"))
    c = connect(h)
    f = [(":method", "GET")] + ws_fields(extra=PAD)[1:]
    send_block(c, 1, w.block(f), end_stream=True)
    c.expect_stream_error(1, w.PROTOCOL_ERROR)
    assert served(c, 3)
    assert c.goaway() is None
    c.close()
    assert h.access_lines("/1k.txt")
    assert not tunnels(h, 1), tunnels(h, 1)


def test_oversized_block_relative_path(httpd):
    c = connect(httpd)
    send_block(c, 1, w.block(fields(path="1k.txt", extra=PAD)), end_stream=True)
    c.expect_stream_error(1, w.PROTOCOL_ERROR)
    assert served(c, 3)
    assert c.goaway() is None
    c.close()


def test_oversized_block_well_formed_is_431(httpd):
    c = connect(httpd)
    send_block(c, 1, w.block(fields(path="/1k.txt", extra=PAD)), end_stream=True)
    headers, _, _, rst = c.read_response(1)
    assert rst is None and dict(headers)[":status"] == "431", (headers, rst)
    assert served(c, 3)
    assert c.goaway() is None
    c.close()
