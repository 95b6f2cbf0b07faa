#!/usr/bin/python3
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Page loads in a real browser over a slow link: mod_h2 next to Apache's mod_http2,
nginx and Apache over HTTP/1.1. A figure, never a pass/fail test.

Each server serves the same generated page over TLS (the run's certificate) behind a
delay proxy of our own on 127.0.0.1: an asyncio TCP proxy that delays every byte by RTT/2
in each direction and shapes each direction to --mbit (one link shared by all the
connections of a load; at most one bandwidth-delay product, or 32 KB, queued in the link
per connection, the rest waits in the server as on a real bottleneck; small socket
buffers towards the server so the kernel does not queue for it).

Page (static): 30 KB of HTML with 6 CSS files and 4 scripts in its head, 60 images and 6
scripts in its body, 2 fonts used by the text and named only in the first CSS file (found
late). Dynamic: the same HTML made by a backend that takes 150 ms (one Python HTTP server,
reached by every server through its reverse proxy: ProxyPass / proxy_pass). Preload: the
dynamic page whose response carries the site's own `Link: rel=preload` for its CSS,
scripts and fonts. Before the loads of a dynamic variant every server gets --warm loads
that are not counted (mod_h2 learns a page's hints from two consecutive responses).
Chromium trusts the run's certificate by its key (not --ignore-certificate-errors, under
which it caches nothing and so uses no 103 preload). The link check before the loads
prints the TLS handshake time and the rate of a 2 MB download through the proxy.

Each load: headless Chromium (Debian's /usr/bin/chromium) with a new empty profile, driven
through the DevTools protocol: navigate, wait for the load event, read
`first-contentful-paint` and the navigation entry's `loadEventEnd` (ms since the
navigation started), when the last CSS file and the last font arrived, its protocol, and
whether a 103 came (`firstInterimResponseStart`) and how many resources the page took from
it (`initiatorType` early-hints). Loads rotate over the servers; the table shows the
median of --loads loads per server with the lowest and highest, the loads that got a 103,
and the ratio of each server's median to mod_h2's (> 1: mod_h2 is faster).

usage: tests/bench/bench_pageload.py [--rtt 50,100] [--mbit 10] [--loads 5] [--warm 2]
                                     [--variants static,dynamic,preload]
                                     [--servers mod_h2,mod_http2,nginx,http1]
                                     [--baseline SO[,SO]] [--smoke]
--smoke: one load per server, a tiny page, RTT 20 ms, static only (checks that it works)
"""
import argparse
import asyncio
import http.server
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import bench_servers  # noqa: E402
import h2conf  # noqa: E402

import websockets  # noqa: E402  (python3-websockets)

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--window-size=1280,900"]


def spki_flag(crt):
    """Chromium trusts the run's certificate by its key's SHA-256 (with a --user-data-dir).
    Not --ignore-certificate-errors: Chromium keeps no response of a connection with a
    certificate error in its HTTP cache, and the preloads of a 103 reach the page only
    through that cache (each was fetched twice, and the 103 only cost bandwidth)."""
    der = subprocess.run(["openssl", "x509", "-in", crt, "-noout", "-pubkey"],
                         check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=der,
                         check=True, capture_output=True).stdout
    import base64
    import hashlib
    return "--ignore-certificate-errors-spki-list=" + base64.b64encode(
        hashlib.sha256(der).digest()).decode()
ALL_SERVERS = ("mod_h2", "mod_http2", "nginx", "http1")


# ---- the page

def page_spec(smoke):
    if smoke:
        return dict(css=2, js_head=1, js_body=1, img=4, fonts=1, html=8 * 1024)
    return dict(css=6, js_head=4, js_body=6, img=60, fonts=2, html=30 * 1024)


def _pad(n, ch="x"):
    return (ch * 64 + "\n") * (n // 65 + 1)


def page_html(spec, preload_note=""):
    head = ["<!DOCTYPE html><html><head><meta charset=utf-8><title>page</title>"]
    for i in range(spec["css"]):
        head.append('<link rel="stylesheet" href="/c/%d.css">' % i)
    for i in range(spec["js_head"]):
        head.append('<script src="/j/h%d.js"></script>' % i)
    head.append("</head><body><h1>A page %s</h1>" % preload_note)
    body = []
    per = max(1, spec["img"] // 10)
    for i in range(spec["img"]):
        if i % per == 0:
            body.append("<p>Some text of the page, in the first font. " * 4 + "</p>")
        body.append('<img src="/i/%d.jpg" width="120" height="90" alt="">' % i)
    for i in range(spec["js_body"]):
        body.append('<script src="/j/b%d.js"></script>' % i)
    text = "\n".join(head + body)
    filler = spec["html"] - len(text) - 40
    if filler > 0:
        text += "\n<!-- " + _pad(filler, "h")[:filler] + " -->"
    return text + "\n</body></html>\n"


def preload_links(spec):
    links = ["</c/%d.css>; rel=preload; as=style" % i for i in range(spec["css"])]
    links += ["</j/h%d.js>; rel=preload; as=script" % i for i in range(spec["js_head"])]
    links += ["</j/b%d.js>; rel=preload; as=script" % i for i in range(spec["js_body"])]
    links += ["</f/%d.woff2>; rel=preload; as=font; crossorigin" % i
              for i in range(spec["fonts"])]
    return links


def make_page(docroot, spec):
    for d in ("c", "j", "i", "f"):
        os.makedirs(os.path.join(docroot, d), exist_ok=True)
    for i in range(spec["css"]):
        css = ""
        if i == 0:
            for k in range(spec["fonts"]):
                css += ("@font-face { font-family: f%d; src: url(/f/%d.woff2) "
                        "format('woff2'); }\n" % (k, k))
            css += "body { font-family: f0, sans-serif; }\nh1 { font-family: f%d; }\n" \
                   % (spec["fonts"] - 1)
        css += ".r%d { color: #%06x; }\n" % (i, i * 4567)
        with open(os.path.join(docroot, "c", "%d.css" % i), "w") as f:
            f.write(css + "/*\n" + _pad(20 * 1024) + "*/\n")
    for kind, n in (("h", spec["js_head"]), ("b", spec["js_body"])):
        for i in range(n):
            with open(os.path.join(docroot, "j", "%s%d.js" % (kind, i)), "w") as f:
                f.write("var v_%s%d = %d;\n/*\n%s*/\n" % (kind, i, i, _pad(30 * 1024)))
    for i in range(spec["img"]):
        size = (10 + (i * 37) % 50) * 1024   # 10..59 KB, about 2 MB for 60
        with open(os.path.join(docroot, "i", "%d.jpg" % i), "wb") as f:
            f.write(b"\xff\xd8\xff\xe0" + bytes((k * 31 + i) & 0xff for k in range(size - 4)))
    for i in range(spec["fonts"]):
        with open(os.path.join(docroot, "f", "%d.woff2" % i), "wb") as f:
            f.write(b"wOF2" + bytes((k * 17 + i) & 0xff for k in range(40 * 1024 - 4)))
    with open(os.path.join(docroot, "page.html"), "w") as f:
        f.write(page_html(spec))
    with open(os.path.join(docroot, "i", "big.bin"), "wb") as f:   # the link check's
        f.write(bytes((k * 13) & 0xff for k in range(2 * 1024 * 1024)))


class Backend:
    """The dynamic pages: 150 ms to make; /page.html without Link fields, /preload.html
    with the site's own Link preload fields for its CSS, scripts and fonts. Both are
    `Cache-Control: no-cache` (a shared cache may keep them but must revalidate): a
    `no-store` or `private` page is never taught as learned hints (docs/directives.md,
    H2EarlyHintsLearned)."""

    def __init__(self, spec, delay=0.150):
        pages = {"/page.html": (page_html(spec, "(dynamic)").encode(), []),
                 "/preload.html": (page_html(spec, "(dynamic, preload)").encode(),
                                   preload_links(spec))}

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                html, links = pages.get(self.path.split("?")[0], pages["/page.html"])
                time.sleep(delay)   # the time the application takes to make the page
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(html)))
                self.send_header("Cache-Control", "no-cache")
                for ln in links:
                    self.send_header("Link", ln)
                self.end_headers()
                self.wfile.write(html)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.srv.daemon_threads = True
        self.port = self.srv.server_address[1]
        self.thread = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


# ---- the servers

class PageHttpd(bench_servers.HttpdServer):
    """mod_h2, mod_http2 (and mod_h2 as HTTP/1.1 only: http1) serving the common docroot."""

    def __init__(self, name, root, args, common, backend_port):
        super().__init__("mod_h2" if name == "http1" else name, root, args, common)
        self.name = name
        if name.startswith("mod_h2_base"):   # --baseline SO[,SO...]: mod_h2_base, _base2...
            k = int(name[len("mod_h2_base"):] or "1")
            self.httpd.module = args.baselines[k - 1]
        self.httpd.extra += ("ProxyPass /dyn/ http://127.0.0.1:%d/\n" % backend_port)

    def start(self):
        docroot, key, crt = self.common[:3]
        h = self.httpd
        h.make_root()
        with open(h.conf_path) as f:
            conf = f.read()
        # as bench_servers.py: no access log, the run's certificate, no .htaccess lookups;
        # and the page's docroot
        conf = conf.replace('CustomLog "', '# CustomLog "')
        conf = conf.replace('"%s/conf/server.crt"' % h.root, '"%s"' % crt)
        conf = conf.replace('"%s/conf/server.key"' % h.root, '"%s"' % key)
        conf = conf.replace("<Directory />\n", "<Directory />\n    AllowOverride None\n", 1)
        conf = conf.replace('DocumentRoot "%s/htdocs"' % h.root, 'DocumentRoot "%s"' % docroot)
        conf = conf.replace('<Directory "%s/htdocs">' % h.root, '<Directory "%s">' % docroot)
        if self.name == "http1":   # Protocols adds to the list: the line itself changes
            conf = conf.replace("Protocols h2 h2c http/1.1", "Protocols http/1.1")
        with open(h.conf_path, "w") as f:
            f.write(conf)
        h.start()


class PageNginx(bench_servers.NginxServer):
    def __init__(self, name, root, args, common, backend_port):
        super().__init__(name, root, args, common)
        self.backend_port = backend_port

    def write_conf(self):
        docroot, key, crt = self.common[:3]
        r = self.root
        conf = os.path.join(r, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""# generated by tests/bench/bench_pageload.py
worker_processes 1;
daemon off;
pid {r}/nginx.pid;
error_log {self.log} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    include /etc/nginx/mime.types;
    types {{ font/woff2 woff2; }}
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {r}/body;
    proxy_temp_path {r}/proxy;
    fastcgi_temp_path {r}/fastcgi;
    uwsgi_temp_path {r}/uwsgi;
    scgi_temp_path {r}/scgi;
    server {{
        listen 127.0.0.1:{self.http_port} http2;
        listen 127.0.0.1:{self.https_port} ssl http2;
        server_name localhost;
        ssl_certificate {crt};
        ssl_certificate_key {key};
        root {docroot};
        location /dyn/ {{ proxy_pass http://127.0.0.1:{self.backend_port}/; }}
    }}
}}
""")
        return [bench_servers.NGINX_BIN, "-p", r, "-c", conf, "-e", self.log]


