# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Server push (PUSH_PROMISE from Link preload, X-Associated-Content and H2PushResource),
the push diary, per-vhost/per-directory H2Push, clients without push, cancelled pushes,
103 Early Hints, and RFC 9218 priorities set by clients and by handlers."""
import http.server
import os
import re
import shutil
import socketserver
import subprocess
import tempfile
import threading

import h2.events
import h2.errors
import h2.settings
import pytest

import h2conf
from h2client import H2Client, Response

PUSH_CONF = r"""
H2Push on
H2PushDiarySize 256
Alias /lazy/ "{root}/htdocs/"
Alias /urgent/ "{root}/htdocs/"
<Location /lazy/>
    Header set Priority "u=7"
</Location>
<Location /urgent/>
    Header set Priority "u=0"
</Location>
<Location /push/link.html>
    Header add Link "</push/a.css>; rel=preload; as=style"
    Header add Link "</push/b.js>; rel=\"preload\"; as=script, </push/c.txt>; rel=preload; nopush"
    Header add Link "<https://other.example/x.css>; rel=preload, </push/d.txt>; rel=prefetch"
</Location>
<Location /push/link2.html>
    Header add Link "</push/a.css>; rel=preload"
</Location>
<Location /push/xac.html>
    Header set X-Associated-Content '"/push/a.css":1, "https://localhost:{https_port}/push/b.js", "http://elsewhere/c.txt"'
</Location>
<Location /push/conf.html>
    H2PushResource /push/a.css
    H2PushResource add /push/b.js critical
</Location>
<Location /push/off.html>
    H2Push off
    Header add Link "</push/a.css>; rel=preload"
</Location>
<Location /push/big.html>
    Header add Link "</10m.bin>; rel=preload"
</Location>
<Location /push/env.html>
    Header add Link "</cgi-bin/env.py?pushed>; rel=preload"
</Location>
<Location /hints/>
    H2EarlyHints on
    H2Push off
    H2PushResource /push/a.css
    H2EarlyHint Link "</push/x.js>; rel=preload; as=script"
</Location>
<Location /hintpush/>
    H2EarlyHints on
    H2PushResource /push/a.css
</Location>
"""

VHOSTS = r"""
<VirtualHost 127.0.0.1:{https_port}>
    ServerName test.localhost
    SSLEngine on
    SSLCertificateFile "{root}/conf/server.crt"
    SSLCertificateKeyFile "{root}/conf/server.key"
    H2Push on
    <Location /vh.html>
        Header add Link "</push/a.css>; rel=preload"
    </Location>
</VirtualHost>
<VirtualHost 127.0.0.1:{https_port}>
    ServerName other.localhost
    SSLEngine on
    SSLCertificateFile "{root}/conf/server.crt"
    SSLCertificateKeyFile "{root}/conf/server.key"
    H2Push off
    <Location /vh.html>
        Header add Link "</push/b.js>; rel=preload"
    </Location>
