# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Learned 103 Early Hints (H2EarlyHintsLearned, mod_h2/h2_hints.h): a page's Link
preload/preconnect fields, seen on two consecutive responses, come back as one 103 before
the handler answers later navigations to the same path; and every rule that keeps a hint
from being sent where it must not be (credentials, refused requests, per-user links,
other origins, non-navigations, HTTP/1.1, the directive off), forgetting, and the bound
on the table."""
import os
import re
import socket
import time

import pytest

import h2client as w

NAV = (("accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"),)
BROWSER_NAV = (("sec-fetch-mode", "navigate"), ("sec-fetch-dest", "document"),
               ("accept", "text/html"))

CONF = r"""
<Location /page.html>
    Header set Link "</style.css>; rel=preload; as=style"
</Location>
<Location /auth.html>
    Header set Link "</auth.css>; rel=preload; as=style"
</Location>
<Location /deny.html>
    Header set Link "</deny.css>; rel=preload; as=style"
    <If "%{QUERY_STRING} == 'deny'">
        Require all denied
    </If>
</Location>
<Location /mixed.html>
    Header add Link "<https://other.example/x.css>; rel=preload; as=style"
    Header add Link "</same.css>; rel=preload; as=style, <//other.example/y.js>; rel=modulepreload"
    Header add Link "<http://localhost/abs.js>; rel=modulepreload, <https://cdn.example>; rel=preconnect"
    Header add Link "</next.html>; rel=prefetch, </x.css>; rel=stylesheet"
</Location>
<Location /foreign.html>
    Header set Link "<https://other.example/x.css>; rel=preload; as=style"
</Location>
<Location /off.html>
    H2EarlyHintsLearned off
    Header set Link "</off.css>; rel=preload; as=style"
</Location>
<Location /nav.html>
    Header set Link "</nav.css>; rel=preload; as=style"
</Location>
<Location /private.html>
    Header set Link "</private.css>; rel=preload; as=style"
    Header set Cache-Control "private, max-age=60"
</Location>
<Location /text.txt>
    Header set Link "</text.css>; rel=preload; as=style"
</Location>
<Location /both.html>
    H2EarlyHints on
    H2EarlyHint Link "</conf.css>; rel=preload; as=style"
    Header set Link "</style.css>; rel=preload; as=style, </conf.css>; rel=preload; as=style"
</Location>
<Location /ctl.html>
    Header set Link "</off.css>; rel=preload; as=style"
</Location>
<Location /h1.html>
    Header set Link "</h1.css>; rel=preload; as=style"
</Location>
"""

# the Link of its response comes from the query: ?u=NAME -> </u/NAME.css>; ?none: no Link
LINKCGI = r'''#!/usr/bin/python3
import os
q = os.environ.get("QUERY_STRING", "")
out = "Content-Type: text/html\r\n"
if q.startswith("u="):
    out += "Link: </u/%s.css>; rel=preload; as=style\r\n" % q[2:]
print(out + "\r\n<!DOCTYPE html><html><body>%s</body></html>" % q, end="")
'''

PAGES = ("page", "auth", "deny", "mixed", "foreign", "off", "nav", "private", "both", "h1", "ctl")


class Client:
    """A raw connection (no push) and the 1xx/final header blocks of each request."""

    def __init__(self, port, host="localhost"):
        self.c = w.Conn(port, timeout=15, host=host)
        self.c.handshake(settings=[(w.S_ENABLE_PUSH, 0)])
        self.sid = 1

    def get(self, path, extra=NAV):
        """(interim header blocks as dicts, final status, final headers) of GET path."""
        sid = self.sid
        self.sid += 2
        self.c.request(sid, path, extra=extra)
        blocks = []
        for _ in range(100000):
            f = self.c.read_frame()
            assert f.type != w.GOAWAY, f
            if f.type == w.HEADERS:
                h = self.c._decode_block(f, None)
                if f.sid == sid:
                    blocks.append(h)
                    if f.flags & w.END_STREAM:
                        break
            elif f.type == w.DATA and len(f.payload):
                self.c.send_frame(w.WINDOW_UPDATE, 0, 0, w.window_payload(len(f.payload)))
                if f.sid == sid and f.flags & w.END_STREAM:
                    break
                if not f.flags & w.END_STREAM:
                    self.c.send_frame(w.WINDOW_UPDATE, 0, f.sid,
                                      w.window_payload(len(f.payload)))
            elif f.type == w.DATA and f.sid == sid and f.flags & w.END_STREAM:
                break
            elif f.type == w.RST_STREAM and f.sid == sid:
                raise AssertionError("stream %d reset: %r" % (sid, f))
        statuses = [int(dict(b)[":status"]) for b in blocks]
        n_final = len([s for s in statuses if s >= 200])
        assert n_final == 1, statuses
        final = statuses.index(next(s for s in statuses if s >= 200))
        # every interim block comes before the final one
        assert all(s < 200 for s in statuses[:final]), statuses
        interims = [dict_multi(b) for b in blocks[:final]]
        return interims, statuses[final], dict_multi(blocks[final])

    def close(self):
        self.c.close()


def dict_multi(block):
    d = {}
    for k, v in block:
        d.setdefault(k, []).append(v)
    return d


def links_of(interim):
    """The link-values of a 103's Link fields."""
    out = []
    for v in interim.get("link", []):
        out += [x.strip() for x in re.split(r",\s*(?=<)", v)]
    return out


