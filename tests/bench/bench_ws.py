# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""WebSocket echo through one httpd: RFC 8441 over h2c (mod_h2) vs an HTTP/1.1 upgrade,
both via mod_proxy_wstunnel to the echo server of tests/integration/ws_echo.py. Prints
round-trip time of small messages and the time of a 4 MiB echo, with ratios (the client
is Python on both sides, so its own framing cost is in the figures). Never pass/fail.

  MOD_H2_SO=build/gcc/mod_h2/.libs/mod_h2.so /usr/bin/python3 tests/bench/bench_ws.py
"""
import os, sys, time, socket, base64, shutil, tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import h2conf, ws_echo
import h2client as w
import test_55_websocket as t

N = 2000
b = ws_echo.EchoServer()
root = tempfile.mkdtemp(prefix="mod_h2-wsbench-"); os.chmod(root, 0o755)
h = h2conf.Httpd(root, extra=t.ws_conf(b.port))
h.make_root(); h.start()
try:
    # h2c, RFC 8441
    c, s = t.open_ws(h, False)
    assert s.response() == 200
    t0 = time.monotonic()
    for i in range(N):
        s.send(ws_echo.build(b"x" * 32))
        s.recv_msg()
    h2_rt = (time.monotonic() - t0) / N
    big = os.urandom(4 * 1024 * 1024)
    t0 = time.monotonic()
    s.send(ws_echo.build(big, ws_echo.OP_BIN), timeout=60)
    assert s.recv_msg(timeout=60)[2] == big
    h2_bulk = time.monotonic() - t0
    c.close()
    # HTTP/1.1 upgrade through the same httpd
    so = socket.create_connection(("127.0.0.1", h.http_port))
    so.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    so.sendall(("GET /ws/echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
    buf = bytearray()
    while b"\r\n\r\n" not in buf:
        buf += so.recv(65536)
    assert buf.startswith(b"HTTP/1.1 101"), buf[:100]
    buf = buf[buf.index(b"\r\n\r\n") + 4:]
    def recv():
        global buf
        while True:
            fr = ws_echo.parse(buf)
            if fr:
                del buf[:fr[3]]; return fr[2]
            buf += so.recv(262144)
    t0 = time.monotonic()
    for i in range(N):
        so.sendall(ws_echo.build(b"x" * 32)); recv()
    h1_rt = (time.monotonic() - t0) / N
    t0 = time.monotonic()
    so.sendall(ws_echo.build(big, ws_echo.OP_BIN)); assert recv() == big
    h1_bulk = time.monotonic() - t0
    so.close()
    print("round trip 32 B (%d msgs): h2c RFC 8441 %.0f us, HTTP/1.1 upgrade %.0f us, ratio h2/h1 %.2f"
          % (N, h2_rt * 1e6, h1_rt * 1e6, h2_rt / h1_rt))
    print("4 MiB echo: h2c %.3f s (%.1f MB/s each way), HTTP/1.1 %.3f s (%.1f MB/s), ratio h2/h1 %.2f"
          % (h2_bulk, 4.194 / h2_bulk, h1_bulk, 4.194 / h1_bulk, h2_bulk / h1_bulk))
finally:
    h.stop(); b.stop(); shutil.rmtree(root, ignore_errors=True)
