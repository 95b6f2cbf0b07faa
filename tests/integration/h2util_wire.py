# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""A minimal raw-frame HTTP/2 client for conformance tests (h2spec style).

Frames are built and parsed by hand so that tests can send anything, including frames no
real client would send. Header blocks use python3-h2's `hpack` package (or raw bytes).
Every read has a deadline; there are no sleeps and every loop is bounded.
"""
import os
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
PRIORITY_FLAG = 0x20
# settings
S_HEADER_TABLE_SIZE = 0x1
S_ENABLE_PUSH = 0x2
S_MAX_CONCURRENT_STREAMS = 0x3
S_INITIAL_WINDOW_SIZE = 0x4
S_MAX_FRAME_SIZE = 0x5
S_MAX_HEADER_LIST_SIZE = 0x6
S_ENABLE_CONNECT_PROTOCOL = 0x8
S_NO_RFC7540_PRIORITIES = 0x9
# error codes
NO_ERROR = 0x0
PROTOCOL_ERROR = 0x1
INTERNAL_ERROR = 0x2
FLOW_CONTROL_ERROR = 0x3
SETTINGS_TIMEOUT = 0x4
STREAM_CLOSED = 0x5
FRAME_SIZE_ERROR = 0x6
REFUSED_STREAM = 0x7
CANCEL = 0x8
COMPRESSION_ERROR = 0x9
ENHANCE_YOUR_CALM = 0xb
INADEQUATE_SECURITY = 0xc

ERROR_NAMES = {0: "NO_ERROR", 1: "PROTOCOL_ERROR", 2: "INTERNAL_ERROR",
               3: "FLOW_CONTROL_ERROR", 4: "SETTINGS_TIMEOUT", 5: "STREAM_CLOSED",
               6: "FRAME_SIZE_ERROR", 7: "REFUSED_STREAM", 8: "CANCEL",
               9: "COMPRESSION_ERROR", 0xa: "CONNECT_ERROR", 0xb: "ENHANCE_YOUR_CALM",
               0xc: "INADEQUATE_SECURITY", 0xd: "HTTP_1_1_REQUIRED"}
TYPE_NAMES = {0: "DATA", 1: "HEADERS", 2: "PRIORITY", 3: "RST_STREAM", 4: "SETTINGS",
              5: "PUSH_PROMISE", 6: "PING", 7: "GOAWAY", 8: "WINDOW_UPDATE",
              9: "CONTINUATION", 0x10: "PRIORITY_UPDATE"}

DEFAULT_TIMEOUT = 3.0


def ename(code):
    return ERROR_NAMES.get(code, "0x%x" % code)


class Closed(Exception):
    """The server closed the connection."""


class Frame:
    __slots__ = ("type", "flags", "sid", "payload")

    def __init__(self, ftype, flags, sid, payload):
        self.type, self.flags, self.sid, self.payload = ftype, flags, sid, payload

    def __repr__(self):
        extra = ""
        if self.type == GOAWAY and len(self.payload) >= 8:
            last, code = struct.unpack(">II", self.payload[:8])
            extra = " last=%d code=%s debug=%r" % (last & 0x7fffffff, ename(code),
                                                   bytes(self.payload[8:]))
        elif self.type == RST_STREAM and len(self.payload) == 4:
            extra = " code=%s" % ename(struct.unpack(">I", self.payload)[0])
        elif self.type == WINDOW_UPDATE and len(self.payload) == 4:
            extra = " incr=%d" % struct.unpack(">I", self.payload)[0]
        return "<%s flags=0x%x sid=%d len=%d%s>" % (TYPE_NAMES.get(self.type, self.type),
                                                   self.flags, self.sid, len(self.payload),
                                                   extra)

    @property
    def data(self):
        """DATA payload without padding (§6.1)."""
        if self.type == DATA and self.flags & PADDED and self.payload:
            return self.payload[1:len(self.payload) - self.payload[0]]
        return self.payload

    @property
    def error_code(self):
        if self.type == GOAWAY:
            return struct.unpack(">I", self.payload[4:8])[0]
        if self.type == RST_STREAM:
            return struct.unpack(">I", self.payload[:4])[0]
        return None

    @property
    def last_stream_id(self):
        return struct.unpack(">I", self.payload[:4])[0] & 0x7fffffff

    def settings(self):
        out = []
        for i in range(0, len(self.payload) - len(self.payload) % 6, 6):
            out.append(struct.unpack(">HI", self.payload[i:i + 6]))
        return out


# ---- frame builders --------------------------------------------------------------------

def frame(ftype, flags, sid, payload=b"", length=None):
    n = len(payload) if length is None else length
    return struct.pack(">I", n)[1:] + struct.pack(">BBI", ftype, flags, sid) + payload


def settings_payload(pairs):
    return b"".join(struct.pack(">HI", k, v) for k, v in pairs)


def padded(payload, padlen):
    return bytes([padlen]) + payload + b"\0" * padlen


def priority_payload(dep, weight=16, exclusive=False):
    return struct.pack(">IB", (dep & 0x7fffffff) | (0x80000000 if exclusive else 0),
                       weight - 1)


def rst_payload(code):
    return struct.pack(">I", code)


def window_payload(incr):
    return struct.pack(">I", incr)


def goaway_payload(last, code, debug=b""):
    return struct.pack(">II", last, code) + debug


CONNECTION_SPECIFIC = ("connection", "keep-alive", "proxy-connection", "transfer-encoding",
                       "upgrade")


def check_response_fields(fields, f):
    """RFC 9113 §8.2 / §8.3.2 rules for what the server generates."""
    seen_regular = False
    for name, value in fields:
        assert name == name.lower(), "§8.2: uppercase field name %r in %r" % (name, f)
        assert name not in CONNECTION_SPECIFIC, \
            "§8.2.2: connection-specific field %r in %r" % (name, f)
        assert "\0" not in value and "\r" not in value and "\n" not in value, (name, value)
        if name.startswith(":"):
            assert name == ":status", "§8.3.2: pseudo-header %r in a response" % name
            assert not seen_regular, "§8.3: pseudo-header after a regular field"
        else:
            seen_regular = True


DEFINED_FLAGS = {DATA: END_STREAM | PADDED,
                 HEADERS: END_STREAM | END_HEADERS | PADDED | PRIORITY_FLAG,
                 PRIORITY: 0, RST_STREAM: 0, SETTINGS: ACK, PUSH_PROMISE: END_HEADERS | PADDED,
                 PING: ACK, GOAWAY: 0, WINDOW_UPDATE: 0, CONTINUATION: END_HEADERS,
                 PRIORITY_UPDATE: 0}


def check_server_frame(f):
    """Frame-level rules for what the server sends (RFC 9113 §4.1, §6)."""
    n = len(f.payload)
    if f.type in DEFINED_FLAGS:
        assert not f.flags & ~DEFINED_FLAGS[f.type], \
            "§4.1: undefined flags MUST be left unset when sending: %r" % f
    if f.type in (DATA, HEADERS) and f.flags & PADDED:
        assert n >= 1 and f.payload[0] < n, f
        pad = f.payload[0]
        assert f.payload[n - pad:] == b"\0" * pad, "§6.1: padding octets MUST be zero: %r" % f
    if f.type == SETTINGS:
        assert f.sid == 0 and n % 6 == 0 and not (f.flags & ACK and n), f
    elif f.type == PING:
        assert f.sid == 0 and n == 8, f
    elif f.type == GOAWAY:
        assert f.sid == 0 and n >= 8, f
    elif f.type == WINDOW_UPDATE:
        assert n == 4, f
        incr = struct.unpack(">I", f.payload)[0] & 0x7fffffff
        assert incr > 0, "§6.9: WINDOW_UPDATE with increment 0 from the server: %r" % f
    elif f.type == RST_STREAM:
        assert f.sid != 0 and n == 4, f
    elif f.type in (DATA, HEADERS, CONTINUATION):
        assert f.sid != 0 and f.sid % 2 == 1, f
    elif f.type == PRIORITY:
        assert f.sid != 0 and n == 5, f


class Conn:
    """One connection to the server: h2c by prior knowledge, or TLS with ALPN h2."""

    def __init__(self, port, tls=False, timeout=DEFAULT_TIMEOUT, host="localhost"):
        self.timeout = timeout
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.set_alpn_protocols(["h2"])
            self.sock = ctx.wrap_socket(raw, server_hostname=host)
            self.alpn = self.sock.selected_alpn_protocol()
        else:
            self.sock = raw
            self.alpn = None
        self.buf = bytearray()
        self.eof = False
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.local_max_frame = 16384      # what we announced
        self.conn_send_window = 65535     # the server's connection window for our DATA
        self.server_settings = None      # list of (id, value) of the server's first SETTINGS
        self.peer_max_frame = 16384
        self.frames = []                 # every frame received, in order
        self.host = host

    @classmethod
    def from_socket(cls, sock, timeout=DEFAULT_TIMEOUT):
        """A Conn on an already connected (e.g. specially negotiated TLS) socket."""
        c = cls.__new__(cls)
        c.timeout, c.sock, c.alpn, c.host = timeout, sock, "h2", "localhost"
        c.buf, c.eof, c.frames = bytearray(), False, []
        c.encoder, c.decoder = hpack.Encoder(), hpack.Decoder()
        c.local_max_frame, c.conn_send_window = 16384, 65535
        c.server_settings, c.peer_max_frame = None, 16384
        return c

    # ---- raw I/O
    def send(self, data):
        self.sock.sendall(data)

    def send_frame(self, ftype, flags, sid, payload=b"", length=None):
        self.send(frame(ftype, flags, sid, payload, length))

    def _fill(self, deadline):
        if self.eof:
            raise Closed()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no frame from the server in time; got so far: %r"
                               % self.frames[-10:])
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError("no frame from the server in time; got so far: %r"
                               % self.frames[-10:]) from None
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError, OSError):
            data = b""
        if not data:
            self.eof = True
            raise Closed()
        self.buf += data

    def read_frame(self, timeout=None):
        """The next frame; raises Closed at EOF and TimeoutError after timeout seconds."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while len(self.buf) < 9:
            self._fill(deadline)
        assert not self.buf.startswith(b"HTTP/1."), \
            "server answered with HTTP/1.x instead of HTTP/2: %r" % bytes(self.buf[:60])
        n = int.from_bytes(self.buf[0:3], "big")
        assert n <= self.local_max_frame, \
            "§4.2: server sent a %d-octet frame, our SETTINGS_MAX_FRAME_SIZE is %d" \
            % (n, self.local_max_frame)
        while len(self.buf) < 9 + n:
            self._fill(deadline)
        ftype, flags = self.buf[3], self.buf[4]
        assert not self.buf[5] & 0x80, "§4.1: reserved bit set in a frame from the server"
        sid = int.from_bytes(self.buf[5:9], "big") & 0x7fffffff
        payload = bytes(self.buf[9:9 + n])
        del self.buf[:9 + n]
        f = Frame(ftype, flags, sid, payload)
        self.frames.append(f)
        check_server_frame(f)
        self._check_stream_state(f)
        return f

    def _check_stream_state(self, f):
        """§5.1: nothing but PRIORITY on a stream the server closed (END_STREAM sent: no more
        HEADERS/DATA; RST_STREAM sent: nothing at all, except RST NO_ERROR after END_STREAM
        as §8.1 allows)."""
        if not hasattr(self, "_ended"):
            self._ended, self._reset, self._es_block = set(), set(), None
        if f.sid == 0 or f.type == PRIORITY:
            return
        assert f.sid not in self._reset, \
            "§5.1: frame on a stream the server had reset: %r" % f
        if f.type in (HEADERS, DATA) or (f.type == CONTINUATION and self._es_block != f.sid):
            assert f.sid not in self._ended, \
                "§5.1: frame after the server's END_STREAM on this stream: %r" % f
        if f.type == DATA and f.flags & END_STREAM:
            self._ended.add(f.sid)
        if f.type == HEADERS and f.flags & END_STREAM:
            if f.flags & END_HEADERS:
                self._ended.add(f.sid)
            else:
                self._es_block = f.sid
        if f.type == CONTINUATION and f.flags & END_HEADERS and self._es_block == f.sid:
            self._ended.add(f.sid)
            self._es_block = None
        if f.type == RST_STREAM:
            self._reset.add(f.sid)

    # ---- handshake
    def handshake(self, settings=(), ack_server=True, wait_ack=True):
        """Send the preface and our SETTINGS, read the server's SETTINGS (must be first),
        ACK it and wait for the ACK of ours. Returns the server's first frame."""
        for k, v in settings:
            if k == S_MAX_FRAME_SIZE:
                self.local_max_frame = v
        self.send(PREFACE + frame(SETTINGS, 0, 0, settings_payload(settings)))
        first = self.read_frame()
        assert first.type == SETTINGS and not first.flags & ACK, \
            "first server frame must be a SETTINGS frame, got %r" % first
        self.server_settings = first.settings()
        for k, v in self.server_settings:
            if k == S_MAX_FRAME_SIZE:
                self.peer_max_frame = v
        if ack_server:
            self.send_frame(SETTINGS, ACK, 0)
        if wait_ack:
            for _ in range(20):
                f = self.read_frame()
                if f.type == WINDOW_UPDATE and f.sid == 0 and len(f.payload) == 4:
                    self.conn_send_window += struct.unpack(">I", f.payload)[0] & 0x7fffffff
                if f.type == SETTINGS and f.flags & ACK:
                    break
                assert f.type in (WINDOW_UPDATE, SETTINGS, PING), \
                    "unexpected frame during handshake: %r" % f
            else:
                raise AssertionError("no SETTINGS ACK")
        return first

    # ---- header blocks
    def encode(self, headers, huffman=True):
        return self.encoder.encode(headers, huffman=huffman)

    def req_headers(self, path="/", method="GET", extra=(), scheme=None, authority=None):
        scheme = scheme or ("https" if self.alpn else "http")
        h = [(":method", method), (":scheme", scheme), (":path", path),
             (":authority", authority or self.host)]
        return h + list(extra)

    def send_headers(self, sid, headers, end_stream=True, end_headers=True, pad=None,
                     prio=None, raw_block=None):
        block = raw_block if raw_block is not None else self.encode(headers)
        flags = (END_STREAM if end_stream else 0) | (END_HEADERS if end_headers else 0)
        payload = block
        if prio is not None:
            flags |= PRIORITY_FLAG
            payload = priority_payload(*prio) + payload
        if pad is not None:
            flags |= PADDED
            payload = bytes([pad]) + payload + b"\0" * pad
        self.send_frame(HEADERS, flags, sid, payload)
        return block

    def request(self, sid, path="/", method="GET", extra=(), end_stream=True, **kw):
        return self.send_headers(sid, self.req_headers(path, method, extra), end_stream, **kw)

    def send_data(self, sid, data, end_stream=False, pad=None):
        flags = END_STREAM if end_stream else 0
        payload = data
        if pad is not None:
            flags |= PADDED
            payload = padded(data, pad)
        self.send_frame(DATA, flags, sid, payload)

    def ping(self, opaque=b"h2spec!!"):
        self.send_frame(PING, 0, 0, opaque)

    # ---- expectations
    def _decode_block(self, f, first_block):
        """Collect a HEADERS block (plus CONTINUATIONs) and decode it."""
        payload = f.payload
        if f.flags & PADDED:
            padlen = payload[0]
            payload = payload[1:len(payload) - padlen]
        if f.flags & PRIORITY_FLAG:
            payload = payload[5:]
        block = bytearray(payload)
        end = f.flags & END_HEADERS
        for _ in range(1000):
            if end:
                break
            c = self.read_frame()
            assert c.type == CONTINUATION and c.sid == f.sid, \
                "server interleaved a frame into a field block: %r" % c
            block += c.payload
            end = c.flags & END_HEADERS
        if first_block is not None:
            first_block.append(bytes(block))
        fields = self.decoder.decode(bytes(block), raw=False)
        check_response_fields(fields, f)
        return fields

    def read_response(self, sid, timeout=None, window_updates=True, blocks=None):
        """Read until stream sid ended. Returns (headers, body, trailers, rst_code).
        Sends WINDOW_UPDATEs for received DATA when window_updates. Connection errors
        raise AssertionError."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        headers, body, trailers = None, bytearray(), None
        for _ in range(100000):
            f = self.read_frame(max(0.01, deadline - time.monotonic()))
            if f.type == GOAWAY:
                raise AssertionError("unexpected GOAWAY: %r" % f)
            if f.type == PING and not f.flags & ACK:
                self.send_frame(PING, ACK, 0, f.payload)
            if f.type == SETTINGS and not f.flags & ACK:
                self.send_frame(SETTINGS, ACK, 0)
            if f.type == HEADERS:
                h = self._decode_block(f, blocks)
                if f.sid == sid:
                    if headers is None or int(dict(headers).get(":status", "200")) < 200:
                        if headers is None or not any(k == ":status" for k, _ in h) \
                                or int(dict(h)[":status"]) >= 200:
                            headers = h
                    else:
                        trailers = h
                    if f.flags & END_STREAM:
                        return headers, bytes(body), trailers, None
            if f.type == DATA:
                n = len(f.payload)
                data = f.payload
                if f.flags & PADDED:
                    data = data[1:len(data) - data[0]]
                if window_updates and n:
                    self.send_frame(WINDOW_UPDATE, 0, 0, window_payload(n))
                    if not f.flags & END_STREAM:
                        self.send_frame(WINDOW_UPDATE, 0, f.sid, window_payload(n))
                if f.sid == sid:
                    body += data
                    if f.flags & END_STREAM:
                        return headers, bytes(body), trailers, None
            if f.type == RST_STREAM and f.sid == sid:
                return headers, bytes(body), trailers, f.error_code
        raise AssertionError("response loop bound exceeded")

    def expect_ping_ack(self, opaque=b"h2spec!!", timeout=None):
        """Read until the PING ACK with opaque arrives; fails on GOAWAY/EOF/RST on 0."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        for _ in range(10000):
            try:
                f = self.read_frame(max(0.01, deadline - time.monotonic()))
            except Closed:
                raise AssertionError("connection closed, expected PING ACK; frames: %r"
                                     % self.frames[-10:])
            assert f.type != GOAWAY, "unexpected GOAWAY: %r" % f
            if f.type == HEADERS:
                self._decode_block(f, None)
            if f.type == PING and f.flags & ACK:
                assert f.payload == opaque, "PING ACK payload %r != %r" % (f.payload, opaque)
                return f
        raise AssertionError("loop bound exceeded")

    def expect_conn_error(self, code, timeout=None):
        """RFC 9113 §5.4.1: GOAWAY with `code`, then the connection is closed."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        goaway = None
        for _ in range(100000):
            try:
                f = self.read_frame(max(0.01, deadline - time.monotonic()))
            except Closed:
                break
            if f.type == HEADERS:
                try:
                    self._decode_block(f, None)
                except Exception:  # noqa: BLE001 -- headers content irrelevant here
                    pass
            if f.type == GOAWAY and goaway is None:
                goaway = f
                assert f.error_code == code, \
                    "expected GOAWAY(%s), got %r" % (ename(code), f)
            elif f.type == RST_STREAM and goaway is None:
                raise AssertionError("expected connection error GOAWAY(%s), got %r"
                                     % (ename(code), f))
        assert goaway is not None, \
            "expected GOAWAY(%s) before close; frames: %r" % (ename(code), self.frames[-10:])
        assert self.eof, "connection not closed after GOAWAY"
        return goaway

    def expect_stream_error(self, sid, codes, timeout=None, allow_response=False):
        """RFC 9113 §5.4.2: RST_STREAM(sid, code), or (§5.4: an endpoint MAY treat a
        stream error as a connection error) GOAWAY(code) + close. codes: int or tuple.
        allow_response: for malformed requests the server MAY send a response before
        resetting the stream (§8.1.1); a response without the reset still fails."""
        if isinstance(codes, int):
            codes = (codes,)
        names = "/".join(ename(c) for c in codes)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        for _ in range(100000):
            try:
                f = self.read_frame(max(0.01, deadline - time.monotonic()))
            except Closed:
                raise AssertionError("connection closed without RST_STREAM/GOAWAY(%s); "
                                     "frames: %r" % (names, self.frames[-10:]))
            if f.type == GOAWAY:
                assert f.error_code in codes, "expected %s, got %r" % (names, f)
                for _ in range(10000):
                    try:
                        self.read_frame(max(0.01, deadline - time.monotonic()))
                    except Closed:
                        return f
                raise AssertionError("not closed after GOAWAY")
            if f.type == RST_STREAM and f.sid == sid:
                assert f.error_code in codes, "expected RST_STREAM(%s), got %r" % (names, f)
                return f
            if f.sid == sid and f.type in (HEADERS, DATA):
                if f.type == HEADERS:
                    h = self._decode_block(f, None)
                else:
                    h = None
                assert allow_response, \
                    "expected RST_STREAM(%s) on stream %d, server answered: %r %r" \
                    % (names, sid, f, h)
            elif f.type == HEADERS:
                self._decode_block(f, None)
        raise AssertionError("loop bound exceeded")

    def close(self):
        if os.environ.get("H2WIRE_TRACE"):
            print("\nH2WIRE frames received: %r" % self.frames)
        try:
            self.sock.close()
        except OSError:
            pass
