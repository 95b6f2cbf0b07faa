# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Stop and restart under load (issue 8): `-k stop`, `-k graceful`, `-k restart` and
`-k graceful-stop` while h2load keeps 50 connections busy, several times per test. The
server must not crash (no AH00051/AH00052 "exit signal" line, no "Segmentation fault", no
core file in the server root, which is the CoreDumpDirectory) and every httpd process must
be gone in bounded time after the stop."""
import os
import re
import resource
import subprocess
import time

import pytest

ROUNDS = 3              # stop/start cycles per test
LOAD_SECS = 3           # h2load duration (the signal comes in the middle of it)
GONE_SECS = 15          # all processes gone within this after a stop

CRASH_RE = re.compile(r"AH0005[12]|exit signal|Segmentation fault|possible coredump")

# A handler that writes slowly: workers are inside c2's output filter, waiting for the
# client or for room, when the stop comes.
DRIP_CGI = r'''#!/usr/bin/python3
import sys, time
sys.stdout.write("Content-Type: application/octet-stream\r\n\r\n")
sys.stdout.flush()
for i in range(40):
    sys.stdout.write("x" * 8192)
    sys.stdout.flush()
    time.sleep(0.05)
'''


@pytest.fixture(autouse=True)
def core_dumps_on():
    """Let a crashing child write a core file (the limit is inherited by httpd)."""
    old = resource.getrlimit(resource.RLIMIT_CORE)
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (old[1], old[1]))
    except (ValueError, OSError):
        pass
    yield
    resource.setrlimit(resource.RLIMIT_CORE, old)


def server_pids(h):
    """pids of every process started from this server root (parent, children, cgid)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read().split(b"\0")
        except OSError:
            continue
        if h.root.encode() in cmd:
            pids.append(int(d))
    return pids


def wait_gone(h, secs=GONE_SECS):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        left = server_pids(h)
        if not left:
            return []
        time.sleep(0.1)  # polling for process exit, bounded by the deadline
    return server_pids(h)


def wait_pid_change(h, old, secs=15):
    """after a restart: the pid file names a running server again"""
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        pid = h.pid()
        if pid and (old is None or pid == old):
            try:
                h._wait_listening(1)
                return pid
            except RuntimeError:
                pass
        time.sleep(0.1)  # polling, bounded by the deadline
    return None


def cores(h):
    return [f for f in os.listdir(h.root) if f.startswith("core")]


def crash_lines(h):
    try:
        with open(h.error_log, errors="replace") as f:
            return [ln for ln in f if CRASH_RE.search(ln)]
    except OSError:
        return []


def load(h, tls=False, path="/100k.bin", secs=LOAD_SECS):
    url = h.url(path, tls=tls)
    return subprocess.Popen(["h2load", "-c", "50", "-m", "10", "-D", str(secs), "-t", "1",
                             url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def logged_requests(h):
    try:
        with open(h.access_log, errors="replace") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def wait_requests(h, n, secs=10, base=0):
    """wait until the server answered n requests more than base (load is running)"""
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        if logged_requests(h) >= base + n:
            return True
        time.sleep(0.05)  # polling, bounded by the deadline
    return False


def finish(p):
    try:
        p.communicate(timeout=LOAD_SECS + 20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()


@pytest.fixture
def loaded(make_httpd):
    def factory(name, extra=""):
        h = make_httpd(name, start=False, threads=64, log_level="info", stop_probe=True,
                       extra="""
CoreDumpDirectory "{root}"
H2MaxWorkers 32
GracefulShutdownTimeout 3
# room for the new generation's child while the old one finishes its streams (a graceful
# restart under load; httpd's default is 16, h2conf's one-child config has 1)
ServerLimit 4
""" + extra)
        os.chmod(h.root, 0o777)   # the child (www-data) may write a core file here
        p = os.path.join(h.root, "cgi-bin", "drip.py")
        with open(p, "w") as f:
            f.write(DRIP_CGI)
        os.chmod(p, 0o755)
        h.start()
        return h
    return factory


def check_clean(h, what):
    """no crash, no core. Servers made with stop_probe survive the event MPM's own
    hard-stop race (h2conf.stopwin_so): a hit is a STALE line, reported, not failed here
    (test_75_stop_race.py counts them)"""
    try:
        with open(h.error_log, errors="replace") as f:
            stale = [ln for ln in f if "STALE" in ln]
    except OSError:
        stale = []
    if stale:
        print("%s: the MPM's stop race was hit (not ours):\n%s" % (what, "".join(stale[:3])))
    assert not crash_lines(h), "%s: crash in the error log:\n%s" % (what, "".join(crash_lines(h)))
    assert not cores(h), "%s: core files %s" % (what, cores(h))


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "h2"])
def test_stop_under_load(loaded, tls):
    h = loaded("stop")
    for i in range(ROUNDS):
        if i:
            h.start()
        base = logged_requests(h)
        p1 = load(h, tls=tls)
        p2 = load(h, tls=tls, path="/cgi-bin/drip.py")
        assert wait_requests(h, 50, base=base), h.log_tail()
        res = h._ctl("-k", "stop")
        assert res.returncode == 0, res.stdout
        left = wait_gone(h)
        finish(p1)
        finish(p2)
        assert not left, "round %d: processes left %s\n%s" % (i, left, h.log_tail())
        check_clean(h, "stop round %d" % i)


@pytest.mark.parametrize("mode", ["graceful", "restart"])
def test_restart_under_load(loaded, mode):
    h = loaded(mode)
    pid = h.pid()
    for i in range(ROUNDS):
        base = logged_requests(h)
        p1 = load(h)
        p2 = load(h, path="/cgi-bin/drip.py")
        try:
            assert wait_requests(h, 50, base=base), h.log_tail()
            res = h._ctl("-k", mode)
            assert res.returncode == 0, res.stdout
            assert wait_pid_change(h, pid), "round %d: no server after %s\n%s" % (
                i, mode, h.log_tail())
        finally:
            finish(p1)
            finish(p2)
        check_clean(h, "%s round %d" % (mode, i))
    # the server still answers after the restarts
    res = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null",
                          "-w", "%{http_code}", h.url("/1k.txt", tls=False)],
                         capture_output=True, text=True, timeout=30)
    assert res.stdout == "200", res.stdout
    h._ctl("-k", "stop")
    left = wait_gone(h)
    assert not left, "processes left %s\n%s" % (left, h.log_tail())
    check_clean(h, "%s, then stop" % mode)