</VirtualHost>
"""

FILES = {
    "push/link.html": "<html>link</html>\n",
    "push/link2.html": "<html>link2</html>\n",
    "push/xac.html": "<html>xac</html>\n",
    "push/conf.html": "<html>conf</html>\n",
    "push/off.html": "<html>off</html>\n",
    "push/big.html": "<html>big</html>\n",
    "push/env.html": "<html>env</html>\n",
    "push/a.css": "body { color: red; }\n",
    "push/b.js": "var b = 1;\n",
    "push/c.txt": "c\n",
    "push/d.txt": "d\n",
    "push/x.js": "var x = 1;\n",
    "hints/index.html": "<html>hints</html>\n",
    "hintpush/index.html": "<html>hintpush</html>\n",
    "vh.html": "<html>vh</html>\n",
}


@pytest.fixture(scope="module")
def push():
    root = tempfile.mkdtemp(prefix="mod_h2-push-")
    os.chmod(root, 0o755)
    h = h2conf.Httpd(root, log_level="info", extra=PUSH_CONF, vhosts=VHOSTS)
    h.make_root()
    for name, body in FILES.items():
        p = os.path.join(h.docroot, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(body)
    h.start()
    yield h
    h.stop()
    if not os.environ.get("H2_KEEP_ROOTS"):
        shutil.rmtree(root, ignore_errors=True)


class PushClient(H2Client):
    """H2Client that records PUSH_PROMISEs; cancel=True resets every promised stream."""

    def __init__(self, *a, cancel=False, **kw):
        self.promises = []     # (parent sid, promised sid, request headers dict)
        self.cancel = cancel
        self.order = []        # stream ids in the order they ended
        super().__init__(*a, **kw)

    def _event(self, ev, auto_ack):
        if isinstance(ev, h2.events.PushedStreamReceived):
            hd = {k.decode(): v.decode() for k, v in ev.headers}
            self.promises.append((ev.parent_stream_id, ev.pushed_stream_id, hd))
            self.responses[ev.pushed_stream_id] = Response(ev.pushed_stream_id)
            if self.cancel:
                self.conn.reset_stream(ev.pushed_stream_id, h2.errors.ErrorCodes.CANCEL)
                self.responses[ev.pushed_stream_id].ended = True
            return
        if isinstance(ev, h2.events.StreamEnded):
            self.order.append(ev.stream_id)
        if isinstance(ev, h2.events.StreamReset) and ev.stream_id not in self.responses:
            return
        super()._event(ev, auto_ack)

    def pushed_paths(self, parent=None):
        return sorted(hd[":path"] for p, _, hd in self.promises if parent in (None, p))

    def wait_all(self):
        return self.wait(list(self.responses))


def test_push_from_link_headers(push):
    c = PushClient(push.https_port, tls=True)
    r = c.get("/push/link.html", headers=[("user-agent", "push-test")])
    assert r.status == 200
    c.wait_all()
    # nopush, other origins and other relations are not pushed
    assert c.pushed_paths() == ["/push/a.css", "/push/b.js"]
    for _, psid, hd in c.promises:
        assert psid % 2 == 0
        assert hd[":method"] == "GET" and hd[":scheme"] == "https"
        assert hd[":authority"] == "localhost:%d" % push.https_port
        assert hd.get("user-agent") == "push-test"
        pr = c.responses[psid]
        assert pr.status == 200 and pr.ended
    bodies = {hd[":path"]: bytes(c.responses[ps].body) for _, ps, hd in c.promises}
    assert bodies["/push/a.css"] == FILES["push/a.css"].encode()
    assert bodies["/push/b.js"] == FILES["push/b.js"].encode()
    assert r.header("link") is not None  # the Link fields go to the client too
    c.close()


def test_push_nghttp_shows_push_promise(push):
    res = subprocess.run(["nghttp", "-nv", push.url("/push/link.html")],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.count("recv PUSH_PROMISE frame") == 2, res.stdout
    res = subprocess.run(["nghttp", "-nv", "--no-push", push.url("/push/link.html")],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0
    assert "PUSH_PROMISE" not in res.stdout
    assert "SETTINGS_ENABLE_PUSH(0x02):0" in res.stdout


def test_push_x_associated_content(push):
    c = PushClient(push.https_port, tls=True)
    r = c.get("/push/xac.html")
    assert r.status == 200
    c.wait_all()
    assert c.pushed_paths() == ["/push/a.css", "/push/b.js"]
    assert r.header("x-associated-content") is None   # never sent to the client
    assert all(c.responses[ps].status == 200 for _, ps, _ in c.promises)
    c.close()


def test_push_resource_config(push):
    c = PushClient(push.http_port)
    r = c.get("/push/conf.html")
    assert r.status == 200
    c.wait_all()
    assert c.pushed_paths() == ["/push/a.css", "/push/b.js"]
    for _, _, hd in c.promises:
        assert hd[":scheme"] == "http"
    c.close()


def test_push_off_in_directory(push):
    c = PushClient(push.https_port, tls=True)
    r = c.get("/push/off.html")
    assert r.status == 200 and not c.promises
    r = c.get("/push/link2.html")
    assert r.status == 200
    c.wait_all()
    assert c.pushed_paths() == ["/push/a.css"]
    c.close()


def test_push_per_vhost_on_shared_connection(push):
    # one TLS connection (SNI test.localhost) used for both name-based vhosts
    c = PushClient(push.https_port, tls=True, host="test.localhost")
    s1 = c.request("/vh.html", authority="test.localhost:%d" % push.https_port)
    s2 = c.request("/vh.html", authority="other.localhost:%d" % push.https_port)
    r1, r2 = c.wait([s1, s2])
    assert r1.status == 200 and r2.status == 200
    c.wait_all()
    assert c.pushed_paths(parent=s1) == ["/push/a.css"]
    assert c.pushed_paths(parent=s2) == []
    c.close()


def test_push_disabled_by_client(push):
    c = PushClient(push.https_port, tls=True,
                   settings={h2.settings.SettingCodes.ENABLE_PUSH: 0})
    r = c.get("/push/link.html")
    assert r.status == 200 and not c.promises
    c.close()


def test_push_diary_once_per_connection(push):
    c = PushClient(push.https_port, tls=True)
    c.get("/push/link2.html")
    c.wait_all()
    assert c.pushed_paths() == ["/push/a.css"]
    c.get("/push/link2.html")
    c.get("/push/link.html")     # a.css again (not pushed), b.js new
    c.wait_all()
    assert c.pushed_paths() == ["/push/a.css", "/push/b.js"]
    c.close()
    # a new connection has a new diary
    c = PushClient(push.https_port, tls=True)
    c.get("/push/link2.html")
    c.wait_all()
    assert c.pushed_paths() == ["/push/a.css"]
    c.close()


def test_push_within_client_stream_limit(push):
    # the client allows one concurrent stream of ours: one promise, the other is refused
    c = PushClient(push.https_port, tls=True,
                   settings={h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1})
    r = c.get("/push/link.html")
    assert r.status == 200
    c.wait_all()
    assert len(c.promises) == 1
    assert all(c.responses[ps].status == 200 for _, ps, _ in c.promises)
    assert c.get("/1k.txt").status == 200
    # a refused push is not in the diary: the next response pushes it
    c.get("/push/link.html")
    c.wait_all()
    assert c.pushed_paths() == ["/push/a.css", "/push/b.js"]
    c.close()


def test_push_cancelled_by_client(push):
    c = PushClient(push.https_port, tls=True, cancel=True)
    r = c.get("/push/big.html")
    assert r.status == 200 and r.body == FILES["push/big.html"].encode()
    assert c.pushed_paths() == ["/10m.bin"]
    # the connection goes on: other streams are fine
    r = c.get("/100k.bin")
    assert r.status == 200 and len(r.body) == 100 * 1024
    assert c.goaway is None
    c.close()
    with open(push.error_log) as f:
        assert not [l for l in f if ":error]" in l or ":crit]" in l]


def test_pushed_request_env(push):
    c = PushClient(push.https_port, tls=True)
    r = c.get("/push/env.html", headers=[("user-agent", "env-agent"), ("cookie", "a=b"),
                                         ("accept-language", "de")])
    assert r.status == 200
    c.wait_all()
    assert len(c.promises) == 1
    parent, psid, _ = c.promises[0]
    env = dict(l.split("=", 1) for l in c.responses[psid].body.decode().splitlines() if "=" in l)
    assert env.get("H2_PUSHED") == "PUSHED"   # mod_http2's value
    assert env.get("H2_PUSHED_ON") == str(parent)
    assert env.get("HTTP_USER_AGENT") == "env-agent"
    assert env.get("HTTP_ACCEPT_LANGUAGE") == "de"
    assert "HTTP_COOKIE" not in env
    assert env.get("HTTP2") == "on"
    # the parent's own environment says push is on
    r = c.get("/cgi-bin/env.py")
    env = dict(l.split("=", 1) for l in r.body.decode().splitlines() if "=" in l)
    assert env.get("H2PUSH") == "on"
    assert env.get("H2_PUSHED", "") == ""
    c.close()


def test_early_hints_with_push_resources(push):
    c = PushClient(push.http_port)
    r = c.get("/hints/index.html")
    assert r.status == 200
    assert r.interim, "no 103"
    hd = {}
    for k, v in r.interim[0]:
        hd.setdefault(k.decode(), []).append(v.decode())
    assert hd[":status"] == ["103"]
    links = ", ".join(hd.get("link", []))
    assert "</push/a.css>" in links and "</push/x.js>" in links
    assert not c.promises            # H2Push off here
    c.close()


def test_early_hints_push_promised_with_103(push):
    c = PushClient(push.http_port)
    r = c.get("/hintpush/index.html")
    assert r.status == 200 and r.interim
    c.wait_all()
    assert c.pushed_paths() == ["/push/a.css"]
    c.close()


def test_early_hints_nghttp(push):
    res = subprocess.run(["nghttp", "-nv", push.url("/hints/index.html")],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0
    i103 = res.stdout.find(":status: 103")
    i200 = res.stdout.find(":status: 200")
    assert 0 <= i103 < i200, res.stdout


class _HintBackend(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response_only(103)
        self.send_header("Link", "</push/a.css>; rel=preload")
        self.end_headers()
        body = b"backend\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def test_interim_103_from_handler(make_httpd):
    """ap_send_interim_response(103) (here: mod_proxy_http forwarding a backend's 103)."""
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _HintBackend)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        h = make_httpd("hint103", extra="""
H2Push on
ProxyPass /be/ http://127.0.0.1:%d/
""" % srv.server_address[1])
        c = PushClient(h.http_port)
        r = c.get("/be/x")
        assert r.status == 200 and r.body == b"backend\n"
        assert r.interim and dict(r.interim[0])[b":status"] == b"103"
        assert b"/push/a.css" in dict(r.interim[0])[b"link"]
        c.wait_all()
        # the preload of the handler's 103 is pushed too
        assert c.pushed_paths() == ["/push/a.css"]
        c.close()
    finally:
        srv.shutdown()
        srv.server_close()


