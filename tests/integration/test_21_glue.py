# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""httpd glue details: header limits from the core, TLS requirements, streaming
responses, idle connections, worker pool settings."""
import os
import subprocess
import time

import pytest

from h2client import H2Client

SSE_CGI = r'''#!/usr/bin/python3
import sys, time
sys.stdout.write("Content-Type: text/event-stream\r\n\r\n")
sys.stdout.flush()
for i in range(3):
    sys.stdout.write("data: event %d %f\n\n" % (i, time.time()))
    sys.stdout.flush()
    time.sleep(0.7)
'''

NOCONTENT_CGI = r'''#!/usr/bin/python3
import sys
sys.stdout.write("Status: 204 No Content\r\nX-Test: yes\r\n\r\n")
'''


@pytest.fixture(scope="module")
def glue(request):
    import h2conf
    import shutil
    import tempfile
    root = tempfile.mkdtemp(prefix="mod_h2-glue-")
    os.chmod(root, 0o755)
    h = h2conf.Httpd(root, log_level="info", extra="""
LimitRequestFieldSize 200
LimitRequestFields 20
H2MinWorkers 2
H2MaxWorkers 8
H2StreamMaxMemSize 16384
""")
    h.make_root()
    for name, body in (("sse.py", SSE_CGI), ("nocontent.py", NOCONTENT_CGI)):
        p = os.path.join(root, "cgi-bin", name)
        with open(p, "w") as f:
            f.write(body)
        os.chmod(p, 0o755)
    h.start()
    yield h
    h.stop()
    shutil.rmtree(root, ignore_errors=True)


def test_field_size_limit_431(glue):
    c = H2Client(glue.http_port)
    r = c.get("/1k.txt", headers=[("x-big", "a" * 300)])
    assert r.status == 431
    r = c.get("/1k.txt", headers=[("x-small", "a" * 50)])
    assert r.status == 200
    c.close()


def test_field_count_limit(glue):
    c = H2Client(glue.http_port)
    r = c.get("/1k.txt", headers=[("x-f%d" % i, "v") for i in range(40)])
    assert r.status == 431 or r.reset is not None
    # the connection survives
    r = c.get("/1k.txt")
    assert r.status == 200
    c.close()


def test_streaming_response_flushed(glue):
    c = H2Client(glue.http_port)
    sid = c.request("/cgi-bin/sse.py")
    t0 = time.monotonic()
    while b"event 0" not in c.responses[sid].body:
        assert c.pump()
    t_first = time.monotonic() - t0
    r = c.wait([sid])[0]
    t_all = time.monotonic() - t0
    assert b"event 2" in r.body
    # the first event came long before the script ended (it sleeps 3 x 0.7 s)
    assert t_first < t_all - 1.0, (t_first, t_all)
    c.close()


def test_204_no_body(glue):
    c = H2Client(glue.http_port)
    r = c.get("/cgi-bin/nocontent.py")
    assert r.status == 204
    assert r.header("x-test") == "yes"
    assert r.body == b""
    assert r.header("content-length") is None
    c.close()


def test_small_stream_buffer_large_download(glue):
    # H2StreamMaxMemSize 16k: a CGI streaming 2 MB must be paced, not buffered
    c = H2Client(glue.http_port)
    data = os.urandom(2 * 1024 * 1024)
    sid = c.request("/cgi-bin/echo.py", method="POST", body=data)
    r = c.wait([sid])[0]
    assert r.status == 200 and r.body == data
    c.close()


def test_few_workers_many_streams(glue):
    # H2MaxWorkers 8, 60 concurrent streams incl. slow ones: all complete
    c = H2Client(glue.http_port)
    slow = [c.request("/cgi-bin/slow.py?0.5") for _ in range(4)]
    fast = [c.request("/1k.txt") for _ in range(56)]
    rs = c.wait(slow + fast)
    assert all(r.status == 200 for r in rs)
    c.close()


def test_modern_tls_only(make_httpd):
    h = make_httpd("moderntls", vhosts="""
