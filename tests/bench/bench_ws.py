# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""WebSockets over HTTP/2 (RFC 8441), side by side: mod_h2 and Apache's mod_http2 in
identical httpd configurations (H2WebSockets on, ProxyPass to the echo server of
tests/integration/ws_echo.py through mod_proxy_wstunnel), plus an HTTP/1.1 upgrade through
the mod_h2 server as a baseline. Per server: messages echoed (3, one of 70 KB, as in
issue 10's table), round-trip time of 32-byte messages, time of a 4 MiB echo: medians
of alternating rounds, with ratios against mod_http2. The client is Python on every
path, so its own framing cost is in the figures. Prints; never pass/fail.

  MOD_H2_SO=build/gcc/mod_h2/.libs/mod_h2.so /usr/bin/python3 tests/bench/bench_ws.py
"""
import base64
import os
import shutil
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import h2conf  # noqa: E402
import ws_echo  # noqa: E402
import test_55_websocket as t  # noqa: E402

N = 2000
BIG = os.urandom(4 * 1024 * 1024)


def over_h2(h):
    """(echoed of 3, rtt seconds, 4 MiB seconds) over an extended CONNECT on h2c."""
    c, s = t.open_ws(h, False)
    try:
        if s.response() != 200:
            return 0, None, None
        ok = 0
        for msg in (b"one", os.urandom(70 * 1024), b"three"):
            s.send(ws_echo.build(msg, ws_echo.OP_BIN))
            ok += s.recv_msg()[2] == msg
        t0 = time.monotonic()
        for _ in range(N):
            s.send(ws_echo.build(b"x" * 32))
            s.recv_msg()
        rtt = (time.monotonic() - t0) / N
        t0 = time.monotonic()
        s.send(ws_echo.build(BIG, ws_echo.OP_BIN), timeout=60)
        assert s.recv_msg(timeout=60)[2] == BIG
        return ok, rtt, time.monotonic() - t0
    except (AssertionError, TimeoutError, OSError) as e:
        print("  (%s)" % e)
        return 0, None, None
    finally:
        c.close()


def over_h1(h):
    so = socket.create_connection(("127.0.0.1", h.http_port))
    so.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    so.sendall(("GET /ws/echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                "\r\n" % key).encode())
    buf = bytearray()
    while b"\r\n\r\n" not in buf:
        buf += so.recv(65536)
    assert buf.startswith(b"HTTP/1.1 101"), buf[:100]
    del buf[:buf.index(b"\r\n\r\n") + 4]

    def recv():
        while True:
            fr = ws_echo.parse(buf)
            if fr:
                del buf[:fr[3]]
                return fr[2]
            buf.extend(so.recv(262144))
    ok = 0
    for msg in (b"one", os.urandom(70 * 1024), b"three"):
        so.sendall(ws_echo.build(msg, ws_echo.OP_BIN))
        ok += recv() == msg
    t0 = time.monotonic()
    for _ in range(N):
        so.sendall(ws_echo.build(b"x" * 32))
        recv()
    rtt = (time.monotonic() - t0) / N
    t0 = time.monotonic()
    so.sendall(ws_echo.build(BIG, ws_echo.OP_BIN))
    assert recv() == BIG
    so.close()
    return ok, rtt, time.monotonic() - t0


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    return xs[len(xs) // 2] if xs else None


def main(rounds=3):
    b = ws_echo.EchoServer()
    servers = {}
    runs = {}
    try:
        for name, kw in (("mod_h2", {}), ("mod_http2", {"use_mod_http2": True})):
            root = tempfile.mkdtemp(prefix="mod_h2-wsbench-")
            os.chmod(root, 0o755)
            h = h2conf.Httpd(root, extra=t.ws_conf(b.port), **kw)
            h.make_root()
            h.start()
            servers[name] = h
        # alternate the paths, rounds times (the machine's load changes meanwhile)
        paths = [("mod_h2 h2c RFC 8441", over_h2, "mod_h2"),
                 ("mod_http2 h2c RFC 8441", over_h2, "mod_http2"),
                 ("mod_h2 server, HTTP/1.1 upgrade", over_h1, "mod_h2")]
        for r in range(rounds):
            for k, fn, srv in (paths if r % 2 == 0 else list(reversed(paths))):
                runs.setdefault(k, []).append(fn(servers[srv]))
    finally:
        for h in servers.values():
            h.stop()
            shutil.rmtree(h.root, ignore_errors=True)
        b.stop()
    res = {k: (min(x[0] for x in v), median([x[1] for x in v]), median([x[2] for x in v]))
           for k, v in runs.items()}
    ref = res.get("mod_http2 h2c RFC 8441")
    print("medians of %d alternating rounds" % rounds)
    print("| path | echoed (3, one 70 KB) | RTT 32 B | 4 MiB echo | RTT / mod_http2 | "
          "4 MiB / mod_http2 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for k, (ok, rtt, bulk) in res.items():
        r1 = "%.2f" % (rtt / ref[1]) if rtt and ref and ref[1] else "-"
        r2 = "%.2f" % (bulk / ref[2]) if bulk and ref and ref[2] else "-"
        print("| %s | %d of 3 | %s | %s | %s | %s |" % (
            k, ok, "%.0f us" % (rtt * 1e6) if rtt else "-",
            "%.3f s" % bulk if bulk else "-", r1, r2))


if __name__ == "__main__":
    main()
