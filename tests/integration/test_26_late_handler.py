# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""A handler that outlives its client (issue 17 rows 2 and 7): the client closes
abruptly while its request's CGI still runs, past the Timeout the end of the connection
used to wait for. The request is logged when the CGI returns, with mod_ssl's variables of
its own connection (read through c2->master), while many other TLS connections with
other parameters come and go on the same child: before, c1 had left the stream to its
worker after Timeout, the MPM recycled c1's memory for the next connections, and the late
log line read whatever was there then (another client's TLS state, or a crash)."""
import os
import re
import socket
import ssl
import struct
import subprocess
import time

from h2client import Conn, S_INITIAL_WINDOW_SIZE

# the CGI sleeps past the Timeout (the old drain's bound) and ends by itself
LATE_CONF = """
Timeout 2
CGIDScriptTimeout 30
LogFormat "late %{SSL_PROTOCOL}x|%{SSL_CIPHER}x|%{SSL_TLS_SNI}x|%{H2_STREAM_TAG}e \\"%r\\" %>s" late
CustomLog "{root}/logs/late_log" late
"""
SLEEP = 5
OTHER_CIPHER = "ECDHE-RSA-AES128-GCM-SHA256"
CRASH_RE = re.compile(r"exit signal|Segmentation|AH00052|Aborted")


def mpm_child(h):
    """the event MPM's child (many threads; mod_cgid's daemon has one)"""
    out = subprocess.run(["pgrep", "-P", str(h.pid())], capture_output=True,
                         text=True).stdout.split()
    for p in out:
        try:
            if len(os.listdir("/proc/%s/task" % p)) > 2:
                return int(p)
        except OSError:
            pass
    return None


def _inodes(path, skip_state=None):
    out = set()
    try:
        with open(path) as f:
            rows = [ln.split() for ln in f][1:]
    except OSError:
        return out
    for r in rows:
        if "unix" in path:
            out.add(r[6])
        elif r[3] != skip_state:
            out.add(r[9])
    return out


def fds(pid, docroot=None):
    """the descriptors a stream can hold: pipes, connected sockets (TCP, unix: the CGI's
    to mod_cgid), files of the docroot; not the unconnected socket each worker thread
    keeps for its c2s"""
    live = _inodes("/proc/net/unix") | _inodes("/proc/net/tcp", skip_state="0A")
    n = 0
    try:
        links = [os.readlink("/proc/%d/fd/%s" % (pid, fd)) for fd in os.listdir("/proc/%d/fd" % pid)]
    except OSError:
        return -1
    for ln in links:
        if ln.startswith("pipe:"):
            n += 1
        elif ln.startswith("socket:[") and ln[8:-1] in live:
            n += 1
        elif docroot and ln.startswith(docroot):
            n += 1
    return n


def wait_for(cond, secs):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)  # polling a condition, bounded by the deadline
    return cond()


def late_lines(h, text=""):
    try:
        with open(os.path.join(h.root, "logs", "late_log"), errors="replace") as f:
            return [ln for ln in f if text in ln]
    except OSError:
        return []


def crash_lines(h):
    with open(h.error_log, errors="replace") as f:
        return [ln for ln in f if CRASH_RE.search(ln)]


def script_running(h):
    path = os.path.join(h.root, "cgi-bin", "slow.py").encode()
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % p, "rb") as f:
                if path in f.read().split(b"\0"):
                    return True
        except OSError:
            pass
    return False


def other_conn(h):
    """a TLS 1.2 connection with another cipher and another SNI name, one GET on it"""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(OTHER_CIPHER)
    ctx.set_alpn_protocols(["h2"])
    raw = socket.create_connection(("127.0.0.1", h.https_port), timeout=5)
    s = ctx.wrap_socket(raw, server_hostname="other.example")
    c = Conn.from_socket(s, timeout=5)
    c.handshake()
    c.request(1, "/1k.txt")
    c.read_response(1)
    return c


def start_late_request(h):
    """TLS 1.3 (the default) with SNI localhost: the CGI runs, then the client is gone
    at once (RST: no close_notify, no GOAWAY)"""
    c = Conn(h.https_port, tls=True, timeout=5)
    first = (c.sock.version(), c.sock.cipher()[0])
    assert first[0] == "TLSv1.3" and first[1] != OTHER_CIPHER, first
    c.handshake()
    c.request(1, "/cgi-bin/slow.py?%d" % SLEEP)
    assert wait_for(lambda: script_running(h), 10), h.log_tail()
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    return first


def churn_until_logged(h, secs=SLEEP + 10):
    """other connections, opened and closed, until the late line is written: the child's
    recycled connection memory is reused by them"""
    deadline = time.monotonic() + secs
    n = 0
    while not late_lines(h, "slow.py") and time.monotonic() < deadline:
        held = []
        for _ in range(8):
            try:
                held.append(other_conn(h))
                n += 1
            except (OSError, ssl.SSLError):
                pass
        for c in held:
            c.close()
    return n


