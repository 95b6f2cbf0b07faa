# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""`SetHandler http2-status` (issue 20): a JSON view of the HTTP/2 connection the request
came on, in mod_http2's documented layout; over HTTP/1.1 the handler declines (the core
answers 404), as mod_http2's did."""
import http.client
import json

import pytest

from h2client import H2Client

STATUS_CONF = """
<Location /h2status>
    SetHandler http2-status
</Location>
H2MaxSessionStreams 77
H2WindowSize 123456
"""


@pytest.fixture(scope="module")
def srv(make_module_httpd):
    return make_module_httpd("status", extra=STATUS_CONF)


@pytest.mark.parametrize("tls", [False, True])
def test_status_json_fields(srv, tls):
    port = srv.https_port if tls else srv.http_port
    c = H2Client(port, tls=tls, window=100000)
    assert c.get("/1k.txt").status == 200
    r = c.get("/h2status")
    assert r.status == 200, r.headers
    assert r.header("content-type").startswith("application/json")
    doc = json.loads(bytes(r.body))
    c.close()
    assert doc["version"] == "draft-01"
    st = doc["settings"]
    # what we announce: the configured values
    assert st["SETTINGS_MAX_CONCURRENT_STREAMS"] == 77
    assert st["SETTINGS_INITIAL_WINDOW_SIZE"] == 123456
    assert st["SETTINGS_MAX_FRAME_SIZE"] >= 16384
    assert st["SETTINGS_ENABLE_PUSH"] in (0, 1)
    peer = doc["peerSettings"]
    assert peer["SETTINGS_INITIAL_WINDOW_SIZE"] == 100000   # the client's SETTINGS
    assert peer["SETTINGS_MAX_FRAME_SIZE"] == 16384
    assert isinstance(doc["connFlowIn"], int) and doc["connFlowIn"] > 0
    assert isinstance(doc["connFlowOut"], int) and doc["connFlowOut"] > 0
    assert doc["sentGoAway"] == 0
    # the status request itself is listed (stream 3: the GET before it was stream 1)
    me = doc["streams"]["3"]
    assert me["state"].startswith("half-closed (remote)"), me
    assert me["dataIn"] == 0 and me["dataOut"] == 0
    assert me["flowOut"] == 100000
    assert me["flowIn"] == 123456
    assert me["created"] > 1.6e9
    stats = doc["stats"]
    assert stats["in"]["requests"] == 2
    assert stats["in"]["frames"] >= 3             # SETTINGS, its ACK, 2 HEADERS
    assert stats["in"]["octets"] > 24
    assert stats["out"]["responses"] == 1          # the GET's; ours is not sent yet
    assert stats["out"]["frames"] >= 3
    assert stats["out"]["octets"] >= 1024
    assert set(stats["push"]) == {"promises", "submits", "resets"}


def test_status_post_and_head(srv):
    c = H2Client(srv.http_port)
    r = c.get("/h2status", method="POST", body=b"x" * 3000)
    assert r.status == 200
    doc = json.loads(bytes(r.body))
    assert doc["streams"]["1"]["dataIn"] == 3000
    r = c.get("/h2status", method="PUT", body=b"x")
    assert r.status != 200 or not r.body.startswith(b"{")   # declined: not ours
    c.close()


def test_status_over_http1_declines(srv):
    c = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=10)
    c.request("GET", "/h2status")
    r = c.getresponse()
    body = r.read()
    assert r.status == 404, (r.status, body[:200])
    assert b"draft-01" not in body
    c.close()


def test_status_inline_prefork(make_httpd):
    """no worker pool: the handler runs on c1's thread and takes the snapshot there"""
    h = make_httpd("status-prefork", mpm="prefork", extra=STATUS_CONF)
    c = H2Client(h.http_port)
    r = c.get("/h2status")
    assert r.status == 200
    doc = json.loads(bytes(r.body))
    assert doc["settings"]["SETTINGS_MAX_CONCURRENT_STREAMS"] == 77
    assert "1" in doc["streams"]
    c.close()
