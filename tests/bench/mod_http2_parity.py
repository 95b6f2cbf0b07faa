#!/usr/bin/python3
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Issue 10's table, measured side by side: mod_h2 and Apache's mod_http2 in identical
httpd configurations, one row per case, what each server did. Prints a Markdown table;
never a pass/fail test.

usage: MOD_H2_SO=build/gcc/mod_h2/.libs/mod_h2.so tests/bench/mod_http2_parity.py
"""
import http.server
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import h2.events  # noqa: E402
import h2.settings  # noqa: E402

import h2conf  # noqa: E402
import h2client as w  # noqa: E402
from h2client import H2Client, Response  # noqa: E402

BIGHDR_CGI = r'''#!/usr/bin/python3
print("Content-Type: text/plain")
for i in range(30):
    print("X-Big-%d: %s" % (i, "v" * 1000))
print()
print("body")
'''

BASE = """
<Directory "{root}/htdocs/authcfg">
    AllowOverride AuthConfig
</Directory>
<Location /push/env.html>
    Header add Link "</cgi-bin/env.py?pushed>; rel=preload"
</Location>
ProxyRequests On
<Proxy "*">
    Require ip 127.0.0.1
</Proxy>
"""


class Origin(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802
        Origin.hits += 1
        body = b"origin"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class PushClient(H2Client):
    def __init__(self, *a, **kw):
        self.promises = []
        super().__init__(*a, **kw)

    def _event(self, ev, auto_ack):
        if isinstance(ev, h2.events.PushedStreamReceived):
            self.promises.append(ev.pushed_stream_id)
            self.responses[ev.pushed_stream_id] = Response(ev.pushed_stream_id)
            return
        super()._event(ev, auto_ack)


def server(mod_http2, name, extra="", start=True):
    root = tempfile.mkdtemp(prefix="mod_h2-parity-%s-" % name)
    os.chmod(root, 0o755)
    h = h2conf.Httpd(root, use_mod_http2=mod_http2, extra=BASE + extra)
    h.make_root()
    for rel, text in (("htdocs/authcfg/.htaccess", "H2Push off\nH2Upgrade off\n"),
                      ("htdocs/authcfg/page.html", "page\n"),
                      ("htdocs/push/env.html", "env\n")):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    p = os.path.join(root, "cgi-bin", "bighdr.py")
    with open(p, "w") as f:
        f.write(BIGHDR_CGI)
    os.chmod(p, 0o755)
    if start:
        h.start()
    return h


def done(h):
    h.stop()
    shutil.rmtree(h.root, ignore_errors=True)


def env_of(body):
    return dict(x.split("=", 1) for x in bytes(body).decode().splitlines() if "=" in x)


def case_max_stream_errors(m):
    h = server(m, "mse", "H2MaxStreamErrors 8\n<VirtualHost 127.0.0.1:{http_port}>\n"
                         "    H2MaxStreamErrors 4\n</VirtualHost>\n", start=False)
    res = h.config_test()
    shutil.rmtree(h.root, ignore_errors=True)
    return "accepted" if res.returncode == 0 else res.stdout.strip().splitlines()[0][:80]


def case_htaccess(m, h):
    c = H2Client(h.http_port)
    st = c.get("/authcfg/page.html").status
    c.close()
    return "%d" % st + (" (accepted)" if st == 200 else "")


def case_websockets(m):
    h = server(m, "ws", "H2WebSockets on\n")
    try:
        c = w.Conn(h.http_port)
        c.handshake()
        v = dict(c.server_settings).get(w.S_ENABLE_CONNECT_PROTOCOL)
        c.close()
        return "SETTINGS_ENABLE_CONNECT_PROTOCOL=%s" % v if v is not None else "not sent"
    finally:
        done(h)


def case_proxy(m, origin_port):
    out = []
    for on in ("on", "off"):
        h = server(m, "proxy", "H2ProxyRequests %s\n" % on)
        try:
            before = Origin.hits
            c = H2Client(h.http_port)
            st = c.get("/x", authority="127.0.0.1:%d" % origin_port).status
            c.close()
            out.append("%s: %d%s" % (on, st, ", origin reached" if Origin.hits > before else ""))
        finally:
            done(h)
    return "; ".join(out)


def case_header_block(m):
    h = server(m, "hdb", "H2MaxHeaderBlockLen 8192\n")
    try:
        c = w.Conn(h.http_port)
        c.handshake()
        c.request(1, "/cgi-bin/bighdr.py")
        try:
            headers, body, _, rst = c.read_response(1, timeout=10)
        except AssertionError as e:
            return "connection error: %s" % str(e)[:60]
        c.close()
        if rst is not None:
            return "stream reset (RST_STREAM %s)" % w.ename(rst)
        return "sent in full (%d fields)" % len(headers)
    finally:
        done(h)


def case_push_env(m, h):
    c = PushClient(h.https_port, tls=True)
    c.get("/push/env.html")
    c.wait()
    if not c.promises:
        c.close()
        return "no push"
    env = env_of(c.responses[c.promises[0]].body)
    c.close()
    return "H2_PUSHED=%s, H2PUSH=%s, H2_PUSHED_ON=%s" % (
        env.get("H2_PUSHED"), env.get("H2PUSH"), env.get("H2_PUSHED_ON"))


def case_env(m, h):
    c = H2Client(h.http_port)
    env = env_of(c.get("/cgi-bin/env.py").body)
    c.close()
    return ", ".join("%s=%s" % (k, env.get(k)) for k in
                     ("HTTP2", "H2PUSH", "H2_PUSH", "H2_PUSHED", "H2_PUSHED_ON",
                      "H2_STREAM_ID", "H2_STREAM_TAG"))


def case_preface(m, h, split=None):
    bad = b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n" + w.frame(w.SETTINGS, 0, 0)
    s = socket.create_connection(("127.0.0.1", h.http_port), timeout=5)
    if split:
        s.sendall(bad[:split])
        time.sleep(0.1)  # measurement, not a test: let the server read the first part
        s.sendall(bad[split:])
    else:
        s.sendall(bad)
    data = b""
    deadline = time.monotonic() + 5
    try:
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    if data.startswith(b"HTTP/1."):
        return "HTTP/1.1 %s page" % data.split(b" ")[1].decode()
    frames = []
    while len(data) >= 9:
        n = int.from_bytes(data[:3], "big")
        t = data[3]
        if t == w.GOAWAY:
            frames.append("GOAWAY(%s)" % w.ename(int.from_bytes(data[13:17], "big")))
        else:
            frames.append(w.TYPE_NAMES.get(t, str(t)))
        data = data[9 + n:]
    return (", ".join(frames) or "nothing") + ", closed"


def main():
    if not os.path.exists(os.path.join(h2conf.MODULES_DIR, "mod_http2.so")):
        print("mod_http2.so not found in %s" % h2conf.MODULES_DIR)
        return 1
    osrv = http.server.HTTPServer(("127.0.0.1", h2conf.free_port()), Origin)
    threading.Thread(target=osrv.serve_forever, daemon=True).start()
    rows = []
    results = {}
    for m in (False, True):
        key = "mod_http2" if m else "mod_h2"
        r = results[key] = {}
        r["H2MaxStreamErrors in server and vhost config"] = case_max_stream_errors(m)
        h = server(m, "main")
        try:
            r["H2Push + H2Upgrade in .htaccess, AllowOverride AuthConfig"] = case_htaccess(m, h)
            r["CGI env of a pushed request (TLS)"] = case_push_env(m, h)
            r["CGI env of a normal request (h2c)"] = case_env(m, h)
            r["h2c prior knowledge, broken preface in one piece"] = case_preface(m, h)
            r["broken preface split after 5 bytes"] = case_preface(m, h, 5)
            r["broken preface split after 16 bytes"] = case_preface(m, h, 16)
        finally:
            done(h)
        r["H2WebSockets on"] = case_websockets(m)
        r["H2ProxyRequests, forward-proxy request over h2c"] = case_proxy(m, osrv.server_address[1])
        r["H2MaxHeaderBlockLen 8192, 30 KB response header block"] = case_header_block(m)
    osrv.shutdown()
    print("| what was done | mod_h2 | mod_http2 |")
    print("| --- | --- | --- |")
    for k in results["mod_h2"]:
        rows.append((k, results["mod_h2"][k], results["mod_http2"][k]))
        print("| %s | %s | %s |" % rows[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