def check_late_line(h, first):
    lines = late_lines(h, "slow.py")
    assert len(lines) == 1, lines
    m = re.match(r"late ([^|]*)\|([^|]*)\|([^|]*)\|(\S*) ", lines[0])
    assert m, lines[0]
    proto, cipher, sni, tag = m.groups()
    assert (proto, cipher, sni) == (first[0], first[1], "localhost"), lines[0]
    assert re.match(r"^[0-9-]+-1$", tag), lines[0]
    others = {ln.split("|")[3].split()[0] for ln in late_lines(h, "1k.txt")}
    assert tag not in others, (tag, sorted(others)[:5])
    # the other connections got theirs
    assert any("TLSv1.2|%s|other.example" % OTHER_CIPHER in ln
               for ln in late_lines(h, "1k.txt")), late_lines(h)[-3:]


def test_late_handler_logs_its_own_connection(make_httpd):
    h = make_httpd("late", threads=32, log_level="info", extra=LATE_CONF)
    pid = wait_for(lambda: mpm_child(h), 10)
    assert pid, h.log_tail()
    base = fds(pid)
    first = start_late_request(h)
    n = churn_until_logged(h)
    assert late_lines(h, "slow.py"), "the CGI's request was never logged:\n" + h.log_tail()
    assert n >= 8, n
    check_late_line(h, first)
    # one warning for the connection that waits for its handler, not one per loop
    with open(h.error_log, errors="replace") as f:
        waits = [ln for ln in f if "MH201000" in ln]
    assert len(waits) == 1 and "ids 1)" in waits[0], waits
    # the stream's descriptors (the CGI's socket, our pipes) are all gone again
    assert wait_for(lambda: 0 < fds(pid) <= base, 10), (base, fds(pid))
    assert mpm_child(h) == pid, "the child was replaced"
    assert not crash_lines(h), "".join(crash_lines(h))


def test_late_handler_through_graceful_restart(make_httpd):
    """graceful restart (log rotation) while the late handler runs: the old child waits
    for it, its line carries its own connection's values, the new child serves"""
    h = make_httpd("lateg", threads=32, log_level="info", extra=LATE_CONF)
    old = wait_for(lambda: mpm_child(h), 10)
    assert old, h.log_tail()
    first = start_late_request(h)
    res = h._ctl("-k", "graceful")
    assert res.returncode == 0, res.stdout
    n = churn_until_logged(h)
    assert late_lines(h, "slow.py"), "the CGI's request was never logged:\n" + h.log_tail()
    assert n >= 1, n   # the new child serves meanwhile
    check_late_line(h, first)
    # the old child is gone once its handler returned
    assert wait_for(lambda: not os.path.exists("/proc/%d" % old), 15), h.log_tail()
    other_conn(h).close()
    assert not crash_lines(h), "".join(crash_lines(h))


def test_late_handler_beside_a_mapped_file_h2c(make_httpd):
    """h2c (file output is mapped in windows on c1) with a 10 MB response queued that the
    client never reads, beside a CGI that outlives the client's abrupt close: every
    stream is released by c1 once the handler returned (before, the running one was left
    to its worker, which unmapped and closed behind c1's back, issue 17 row 7); no
    descriptor is left, the child did not crash and serves the file whole"""
    h = make_httpd("latem", threads=32, log_level="info", extra=LATE_CONF)
    pid = wait_for(lambda: mpm_child(h), 10)
    assert pid, h.log_tail()
    base = fds(pid, h.docroot)
    c = Conn(h.http_port, timeout=5)
    c.handshake(settings={S_INITIAL_WINDOW_SIZE: 65535})
    c.request(1, "/10m.bin")
    c.request(3, "/cgi-bin/slow.py?%d" % SLEEP)
    assert wait_for(lambda: script_running(h), 10), h.log_tail()
    assert wait_for(lambda: fds(pid, h.docroot) > base, 5), "the file is not held"
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    assert wait_for(lambda: late_lines(h, "slow.py"), SLEEP + 10), h.log_tail()
    assert wait_for(lambda: 0 < fds(pid, h.docroot) <= base, 10), (base, fds(pid, h.docroot))
    res = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null",
                          "-w", "%{http_code} %{size_download}", h.url("/10m.bin", tls=False)],
                         capture_output=True, text=True, timeout=30)
    assert res.stdout == "200 %d" % (10 * 1024 * 1024), res.stdout
    assert mpm_child(h) == pid, "the child was replaced"
    assert not crash_lines(h), "".join(crash_lines(h))
