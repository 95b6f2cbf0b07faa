# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""pytest fixtures: private httpd instances with the built mod_h2 on free loopback ports.

- `httpd`: one event-MPM instance for the whole session (default config of h2conf.Httpd).
- `make_httpd(**kw)`: a factory for instances with their own config (other MPMs, vhosts,
  directives); each is stopped at the end of the test that made it.
- `make_module_httpd(**kw)`: the same for module-scoped fixtures (stopped after the module).
Server roots live in a fresh directory under /tmp that the httpd user can read.
"""
import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import h2conf  # noqa: E402


def _new_root(name):
    d = tempfile.mkdtemp(prefix="mod_h2-%s-" % name)
    os.chmod(d, 0o755)
    return d


@pytest.fixture(scope="session")
def httpd():
    root = _new_root("main")
    h = h2conf.Httpd(root, log_level="info")
    h.make_root()
    h.start()
    yield h
    h.stop()
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
            if not os.environ.get("H2_KEEP_ROOTS"):
                shutil.rmtree(h.root, ignore_errors=True)

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