def _race(c, first, second, first_hdrs=(), second_hdrs=()):
    """Request two large responses; hold the connection window until both responses'
    headers are here, then open it: returns the stream ids in completion order."""
    s1 = c.request(first, headers=list(first_hdrs))
    s2 = c.request(second, headers=list(second_hdrs))
    while not (c.responses[s1].headers and c.responses[s2].headers):
        assert c.pump(auto_ack=False)
    c.conn.increment_flow_control_window(1 << 30)
    c.flush()
    c.wait([s1, s2])
    return s1, s2, [s for s in c.order if s in (s1, s2)]


def test_priority_urgency_from_client(push):
    c = PushClient(push.http_port,
                   settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: (1 << 31) - 1})
    s1, s2, order = _race(c, "/10m.bin?a", "/10m.bin?b", [("priority", "u=7")],
                          [("priority", "u=0")])
    assert len(c.responses[s1].body) == len(c.responses[s2].body) == 10 * 1024 * 1024
    assert order == [s2, s1]
    c.close()


def test_priority_from_handler_response_header(push):
    c = PushClient(push.http_port,
                   settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: (1 << 31) - 1})
    s1, s2, order = _race(c, "/lazy/10m.bin", "/urgent/10m.bin")
    assert c.responses[s1].header("priority") == "u=7"
    assert c.responses[s2].header("priority") == "u=0"
    assert order == [s2, s1]
    c.close()


