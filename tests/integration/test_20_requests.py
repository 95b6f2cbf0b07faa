# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Requests over HTTP/2 behave as over HTTP/1.1: methods, bodies both ways, flow control,
concurrency, error documents and the usual httpd modules."""
import os
import re
import subprocess
import threading
import time

import pytest

from h2client import H2Client


def curl(*args, inp=None):
    res = subprocess.run(["curl", "-s", "-k", "--max-time", "60"] + list(args),
                         capture_output=True, input=inp)
    assert res.returncode == 0, res.stderr
    return res


def pattern(n):
    block = bytes((i * 7 + 13) & 0xff for i in range(1024))
    return (block * (n // 1024 + 1))[:n]


def test_get(httpd):
    c = H2Client(httpd.http_port)
    r = c.get("/1k.txt")
    assert r.status == 200
    assert r.body == pattern(1024)
    assert r.header("content-length") == "1024"
    assert r.header("date") and r.header("server")
    c.close()


def test_head(httpd):
    c = H2Client(httpd.http_port)
    r = c.get("/1k.txt", method="HEAD")
    assert r.status == 200
    assert r.header("content-length") == "1024"
    assert r.body == b""
    c.close()


def test_404(httpd):
    c = H2Client(httpd.https_port, tls=True)
    r = c.get("/does-not-exist")
    assert r.status == 404
    assert b"Not Found" in r.body
    c.close()


def test_304(httpd):
    c = H2Client(httpd.http_port)
    r = c.get("/1k.txt")
    etag = r.header("etag")
    assert etag
    r2 = c.get("/1k.txt", headers=[("if-none-match", etag)])
    assert r2.status == 304
    assert r2.body == b""
    c.close()


def test_post_1mb_cgi(httpd):
    data = os.urandom(1024 * 1024)
    res = curl("--http2-prior-knowledge", "--data-binary", "@-", "-D", "-",
               "-H", "Content-Type: application/octet-stream",
               httpd.url("/cgi-bin/echo.py", tls=False), inp=data)
    head, _, body = res.stdout.partition(b"\r\n\r\n")
    assert b"HTTP/2 200" in head
    assert b"x-request-length: 1048576" in head.lower()
    assert body == data


def test_post_1mb_tls_raw(httpd):
    data = os.urandom(1024 * 1024)
    c = H2Client(httpd.https_port, tls=True)
    sid = c.request("/cgi-bin/echo.py", method="POST", body=data,
                    headers=[("content-length", str(len(data)))])
    r = c.wait([sid])[0]
    assert r.status == 200
    assert r.body == data
    c.close()


def test_post_without_content_length(httpd):
    data = pattern(100000)
    c = H2Client(httpd.http_port)
    sid = c.request("/cgi-bin/echo.py", method="POST", body=data)
    r = c.wait([sid])[0]
    assert r.status == 200
    assert r.body == data
    c.close()


def test_download_10mb_small_window(httpd):
    c = H2Client(httpd.http_port, window=16384)
    r = c.get("/10m.bin")
    assert r.status == 200
    assert len(r.body) == 10 * 1024 * 1024
    assert r.body == pattern(10 * 1024 * 1024)
    c.close()


def test_download_10mb_tls(httpd):
    res = curl("--http2", "-o", "-", httpd.url("/10m.bin"))
    assert len(res.stdout) == 10 * 1024 * 1024
    assert res.stdout == pattern(10 * 1024 * 1024)


def test_100_concurrent_streams(httpd):
    res = subprocess.run(["h2load", "-n", "100", "-c", "1", "-m", "100",
                          httpd.url("/1k.txt", tls=False)], capture_output=True, text=True,
                         timeout=60)
    assert "100 succeeded" in res.stdout, res.stdout


def test_many_streams_h2load_tls(httpd):
    res = subprocess.run(["h2load", "-n", "2000", "-c", "4", "-m", "32",
                          httpd.url("/1k.txt")], capture_output=True, text=True, timeout=60)
    assert "2000 succeeded" in res.stdout, res.stdout


def test_slow_stream_does_not_block_others(httpd):
    c = H2Client(httpd.http_port)
    slow = c.request("/cgi-bin/slow.py?3")
    fast = [c.request("/1k.txt") for _ in range(20)]
    t0 = time.monotonic()
    c.wait(fast)
    t_fast = time.monotonic() - t0
    assert not c.responses[slow].ended
    r = c.wait([slow])[0]
    assert r.status == 200 and b"slept" in r.body
    assert t_fast < 2.5
    c.close()


def test_request_trailers(httpd):
    c = H2Client(httpd.http_port)
    data = pattern(5000)
    sid = c.request("/cgi-bin/echo.py", method="POST", body=data,
                    trailers=[("x-checksum", "abc")])
    r = c.wait([sid])[0]
    assert r.status == 200
    assert r.body == data
    c.close()


def test_expect_100_continue(httpd):
    c = H2Client(httpd.http_port)
    sid = c.request("/cgi-bin/echo.py", method="POST", end=False,
                    headers=[("expect", "100-continue"), ("content-length", "5")])
    # the 100 arrives before we send the body
    while not c.responses[sid].interim:
        assert c.pump()
    assert c.responses[sid].interim[0][0] == (b":status", b"100")
    c.send_body(sid, b"hello")
    r = c.wait([sid])[0]
    assert r.status == 200 and r.body == b"hello"
    c.close()


def test_client_reset_then_more(httpd):
    c = H2Client(httpd.http_port)
    sid = c.request("/10m.bin")
    c.pump()
    c.conn.reset_stream(sid)
    c.flush()
    r = c.get("/1k.txt")
    assert r.status == 200 and len(r.body) == 1024
    c.close()


EXTRA = """
ErrorDocument 404 /missing.html
<Location /gz>
    SetOutputFilter DEFLATE