def teach(cl, path, times=2, extra=NAV):
    for _ in range(times):
        im, st, _ = cl.get(path, extra)
        assert st == 200


@pytest.fixture(scope="module")
def srv(make_module_httpd):
    h = make_module_httpd("hints", start=False, extra=CONF, log_level="warn h2:debug")
    for p in PAGES:
        with open(os.path.join(h.docroot, p + ".html"), "w") as f:
            f.write("<!DOCTYPE html><html><body>%s</body></html>\n" % p)
    with open(os.path.join(h.docroot, "text.txt"), "w") as f:
        f.write("text\n")
    cgi = os.path.join(h.root, "cgi-bin", "links.py")
    with open(cgi, "w") as f:
        f.write(LINKCGI)
    os.chmod(cgi, 0o755)
    h.start()
    return h


@pytest.fixture
def cl(srv):
    c = Client(srv.http_port)
    yield c
    c.close()


def test_learned_after_two_identical_responses(cl):
    im1, st1, h1 = cl.get("/page.html")
    assert st1 == 200 and im1 == [], im1
    assert h1["link"] == ["</style.css>; rel=preload; as=style"]
    im2, _, _ = cl.get("/page.html")
    assert im2 == [], "a hint after one response"
    im3, st3, _ = cl.get("/page.html?x=1")      # the query is not part of the key
    assert st3 == 200
    assert len(im3) == 1, im3
    assert im3[0][":status"] == ["103"]
    assert links_of(im3[0]) == ["</style.css>; rel=preload; as=style"]
    # and again, on a new connection as well (the table is the child's)
    im4, _, _ = cl.get("/page.html")
    assert len(im4) == 1 and links_of(im4[0]) == ["</style.css>; rel=preload; as=style"]


def test_browser_navigation_gets_hint(srv, cl):
    teach(cl, "/nav.html", extra=BROWSER_NAV)
    c2 = Client(srv.http_port)
    try:
        im, st, _ = c2.get("/nav.html", BROWSER_NAV)
        assert st == 200 and len(im) == 1 and links_of(im[0]) == \
            ["</nav.css>; rel=preload; as=style"]
    finally:
        c2.close()


def test_per_user_links_never_learned(cl):
    # control: the same Link twice is learned from the CGI as from a static page
    teach(cl, "/cgi-bin/links.py?u=same")
    im, _, _ = cl.get("/cgi-bin/links.py?u=same")
    assert len(im) == 1 and links_of(im[0]) == ["</u/same.css>; rel=preload; as=style"]
    # a Link that differs on every response: never a hint (the first such response
    # still gets the learned set, and makes it go)
    for i in range(8):
        im, st, h = cl.get("/cgi-bin/links.py?u=user%d" % i)
        assert st == 200 and h["link"] == ["</u/user%d.css>; rel=preload; as=style" % i]
        if i == 0:
            assert len(im) == 1 and links_of(im[0]) == ["</u/same.css>; rel=preload; as=style"]
        else:
            assert im == [], (i, im)