def _push_race(c, path):
    """Request path (a large response whose Link pushes another large one); hold the
    connection window until the parent's and the pushed response's headers are here,
    then open it: returns (parent, pushed) stream ids and the completion order."""
    s1 = c.request(path)
    while not (c.responses[s1].headers and c.promises
               and c.responses[c.promises[0][1]].headers):
        assert c.pump(auto_ack=False)
    ps = c.promises[0][1]
    c.conn.increment_flow_control_window(1 << 30)
    c.flush()
    c.wait([s1, ps])
    return s1, ps, [s for s in c.order if s in (s1, ps)]


PP_CONF = """
H2Push on
Alias /pp/ "{root}/htdocs/"
<Location /pp/>
    Header add Link "</10m.bin?pushed>; rel=preload"
</Location>
"""


@pytest.mark.parametrize("prio,first", [("", "parent"),
                                        ("H2PushPriority application/octet-stream Before",
                                         "pushed")])
def test_push_priority(make_httpd, prio, first):
    """H2PushPriority: After (the default) keeps a push behind its parent, Before puts it
    ahead (urgency one step more urgent than the parent's)."""
    h = make_httpd("pushprio", extra=PP_CONF + prio + "\n")
    c = PushClient(h.http_port,
                   settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: (1 << 31) - 1})
    parent, pushed, order = _push_race(c, "/pp/10m.bin")
    assert len(c.responses[pushed].body) == 10 * 1024 * 1024
    assert order == ([parent, pushed] if first == "parent" else [pushed, parent])
    c.close()


