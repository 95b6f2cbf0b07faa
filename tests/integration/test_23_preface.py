# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""The client preface on a cleartext port with H2Direct (RFC 9113 §3.3, §3.4).

A connection that starts like the preface ("PRI * HTTP/2.0", which no HTTP/1.x request
line does) and then deviates is a connection error PROTOCOL_ERROR: SETTINGS, GOAWAY, close,
however the bytes are split across TCP segments. Input that leaves the preface earlier is
HTTP/1.x, also when it arrives one byte at a time."""
import socket
import time

import pytest

import h2client as w
from h2client import Closed

BROKEN = b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n" + w.frame(w.SETTINGS, 0, 0)
DEVIATES_AT = 18            # BROKEN[:18] is still a prefix of the preface
COMMITTED = len(b"PRI * HTTP/2.0")
QUIET = 0.05                # how long a partial preface must stay unanswered


def _expect_silence(c, secs=QUIET):
    """The server neither answers nor closes while the input is still a preface prefix."""
    with pytest.raises(TimeoutError):
        c.read_frame(timeout=secs)


def _expect_goaway_protocol_error(c):
    g = c.expect_conn_error(w.PROTOCOL_ERROR, timeout=5)
    assert g.last_stream_id == 0, g
    # the server preface came first (§3.4): a SETTINGS frame before the GOAWAY
    assert c.frames[0].type == w.SETTINGS, c.frames


@pytest.mark.parametrize("split", range(1, len(BROKEN)))
def test_broken_preface_split_at_every_byte(httpd, split):
    c = w.Conn(httpd.http_port)
    try:
        c.send(BROKEN[:split])
        if split <= DEVIATES_AT:
            _expect_silence(c)
        c.send(BROKEN[split:])
        _expect_goaway_protocol_error(c)
    finally:
        c.close()


def test_broken_preface_one_byte_per_segment(httpd):
    c = w.Conn(httpd.http_port)
    try:
        for i in range(DEVIATES_AT + 1):
            c.send(BROKEN[i:i + 1])
        _expect_goaway_protocol_error(c)
    finally:
        c.close()


@pytest.mark.parametrize("at", range(COMMITTED, len(w.PREFACE)))
def test_preface_deviating_after_commit_point(httpd, at):
    bad = bytearray(w.PREFACE)
    bad[at] ^= 0x20
    c = w.Conn(httpd.http_port)
    try:
        c.send(bytes(bad) + w.frame(w.SETTINGS, 0, 0))
        _expect_goaway_protocol_error(c)
    finally:
        c.close()


def test_preface_closed_midway_gets_goaway(httpd):
    """The client sends "PRI * HTTP/2.0\\r\\n" and half-closes: still a broken preface."""
    c = w.Conn(httpd.http_port)
    try:
        c.send(w.PREFACE[:16])
        c.sock.shutdown(socket.SHUT_WR)
        _expect_goaway_protocol_error(c)
    finally:
        c.close()


def _http1_status(sock, deadline):
    data = b""
    while b"\r\n" not in data and time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0]


@pytest.mark.parametrize("req", [b"GET /1k.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
                                 b"PRI /1k.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"])
def test_http1_one_byte_per_segment_is_not_taken_for_h2(httpd, req):
    """A slow HTTP/1.1 client: the first bytes match the preface ("P", "PRI "), yet nothing
    is consumed while waiting, so the request reaches HTTP/1.1 intact."""
    s = socket.create_connection(("127.0.0.1", httpd.http_port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        for i in range(len(req)):
            s.sendall(req[i:i + 1])
        status = _http1_status(s, time.monotonic() + 5)
        if req.startswith(b"GET"):
            assert status == b"HTTP/1.1 200 OK", status
        else:
            # an unknown method: whatever HTTP/1.1 answers, it is HTTP/1.1, not a GOAWAY
            assert status.startswith(b"HTTP/1.1 "), status
    finally:
        s.close()


@pytest.mark.parametrize("split", [1, 5, 13, 14, 16, 23, 24, 30])
def test_valid_preface_split_works(httpd, split):
    data = w.PREFACE + w.frame(w.SETTINGS, 0, 0)
    c = w.Conn(httpd.http_port)
    try:
        c.send(data[:split])
        c.send(data[split:])
        c.request(1, "/1k.txt")
        headers, body, _, rst = c.read_response(1, timeout=5)
        assert rst is None and dict(headers)[":status"] == "200" and len(body) == 1024
    finally:
        c.close()


def test_short_prefix_then_other_bytes_is_http1(httpd):
    """Deviating before "PRI * HTTP/2.0" is complete: an HTTP/1.x request, answered as such
    (not a GOAWAY)."""
    s = socket.create_connection(("127.0.0.1", httpd.http_port), timeout=5)
    try:
        s.sendall(b"PRI * HTTP/1.1\r\nHost: localhost\r\n\r\n")
        status = _http1_status(s, time.monotonic() + 5)
        assert status.startswith(b"HTTP/1.1 4"), status
    finally:
        s.close()


def test_broken_preface_over_tls_alpn(httpd):
    """Over TLS with ALPN h2 the engine checks the preface: GOAWAY(PROTOCOL_ERROR) too."""
    c = w.Conn(httpd.https_port, tls=True)
    try:
        assert c.alpn == "h2"
        c.send(BROKEN)
        _expect_goaway_protocol_error(c)
    finally:
        c.close()


def test_no_goaway_after_close_does_not_linger(httpd):
    """After the GOAWAY the server closes: the connection does not stay open."""
    c = w.Conn(httpd.http_port)
    try:
        c.send(BROKEN)
        _expect_goaway_protocol_error(c)
        with pytest.raises(Closed):
            c.read_frame(timeout=2)
    finally:
        c.close()