def test_graceful_stop_under_load(loaded):
    h = loaded("gstop")
    for i in range(2):
        if i:
            h.start()
        base = logged_requests(h)
        p1 = load(h)
        p2 = load(h, path="/cgi-bin/drip.py")
        assert wait_requests(h, 50, base=base), h.log_tail()
        res = h._ctl("-k", "graceful-stop")
        assert res.returncode == 0, res.stdout
        # GracefulShutdownTimeout 3: bounded even with streams open
        left = wait_gone(h)
        finish(p1)
        finish(p2)
        assert not left, "round %d: processes left %s\n%s" % (i, left, h.log_tail())
        check_clean(h, "graceful-stop round %d" % i)


def test_hung_handler_connection_waits(make_httpd):
    """A handler that does not notice its client left (mod_cgid waiting for a script that
    sleeps, CGIDScriptTimeout longer than Timeout): the end of the connection waits for it
    (issue 17 row 2: c2 reads c1's memory until it returns), names the stream once at
    WARNING after Timeout; the handler returns at CGIDScriptTimeout, its request is
    logged and nothing crashes. (Before, c1 left it running after Timeout and the MPM
    recycled c1's memory under it.)"""
    from h2client import Conn
    h = make_httpd("hung", threads=64, log_level="info", extra="""
Timeout 2
CGIDScriptTimeout 6
""")
    c = Conn(h.http_port, timeout=5)
    c.handshake()
    c.request(1, "/cgi-bin/slow.py?30")
    # the request reached the handler: the script runs (mod_cgid waits for its output)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if any(b"slow.py" in open("/proc/%s/cmdline" % p, "rb").read()
               for p in os.listdir("/proc") if p.isdigit()
               and os.path.exists("/proc/%s/cmdline" % p)):
            break
        time.sleep(0.05)  # polling a condition, bounded by the deadline
    c.close()
    t0 = time.monotonic()
    found = None
    while time.monotonic() - t0 < 10 and not found:
        with open(h.error_log, errors="replace") as f:
            found = [ln for ln in f if "MH201000" in ln]
        time.sleep(0.1)  # polling a condition, bounded by the deadline
    assert found, "no warning about the stream left running:\n" + h.log_tail()
    assert "ids 1)" in found[0], found[0]
    # the handler returns (CGIDScriptTimeout) after c1 is gone: its request is logged
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with open(h.access_log, errors="replace") as f:
            if "slow.py" in f.read():
                break
        time.sleep(0.1)  # polling a condition, bounded by the deadline
    with open(h.access_log, errors="replace") as f:
        assert "slow.py" in f.read(), h.log_tail()
    res = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null",
                          "-w", "%{http_code}", h.url("/1k.txt", tls=False)],
                         capture_output=True, text=True, timeout=30)
    assert res.stdout == "200", res.stdout
    assert not crash_lines(h), "".join(crash_lines(h))


