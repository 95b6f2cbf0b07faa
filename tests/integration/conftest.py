# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""pytest fixtures: private httpd instances with the built mod_h2 on free loopback ports.

- `httpd`: one event-MPM instance for the whole session (default config of h2conf.Httpd).
- `make_httpd(**kw)`: a factory for instances with their own config (other MPMs, vhosts,
  directives); each is stopped at the end of the test that made it.
- `make_module_httpd(**kw)`: the same for module-scoped fixtures (stopped after the module).
Server roots live in a fresh directory under /tmp that the httpd user can read.

With H2_SANITIZER=1 (h2conf.py: the module built with ASan + UBSan, the runtime
preloaded), every ASan or UBSan report an instance wrote fails the test during which it
appeared (seen at the test's teardown, after its own instances stopped), with the
report's head; each report is reported once.
"""
import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import h2conf  # noqa: E402


_REPORTED = set()    # report files already reported


def _new_root(name):
    d = tempfile.mkdtemp(prefix="mod_h2-%s-" % name)
    os.chmod(d, 0o755)
    return d


def _sanitizer_check():
    """fail with the head of each new ASan/UBSan report of any instance (H2_SANITIZER)"""
    if not h2conf.SANITIZER:
        return
    heads = []
    for root in list(h2conf.SAN_ROOTS):
        for path, text in h2conf.sanitizer_reports(root).items():
            if path in _REPORTED:
                continue
            _REPORTED.add(path)
            heads.append("%s:\n%s" % (path, "\n".join(text.splitlines()[:40])))
    if heads:
        pytest.fail("sanitizer report(s):\n" + "\n\n".join(heads), pytrace=False)


@pytest.fixture(autouse=True)
def sanitizer_reports():
    """after each test (its own instances stopped: this fixture is set up first, so torn
    down last): new sanitizer reports fail it"""
    yield
    _sanitizer_check()


@pytest.fixture(scope="session")
def httpd():
    root = _new_root("main")
    h = h2conf.Httpd(root, log_level="info")
    h.make_root()
    h.start()
    yield h
    h.stop()
    _sanitizer_check_then_remove([root])


def _sanitizer_check_then_remove(roots):
    """roots removed (unless H2_KEEP_ROOTS), after their reports were looked at (a
    module's or the session's instances stop after the last test's own check)"""
    try:
        _sanitizer_check()
    finally:
        for root in roots:
            if root in h2conf.SAN_ROOTS:
                h2conf.SAN_ROOTS.remove(root)
            if not os.environ.get("H2_KEEP_ROOTS"):
                shutil.rmtree(root, ignore_errors=True)


def _httpd_factory():
    """(factory, stop_all): instances made by factory(name, start=True, **kw) for
    h2conf.Httpd, all stopped and removed by stop_all()"""
    made = []

    def factory(name="extra", start=True, **kw):
        h = h2conf.Httpd(_new_root(name), **kw)
        h.make_root()
        made.append(h)
        if start:
            h.start()
        return h

    def stop_all():
        for h in made:
            h.stop()
        _sanitizer_check_then_remove([h.root for h in made])

    return factory, stop_all


@pytest.fixture
def make_httpd():
    factory, stop_all = _httpd_factory()
    yield factory
    stop_all()


@pytest.fixture(scope="module")
def make_module_httpd():
    """make_httpd for module-scoped fixtures: stopped when the test module is done"""
    factory, stop_all = _httpd_factory()
    yield factory
    stop_all()
