# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""A small blocking HTTP/2 client on python3-h2 for integration tests: raw control over
windows, trailers, authorities and resets, over h2c (prior knowledge) or TLS (ALPN h2)."""
import socket
import ssl

import h2.config
import h2.connection
import h2.events
import h2.settings


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
