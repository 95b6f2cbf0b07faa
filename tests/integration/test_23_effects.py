# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Directives whose effect shows on the wire or in the CGI environment (issue 10), and the
environment variables mod_http2 defines, with mod_http2's values."""
import http.server
import os
import re
import shutil
import socket
import tempfile
import threading
import time

import h2.events
import h2.settings
import pytest

import h2conf
import h2client as w
from h2client import H2Client, Response


def _write_cgi(h, name, body):
    p = os.path.join(h.root, "cgi-bin", name)
    with open(p, "w") as f:
        f.write(body)
    os.chmod(p, 0o755)


def _env(body):
    return dict(line.split("=", 1) for line in body.decode().splitlines() if "=" in line)


class PushClient(H2Client):
    """H2Client that records PUSH_PROMISEs: (parent sid, promised sid, :path)."""

    def __init__(self, *a, **kw):
        self.promises = []
        super().__init__(*a, **kw)

    def _event(self, ev, auto_ack):
        if isinstance(ev, h2.events.PushedStreamReceived):
            hd = {k.decode(): v.decode() for k, v in ev.headers}
            self.promises.append((ev.parent_stream_id, ev.pushed_stream_id, hd[":path"]))
            self.responses[ev.pushed_stream_id] = Response(ev.pushed_stream_id)
            return
        super()._event(ev, auto_ack)


# ---------------------------------------------------------------------------------------
# environment variables (mod_http2's names and values)

ENV_CONF = """
<Location /push/env.html>
    Header add Link "</cgi-bin/env.py?pushed>; rel=preload"
</Location>
<Location /nopush-cgi/>
    H2Push off
</Location>
ScriptAlias /nopush-cgi/ "{root}/cgi-bin/"
"""


@pytest.fixture(scope="module")
def envsrv():
    root = tempfile.mkdtemp(prefix="mod_h2-envsrv-")
    os.chmod(root, 0o755)
    h = h2conf.Httpd(root, extra=ENV_CONF)
    h.make_root()
    os.makedirs(os.path.join(h.docroot, "push"), exist_ok=True)
    with open(os.path.join(h.docroot, "push", "env.html"), "w") as f:
        f.write("<html>env</html>\n")
    h.start()
    yield h
    h.stop()
    if not os.environ.get("H2_KEEP_ROOTS"):
        shutil.rmtree(root, ignore_errors=True)


TAG = re.compile(r"^(\d+-\d+)-(\d+)$")


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_env_of_a_normal_request(envsrv, tls):
    c = H2Client(envsrv.https_port if tls else envsrv.http_port, tls=tls)
    r = c.get("/cgi-bin/env.py")
    assert r.status == 200
    env = _env(bytes(r.body))
    assert env["HTTP2"] == "on"
    assert env["H2PUSH"] == "on" and env["H2_PUSH"] == "on"
    assert env["H2_PUSHED"] == "" and env["H2_PUSHED_ON"] == ""
    assert env["H2_STREAM_ID"] == "1"
    m = TAG.match(env["H2_STREAM_TAG"])
    assert m and m.group(2) == "1", env["H2_STREAM_TAG"]
    conn_id = m.group(1)
    r = c.get("/cgi-bin/env.py")
    env = _env(bytes(r.body))
    assert env["H2_STREAM_ID"] == "3"
    assert env["H2_STREAM_TAG"] == conn_id + "-3"     # same connection, same prefix
    c.close()
    # another connection: another connection id, even on the same worker thread
    c = H2Client(envsrv.https_port if tls else envsrv.http_port, tls=tls)
    env = _env(bytes(c.get("/cgi-bin/env.py").body))
    assert TAG.match(env["H2_STREAM_TAG"]).group(1) != conn_id
    c.close()


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_env_of_a_pushed_request(envsrv, tls):
    c = PushClient(envsrv.https_port if tls else envsrv.http_port, tls=tls)
    r = c.get("/push/env.html")
    assert r.status == 200
    c.wait()
    assert [p for _, _, p in c.promises] == ["/cgi-bin/env.py?pushed"]
    parent, psid, _ = c.promises[0]
    pr = c.responses[psid]
    assert pr.status == 200
    env = _env(bytes(pr.body))
    assert env["HTTP2"] == "on"
    assert env["H2_PUSHED"] == "PUSHED"
    assert env["H2_PUSHED_ON"] == str(parent)
    assert env["H2PUSH"] == "on" and env["H2_PUSH"] == "on"
    assert env["H2_STREAM_ID"] == str(psid)
    assert TAG.match(env["H2_STREAM_TAG"]).group(2) == str(psid)
    c.close()


