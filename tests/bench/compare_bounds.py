#!/usr/bin/python3
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""mod_h2 next to Apache's mod_http2 on what a site keeps when it moves to HTTP/2 (issue 9):
a request body at 1 byte/s under RequestReadTimeout body=5, mod_status while an 8 s h2
response runs, a <Location> with SSLVerifyClient require (TLS 1.2 and 1.3) and a cipher
change under TLS 1.2, prefork. Prints one line per server and case; never pass/fail.

usage: tests/bench/compare_bounds.py
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import h2conf  # noqa: E402
from h2client import H2Client  # noqa: E402
from h2client import Conn  # noqa: E402
import test_24_streams as t24  # noqa: E402
import test_24_bounds as tb  # noqa: E402


def mk(name, use, **kw):
    root = tempfile.mkdtemp(prefix="mod_h2-cmp-%s-" % name)
    os.chmod(root, 0o755)
    return h2conf.Httpd(root, use_mod_http2=use, **kw)

def slow_body(use):
    h = mk("slow", use, modules=["reqtimeout"], extra="RequestReadTimeout header=10 body=5\n")
    h.make_root(); h.start()
    try:
        c = Conn(h.http_port); c.handshake()
        c.request(1, "/cgi-bin/slow.py?1")
        by = {"sid": 1}
        hh, rst, when = t24._slow_body(c, 3, "/cgi-bin/echo.py", 30, bystander=by)
        st = dict(hh or []).get(":status")
        c.close()
        return "status %s rst %s after %.1f s; bystander %s" % (st, rst, when or -1, dict(by.get("headers") or []).get(":status"))
    finally:
        h.stop()
        shutil.rmtree(h.root, ignore_errors=True)

def status(use, mpm="event"):
    h = mk("status", use, mpm=mpm)
    h.make_root(); h.start()
    try:
        c = H2Client(h.http_port)
        sid = c.request("/cgi-bin/slow.py?8")
        row, deadline = False, time.monotonic() + 6
        while not row and time.monotonic() < deadline:   # poll until the stream shows
            page = tb._status_page(h)
            row = any("/cgi-bin/slow.py?8" in r and "<b>W</b>" in r
                      for r in re.findall(r"<tr>(.*?)</tr>", page, re.S))
        auto = tb._status_page(h, auto=True)
        busy = re.search(r"BusyWorkers: (\d+)", auto).group(1)
        m = re.search(r"(\d+) requests currently being processed", page)
        c.wait([sid]); c.close()
        return "busy (W) row with the request: %s; BusyWorkers %s (incl. the status request); '%s requests currently being processed'" % (row, busy, m.group(1) if m else "?")
    finally:
        h.stop()
        shutil.rmtree(h.root, ignore_errors=True)

def clientcert(use):
    root = tempfile.mkdtemp(prefix="mod_h2-cmp-cc-"); os.chmod(root, 0o755)
    os.makedirs(os.path.join(root, "conf"))
    crt, key = t24._make_client_cert(root)
    h = h2conf.Httpd(root, use_mod_http2=use, extra="""
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
    h.make_root(); h.start()
    out = []
    try:
        for tls, ver in (("1.2", ["--tlsv1.2", "--tls-max", "1.2"]), ("1.3", ["--tlsv1.3"])):
            r = subprocess.run(["curl", "-sk", "--http2", "--cert", crt, "--key", key] + ver + ["-o", "/dev/null", "-w", "%{http_code} %{http_version}", h.url("/secure/1k.txt")], capture_output=True, text=True)
            c = t24._tls_conn(h.https_port, tls); c.handshake(); c.request(1, "/secure/1k.txt")
            hh, body, _, rst = c.read_response(1); c.close()
            out.append("TLS%s curl: %s; raw: status %s rst %s" % (tls, r.stdout, dict(hh or []).get(":status"), rst))
        c = t24._tls_conn(h.https_port, "1.2", ciphers="ECDHE-RSA-AES256-GCM-SHA384"); c.handshake(); c.request(1, "/cipher/1k.txt")
        hh, body, _, rst = c.read_response(1); c.close()
        out.append("cipher change TLS1.2 raw: status %s rst %s" % (dict(hh or []).get(":status"), rst))
        return "; ".join(out)
    finally:
        h.stop()
        shutil.rmtree(h.root, ignore_errors=True)

def prefork(use):
    h = mk("prefork", use, mpm="prefork")
    h.make_root(); h.start()
    try:
        r1 = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code} %{http_version}", h.url("/1k.txt", tls=False)], capture_output=True, text=True).stdout
        r2 = subprocess.run(["curl", "-sk", "--http2", "-o", "/dev/null", "-w", "%{http_code} %{http_version}", h.url("/1k.txt")], capture_output=True, text=True).stdout
        return "h2c prior knowledge: %r; TLS ALPN: %r" % (r1, r2)
    finally:
        h.stop()
        shutil.rmtree(h.root, ignore_errors=True)

def main():
    for name, fn in (("slow body", slow_body), ("mod_status", status), ("client cert", clientcert), ("prefork", prefork)):
        for use in (False, True):
            try:
                res = fn(use)
            except Exception as e:  # noqa: BLE001 -- a figure, not a test
                res = "error: %r" % (e,)
            print("%-12s %-10s %s" % (name, "mod_http2" if use else "mod_h2", res), flush=True)


if __name__ == "__main__":
    main()
