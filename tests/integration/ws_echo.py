# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""A tiny RFC 6455 WebSocket echo server (backend for the WebSocket tests) and frame helpers.

Standard library only, frames built by hand. The server listens on 127.0.0.1 (a free
port), answers the HTTP/1.1 upgrade (checking Sec-WebSocket-Key/Version), then echoes every
data frame with its opcode, answers PING with PONG and CLOSE with CLOSE. Paths:
  /echo         echo until the client closes
  /close        send the text "bye" and a CLOSE frame, then close the TCP connection
  /plain        answer "200 OK" without upgrading (not a WebSocket resource)
  /badaccept    answer 101 with a wrong Sec-WebSocket-Accept
  /hang         read the request, answer nothing until release_hung() (or 60 s), then
                close (a backend that never answers the upgrade)
Every upgrade request is recorded (path and header fields) in `requests`; `closed` counts
backend connections that ended.
"""
import base64
import hashlib
import os
import socket
import struct
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BIN, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


def mask(payload, key):
    """XOR payload with the 4-octet key (RFC 6455 §5.3), fast for large payloads."""
    n = len(payload)
    if not n:
        return b""
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")


def build(payload, opcode=OP_TEXT, fin=True, masked=True):
    """One WebSocket frame; clients mask (§5.1), servers do not."""
    if isinstance(payload, str):
        payload = payload.encode()
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    mbit = 0x80 if masked else 0
    if n < 126:
        hdr = bytes([b0, mbit | n])
    elif n < 65536:
        hdr = bytes([b0, mbit | 126]) + struct.pack(">H", n)
    else:
        hdr = bytes([b0, mbit | 127]) + struct.pack(">Q", n)
    if masked:
        key = os.urandom(4)
        return hdr + key + mask(payload, key)
    return hdr + payload


def parse(buf):
    """(fin, opcode, payload, consumed) of the first complete frame in buf, or None."""
    if len(buf) < 2:
        return None
    fin, op = buf[0] & 0x80, buf[0] & 0x0f
    masked, n = buf[1] & 0x80, buf[1] & 0x7f
    pos = 2
    if n == 126:
        if len(buf) < 4:
            return None
        n = struct.unpack(">H", bytes(buf[2:4]))[0]
        pos = 4
    elif n == 127:
        if len(buf) < 10:
            return None
        n = struct.unpack(">Q", bytes(buf[2:10]))[0]
        pos = 10
    key = None
    if masked:
        if len(buf) < pos + 4:
            return None
        key = bytes(buf[pos:pos + 4])
        pos += 4
    if len(buf) < pos + n:
        return None
    payload = bytes(buf[pos:pos + n])
    if key:
        payload = mask(payload, key)
    return bool(fin), op, payload, pos + n


def accept_of(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


class EchoServer:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self.closed = 0
        self.hanging = 0                  # /hang connections waiting now
        self._hang_ev = threading.Event()
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping = True
        self.release_hung()
        try:
            self.sock.close()
        except OSError:
            pass

    def release_hung(self):
        """Close every /hang connection waiting now (later ones wait again)."""
        with self.lock:
            ev, self._hang_ev = self._hang_ev, threading.Event()
        ev.set()

    def wait_hanging(self, n, timeout=10):
        """Poll until exactly n /hang connections wait (True), or timeout (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.hanging == n:
                    return True
            time.sleep(0.02)
        return False

    def wait_closed(self, n, timeout=10):
        """Poll until at least n backend connections ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.closed >= n:
                    return True
            time.sleep(0.02)
        return False

    def _accept_loop(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            c.settimeout(30)
            self._handle(c)
        except (OSError, ValueError):
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass
            with self.lock:
                self.closed += 1

    def _handle(self, c):
        buf = bytearray()
        while b"\r\n\r\n" not in buf:
            d = c.recv(65536)
            if not d:
                return
            buf += d
            if len(buf) > 65536:
                return
        head, _, rest = bytes(buf).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        fields = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            fields[k.strip().lower()] = v.strip()
        with self.lock:
            self.requests.append((method, path, fields))
        key = fields.get("sec-websocket-key", "")
        if path.endswith("/hang"):
            with self.lock:
                ev = self._hang_ev
                self.hanging += 1
            try:
                ev.wait(60)
            finally:
                with self.lock:
                    self.hanging -= 1
            return
        if path.endswith("/plain"):
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                      b"Connection: close\r\n\r\nplain")
            return
        if (method != "GET" or "websocket" not in fields.get("upgrade", "").lower()
                or fields.get("sec-websocket-version") != "13" or len(base64.b64decode(key)) != 16):
            c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        acc = "AAAA" + accept_of(key)[4:] if path.endswith("/badaccept") else accept_of(key)
        c.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
                   "X-Backend: ws-echo\r\n\r\n" % acc).encode())
        if path.endswith("/close"):
            c.sendall(build("bye", masked=False) + build(struct.pack(">H", 1000), OP_CLOSE,
                                                         masked=False))
            c.shutdown(socket.SHUT_WR)
            # the server closes first (RFC 6455 §7.1.1); read until the peer goes
            while c.recv(65536):
                pass
            return
        buf = bytearray(rest)
        while True:
            fr = parse(buf)
            while fr is None:
                d = c.recv(262144)
                if not d:
                    return
                buf += d
                fr = parse(buf)
            fin, op, payload, used = fr
            del buf[:used]
            if op == OP_CLOSE:
                c.sendall(build(payload[:2], OP_CLOSE, masked=False))
                return
            if op == OP_PING:
                c.sendall(build(payload, OP_PONG, masked=False))
                continue
            if op in (OP_TEXT, OP_BIN, OP_CONT):
                c.sendall(build(payload, op, fin=fin, masked=False))
