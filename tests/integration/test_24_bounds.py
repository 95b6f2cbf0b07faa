# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Every stream within bounds (issue 9): mod_status sees in-flight h2 requests,
LimitRequestBody as the DATA arrives (event and prefork), responses of the inline
(prefork) mode within H2StreamMaxMemSize, descriptors of a stalled multi-range response,
a file that shrinks under a response that waits for its window."""
import os
import re
import subprocess
import time
import urllib.request

import pytest

from h2client import H2Client
from h2client import (Conn, Closed, DATA, HEADERS, RST_STREAM, GOAWAY, SETTINGS, PING,
                         ACK, END_STREAM, WINDOW_UPDATE, S_INITIAL_WINDOW_SIZE,
                         window_payload)

BIG_CGI = r'''#!/usr/bin/python3
import sys
sys.stdout.write("Content-Type: application/octet-stream\r\n\r\n")
sys.stdout.flush()
block = b"z" * 65536
for i in range(320):   # 20 MB
    sys.stdout.buffer.write(block)
sys.stdout.flush()
'''


def _status_page(h, auto=False):
    url = "http://127.0.0.1:%d/server-status%s" % (h.http_port, "?auto" if auto else "")
    with urllib.request.urlopen(url, timeout=10) as f:
        return f.read().decode(errors="replace")


def _children(h):
    out = subprocess.run(["pgrep", "-P", str(h.pid())], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _threads(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _nfds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return 0


# ---------------------------------------------------------------------------------------
# mod_status

@pytest.mark.parametrize("mpm", ["event", "prefork"])
def test_status_shows_inflight_h2_request(make_httpd, mpm):
    h = make_httpd("status-" + mpm, mpm=mpm)
    c = H2Client(h.http_port)
    sid = c.request("/cgi-bin/slow.py?4")
    seen = None
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline and seen is None:
        page = _status_page(h)
        # the extended table: a row in state W with the stream's request line
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
            if "GET /cgi-bin/slow.py?4 HTTP/2.0" in row and "<b>W</b>" in row:
                seen = page
                break
    assert seen, "no busy row with the h2 request line in server-status"
    auto = _status_page(h, auto=True)
    busy = int(re.search(r"BusyWorkers: (\d+)", auto).group(1))
    assert busy >= 2, auto    # the h2 request and this status request
    r = c.wait([sid])[0]
    assert r.status == 200 and b"slept 4" in r.body
    c.close()
    # counted once it is done
    auto = _status_page(h, auto=True)
    assert int(re.search(r"Total Accesses: (\d+)", auto).group(1)) >= 2


# ---------------------------------------------------------------------------------------
# LimitRequestBody while the body arrives

def _post_until_answer(port, path, total, timeout=30):
    """POST `total` bytes without content-length, as fast as the windows allow, until the
    server answers. Returns (status, rst, bytes sent)."""
    c = Conn(port)
    c.handshake()
    c.request(1, path, method="POST", end_stream=False)
    conn_win = c.conn_send_window
    strm_win = dict(c.server_settings or []).get(S_INITIAL_WINDOW_SIZE, 65535)
    sent, status, rst = 0, None, None
    chunk = b"y" * 16384
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and status is None and rst is None:
        while sent < total and min(conn_win, strm_win) > 0:
            n = min(len(chunk), conn_win, strm_win, total - sent)
            c.send_data(1, chunk[:n], end_stream=(sent + n == total))
            sent += n
            conn_win -= n
            strm_win -= n
        try:
            f = c.read_frame(timeout=max(0.05, min(2, deadline - time.monotonic())))
        except TimeoutError:
            continue
        except Closed:
            break
        if f.type == WINDOW_UPDATE:
            incr = int.from_bytes(f.payload[:4], "big") & 0x7fffffff
            if f.sid == 0:
                conn_win += incr
            elif f.sid == 1:
                strm_win += incr
        elif f.type == SETTINGS and not f.flags & ACK:
            c.send_frame(SETTINGS, ACK, 0)
        elif f.type == PING and not f.flags & ACK:
            c.send_frame(PING, ACK, 0, f.payload)
        elif f.type == HEADERS and f.sid == 1:
            status = int(dict(c._decode_block(f, None))[":status"])
        elif f.type == HEADERS:
            c._decode_block(f, None)
        elif f.type == RST_STREAM and f.sid == 1:
            rst = f.error_code
        elif f.type == GOAWAY:
            raise AssertionError("GOAWAY: %r" % f)
    # the connection is still usable
    c.request(3, "/1k.txt")
    hh, body, _, rst3 = c.read_response(3)
    assert int(dict(hh)[":status"]) == 200 and len(body) == 1024
    c.close()
    return status, rst, sent


@pytest.mark.parametrize("mpm", ["event", "prefork"])
def test_limit_request_body_as_data_arrives(make_httpd, mpm):
    h = make_httpd("limit-" + mpm, mpm=mpm, extra="""