# A stream whose handler outlives its connection while the child stops. Nothing of the
# child may be freed under it: the pool cleanups and exit() that follow the workers' join
# free the configuration and modules' state it uses (a crash now and then, under load).

def script_running(path):
    """is a process running the script at path?"""
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % p, "rb") as f:
                if path.encode() in f.read().split(b"\0"):
                    return True
        except OSError:
            pass
    return False


def wait_for(cond, secs):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)  # polling a condition, bounded by the deadline
    return cond()


def log_lines(path, text):
    try:
        with open(path, errors="replace") as f:
            return [ln for ln in f if text in ln]
    except OSError:
        return []


# the CGI runs longer than Timeout, its client gone: c1 waits for it (a WARNING at
# Timeout)
DETACH_CONF = """
Timeout 2
CGIDScriptTimeout 30
"""


def detached_handler(h, secs):
    """slow.py silent for secs, its client gone: c1 waits for its worker (and says so)"""
    from h2client import Conn
    script = os.path.join(h.root, "cgi-bin", "slow.py")
    c = Conn(h.http_port, timeout=5)
    c.handshake()
    c.request(1, "/cgi-bin/slow.py?%s" % secs)
    assert wait_for(lambda: script_running(script), 10), h.log_tail()
    c.close()
    assert wait_for(lambda: log_lines(h.error_log, "MH201000"), 10), h.log_tail()


def test_graceful_restart_waits_for_a_detached_handler(loaded):
    """graceful restart: the old child waits for the handler (its connection's end waits,
    the MPM waits for that thread), names it once, and its request is logged when it
    returns; then its workers are all idle at the exit"""
    h = loaded("gwait", DETACH_CONF)
    old = set(subprocess.run(["pgrep", "-P", str(h.pid())], capture_output=True,
                             text=True).stdout.split())
    detached_handler(h, 3)
    res = h._ctl("-k", "graceful")
    assert res.returncode == 0, res.stdout
    assert wait_for(lambda: log_lines(h.access_log, "slow.py"), 15), h.log_tail()
    # the old child (not mod_cgid's daemon, which stays) is gone
    assert wait_for(lambda: sum(os.path.exists("/proc/%s/task/%s" % (p, p))
                                and len(os.listdir("/proc/%s/task" % p)) > 2
                                for p in old) == 0, 10), h.log_tail()
    waits = log_lines(h.error_log, "MH201000")
    assert len(waits) == 1 and "waiting for their handlers" in waits[0], waits
    assert not log_lines(h.error_log, "MH200601"), h.log_tail()
    check_clean(h, "graceful restart")


def test_stop_does_not_wait_for_a_handler_that_runs_on(loaded):
    """stop: the connection's end waits 1.5 s more for the handler, then the child ends
    without its exit cleanups, before the parent would have to kill it"""
    h = loaded("hwait", DETACH_CONF)
    detached_handler(h, 15)
    res = h._ctl("-k", "stop")
    assert res.returncode == 0, res.stdout
    left = wait_gone(h)
    assert not left, "processes left %s\n%s" % (left, h.log_tail())
    assert not log_lines(h.error_log, "SIGKILL"), h.log_tail()
    ends = [ln for ln in log_lines(h.error_log, "MH201000") if "ends now" in ln]
    assert len(ends) == 1 and "ids 1)" in ends[0], ends
    check_clean(h, "stop")


def test_stop_ends_a_graceful_wait(loaded):
    """graceful restart, then stop while the old child still waits for the handler: the
    parent's SIGTERM turns the wait into a hard stop's short one"""
    h = loaded("gthenstop", DETACH_CONF)
    detached_handler(h, 15)
    res = h._ctl("-k", "graceful")
    assert res.returncode == 0, res.stdout
    # the new generation is up (the old child still waits for the handler)
    assert wait_for(lambda: log_lines(h.error_log, "resuming normal operations")[1:], 10), \
        h.log_tail()
    res = h._ctl("-k", "stop")
    assert res.returncode == 0, res.stdout
    left = wait_gone(h)
    assert not left, "processes left %s\n%s" % (left, h.log_tail())
    assert not log_lines(h.error_log, "SIGKILL"), h.log_tail()
    msgs = [ln.split("MH201000")[1] for ln in log_lines(h.error_log, "MH201000")]
    assert len(msgs) == 2 and "waiting" in msgs[0] and "ends now" in msgs[1], msgs
    check_clean(h, "graceful, then stop")
