# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Directives whose effect shows on the wire."""
import h2client as w


def _data_frames(c, sid, limit=100000):
    """Read stream sid's response to its end; return the DATA frames of sid."""
    frames = []
    for _ in range(limit):
        f = c.read_frame()
        assert f.type != w.GOAWAY, f
        if f.type == w.DATA and f.sid == sid:
            frames.append(f)
            if f.payload:
                c.send_frame(w.WINDOW_UPDATE, 0, 0, w.window_payload(len(f.payload)))
                c.send_frame(w.WINDOW_UPDATE, 0, sid, w.window_payload(len(f.payload)))
        if f.sid == sid and f.flags & w.END_STREAM and f.type in (w.DATA, w.HEADERS):
            return frames
        assert not (f.type == w.RST_STREAM and f.sid == sid), f
    raise AssertionError("no end of stream")


def test_h2maxdataframelen_caps_data_frames(make_httpd):
    h = make_httpd("maxdata", extra="H2MaxDataFrameLen 1000\n")
    c = w.Conn(h.http_port)
    c.handshake([(w.S_MAX_FRAME_SIZE, 65536)])
    c.request(1, "/100k.bin")
    frames = _data_frames(c, 1)
    assert sum(len(f.data) for f in frames) == 100 * 1024
    assert max(len(f.payload) for f in frames) <= 1000
    c.close()


def test_default_data_frames_use_client_max_frame_size(httpd):
    c = w.Conn(httpd.http_port)
    c.handshake()
    c.request(1, "/100k.bin")
    frames = _data_frames(c, 1)
    assert sum(len(f.data) for f in frames) == 100 * 1024
    assert max(len(f.payload) for f in frames) == 16384
    c.close()
