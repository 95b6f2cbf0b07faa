# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Every stream a full httpd request, within bounds (issue 9): request read timeouts
(mod_reqtimeout, Timeout), TLS renegotiation refused with HTTP_1_1_REQUIRED, interim
responses of any size, h2c Upgrades with a bad HTTP2-Settings."""
import base64
import http.server
import os
import socket
import socketserver
import struct
import subprocess
import threading
import time

import pytest

from h2client import H2Client
from h2client import (Conn, Closed, DATA, HEADERS, RST_STREAM, GOAWAY, SETTINGS, PING,
                         ACK, END_STREAM, WINDOW_UPDATE, window_payload)

HTTP_1_1_REQUIRED = 0xd


def _status(headers):
    return int(dict(headers or [])[":status"]) if headers else None


# ---------------------------------------------------------------------------------------
# timeouts

def _slow_body(c, sid, path, seconds, bystander=None):
    """POST on sid, one body byte a second, for at most `seconds`. Returns (headers,
    rst_code, seconds until the server answered) -- headers of stream sid or its reset."""
    c.request(sid, path, method="POST", end_stream=False,
              extra=[("content-type", "application/octet-stream")])
    t0 = time.monotonic()
    headers, rst, when = None, None, None
    next_byte = t0
    while time.monotonic() - t0 < seconds and headers is None and rst is None:
        now = time.monotonic()
        if now >= next_byte:
            try:
                c.send_data(sid, b"x")
            except OSError:
                break
            next_byte = now + 1.0
        try:
            f = c.read_frame(timeout=max(0.05, next_byte - time.monotonic()))
        except TimeoutError:
            continue
        if f.type == PING and not f.flags & ACK:
            c.send_frame(PING, ACK, 0, f.payload)
        elif f.type == SETTINGS and not f.flags & ACK:
            c.send_frame(SETTINGS, ACK, 0)
        elif f.type == HEADERS:
            h = c._decode_block(f, None)
            if f.sid == sid and _status(h) >= 200:
                headers, when = h, time.monotonic() - t0
            elif bystander is not None and f.sid == bystander["sid"]:
                bystander["headers"] = h
        elif f.type == DATA:
            if f.payload:
                c.send_frame(WINDOW_UPDATE, 0, 0, window_payload(len(f.payload)))
            if bystander is not None and f.sid == bystander["sid"]:
                bystander["body"] = bystander.get("body", b"") + f.payload
                bystander["ended"] = bool(f.flags & END_STREAM)
        elif f.type == RST_STREAM and f.sid == sid:
            rst, when = f.error_code, time.monotonic() - t0
        elif f.type == GOAWAY:
            raise AssertionError("GOAWAY on a stream timeout: %r" % f)
    return headers, rst, when


@pytest.fixture(scope="module")
def reqtimeout(request):
    import h2conf
    import shutil
    import tempfile
    root = tempfile.mkdtemp(prefix="mod_h2-reqtimeout-")
    os.chmod(root, 0o755)
    h = h2conf.Httpd(root, log_level="info", modules=["reqtimeout"], extra="""