<Location /cgi-bin>
    LimitRequestBody 100000
</Location>
""")
    total = 64 * 1024 * 1024
    status, rst, sent = _post_until_answer(h.http_port, "/cgi-bin/echo.py", total)
    assert status == 413 or rst is not None, (status, rst, sent)
    # the client could send only about the limit plus the windows, not the 64 MB
    assert sent < 100000 + 4 * 1024 * 1024, sent


# ---------------------------------------------------------------------------------------
# inline (prefork) responses within H2StreamMaxMemSize

def test_prefork_large_response_zero_window_bounded(make_httpd):
    h = make_httpd("prefork-big", mpm="prefork", extra="H2StreamTimeout 4\n")
    p = os.path.join(h.root, "cgi-bin", "big.py")
    with open(p, "w") as f:
        f.write(BIG_CGI)
    os.chmod(p, 0o755)
    before = {pid: _rss_kb(pid) for pid in _children(h)}
    c = Conn(h.http_port)
    c.handshake(settings=[(S_INITIAL_WINDOW_SIZE, 0)])
    c.request(1, "/cgi-bin/big.py")
    t0 = time.monotonic()
    rst = None
    peak = 0
    while time.monotonic() - t0 < 20 and rst is None:
        for pid in _children(h):
            peak = max(peak, _rss_kb(pid) - before.get(pid, _rss_kb(pid)))
        try:
            f = c.read_frame(timeout=0.5)
        except TimeoutError:
            continue
        if f.type == HEADERS:
            c._decode_block(f, None)
        elif f.type == SETTINGS and not f.flags & ACK:
            c.send_frame(SETTINGS, ACK, 0)
        elif f.type == RST_STREAM and f.sid == 1:
            rst = f.error_code
    c.close()
    # the client took nothing: the stream is reset after H2StreamTimeout, and the child
    # never held the 20 MB response
    assert rst is not None, "no reset of a stream whose client takes nothing"
    assert peak < 8 * 1024, peak
    r = H2Client(h.http_port)
    assert r.get("/1k.txt").status == 200
    r.close()


# ---------------------------------------------------------------------------------------
# descriptors of a stalled multi-range response

def test_multirange_zero_window_descriptors_bounded(make_httpd):
    h = make_httpd("ranges", processes=1)
    # the child with the worker threads (not mod_cgid's daemon)
    pid = max(_children(h), key=_threads)
    base = _nfds(pid)
    ranges = ",".join("%d-%d" % (i * 50000, i * 50000 + 40000) for i in range(200))
    c = Conn(h.http_port)
    c.handshake(settings=[(S_INITIAL_WINDOW_SIZE, 0)])
    c.request(1, "/10m.bin", extra=[("range", "bytes=" + ranges)])
    status = None
    peak = base
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        peak = max(peak, _nfds(pid))
        try:
            f = c.read_frame(timeout=0.2)
        except TimeoutError:
            continue
        if f.type == HEADERS and f.sid == 1:
            status = int(dict(c._decode_block(f, None))[":status"])
        elif f.type == SETTINGS and not f.flags & ACK:
            c.send_frame(SETTINGS, ACK, 0)
    assert status == 206, status
    # 200 ranges of 40 KB would be 200 descriptors; a stream holds at most a few
    assert peak - base < 20, (base, peak)
    # the client opens its window: the whole multipart response arrives
    c.send_frame(WINDOW_UPDATE, 0, 1, window_payload(2 ** 30))
    body = 0
    ended = False
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not ended:
        f = c.read_frame(timeout=max(0.05, deadline - time.monotonic()))
        if f.type == DATA and f.sid == 1:
            body += len(f.payload)
            if f.payload:
                c.send_frame(WINDOW_UPDATE, 0, 0, window_payload(len(f.payload)))
            ended = bool(f.flags & END_STREAM)
        elif f.type == RST_STREAM and f.sid == 1:
            raise AssertionError("reset: %r" % f)
    assert ended and body > 200 * 40000, body
    c.close()


def test_prefork_large_upload_echoed(make_httpd):
    """Under prefork the body streams through the windows while the handler runs (no
    whole-body buffering first): 8 MB up and back, two streams on one connection."""
    h = make_httpd("prefork-upload", mpm="prefork")
    data = os.urandom(1 << 20) * 8
    c = H2Client(h.http_port)
    a = c.request("/cgi-bin/echo.py", method="POST", body=data)
    b = c.request("/1k.txt")
    ra, rb = c.wait([a, b])
    assert ra.status == 200 and ra.header("x-request-length") == str(len(data))
    assert ra.body == data
    assert rb.status == 200 and len(rb.body) == 1024
    c.close()


# ---------------------------------------------------------------------------------------
# a file that shrinks while its response waits

def test_file_shrinks_under_a_waiting_response(make_httpd):
    """The response's HEADERS promised 512 KB; the file is truncated while the client's
    window is closed, so c1's read of the DATA payloads comes up short. The frames made
    for them cannot be completed: the connection ends (nothing false goes out: the
    client sees no END_STREAM and every frame it got is whole), the read error is
    logged once, and other connections are served."""
    h = make_httpd("shrink")
    path = os.path.join(h.docroot, "shrink.bin")
    with open(path, "wb") as f:
        f.write(b"s" * (512 * 1024))
    c = Conn(h.http_port)
    c.handshake(settings=[(S_INITIAL_WINDOW_SIZE, 0)])
    c.request(1, "/shrink.bin")
    status = None
    deadline = time.monotonic() + 5
    while status is None and time.monotonic() < deadline:
        f = c.read_frame(timeout=max(0.05, deadline - time.monotonic()))
        if f.type == HEADERS and f.sid == 1:
            status = int(dict(c._decode_block(f, None))[":status"])
    assert status == 200, status
    os.truncate(path, 1000)
    c.send_frame(WINDOW_UPDATE, 0, 0, window_payload(2 ** 30))
    c.send_frame(WINDOW_UPDATE, 0, 1, window_payload(2 ** 30))
    body, ended, closed = 0, False, False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not closed:
        try:
            f = c.read_frame(timeout=max(0.05, deadline - time.monotonic()))
        except Closed:
            closed = True
            break
        if f.type == DATA and f.sid == 1:
            body += len(f.payload)
            ended = ended or bool(f.flags & END_STREAM)
        elif f.type in (GOAWAY, RST_STREAM):
            break
    c.close()
    assert not ended and body < 512 * 1024, (ended, body)
    assert closed or f.type in (GOAWAY, RST_STREAM), "the connection went on"
    with open(h.error_log, errors="replace") as f:
        log = f.read()
    assert log.count("MH200301") == 1, log[-2000:]
    assert "AH00051" not in log and "Segmentation" not in log
    r = H2Client(h.http_port)
    assert r.get("/1k.txt").status == 200
    r.close()
