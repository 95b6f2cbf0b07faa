# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""How streams travel between c1 and the workers (issue 11): one worker per connection
at first, more when the queue stands still, news in batches, reused output buffers and
gathered TLS writes. Nothing here may cost a stream its response or hold it up behind
a slow one."""
import hashlib
import os
import time

from h2client import H2Client


def test_slow_streams_get_workers_of_their_own(httpd):
    # four handlers that each wait 1 s on one connection: the first gets the connection's
    # worker, the others more workers once the queue stood still for a moment; one after
    # another they would take 4 s
    c = H2Client(httpd.http_port)
    t0 = time.monotonic()
    sids = [c.request("/cgi-bin/slow.py?1") for _ in range(4)]
    rs = c.wait(sids)
    took = time.monotonic() - t0
    assert all(r.status == 200 and b"slept" in r.body for r in rs)
    assert took < 3.0, took
    c.close()


def _expect(httpd, name):
    with open(os.path.join(httpd.docroot, name), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_mixed_responses_intact_over_tls_and_h2c(httpd):
    # large and small responses interleaved on one connection, several rounds, so that
    # output buffers are reused and TLS records gathered across responses
    want = {p: _expect(httpd, p.lstrip("/")) for p in ("/1k.txt", "/100k.bin", "/10m.bin")}
    for tls in (True, False):
        c = H2Client(httpd.https_port if tls else httpd.http_port, tls=tls)
        for _ in range(3):
            paths = ["/10m.bin"] + ["/100k.bin", "/1k.txt"] * 8
            sids = [c.request(p) for p in paths]
            for p, r in zip(paths, c.wait(sids)):
                assert r.status == 200, (tls, p, r.status)
                assert hashlib.sha256(bytes(r.body)).hexdigest() == want[p], (tls, p)
        c.close()


def test_news_of_a_batch_all_arrive(httpd):
    # 100 small streams in one go on one worker: every response comes, none waits for
    # a wake-up that never happens (the batch's last news wakes c1)
    c = H2Client(httpd.http_port)
    t0 = time.monotonic()
    sids = [c.request("/1k.txt") for _ in range(100)]
    rs = c.wait(sids)
    assert all(r.status == 200 and len(r.body) == 1024 for r in rs)
    assert time.monotonic() - t0 < 10
    c.close()
