# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Directives: what the module registers (as `apache2 -L` lists it) against the manual
(docs/directives.md) and against Apache's mod_http2, and a configuration that uses every
directive in every context it is allowed in (server, virtual host, directory, .htaccess
with the matching AllowOverride), checked with `-t` and served."""
import os
import re
import socket
import subprocess

import h2.settings
import pytest

import h2conf
import h2client as w
from h2client import H2Client

DOC = os.path.join(h2conf.TOP, "docs", "directives.md")
MOD_HTTP2_SO = os.path.join(h2conf.MODULES_DIR, "mod_http2.so")

# mod_http2 (httpd 2.4.71) directives that mod_h2 deliberately allows in more contexts
# (docs/directives.md says so in their entries)
WIDER_THAN_MOD_HTTP2 = {"H2EarlyHints", "H2OutputBuffering", "H2StreamTimeout"}

# a harmless value for every directive (a directive registered without one here fails
# test_every_directive_in_every_context: add it)
VALUES = {
    "H2CopyFiles": "off", "H2Direct": "on",
    "H2EarlyHint": 'Link "</1k.txt>; rel=preload"', "H2EarlyHints": "on",
    "H2EarlyHintsLearned": "on",
    "H2MaxDataFrameLen": "0", "H2MaxHeaderBlockLen": "65536", "H2MaxSessionStreams": "100",
    "H2MaxStreamErrors": "8", "H2MaxWorkerIdleSeconds": "600", "H2MaxWorkers": "40",
    "H2MinWorkers": "10", "H2ModernTLSOnly": "on", "H2OutputBuffering": "on",
    "H2Padding": "0", "H2ProxyRequests": "off", "H2Push": "on", "H2PushDiarySize": "256",
    "H2PushPriority": "* After 16", "H2PushResource": "/1k.txt",
    "H2SerializeHeaders": "off", "H2SessionExtraFiles": "5", "H2StreamMaxMemSize": "65536",
    "H2StreamTimeout": "30", "H2TLSCoolDownSecs": "1", "H2TLSWarmUpSize": "1048576",
    "H2Upgrade": "on", "H2WebSockets": "off", "H2WindowSize": "65535",
    "H2ConnWindowSize": "16777216", "H2ControlFrameBudget": "1000",
    "H2EmptyFrameBudget": "1000", "H2HeaderTableSize": "4096",
    "H2MaxContinuationFrames": "32", "H2MaxFrameSize": "16384",
    "H2OversizedHeaderBudget": "4", "H2ResetBudget": "200", "H2UpgradeMaxBody": "65536",
}

SERVER_ONLY = ("server config", "virtual host")
ANYWHERE = ("server config", "virtual host", "directory", ".htaccess")


def listing(module_line, root):
    """{directive: (contexts, override classes)} of the H2 directives `apache2 -L` lists
    with only this module (and the MPM) loaded."""
    os.makedirs(os.path.join(root, "logs"), exist_ok=True)
    conf = os.path.join(root, "list.conf")
    with open(conf, "w") as f:
        f.write("ServerRoot %s\nServerName localhost\nErrorLog logs/error_log\n"
                "LoadModule mpm_event_module %s/mod_mpm_event.so\n%s\n"
                % (root, h2conf.MODULES_DIR, module_line))
    out = subprocess.run([h2conf.APACHE_BIN, "-f", conf, "-L"], capture_output=True,
                         text=True, timeout=30).stdout
    found, cur, text = {}, None, []

    def close():
        if cur:
            t = " ".join(text)
            if "only outside <Directory>" in t:
                found[cur] = (SERVER_ONLY, ())
            else:
                m = re.search(r"Allowed in \*\.conf anywhere and in \.htaccess\s+when "
                              r"AllowOverride includes (.*)$", t)
                assert m, "unexpected -L text for %s: %r" % (cur, t)
                found[cur] = (ANYWHERE, tuple(sorted(m.group(1).split(" or "))))
    for line in out.splitlines():
        m = re.match(r"^(H2\w+) \(", line)
        if m or not line.startswith("\t"):
            close()
            cur, text = (m.group(1) if m else None), []
        elif cur:
            text.append(line.strip())
    close()
    return found


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    return listing("LoadModule h2_module %s" % h2conf.default_module(),
                   str(tmp_path_factory.mktemp("list-ours")))


@pytest.fixture(scope="module")
def theirs(tmp_path_factory):
    if not os.path.exists(MOD_HTTP2_SO):
        pytest.skip("Apache's mod_http2.so is not installed")
    return listing("LoadModule http2_module %s" % MOD_HTTP2_SO,
                   str(tmp_path_factory.mktemp("list-theirs")))


def doc_entries():
    """{directive: (contexts, override classes)} from the entries of docs/directives.md."""
    with open(DOC) as f:
        text = f.read()
    entries = {}
    for m in re.finditer(r"^## (H2\w+)\n(.*?)(?=^## |\Z)", text, re.S | re.M):
        body = m.group(2)
        ctx = re.search(r"^\| Context \| (.*) \|$", body, re.M)
        ovr = re.search(r"^\| Override \| (.*) \|$", body, re.M)
        assert ctx and ovr, "entry %s lacks a Context or Override line" % m.group(1)
        for field in ("Description", "Syntax", "Default", "Module"):
            assert re.search(r"^\| %s \| .+ \|$" % field, body, re.M), \
                "entry %s lacks %s" % (m.group(1), field)
        assert "Compared with mod_http2" in body, "entry %s: no comparison" % m.group(1)
        assert re.search(r"^    \S", body, re.M) or m.group(1) in (
            "H2SerializeHeaders", "H2SessionExtraFiles"), "entry %s: no example" % m.group(1)
        o = ovr.group(1).strip()
        entries[m.group(1)] = (tuple(s.strip() for s in ctx.group(1).split(",")),
                               () if o == "none" else tuple(sorted(s.strip()
                                                                   for s in o.split(","))))
    return entries


def test_manual_has_an_entry_per_registered_directive_and_no_other(ours):
    docs = doc_entries()
    assert len(ours) >= 37, sorted(ours)
    assert sorted(set(ours) - set(docs)) == [], "registered but not in docs/directives.md"
    assert sorted(set(docs) - set(ours)) == [], "in docs/directives.md but not registered"


def test_manual_context_and_override_are_what_httpd_enforces(ours):
    docs = doc_entries()
    wrong = {d: (docs[d], ours[d]) for d in ours if docs.get(d) != ours[d]}
    assert wrong == {}, "docs (context, override) != apache2 -L"


def test_every_mod_http2_directive_in_the_same_contexts(ours, theirs):
    missing = sorted(set(theirs) - set(ours))
    assert missing == [], "mod_http2 directives mod_h2 does not register"
    differ = {d: (theirs[d], ours[d]) for d in theirs
              if theirs[d] != ours[d] and d not in WIDER_THAN_MOD_HTTP2}
    assert differ == {}, "contexts differ from mod_http2's"
    for d in WIDER_THAN_MOD_HTTP2:
        # wider: every context mod_http2 allows, and more
        assert set(theirs[d][0]) <= set(ours[d][0]), d
    assert len(theirs) == 28, sorted(theirs)


# ---------------------------------------------------------------------------------------
# every directive in every context it is allowed in

def _config(directives):
    """Config text (server, vhost, <Directory>, <Location>) and .htaccess files
    {relative dir: text} using each directive wherever `directives` allows it."""
    def lines(names, indent=""):
        return "".join("%s%s %s\n" % (indent, n, VALUES[n]) for n in sorted(names))
    server = [d for d in directives]
    dirs = [d for d, (ctx, _) in directives.items() if "directory" in ctx]
    conf = "# every directive, server context\n" + lines(server)
    conf += ("<VirtualHost 127.0.0.1:{http_port}>\n    ServerName localhost\n"
             + lines(server, "    ") + "</VirtualHost>\n")
    conf += ('<Directory "{root}/htdocs/dir">\n' + lines(dirs, "    ") + "</Directory>\n")
    conf += ("<Location /loc/>\n" + lines(dirs, "    ") + "</Location>\n")
    htaccess = {}
    classes = sorted({c for _, (_, cls) in directives.items() for c in cls})
    for cls in classes:
        names = [d for d, (_, cl) in directives.items() if cls in cl]
        conf += ('<Directory "{root}/htdocs/ht_%s">\n    AllowOverride %s\n</Directory>\n'
                 % (cls, cls))
        htaccess["htdocs/ht_%s" % cls] = lines(names)
    return conf, htaccess, ["dir", "loc"] + ["ht_%s" % c for c in classes]


def _serve_everywhere(make_httpd, directives, name, mod_http2=False):
    unknown = sorted(set(directives) - set(VALUES))
    assert unknown == [], "give these directives a value in VALUES"
    conf, htaccess, places = _config(directives)
    h = make_httpd(name, start=False, extra=conf, use_mod_http2=mod_http2,
                   log_level="warn")
    for place in places:
        d = os.path.join(h.docroot, place)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "page.html"), "w") as f:
            f.write("%s\n" % place)
    for rel, text in htaccess.items():
        with open(os.path.join(h.root, rel, ".htaccess"), "w") as f:
            f.write(text)
    res = h.config_test()
    assert res.returncode == 0, res.stdout
    assert "Syntax OK" in res.stdout
    h.start()
    for tls in (False, True):
        # no push: python-h2 refuses the 103 both servers send on a pushed stream here
        # (H2EarlyHints on, H2PushResource), which is valid HTTP/2
        c = H2Client(h.https_port if tls else h.http_port, tls=tls,
                     settings={h2.settings.SettingCodes.ENABLE_PUSH: 0})
        for place in places:
            r = c.get("/%s/page.html" % place)
            assert r.status == 200, (place, tls, r.status, h.log_tail())
            assert bytes(r.body) == b"%s\n" % place.encode()
        c.close()
    return h, places


def test_every_directive_in_every_context(make_httpd, ours):
    h, places = _serve_everywhere(make_httpd, ours, "alldirs")
    # HTTP/1.1 to the same places: no 500 either
    for place in places:
        s = socket.create_connection(("127.0.0.1", h.http_port), timeout=5)
        s.sendall(b"GET /%s/page.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                  % place.encode())
        data = s.recv(4096)
        s.close()
        assert data.startswith(b"HTTP/1.1 200"), (place, data[:80])
    with open(h.error_log) as f:
        log = f.read()
    assert "not allowed here" not in log and "Invalid command" not in log
    assert "H2SessionExtraFiles is obsolete and will be ignored" in log
    # the h2 session works with every directive set: a plain exchange on the wire (no
    # push: H2PushResource pushes /1k.txt, and the pushed stream's frames may come before
    # the end of stream 1, which read_response's checks do not expect)
    c = w.Conn(h.http_port)
    c.handshake(settings=[(w.S_ENABLE_PUSH, 0)])
    c.request(1, "/1k.txt")
    headers, body, _, rst = c.read_response(1)
    assert rst is None and len(body) == 1024
    c.close()


def test_same_configuration_runs_with_mod_http2(make_httpd, theirs):
    """The generated configuration restricted to mod_http2's directives is valid for
    mod_http2 too: the contexts used above are mod_http2's."""
    _serve_everywhere(make_httpd, theirs, "alldirs-http2", mod_http2=True)


@pytest.mark.parametrize("directive,cls", [("H2Push", "FileInfo"), ("H2Upgrade", "FileInfo"),
                                           ("H2CopyFiles", "AuthConfig"),
                                           ("H2ProxyRequests", "AuthConfig"),
                                           ("H2MaxStreamErrors", "All")])
def test_htaccess_without_the_override_class_is_refused(make_httpd, directive, cls):
    """As with mod_http2 (and any httpd directive): a directive in .htaccess without its
    AllowOverride class makes the directory answer 500."""
    h = make_httpd("htwrong", start=False,
                   extra='<Directory "{root}/htdocs/ht">\n    AllowOverride %s\n</Directory>\n'
                   % cls)
    d = os.path.join(h.docroot, "ht")
    os.makedirs(d)
    with open(os.path.join(d, ".htaccess"), "w") as f:
        f.write("%s %s\n" % (directive, VALUES[directive]))
    with open(os.path.join(d, "page.html"), "w") as f:
        f.write("x\n")
    h.start()
    c = H2Client(h.http_port)
    assert c.get("/ht/page.html").status == 500
    assert c.get("/1k.txt").status == 200
    c.close()
