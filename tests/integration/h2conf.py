# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Private httpd instances for tests, benchmarks and the demo.

An instance is a server root of its own (conf, htdocs, cgi-bin, logs, TLS key and
certificate) with Debian's apache2 binary, listening on free loopback ports chosen at run
time: `http_port` (cleartext, HTTP/1.1 + h2c) and `https_port` (TLS, h2 + http/1.1).

Used by conftest.py (pytest), tests/bench/ and scripts/demo.sh (python3 h2conf.py demo DIR,
stop DIR: see "the demo" below).
Standard library only.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

APACHE_BIN = os.environ.get("APACHE_BIN", "/usr/sbin/apache2")
MODULES_DIR = os.environ.get("APACHE_MODULES", "/usr/lib/apache2/modules")
TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    """A free TCP port on 127.0.0.1 (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_module():
    env = os.environ.get("MOD_H2_SO")
    if env:
        return os.path.abspath(env)
    for cand in ("build/gcc/mod_h2/.libs/mod_h2.so", "mod_h2/.libs/mod_h2.so"):
        p = os.path.join(TOP, cand)
        if os.path.exists(p):
            return p
    raise RuntimeError("mod_h2.so not found: build first (scripts/build.sh build/gcc) or set MOD_H2_SO")


BASE_MODULES = ["authz_core", "authz_host", "authn_core", "mime", "dir", "alias",
                "setenvif", "env", "headers", "ssl", "socache_shmcb", "cgi", "rewrite",
                "deflate", "filter", "status", "proxy", "proxy_http"]

CGI_SCRIPTS = {
    "echo.py": r'''#!/usr/bin/python3
import os, sys
data = sys.stdin.buffer.read()
sys.stdout.write("Content-Type: application/octet-stream\r\n")
sys.stdout.write("X-Request-Length: %d\r\n" % len(data))
sys.stdout.write("X-Content-Length: %s\r\n\r\n" % os.environ.get("CONTENT_LENGTH", ""))
sys.stdout.flush()
sys.stdout.buffer.write(data)
''',
    "env.py": r'''#!/usr/bin/python3
import os
print("Content-Type: text/plain\r\n\r\n", end="")
for k in sorted(os.environ):
    print("%s=%s" % (k, os.environ[k]))
''',
    "slow.py": r'''#!/usr/bin/python3
import sys, time, os
qs = os.environ.get("QUERY_STRING", "")
secs = float(qs) if qs else 2.0
sys.stdout.write("Content-Type: text/plain\r\n\r\n")
sys.stdout.flush()
time.sleep(secs)
sys.stdout.write("slept %s\n" % secs)
''',
    # an event stream: QUERY_STRING "N" or "N,SECS" (N events, SECS between them: a
    # handler that waits between pieces of output, test_73_parked_sessions.py and
    # bench_parked.py)
    "stream.py": r'''#!/usr/bin/python3
import sys, os, time
qs = os.environ.get("QUERY_STRING", "").split(",")
n = int(qs[0]) if qs[0] else 5
gap = float(qs[1]) if len(qs) > 1 else 0.0
sys.stdout.write("Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n")
sys.stdout.flush()
try:
    for i in range(n):
        if gap:
            time.sleep(gap)
        sys.stdout.write("data: event %d\n\n" % i)
        sys.stdout.flush()
except (BrokenPipeError, ConnectionResetError):
    # the client went away (stream reset): a CGI's ordinary end, not a log line (its
    # traceback would land in the error log, which the attack tests keep bounded)
    os._exit(0)
''',
}


# ---- the sanitizer run (scripts/test.sh, docs/ARCHITECTURE.md "Test layers")
#
# H2_SANITIZER=1 with MOD_H2_SO pointing to a module built with clang
# -fsanitize=address,undefined (build/asan): Debian's apache2 is not instrumented, so
# every instance preloads clang's ASan runtime (it carries UBSan's handlers too; the
# module leaves their symbols to it) and writes its reports to SAN_DIR under its server
# root, where conftest.py looks after each test. Leaks are not checked (httpd frees its
# pools at exit only in part, by design). `MaxMemFree 1` makes APR's allocators give every
# freed node back to malloc(), so that ASan's quarantine sees memory of a destroyed pool
# (the nearest to a debug-pool build that Debian's libapr allows; the first node of a
# cleared pool stays with the pool).
SANITIZER = os.environ.get("H2_SANITIZER", "") not in ("", "0")
SAN_DIR = "san"
SAN_ROOTS = []   # server roots of the sanitized instances made (conftest.py looks there)


def asan_runtime():
    """the shared ASan runtime that matches a clang-built module"""
    out = subprocess.run(["clang", "-print-file-name=libclang_rt.asan-x86_64.so"],
                         capture_output=True, text=True).stdout.strip()
    if not out or not os.path.isabs(out) or not os.path.exists(out):
        raise RuntimeError("H2_SANITIZER: clang's libclang_rt.asan-x86_64.so not found "
                           "(libclang-rt-14-dev)")
    return out


def sanitizer_env(root):
    d = os.path.join(root, SAN_DIR)
    return {"LD_PRELOAD": asan_runtime(),
            "ASAN_OPTIONS": "detect_leaks=0:halt_on_error=1:abort_on_error=0"
                            ":detect_odr_violation=0:log_path=%s/asan" % d,
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:log_path=%s/ubsan" % d}


def sanitizer_reports(root):
    """{path: text} of the ASan/UBSan report files under server root `root`"""
    d = os.path.join(root, SAN_DIR)
    found = {}
    try:
        names = sorted(os.listdir(d))
    except OSError:
        return found
    for n in names:
        p = os.path.join(d, n)
        try:
            with open(p, errors="replace") as f:
                found[p] = f.read()
        except OSError:
            pass
    return found


_STOPWIN = None


def stopwin_so():
    """tests/tools/stopwin.c built once per test process: an LD_PRELOAD probe for the event
    MPM's own hard-stop race (docs/ARCHITECTURE.md "Stop and restart"). As a detector it
    logs STALE to the error log where the MPM's stop would close a socket whose memory is
    gone, and refuses that close, so the child survives httpd's race and a test can tell it
    from a crash of ours."""
    global _STOPWIN
    if _STOPWIN is None:
        import tempfile
        out = os.path.join(tempfile.mkdtemp(prefix="mod_h2-stopwin-"), "stopwin.so")
        res = subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", out,
                              os.path.join(TOP, "tests", "tools", "stopwin.c"), "-ldl",
                              "-I/usr/include/apr-1.0"], capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError("stopwin.c: %s" % res.stderr)
        os.chmod(os.path.dirname(out), 0o755)
        _STOPWIN = out
    return _STOPWIN


class Httpd:
    """One private httpd. `extra` is config text appended inside the main server."""

    def __init__(self, root, module=None, mpm="event", use_mod_http2=False, extra="",
                 vhosts="", log_level="warn", threads=25, processes=1, modules=(), nofile=None,
                 env=None, stop_probe=False):
        self.root = os.path.abspath(root)
        self.module = module or (None if use_mod_http2 else default_module())
        self.use_mod_http2 = use_mod_http2
        self.mpm = mpm
        self.extra = extra
        self.vhosts = vhosts
        self.log_level = log_level
        self.threads = threads
        self.processes = processes
        self.modules = list(modules)  # more modules to load, e.g. ["reqtimeout"]
        self.nofile = nofile  # RLIMIT_NOFILE for httpd (like `ulimit -n`), None: inherit
        self.env = dict(env or {})  # extra environment of the httpd processes
        self.sanitized = SANITIZER
        if self.sanitized:
            self.env.update(sanitizer_env(self.root))
            if self.root not in SAN_ROOTS:
                SAN_ROOTS.append(self.root)
        if stop_probe:        # tests that stop under load: httpd's stop race is not ours
            # after the ASan runtime, which must come first
            pre = self.env.get("LD_PRELOAD")
            self.env["LD_PRELOAD"] = (pre + ":" if pre else "") + stopwin_so()
        self.http_port = free_port()
        self.https_port = free_port()
        self.proc = None

    # ---- files
    @property
    def docroot(self):
        return os.path.join(self.root, "htdocs")

    @property
    def error_log(self):
        return os.path.join(self.root, "logs", "error_log")

    @property
    def access_log(self):
        return os.path.join(self.root, "logs", "access_log")

    @property
    def conf_path(self):
        return os.path.join(self.root, "conf", "httpd.conf")

    def make_root(self):
        for d in ("conf", "htdocs", "cgi-bin", "logs", "run"):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
        os.chmod(self.root, 0o755)
        if self.sanitized:
            # written by the children too (www-data when started as root)
            os.makedirs(os.path.join(self.root, SAN_DIR), exist_ok=True)
            os.chmod(os.path.join(self.root, SAN_DIR), 0o777)
        self._make_cert()
        self._make_docs()
        self.write_conf()

    def _make_cert(self):
        key = os.path.join(self.root, "conf", "server.key")
        crt = os.path.join(self.root, "conf", "server.crt")
        if os.path.exists(crt):
            return
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                        "-keyout", key, "-out", crt, "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,DNS:test.localhost,"
                        "DNS:other.localhost,IP:127.0.0.1"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.chmod(key, 0o600)  # read by httpd's parent (root or the invoking user) only

    def _make_docs(self):
        d = self.docroot
        with open(os.path.join(d, "index.html"), "w") as f:
            f.write("<!DOCTYPE html>\n<html><head><title>mod_h2 demo</title>"
                    "<link rel=\"stylesheet\" href=\"/style.css\"></head>\n"
                    "<body><h1>mod_h2</h1><p>Served by Apache httpd with mod_h2.</p>"
                    "<script src=\"/app.js\"></script></body></html>\n")
        with open(os.path.join(d, "style.css"), "w") as f:
            f.write("body { font-family: sans-serif; }\n")
        with open(os.path.join(d, "app.js"), "w") as f:
            f.write("document.title += ' (' + performance.getEntriesByType('navigation')[0]"
                    ".nextHopProtocol + ')';\n")
        for name, size in (("1k.txt", 1024), ("100k.bin", 100 * 1024), ("10m.bin", 10 * 1024 * 1024)):
            p = os.path.join(d, name)
            if not os.path.exists(p) or os.path.getsize(p) != size:
                with open(p, "wb") as f:
                    block = bytes((i * 7 + 13) & 0xff for i in range(1024))
                    for _ in range(size // 1024):
                        f.write(block)
        for name, body in CGI_SCRIPTS.items():
            p = os.path.join(self.root, "cgi-bin", name)
            with open(p, "w") as f:
                f.write(body)
            os.chmod(p, 0o755)

    def write_conf(self):
        mods = []
        mods.append("LoadModule mpm_%s_module %s/mod_mpm_%s.so" % (self.mpm, MODULES_DIR, self.mpm))
        for m in BASE_MODULES:
            if m == "cgi" and self.mpm != "prefork":
                m = "cgid"
            mods.append("LoadModule %s_module %s/mod_%s.so" % (m, MODULES_DIR, m))
        for m in self.modules:
            mods.append("LoadModule %s_module %s/mod_%s.so" % (m, MODULES_DIR, m))
        if self.use_mod_http2:
            mods.append("LoadModule http2_module %s/mod_http2.so" % MODULES_DIR)
        else:
            mods.append("LoadModule h2_module %s" % self.module)
        if self.mpm == "prefork":
            mpm_conf = "StartServers 2\nMaxRequestWorkers 32\n"
        else:
            mpm_conf = ("StartServers %d\nServerLimit %d\nThreadsPerChild %d\nThreadLimit %d\n"
                        "MaxRequestWorkers %d\nMinSpareThreads 1\nMaxSpareThreads %d\n"
                        % (self.processes, self.processes, self.threads, self.threads,
                           self.threads * self.processes, self.threads * self.processes))
        r = self.root
        user = "User www-data\nGroup www-data\n" if os.getuid() == 0 else ""
        conf = f"""# generated by tests/integration/h2conf.py
