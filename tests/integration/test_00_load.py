# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""The module loads into Debian's apache2, logs its version, and HTTP/1.1 keeps working."""
import re
import subprocess


def test_config_test_passes(httpd):
    res = httpd.config_test()
    assert res.returncode == 0, res.stdout
    assert "Syntax OK" in res.stdout


def test_version_logged_at_start(httpd):
    with open(httpd.error_log, errors="replace") as f:
        log = f.read()
    m = re.search(r"MH200001: mod_h2 (\d+\.\d+\.\d+) started", log)
    assert m, log[-2000:]


def test_http11_still_served(httpd):
    out = subprocess.run(["curl", "-s", "--http1.1", "-o", "-", "-w", "\n%{http_code} %{http_version}",
                          httpd.url("/1k.txt", tls=False)], capture_output=True, check=True)
    body, _, tail = out.stdout.rpartition(b"\n")
    assert tail == b"200 1.1"
    assert len(body) == 1024


def test_http11_over_tls_still_served(httpd):
    out = subprocess.run(["curl", "-sk", "--http1.1", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                          httpd.url("/index.html")], capture_output=True, check=True, text=True)
    assert out.stdout == "200 1.1"