RequestReadTimeout header=10 body=5
""")
    h.make_root()
    h.start()
    yield h
    h.stop()
    if not os.environ.get("H2_KEEP_ROOTS"):
        shutil.rmtree(root, ignore_errors=True)


def test_slow_body_request_read_timeout(reqtimeout):
    """RequestReadTimeout body=5, a body at 1 byte/s: 408 after about 5 s, logged once;
    a bystander stream on the same connection and another connection complete."""
    h = reqtimeout
    c = Conn(h.http_port)
    c.handshake()
    # bystander: a response that takes 1 s, asked before the slow body starts
    c.request(1, "/cgi-bin/slow.py?1")
    by = {"sid": 1}
    headers, rst, when = _slow_body(c, 3, "/cgi-bin/echo.py", 20, bystander=by)
    assert headers is not None or rst is not None, "no answer to a body at 1 byte/s in 20 s"
    if headers is not None:
        assert _status(headers) == 408, headers
    assert 4 <= when <= 12, when
    # the bystander on the same connection completed
    deadline = time.monotonic() + 10
    while not by.get("ended") and time.monotonic() < deadline:
        try:
            f = c.read_frame(timeout=max(0.05, deadline - time.monotonic()))
        except TimeoutError:
            break
        if f.type == HEADERS and f.sid == 1:
            by["headers"] = c._decode_block(f, None)
        elif f.type == HEADERS:
            c._decode_block(f, None)
        if f.type == DATA and f.sid == 1:
            by["body"] = by.get("body", b"") + f.payload
            by["ended"] = bool(f.flags & END_STREAM)
    assert _status(by.get("headers")) == 200 and b"slept 1" in by.get("body", b""), by
    # the connection goes on
    c.request(5, "/1k.txt")
    hh, body, _, rst5 = c.read_response(5)
    assert _status(hh) == 200 and len(body) == 1024 and rst5 is None
    c.close()
    # another connection is served
    c2 = H2Client(h.http_port)
    assert c2.get("/1k.txt").status == 200
    c2.close()
    # logged once (mod_reqtimeout's line), not once per byte or per stream
    with open(h.error_log, errors="replace") as f:
        log = f.read()
    assert log.count("Request body read timeout") == 1, log[-3000:]


def test_slow_body_plain_timeout(make_httpd):
    """Without mod_reqtimeout, Timeout bounds each wait for body bytes."""
    h = make_httpd("timeout", log_level="info", extra="Timeout 3\n")
    c = Conn(h.http_port)
    c.handshake()
    c.request(1, "/cgi-bin/echo.py", method="POST", end_stream=False)
    c.send_data(1, b"abc")
    t0 = time.monotonic()
    hh, body, _, rst = c.read_response(1, timeout=20)
    took = time.monotonic() - t0
    assert rst is not None or _status(hh) == 408, (hh, rst)
    assert 2 <= took <= 12, took
    c.request(3, "/1k.txt")
    hh, body, _, rst = c.read_response(3)
    assert _status(hh) == 200 and len(body) == 1024
    c.close()


# ---------------------------------------------------------------------------------------
# interim responses

class _ManyLinksBackend(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    N = 200

    def do_GET(self):
        self.send_response_only(103)
        for i in range(self.N):
            self.send_header("Link", "</assets/resource-number-%03d.css>; rel=preload; as=style"
                             % i)
        self.end_headers()
        body = b"final\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def test_interim_103_with_200_links(make_httpd):
    """A 103 of about 12 KB (httpd writes it in 8 KB pieces) arrives whole."""
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _ManyLinksBackend)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        h = make_httpd("links103", extra="""
H2Push off
ProxyPass /be/ http://127.0.0.1:%d/
""" % srv.server_address[1])
        c = H2Client(h.http_port)
        r = c.get("/be/x")
        assert r.status == 200 and r.body == b"final\n"
        assert r.interim, "no 103"
        links = [v for k, v in r.interim[0] if k == b"link"]
        assert len(r.interim) == 1 and dict(r.interim[0])[b":status"] == b"103"
        assert len(links) == 200, len(links)
        assert links[0] == b"</assets/resource-number-000.css>; rel=preload; as=style"
        assert links[-1] == b"</assets/resource-number-199.css>; rel=preload; as=style"
        c.close()
    finally:
        srv.shutdown()
        srv.server_close()


# ---------------------------------------------------------------------------------------
# h2c Upgrade with a bad HTTP2-Settings

def _upgrade(port, settings, body=b""):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        req = ("POST /cgi-bin/echo.py HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, "
               "HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: %s\r\n"
               "Content-Length: %d\r\n\r\n" % (settings, len(body))).encode() + body
        s.sendall(req)
        data = b""
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in data and time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data.split(b"\r\n", 1)[0]
    finally:
        s.close()


def _b64(pairs):
    raw = b"".join(struct.pack(">HI", k, v) for k, v in pairs)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_SETTINGS = [
    "AAI!AAAC",                         # not base64url
    "AAQ",                              # 2 octets: not a whole setting
    _b64([(0x99, 1)] * 65),             # too many settings
    _b64([(2, 2)]),                     # ENABLE_PUSH 2
    _b64([(4, 2 ** 31)]),               # INITIAL_WINDOW_SIZE too large
    _b64([(5, 100)]),                   # MAX_FRAME_SIZE too small
]


def _child_pids(h):
    out = subprocess.run(["pgrep", "-P", str(h.pid())], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_upgrade_bad_settings_stays_http11(make_httpd):
    h = make_httpd("badupgrade", processes=1)
    # a good one still upgrades
    assert _upgrade(h.http_port, _b64([(3, 100)])) == b"HTTP/1.1 101 Switching Protocols"
    for bad in BAD_SETTINGS:
        assert _upgrade(h.http_port, bad, b"hello") == b"HTTP/1.1 200 OK", bad


def test_upgrade_bad_settings_repeated_memory_flat(make_httpd):
    """500 bad Upgrades with a 32 KB body each: the child's RSS stays flat."""
    h = make_httpd("badupgrade-rss", processes=1, threads=4)
    body = b"b" * 32768
    for i in range(50):
        _upgrade(h.http_port, BAD_SETTINGS[i % len(BAD_SETTINGS)], body)
    pids = _child_pids(h)
    assert pids
    before = {p: _rss_kb(p) for p in pids}
    for i in range(500):
        assert _upgrade(h.http_port, BAD_SETTINGS[i % len(BAD_SETTINGS)], body) \
            == b"HTTP/1.1 200 OK"
    after = {p: _rss_kb(p) for p in pids if os.path.exists("/proc/%d" % p)}
    grown = max(after[p] - before[p] for p in after)
    # a leak of the body alone would be 500 * 32 KB = 16 MB
    assert grown < 4096, (before, after)


