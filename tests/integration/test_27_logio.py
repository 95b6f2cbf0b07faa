# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""mod_logio over HTTP/2 (issue 20): %O is what was sent (a download the client aborts
logs the bytes that went out, not the file's size; a complete one its full size), %I each
request's own bytes."""
import os

import pytest

from h2client import (Conn, DATA, HEADERS, RST_STREAM, SETTINGS, PING, ACK, WINDOW_UPDATE,
                      window_payload, rst_payload)
from h2client import H2Client

BIG = 100 * 1024 * 1024
LOGIO_CONF = 'LogFormat "%r %>s %I %O" io\nCustomLog logs/io_log io\n'


def _io_lines(h, *paths, secs=15):
    """the io_log lines of paths, split, once each path has one (or secs passed)"""
    import time
    path = os.path.join(h.root, "logs", "io_log")
    deadline = time.monotonic() + secs
    while True:
        try:
            with open(path) as f:
                lines = [ln.split() for ln in f if "HTTP/2.0" in ln]
        except OSError:
            lines = []
        got = {p: [l for l in lines if l[1] == p] for p in paths}
        if all(got.values()) or time.monotonic() >= deadline:
            return got
        time.sleep(0.05)  # polling a condition, bounded by the deadline


@pytest.fixture
def srv(make_httpd):
    h = make_httpd("logio27", extra=LOGIO_CONF, start=False)
    with open(os.path.join(h.docroot, "100m.bin"), "wb") as f:
        f.truncate(BIG)            # sparse: reads as zeros, costs no disk
    h.start()
    return h


@pytest.mark.parametrize("how", ["rst", "close"])
def test_aborted_download_logs_bytes_sent(srv, how):
    c = Conn(srv.http_port)
    c.handshake(settings={0x4: 65535})
    c.request(1, "/100m.bin")
    got, status = 0, None
    while got < 3 * 1024 * 1024:
        f = c.read_frame(timeout=20)
        if f.type == HEADERS and f.sid == 1:
            status = dict(c._decode_block(f, None)).get(":status")
        elif f.type == DATA and f.sid == 1:
            got += len(f.payload)
            if f.payload:
                # a small window: the server sends no more than we grant
                c.send_frame(WINDOW_UPDATE, 0, 0, window_payload(len(f.payload)))
                c.send_frame(WINDOW_UPDATE, 0, 1, window_payload(len(f.payload)))
        elif f.type == PING and not f.flags & ACK:
            c.send_frame(PING, ACK, 0, f.payload)
    assert status == "200"
    if how == "rst":
        c.send_frame(RST_STREAM, 0, 1, rst_payload(0x8))
        # the connection goes on: another request is served
        c.request(3, "/1k.txt")
        hh, body, _, rst = c.read_response(3, timeout=20)
        assert len(body) == 1024
    c.close()
    line = _io_lines(srv, "/100m.bin")["/100m.bin"]
    assert line, "no log line"
    out = int(line[0][-1])
    assert out >= got, (out, got)
    # the window kept what was in flight small: far below the file
    assert out < 16 * 1024 * 1024, (out, got)


def test_complete_download_logs_full_size(srv):
    c = H2Client(srv.http_port)
    r = c.get("/10m.bin")
    assert r.status == 200 and len(r.body) == 10 * 1024 * 1024
    r = c.get("/cgi-bin/echo.py", method="POST", body=b"q" * 7000)
    assert r.status == 200
    r = c.get("/1k.txt")
    assert r.status == 200
    c.close()
    got = _io_lines(srv, "/10m.bin", "/cgi-bin/echo.py", "/1k.txt")
    assert int(got["/10m.bin"][0][-1]) >= 10 * 1024 * 1024
    assert int(got["/1k.txt"][0][-1]) >= 1024
    assert int(got["/1k.txt"][0][-1]) < 10 * 1024 * 1024
    # %I: each request's own bytes (the POST's body, not the connection's)
    post_in = int(got["/cgi-bin/echo.py"][0][-2])
    assert 7000 <= post_in < 9000, got
    assert int(got["/1k.txt"][0][-2]) < 1000
