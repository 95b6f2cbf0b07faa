# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""No close lands on a stop (issue 18). httpd 2.4's event MPM has a hard-stop race of its
own: a worker clears its `worker_sockets[]` slot only when `process_socket()` returns,
after `close_connection()` handed the connection's pool back, and on `-k stop` the child's
main thread walks those slots while the listener destroys the recycled pools
(docs/ARCHITECTURE.md "Stop and restart"). A module decides how often its closes land in
that window. tests/tools/stopwin.c (an LD_PRELOAD probe, here as a detector only: no hold)
reports a slot that names unmapped memory (STALE) instead of letting the child fault.

The loop: graceful restart under h2load, one more request on a new connection (the one a
late close would bring into the stop), then `-k stop`; every cycle must end with the
processes gone, no crash line, no core and no STALE slot. STOP_CYCLES sets the count
(100 for the measurement in the issue's note)."""
import os
import subprocess
import time

import pytest

from test_70_lifecycle import core_dumps_on, crash_lines, cores, server_pids, wait_gone, \
    wait_pid_change, logged_requests, wait_requests

CYCLES = int(os.environ.get("STOP_CYCLES", "100"))


def test_no_close_lands_on_a_stop(make_httpd):
    h = make_httpd("stoprace", start=False, threads=32, log_level="info", stop_probe=True,
                   extra="""
H2MaxWorkers 16
GracefulShutdownTimeout 3
ServerLimit 4
CoreDumpDirectory "{root}"
""")
    os.chmod(h.root, 0o777)   # the child (www-data) may write a core file here
    stale, took, seen = [], [], 0
    for i in range(CYCLES):
        h.start()
        pid = h.pid()
        if i == 0:
            with open("/proc/%d/maps" % pid) as f:
                assert "stopwin.so" in f.read(), "the probe is not loaded"
        base = logged_requests(h)
        p = subprocess.Popen(["h2load", "-c", "8", "-m", "4", "-D", "2", "-t", "1",
                              h.url("/1k.txt", tls=(i % 2 == 1))],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert wait_requests(h, 20, base=base), h.log_tail()
            res = h._ctl("-k", "graceful")
            assert res.returncode == 0, res.stdout
            assert wait_pid_change(h, pid), "cycle %d: no server after graceful" % i
            # a request of its own, then the stop right after it
            r = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null",
                                "-w", "%{http_code}", h.url("/1k.txt", tls=False)],
                               capture_output=True, text=True, timeout=30)
            assert r.stdout == "200", r.stdout
            t0 = time.monotonic()
            res = h._ctl("-k", "stop")
            left = wait_gone(h)
            took.append(time.monotonic() - t0)
            assert not left, "cycle %d: processes left %s\n%s" % (i, left, h.log_tail())
        finally:
            p.kill()
            p.wait()
        assert not crash_lines(h), "cycle %d: %s" % (i, "".join(crash_lines(h)))
        assert not cores(h), "cycle %d: cores %s" % (i, cores(h))
        with open(h.error_log, errors="replace") as f:
            n = sum(1 for ln in f if "STALE" in ln)
        if n > seen:
            stale.append(i)
            seen = n
    assert not server_pids(h)
    took.sort()
    print("%d graceful+stop cycles: 0 crashes, %d with a stale slot %s; stop took %.2f s "
          "median, %.2f s max" % (CYCLES, len(stale), stale, took[len(took) // 2], took[-1]))
    # the race is httpd's, so it stays possible; what is ours is how often our closes land
    # on a stop (0 of 100 cycles measured, docs/ARCHITECTURE.md): one cycle in the run is
    # a rare hit, more is a regression
    assert len(stale) <= 1, "closes landed on the stop in cycles %s\n%s" % (
        stale, h.log_tail())
