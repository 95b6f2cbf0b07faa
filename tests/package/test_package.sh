#!/usr/bin/env bash
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
#
# test_package.sh -- the Debian package, end to end, on this machine (needs root or
# password-less sudo; Debian 12 with apache2, dpkg-dev, debhelper, apache2-dev, curl):
#   1. builds libapache2-mod-h2 with `dpkg-buildpackage -b -us -uc` in a copy of the
#      source tree under /tmp (the work tree stays clean) and checks its file list (the
#      module, h2.load, h2.conf, the manual and the examples in /usr/share/doc);
#   2. installs it with dpkg (and checks that dpkg -L lists the manual, as in docs/);
#   3. switches Debian's apache2 from http2 to h2 the documented way (a2enmod h2 is
#      refused while http2 is enabled -- the .load's "# Conflicts: http2" --, then
#      a2dismod http2 && a2enmod h2), enables mod_ssl and the default-ssl site, starts it
#      with apache2ctl start and checks with curl that it speaks HTTP/2 over TLS (ALPN h2)
#      and over cleartext (h2c by prior knowledge and by Upgrade);
#   4. stops it, purges the package and checks that the machine is as it was
#      (`a2query -m`, the *-enabled folders of /etc/apache2, the package state).
#
# Where apache2 runs: Debian's own apache2 (binary, apache2ctl, a2enmod, configuration),
# as a second instance in the way Debian supports (README.multiple-instances):
# APACHE_CONFDIR points a2enmod/a2dismod/a2ensite/a2query/apache2ctl at a copy of
# /etc/apache2 taken after the package is installed. In that copy only ports.conf (two
# free loopback ports instead of 80/443 on every address; any other Listen line is
# commented out), the two default sites' port numbers, envvars (pid, lock, run and log dirs under the temporary folder) and, when
# the machine has no snakeoil certificate, the certificate paths are changed. This is
# the safest choice: the machine's /etc/apache2 is never edited, a running apache2 (or
# anything else on ports 80/443) is neither stopped nor disturbed, nothing listens
# beyond 127.0.0.1, and a second run (or a run after an interrupted one) starts from
# the same state. The instance is not a systemd unit: APACHE_STARTED_BY_SYSTEMD keeps
# apache2ctl from handing the start to systemctl (which would start the system's
# apache2 instead).
#
# Exit status 0 when every check passed. Prints one line per check.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
pkg=libapache2-mod-h2
marker=/var/lib/mod_h2-test-package.installed   # "we installed it" (an interrupted run)
fails=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fails=$((fails + 1)); }
die() { echo "  FAIL $*"; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  sudo -n true 2>/dev/null || die "needs root or password-less sudo (installs a package)"
  SUDO="sudo -n"
fi
asroot() { if [ -n "$SUDO" ]; then sudo -n "$@"; else "$@"; fi; }
for t in dpkg-buildpackage dh dh_apache2 a2enmod a2query apache2ctl curl openssl; do
  command -v "$t" >/dev/null || die "$t not found (scripts/deps.sh test installs it)"
done

installed() { dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; }
present() { [ -n "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -v not-installed)" ]; }
if present; then
  if [ -f "$marker" ]; then
    echo "  (purging $pkg left behind by an interrupted run of this test)"
    asroot dpkg --purge "$pkg" >/dev/null || die "cannot purge the $pkg of an earlier run"
    asroot rm -f "$marker"
  else
    die "$pkg is installed on this machine: this test would remove it; purge it first"
  fi
fi

# the machine's state, compared at the end
state() {
  a2query -m 2>/dev/null | sort
  ls -l /etc/apache2/mods-enabled /etc/apache2/conf-enabled /etc/apache2/sites-enabled \
    2>/dev/null | sed 's/^.* \([^ ]* -> .*\)$/\1/' | grep -v '^total'
  ls /etc/apache2/mods-available
}
before=$(state)

tmp=$(mktemp -d /tmp/mod_h2-pkg.XXXXXX)
chmod 755 "$tmp"
conf="$tmp/apache2"
started=""
# a command on the test instance (as root: apache2ctl binds and switches users)
inst() { asroot env APACHE_CONFDIR="$conf" APACHE_STARTED_BY_SYSTEMD=1 "$@"; }
cleanup() {
  if [ -n "$started" ]; then
    inst apache2ctl stop >/dev/null 2>&1
    for _ in $(seq 100); do          # up to 10 s for the instance to exit
      [ -f "$tmp/run/apache2.pid" ] && kill -0 "$(cat "$tmp/run/apache2.pid" 2>/dev/null)" 2>/dev/null \
        || break
      sleep 0.1
    done
  fi
  if present && [ -f "$marker" ]; then
    asroot dpkg --purge "$pkg" >/dev/null 2>&1
    asroot rm -f "$marker"
  fi
  asroot rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- 1. build in a copy of the source tree
mkdir -p "$tmp/src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$top" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -C "$tmp/src" -xf -
else
  tar -C "$top" --exclude='./build*' --exclude=./demo --exclude=./tests/run -cf - . | tar -C "$tmp/src" -xf -
fi
# the C tests ran already (scripts/test.sh): nocheck keeps the package build short
if (cd "$tmp/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
      dpkg-buildpackage -b -us -uc >"$tmp/build.log" 2>&1); then
  ok "dpkg-buildpackage -b -us -uc"
else
  tail -30 "$tmp/build.log"; die "dpkg-buildpackage failed"
fi
deb=$(ls "$tmp"/${pkg}_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] || die "no ${pkg}_*.deb"
files=$(dpkg-deb -c "$deb" | awk '{print $NF}')
for f in ./usr/lib/apache2/modules/mod_h2.so ./etc/apache2/mods-available/h2.load \
         ./etc/apache2/mods-available/h2.conf; do
  grep -qx "$f" <<<"$files" && ok "package has $f" || bad "package lacks $f"
done
# the manual and the examples (debian/libapache2-mod-h2.docs, .examples), not compressed
doc=./usr/share/doc/$pkg
for f in "$doc/directives.md" "$doc/migrating.md" "$doc/README" "$doc/copyright" \
         "$doc/examples/h2-basic-site.conf" "$doc/examples/migrate-from-mod_http2.conf" \
         "$doc/examples/push.conf"; do
  grep -qx "$f" <<<"$files" && ok "package has $f" || bad "package lacks $f"
done

# ---- 2. install
asroot touch "$marker"
if asroot dpkg -i "$deb" >"$tmp/install.log" 2>&1 && installed; then
  ok "dpkg -i $(basename "$deb")"
else
  cat "$tmp/install.log"; die "dpkg -i failed"
fi
grep -q '^# Conflicts: http2' /etc/apache2/mods-available/h2.load && ok "h2.load: # Conflicts: http2" \
  || bad "h2.load has no '# Conflicts: http2' line"
a2query -q -m h2 && bad "the package enabled h2 on install (it conflicts with http2)" \
  || ok "h2 not enabled by the install"
# the manual as installed: dpkg knows it and it is the repository's text
for f in directives.md migrating.md; do
  if dpkg -L "$pkg" | grep -qx "/usr/share/doc/$pkg/$f" \
      && cmp -s "/usr/share/doc/$pkg/$f" "$top/docs/$f"; then
    ok "installed /usr/share/doc/$pkg/$f (dpkg -L), same as docs/$f"
  else
    bad "the installed package has no /usr/share/doc/$pkg/$f like docs/$f (dpkg -L: $(dpkg -L "$pkg" | grep -c /usr/share/doc/) doc files)"
  fi
done

# ---- 3. a second instance of Debian's apache2 on a copy of /etc/apache2
asroot cp -a /etc/apache2 "$conf"
asroot chown -R "$(id -u):$(id -g)" "$conf"
read -r p_http p_https < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
mkdir -p "$tmp/run" "$tmp/lock" "$tmp/log"
# no Listen of the machine's configuration (ports.conf, or a site's own) in the copy
grep -rlE '^\s*Listen\s' "$conf" | xargs -r sed -i -E 's/^(\s*)Listen(\s)/\1#Listen\2/'
cat >"$conf/ports.conf" <<EOF
# test_package.sh: loopback only, free ports
Listen 127.0.0.1:$p_http
<IfModule ssl_module>
    Listen 127.0.0.1:$p_https https
</IfModule>
EOF
sed -i "s/<VirtualHost \*:80>/<VirtualHost *:$p_http>/" "$conf/sites-available/000-default.conf"
sed -i -E "s/<VirtualHost (\*|_default_):443>/<VirtualHost \1:$p_https>/" \
  "$conf/sites-available/default-ssl.conf"
cat >>"$conf/envvars" <<EOF
# test_package.sh: this instance's own files
export APACHE_PID_FILE=$tmp/run/apache2.pid
export APACHE_RUN_DIR=$tmp/run
export APACHE_LOCK_DIR=$tmp/lock
export APACHE_LOG_DIR=$tmp/log
EOF
if ! asroot test -r /etc/ssl/private/ssl-cert-snakeoil.key || [ ! -r /etc/ssl/certs/ssl-cert-snakeoil.pem ]; then
  # no snakeoil certificate on this machine (ssl-cert makes one on install): our own
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 || die "openssl req failed"
  sed -i -e "s|/etc/ssl/certs/ssl-cert-snakeoil.pem|$tmp/cert.pem|" \
         -e "s|/etc/ssl/private/ssl-cert-snakeoil.key|$tmp/key.pem|" \
         "$conf/sites-available/default-ssl.conf"
  echo "  (no snakeoil certificate: a generated one)"
fi

# the switch, as the README documents it, from a state with http2 enabled
inst a2enmod -q http2 >/dev/null 2>&1
if inst a2enmod h2 >"$tmp/conflict.log" 2>&1; then
  bad "a2enmod h2 succeeded while http2 was enabled"
else
  grep -qi conflict "$tmp/conflict.log" && ok "a2enmod h2 refused while http2 is enabled" \
    || bad "a2enmod h2 failed for another reason: $(cat "$tmp/conflict.log")"
fi
if { inst a2dismod http2 && inst a2enmod h2 && inst a2enmod ssl && inst a2ensite default-ssl; } \
    >"$tmp/switch.log" 2>&1; then
  ok "a2dismod http2 && a2enmod h2 (+ ssl, default-ssl)"
else
  cat "$tmp/switch.log"; bad "a2dismod http2 && a2enmod h2"
fi
# (a2query knows only /etc/apache2: look at the copy's mods-enabled)
[ -e "$conf/mods-enabled/h2.load" ] && [ -e "$conf/mods-enabled/h2.conf" ] \
  && [ ! -e "$conf/mods-enabled/http2.load" ] && ok "mods-enabled: h2.load, h2.conf; no http2" \
  || bad "mods-enabled not as switched: $(ls "$conf/mods-enabled" | tr '\n' ' ')"

if inst apache2ctl configtest >"$tmp/configtest.log" 2>&1; then
  ok "apache2ctl configtest"
else
  cat "$tmp/configtest.log"; bad "apache2ctl configtest"
fi
started=1
if inst apache2ctl start >"$tmp/start.log" 2>&1; then
  ok "apache2ctl start (ports $p_http, $p_https on 127.0.0.1)"
else
  cat "$tmp/start.log"; tail -20 "$tmp/log/error.log" 2>/dev/null; die "apache2ctl start"
fi
# wait for the listener (bounded), then ask
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$p_http/" && break
  sleep 0.1
done
mods=$(inst apache2ctl -M 2>/dev/null)
grep -q ' h2_module' <<<"$mods" && ! grep -q ' http2_module' <<<"$mods" \
  && ok "apache2ctl -M: h2_module loaded, http2_module not" || bad "loaded modules: $mods"
check() {   # description, expected "2", curl args...
  local what=$1 got; shift
  got=$(curl -s -o /dev/null --max-time 10 -w '%{http_version} %{http_code}' "$@")
  case "$got" in
    "2 "[1-4]??) ok "$what: HTTP/$got" ;;
    *) bad "$what: got '$got' (http_version http_code)" ;;
  esac
}
check "TLS, ALPN h2 (curl --http2 -k)" --http2 -k "https://127.0.0.1:$p_https/"
check "h2c by prior knowledge (curl --http2-prior-knowledge)" --http2-prior-knowledge \
  "http://127.0.0.1:$p_http/"
