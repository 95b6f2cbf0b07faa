# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""A session's settings come from the vhost that switched the connection to h2: with ALPN
the one SNI selected (mod_ssl passes it to protocol_switch), not the connection's default
vhost. Observable on the wire: H2WebSockets (SETTINGS_ENABLE_CONNECT_PROTOCOL) and
H2MaxSessionStreams (SETTINGS_MAX_CONCURRENT_STREAMS) differ per name-based vhost."""
from h2client import Conn, S_ENABLE_CONNECT_PROTOCOL, S_MAX_CONCURRENT_STREAMS

VHOSTS = """
<VirtualHost 127.0.0.1:{https_port}>
    ServerName other.localhost
    Protocols h2 http/1.1
    H2WebSockets on
    H2MaxSessionStreams 33
    DocumentRoot "{root}/htdocs"
    SSLEngine on
    SSLCertificateFile "{root}/conf/server.crt"
    SSLCertificateKeyFile "{root}/conf/server.key"
</VirtualHost>
"""


def _settings(h, host):
    c = Conn(h.https_port, tls=True, host=host)
    try:
        c.handshake()
        return dict(c.server_settings)
    finally:
        c.close()


def test_sni_vhost_settings(make_httpd):
    h = make_httpd("sni", vhosts=VHOSTS)
    other = _settings(h, "other.localhost")
    assert other.get(S_ENABLE_CONNECT_PROTOCOL) == 1, other
    assert other.get(S_MAX_CONCURRENT_STREAMS) == 33, other
    default = _settings(h, "localhost")
    assert default.get(S_ENABLE_CONNECT_PROTOCOL, 0) == 0, default
    assert default.get(S_MAX_CONCURRENT_STREAMS) != 33, default
