# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""The demo (scripts/demo.sh runs `h2conf.py demo DIR` and `h2conf.py stop DIR`) serves its
pages with 200 over h2 and h2c wherever the clone lies: here its state folder and the
module sit in a mode-0700 folder, as in a clone in root's home. As root httpd's children
run as www-data, who cannot enter that folder (before the fix both URLs answered 403)."""
import os
import shutil
import subprocess
import tempfile
import time

import pytest

import h2conf

H2CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "h2conf.py")
PAGE_TEXT = b"Served by Apache httpd with mod_h2"


def _run(*args):
    env = dict(os.environ)
    return subprocess.run(["/usr/bin/python3", H2CONF] + list(args), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)


def _get(*args):
    out = subprocess.run(["curl", "-s", "--max-time", "10", "-o", "-", "-w",
                          "\n%{http_code} %{http_version}"] + list(args), capture_output=True)
    body, _, tail = out.stdout.rpartition(b"\n")
    return tail.decode(), body


def _gone(pid, secs=20):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)  # polling for process exit, bounded by the deadline
    return False


@pytest.fixture
def private_dir(monkeypatch):
    """a mode-0700 folder holding a copy of the module (like a clone in /root)"""
    d = tempfile.mkdtemp(prefix="mod_h2-demo-test-")
    assert os.stat(d).st_mode & 0o777 == 0o700
    so = os.path.join(d, "mod_h2.so")
    shutil.copy(h2conf.default_module(), so)
    monkeypatch.setenv("MOD_H2_SO", so)
    yield d
    _run("stop", os.path.join(d, "demo"))
    shutil.rmtree(d, ignore_errors=True)


def test_demo_serves_200_from_a_private_folder_and_stops(private_dir):
    state = os.path.join(private_dir, "demo")
    res = _run("demo", state)
    assert res.returncode == 0, res.stdout
    with open(os.path.join(state, "ports")) as f:
        http_port, https_port = (int(x) for x in f.read().split())
    got, body = _get("-k", "--http2", "https://localhost:%d/" % https_port)
    assert got == "200 2", (got, body[:300])
    assert PAGE_TEXT in body
    got, body = _get("--http2-prior-knowledge", "http://localhost:%d/" % http_port)
    assert got == "200 2", (got, body[:300])
    assert PAGE_TEXT in body
    # the CGI daemon's socket and scripts are in reach of the children too
    got, body = _get("--http2-prior-knowledge", "http://localhost:%d/cgi-bin/env.py" % http_port)
    assert got == "200 2", (got, body[:300])
    with open(os.path.join(state, "root")) as f:
        root = f.read().strip()
    assert not root.startswith(private_dir + os.sep), root
    with open(os.path.join(root, "run", "httpd.pid")) as f:
        pid = int(f.read())
    # the demo's own key is for root (or the invoking user) only
    assert os.stat(os.path.join(root, "conf", "server.key")).st_mode & 0o077 == 0

    res = _run("stop", state)
    assert res.returncode == 0, res.stdout
    assert "stopped" in res.stdout
    assert _gone(pid), "httpd %d still running after stop" % pid
    assert not os.path.exists(root)
    assert not os.path.exists(os.path.join(state, "root"))


def test_demo_stop_when_not_running(private_dir):
    res = _run("stop", os.path.join(private_dir, "demo"))
    assert res.returncode == 0, res.stdout
    assert "not running" in res.stdout
