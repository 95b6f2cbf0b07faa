# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Interop with Go's net/http HTTP/2 client (golang-go): 20 concurrent 1 MB POSTs over
TLS on one connection, echoed back by a CGI, every one complete, in several rounds (an
"unexpected EOF" was once seen here: a connection closed under a running upload)."""
import os
import shutil
import subprocess
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def h2post():
    go = shutil.which("go")
    if not go:
        pytest.skip("golang-go is not installed")
    d = tempfile.mkdtemp(prefix="mod_h2-go-")
    env = dict(os.environ, GOCACHE=os.path.join(d, "cache"), GOPATH=os.path.join(d, "gopath"),
               GO111MODULE="off", CGO_ENABLED="0")
    exe = os.path.join(d, "h2post")
    res = subprocess.run([go, "build", "-o", exe, os.path.join(HERE, "go", "h2post.go")],
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    yield exe
    shutil.rmtree(d, ignore_errors=True)


def test_go_concurrent_1mb_posts_tls(httpd, h2post):
    n, size = 20, 1024 * 1024
    for _ in range(3):
        res = subprocess.run([h2post, httpd.url("/cgi-bin/echo.py"), str(n), str(size)],
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        lines = res.stdout.split("\n")[:n]
        assert lines == ["ok HTTP/2.0 200 %d" % size] * n, res.stdout[-2000:]
