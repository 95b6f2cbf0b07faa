# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""mod_http2's optional functions (http2_is_h2, http2_var_lookup, http2_get_num_workers)
seen through the modules that call them: httpd's ap_expr (%{HTTP2} in <If>, Require expr,
SetEnvIfExpr, mod_rewrite's expr conditions), mod_proxy's connection pools, and a probe
module built here against include/mod_h2.h as a module built against mod_http2.h asks
them (tests/integration/probe/mod_h2_probe.c). Also the worker pool's bounds as
H2MinWorkers/H2MaxWorkers are written (issue 20)."""
import http.client
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import threading
import time

import pytest

import h2conf
from h2client import H2Client

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))


def _http1(port, path, tls=False):
    """(status, headers dict lower-case, body) of one HTTP/1.1 request"""
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["http/1.1"])
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=20)
    else:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    c.request("GET", path, headers={"Host": "localhost"})
    r = c.getresponse()
    body = r.read()
    hd = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hd, body


def _h2(port, path, tls=False, headers=None):
    c = H2Client(port, tls=tls)
    r = c.get(path, headers=headers) if headers else c.get(path)
    c.close()
    return r


def _env(body):
    return dict(line.split("=", 1) for line in body.decode().splitlines() if "=" in line)


# ---------------------------------------------------------------------------------------
# ap_expr's %{HTTP2}: httpd asks http2_is_h2 (server/util_expr_eval.c)

EXPR_CONF = """
<Location /1k.txt>
    <If "%{HTTP2} == 'on'">
        Header set X-H2 on
    </If>
    <Else>
        Header set X-Not-H2 yes
    </Else>
</Location>
<Location /h2only/>
    Require expr "%{HTTP2} == 'on'"
</Location>
Alias /h2only/ "{root}/htdocs/"
SetEnvIfExpr "%{HTTP2} == 'on'" VIA_H2_EXPR=yes
RewriteEngine on
RewriteCond expr "%{HTTP2} == 'on'"
RewriteRule ^/x-expr$ /ok.html [PT]
RewriteCond %{HTTP2} =on
RewriteRule ^/x-var$ /ok.html [PT]
"""


@pytest.fixture(scope="module")
def exprsrv(make_module_httpd):
    h = make_module_httpd("expr", extra=EXPR_CONF, start=False)
    with open(os.path.join(h.docroot, "ok.html"), "w") as f:
        f.write("ok\n")
    h.start()
    return h


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_if_http2_header(exprsrv, tls):
    port = exprsrv.https_port if tls else exprsrv.http_port
    r = _h2(port, "/1k.txt", tls=tls)
    assert r.status == 200
    assert r.header("x-h2") == "on" and r.header("x-not-h2") is None
    st, hd, _ = _http1(port, "/1k.txt", tls=tls)
    assert st == 200
    assert "x-h2" not in hd and hd.get("x-not-h2") == "yes"


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_require_expr_http2(exprsrv, tls):
    port = exprsrv.https_port if tls else exprsrv.http_port
    assert _h2(port, "/h2only/1k.txt", tls=tls).status == 200
    assert _http1(port, "/h2only/1k.txt", tls=tls)[0] == 403


def test_setenvifexpr_in_cgi_environment(exprsrv):
    env = _env(bytes(_h2(exprsrv.https_port, "/cgi-bin/env.py", tls=True).body))
    assert env.get("VIA_H2_EXPR") == "yes"
    st, _, body = _http1(exprsrv.https_port, "/cgi-bin/env.py", tls=True)
    assert st == 200 and "VIA_H2_EXPR" not in _env(body)


def test_rewrite_cond_expr_http2(exprsrv):
    # the rules are the main server's (the TLS vhost has no RewriteEngine): cleartext port
    r = _h2(exprsrv.http_port, "/x-expr")
    assert r.status == 200 and bytes(r.body) == b"ok\n"
    assert _http1(exprsrv.http_port, "/x-expr")[0] == 404


def test_rewrite_cond_plain_http2_variable_is_unknown_to_mod_rewrite(exprsrv):
    # mod_rewrite's own variable table has no HTTP2 (only HTTPS): %{HTTP2} is "" there,
    # with mod_http2 as with mod_h2; the expr form above is the one that works
    assert _h2(exprsrv.http_port, "/x-var").status == 404
    assert _http1(exprsrv.http_port, "/x-var")[0] == 404


# ---------------------------------------------------------------------------------------
# the probe module: what a module built against mod_http2.h gets

VARS = ["HTTP2", "H2PUSH", "H2_PUSH", "H2_PUSHED", "H2_PUSHED_ON", "H2_STREAM_ID",
        "H2_STREAM_TAG", "NO_SUCH_VAR"]


@pytest.fixture(scope="module")
def probe_so():
    d = tempfile.mkdtemp(prefix="mod_h2-probe-")
    os.chmod(d, 0o755)
    shutil.copy(os.path.join(HERE, "probe", "mod_h2_probe.c"), d)
    res = subprocess.run(["apxs", "-c", "-Wc,-Wall", "-Wc,-Wextra", "-Wc,-Werror",
                          "-I" + os.path.join(TOP, "include"), "mod_h2_probe.c"],
                         cwd=d, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    so = os.path.join(d, ".libs", "mod_h2_probe.so")
    os.chmod(os.path.join(d, ".libs"), 0o755)
    yield so
    shutil.rmtree(d, ignore_errors=True)


PROBE_CONF = """
LoadModule h2_probe_module {so}
<Location /probe>
    SetHandler h2-probe