def test_authorization_neither_learns_nor_receives(cl):
    auth = NAV + (("authorization", "Basic dXNlcjpwdw=="),)
    teach(cl, "/auth.html", times=3, extra=auth)
    im, _, _ = cl.get("/auth.html")
    assert im == [], "learned from requests with Authorization"
    teach(cl, "/auth.html")          # this one and the last: learned now
    im, _, _ = cl.get("/auth.html")
    assert len(im) == 1, "control: learned without Authorization"
    im, st, _ = cl.get("/auth.html", auth)
    assert st == 200 and im == [], "a request with Authorization got learned hints"


def test_refused_request_gets_no_hint_and_forgets(cl):
    teach(cl, "/deny.html")
    im, _, _ = cl.get("/deny.html")
    assert len(im) == 1, "control: learned"
    im, st, _ = cl.get("/deny.html?deny")
    assert st == 403, st
    assert im == [], "the 403 got a 103"
    # a non-2xx response of the path forgets its hint
    im, st, _ = cl.get("/deny.html")
    assert st == 200 and im == [], "still hinted after the 403"


def test_only_same_origin_preloads_and_preconnect(cl):
    teach(cl, "/mixed.html")
    im, _, _ = cl.get("/mixed.html")
    assert len(im) == 1, im
    # by rank (h2_hints_link.h): style sheets, then fonts and preconnects, then scripts
    assert links_of(im[0]) == ["</same.css>; rel=preload; as=style",
                               "<https://cdn.example>; rel=preconnect",
                               "<http://localhost/abs.js>; rel=modulepreload"]
    teach(cl, "/foreign.html", times=3)
    im, _, _ = cl.get("/foreign.html")
    assert im == [], "a cross-origin preload was learned"


def test_directive_off(cl):
    teach(cl, "/ctl.html")      # control: the same Link where the directive is on
    im, _, _ = cl.get("/ctl.html")
    assert len(im) == 1 and links_of(im[0]) == ["</off.css>; rel=preload; as=style"]
    teach(cl, "/off.html", times=3)
    im, st, h = cl.get("/off.html")
    assert st == 200 and h["link"] and im == []


def test_not_shareable_or_not_html_not_learned(cl):
    teach(cl, "/page.html")     # control: a shareable HTML page is learned
    im, _, _ = cl.get("/page.html")
    assert len(im) == 1
    teach(cl, "/private.html", times=3)
    im, _, _ = cl.get("/private.html")
    assert im == [], "learned from a Cache-Control: private response"
    teach(cl, "/text.txt", times=3)
    im, _, _ = cl.get("/text.txt")
    assert im == [], "learned from a text/plain response"


def test_non_navigation_gets_no_hint(cl):
    teach(cl, "/nav.html")
    im, _, _ = cl.get("/nav.html")
    assert len(im) == 1, "control"
    for extra in ((), (("accept", "*/*"),),
                  (("sec-fetch-mode", "cors"), ("sec-fetch-dest", "empty"),
                   ("accept", "text/html"))):
        im, st, _ = cl.get("/nav.html", extra)
        assert st == 200 and im == [], extra
    im, _, _ = cl.get("/nav.html", (("sec-fetch-dest", "document"),))
    assert len(im) == 1


def test_link_that_disappears_is_forgotten(cl):
    teach(cl, "/cgi-bin/links.py?u=gone")
    im, _, _ = cl.get("/cgi-bin/links.py?u=gone")
    assert len(im) == 1, "control"
    im, st, h = cl.get("/cgi-bin/links.py?none")   # hinted (still learned), has no Link
    assert st == 200 and "link" not in h
    im, _, _ = cl.get("/cgi-bin/links.py?u=gone")
    assert im == [], "hint kept after a response without it"