ServerRoot "{r}"
DefaultRuntimeDir "{r}/run"
PidFile "{r}/run/httpd.pid"
{chr(10).join(mods)}
{user}ServerName localhost
Listen 127.0.0.1:{self.http_port}
Listen 127.0.0.1:{self.https_port}
{mpm_conf}
ErrorLog "{r}/logs/error_log"
LogLevel {self.log_level}
LogFormat "%h %l %u %t \\"%r\\" %>s %b %H %{{HTTP2}}e" h2
CustomLog "{r}/logs/access_log" h2
TypesConfig /etc/mime.types
DocumentRoot "{r}/htdocs"
DirectoryIndex index.html
Timeout 30
KeepAliveTimeout 5
Protocols h2 h2c http/1.1
{"" if self.mpm == "prefork" else 'ScriptSock "%s/run/cgid.sock"' % r}
Mutex file:{r}/run default
<Directory />
    Require all denied
</Directory>
<Directory "{r}/htdocs">
    Require all granted
</Directory>
ScriptAlias /cgi-bin/ "{r}/cgi-bin/"
<Directory "{r}/cgi-bin">
    Require all granted
</Directory>
<Location /server-status>
    SetHandler server-status
    Require ip 127.0.0.1
</Location>
ExtendedStatus on
SSLRandomSeed startup builtin
{"MaxMemFree 1" if self.sanitized else ""}
SSLSessionCache "shmcb:{r}/run/ssl_scache(512000)"