<VirtualHost 127.0.0.1:{https_port}>
    ServerName weak.localhost
    SSLEngine on
    SSLCertificateFile "{root}/conf/server.crt"
    SSLCertificateKeyFile "{root}/conf/server.key"
</VirtualHost>
""", extra="SSLProtocol TLSv1.2\nSSLCipherSuite ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256\n"
           "SSLHonorCipherOrder on\n")
    # a CBC suite: HTTP/2 must refuse with INADEQUATE_SECURITY (RFC 9113 §9.2.2)
    res = subprocess.run(["curl", "-sk", "--http2", "--tls-max", "1.2", "--ciphers",
                          "ECDHE-RSA-AES128-SHA", "-o", "/dev/null", "-w", "%{http_version}",
                          h.url("/1k.txt")], capture_output=True, text=True)
    assert res.stdout != "2" or res.returncode != 0, (res.stdout, res.stderr)
    # an AEAD suite works
    res = subprocess.run(["curl", "-sk", "--http2", "--tls-max", "1.2", "--ciphers",
                          "ECDHE-RSA-AES128-GCM-SHA256", "-o", "/dev/null", "-w",
                          "%{http_version}", h.url("/1k.txt")], capture_output=True, text=True)
    assert res.stdout == "2", res.stderr


def test_h2upgrade_off(make_httpd):
    h = make_httpd("noupgrade", extra="H2Upgrade off\n")
    res = subprocess.run(["curl", "-s", "--http2", "-o", "/dev/null", "-w", "%{http_version}",
                          h.url("/1k.txt", tls=False)], capture_output=True, text=True)
    assert res.stdout == "1.1"


def test_keepalive_timeout_worker_mpm(make_httpd):
    h = make_httpd("kaworker", mpm="worker", extra="KeepAliveTimeout 1\n")
    c = H2Client(h.http_port)
    assert c.get("/1k.txt").status == 200
    t0 = time.monotonic()
    while c.pump():
        if c.goaway is not None:
            break
    assert time.monotonic() - t0 < 5
    c.close()


def test_limit_request_body(make_httpd):
    h = make_httpd("limitbody", extra="""
<Location /cgi-bin>
    LimitRequestBody 1000
</Location>
""")
    c = H2Client(h.http_port)
    ok = c.request("/cgi-bin/echo.py", method="POST", body=b"x" * 500)
    big = c.request("/cgi-bin/echo.py", method="POST", body=b"x" * 5000,
                    headers=[("content-length", "5000")])
    nolen = c.request("/cgi-bin/echo.py", method="POST", body=b"x" * 5000)
    r_ok, r_big, r_nolen = c.wait([ok, big, nolen])
    assert r_ok.status == 200 and r_ok.body == b"x" * 500
    assert r_big.status == 413
    assert r_nolen.status == 413 or r_nolen.reset is not None
    c.close()


def test_early_hints_configured(make_httpd):
    h = make_httpd("earlyhints", extra="""
H2EarlyHints on
<Location /index.html>
    H2EarlyHint Link "</style.css>;rel=preload;as=style"
</Location>
""")
    c = H2Client(h.http_port)
    r = c.get("/index.html")
    assert r.status == 200
    assert r.interim, "no 103"
    hints = dict(r.interim[0])
    assert hints[b":status"] == b"103"
    assert b"style.css" in hints[b"link"]
    r2 = c.get("/1k.txt")
    assert r2.status == 200 and not r2.interim
    c.close()


def test_migration_example_parses_and_serves(make_httpd):
    """conf-examples/migrate-from-mod_http2.conf (without its LoadModule line) works."""
    top = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(os.path.join(top, "conf-examples", "migrate-from-mod_http2.conf")) as f:
        conf = "".join(l for l in f if not l.startswith("LoadModule"))
    h = make_httpd("migrate", extra=conf)
    res = subprocess.run(["curl", "-sk", "--http2", "-o", "/dev/null", "-w", "%{http_version}",
                          h.url("/1k.txt")], capture_output=True, text=True)
    assert res.stdout == "2"


def test_mod_ssl_variables_on_streams(make_httpd):
    h = make_httpd("sslvars", extra="""
