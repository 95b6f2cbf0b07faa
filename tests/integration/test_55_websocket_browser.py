# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""A real browser opens a WebSocket over its HTTP/2 connection (RFC 8441).

Headless Chromium loads an https page over h2; the page opens new WebSocket('wss://...'),
sends a text and writes the echo into the DOM, which the test reads through the DevTools
protocol (polled with a deadline: the echo comes after the page's load event). Chromium uses an extended CONNECT on the
existing h2 connection when the server announced SETTINGS_ENABLE_CONNECT_PROTOCOL; the
access log tells which way it went ("GET /ws/... HTTP/2.0" 200 instead of HTTP/1.1 101).
"""
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest
import websockets

sys.path.insert(0, os.path.dirname(__file__))
import h2conf  # noqa: E402
import ws_echo  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--ignore-certificate-errors"]

PAGE = """<!DOCTYPE html>
<html><head><title>ws</title></head><body><p id="out">waiting</p>
<script>
var out = document.getElementById('out');
var ws = new WebSocket('wss://' + location.host + '/ws/echo?browser=%(tag)s');
ws.onopen = function() { ws.send('hello over h2'); };
ws.onmessage = function(e) { out.textContent = 'echo:' + e.data; ws.close(); };
ws.onerror = function() { out.textContent = 'error'; };
</script></body></html>
"""


def chromium_wait_text(url, expr, want, timeout=40):
    """Load url in headless Chromium and poll expr (JavaScript) through the DevTools
    protocol until it equals want or timeout seconds passed. Returns the last value."""
    exe = shutil.which("chromium")
    assert exe, "chromium is not installed (scripts/deps.sh test installs it)"
    ud = tempfile.mkdtemp(prefix="h2-chromium-")
    port = h2conf.free_port()
    proc = subprocess.Popen([exe] + CHROMIUM_FLAGS + [
        "--user-data-dir=" + ud, "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=%d" % port, url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return asyncio.run(_devtools_poll(port, url, expr, want, timeout))
    finally:
        proc.kill()
        proc.wait(timeout=30)
        shutil.rmtree(ud, ignore_errors=True)


async def _devtools_poll(port, url, expr, want, timeout):
    deadline = time.monotonic() + timeout
    ws_url = None
    while ws_url is None:
        assert time.monotonic() < deadline, "no DevTools page target"
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port,
                                        timeout=2) as r:
                pages = [t for t in json.load(r)
                         if t.get("type") == "page" and t.get("url", "").startswith(url)]
            if pages:
                ws_url = pages[0]["webSocketDebuggerUrl"]
        except OSError:
            pass
        if ws_url is None:
            await asyncio.sleep(0.1)
    value = None
    async with websockets.connect(ws_url, max_size=None, open_timeout=10) as dt:
        msg_id = 0
        while time.monotonic() < deadline:
            msg_id += 1
            await dt.send(json.dumps({"id": msg_id, "method": "Runtime.evaluate",
                                      "params": {"expression": expr, "returnByValue": True}}))
            while True:
                reply = json.loads(await asyncio.wait_for(dt.recv(), timeout=10))
                if reply.get("id") == msg_id:
                    break
            value = reply.get("result", {}).get("result", {}).get("value")
            if value == want:
                break
            await asyncio.sleep(0.1)
    return value


@pytest.fixture(scope="module")
def backend():
    b = ws_echo.EchoServer()
    yield b
    b.stop()


def test_chromium_websocket_over_h2(make_httpd, backend):
    h = make_httpd("ws-browser", extra=f"""LoadModule proxy_wstunnel_module {h2conf.MODULES_DIR}/mod_proxy_wstunnel.so
H2WebSockets on
ProxyPass /ws/ ws://127.0.0.1:{backend.port}/
""")
    with open(os.path.join(h.docroot, "ws.html"), "w") as f:
        f.write(PAGE % {"tag": "b1"})
    text = chromium_wait_text(h.url("/ws.html"), "document.getElementById('out').textContent",
                              "echo:hello over h2")
    assert text == "echo:hello over h2", text
    # the page and the WebSocket went over HTTP/2: the upgrade is a stream, logged 200
    lines = h.access_lines("browser=b1", secs=5)
    assert lines, "no access log line for the WebSocket"
    assert '"GET /ws/echo?browser=b1 HTTP/2.0" 200 ' in lines[0], lines
    with open(h.access_log) as f:
        page = [ln for ln in f if "/ws.html" in ln]
    assert page and " HTTP/2.0 " in page[0], page