</Location>
Alias /gz "{root}/htdocs"
RewriteEngine on
RewriteRule ^/old/(.*)$ /$1 [PT]
RewriteRule ^/moved$ /1k.txt [R=301,L]
ProxyPass /proxy/ http://127.0.0.1:{http_port}/
ProxyPassReverse /proxy/ http://127.0.0.1:{http_port}/
Header always set X-Stream "%{H2_STREAM_ID}e"
"""


@pytest.fixture(scope="module")
def mods(request):
    import conftest  # noqa: F401
    import h2conf
    import shutil
    import tempfile
    root = tempfile.mkdtemp(prefix="mod_h2-mods-")
    os.chmod(root, 0o755)
    h = h2conf.Httpd(root, extra=EXTRA, log_level="info")
    h.make_root()
    with open(os.path.join(h.docroot, "missing.html"), "w") as f:
        f.write("custom not found page\n")
    h.start()
    yield h
    h.stop()
    shutil.rmtree(root, ignore_errors=True)


def test_error_document(mods):
    c = H2Client(mods.http_port)
    r = c.get("/nothere.html")
    assert r.status == 404
    assert r.body == b"custom not found page\n"
    c.close()


def test_mod_deflate(mods):
    c = H2Client(mods.http_port)
    r = c.get("/gz/index.html", headers=[("accept-encoding", "gzip")])
    assert r.status == 200
    assert r.header("content-encoding") == "gzip"
    import gzip
    assert b"mod_h2" in gzip.decompress(bytes(r.body))
    c.close()


def test_mod_rewrite(mods):
    c = H2Client(mods.http_port)
    r = c.get("/old/1k.txt")
    assert r.status == 200 and len(r.body) == 1024
    r = c.get("/moved")
    assert r.status == 301
    assert r.header("location").endswith("/1k.txt")
    c.close()


def test_mod_proxy_http11_backend(mods):
    c = H2Client(mods.https_port, tls=True)
    r = c.get("/proxy/1k.txt")
    assert r.status == 200
    assert r.body == pattern(1024)
    r = c.get("/proxy/10m.bin")
    assert r.status == 200 and len(r.body) == 10 * 1024 * 1024
    c.close()


def test_mod_headers_env(mods):
    c = H2Client(mods.http_port)
    r = c.get("/1k.txt")
    r2 = c.get("/1k.txt")
    assert r.header("x-stream") == "1"
    assert r2.header("x-stream") == "3"
    c.close()


def test_mod_status(mods):
    c = H2Client(mods.http_port)
    r = c.get("/server-status?auto")
    assert r.status == 200
    assert b"ServerVersion" in r.body or b"Total Accesses" in r.body
    c.close()


def test_graceful_restart_mid_download(make_httpd, tmp_path):
    h = make_httpd("graceful")
    out = tmp_path / "10m.out"
    # python-h2 closes on the first GOAWAY, curl follows RFC 9113 §6.8: use curl
    proc = subprocess.Popen(["curl", "-s", "--http2-prior-knowledge", "--limit-rate", "2M",
                             "-o", str(out), h.url("/10m.bin", tls=False)])
    deadline = time.monotonic() + 20
    while (not out.exists() or out.stat().st_size < 256 * 1024) and time.monotonic() < deadline:
        time.sleep(0.02)  # polling the download's progress, bounded by the deadline
    assert out.exists() and out.stat().st_size >= 256 * 1024
    h.graceful()
    assert proc.wait(timeout=60) == 0
    assert out.stat().st_size == 10 * 1024 * 1024
    # the new generation serves new connections
    c2 = H2Client(h.http_port)
    assert c2.get("/1k.txt").status == 200
    c2.close()


@pytest.mark.parametrize("mpm", ["worker", "event", "prefork"])
def test_mpms(make_httpd, mpm):
    h = make_httpd("mpm-" + mpm, mpm=mpm)
    c = H2Client(h.http_port)
    sids = [c.request("/1k.txt") for _ in range(30)]
    data = pattern(200000)
    post = c.request("/cgi-bin/echo.py", method="POST", body=data)
    rs = c.wait(sids + [post])
    assert all(r.status == 200 and len(r.body) == 1024 for r in rs[:-1])
    assert rs[-1].body == data
    c.close()
    res = curl("--http2", "-o", "/dev/null", "-w", "%{http_version}", h.url("/1k.txt"))
    assert res.stdout == b"2"