def test_configured_and_learned_hints_in_one_103(cl):
    im, _, _ = cl.get("/both.html")
    assert len(im) == 1 and links_of(im[0]) == ["</conf.css>; rel=preload; as=style"]
    teach(cl, "/both.html")
    im, _, _ = cl.get("/both.html")
    assert len(im) == 1, "one 103 per response: %r" % im
    assert links_of(im[0]) == ["</conf.css>; rel=preload; as=style",
                               "</style.css>; rel=preload; as=style"]


def test_http1_gets_no_learned_hint(srv, cl):
    teach(cl, "/h1.html")
    im, _, _ = cl.get("/h1.html")
    assert len(im) == 1, "control"
    s = socket.create_connection(("127.0.0.1", srv.http_port), timeout=10)
    s.sendall(b"GET /h1.html HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n"
              b"Connection: close\r\n\r\n")
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    s.close()
    assert data.startswith(b"HTTP/1.1 200"), data[:80]
    assert b" 103 " not in data.split(b"\r\n\r\n")[0]


def test_table_is_bounded(make_httpd):
    h = make_httpd("hintsfill", start=False, log_level="warn h2:debug",
                   extra='AliasMatch "^/fill/[0-9]+\\.html$" "{root}/htdocs/fill.html"\n'
                         '<LocationMatch "^/fill/">\n'
                         '    Header set Link "</f.css>; rel=preload"\n'
                         '</LocationMatch>\n')
    with open(os.path.join(h.docroot, "fill.html"), "w") as f:
        f.write("<!DOCTYPE html><html></html>\n")
    h.start()
    c = w.Conn(h.http_port, timeout=15)
    c.handshake(settings=[(w.S_ENABLE_PUSH, 0)])
    n, sid, batch = 1400, 1, 50
    for start in range(0, n, batch):
        open_ = set()
        for i in range(start, min(n, start + batch)):
            c.request(sid, "/fill/%d.html" % i, extra=NAV)
            open_.add(sid)
            sid += 2
        while open_:
            f = c.read_frame()
            assert f.type not in (w.GOAWAY, w.RST_STREAM), f
            if f.type == w.HEADERS:
                c._decode_block(f, None)
            if f.type == w.DATA and len(f.payload):
                c.send_frame(w.WINDOW_UPDATE, 0, 0, w.window_payload(len(f.payload)))
            if f.type in (w.HEADERS, w.DATA) and f.flags & w.END_STREAM:
                open_.discard(f.sid)
    c.close()
    counts = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(h.error_log, errors="replace") as f:
            counts = [int(x) for x in re.findall(r"MH200961: h2 hints: \S+ candidate "
                                                 r"\((\d+) entries\)", f.read())]
        if len(counts) >= n:
            break
        time.sleep(0.05)
    assert len(counts) == n, (len(counts), h.log_tail())
    assert max(counts) <= 1024, max(counts)
    assert counts[-1] >= 700, counts[-1]     # the table did fill up, then replaced
    assert counts[:5] == [1, 2, 3, 4, 5]


def test_directive_off_per_vhost(make_httpd):
    vh = ""
    for name, flag in (("localhost", ""), ("off.localhost", "    H2EarlyHintsLearned off\n")):
        vh += ('<VirtualHost 127.0.0.1:{http_port}>\n    ServerName %s\n'
               '    DocumentRoot "{root}/htdocs"\n%s'
               '    Header set Link "</vh.css>; rel=preload; as=style"\n</VirtualHost>\n'
               % (name, flag))
    h = make_httpd("hintsvhost", start=False, vhosts=vh)
    with open(os.path.join(h.docroot, "vh.html"), "w") as f:
        f.write("<!DOCTYPE html><html></html>\n")
    h.start()
    for host, hinted in (("localhost", True), ("off.localhost", False)):
        cl = Client(h.http_port, host=host)
        try:
            teach(cl, "/vh.html")
            im, st, hd = cl.get("/vh.html")
            assert st == 200 and hd["link"] == ["</vh.css>; rel=preload; as=style"]
            assert len(im) == (1 if hinted else 0), (host, im)
        finally:
            cl.close()