check "h2c by Upgrade (curl --http2)" --http2 "http://127.0.0.1:$p_http/"

# ---- 4. switch back, stop, purge; the machine must be as it was
{ inst a2dismod h2 && inst a2enmod http2; } >"$tmp/back.log" 2>&1 \
  && [ ! -e "$conf/mods-enabled/h2.load" ] && [ -e "$conf/mods-enabled/http2.load" ] \
  && ok "a2dismod h2 && a2enmod http2 (switch back)" || { cat "$tmp/back.log"; bad "switch back"; }
inst apache2ctl stop >/dev/null 2>&1
for _ in $(seq 100); do
  kill -0 "$(cat "$tmp/run/apache2.pid" 2>/dev/null)" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$(cat "$tmp/run/apache2.pid" 2>/dev/null)" 2>/dev/null; then
  bad "apache2 instance still running after apache2ctl stop"
else
  ok "apache2ctl stop"; started=""
fi
if asroot dpkg --purge "$pkg" >"$tmp/purge.log" 2>&1 && ! present; then
  ok "dpkg --purge $pkg"; asroot rm -f "$marker"
else
  cat "$tmp/purge.log"; bad "dpkg --purge $pkg"
fi
after=$(state)
if [ "$before" = "$after" ]; then
  ok "machine as found (a2query -m, /etc/apache2/*-enabled, mods-available)"
else
  bad "machine changed:"; diff <(echo "$before") <(echo "$after") | sed 's/^/      /'
fi
[ ! -e /usr/lib/apache2/modules/mod_h2.so ] && ok "mod_h2.so removed" || bad "mod_h2.so left behind"

echo "package test: $fails failed"
[ "$fails" -eq 0 ]