def installed(name):
    if name == "http1":
        return True
    return bench_servers.installed(name)


# ---- the delay proxy

class LinkDir:
    """One direction of the emulated link: a serialisation queue at `bps` and a delay."""

    def __init__(self, bps, delay):
        self.bps, self.delay, self.free_at = bps, delay, 0.0

    def schedule(self, n, now):
        start = max(now, self.free_at)
        self.free_at = start + n * 8.0 / self.bps
        return self.free_at + self.delay


class DelayProxy:
    def __init__(self, target_port, rtt_ms, mbit):
        self.target_port = target_port
        self.delay = rtt_ms / 2000.0
        self.bps = mbit * 1e6
        self.cap = max(32 * 1024, int(self.bps / 8 * rtt_ms / 1000.0))
        self.up = self.down = None
        self.server = None
        self.port = None

    def reset(self):
        """A new load: a fresh (idle) link."""
        self.up = LinkDir(self.bps, self.delay)
        self.down = LinkDir(self.bps, self.delay)

    async def start(self):
        self.reset()
        self.server = await asyncio.start_server(self._conn, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self):
        self.server.close()
        await self.server.wait_closed()

    async def _conn(self, creader, cwriter):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # the queue belongs to the link (and the server), not to our kernel buffers
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32 * 1024)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(s, ("127.0.0.1", self.target_port))
            sreader, swriter = await asyncio.open_connection(sock=s)
        except OSError:
            cwriter.close()
            s.close()
            return
        csock = cwriter.get_extra_info("socket")
        if csock is not None:
            csock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.gather(self._pipe(creader, swriter, self.up),
                             self._pipe(sreader, cwriter, self.down),
                             return_exceptions=True)

    async def _pipe(self, reader, writer, link):
        loop = asyncio.get_running_loop()
        q = asyncio.Queue()
        state = {"queued": 0}
        room = asyncio.Event()
        room.set()

        async def deliver():
            while True:
                item = await q.get()
                if item is None:
                    break
                t, data = item
                wait = t - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)   # the link's delay (emulation, not a sync)
                writer.write(data)
                await writer.drain()
                state["queued"] -= len(data)
                if state["queued"] < self.cap:
                    room.set()
            try:
                writer.write_eof()
            except (OSError, RuntimeError):
                pass

        task = asyncio.ensure_future(deliver())
        try:
            while True:
                await room.wait()
                data = await reader.read(16384)
                if not data:
                    break
                state["queued"] += len(data)
                if state["queued"] >= self.cap:
                    room.clear()
                q.put_nowait((link.schedule(len(data), loop.time()), data))
        except (OSError, ConnectionError):
            pass
        q.put_nowait(None)
        try:
            await task
        except (OSError, ConnectionError):
            pass
        writer.close()