<VirtualHost 127.0.0.1:{self.https_port}>
    ServerName localhost
    SSLEngine on
    SSLCertificateFile "{r}/conf/server.crt"
    SSLCertificateKeyFile "{r}/conf/server.key"
</VirtualHost>

{self.vhosts}
{self.extra}
"""
        with open(self.conf_path, "w") as f:
            f.write(conf.replace("{https_port}", str(self.https_port))
                    .replace("{http_port}", str(self.http_port)).replace("{root}", r))

    # ---- process control
    def _ctl(self, *args):
        env = dict(os.environ, **self.env) if self.env else None
        return subprocess.run([APACHE_BIN, "-d", self.root, "-f", self.conf_path] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                              preexec_fn=self._set_nofile if getattr(self, "nofile", None) else None)

    def _set_nofile(self):
        """In the forked httpd: raise the descriptor limit (at most to the hard limit)."""
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = self.nofile if hard == resource.RLIM_INFINITY else min(self.nofile, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))

    def config_test(self):
        return self._ctl("-t")

    def start(self, timeout=20):
        if not os.path.exists(self.conf_path):
            self.make_root()
        res = self._ctl("-k", "start")
        if res.returncode != 0:
            raise RuntimeError("httpd failed to start: %s\n%s" % (res.stdout, self.log_tail()))
        self._wait_listening(timeout)

    def _wait_listening(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ok = 0
            for port in (self.http_port, self.https_port):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        ok += 1
                except OSError:
                    pass
            if ok == 2 and self.pid():
                return
            time.sleep(0.05)  # polling for a condition, bounded by the deadline
        raise RuntimeError("httpd did not listen within %ss\n%s" % (timeout, self.log_tail()))

    def pid(self):
        try:
            with open(os.path.join(self.root, "run", "httpd.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def graceful(self):
        res = self._ctl("-k", "graceful")
        if res.returncode != 0:
            raise RuntimeError(res.stdout)

    def stop(self, timeout=20):
        pid = self.pid()
        if not pid:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)  # polling for process exit, bounded by the deadline
        os.kill(pid, signal.SIGKILL)

    def log_tail(self, n=40):
        try:
            with open(self.error_log, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no error log)"

    def access_lines(self, *texts, secs=10):
        """the access log's lines that contain one of texts, once each text has a line
        (or secs passed). A request is logged by the worker that ran it, after it handed
        over the last of the response: the client may have it all before the line is
        written, as over HTTP/1.1."""
        deadline = time.monotonic() + secs
        while True:
            try:
                with open(self.access_log, errors="replace") as f:
                    lines = [ln for ln in f if any(t in ln for t in texts)]
            except OSError:
                lines = []
            if all(any(t in ln for ln in lines) for t in texts) \
                    or time.monotonic() >= deadline:
                return lines
            time.sleep(0.05)  # polling a condition, bounded by the deadline

    def url(self, path="/", tls=True):
        if tls:
            return "https://localhost:%d%s" % (self.https_port, path)
        return "http://localhost:%d%s" % (self.http_port, path)


# ---- the demo (scripts/demo.sh)
#
# The demo's server root is NOT the state folder the script names (in the clone): as root,
# httpd's children run as www-data (httpd refuses to run them as root, and a clone often
# lies in a folder only its owner may enter, such as root's home, mode 0700), and they must
# read the pages, run the CGI scripts and reach the CGI daemon's socket. So the server root
# is a fresh folder of its own under the temporary folder (tempfile.mkdtemp, $TMPDIR or
# /tmp), mode 0755 with the TLS key 0600 (read by the parent before it drops privileges).
# The state folder records where it is: DIR/root (its path), DIR/ports ("http https"),
# DIR/logs (a symbolic link to its logs). `stop DIR` stops that httpd and removes the
# server root and the records. The module is loaded by the parent (root): it may stay in
# the clone.

DEMO_PREFIX = "mod_h2-demo."


def _demo_pid_alive(root):
    """the pid of the demo httpd of server root `root` if it runs, else None (a stale pid
    file whose number went to another process does not count)"""
    try:
        with open(os.path.join(root, "run", "httpd.pid")) as f:
            pid = int(f.read().strip())
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmdline = f.read().split(b"\0")
    except (OSError, ValueError):
        return None
    return pid if os.path.join(root, "conf", "httpd.conf").encode() in cmdline else None


def _demo_stop(state):
    """stop the demo recorded in folder `state`; (stopped, message)"""
    roots = []
    try:
        with open(os.path.join(state, "root")) as f:
            roots.append(f.read().strip())
    except OSError:
        pass
    roots.append(state)  # a demo of an older scripts/demo.sh: its server root was DIR itself
    stopped = []
    for root in roots:
        pid = _demo_pid_alive(root)
        if pid:
            h = Httpd.__new__(Httpd)
            h.root = root
            h.stop()
            if _demo_pid_alive(root):
                return False, "httpd %d (server root %s) did not stop" % (pid, root)
            stopped.append("httpd %d" % pid)
    for root in roots[:-1]:
        # only a folder this module made (never the state folder or anything else)
        if os.path.basename(root).startswith(DEMO_PREFIX) and os.path.isdir(root):
            shutil.rmtree(root, ignore_errors=True)
    for name in ("root", "ports", "logs"):
        try:
            os.unlink(os.path.join(state, name))
        except OSError:
            pass
    if not stopped:
        return True, "not running"
    return True, "stopped %s, removed %s" % (", ".join(stopped), ", ".join(roots[:-1]) or "-")


def _demo_check_reach(h):
    """as root: can the children's user (www-data) read the pages? (else every URL is 403)"""
    if os.getuid() != 0 or not shutil.which("runuser"):
        return None
    page = os.path.join(h.docroot, "index.html")
    res = subprocess.run(["runuser", "-u", "www-data", "--", "test", "-r", page],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if res.returncode != 0:
        return ("www-data (httpd's children) cannot read %s: a folder above it is closed to "
                "others; set TMPDIR to a folder everybody may enter" % page)
    return None


def _demo_start(state):
    """(exit status, lines to print); on a failure nothing is left running or behind (the
    reason, with the end of the error log when httpd got that far, is in the lines)"""
    ok, msg = _demo_stop(state)
    if not ok:
        return 1, ["demo: the previous demo: %s" % msg]
    rc, lines = _demo_make_and_start(state)
    if rc != 0:
        _demo_stop(state)
    return rc, lines


def _demo_make_and_start(state):
    os.makedirs(state, exist_ok=True)
    root = tempfile.mkdtemp(prefix=DEMO_PREFIX)
    with open(os.path.join(state, "root"), "w") as f:
        f.write(root + "\n")
    h = Httpd(root, log_level="info")
    h.make_root()  # chmods root 0755
    os.symlink(os.path.join(root, "logs"), os.path.join(state, "logs"))
    why = _demo_check_reach(h)
    if why:
        return 1, ["demo: " + why]
    res = h.config_test()
    if res.returncode != 0:
        return 1, ["demo: apache2 -t (configuration test) failed:", res.stdout]
    try:
        h.start()
    except RuntimeError as e:
        return 1, ["demo: %s" % e]
    with open(os.path.join(state, "ports"), "w") as f:
        f.write("%d %d\n" % (h.http_port, h.https_port))
    return 0, ["demo: httpd running, pid %s, server root %s" % (h.pid(), h.root),
               "demo: https://localhost:%d/  (h2 over TLS, self-signed certificate)" % h.https_port,
               "demo: http://localhost:%d/   (h2c by prior knowledge or Upgrade, and HTTP/1.1)"
               % h.http_port]


def main(argv):
    if len(argv) >= 3 and argv[1] == "demo":
        rc, lines = _demo_start(os.path.abspath(argv[2]))
        print("\n".join(lines))
        return rc
    if len(argv) >= 3 and argv[1] == "stop":
        ok, msg = _demo_stop(os.path.abspath(argv[2]))
        print("demo: %s" % msg)
        return 0 if ok else 1
    print("usage: h2conf.py demo DIR | stop DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
