# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""A small raw-frame HTTP/2 client for attack tests: hand-built frames on a plain socket
(h2c prior knowledge, or TLS with ALPN h2), HPACK blocks built by hand (literal, never
indexed, no Huffman: byte-exact, so malformed fields go out exactly as written) or with
python3-h2's `hpack` package, and a frame reader with a deadline on every read.

No sleeps as synchronisation: every wait is a socket read bounded by a deadline.
"""
import errno
import socket
import ssl
import struct
import time

import hpack

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

# frame types
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, \
    WINDOW_UPDATE, CONTINUATION = range(10)
PRIORITY_UPDATE = 0x10
# flags
END_STREAM = 0x1
ACK = 0x1
END_HEADERS = 0x4
PADDED = 0x8
PRIO_FLAG = 0x20
# settings
S_HEADER_TABLE_SIZE, S_ENABLE_PUSH, S_MAX_CONCURRENT_STREAMS, S_INITIAL_WINDOW_SIZE, \
    S_MAX_FRAME_SIZE, S_MAX_HEADER_LIST_SIZE = range(1, 7)
# error codes
NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR, SETTINGS_TIMEOUT, \
    STREAM_CLOSED, FRAME_SIZE_ERROR, REFUSED_STREAM, CANCEL, COMPRESSION_ERROR, \
    CONNECT_ERROR, ENHANCE_YOUR_CALM, INADEQUATE_SECURITY, HTTP_1_1_REQUIRED = range(14)

ERROR_NAMES = {v: k for k, v in dict(
    NO_ERROR=0, PROTOCOL_ERROR=1, INTERNAL_ERROR=2, FLOW_CONTROL_ERROR=3,
    SETTINGS_TIMEOUT=4, STREAM_CLOSED=5, FRAME_SIZE_ERROR=6, REFUSED_STREAM=7, CANCEL=8,
    COMPRESSION_ERROR=9, CONNECT_ERROR=10, ENHANCE_YOUR_CALM=11, INADEQUATE_SECURITY=12,
    HTTP_1_1_REQUIRED=13).items()}


def err_name(code):
    return ERROR_NAMES.get(code, "0x%x" % code)


def frame(ftype, flags, sid, payload=b""):
    n = len(payload)
    return struct.pack(">BHBBI", (n >> 16) & 0xff, n & 0xffff, ftype, flags,
                       sid & 0x7fffffff) + payload


def settings_frame(settings=None, ack=False):
    payload = b"".join(struct.pack(">HI", k, v) for k, v in (settings or {}).items())
    return frame(SETTINGS, ACK if ack else 0, 0, payload)


def ping_frame(opaque=b"\0" * 8, ack=False):
    return frame(PING, ACK if ack else 0, 0, opaque)


def rst_frame(sid, code):
    return frame(RST_STREAM, 0, sid, struct.pack(">I", code))


def window_update_frame(sid, incr):
    return frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", incr & 0x7fffffff))


def goaway_frame(last, code):
    return frame(GOAWAY, 0, 0, struct.pack(">II", last, code))


def hpack_int(value, prefix_bits, first=0):
    """RFC 7541 §5.1 integer with an N-bit prefix; `first` holds the high bits."""
    maxp = (1 << prefix_bits) - 1
    if value < maxp:
        return bytes([first | value])
    out = bytearray([first | maxp])
    value -= maxp
    while value >= 128:
        out.append((value & 0x7f) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_str(s):
    if isinstance(s, str):
        s = s.encode("latin-1")
    return hpack_int(len(s), 7) + s


def lit(name, value):
    """Literal field, never indexed, new name, no Huffman (RFC 7541 §6.2.3)."""
    return b"\x10" + hpack_str(name) + hpack_str(value)


def lit_incr(name, value):
    """Literal field with incremental indexing, new name (RFC 7541 §6.2.1)."""
    return b"\x40" + hpack_str(name) + hpack_str(value)


def indexed(idx):
    return hpack_int(idx, 7, 0x80)


def block(fields):
    """Header block from (name, value) pairs, byte-exact (no validation, no lowercasing)."""
    return b"".join(lit(n, v) for n, v in fields)


def req_fields(path="/", method="GET", authority="localhost", scheme="http", extra=()):
    return [(":method", method), (":scheme", scheme), (":authority", authority),
            (":path", path)] + list(extra)


class Frame:
    __slots__ = ("type", "flags", "sid", "payload")

    def __init__(self, ftype, flags, sid, payload):
        self.type, self.flags, self.sid, self.payload = ftype, flags, sid, payload

    @property
    def error_code(self):
        if self.type == RST_STREAM:
            return struct.unpack(">I", self.payload[:4])[0]
        if self.type == GOAWAY:
            return struct.unpack(">I", self.payload[4:8])[0]
        return None

    @property
    def last_stream_id(self):
        return struct.unpack(">I", self.payload[:4])[0] & 0x7fffffff

    def __repr__(self):
        extra = ""
        if self.type in (RST_STREAM, GOAWAY):
            extra = " " + err_name(self.error_code)
            if self.type == GOAWAY:
                extra += " last=%d dbg=%r" % (self.last_stream_id, bytes(self.payload[8:40]))
        return "<Frame t=%d f=0x%x sid=%d len=%d%s>" % (self.type, self.flags, self.sid,
                                                       len(self.payload), extra)


class Closed(Exception):
    pass


class RawH2:
    """One connection. `frames` keeps everything read; `eof` is set once the server closed."""

    def __init__(self, port, tls=False, host="localhost", settings=None, handshake=True,
                 timeout=5.0, rcvbuf=None, ack_settings=True):
        self.port = port
        self.tls = tls
        self.host = host
        self.timeout = timeout
        self.buf = bytearray()
        self.eof = False
        self.frames = []
        self.decoder = hpack.Decoder()
        self.decoder.max_header_list_size = 1 << 24
        self.server_settings = {}
        self.ack_settings = ack_settings
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        raw.settimeout(timeout)
        raw.connect(("127.0.0.1", port))
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.set_alpn_protocols(["h2"])
            raw = ctx.wrap_socket(raw, server_hostname=host)
            assert raw.selected_alpn_protocol() == "h2"
        self.sock = raw
        if handshake:
            self.handshake(settings)

    # ---- output
    def send(self, data):
        """Send everything; returns False (instead of raising) when the server closed."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError, socket.timeout, ssl.SSLError, OSError):
            return False

    def send_frame(self, ftype, flags, sid, payload=b""):
        return self.send(frame(ftype, flags, sid, payload))

    def handshake(self, settings=None, deadline_s=None):
        self.send(PREFACE + settings_frame(settings or {}))
        # wait for the server's SETTINGS (and ACK it)
        f = self.read_until(lambda f: f.type == SETTINGS and not f.flags & ACK,
                            deadline_s or self.timeout)
        assert f is not None, "no server SETTINGS: %r" % self.frames
        if settings:
            # wait for the ACK of ours so that our values are in effect
            a = self.read_until(lambda f: f.type == SETTINGS and f.flags & ACK,
                                deadline_s or self.timeout)
            assert a is not None, "no SETTINGS ACK"

    def headers(self, sid, fields=None, raw_block=None, end_stream=True, end_headers=True):
        hb = raw_block if raw_block is not None else block(fields)
        flags = (END_STREAM if end_stream else 0) | (END_HEADERS if end_headers else 0)
        return frame(HEADERS, flags, sid, hb)

    def send_headers(self, sid, fields=None, raw_block=None, end_stream=True, end_headers=True):
        return self.send(self.headers(sid, fields, raw_block, end_stream, end_headers))

    # ---- input
    def _fill(self, deadline):
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        try:
            self.sock.settimeout(min(left, self.timeout))
            data = self.sock.recv(262144)
        except (socket.timeout, ssl.SSLWantReadError):
            return False
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError, OSError) as e:
            if isinstance(e, OSError) and e.errno not in (None, errno.ECONNRESET, errno.EPIPE) \
                    and not isinstance(e, (ConnectionResetError, BrokenPipeError, ssl.SSLError)):
                raise
            self.eof = True
            return False
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _parse_one(self):
        if len(self.buf) < 9:
            return None
        n = (self.buf[0] << 16) | (self.buf[1] << 8) | self.buf[2]
        if len(self.buf) < 9 + n:
            return None
        f = Frame(self.buf[3], self.buf[4],
                  struct.unpack(">I", bytes(self.buf[5:9]))[0] & 0x7fffffff,
                  bytes(self.buf[9:9 + n]))
        del self.buf[:9 + n]
        self._on_frame(f)
        return f

    def _on_frame(self, f):
        self.frames.append(f)
        if f.type == SETTINGS and not f.flags & ACK:
            for i in range(0, len(f.payload) - 5, 6):
                k, v = struct.unpack(">HI", f.payload[i:i + 6])
                self.server_settings[k] = v
            if self.ack_settings:
                self.send(settings_frame(ack=True))

    def read_frame(self, timeout=None):
        """Next frame, or None on timeout / EOF (check .eof)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            f = self._parse_one()
            if f is not None:
                return f
            if not self._fill(deadline):
                if self.eof or time.monotonic() >= deadline:
                    return None

    def read_until(self, pred, timeout=None):
        """Read frames until pred(frame) is true: that frame, or None on timeout / EOF."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while time.monotonic() < deadline or len(self.buf) >= 9:
            f = self.read_frame(max(0.0, deadline - time.monotonic()))
            if f is None:
                return None
            if pred(f):
                return f
        return None

    def poll(self):
        """Read whatever is there right now (no waiting). Returns the frames read."""
        out = []
        try:
            self.sock.setblocking(False)
            while not self.eof:
                try:
                    data = self.sock.recv(262144)
                except (BlockingIOError, ssl.SSLWantReadError):
                    break
                except (ConnectionResetError, BrokenPipeError, OSError):
                    self.eof = True
                    break
                if not data:
                    self.eof = True
                    break
                self.buf += data
        finally:
            self.sock.setblocking(True)
        while True:
            f = self._parse_one()
            if f is None:
                break
            out.append(f)
        return out

    def drain(self, timeout=5.0):
        """Read until the server closes the connection or timeout. Returns True on EOF."""
        deadline = time.monotonic() + timeout
        while not self.eof and time.monotonic() < deadline:
            self.read_frame(max(0.0, deadline - time.monotonic()))
        while self._parse_one() is not None:
            pass
        return self.eof

    def goaway(self):
        for f in self.frames:
            if f.type == GOAWAY:
                return f
        return None

    def rst(self, sid):
        for f in self.frames:
            if f.type == RST_STREAM and f.sid == sid:
                return f
        return None

    def wait_goaway(self, timeout=5.0):
        g = self.goaway()
        if g:
            return g
        return self.read_until(lambda f: f.type == GOAWAY, timeout)

    def decode(self, payload_frames):
        return self.decoder.decode(b"".join(payload_frames), raw=True)

    def response(self, sid, timeout=None):
        """Wait for stream sid to end (END_STREAM or RST_STREAM) or the connection to go.
        Returns dict(status, headers, body, rst, ended). HPACK state is kept in step by
        decoding every header block of every stream in order."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        res = self._responses().get(sid)
        while not (res and res["ended"]):
            f = self.read_frame(max(0.0, deadline - time.monotonic()))
            if f is None:
                break
            res = self._responses().get(sid)
        return res or dict(status=None, headers=[], body=bytearray(), rst=None, ended=False)

    def _responses(self):
        # decode incrementally: header blocks must go through the decoder exactly once
        if not hasattr(self, "_resp"):
            self._resp, self._seen, self._pending = {}, 0, None
        while self._seen < len(self.frames):
            f = self.frames[self._seen]
            self._seen += 1
            if f.sid == 0:
                continue
            r = self._resp.setdefault(f.sid, dict(status=None, headers=[], body=bytearray(),
                                                  rst=None, ended=False, interim=[]))
            if f.type == HEADERS or (f.type == CONTINUATION and self._pending):
                if f.type == HEADERS:
                    p = f.payload
                    if f.flags & PADDED:
                        p = p[1:len(p) - p[0]]
                    if f.flags & PRIO_FLAG:
                        p = p[5:]
                    self._pending = [f.sid, [p], f.flags & END_STREAM]
                else:
                    self._pending[1].append(f.payload)
                if f.flags & END_HEADERS:
                    sid, parts, es = self._pending
                    self._pending = None
                    hdrs = self.decoder.decode(b"".join(parts), raw=True)
                    rr = self._resp[sid]
                    st = [v for k, v in hdrs if k == b":status"]
                    if st and 100 <= int(st[0]) < 200:
                        rr["interim"].append(hdrs)
                    elif rr["status"] is None:
                        rr["headers"] = hdrs
                        rr["status"] = int(st[0]) if st else None
                    if es:
                        rr["ended"] = True
            elif f.type == DATA:
                p = f.payload
                if f.flags & PADDED:
                    p = p[1:len(p) - p[0]]
                r["body"] += p
                if f.flags & END_STREAM:
                    r["ended"] = True
            elif f.type == RST_STREAM:
                r["rst"] = f.error_code
                r["ended"] = True
        return self._resp

    def responses(self):
        return self._responses()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
