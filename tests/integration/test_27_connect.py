# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""A plain CONNECT over HTTP/2 (RFC 9113 §8.5, issue 20): with mod_proxy_connect
(`ProxyRequests On`, `AllowCONNECT`) the stream is a TCP tunnel to the authority, bytes
move both ways and END_STREAM is the FIN; without a proxy the request gets the clean 405
httpd gives over HTTP/1.1, and the connection goes on."""
import socket
import threading
import time

import pytest

from h2client import Conn, DATA, HEADERS, RST_STREAM, END_STREAM


class Echo:
    """a TCP echo server on 127.0.0.1 (a free port); closes after the client's FIN"""

    def __init__(self):
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(8)
        self.port = self.ls.getsockname()[1]
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                a, _ = self.ls.accept()
            except OSError:
                return
            self.conns.append(a)
            threading.Thread(target=self._one, args=(a,), daemon=True).start()

    def _one(self, a):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                a.sendall(d)
        except OSError:
            pass
        a.close()

    def close(self):
        self.ls.close()
        for a in self.conns:
            try:
                a.close()
            except OSError:
                pass


@pytest.fixture
def echo():
    e = Echo()
    yield e
    e.close()


def _connect_fields(port):
    return [(":method", "CONNECT"), (":authority", "127.0.0.1:%d" % port)]


def _read_tunnel(c, sid, want, timeout=10):
    """(status, bytes, ended, rst) of stream sid until `want` bytes came or it ended"""
    status, data, ended, rst = None, b"", False, None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not ended and rst is None:
        if (want == 0 and status) or (want and len(data) >= want):
            break
        f = c.read_frame(timeout=max(0.1, deadline - time.monotonic()))
        if f.sid != sid:
            continue
        if f.type == HEADERS:
            status = dict(c._decode_block(f, None)).get(":status")
            ended = bool(f.flags & END_STREAM)
        elif f.type == DATA:
            data += f.payload
            ended = bool(f.flags & END_STREAM)
        elif f.type == RST_STREAM:
            rst = f.error_code
    return status, data, ended, rst


def test_connect_tunnel_through_mod_proxy_connect(make_httpd, echo):
    h = make_httpd("connect", modules=["proxy", "proxy_connect"],
                   extra="ProxyRequests On\nAllowCONNECT %d\n" % echo.port)
    c = Conn(h.http_port)
    c.handshake()
    c.send_headers(1, _connect_fields(echo.port), end_stream=False)
    status, data, ended, rst = _read_tunnel(c, 1, 0)
    assert status == "200" and rst is None and not ended, (status, data, ended, rst)
    c.send_data(1, b"hello tunnel")
    status, data, ended, rst = _read_tunnel(c, 1, 12)
    assert data == b"hello tunnel" and rst is None
    big = bytes(range(256)) * 200          # 51200 bytes: several DATA frames
    for i in range(0, len(big), 16000):
        c.send_data(1, big[i:i + 16000])
    _, data, ended, rst = _read_tunnel(c, 1, len(big))
    assert data == big and rst is None
    # END_STREAM is the client's FIN: the echo server closes, the stream ends cleanly
    c.send_data(1, b"bye", end_stream=True)
    _, data, ended, rst = _read_tunnel(c, 1, 10 ** 6)
    # half-close (§8.5: END_STREAM is a FIN): the answer to what came before the FIN
    # still comes back, then the backend's close ends the stream
    assert data == b"bye" and ended, (data, ended, rst)
    assert rst in (None, 0), rst
    # the connection serves another stream
    c.request(3, "/1k.txt")
    hh, body, _, rst = c.read_response(3, timeout=10)
    assert dict(hh)[":status"] == "200" and len(body) == 1024
    c.close()


def test_connect_without_proxy_is_405(make_httpd):
    h = make_httpd("connect-none")
    c = Conn(h.http_port)
    c.handshake()
    c.send_headers(1, _connect_fields(9), end_stream=False)
    hh, body, _, rst = c.read_response(1, timeout=10)
    fields = dict(hh)
    assert fields[":status"] == "405", fields
    assert "GET" in fields.get("allow", "")
    c.request(3, "/1k.txt")
    hh, body, _, rst = c.read_response(3, timeout=10)
    assert dict(hh)[":status"] == "200" and len(body) == 1024
    c.close()
