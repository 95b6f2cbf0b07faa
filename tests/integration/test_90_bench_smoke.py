# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""tests/bench/bench_servers.py and bench_pageload.py run and print a figure for every
installed server.

Only the output format and that each server served h2 are checked: the figures of a
one-second smoke run on a busy machine say nothing about speed.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest

BENCH = os.path.join(os.path.dirname(__file__), "..", "bench")
sys.path.insert(0, BENCH)
import bench_servers  # noqa: E402

WORKLOADS = ("h2c-1k", "tls-100k")  # both transports, both files


@pytest.fixture(scope="module")
def smoke_output():
    if not shutil.which("h2load"):
        pytest.skip("h2load (nghttp2-client) not installed")
    res = subprocess.run([sys.executable, os.path.join(BENCH, "bench_servers.py"), "--smoke",
                          "--workloads", ",".join(WORKLOADS)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def _servers():
    return [n for n in bench_servers.ALL_SERVERS if bench_servers.installed(n)]


def test_figure_for_each_installed_server(smoke_output):
    for wl in WORKLOADS:
        for name in _servers():
            m = re.search(r"^%s\s+%s\s+(\d+) req/s\s+([\d.]+) cpu_us/req"
                          r"(?: \(rounds [\d.]+-[\d.]+\))?"
                          r"\s+\(h2load used\s+(\d+)%% of a core\)$" % (wl, name),
                          smoke_output, re.M)
            assert m, "no figure for %s %s in:\n%s" % (wl, name, smoke_output)
            assert int(m.group(1)) > 0, "%s served nothing over %s:\n%s" % (name, wl, smoke_output)
            assert float(m.group(2)) > 0, smoke_output
            assert int(m.group(3)) > 0, "no CPU time of h2load:\n" + smoke_output


def test_ratios_printed(smoke_output):
    for wl in WORKLOADS:
        for name in _servers():
            if name == "mod_h2":
                continue
            assert re.search(r"^%s\s+mod_h2/%s\s+req/s [\d.]+\s+cpu_us [\d.]+$" % (wl, name),
                             smoke_output, re.M), smoke_output


def test_no_failed_requests(smoke_output):
    assert "note:" not in smoke_output, smoke_output


def test_cpu_of_a_process_tree_counts_children():
    # the figure sums the whole tree: a busy child of ours must show up under our pid
    child = subprocess.Popen([sys.executable, "-c", "import time\nt=time.process_time()\n"
                              "while time.process_time() - t < 0.3: pass\nprint('ok', flush=True)\n"
                              "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        before = bench_servers.tree_cpu(os.getpid())
        assert child.stdout.readline().strip() == "ok"
        after = bench_servers.tree_cpu(os.getpid())
        assert child.pid in after
        assert bench_servers.cpu_between(before, after) >= 0.2
    finally:
        child.stdin.close()
        child.wait(timeout=10)


# ---- tests/bench/bench_pageload.py (about 15-25 s: one load per server, a tiny page)

def test_pageload_smoke_loads_each_server():
    """bench_pageload.py --smoke loads the page once per server through its delay proxy:
    a row per server with a load time and FCP, the protocol the browser used (h2, and
    http/1.1 for the HTTP/1.1 server) and every resource of the page fetched."""
    import bench_pageload
    if not os.access(bench_pageload.CHROMIUM, os.X_OK):
        pytest.skip("chromium not installed")
    res = subprocess.run([sys.executable, os.path.join(BENCH, "bench_pageload.py"), "--smoke"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    spec = bench_pageload.page_spec(True)
    resources = spec["css"] + spec["js_head"] + spec["js_body"] + spec["img"] + spec["fonts"]
    for name in bench_pageload.ALL_SERVERS:
        if not bench_pageload.installed(name):
            continue
        # server, load [min-max], fcp [..], last CSS [..], last font [..], protocol,
        # resources, 103s
        m = re.search(r"^%s\s+(\d+) \[\S+\]\s+(\d+) \[\S+\]\s+\S+ \[\S+\]\s+\S+ \[\S+\]"
                      r"\s+(\S+)\s+(\d+), \d+/1 \(\d+\)$" % name, res.stdout, re.M)
        assert m, "no row for %s in:\n%s" % (name, res.stdout)
        assert int(m.group(1)) > 0 and int(m.group(2)) > 0
        assert m.group(3) == ("http/1.1" if name == "http1" else "h2"), m.group(0)
        assert int(m.group(4)) >= resources, m.group(0)
    assert re.search(r"^mod_http2\s+load [\d.]+\s+fcp [\d.]+", res.stdout, re.M), res.stdout