def test_push_x_associated_content_priority(make_httpd):
    """X-Associated-Content "url":0 makes the push more urgent than its parent (u=3)."""
    h = make_httpd("xacprio", extra="""
Alias /xp/ "{root}/htdocs/"
<Location /xp/>
    Header set X-Associated-Content '"/10m.bin?xac":0'
</Location>
""")
    c = PushClient(h.http_port,
                   settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: (1 << 31) - 1})
    parent, pushed, order = _push_race(c, "/xp/10m.bin")
    assert c.pushed_paths() == ["/10m.bin?xac"]
    assert order == [pushed, parent]
    c.close()


def test_push_example_config_parses(make_httpd):
    top = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(os.path.join(top, "conf-examples", "push.conf")) as f:
        conf = "".join(l for l in f if not l.startswith("LoadModule"))
    conf = re.sub(r"/var/www/[a-z.]+", "{root}/htdocs", conf)
    conf = re.sub(r"/etc/ssl/[a-z./-]+\.crt", "{root}/conf/server.crt", conf)
    conf = re.sub(r"/etc/ssl/[a-z./-]+\.key", "{root}/conf/server.key", conf)
    conf = conf.replace(":443", ":{https_port}")
    h = make_httpd("pushconf", start=False, vhosts=conf)
    res = h.config_test()
    assert res.returncode == 0, res.stdout


EH_PAGE_CGI = r'''#!/usr/bin/python3
# A page that is only produced once the resource its 103 hinted was requested (or after a
# deadline): a browser that acts on Early Hints gets "early", one that does not, "late".
import os, sys, time
token = os.environ.get("QUERY_STRING", "x")
marker = os.path.join(os.environ["MARKER_DIR"], "hinted-" + token)
deadline = time.monotonic() + 15
while not os.path.exists(marker) and time.monotonic() < deadline:
    time.sleep(0.02)  # polling for the condition, bounded by the deadline
state = "early" if os.path.exists(marker) else "late"
sys.stdout.write("Content-Type: text/html\r\n\r\n")
sys.stdout.write('<!DOCTYPE html><html><head><title>%s</title>'
                 '<link rel="stylesheet" href="/cgi-bin/hinted.py?%s"></head>'
                 '<body>%s</body></html>\n' % (state, token, state))
'''

EH_HINTED_CGI = r'''#!/usr/bin/python3
import os, sys
token = os.environ.get("QUERY_STRING", "x")
open(os.path.join(os.environ["MARKER_DIR"], "hinted-" + token), "w").close()
sys.stdout.write("Content-Type: text/css\r\nCache-Control: max-age=60\r\n\r\n")
sys.stdout.write("body { color: green; }\n")
'''