</Location>
<Location /probe-nopush>
    SetHandler h2-probe
    H2Push off
</Location>
<Location /push/page.html>
    Header add Link "</probe?{vars}>; rel=preload"
</Location>
H2MinWorkers 3
H2MaxWorkers 7
"""


def _probe_conf(so):
    return PROBE_CONF.replace("{so}", so).replace("{vars}", "+".join(VARS))


def _parse_probe(body):
    out = {}
    for line in body.decode().splitlines():
        k, v = line.split("=", 1)
        out[k] = v
    return out


@pytest.fixture(scope="module")
def probesrv(make_module_httpd, probe_so):
    h = make_module_httpd("probe", extra=_probe_conf(probe_so), start=False)
    os.makedirs(os.path.join(h.docroot, "push"), exist_ok=True)
    with open(os.path.join(h.docroot, "push", "page.html"), "w") as f:
        f.write("<html>page</html>\n")
    h.start()
    return h


TAG = re.compile(r"^(\d+-\d+)-(\d+)$")
CTAG = re.compile(r"^\d+-(\d+)$")


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_probe_over_h2(probesrv, tls):
    port = probesrv.https_port if tls else probesrv.http_port
    c = H2Client(port, tls=tls)
    c.get("/1k.txt")
    r = c.get("/probe?" + "+".join(VARS))
    c.close()
    assert r.status == 200
    p = _parse_probe(bytes(r.body))
    assert p["is_h2"] == "1" and p["is_h2_master"] == "1"
    # with the request: the stream's values (the ones in the CGI environment)
    assert p["r:HTTP2"] == "on"
    assert p["r:H2PUSH"] == "on" and p["r:H2_PUSH"] == "on"
    assert p["r:H2_PUSHED"] == "" and p["r:H2_PUSHED_ON"] == ""
    assert p["r:H2_STREAM_ID"] == "3"
    m = TAG.match(p["r:H2_STREAM_TAG"])
    assert m and m.group(2) == "3", p
    conn_tag = m.group(1)
    assert p["r:NO_SUCH_VAR"] == ""
    # the stream connection without a request: the stream's own tag, the master's record
    assert p["c:HTTP2"] == "on" and p["c:H2PUSH"] == "on"
    assert p["c:H2_STREAM_TAG"] == p["r:H2_STREAM_TAG"] and p["c:H2_STREAM_ID"] == "3"
    assert p["c:H2_PUSHED"] == "" and p["c:NO_SUCH_VAR"] == ""
    # the client connection (c1): its tag, and as mod_http2 the part after its last '-'
    assert p["m:HTTP2"] == "on" and p["m:H2PUSH"] == "on"
    assert p["m:H2_STREAM_TAG"] == conn_tag
    assert p["m:H2_STREAM_ID"] == CTAG.match(conn_tag).group(1)
    assert p["m:H2_PUSHED"] == "" and p["m:H2_PUSHED_ON"] == ""
    assert p["workers"] == "3,7"


def test_probe_over_http1(probesrv):
    st, _, body = _http1(probesrv.http_port, "/probe?" + "+".join(VARS))
    assert st == 200
    p = _parse_probe(body)
    assert p["is_h2"] == "0" and p["is_h2_master"] == "0"
    assert p["r:HTTP2"] == "off" and p["c:HTTP2"] == "off"
    # off h2, mod_http2 answers H2PUSH with the H2Push setting of the server
    assert p["r:H2PUSH"] == "on" and p["c:H2_PUSH"] == "on"
    assert p["r:H2_STREAM_TAG"] == "" and p["r:H2_STREAM_ID"] == "(null)"
    assert p["r:H2_PUSHED"] == "" and p["r:NO_SUCH_VAR"] == ""
    assert "m:HTTP2" not in p
    assert p["workers"] == "3,7"
    st, _, body = _http1(probesrv.http_port, "/probe-nopush?H2PUSH")
    assert _parse_probe(body)["r:H2PUSH"] == "off"


def test_probe_h2push_off_in_directory(probesrv):
    r = _h2(probesrv.http_port, "/probe-nopush?H2PUSH+H2_PUSH")
    p = _parse_probe(bytes(r.body))
    assert p["r:H2PUSH"] == "off" and p["r:H2_PUSH"] == "off"


def test_probe_pushed_stream(probesrv):
    from test_23_effects import PushClient
    c = PushClient(probesrv.http_port)
    r = c.get("/push/page.html")
    assert r.status == 200
    c.wait()
    assert len(c.promises) == 1, c.promises
    parent, psid, _ = c.promises[0]
    p = _parse_probe(bytes(c.responses[psid].body))
    c.close()
    assert p["r:H2_PUSHED"] == "PUSHED" and p["r:H2_PUSHED_ON"] == str(parent)
    assert p["r:H2_STREAM_ID"] == str(psid) and p["r:H2PUSH"] == "on"
    assert p["m:H2_PUSHED"] == "" and p["m:H2_PUSHED_ON"] == ""


# ---------------------------------------------------------------------------------------
# http2_get_num_workers: mod_proxy sizes a backend's connection pool by it
# (proxy_util.c ap_proxy_initialize_worker: ThreadsPerChild - 1 + the most h2 workers)

def _pool_max(h, port, secs=10):
    pat = re.compile(r"initialized pool in child \d+ for \(127\.0\.0\.1:%d\) "
                     r"min=\d+ max=(\d+) smax=(\d+)" % port)
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        with open(h.error_log, errors="replace") as f:
            m = pat.search(f.read())
        if m:
            return int(m.group(1)), int(m.group(2))
        time.sleep(0.05)  # polling the log for the child's line, bounded
    raise AssertionError("no pool line for port %d:\n%s" % (port, h.log_tail()))


def test_proxy_pool_sized_by_h2_workers(make_httpd):
    back = h2conf.free_port()
    h = make_httpd("proxypool", threads=8, log_level="warn proxy:debug",
                   extra="H2MaxWorkers 40\nProxyPass /back/ http://127.0.0.1:%d/\n" % back)
    # ThreadsPerChild 8: 7 HTTP/1 threads and the 40 connections our workers may need
    assert _pool_max(h, back) == (8 - 1 + 40, 8 - 1 + 40)


def test_proxy_pool_serves_more_streams_than_threads(make_httpd):
    """More concurrent h2 streams to one backend than ThreadsPerChild: no stream waits
    for a backend connection (acquire=100 ms would make a waiting one a 503)."""
    backend = make_httpd("poolback", threads=25)
    threads, n = 4, 12
    h = make_httpd("poolfront", threads=threads, log_level="warn proxy:debug",
                   extra="H2MinWorkers 16\nH2MaxWorkers 16\n"
                         "ProxyPass /back/ http://127.0.0.1:%d/ acquire=100\n"
                         % backend.http_port)
    results = []
    lock = threading.Lock()

    def one_conn(k):
        c = H2Client(h.http_port)
        sids = [c.request("/back/cgi-bin/slow.py?2") for _ in range(k)]
        c.wait(sids)
        with lock:
            results.extend(c.responses[s].status for s in sids)
        c.close()

    # two connections (one gets at most half of the 16 workers)
    ts = [threading.Thread(target=one_conn, args=(n // 2,)) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert sorted(results) == [200] * n, results
    assert _pool_max(h, backend.http_port)[0] == threads - 1 + 16

# ---------------------------------------------------------------------------------------
# H2MinWorkers / H2MaxWorkers as written

def _children(h):
    out = subprocess.run(["pgrep", "-P", str(h.pid())], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _threads(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _started_line(h, secs=10):
    pat = re.compile(r"h2 workers: started (\d+) threads \(min (\d+), max (\d+),")
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        with open(h.error_log, errors="replace") as f:
            m = pat.search(f.read())
        if m:
            return tuple(int(x) for x in m.groups())
        time.sleep(0.05)  # polling the log for the child's line, bounded
    raise AssertionError("no workers line:\n" + h.log_tail())


def test_max_workers_below_threads_per_child(make_httpd):
    h = make_httpd("maxw", threads=64, log_level="warn h2:debug", extra="H2MaxWorkers 32\n")
    assert _started_line(h) == (32, 32, 32)
    pid = max(_children(h), key=_threads)
    # 40 slow streams over 4 connections: the pool grows to its most, not beyond
    conns = [H2Client(h.http_port) for _ in range(4)]
    sids = [[c.request("/cgi-bin/slow.py?2") for _ in range(10)] for c in conns]
    peak = 0
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        peak = max(peak, _threads(pid))
        time.sleep(0.05)  # sampling the thread count while the streams run, bounded
    for c, s in zip(conns, sids):
        c.wait(s)
        assert all(c.responses[x].status == 200 for x in s)
        c.close()
    # the MPM's 64 threads, its listener and main thread, our 32 workers, a few others
    # (the park thread): never ThreadsPerChild more workers
    assert 64 + 32 <= peak <= 64 + 32 + 8, peak
    with open(h.error_log, errors="replace") as f:
        assert "H2MinWorkers" not in f.read()


def test_min_above_max_warns_once(make_httpd):
    h = make_httpd("minmax", log_level="warn h2:debug",
                   extra="H2MinWorkers 40\nH2MaxWorkers 20\n")
    assert _started_line(h) == (20, 20, 20)
    with open(h.error_log, errors="replace") as f:
        log = f.read()
    warn = [l for l in log.splitlines() if "H2MinWorkers 40 is above H2MaxWorkers 20" in l]
    assert len(warn) == 1 and ":warn]" in warn[0], log
    assert _h2(h.http_port, "/1k.txt").status == 200


def test_default_max_is_one_and_a_half_min(make_httpd):
    h = make_httpd("defmax", threads=10, log_level="warn h2:debug", extra="H2MinWorkers 6\n")
    assert _started_line(h) == (6, 6, 9)


def test_proxy_http2_forwards_interim_responses(make_httpd):
    """mod_proxy_http2 forwards a backend's 1xx responses only when it sees the front
    connection is h2 (mod_http2's `http2_is_h2`): a 103 from an h2c backend reaches an h2
    client before the 200 (the issue: read in mod_proxy_http2.c, not forwarded before)."""
    from h2client import Conn
    back = make_httpd("h2back", threads=8, extra="""
<Location /1k.txt>
    H2EarlyHints on
    H2EarlyHint Link "</early.css>; rel=preload; as=style"
</Location>
""")
    front = make_httpd("h2front", threads=8, modules=["proxy", "proxy_http2"], extra="""
ProxyPass /p/ h2c://127.0.0.1:%d/
""" % back.http_port)
    c = Conn(front.http_port, timeout=15)
    c.handshake()
    c.request(1, "/p/1k.txt")
    res = c.response(1, timeout=15)
    assert res["status"] == 200, res
    links = [v for block in res["interim"] for k, v in block if k.lower() in ("link", b"link")]
    assert res["interim"], "no interim response forwarded"
    assert any("early.css" in (v.decode() if isinstance(v, bytes) else v) for v in links), res["interim"]