# ---- one load in Chromium

MEASURE = """(function() {
  var nav = performance.getEntriesByType('navigation')[0];
  var fcp = performance.getEntriesByType('paint').filter(function(e) {
      return e.name === 'first-contentful-paint'; })[0];
  var res = performance.getEntriesByType('resource');
  function last(re) {
    var t = 0;
    res.forEach(function(e) { if (re.test(e.name) && e.responseEnd > t) t = e.responseEnd; });
    return t;
  }
  return JSON.stringify({href: location.href, load: nav ? nav.loadEventEnd : 0,
                         fcp: fcp ? fcp.startTime : null,
                         proto: nav ? nav.nextHopProtocol : '',
                         n: res.length,
                         hint: nav && nav.firstInterimResponseStart > 0 ? 1 : 0,
                         eh: res.filter(function(e) {
                             return e.initiatorType === 'early-hints'; }).length,
                         css: last(/\/c\/[0-9]+\.css/), font: last(/\/f\/[0-9]+\.woff2/)});
})()"""


async def _cdp(ws, state, method, params=None):
    state["id"] += 1
    mid = state["id"]
    await ws.send(json.dumps({"id": mid, "method": method, "params": params or {}}))
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
        if msg.get("id") == mid:
            return msg.get("result", {})


async def chromium_load(url, timeout=60):
    """The figures of one load of url in a fresh profile: a dict with load, fcp (ms),
    proto, n (resources), hint (1: a 103 came before the document), eh (resources
    fetched for the 103), css and font (when the last CSS file / font was received)."""
    ud = tempfile.mkdtemp(prefix="h2-pageload-")
    port = h2conf.free_port()
    proc = subprocess.Popen([CHROMIUM] + CHROMIUM_FLAGS + [
        "--user-data-dir=" + ud, "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=%d" % port, "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        ws_url = None
        while ws_url is None:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("chromium: no DevTools page target")
            try:
                def targets():
                    with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port,
                                                timeout=2) as r:
                        return json.load(r)
                pages = [t for t in await asyncio.get_running_loop().run_in_executor(
                    None, targets) if t.get("type") == "page"]
                if pages:
                    ws_url = pages[0]["webSocketDebuggerUrl"]
            except OSError:
                pass
            if ws_url is None:
                await asyncio.sleep(0.1)   # polling for Chromium's start, bounded
        async with websockets.connect(ws_url, max_size=None, open_timeout=10) as ws:
            st = {"id": 0}
            await _cdp(ws, st, "Page.navigate", {"url": url})
            while True:
                if time.monotonic() > deadline:
                    raise RuntimeError("chromium: %s did not load" % url)
                r = await _cdp(ws, st, "Runtime.evaluate",
                               {"expression": MEASURE, "returnByValue": True})
                v = r.get("result", {}).get("value")
                m = json.loads(v) if v else {}
                if m.get("href") == url and m.get("load", 0) > 0:
                    return m
                await asyncio.sleep(0.05)   # polling for the load event, bounded
    finally:
        proc.kill()
        proc.wait(timeout=30)
        shutil.rmtree(ud, ignore_errors=True)


# ---- the run

def fmt(v):
    return "%7.0f" % v if v is not None else "      -"


PATHS = {"static": "/page.html", "dynamic": "/dyn/page.html", "preload": "/dyn/preload.html"}
FIGURES = ("load", "fcp", "css", "font")


async def link_check(proxy, rtt):
    """What the emulated link gives: the round trip of a TCP connect through the proxy and
    the rate of a 2 MB download over it (curl, HTTP/1.1, one connection). Printed once, so
    that a run shows that its link is what --rtt and --mbit say."""
    proxy.reset()
    url = "https://localhost:%d/i/big.bin" % proxy.port
    proc = await asyncio.create_subprocess_exec(
        "curl", "-sk", "--http1.1", "-o", "/dev/null", "-w",
        "%{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total} "
        "%{size_download}", url, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    try:
        tc, ta, ts, tt, n = (float(x) for x in out.split())
    except ValueError:
        print("# link check: curl failed (%r)" % out)
        return
    print("# link check (RTT %d ms): TLS 1.3 handshake %.0f ms (one RTT), "
          "%.0f KB in %.0f ms after the first byte: %.1f Mbit/s"
          % (rtt, (ta - tc) * 1000, n / 1024, (tt - ts) * 1000,
             n * 8 / max(tt - ts, 1e-6) / 1e6))


async def run(args, servers, spec):
    proxies = {}
    for s in servers:
        proxies[s.name] = {rtt: DelayProxy(s.https_port, rtt, args.mbit) for rtt in args.rtt}
        for p in proxies[s.name].values():
            await p.start()
    try:
        for rtt in args.rtt:
            if not args.smoke:
                await link_check(proxies[servers[0].name][rtt], rtt)
            for variant in args.variants:
                path = PATHS[variant]
                res = {s.name: [] for s in servers}
                # warm-up loads (not counted): learned hints need the same Link set on
                # two consecutive responses, and every server gets the same number
                warm = args.warm if variant != "static" else 0
                for i in range(-warm, args.loads):
                    order = servers[i % len(servers):] + servers[:i % len(servers)]
                    for s in order:
                        p = proxies[s.name][rtt]
                        p.reset()
                        url = "https://localhost:%d%s?load=%d" % (p.port, path, i)
                        m = await chromium_load(url)
                        if i >= 0:
                            res[s.name].append(m)
                print("# RTT %d ms, %g Mbit/s, %s page: median of %d loads (ms), "
                      "[min-max]; 103: loads that got one, resources fetched for it"
                      % (rtt, args.mbit, variant, args.loads))
                print("%-11s %-16s %-16s %-16s %-16s %-8s %s" % (
                    "server", "load", "fcp", "last CSS", "last font", "protocol",
                    "resources, 103"))
                med = {}
                for s in servers:
                    row, med[s.name] = [], {}
                    for f in FIGURES:
                        v = [m[f] for m in res[s.name] if m.get(f)]
                        med[s.name][f] = statistics.median(v) if v else None
                        row.append("%s [%s-%s]" % (fmt(med[s.name][f]).strip(),
                                                   fmt(min(v)).strip() if v else "-",
                                                   fmt(max(v)).strip() if v else "-"))
                    last = res[s.name][-1]
                    print("%-11s %-16s %-16s %-16s %-16s %-8s %d, %d/%d (%d)" % (
                        (s.name,) + tuple(row) + (last["proto"], last["n"],
                                                  sum(m["hint"] for m in res[s.name]),
                                                  len(res[s.name]),
                                                  sum(m["eh"] for m in res[s.name]))))
                if "mod_h2" in med:
                    base = med["mod_h2"]
                    for s in servers:
                        if s.name == "mod_h2":
                            continue
                        o = med[s.name]
                        print("%-11s %s   (%s / mod_h2: > 1, mod_h2 faster)" % (
                            s.name, "  ".join(
                                "%s %s" % (f, "%.2f" % (o[f] / base[f])
                                           if o[f] and base[f] else "-")
                                for f in FIGURES), s.name))
                sys.stdout.flush()
    finally:
        for ps in proxies.values():
            for p in ps.values():
                await p.stop()


def chromium_version():
    out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
    return out.strip().split()[1] if len(out.split()) > 1 else "?"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rtt", default="50,100", help="round-trip times in ms, comma separated")
    ap.add_argument("--mbit", type=float, default=10.0, help="bandwidth each way")
    ap.add_argument("--loads", type=int, default=5, help="loads per server (median)")
    ap.add_argument("--variants", default="static,dynamic,preload",
                    help="static (a file), dynamic (made in 150 ms), preload (made in 150 "
                    "ms, with Link preload fields for its CSS, scripts and fonts)")
    ap.add_argument("--warm", type=int, default=2,
                    help="uncounted loads per server before a dynamic variant's (learning)")
    ap.add_argument("--servers", default=",".join(ALL_SERVERS))
    ap.add_argument("--baseline", help="also run these mod_h2.so (comma separated) as "
                    "mod_h2_base, mod_h2_base2, ...")
    ap.add_argument("--threads", type=int, default=64)
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args(argv)
    args.max_workers = None
    args.htaccess = False
    if args.smoke:
        args.rtt, args.loads, args.variants = "20", 1, "static"
    args.rtt = [int(x) for x in args.rtt.split(",")]
    args.variants = args.variants.split(",")
    names = [n for n in args.servers.split(",") if installed(n)]
    args.baselines = []
    if args.baseline:
        args.baselines = [os.path.abspath(b) for b in args.baseline.split(",")]
        args.baseline = args.baselines[0]
        names += ["mod_h2_base" + ("%d" % (k + 1) if k else "")
                  for k in range(len(args.baselines))]
    if not os.access(CHROMIUM, os.X_OK):
        print("chromium not installed (%s)" % CHROMIUM)
        return 1
    spec = page_spec(args.smoke)
    top = tempfile.mkdtemp(prefix="h2-pageload-run-")
    os.chmod(top, 0o755)
    common = bench_servers.make_common(top)
    make_page(common[0], spec)
    CHROMIUM_FLAGS.append(spki_flag(common[2]))
    backend = Backend(spec)
    servers = []
    try:
        for n in names:
            cls = PageNginx if n == "nginx" else PageHttpd
            s = cls(n, os.path.join(top, n), args, common, backend.port)
            s.start()
            servers.append(s)
        print("# chromium %s; page: %d CSS, %d JS, %d images, %d fonts, %d KB HTML; servers: %s"
              % (chromium_version(), spec["css"],
                 spec["js_head"] + spec["js_body"], spec["img"], spec["fonts"],
                 spec["html"] // 1024, " ".join(s.name for s in servers)))
        asyncio.run(run(args, servers, spec))
    finally:
        for s in servers:
            s.stop()
        backend.stop()
        shutil.rmtree(top, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