# ---------------------------------------------------------------------------------------
# TLS renegotiation / post-handshake authentication: HTTP_1_1_REQUIRED

def _make_client_cert(root):
    d = os.path.join(root, "conf")
    run = lambda *a: subprocess.run(list(a), check=True, stdout=subprocess.DEVNULL,  # noqa: E731
                                    stderr=subprocess.DEVNULL)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", os.path.join(d, "ca.key"), "-out", os.path.join(d, "ca.crt"),
        "-subj", "/CN=mod_h2 test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
        os.path.join(d, "client.key"), "-out", os.path.join(d, "client.csr"),
        "-subj", "/CN=test client")
    run("openssl", "x509", "-req", "-in", os.path.join(d, "client.csr"), "-CA",
        os.path.join(d, "ca.crt"), "-CAkey", os.path.join(d, "ca.key"), "-CAcreateserial",
        "-days", "2", "-out", os.path.join(d, "client.crt"))
    return os.path.join(d, "client.crt"), os.path.join(d, "client.key")


@pytest.fixture(scope="module")
def clientcert(request):
    import h2conf
    import shutil
    import tempfile
    root = tempfile.mkdtemp(prefix="mod_h2-clientcert-")
    os.chmod(root, 0o755)
    h = h2conf.Httpd(root, log_level="info", extra="""
SSLCACertificateFile "{root}/conf/ca.crt"
Alias /secure/ "{root}/htdocs/"
<Location /secure/>
    SSLVerifyClient require
    SSLVerifyDepth 2
</Location>
Alias /cipher/ "{root}/htdocs/"
<Location /cipher/>
    SSLCipherSuite ECDHE-RSA-AES128-GCM-SHA256
</Location>
""")
    os.makedirs(os.path.join(root, "conf"), exist_ok=True)
    h.cert = _make_client_cert(root)
    h.make_root()
    h.start()
    yield h
    h.stop()
    if not os.environ.get("H2_KEEP_ROOTS"):
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("tls", ["1.2", "1.3"])
def test_client_cert_location_curl_retries_http11(clientcert, tls):
    h = clientcert
    crt, key = h.cert
    ver = ["--tlsv1.2", "--tls-max", "1.2"] if tls == "1.2" else ["--tlsv1.3"]
    res = subprocess.run(["curl", "-sk", "--http2", "--cert", crt, "--key", key] + ver +
                         ["-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                          h.url("/secure/1k.txt")], capture_output=True, text=True, timeout=30)
    assert res.stdout == "200 1.1", (res.stdout, res.stderr)
    # the rest of the site stays on h2
    res = subprocess.run(["curl", "-sk", "--http2"] + ver +
                         ["-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                          h.url("/1k.txt")], capture_output=True, text=True, timeout=30)
    assert res.stdout == "200 2", (res.stdout, res.stderr)


def _tls_conn(port, tls, ciphers=None):
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    if tls == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if ciphers:
        ctx.set_ciphers(ciphers)
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    assert s.selected_alpn_protocol() == "h2"
    return Conn.from_socket(s)


@pytest.mark.parametrize("tls", ["1.2", "1.3"])
def test_client_cert_location_rst_http11_required(clientcert, tls):
    c = _tls_conn(clientcert.https_port, tls)
    c.handshake()
    c.request(1, "/secure/1k.txt")
    f = c.expect_stream_error(1, HTTP_1_1_REQUIRED)
    assert f.type == RST_STREAM
    # other streams on the connection go on
    c.request(3, "/1k.txt")
    hh, body, _, rst = c.read_response(3)
    assert _status(hh) == 200 and len(body) == 1024 and rst is None
    c.close()


def test_cipher_change_tls12_rst_http11_required(clientcert):
    c = _tls_conn(clientcert.https_port, "1.2", ciphers="ECDHE-RSA-AES256-GCM-SHA384")
    c.handshake()
    c.request(1, "/cipher/1k.txt")
    c.expect_stream_error(1, HTTP_1_1_REQUIRED)
    c.request(3, "/1k.txt")
    hh, body, _, rst = c.read_response(3)
    assert _status(hh) == 200 and rst is None
    c.close()


def test_body_min_rate_extends_timeout(make_httpd):
    """RequestReadTimeout body=2,MinRate=1000: a body at about 16 KB/s for 5 s goes on past
    the first 2 s (each chunk buys time), and the request gets its 200."""
    h = make_httpd("minrate", modules=["reqtimeout"],
                   extra="RequestReadTimeout header=10 body=2,MinRate=1000\n")
    c = Conn(h.http_port)
    c.handshake()
    c.request(1, "/cgi-bin/echo.py", method="POST", end_stream=False)
    t0 = time.monotonic()
    sent = 0
    while time.monotonic() - t0 < 5:
        c.send_data(1, b"m" * 8192)
        sent += 8192
        try:   # pacing: at most 0.5 s per chunk, reading whatever comes meanwhile
            f = c.read_frame(timeout=0.5)
            assert not (f.type == RST_STREAM and f.sid == 1), f
            assert not (f.type == HEADERS and f.sid == 1), "answered before the body ended"
            if f.type == WINDOW_UPDATE:
                continue
        except TimeoutError:
            pass
    c.send_data(1, b"", end_stream=True)
    hh, body, _, rst = c.read_response(1, timeout=20)
    assert rst is None and _status(hh) == 200, (hh, rst)
    assert len(body) == sent
    c.close()


def test_logio_counts_stream_bytes(make_httpd):
    h = make_httpd("logio", extra='LogFormat "%r %>s %I %O" io\nCustomLog logs/io_log io\n')
    c = H2Client(h.http_port)
    assert c.get("/100k.bin").status == 200
    r = c.get("/cgi-bin/echo.py", method="POST", body=b"q" * 5000)
    assert r.status == 200
    c.close()
    path = os.path.join(h.root, "logs", "io_log")
    lines = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(lines) < 2:
        with open(path) as f:
            lines = [l.split() for l in f if "HTTP/2.0" in l]
    get = [l for l in lines if l[1] == "/100k.bin"][0]
    post = [l for l in lines if l[1] == "/cgi-bin/echo.py"][0]
    assert int(get[-1]) >= 100 * 1024, get        # %O
    assert int(post[-2]) >= 5000, post            # %I


@pytest.mark.parametrize("tls", [True, False])
def test_reqtimeout_handshake_stage_spares_session(make_httpd, tls):
    """RequestReadTimeout handshake=2: the session outlives the handshake stage (it ends
    with a request on c1, which HTTP/2 never has)."""
    h = make_httpd("hstimeout", modules=["reqtimeout"],
                   extra="RequestReadTimeout handshake=2 header=10 body=5\n")
    c = H2Client(h.https_port if tls else h.http_port, tls=tls)
    assert c.get("/1k.txt").status == 200
    r = c.get("/cgi-bin/slow.py?3")       # the session lives past the 2 s
    assert r.status == 200 and r.reset is None
    assert c.get("/1k.txt").status == 200
    assert c.goaway is None
    c.close()
