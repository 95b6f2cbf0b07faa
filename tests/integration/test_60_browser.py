# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""A real browser: Debian's chromium (headless) loads the demo page over h2 with TLS.

The page's script writes performance.getEntriesByType('navigation')[0].nextHopProtocol into
the document title; --dump-dom prints the DOM after scripts ran.
"""
import re
import shutil
import subprocess
import tempfile

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--ignore-certificate-errors"]


def chromium_dump(url):
    exe = shutil.which("chromium")
    assert exe, "chromium is not installed (scripts/deps.sh test installs it)"
    ud = tempfile.mkdtemp(prefix="h2-chromium-")
    try:
        res = subprocess.run([exe] + CHROMIUM_FLAGS + ["--user-data-dir=" + ud, "--dump-dom", url],
                             capture_output=True, text=True, timeout=90)
    finally:
        shutil.rmtree(ud, ignore_errors=True)
    return res.stdout


def test_chromium_loads_page_over_h2(httpd):
    dom = chromium_dump(httpd.url("/index.html?browser=1"))
    m = re.search(r"<title>(.*?)</title>", dom)
    assert m, dom[:500]
    assert m.group(1) == "mod_h2 demo (h2)"


def test_chromium_subresources_logged_as_http2(httpd):
    chromium_dump(httpd.url("/index.html?browser=2"))
    lines = httpd.access_lines("browser=2", "/app.js")
    lines = [l for l in lines if "browser=2" in l or "/style.css" in l or "/app.js" in l]
    page = [l for l in lines if "browser=2" in l]
    assert page and all(" HTTP/2.0 " in l for l in page), lines
    assert any("/app.js" in l and " HTTP/2.0 " in l for l in lines), lines
