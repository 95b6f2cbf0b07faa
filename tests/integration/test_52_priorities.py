# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Priorities that make pages render sooner (issue 19):

- without priority signals from the client (or with flat ones: u=3 only), responses get
  defaults by content type when their headers are submitted: HTML, CSS and fonts u=0,
  scripts u=1, images u=5 incremental, everything else u=3;
- a client's Priority field or PRIORITY_UPDATE wins over the defaults; the response's own
  Priority field over the request's (RFC 9218 §8);
- what the scheduler decides reaches the wire: with TCP_NOTSENT_LOWAT on c1's socket a CSS
  requested while large images go to a slow reader arrives after a bounded number of image
  bytes (the send queue and a pass), not after the images.
"""
import os
import time

import pytest

from h2client import (Conn, DATA, HEADERS, END_STREAM, PRIORITY_UPDATE, RST_STREAM,
                      S_INITIAL_WINDOW_SIZE, SETTINGS, settings_payload, window_update_frame)

IMG_SIZE = 2 * 1024 * 1024
EXTRA = """
Alias /lazy/ "{root}/htdocs/"
<Location /lazy/>
    Header set Priority "u=6"
</Location>
"""


def _write(path, size, fill):
    if not os.path.exists(path) or os.path.getsize(path) != size:
        with open(path, "wb") as f:
            f.write((fill * (size // len(fill) + 1))[:size])


@pytest.fixture(scope="module")
def srv(make_module_httpd):
    h = make_module_httpd("prio", start=False, extra=EXTRA)
    d = h.docroot
    for i in range(4):
        _write(os.path.join(d, "img%d.jpg" % i), IMG_SIZE, b"\xff\xd8jpegdata%d" % i)
    _write(os.path.join(d, "p.jpg"), 200 * 1024, b"\xff\xd8jpeg")
    _write(os.path.join(d, "p.html"), 100 * 1024, b"<p>html</p>\n")
    _write(os.path.join(d, "p.css"), 100 * 1024, b"p { color: red; }\n")
    _write(os.path.join(d, "p.js"), 100 * 1024, b"var x = 1;\n")
    _write(os.path.join(d, "p.woff2"), 50 * 1024, b"wOF2")
    _write(os.path.join(d, "p.json"), 50 * 1024, b"{}\n")
    h.start()
    return h


# ---------------------------------------------------------------------------------------
# the order of DATA under a window the test opens step by step


def _order(h, reqs, tls=False, updates=()):
    """Request reqs [(path, extra fields)] with stream windows of 0, wait for every
    response's HEADERS, then open the stream windows and give the connection window in
    16 KB steps as DATA arrives: returns (the stream ids in the order their DATA came,
    each once, collapsed runs; {sid: response fields}). updates: PRIORITY_UPDATE payloads
    (sid, value) sent before the requests."""
    c = Conn(h.https_port if tls else h.http_port, tls=tls, timeout=10)
    c.handshake({S_INITIAL_WINDOW_SIZE: 0})
    for sid, value in updates:
        c.send_frame(PRIORITY_UPDATE, 0, 0, sid.to_bytes(4, "big") + value.encode())
    sids = []
    for i, (path, extra) in enumerate(reqs):
        sid = 1 + 2 * i
        c.request(sid, path, extra=list(extra))
        sids.append(sid)
    fields = {}
    deadline = time.monotonic() + 10
    while len(fields) < len(sids):
        f = c.read_frame(timeout=deadline - time.monotonic())
        assert f.type != RST_STREAM, f
        if f.type == HEADERS and f.sid in sids:
            fields[f.sid] = {k.decode(): v.decode() for k, v in f.fields}
            assert fields[f.sid][":status"] == "200", fields[f.sid]
    # the connection window is 65535 since the handshake: the server has sent nothing
    # yet (stream windows 0); now the scheduler picks every frame
    c.send_frame(SETTINGS, 0, 0, settings_payload([(S_INITIAL_WINDOW_SIZE, 1 << 30)]))
    order, done, given = [], set(), 0
    while len(done) < len(sids):
        f = c.read_frame(timeout=deadline - time.monotonic())
        if f.type != DATA:
            continue
        if f.payload and (not order or order[-1] != f.sid):
            order.append(f.sid)
        if f.flags & END_STREAM:
            done.add(f.sid)
        given += len(f.payload)
        if given >= 16384:
            c.send(window_update_frame(0, given))
            given = 0
    c.close()
    return order, fields


def test_defaults_by_content_type(srv):
    """No priority signal from the client: the CSS and the document first (u=0, one after
    the other in stream order), then the script (u=1), then the other type (u=3), the image
    last (u=5)."""
    order, fields = _order(srv, [("/p.jpg", ()), ("/p.js", ()), ("/p.json", ()),
                                 ("/p.css", ()), ("/p.html", ())])
    assert fields[1]["content-type"] == "image/jpeg"
    assert order == [7, 9, 3, 5, 1], order


def test_defaults_fonts_first_tls(srv):
    """Over TLS the same; a font is u=0 like CSS, images are interleaved among
    themselves (incremental)."""
    order, _ = _order(srv, [("/p.jpg", ()), ("/img0.jpg?x", ()), ("/p.js", ()),
                            ("/p.woff2", ())], tls=True)
    assert order[:2] == [7, 5], order
    assert set(order[2:]) == {1, 3}, order
    assert len(order) > 4, "the images were not interleaved: %r" % order


def test_flat_client_gets_defaults(srv):
    """A client that sends u=3 on every request (the RFC's default: no information) gets
    the defaults as one that sends nothing."""
    u3 = [("priority", "u=3")]
    order, _ = _order(srv, [("/p.jpg", u3), ("/p.js", u3), ("/p.css", u3)])
    assert order == [5, 3, 1], order


def test_client_priority_field_wins(srv):
    """A client that speaks RFC 9218 gets what it asks for: the image with u=0 first, the
    CSS with u=4 last, the others without a field at the default u=3 (stream order)."""
    order, _ = _order(srv, [("/p.css", [("priority", "u=4")]), ("/p.js", ()),
                            ("/p.jpg", [("priority", "u=0")]), ("/p.html", ())])
    assert order == [5, 3, 7, 1], order


def test_client_priority_update_wins(srv):
    """A PRIORITY_UPDATE sent before the request (RFC 9218 §7.1) is the client's signal
    too: the image it makes u=0 comes first."""
    order, _ = _order(srv, [("/p.css", ()), ("/p.jpg", ())], updates=[(3, "u=0")])
    assert order == [3, 1], order


def test_response_priority_field_over_defaults(srv):
    """The handler's Priority field (here u=6 by mod_headers) beats the default of its
    content type: that CSS goes after the image (u=5)."""
    order, fields = _order(srv, [("/lazy/p.css", ()), ("/p.jpg", ())])
    assert fields[1]["priority"] == "u=6"
    assert order == [3, 1], order


# ---------------------------------------------------------------------------------------
# a late urgent response overtakes image bytes that are only queued


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "tls"])
def test_late_css_overtakes_images(srv, tls):
    """Four 2 MB images go to a client that reads 16 KB every 2 ms over a small receive
    buffer; once 256 KB of them arrived it requests a CSS file (u=0 by default). Counted:
    image bytes that arrive between the CSS request and the CSS's END_STREAM. That is what
    was queued before the CSS when its request came (the client's receive buffer, the
    kernel's send queue, the pass waiting in the core and the frame being made), bounded
    by TCP_NOTSENT_LOWAT: well below 1 MB (without it the kernel holds megabytes of the
    images, and the CSS waited for them)."""
    c = Conn(srv.https_port if tls else srv.http_port, tls=tls, timeout=10, rcvbuf=16384)
    c.handshake({S_INITIAL_WINDOW_SIZE: (1 << 31) - 1})
    c.send(window_update_frame(0, (1 << 31) - 1 - 65535))
    for i in range(4):
        c.request(1 + 2 * i, "/img%d.jpg" % i)
    img = {1: 0, 3: 0, 5: 0, 7: 0}
    css_sid, css_len, after = 9, 0, None
    deadline = time.monotonic() + 30

    def read_some():
        nonlocal css_len, after
        # a slow link: 16 KB every 2 ms (8 MB/s) at most
        want = 16384
        while want > 0:
            n = len(c.buf)
            f = c._parse_one()
            if f is None:
                c._fill(deadline)
                want -= len(c.buf) - n
                continue
            if f.type == RST_STREAM:
                raise AssertionError(f)
            if f.type == DATA and f.sid in img:
                img[f.sid] += len(f.payload)
                if after is not None:
                    after += len(f.payload)
            elif f.type == DATA and f.sid == css_sid:
                css_len += len(f.payload)
                if f.flags & END_STREAM:
                    return True
        time.sleep(0.002)  # the pace of the slow link, not a synchronisation
        return False

    while sum(img.values()) < 256 * 1024:
        assert time.monotonic() < deadline
        read_some()
    before = sum(img.values())
    c.request(css_sid, "/p.css")
    after = 0
    while not read_some():
        assert time.monotonic() < deadline, "no CSS END_STREAM (%d image bytes)" % after
    c.close()
    print("image bytes: %d before the CSS request, %d before its end" % (before, after))
    assert css_len == 100 * 1024
    remaining = 4 * IMG_SIZE - before - after
    assert remaining > 4 * 1024 * 1024, "the images were almost done: %d" % remaining
    assert after < 512 * 1024, \
        "%d image bytes arrived between the CSS request and its end" % after
