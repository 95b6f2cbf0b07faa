# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""The test clients of the integration tests, in one module.

`Conn`: one raw-frame HTTP/2 connection (h2c by prior knowledge, or TLS with ALPN h2) for
conformance and attack tests. Frames are built by hand (`frame` and the `*_payload` /
`*_frame` helpers) so that a test can send anything, including what no real client
sends; header blocks come from python3-h2's `hpack` encoder (`Conn.encode`,
`Conn.send_headers`) or byte-exact from `block`/`lit`/`indexed` (literal, never indexed,
no Huffman: malformed fields go out exactly as written). Every frame the server sends is
checked against RFC 9113's rules for senders (`check_server_frame`, §5.1 stream states,
our MAX_FRAME_SIZE; `strict=False` turns that off), kept in `Conn.frames`, and every
header block is decoded once, in order, as it arrives (so the HPACK state stays in step
whichever way a test reads).

Two ways to read, over the same frames:
  - blocking, failing loudly: `read_frame` (raises `Closed` at EOF, `TimeoutError`),
    `read_response`, `expect_ping_ack`, `expect_conn_error`, `expect_stream_error`;
  - polling, never raising at EOF or timeout (attack tests, where the server closing is
    an expected outcome): `try_send`, `next_frame`, `read_until`, `poll`, `drain`,
    `goaway()`, `rst()`, `wait_goaway`, `response()`/`responses()`.

`H2Client`/`Response`: a well-behaved blocking client on python3-h2 (windows, trailers,
authorities, resets).

Every read has a deadline; there are no sleeps and every loop is bounded.
"""
import os
import socket
import ssl
import struct
import time

import h2.config
import h2.connection
import h2.events
import h2.settings
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
CONNECT_ERROR = 0xa
ENHANCE_YOUR_CALM = 0xb
INADEQUATE_SECURITY = 0xc
HTTP_1_1_REQUIRED = 0xd

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
    """One frame from the server. On the frame that completes a field block (HEADERS or
    PUSH_PROMISE with END_HEADERS, or the last CONTINUATION) and on the block's first
    frame, `fields` is the decoded list of (name, value) bytes pairs (or the exception the
    decoder raised) and `head` the block's first frame."""
    __slots__ = ("type", "flags", "sid", "payload", "fields", "head")

    def __init__(self, ftype, flags, sid, payload):
        self.type, self.flags, self.sid, self.payload = ftype, flags, sid, payload
        self.fields = self.head = None

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


def settings_frame(settings=None, ack=False):
    """SETTINGS from a dict {id: value} (or pairs)."""
    pairs = settings.items() if isinstance(settings, dict) else (settings or ())
    return frame(SETTINGS, ACK if ack else 0, 0, settings_payload(pairs))


def ping_frame(opaque=b"\0" * 8, ack=False):
    return frame(PING, ACK if ack else 0, 0, opaque)


def rst_frame(sid, code):
    return frame(RST_STREAM, 0, sid, rst_payload(code))


def window_update_frame(sid, incr):
    return frame(WINDOW_UPDATE, 0, sid, window_payload(incr & 0x7fffffff))


# ---- byte-exact header blocks (RFC 7541) ---------------------------------------------

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


def check_server_frame(f, promised=()):
    """Frame-level rules for what the server sends (RFC 9113 §4.1, §6). promised: the
    even stream ids the server reserved with PUSH_PROMISE (§8.4), which carry its
    pushed responses."""
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
        assert f.sid != 0 and (f.sid % 2 == 1 or f.sid in promised), f
    elif f.type == PRIORITY:
        assert f.sid != 0 and n == 5, f


