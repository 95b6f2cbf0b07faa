#!/usr/bin/python3
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""mod_h2 next to Apache's mod_http2, nginx and h2o on the same files: figures and ratios.

Every server runs at once on free loopback ports with a temporary configuration of its own
and one process or worker doing the work:
  mod_h2, mod_http2  httpd (event MPM, 1 child, --threads threads, default 64), identical
                     configurations apart from the module, no access log
  nginx              /usr/sbin/nginx, worker_processes 1, no access log (when installed)
  h2o                /usr/bin/h2o, num-threads 1, no access log (when installed)
The TLS port of each uses one self-signed RSA-2048 certificate made for the run. Each
workload runs h2load (-t1, duration based) against every server ROUNDS times, rotating the
order in each round, and prints the median of each server:
  req/s    requests per second as h2load counts them
  cpu_us   the server's CPU time per request in microseconds (median, and the lowest and
           highest of the rounds): utime+stime of all its processes (the process tree
           under the server's main process, from /proc/PID/stat)
           before and after each h2load run, divided by the requests done. This figure does
           not depend on how busy the machine is; req/s does.
  h2load   the share of one core h2load itself used (near 100%: the client is the
           limit of that figure, not the server)
and the ratios of mod_h2 to each other server (req/s ratio > 1 and cpu ratio < 1 mean
mod_h2 is better). A figure, never a pass/fail test.

usage: tests/bench/bench_servers.py [--rounds N] [--duration S] [--workloads a,b,...]
                                    [--servers a,b,...] [--threads N] [--smoke]
workloads: h2c-1k (8 conns x 16 streams, 1 KB file), tls-1k, h2c-100k (4 x 8, 100 KB),
           tls-100k, h2c-empty (8 x 16, an empty 200: httpd `SetHandler bench-empty`, the
           handler of tests/bench/mod_bench_empty.c, built with apxs for the run; nginx
           `return 200`; h2o skipped), h1-1k (HTTP/1.1, h2load --h1, 8 connections, the
           1 KB file), idle (RSS and threads of the httpd children holding 1,000 idle h2c
           connections; httpd servers only)
servers:   mod_h2, mod_h2_deb, mod_http2, nginx, h2o (the last two are skipped when not
           installed). mod_h2_deb: the same module in the configuration of a Debian site
           (/etc/apache2/apache2.conf after `a2enmod ssl http2`: the modules Debian enables,
           their .conf files and conf-enabled/*.conf read from /etc/apache2, a <Directory>
           docroot with Options Indexes FollowSymLinks, AccessFileName .htaccess under
           AllowOverride None, the combined access log on)
--htaccess: let httpd look for .htaccess files (default: AllowOverride None, as Debian has it)
--baseline SO: also run an earlier mod_h2.so (as mod_h2_base) for a before/after in one run
--smoke:   every server and workload for about one second, one round (checks that the
           script works; the figures mean little)
"""
import argparse
import os
import re
import resource
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import h2conf  # noqa: E402

NGINX_BIN = os.environ.get("NGINX_BIN", "/usr/sbin/nginx")
H2O_BIN = os.environ.get("H2O_BIN", "/usr/bin/h2o")
MOD_HTTP2_SO = os.path.join(h2conf.MODULES_DIR, "mod_http2.so")

WORKLOADS = {
    "h2c-1k": dict(tls=False, path="/1k.txt", clients=8, streams=16),
    "tls-1k": dict(tls=True, path="/1k.txt", clients=8, streams=16),
    "h2c-100k": dict(tls=False, path="/100k.bin", clients=4, streams=8),
    "tls-100k": dict(tls=True, path="/100k.bin", clients=4, streams=8),
    # the floors: an empty handler (no file; httpd: every hook but an empty handler,
    # nginx: `return 200`), and HTTP/1.1 for the 1 KB file (8 keep-alive connections)
    "h2c-empty": dict(tls=False, path="/empty", clients=8, streams=16),
    "h1-1k": dict(tls=False, path="/1k.txt", clients=8, streams=1, h1=True),
}
ALL_SERVERS = ("mod_h2", "mod_h2_deb", "mod_http2", "nginx", "h2o")
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---- CPU time of a process tree, from /proc

def _proc_parents():
    """{pid: ppid} of every process."""
    parents = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        parents[int(name)] = int(fields[1])
    return parents


def tree_pids(root):
    """root and all its descendants."""
    parents = _proc_parents()
    pids, todo = set(), [root]
    while todo:
        p = todo.pop()
        if p in pids:
            continue
        pids.add(p)
        todo.extend(c for c, pp in parents.items() if pp == p)
    return pids


def tree_cpu(root):
    """{pid: utime+stime seconds} over the process tree under root (all threads)."""
    out = {}
    for pid in tree_pids(root):
        try:
            with open("/proc/%d/stat" % pid) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        # fields[0] is field 3 (state): utime is field 14, stime field 15
        out[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def cpu_between(before, after):
    """CPU seconds spent between two tree_cpu() snapshots (new processes count whole)."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


# ---- the files and the certificate every server serves

def make_common(root):
    docroot = os.path.join(root, "htdocs")
    os.makedirs(docroot, exist_ok=True)
    block = bytes((i * 7 + 13) & 0xff for i in range(1024))  # as h2conf.py writes them
    for name, size in (("1k.txt", 1024), ("100k.bin", 100 * 1024)):
        with open(os.path.join(docroot, name), "wb") as f:
            for _ in range(size // 1024):
                f.write(block)
    key, crt = os.path.join(root, "server.key"), os.path.join(root, "server.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", key, "-out", crt, "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for p in (root, docroot):
        os.chmod(p, 0o755)
    for p in (key, crt):
        os.chmod(p, 0o644)  # workers that drop root read them only at start, but be safe
    with open(os.path.join(docroot, "empty"), "wb"):
        pass  # h2o has no `return 200`: not run there; the file is for nothing else
    mod = os.path.join(root, "mod")
    os.makedirs(mod)
    shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "mod_bench_empty.c"), mod)
    subprocess.run(["apxs", "-c", "-Wc,-Wall", "-Wc,-Wextra", "-Wc,-Werror", "mod_bench_empty.c"],
                   cwd=mod, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for d in (mod, os.path.join(mod, ".libs")):
        os.chmod(d, 0o755)
    return docroot, key, crt, os.path.join(mod, ".libs", "mod_bench_empty.so")


def wait_listening(ports, alive, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            return False
        ok = 0
        for port in ports:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    ok += 1
            except OSError:
                pass
        if ok == len(ports):
            return True
        time.sleep(0.05)  # polling for a condition, bounded by the deadline
    return False


# ---- the servers

DEBIAN_ETC = "/etc/apache2"
# what a Debian install enables (mods-enabled after installation) plus `a2enmod ssl http2`
DEBIAN_MODS = ("access_compat", "alias", "auth_basic", "authn_core", "authn_file", "authz_core",
               "authz_host", "authz_user", "autoindex", "deflate", "dir", "env", "filter",
               "mime", "negotiation", "reqtimeout", "setenvif", "status", "socache_shmcb", "ssl")
DEBIAN_CONFS = ("charset", "localized-error-pages", "other-vhosts-access-log", "security",
                "serve-cgi-bin")


def debian_conf(h, threads, key, crt, empty_so):
    """The configuration of a Debian site for httpd `h` (mod_h2 in place of mod_http2):
    apache2.conf's directives, Debian's module and conf-enabled files included from
    /etc/apache2 (or left out where a file is missing), 000-default and default-ssl as
    the two listeners, the combined access log on."""
    r = h.root
    inc = []
    for m in DEBIAN_MODS:
        for ext in ("load", "conf"):
            p = os.path.join(DEBIAN_ETC, "mods-available", "%s.%s" % (m, ext))
            if os.path.exists(p):
                inc.append("Include %s" % p)
            elif ext == "load":
                inc.append("LoadModule %s_module %s/mod_%s.so" % (m, h2conf.MODULES_DIR, m))
    for c in DEBIAN_CONFS:
        p = os.path.join(DEBIAN_ETC, "conf-available", "%s.conf" % c)
        if os.path.exists(p):
            inc.append("Include %s" % p)
    user = "User www-data\nGroup www-data\n" if os.getuid() == 0 else ""
    return f"""# generated by tests/bench/bench_servers.py: a Debian site's configuration
Define APACHE_RUN_DIR {r}/run
Define APACHE_LOG_DIR {r}/logs
Define APACHE_LOCK_DIR {r}/run
ServerRoot "{r}"
DefaultRuntimeDir {r}/run
PidFile {r}/run/httpd.pid
Mutex file:{r}/run default
Timeout 300
KeepAlive On
MaxKeepAliveRequests 100
KeepAliveTimeout 5
{user}HostnameLookups Off
ErrorLog {r}/logs/error_log
LogLevel warn
LoadModule mpm_event_module {h2conf.MODULES_DIR}/mod_mpm_event.so
Include {DEBIAN_ETC}/mods-available/mpm_event.conf
<IfModule mpm_event_module>
    StartServers 1
    ServerLimit 1
    ThreadsPerChild {threads}
    ThreadLimit {threads}
    MaxRequestWorkers {threads}
    MinSpareThreads 1
    MaxSpareThreads {threads}
</IfModule>
{chr(10).join(inc)}
LoadModule h2_module {h.module}
LoadModule bench_empty_module {empty_so}
Protocols h2 h2c http/1.1
Listen 127.0.0.1:{h.http_port}
Listen 127.0.0.1:{h.https_port}
<Directory />
    Options FollowSymLinks
    AllowOverride None
    Require all denied
</Directory>
<Directory /usr/share>
    AllowOverride None
    Require all granted
</Directory>
<Directory {r}/htdocs>
    Options Indexes FollowSymLinks
    AllowOverride None
    Require all granted
</Directory>
AccessFileName .htaccess
<FilesMatch "^\\.ht">
    Require all denied
</FilesMatch>
LogFormat "%v:%p %h %l %u %t \\"%r\\" %>s %O \\"%{{Referer}}i\\" \\"%{{User-Agent}}i\\"" vhost_combined
LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{{Referer}}i\\" \\"%{{User-Agent}}i\\"" combined
LogFormat "%h %l %u %t \\"%r\\" %>s %O" common
ServerName localhost
<VirtualHost 127.0.0.1:{h.http_port}>
    ServerAdmin webmaster@localhost
    DocumentRoot {r}/htdocs
    ErrorLog {r}/logs/error_log
    CustomLog {r}/logs/access.log combined
    <Location /empty>
        SetHandler bench-empty
    </Location>
</VirtualHost>
<VirtualHost 127.0.0.1:{h.https_port}>
    ServerAdmin webmaster@localhost
    DocumentRoot {r}/htdocs
    ErrorLog {r}/logs/error_log
    CustomLog {r}/logs/access.log combined
    SSLEngine on
    SSLCertificateFile {crt}
    SSLCertificateKeyFile {key}
    <FilesMatch "\\.(?:cgi|shtml|phtml|php)$">
        SSLOptions +StdEnvVars
    </FilesMatch>
    <Location /empty>
        SetHandler bench-empty
    </Location>
</VirtualHost>
"""

class HttpdServer:
    """mod_h2 or mod_http2 in a private httpd (tests/integration/h2conf.py)."""

    def __init__(self, name, root, args, common):
        self.name = name
        self.empty_so = common[3]
        extra = "LoadModule bench_empty_module %s\n<Location /empty>\n    SetHandler bench-empty\n" \
                "</Location>\n" % self.empty_so
        if args.max_workers:
            extra += "<IfDirective H2MaxWorkers>\nH2MaxWorkers %d\n</IfDirective>\n" % args.max_workers
        module = getattr(args, "baseline", None) if name == "mod_h2_base" else None
        self.httpd = h2conf.Httpd(root, module=module, threads=args.threads, extra=extra,
                                  log_level="warn", use_mod_http2=(name == "mod_http2"))
        self.http_port, self.https_port = self.httpd.http_port, self.httpd.https_port
        self.common = common
        self.htaccess = getattr(args, "htaccess", False)
        self.threads = args.threads

    def start(self):
        h = self.httpd
        h.make_root()
        _, key, crt, _ = self.common
        if self.name == "mod_h2_deb":
            with open(h.conf_path, "w") as f:
                f.write(debian_conf(h, self.threads, key, crt, self.empty_so))
            h.start()
            return
        with open(h.conf_path) as f:
            conf = f.read()
        # the same cost for every server: no access log; the run's common certificate
        conf = conf.replace('CustomLog "', '# CustomLog "')
        conf = conf.replace('"%s/conf/server.crt"' % h.root, '"%s"' % crt)
        conf = conf.replace('"%s/conf/server.key"' % h.root, '"%s"' % key)
        if not self.htaccess:
            # as Debian's apache2.conf and httpd's performance notes have it: no .htaccess
            # lookups (four open() calls per request here otherwise; nginx and h2o have none)
            conf = conf.replace("<Directory />\n", "<Directory />\n    AllowOverride None\n", 1)
        with open(h.conf_path, "w") as f:
            f.write(conf)
        h.start()

    def pid(self):
        return self.httpd.pid()

    def stop(self):
        self.httpd.stop()

    def log_tail(self):
        return self.httpd.log_tail(10)


class ProcServer:
    """A server run in the foreground as our child (nginx, h2o)."""

    def __init__(self, name, root, args, common):
        self.name = name
        self.root = root
        self.common = common
        self.http_port, self.https_port = h2conf.free_port(), h2conf.free_port()
        self.h1_port = h2conf.free_port()  # nginx 1.22's h2c port has no HTTP/1.1
        self.proc = None
        self.log = os.path.join(root, "error.log")

    def start(self):
        os.makedirs(self.root, exist_ok=True)
        os.chmod(self.root, 0o755)
        cmd = self.write_conf()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.root, "stderr"), "w"))
        if not wait_listening((self.http_port, self.https_port), lambda: self.proc.poll() is None):
            self.stop()
            raise RuntimeError("%s did not start:\n%s" % (self.name, self.log_tail()))

    def pid(self):
        return self.proc.pid if self.proc else None

    def stop(self):
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self):
        text = ""
        for p in (self.log, os.path.join(self.root, "stderr")):
            try:
                with open(p, errors="replace") as f:
                    text += "".join(f.readlines()[-10:])
            except OSError:
                pass
        return text


class NginxServer(ProcServer):
    def write_conf(self):
        docroot, key, crt, _ = self.common
        r = self.root
        conf = os.path.join(r, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""# generated by tests/bench/bench_servers.py
worker_processes 1;
daemon off;
pid {r}/nginx.pid;
error_log {self.log} warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    types {{ text/plain txt; application/octet-stream bin; }}
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {r}/body;
    proxy_temp_path {r}/proxy;
    fastcgi_temp_path {r}/fastcgi;
    uwsgi_temp_path {r}/uwsgi;
    scgi_temp_path {r}/scgi;
    http2_max_requests 1000000;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{self.http_port} http2;
        listen 127.0.0.1:{self.https_port} ssl http2;
        listen 127.0.0.1:{self.h1_port};
        server_name localhost;
        location = /empty {{ return 200; }}
        ssl_certificate {crt};
        ssl_certificate_key {key};
        root {docroot};
    }}
}}
""")
        return [NGINX_BIN, "-p", r, "-c", conf, "-e", self.log]


class H2oServer(ProcServer):
    def write_conf(self):
        docroot, key, crt, _ = self.common
        r = self.root
        conf = os.path.join(r, "h2o.conf")
        with open(conf, "w") as f:
            f.write(f"""# generated by tests/bench/bench_servers.py
num-threads: 1
error-log: {self.log}
listen:
  host: 127.0.0.1
  port: {self.http_port}
listen:
  host: 127.0.0.1
  port: {self.https_port}
  ssl:
    certificate-file: {crt}
    key-file: {key}
hosts:
  default:
    paths:
      /:
        file.dir: {docroot}
""")
        return [H2O_BIN, "-c", conf]


SERVER_CLASSES = {"mod_h2": HttpdServer, "mod_h2_deb": HttpdServer, "mod_h2_base": HttpdServer,
                  "mod_http2": HttpdServer,
                  "nginx": NginxServer, "h2o": H2oServer}


def installed(name):
    if name == "mod_http2":
        return os.path.exists(MOD_HTTP2_SO)
    if name == "nginx":
        return os.access(NGINX_BIN, os.X_OK)
    if name == "h2o":
        return os.access(H2O_BIN, os.X_OK)
    return True


# ---- load

def h2load(srv, w, duration):
    """One h2load run: (req/s, requests done, cpu seconds of the server, note, share of
    one core h2load itself used: near 1.0, the client is the limit)."""
    port = srv.https_port if w["tls"] else getattr(srv, "h1_port", srv.http_port) \
        if w.get("h1") else srv.http_port
    url = "%s://localhost:%d%s" % ("https" if w["tls"] else "http", port, w["path"])
    cmd = ["h2load", "-c", str(w["clients"]), "-m", str(w["streams"]), "-t", "1",
           "-D", "%dms" % int(duration * 1000), url] + (["--h1"] if w.get("h1") else [])
    before = tree_cpu(srv.pid())
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    res = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = tree_cpu(srv.pid())
    client = ((ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)) / max(wall, 1e-3)
    out = res.stdout
    cpu = cpu_between(before, after)
    proto = re.search(r"Application protocol: (\S+)", out)
    if not proto or proto.group(1) not in (("http/1.1",) if w.get("h1") else ("h2", "h2c")):
        return 0.0, 0, cpu, "not h2: " + (proto.group(1) if proto else "no protocol "
                                          + (out + res.stderr).strip()[-200:]), client
    m = re.search(r"finished in [^,]+, ([\d.]+) req/s", out)
    ok = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed", out)
    if not m or not ok:
        return 0.0, 0, cpu, out.strip()[-200:], client
    note = "failed requests: " + ok.group(0) if int(ok.group(3)) > 0 else ""
    # (at the end of a -D run the counts of done and of status codes may differ a little)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    if not codes or int(codes.group(1)) == 0 or sum(int(g) for g in codes.groups()[1:]):
        note = "not every response is 2xx: " + (codes.group(0) if codes else "no status codes")
    return float(m.group(1)), int(ok.group(2)), cpu, note, client


def children_stats(pid):
    """RSS (KiB) and thread count summed over the children of pid."""
    rss = threads = 0
    for p in tree_pids(pid) - {pid}:
        try:
            with open("/proc/%d/status" % p) as f:
                st = f.read()
        except OSError:
            continue
        rss += int(re.search(r"^VmRSS:\s+(\d+)", st, re.M).group(1))
        threads += int(re.search(r"^Threads:\s+(\d+)", st, re.M).group(1))
    return rss, threads


def idle_connections(srv, n=1000):
    socks = []
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
    before = children_stats(srv.pid())
    deadline = time.monotonic() + 20
    for _ in range(n):
        if time.monotonic() > deadline:
            break
        try:
            s = socket.create_connection(("127.0.0.1", srv.http_port), timeout=1)
            s.sendall(preface)
            socks.append(s)
        except OSError:
            pass
    if len(socks) < n:
        print("          note: %d of %d connections could be opened" % (len(socks), n))
    # read the server's SETTINGS so each connection is established as h2 (10 s overall)
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    pending, deadline = len(socks), time.monotonic() + 10
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            try:
                key.fileobj.recv(4096)
            except OSError:
                pass
            sel.unregister(key.fileobj)
            pending -= 1
    after = children_stats(srv.pid())
    if pending:
        print("          note: %d of %d connections got no SETTINGS" % (pending, n))
    for s in socks:
        s.close()
    return len(socks) or 1, before, after


def fmt_ratio(a, b):
    return "%.2f" % (a / b) if a and b else "-"


def run_workload(wl, servers, args):
    w = WORKLOADS[wl]
    if wl in ("h2c-empty", "h1-1k"):  # h2o: no `return 200` without mruby; h2load --h1
        servers = [s for s in servers if s.name != "h2o"]  # got no response from it here
    print("# %s: %d conns x %d streams, %s, %s" % (wl, w["clients"], w["streams"], w["path"],
                                                  "TLS" if w["tls"] else "HTTP/1.1" if w.get("h1") else "h2c"), flush=True)
    for srv in servers:  # warm-up (TLS sessions, caches, worker threads); not counted
        h2load(srv, w, args.warmup)
    rps = {s.name: [] for s in servers}
    cpu = {s.name: [] for s in servers}
    client = {s.name: [] for s in servers}
    notes = []
    for rnd in range(args.rounds):
        k = rnd % len(servers)
        for srv in servers[k:] + servers[:k]:
            r, done, secs, note, ccpu = h2load(srv, w, args.duration)
            rps[srv.name].append(r)
            client[srv.name].append(ccpu)
            if done:
                cpu[srv.name].append(secs * 1e6 / done)
            if note:
                notes.append("%s: %s" % (srv.name, note.strip().splitlines()[-1]))
    med_rps = {n: statistics.median(v) for n, v in rps.items()}
    med_cpu = {n: (statistics.median(v) if v else 0.0) for n, v in cpu.items()}
    for srv in servers:
        n = srv.name
        spread = "%.1f-%.1f" % (min(cpu[n]), max(cpu[n])) if cpu[n] else "-"
        print("%-9s %-11s %10.0f req/s  %8.1f cpu_us/req (rounds %s)  (h2load used %3.0f%% of a core)"
              % (wl, n, med_rps[n], med_cpu[n], spread, 100 * statistics.median(client[n])))
    if "mod_h2" in med_rps:
        for n in ("nginx", "h2o", "mod_http2", "mod_h2_base", "mod_h2_deb"):
            if n in med_rps:
                print("%-9s mod_h2/%-11s req/s %s  cpu_us %s" % (
                    wl, n, fmt_ratio(med_rps["mod_h2"], med_rps[n]),
                    fmt_ratio(med_cpu["mod_h2"], med_cpu[n])))
    for n in notes[:4]:
        print("          note: " + n)
    sys.stdout.flush()
    return med_rps, med_cpu


def profile_workload(wl, servers, args):
    """--profile: `perf record -g` of the mod_h2 child (the one with the most threads)
    while h2load runs `wl`, then perf_summary.py's breakdown by activity."""
    import perf_summary
    srv = next((s for s in servers if s.name == "mod_h2"), None)
    if not srv or wl not in WORKLOADS:
        print("# profile: no mod_h2 server or unknown workload %r" % wl)
        return
    best, child = -1, None
    for p in tree_pids(srv.pid()) - {srv.pid()}:
        try:
            with open("/proc/%d/status" % p) as f:
                n = int(re.search(r"^Threads:\s+(\d+)", f.read(), re.M).group(1))
        except (OSError, AttributeError):
            continue
        if n > best:
            best, child = n, p
    if child is None:
        print("# profile: no mod_h2 child")
        return
    tmp = tempfile.mkdtemp(prefix="h2perf-")
    try:
        # attached to the child (-p); where that gives no samples (attaching to a running
        # process counts nothing in some VMs and sandboxes), system-wide (-a) and only the
        # child's samples counted
        for how in (["-p", str(child)], ["-a"]):
            data = os.path.join(tmp, "perf.data")
            rec = subprocess.Popen(["perf", "record", "-q", "-g", *how, "-o", data, "--",
                                    "sleep", "%g" % args.duration],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            h2load(srv, WORKLOADS[wl], args.duration)
            err = rec.communicate()[1]
            if rec.returncode != 0 or not os.path.exists(data):
                print("# profile: perf record %s failed: %s" % (how[0], err.strip()[-200:]))
                return
            res = subprocess.run(["perf", "script", "-i", data, "-F", "ip", "--pid", str(child)],
                                 capture_output=True, text=True)
            if res.stdout.strip():
                break
        print("# profile of the mod_h2 child (pid %d) under %s, %gs (perf record %s):"
              % (child, wl, args.duration, how[0]))
        sys.stdout.flush()
        perf_summary.main(["perf_summary.py", data, str(child)])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))  # stop the servers on timeout(1)
    ap = argparse.ArgumentParser(description="mod_h2 next to mod_http2, nginx and h2o")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--warmup", type=float, default=1, help="seconds of load before counting")
    ap.add_argument("--workloads", default="h2c-1k,tls-1k,h2c-100k,tls-100k,h2c-empty,h1-1k")
    ap.add_argument("--servers", default=",".join(ALL_SERVERS))
    ap.add_argument("--threads", type=int, default=64, help="httpd ThreadsPerChild")
    ap.add_argument("--max-workers", type=int, default=0,
                    help="H2MaxWorkers for both httpd modules (default: their own default)")
    ap.add_argument("--htaccess", action="store_true",
                    help="httpd: look for .htaccess files (default: AllowOverride None)")
    ap.add_argument("--baseline", metavar="SO",
                    help="also run this mod_h2.so as mod_h2_base (an earlier build, same config)")
    ap.add_argument("--smoke", action="store_true", help="about 1 s per server and workload")
    ap.add_argument("--profile", metavar="WORKLOAD",
                    help="then profile the mod_h2 child under this workload (perf record -g, "
                         "summed by tests/bench/perf_summary.py)")
    args = ap.parse_args(argv)
    if args.smoke:
        args.rounds, args.duration, args.warmup = 1, 1, 0.3

    names = []
    if args.baseline:
        args.baseline = os.path.abspath(args.baseline)
        args.servers += ",mod_h2_base"
    for n in args.servers.split(","):
        if n not in SERVER_CLASSES:
            ap.error("unknown server %r" % n)
        if not installed(n):
            print("# %s: not installed, skipped" % n)
            continue
        names.append(n)
    top = tempfile.mkdtemp(prefix="h2bench-")
    os.chmod(top, 0o755)
    common = make_common(os.path.join(top, "common"))
    servers = []
    try:
        for n in names:
            srv = SERVER_CLASSES[n](n, os.path.join(top, n), args, common)
            srv.start()
            servers.append(srv)
        apache = subprocess.run([h2conf.APACHE_BIN, "-v"], capture_output=True, text=True).stdout
        apache = apache.split("\n")[0].split(":", 1)[-1].strip()
        print("# %s; httpd event MPM 1 child %d threads%s; h2load -t1 -D %gs; median of %d rounds"
              % (apache, args.threads, "" if args.htaccess else ", AllowOverride None",
                 args.duration, args.rounds))
        print("# servers: %s" % " ".join("%s(pid %s)" % (s.name, s.pid()) for s in servers))
        for wl in args.workloads.split(","):
            if wl == "idle":
                for srv in servers:
                    if not isinstance(srv, HttpdServer):
                        continue
                    n, (rss0, th0), (rss1, th1) = idle_connections(srv)
                    print("%-9s %-9s %d h2c connections: RSS %+d KiB (%.1f KiB/conn), threads %d -> %d"
                          % ("idle", srv.name, n, rss1 - rss0, (rss1 - rss0) / n, th0, th1))
                continue
            if wl not in WORKLOADS:
                ap.error("unknown workload %r" % wl)
            run_workload(wl, servers, args)
        if args.profile:
            profile_workload(args.profile, servers, args)
    finally:
        for srv in servers:
            try:
                srv.stop()
            except Exception as e:  # keep stopping the others
                print("# %s: stop: %s" % (srv.name, e))
        shutil.rmtree(top, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
