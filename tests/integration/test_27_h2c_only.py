# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""A vhost whose Protocols allow h2c but not http/1.1 (issue 20): anything but the client
preface is a connection error (RFC 9113 §3.4): SETTINGS + GOAWAY(PROTOCOL_ERROR), never
an HTTP/1.1 answer. The same vhost serves h2c by prior knowledge; others keep HTTP/1.1."""
import http.client
import socket

import pytest

from h2client import Conn, GOAWAY, SETTINGS, ACK
from h2conf import free_port

PROTOCOL_ERROR = 0x1


@pytest.fixture(scope="module")
def srv(make_module_httpd):
    port = free_port()
    h = make_module_httpd("h2conly", vhosts="""
Listen 127.0.0.1:%d
<VirtualHost 127.0.0.1:%d>
    ServerName localhost
    Protocols h2c
</VirtualHost>
""" % (port, port))
    h.h2c_only_port = port
    return h


def _frames_after(srv, data):
    s = socket.create_connection(("127.0.0.1", srv.h2c_only_port), timeout=10)
    s.sendall(data)
    c = Conn.from_socket(s, timeout=10, strict=False)
    frames = []
    while True:
        try:
            f = c.read_frame(timeout=10)
        except Exception:          # the server closes after its GOAWAY
            break
        frames.append(f)
        if f.type == GOAWAY:
            break
    s.close()
    return frames


@pytest.mark.parametrize("data", [
    b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /",                                      # less than a request line
    b"OPTIONS * HTTP/1.0\r\n\r\n",
])
def test_http1_on_h2c_only_vhost_gets_goaway(srv, data):
    frames = _frames_after(srv, data)
    assert frames, "no frame: the server answered something that is not HTTP/2"
    assert frames[0].type == SETTINGS and not frames[0].flags & ACK, frames
    assert frames[-1].type == GOAWAY, frames
    assert frames[-1].error_code == PROTOCOL_ERROR
    assert frames[-1].last_stream_id == 0


def test_h2c_only_vhost_serves_prior_knowledge(srv):
    c = Conn(srv.h2c_only_port)
    c.handshake()
    c.request(1, "/1k.txt")
    hh, body, _, rst = c.read_response(1, timeout=10)
    assert dict(hh)[":status"] == "200" and len(body) == 1024
    c.close()


def test_other_vhosts_keep_http1(srv):
    hc = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=10)
    hc.request("GET", "/1k.txt")
    r = hc.getresponse()
    assert r.status == 200 and len(r.read()) == 1024
    hc.close()