class Conn:
    """One connection to the server: h2c by prior knowledge, or TLS with ALPN h2.

    ack_settings: ACK every SETTINGS of the server as it is read (attack tests); off, the
    test (or handshake/read_response) does. strict: check every server frame (RFC 9113
    sender rules) as it is read. rcvbuf: SO_RCVBUF before connecting (slow readers)."""

    def __init__(self, port, tls=False, timeout=DEFAULT_TIMEOUT, host="localhost",
                 rcvbuf=None, ack_settings=False, strict=True):
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        raw.settimeout(timeout)
        raw.connect(("127.0.0.1", port))
        alpn = None
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.set_alpn_protocols(["h2"])
            raw = ctx.wrap_socket(raw, server_hostname=host)
            alpn = raw.selected_alpn_protocol()
        self._setup(raw, alpn, timeout, host, ack_settings, strict)

    @classmethod
    def from_socket(cls, sock, timeout=DEFAULT_TIMEOUT, ack_settings=False, strict=True):
        """A Conn on an already connected (e.g. specially negotiated TLS) socket."""
        c = cls.__new__(cls)
        c._setup(sock, "h2", timeout, "localhost", ack_settings, strict)
        return c

    def _setup(self, sock, alpn, timeout, host, ack_settings, strict):
        self.sock, self.alpn, self.timeout, self.host = sock, alpn, timeout, host
        self.ack_settings, self.strict = ack_settings, strict
        self.buf = bytearray()
        self.eof = False
        self.frames = []                 # every frame received, in order
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.decoder.max_header_list_size = 1 << 24
        self.local_max_frame = 16384     # what we announced
        self.conn_send_window = 65535    # the server's connection window for our DATA
        self.server_settings = []        # (id, value) of the server's SETTINGS, in order
                                         # (dict() of it: the values in effect)
        self.peer_max_frame = 16384
        self._block = None               # [first frame, fragments] of an open field block
        self._ended, self._reset, self._es_block = set(), set(), None
        self._promised = set()   # even stream ids reserved by PUSH_PROMISE
        self._resp, self._seen = {}, 0   # response(): per-stream results, frames seen

    # ---- output
    def send(self, data):
        """Send everything; raises when the server closed (see try_send)."""
        self.sock.sendall(data)

    def try_send(self, data):
        """Send everything; returns False (instead of raising) when the server closed."""
        try:
            self.sock.sendall(data)
            return True
        except (socket.timeout, ssl.SSLError, OSError):
            return False

    def send_frame(self, ftype, flags, sid, payload=b"", length=None):
        self.send(frame(ftype, flags, sid, payload, length))

    # ---- input
    def _fill(self, deadline):
        """Read once from the socket; raises Closed at EOF, TimeoutError at the deadline."""
        if self.eof:
            raise Closed()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no frame from the server in time; got so far: %r"
                               % self.frames[-10:])
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(262144)
        except socket.timeout:
            raise TimeoutError("no frame from the server in time; got so far: %r"
                               % self.frames[-10:]) from None
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError, OSError):
            data = b""
        if not data:
            self.eof = True
            raise Closed()
        self.buf += data

    def _parse_one(self):
        """The next whole frame in the buffer (checked, recorded, its block decoded), or
        None."""
        if len(self.buf) < 9:
            return None
        n = int.from_bytes(self.buf[0:3], "big")
        if self.strict:
            assert not self.buf.startswith(b"HTTP/1."), \
                "server answered with HTTP/1.x instead of HTTP/2: %r" % bytes(self.buf[:60])
            assert n <= self.local_max_frame, \
                "§4.2: server sent a %d-octet frame, our SETTINGS_MAX_FRAME_SIZE is %d" \
                % (n, self.local_max_frame)
        if len(self.buf) < 9 + n:
            return None
        ftype, flags = self.buf[3], self.buf[4]
        if self.strict:
            assert not self.buf[5] & 0x80, "§4.1: reserved bit set in a frame from the server"
        sid = int.from_bytes(self.buf[5:9], "big") & 0x7fffffff
        f = Frame(ftype, flags, sid, bytes(self.buf[9:9 + n]))
        del self.buf[:9 + n]
        self.frames.append(f)
        if self.strict:
            if f.type == PUSH_PROMISE:
                p = f.payload[1:] if f.flags & PADDED else f.payload
                if len(p) >= 4:
                    self._promised.add(int.from_bytes(p[:4], "big") & 0x7fffffff)
            check_server_frame(f, self._promised)
            self._check_stream_state(f)
        self._on_frame(f)
        return f

    def _on_frame(self, f):
        if f.type == SETTINGS and not f.flags & ACK:
            for k, v in f.settings():
                self.server_settings.append((k, v))
                if k == S_MAX_FRAME_SIZE:
                    self.peer_max_frame = v
            if self.ack_settings:
                self.try_send(frame(SETTINGS, ACK, 0))
        if f.type in (HEADERS, PUSH_PROMISE):
            p = f.payload
            if f.flags & PADDED and p:
                p = p[1:len(p) - p[0]]
            if f.type == HEADERS and f.flags & PRIORITY_FLAG:
                p = p[5:]
            elif f.type == PUSH_PROMISE:
                p = p[4:]
            self._block = [f, [p]]
        elif f.type == CONTINUATION and self._block and self._block[0].sid == f.sid:
            self._block[1].append(f.payload)
        else:
            return
        if f.flags & END_HEADERS:
            head, parts = self._block
            self._block = None
            try:
                fields = self.decoder.decode(b"".join(parts), raw=True)
            except Exception as e:  # noqa: BLE001 -- raised where the block is used
                fields = e
            for x in (head, f):
                x.fields, x.head = fields, head

    def read_frame(self, timeout=None):
        """The next frame; raises Closed at EOF and TimeoutError after timeout seconds."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            f = self._parse_one()
            if f is not None:
                return f
            self._fill(deadline)

    def next_frame(self, timeout=None):
        """The next frame, or None at EOF (check .eof) or after timeout seconds."""
        try:
            return self.read_frame(timeout)
        except (Closed, TimeoutError):
            return None

    def _check_stream_state(self, f):
        """§5.1: nothing but PRIORITY on a stream the server closed (END_STREAM sent: no more
        HEADERS/DATA; RST_STREAM sent: nothing at all, except RST NO_ERROR after END_STREAM
        as §8.1 allows)."""
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
        """Send the preface and our SETTINGS (pairs or a dict), read the server's SETTINGS
        (must be first), ACK it and wait for the ACK of ours. Returns the server's first
        frame."""
        if isinstance(settings, dict):
            settings = list(settings.items())
        for k, v in settings:
            if k == S_MAX_FRAME_SIZE:
                self.local_max_frame = v
        self.send(PREFACE + frame(SETTINGS, 0, 0, settings_payload(settings)))
        first = self.read_frame()
        assert first.type == SETTINGS and not first.flags & ACK, \
            "first server frame must be a SETTINGS frame, got %r" % first
        if ack_server and not self.ack_settings:
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

    def headers(self, sid, fields=None, raw_block=None, end_stream=True, end_headers=True):
        """A HEADERS frame (bytes) with a byte-exact block of `fields` (see `block`)."""
        hb = raw_block if raw_block is not None else block(fields)
        flags = (END_STREAM if end_stream else 0) | (END_HEADERS if end_headers else 0)
        return frame(HEADERS, flags, sid, hb)

    def send_headers(self, sid, headers, end_stream=True, end_headers=True, pad=None,
                     prio=None, raw_block=None):
        """Send HEADERS with `headers` through the hpack encoder (or raw_block). Returns
        the block."""
        hb = raw_block if raw_block is not None else self.encode(headers)
        flags = (END_STREAM if end_stream else 0) | (END_HEADERS if end_headers else 0)
        payload = hb
        if prio is not None:
            flags |= PRIORITY_FLAG
            payload = priority_payload(*prio) + payload
        if pad is not None:
            flags |= PADDED
            payload = bytes([pad]) + payload + b"\0" * pad
        self.send_frame(HEADERS, flags, sid, payload)
        return hb

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

    # ---- blocking expectations
    def _decode_block(self, f, first_block):
        """The fields of the field block f starts (reading its CONTINUATIONs), as str
        pairs; checked against §8.2/§8.3. first_block: a list the raw block is added to."""
        end = f.flags & END_HEADERS
        parts = []
        for _ in range(1000):
            if end:
                break
            c = self.read_frame()
            assert c.type == CONTINUATION and c.sid == f.sid, \
                "server interleaved a frame into a field block: %r" % c
            parts.append(c.payload)
            end = c.flags & END_HEADERS
        if first_block is not None:
            p = f.payload
            if f.flags & PADDED:
                p = p[1:len(p) - p[0]]
            if f.flags & PRIORITY_FLAG:
                p = p[5:]
            first_block.append(bytes(p) + b"".join(parts))
        if isinstance(f.fields, Exception):
            raise f.fields
        fields = [type(x)(x[0].decode("utf-8"), x[1].decode("utf-8")) for x in f.fields]
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
            if f.type == SETTINGS and not f.flags & ACK and not self.ack_settings:
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

    # ---- polling (never raising at EOF or timeout)
    def read_until(self, pred, timeout=None):
        """Read frames until pred(frame) is true: that frame, or None on timeout / EOF."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while time.monotonic() < deadline or len(self.buf) >= 9:
            f = self.next_frame(max(0.0, deadline - time.monotonic()))
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
            self.next_frame(max(0.0, deadline - time.monotonic()))
        while self._parse_one() is not None:
            pass
        return self.eof

    def goaway(self):
        """The first GOAWAY read so far, or None."""
        for f in self.frames:
            if f.type == GOAWAY:
                return f
        return None

    def rst(self, sid):
        """The first RST_STREAM on sid read so far, or None."""
        for f in self.frames:
            if f.type == RST_STREAM and f.sid == sid:
                return f
        return None

    def wait_goaway(self, timeout=5.0):
        return self.goaway() or self.read_until(lambda f: f.type == GOAWAY, timeout)

    def response(self, sid, timeout=None):
        """Wait for stream sid to end (END_STREAM or RST_STREAM) or the connection to go.
        Returns dict(status, headers (bytes pairs), body, rst, ended, interim)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        res = self.responses().get(sid)
        while not (res and res["ended"]):
            if self.next_frame(max(0.0, deadline - time.monotonic())) is None:
                break
            res = self.responses().get(sid)
        return res or dict(status=None, headers=[], body=bytearray(), rst=None, ended=False,
                           interim=[])

    def responses(self):
        """{sid: response dict} of every stream seen in the frames read so far."""
        while self._seen < len(self.frames):
            f = self.frames[self._seen]
            self._seen += 1
            if f.sid == 0:
                continue
            r = self._resp.setdefault(f.sid, dict(status=None, headers=[], body=bytearray(),
                                                  rst=None, ended=False, interim=[]))
            if f.type in (HEADERS, CONTINUATION) and f.head is not None \
                    and f.head.type == HEADERS and f.flags & END_HEADERS:
                if isinstance(f.fields, Exception):
                    raise f.fields
                st = [v for k, v in f.fields if k == b":status"]
                if st and 100 <= int(st[0]) < 200:
                    r["interim"].append(f.fields)
                elif r["status"] is None:
                    r["headers"] = f.fields
                    r["status"] = int(st[0]) if st else None
                if f.head.flags & END_STREAM:
                    r["ended"] = True
            elif f.type == DATA:
                r["body"] += f.data
                if f.flags & END_STREAM:
                    r["ended"] = True
            elif f.type == RST_STREAM:
                r["rst"] = f.error_code
                r["ended"] = True
        return self._resp

    def close(self):
        if os.environ.get("H2WIRE_TRACE"):
            print("\nH2WIRE frames received: %r" % self.frames)
        try:
            self.sock.close()
        except OSError:
            pass


class Response:
    def __init__(self, stream_id):
        self.stream_id = stream_id
        self.headers = []
        self.interim = []
        self.trailers = []
        self.body = bytearray()
        self.ended = False
        self.reset = None

    @property
    def status(self):
        for k, v in self.headers:
            if k == b":status":
                return int(v)
        return None

    def header(self, name):
        name = name.lower().encode() if isinstance(name, str) else name
        for k, v in self.headers:
            if k == name:
                return v.decode()
        return None


class H2Client:
    def __init__(self, port, tls=False, host="localhost", window=None, timeout=20,
                 settings=None, connect=True, ssl_msg_callback=None):
        self.port = port
        self.ssl_msg_callback = ssl_msg_callback  # see ssl.SSLContext._msg_callback
        self.tls = tls
        self.host = host
        self.timeout = timeout
        self.window = window
        self.settings = settings or {}
        self.responses = {}
        self.goaway = None
        self.alpn = None
        self.closed = False
        if connect:
            self.connect()

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        if self.tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.set_alpn_protocols(["h2"])
            if self.ssl_msg_callback:
                ctx._msg_callback = self.ssl_msg_callback
            self.sock = ctx.wrap_socket(raw, server_hostname=self.host)
            self.alpn = self.sock.selected_alpn_protocol()
        else:
            self.sock = raw
        cfg = h2.config.H2Configuration(client_side=True, header_encoding=None)
        self.conn = h2.connection.H2Connection(config=cfg)
        local = dict(self.settings)
        if self.window is not None:
            local[h2.settings.SettingCodes.INITIAL_WINDOW_SIZE] = self.window
        self.conn.initiate_connection()
        self.settings_acked = False
        if local:
            self.conn.update_settings(local)
        self.flush()
        if local:
            # python-h2 applies its own new window to streams only when the server ACKs
            # the SETTINGS: wait for that before opening streams
            while not self.settings_acked:
                assert self.pump(), "connection closed before SETTINGS ACK"

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, path, method="GET", authority=None, headers=None, body=None,
                trailers=None, end=True):
        sid = self.conn.get_next_available_stream_id()
        hdrs = [(":method", method), (":scheme", "https" if self.tls else "http"),
                (":authority", authority or "%s:%d" % (self.host, self.port)), (":path", path)]
        hdrs += list(headers or [])
        no_body = body is None and not trailers
        self.conn.send_headers(sid, hdrs, end_stream=no_body and end)
        self.responses[sid] = Response(sid)
        self.flush()
        if body is not None:
            self.send_body(sid, body, end=end and not trailers)
        if trailers:
            self.conn.send_headers(sid, trailers, end_stream=True)
            self.flush()
        return sid

    def send_body(self, sid, body, end=True):
        view = memoryview(body)
        while len(view):
            room = min(self.conn.local_flow_control_window(sid),
                       self.conn.max_outbound_frame_size)
            if room <= 0:
                self.pump()
                continue
            chunk = view[:room]
            view = view[room:]
            self.conn.send_data(sid, chunk.tobytes(), end_stream=end and not len(view))
            self.flush()
        if end and not body:
            self.conn.end_stream(sid)
            self.flush()

    def pump(self, auto_ack=True):
        """Read once from the socket and process the events. Returns False on EOF."""
        data = self.sock.recv(65536)
        if not data:
            self.closed = True
            return False
        for ev in self.conn.receive_data(data):
            self._event(ev, auto_ack)
        self.flush()
        return True

    def _event(self, ev, auto_ack):
        r = self.responses.get(getattr(ev, "stream_id", None))
        if isinstance(ev, h2.events.ResponseReceived):
            r.headers = ev.headers
        elif isinstance(ev, h2.events.InformationalResponseReceived):
            r.interim.append(ev.headers)
        elif isinstance(ev, h2.events.TrailersReceived):
            r.trailers = ev.headers
        elif isinstance(ev, h2.events.DataReceived):
            r.body += ev.data
            if auto_ack and ev.flow_controlled_length:
                self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        elif isinstance(ev, h2.events.StreamEnded):
            r.ended = True
        elif isinstance(ev, h2.events.StreamReset):
            if r:
                r.reset = ev.error_code
                r.ended = True
        elif isinstance(ev, h2.events.SettingsAcknowledged):
            self.settings_acked = True
        elif isinstance(ev, h2.events.ConnectionTerminated):
            self.goaway = ev

    def wait(self, sids=None, auto_ack=True):
        sids = list(self.responses) if sids is None else list(sids)
        while not all(self.responses[s].ended for s in sids):
            if not self.pump(auto_ack):
                break
        return [self.responses[s] for s in sids]

    def get(self, path, **kw):
        sid = self.request(path, **kw)
        return self.wait([sid])[0]

    def close(self):
        try:
            self.conn.close_connection()
            self.flush()
        except Exception:
            pass
        self.sock.close()
