# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Protocol negotiation: ALPN h2 over TLS, h2c by Upgrade and by prior knowledge, the core
Protocols directive per vhost, 421 for vhosts that may not share a connection."""
import subprocess

from h2client import H2Client


def curl(*args, check=True):
    res = subprocess.run(["curl", "-s", "-k", "--max-time", "20"] + list(args),
                         capture_output=True)
    if check:
        assert res.returncode == 0, res.stderr
    return res


def curl_version(*args):
    res = curl("-o", "/dev/null", "-w", "%{http_code} %{http_version}", *args)
    return res.stdout.decode()


def test_alpn_h2(httpd):
    assert curl_version("--http2", httpd.url("/1k.txt")) == "200 2"


def test_tls_body(httpd):
    res = curl("--http2", httpd.url("/1k.txt"))
    assert len(res.stdout) == 1024


def test_upgrade_h2c(httpd):
    assert curl_version("--http2", httpd.url("/1k.txt", tls=False)) == "200 2"


def test_upgrade_h2c_with_body(httpd):
    data = bytes(range(256)) * 40
    res = curl("--http2", "--data-binary", "@-", "-H", "Content-Type: application/octet-stream",
               httpd.url("/cgi-bin/echo.py", tls=False)) if False else None
    res = subprocess.run(["curl", "-s", "--http2", "--data-binary", "@-", "-D", "-",
                          httpd.url("/cgi-bin/echo.py", tls=False)],
                         input=data, capture_output=True)
    assert res.returncode == 0
    head, _, body = res.stdout.partition(b"\r\n\r\n")
    # curl shows the 101 first, then the h2 response
    assert b"HTTP/2 200" in res.stdout
    assert res.stdout.endswith(data)


def test_prior_knowledge(httpd):
    assert curl_version("--http2-prior-knowledge", httpd.url("/1k.txt", tls=False)) == "200 2"


def test_prior_knowledge_raw_client(httpd):
    c = H2Client(httpd.http_port)
    r = c.get("/index.html")
    assert r.status == 200
    assert b"mod_h2" in r.body
    c.close()


def test_alpn_raw_client(httpd):
    c = H2Client(httpd.https_port, tls=True)
    assert c.alpn == "h2"
    r = c.get("/1k.txt")
    assert r.status == 200 and len(r.body) == 1024
    c.close()


def test_http11_keepalive_still_works(httpd):
    res = curl("--http1.1", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_version} ",
               httpd.url("/1k.txt", tls=False), httpd.url("/index.html", tls=False))
    assert res.stdout.decode().split() == ["1.1", "1.1"]


def test_stream_env(httpd):
    res = curl("--http2-prior-knowledge", httpd.url("/cgi-bin/env.py", tls=False))
    env = dict(l.split("=", 1) for l in res.stdout.decode().splitlines() if "=" in l)
    assert env.get("HTTP2") == "on"
    assert env.get("SERVER_PROTOCOL") == "HTTP/2.0"
    assert env.get("H2_STREAM_ID") == "1"
    assert "H2_STREAM_TAG" in env


def test_ssl_vars_on_streams(httpd):
    res = curl("--http2", httpd.url("/cgi-bin/env.py"))
    env = dict(l.split("=", 1) for l in res.stdout.decode().splitlines() if "=" in l)
    assert env.get("HTTPS") == "on"
    assert env.get("HTTP2") == "on"


def test_access_log_protocol(httpd):
    curl("--http2-prior-knowledge", "-o", "/dev/null", httpd.url("/1k.txt?logcheck", tls=False))
    lines = httpd.access_lines("logcheck")
    assert lines and "HTTP/2.0" in lines[-1], lines


VHOSTS = """
<VirtualHost 127.0.0.1:{https_port}>
    ServerName other.localhost
    Protocols http/1.1
    DocumentRoot "{root}/htdocs"
    SSLEngine on
    SSLCertificateFile "{root}/conf/server.crt"
    SSLCertificateKeyFile "{root}/conf/server.key"
</VirtualHost>
<VirtualHost 127.0.0.1:{http_port}>
    ServerName localhost
    DocumentRoot "{root}/htdocs"
</VirtualHost>
<VirtualHost 127.0.0.1:{http_port}>
    ServerName other.localhost
    Protocols http/1.1
    DocumentRoot "{root}/htdocs"
</VirtualHost>
"""


def test_protocols_per_vhost_alpn(make_httpd):
    h = make_httpd("vhosts", vhosts=VHOSTS)
    resolve = "--resolve", "other.localhost:%d:127.0.0.1" % h.https_port
    url = "https://other.localhost:%d/1k.txt" % h.https_port
    assert curl_version("--http2", *resolve, url) == "200 1.1"
    assert curl_version("--http2", h.url("/1k.txt")) == "200 2"


def test_misdirected_421_tls(make_httpd):
    h = make_httpd("vhosts421", vhosts=VHOSTS)
    c = H2Client(h.https_port, tls=True, host="localhost")
    ok = c.get("/1k.txt")
    assert ok.status == 200
    r = c.get("/1k.txt", authority="other.localhost:%d" % h.https_port)
    assert r.status == 421
    c.close()


def test_misdirected_421_h2c(make_httpd):
    h = make_httpd("vhosts421c", vhosts=VHOSTS)
    c = H2Client(h.http_port)
    r = c.get("/1k.txt", authority="other.localhost:%d" % h.http_port)
    assert r.status == 421
    r = c.get("/1k.txt", authority="localhost:%d" % h.http_port)
    assert r.status == 200
    c.close()


def test_h2direct_off(make_httpd):
    h = make_httpd("nodirect", extra="H2Direct off\n")
    res = curl("--http2-prior-knowledge", "-o", "/dev/null", h.url("/1k.txt", tls=False),
               check=False)
    assert res.returncode != 0 or b"" == res.stdout
    # Upgrade still works
    assert curl_version("--http2", h.url("/1k.txt", tls=False)) == "200 2"


def test_obsolete_directive_warns(make_httpd):
    h = make_httpd("unsupp", extra="H2SessionExtraFiles 10\nH2SerializeHeaders off\nH2Push off\n")
    assert curl_version("--http2", h.url("/1k.txt")) == "200 2"
    with open(h.error_log) as f:
        log = f.read()
    assert "H2SessionExtraFiles is obsolete and will be ignored" in log