<Directory "{root}/cgi-bin">
    SSLOptions +StdEnvVars
</Directory>
""")
    c = H2Client(h.https_port, tls=True)
    r = c.get("/cgi-bin/env.py")
    env = dict(l.split("=", 1) for l in r.body.decode().splitlines() if "=" in l)
    assert env.get("HTTPS") == "on"
    assert env.get("SSL_PROTOCOL", "").startswith("TLSv1.")
    assert env.get("SSL_CIPHER")
    assert env.get("SSL_SERVER_S_DN_CN") == "localhost"
    assert env.get("HTTP2") == "on"
    c.close()


def _total_accesses(h):
    import urllib.request
    with urllib.request.urlopen("http://127.0.0.1:%d/server-status?auto" % h.http_port,
                                timeout=10) as f:
        for line in f.read().decode().splitlines():
            if line.startswith("Total Accesses:"):
                return int(line.split(":", 1)[1])
    raise AssertionError("no Total Accesses in server-status")


def test_scoreboard_counts_h2_requests(glue):
    # requests on streams are counted on the scoreboard (mod_status) like HTTP/1.1 ones
    before = _total_accesses(glue)
    c = H2Client(glue.http_port)
    for _ in range(10):
        assert c.get("/1k.txt").status == 200
    c.close()
    after = _total_accesses(glue)
    assert after - before >= 10, (before, after)


class _TLSRecords:
    """Sizes of the TLS application-data records the client receives (the record
    headers OpenSSL reports to ssl.SSLContext._msg_callback)."""

    def __init__(self):
        self.sizes = []

    def __call__(self, conn, direction, version, content_type, msg_type, data):
        if direction == "read" and content_type == 0x100 and len(data) == 5 and data[0] == 23:
            self.sizes.append(int.from_bytes(data[3:5], "big"))


def test_tls_warmup_small_records(make_httpd):
    # H2TLSWarmUpSize (default 1 MB): the first bytes go out in small TLS records (one
    # TCP segment each), then large ones; after H2TLSCoolDownSecs idle, small again
    h = make_httpd("tlswarm", extra="H2TLSWarmUpSize 1048576\nH2TLSCoolDownSecs 1\n")
    rec = _TLSRecords()
    c = H2Client(h.https_port, tls=True, ssl_msg_callback=rec)
    with open(os.path.join(h.docroot, "100k.bin"), "rb") as f:
        small = f.read()
    r = c.get("/100k.bin")
    assert r.status == 200 and r.body == small
    assert rec.sizes and max(rec.sizes) <= 1300 + 64, max(rec.sizes)
    rec.sizes.clear()
    r = c.get("/10m.bin")
    assert r.status == 200 and len(r.body) == 10 * 1024 * 1024
    assert max(rec.sizes) > 8192, max(rec.sizes)
    time.sleep(1.5)
    rec.sizes.clear()
    r = c.get("/100k.bin")
    assert r.status == 200 and r.body == small
    assert max(rec.sizes) <= 1300 + 64, max(rec.sizes)
    c.close()


def test_tls_warmup_off(make_httpd):
    h = make_httpd("tlswarmoff", extra="H2TLSWarmUpSize 0\n")
    rec = _TLSRecords()
    c = H2Client(h.https_port, tls=True, ssl_msg_callback=rec)
    r = c.get("/100k.bin")
    assert r.status == 200 and len(r.body) == 100 * 1024
    assert max(rec.sizes) > 8192, max(rec.sizes)
    r = c.get("/10m.bin")
    assert r.status == 200 and len(r.body) == 10 * 1024 * 1024
    c.close()