def test_env_h2push_off_when_client_refuses_push(envsrv):
    c = H2Client(envsrv.http_port, settings={h2.settings.SettingCodes.ENABLE_PUSH: 0})
    env = _env(bytes(c.get("/cgi-bin/env.py").body))
    assert env["H2PUSH"] == "off" and env["H2_PUSH"] == "off"
    assert env["HTTP2"] == "on"
    c.close()


def test_env_h2push_off_where_h2push_off(envsrv):
    c = H2Client(envsrv.http_port)
    env = _env(bytes(c.get("/nopush-cgi/env.py").body))
    assert env["H2PUSH"] == "off"
    c.close()


def test_env_not_set_over_http1(envsrv):
    s = socket.create_connection(("127.0.0.1", envsrv.http_port), timeout=5)
    s.sendall(b"GET /cgi-bin/env.py HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    assert data.startswith(b"HTTP/1.1 200")
    assert b"HTTP2=" not in data and b"H2_STREAM_ID=" not in data


# ---------------------------------------------------------------------------------------
# H2ProxyRequests

class _Origin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 -- http.server's naming
        body = ("origin saw %s" % self.path).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def origin():
    srv = http.server.HTTPServer(("127.0.0.1", h2conf.free_port()), _Origin)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


PROXY_CONF = """ProxyRequests On
<Proxy "*">
    Require ip 127.0.0.1
</Proxy>
"""


@pytest.mark.parametrize("on", [True, False], ids=["on", "off"])
def test_h2proxyrequests(make_httpd, origin, on):
    h = make_httpd("proxyreq", extra=PROXY_CONF + "H2ProxyRequests %s\n" % ("on" if on else "off"))
    c = H2Client(h.http_port)
    r = c.get("/hello?x=1", authority="127.0.0.1:%d" % origin)
    if on:
        assert r.status == 200, r.headers
        assert bytes(r.body) == b"origin saw /hello?x=1", bytes(r.body)
    else:
        assert r.status == 404, r.headers      # served here: no such file
    # this server's own resources are still answered (with ProxyRequests On and a
    # ServerName without port, httpd's own rule makes that a proxy request to itself, as
    # for an absolute-form HTTP/1.1 request line and with mod_http2)
    r = c.get("/1k.txt")
    assert r.status == 200 and len(r.body) == 1024
    c.close()
    if on:
        want = "GET http://127.0.0.1:%d/hello?x=1 HTTP/2.0" % origin
        log = h.access_lines(want)
        assert any(want in ln for ln in log), log


# ---------------------------------------------------------------------------------------
# H2MaxHeaderBlockLen

BIGHDR_CGI = r'''#!/usr/bin/python3
import os
n = int(os.environ.get("QUERY_STRING") or "30")
print("Content-Type: text/plain")
for i in range(n):
    print("X-Big-%d: %s" % (i, "v" * 1000))
print()
print("body")
'''


def test_h2maxheaderblocklen_resets_stream(make_httpd):
    h = make_httpd("hdblock", start=False, extra="H2MaxHeaderBlockLen 8192\n")
    _write_cgi(h, "bighdr.py", BIGHDR_CGI)
    h.start()
    c = w.Conn(h.http_port)
    c.handshake()
    c.request(1, "/cgi-bin/bighdr.py?30")
    c.expect_stream_error(1, (w.PROTOCOL_ERROR, w.INTERNAL_ERROR))
    # a response under the limit on the same connection is sent
    c.request(3, "/cgi-bin/bighdr.py?4")
    headers, body, _, rst = c.read_response(3, timeout=10)
    assert rst is None and dict(headers)[":status"] == "200" and body == b"body\n"
    c.close()


def test_default_sends_large_header_block(make_httpd):
    h = make_httpd("hdblock-def", start=False)
    _write_cgi(h, "bighdr.py", BIGHDR_CGI)
    h.start()
    c = w.Conn(h.http_port)
    c.handshake()
    c.request(1, "/cgi-bin/bighdr.py?30")
    headers, body, _, rst = c.read_response(1, timeout=10)
    assert rst is None and dict(headers)[":status"] == "200"
    assert sum(1 for k, _ in headers if k.startswith("x-big-")) == 30
    c.close()


# ---------------------------------------------------------------------------------------
# oversized request header blocks (H2OversizedHeaderBudget)

def _oversized(c, sid):
    c.request(sid, "/1k.txt", extra=[("x-f%d" % i, "v") for i in range(20)])


@pytest.mark.parametrize("budget", [None, 2])
def test_oversized_header_blocks_end_the_connection(make_httpd, budget):
    extra = "LimitRequestFields 10\n"
    if budget is not None:
        extra += "H2OversizedHeaderBudget %d\n" % budget
    h = make_httpd("oversized", extra=extra)
    allowed = 4 if budget is None else budget
    c = w.Conn(h.http_port)
    c.handshake()
    sid = 1
    for _ in range(allowed):
        _oversized(c, sid)
        headers, _, _, rst = c.read_response(sid, timeout=5)
        assert rst is None and dict(headers)[":status"] == "431"
        sid += 2
    c.request(sid, "/1k.txt")          # a normal one in between is fine
    headers, body, _, _ = c.read_response(sid, timeout=5)
    assert dict(headers)[":status"] == "200" and len(body) == 1024
    sid += 2
    _oversized(c, sid)
    g = c.expect_conn_error(w.ENHANCE_YOUR_CALM, timeout=5)
    assert g.last_stream_id == sid - 2, g
    c.close()


# LimitRequestFields counts a request's cookie crumbs (RFC 9113 §8.2.3) as one field, the
# one the request gets after they are joined, as mod_http2 does

def test_cookie_crumbs_count_once_against_limit_request_fields(make_httpd):
    h = make_httpd("crumbs", extra="LimitRequestFields 100\n")
    c = w.Conn(h.http_port)
    c.handshake()
    crumbs = [("cookie", "c%d=v%d" % (i, i)) for i in range(150)]
    c.request(1, "/cgi-bin/env.py", extra=crumbs)
    headers, body, _, rst = c.read_response(1, timeout=10)
    assert rst is None and dict(headers)[":status"] == "200"
    env = _env(body)
    assert env["HTTP_COOKIE"] == "; ".join("c%d=v%d" % (i, i) for i in range(150))
    # other fields still count: 101 of them are too many
    c.request(3, "/1k.txt", extra=[("x-f%d" % i, "v") for i in range(101)])
    headers, _, _, rst = c.read_response(3, timeout=10)
    assert rst is None and dict(headers)[":status"] == "431"
    c.close()


# ---------------------------------------------------------------------------------------
# our engine limits: SETTINGS values and budgets

def test_h2headertablesize_announced(make_httpd):
    h = make_httpd("hts", extra="H2HeaderTableSize 8192\nH2MaxSessionStreams 7\n"
                                "H2WindowSize 100000\nH2MaxFrameSize 32768\n")
    c = w.Conn(h.http_port)
    c.handshake()
    s = dict(c.server_settings)
    assert s[w.S_HEADER_TABLE_SIZE] == 8192
    assert s[w.S_MAX_CONCURRENT_STREAMS] == 7
    assert s[w.S_INITIAL_WINDOW_SIZE] == 100000
    assert s[w.S_MAX_FRAME_SIZE] == 32768
    c.close()


def test_h2maxcontinuationframes(make_httpd):
    h = make_httpd("cont", extra="H2MaxContinuationFrames 3\n")
    c = w.Conn(h.http_port)
    c.handshake()
    block = c.encode(c.req_headers("/1k.txt"))
    c.send_frame(w.HEADERS, w.END_STREAM, 1, block[:2])
    for i in range(5):
        c.send_frame(w.CONTINUATION, 0, 1, block[2 + i:3 + i])
    c.expect_conn_error(w.ENHANCE_YOUR_CALM)
    c.close()
    # three are fine
    c = w.Conn(h.http_port)
    c.handshake()
    c.send_frame(w.HEADERS, w.END_STREAM, 1, block[:2])
    c.send_frame(w.CONTINUATION, 0, 1, block[2:3])
    c.send_frame(w.CONTINUATION, 0, 1, block[3:4])
    c.send_frame(w.CONTINUATION, w.END_HEADERS, 1, block[4:])
    headers, _, _, rst = c.read_response(1)
    assert rst is None and dict(headers)[":status"] == "200"
    c.close()


def test_h2emptyframebudget(make_httpd):
    h = make_httpd("empty", extra="H2EmptyFrameBudget 5\n")
    c = w.Conn(h.http_port)
    c.handshake()
    c.request(1, "/cgi-bin/echo.py", method="POST", end_stream=False)
    for _ in range(10):
        c.send_data(1, b"")
    c.expect_conn_error(w.ENHANCE_YOUR_CALM)
    c.close()


def test_h2resetbudget(make_httpd):
    h = make_httpd("resets", extra="H2ResetBudget 5\n")
    c = w.Conn(h.http_port)
    c.handshake()
    for i in range(10):
        sid = 1 + 2 * i
        c.request(sid, "/cgi-bin/slow.py?1")
        c.send_frame(w.RST_STREAM, 0, sid, w.rst_payload(w.CANCEL))
    c.expect_conn_error(w.ENHANCE_YOUR_CALM)
    c.close()


def _upgrade(port, body):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"POST /cgi-bin/echo.py HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, "
              b"HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
    data = b""
    deadline = time.monotonic() + 5
    while b"\r\n" not in data and time.monotonic() < deadline:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.split(b"\r\n", 1)[0]


def test_h2upgrademaxbody(make_httpd):
    h = make_httpd("upbody", extra="H2UpgradeMaxBody 10\n")
    assert _upgrade(h.http_port, b"x" * 5) == b"HTTP/1.1 101 Switching Protocols"
    assert _upgrade(h.http_port, b"x" * 100).startswith(b"HTTP/1.1 200")


# ---------------------------------------------------------------------------------------
# H2Direct, H2Upgrade and H2Push where mod_http2 allows them

def test_h2direct_off(make_httpd):
    h = make_httpd("direct-off", extra="H2Direct off\n")
    c = w.Conn(h.http_port)
    c.send(w.PREFACE + w.frame(w.SETTINGS, 0, 0))
    data = b""
    deadline = time.monotonic() + 5
    while len(data) < 12 and time.monotonic() < deadline:
        c.sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = c.sock.recv(4096)
        if not chunk:
            break
        data += chunk
    assert data.startswith(b"HTTP/1.1 "), data    # HTTP/1.1 answers the preface
    c.close()


HTACCESS_CONF = """
<Directory "{root}/htdocs/authcfg">
    AllowOverride AuthConfig
</Directory>
<Directory "{root}/htdocs/fileinfo">
    AllowOverride FileInfo
</Directory>
<Directory "{root}/cgi-bin/authcfg">
    AllowOverride AuthConfig
    Options +ExecCGI
</Directory>
<Location /authcfg/page.html>
    Header add Link "</authcfg/a.css>; rel=preload"
</Location>
"""


def _htaccess_server(make_httpd, files):
    h = make_httpd("htaccess", start=False, extra=HTACCESS_CONF)
    for rel, text in files.items():
        p = os.path.join(h.root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    h.start()
    return h


def test_h2push_off_in_htaccess_authconfig(make_httpd):
    h = _htaccess_server(make_httpd, {
        "htdocs/authcfg/.htaccess": "H2Push off\n",
        "htdocs/authcfg/page.html": "page\n",
        "htdocs/authcfg/a.css": "css\n"})
    c = PushClient(h.http_port)
    r = c.get("/authcfg/page.html")
    assert r.status == 200 and bytes(r.body) == b"page\n"
    c.wait()
    assert c.promises == []                    # the .htaccess turned push off here
    c.close()
    with open(os.path.join(h.root, "htdocs/authcfg/.htaccess"), "w") as f:
        f.write("H2Push on\n")
    c = PushClient(h.http_port)
    r = c.get("/authcfg/page.html")
    assert r.status == 200
    c.wait()
    assert [p for _, _, p in c.promises] == ["/authcfg/a.css"]
    c.close()


def test_h2upgrade_off_in_htaccess_authconfig(make_httpd):
    h = _htaccess_server(make_httpd, {
        "htdocs/authcfg/.htaccess": "H2Upgrade off\n",
        "htdocs/authcfg/page.html": "page\n",
        "htdocs/page.html": "page\n"})

    def status(path):
        s = socket.create_connection(("127.0.0.1", h.http_port), timeout=5)
        s.sendall(b"GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings"
                  b"\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n"
                  % path.encode())
        data = s.recv(4096)
        s.close()
        return data.split(b"\r\n", 1)[0]
    assert status("/authcfg/page.html") == b"HTTP/1.1 200 OK"
    assert status("/page.html") == b"HTTP/1.1 101 Switching Protocols"


def test_h2push_in_htaccess_fileinfo_is_refused_as_in_mod_http2(make_httpd):
    """H2Push needs AllowOverride AuthConfig (mod_http2's class): under FileInfo only the
    directory answers 500, with mod_http2 as with mod_h2."""
    h = _htaccess_server(make_httpd, {
        "htdocs/fileinfo/.htaccess": "H2Push off\n",
        "htdocs/fileinfo/page.html": "page\n"})
    c = H2Client(h.http_port)
    assert c.get("/fileinfo/page.html").status == 500
    c.close()
    with open(h.error_log) as f:
        assert "H2Push not allowed here" in f.read()


# ---------------------------------------------------------------------------------------
# H2MaxStreamErrors: flow-control stream errors per connection (mod_http2's count)

@pytest.mark.parametrize("limit", [2, 0])
def test_h2maxstreamerrors(make_httpd, limit):
    h = make_httpd("streamerrs", extra="H2MaxStreamErrors %d\nH2ResetBudget 1000\n" % limit)
    c = w.Conn(h.http_port)
    c.handshake()
    n = 4 if limit else 10
    for i in range(n):
        sid = 1 + 2 * i
        c.request(sid, "/cgi-bin/slow.py?1")
        # §6.9.1: a stream window above 2^31-1 is a stream error FLOW_CONTROL_ERROR
        c.send_frame(w.WINDOW_UPDATE, 0, sid, w.window_payload(0x7fffffff))
        c.expect_stream_error(sid, w.FLOW_CONTROL_ERROR)
        if limit and i == limit:
            break              # one more than H2MaxStreamErrors: GOAWAY follows the reset
    if limit:
        g = c.expect_conn_error(w.PROTOCOL_ERROR, timeout=5)
        assert g.last_stream_id == 1 + 2 * limit, g
    else:
        c.ping()
        c.expect_ping_ack()       # 0: no limit, the connection carries on
    c.close()


# ---------------------------------------------------------------------------------------
# H2ModernTLSOnly: TLS 1.2 with a cipher on RFC 9113's block list (Appendix A)

def _tls12_cbc_conn(port):
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("AES128-SHA:@SECLEVEL=0")
    ctx.set_alpn_protocols(["h2"])
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        sock = ctx.wrap_socket(raw, server_hostname="localhost")
    except (ssl.SSLError, OSError) as e:
        raw.close()
        pytest.skip("server or client TLS library refuses AES128-SHA: %s" % e)
    assert sock.cipher()[0] == "AES128-SHA" and sock.selected_alpn_protocol() == "h2"
    return w.Conn.from_socket(sock)


@pytest.mark.parametrize("modern", ["on", "off"])
def test_h2moderntlsonly(make_httpd, modern):
    h = make_httpd("modern", extra="H2ModernTLSOnly %s\n"
                   "<VirtualHost 127.0.0.1:{https_port}>\n    ServerName localhost\n"
                   "    SSLEngine on\n    SSLCertificateFile \"{root}/conf/server.crt\"\n"
                   "    SSLCertificateKeyFile \"{root}/conf/server.key\"\n"
                   "    SSLCipherSuite AES128-SHA:@SECLEVEL=0\n    SSLProtocol TLSv1.2\n"
                   "</VirtualHost>\n" % modern)
    c = _tls12_cbc_conn(h.https_port)
    try:
        if modern == "on":
            c.send(w.PREFACE + w.frame(w.SETTINGS, 0, 0))
            c.expect_conn_error(w.INADEQUATE_SECURITY)
        else:
            c.handshake()
            c.request(1, "/1k.txt", extra=())
            headers, body, _, rst = c.read_response(1)
            assert rst is None and len(body) == 1024
    finally:
        c.close()