def test_browser_requests_hinted_resource_early(make_httpd):
    """Headless chromium gets a 103 with a Link preload and requests the hinted resource
    while the page's handler is still running (the page waits for that request).

    Whether a browser acts on an Early Hint is its own heuristic: Chromium now and then
    ignores one (seen about once in five fresh runs, also with the 103 on the wire within a
    millisecond; measured again on 2026-12-08: 7 of 19 navigations late, with this session's
    build and with the build before it alike, and once all three of three in a CI run). So
    up to six navigations, each to its own page and hint, and at least one must come out
    "early"; a server that sends no 103, or sends it late, fails all six."""
    from test_60_browser import CHROMIUM_FLAGS
    tries = 6
    extra = 'SetEnv MARKER_DIR "{root}/markers"\n'
    for n in range(1, tries + 1):
        extra += ("<Location /cgi-bin/ehpage%d.py>\n    H2EarlyHints on\n"
                  '    H2EarlyHint Link "</cgi-bin/hinted.py?tok%d>; rel=preload; as=style"\n'
                  "</Location>\n" % (n, n))
    h = make_httpd("browser103", start=False, extra=extra)
    mdir = os.path.join(h.root, "markers")
    os.makedirs(mdir)
    os.chmod(mdir, 0o777)
    scripts = [("hinted.py", EH_HINTED_CGI)] + [("ehpage%d.py" % n, EH_PAGE_CGI)
                                                  for n in range(1, tries + 1)]
    for name, body in scripts:
        p = os.path.join(h.root, "cgi-bin", name)
        with open(p, "w") as f:
            f.write(body)
        os.chmod(p, 0o755)
    h.start()
    # Chromium ignores Early Hints on connections with certificate errors: trust the test
    # certificate by its key (SPKI pin) instead of ignoring all certificate errors
    spki = subprocess.run("openssl x509 -in '%s' -pubkey -noout | openssl pkey -pubin "
                          "-outform der | openssl dgst -sha256 -binary | base64"
                          % os.path.join(h.root, "conf", "server.crt"), shell=True,
                          capture_output=True, text=True, check=True).stdout.strip()
    flags = [f for f in CHROMIUM_FLAGS if f != "--ignore-certificate-errors"]
    flags.append("--ignore-certificate-errors-spki-list=" + spki)
    exe = shutil.which("chromium")
    assert exe, "chromium is not installed (scripts/deps.sh test installs it)"
    results = []
    for n in range(1, tries + 1):
        ud = tempfile.mkdtemp(prefix="h2-chromium-")
        try:
            dom = subprocess.run([exe] + flags + ["--user-data-dir=" + ud, "--dump-dom",
                                                  h.url("/cgi-bin/ehpage%d.py?tok%d" % (n, n))],
                                 capture_output=True, text=True, timeout=90).stdout
        finally:
            shutil.rmtree(ud, ignore_errors=True)
        m = re.search(r"<title>(.*?)</title>", dom)
        assert m, dom[:500]
        results.append(m.group(1))
        if m.group(1) == "early":
            break
    assert "early" in results, results
    want = "/cgi-bin/hinted.py?tok%d HTTP/2.0" % len(results)
    log = h.access_lines(want)
    assert any(want in ln for ln in log), log


@pytest.mark.parametrize("mpm", ["prefork", "worker"])
def test_push_other_mpms(make_httpd, mpm):
    h = make_httpd("push" + mpm, mpm=mpm, extra="""
H2Push on
<Location /index.html>
    Header add Link "</style.css>; rel=preload, </app.js>; rel=preload"
</Location>
""")
    c = PushClient(h.https_port, tls=True)
    r = c.get("/index.html")
    assert r.status == 200
    c.wait_all()
    assert c.pushed_paths() == ["/app.js", "/style.css"]
    assert all(c.responses[ps].status == 200 and c.responses[ps].body
               for _, ps, _ in c.promises)
    assert c.get("/1k.txt").status == 200
    c.close()


def test_push_on_h2c_upgrade_stream(push):
    """h2c Upgrade: the upgraded request (stream 1) may push: HTTP2-Settings are the
    client's initial settings (the engine does not wait for the preface's SETTINGS)."""
    res = subprocess.run(["nghttp", "-nv", "-u", push.url("/push/conf.html", tls=False)],
                         capture_output=True, text=True, timeout=30)
    assert "HTTP Upgrade success" in res.stdout, res.stdout[-2000:]
    promised = re.findall(r"recv PUSH_PROMISE frame <length=\d+, flags=0x\w+, stream_id=1>",
                          res.stdout)
    assert len(promised) == 2, res.stdout[-3000:]
