# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""pytest fixtures: private httpd instances with the built mod_h2 on free loopback ports.

- `httpd`: one event-MPM instance for the whole session (default config of h2conf.Httpd).
- `make_httpd(**kw)`: a factory for instances with their own config (other MPMs, vhosts,
  directives); each is stopped at the end of the test that made it.
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


@pytest.fixture
def make_httpd():
    made = []

    def factory(name="extra", start=True, **kw):
        h = h2conf.Httpd(_new_root(name), **kw)
        h.make_root()
        made.append(h)
        if start:
            h.start()
        return h

    yield factory
    for h in made:
        h.stop()
        if not os.environ.get("H2_KEEP_ROOTS"):
            shutil.rmtree(h.root, ignore_errors=True)
