#!/usr/bin/python3
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""Where a server's CPU time goes, from a `perf record -g` file: samples by activity.

Each sample goes to the first activity whose anchor function is on its call chain (the
kernel part of the chain: user-space chains of distribution binaries have no frame
pointers), else to the library of its leaf. A figure, not a test.

usage: tests/bench/perf_summary.py perf.data [PID]
   e.g. perf record -g -p CHILD_PID -o perf.data -- sleep 5   (under h2load load)
   or, where attaching to a running process gives no samples (some VMs and sandboxes):
        perf record -a -g -o perf.data -- sleep 5; perf_summary.py perf.data CHILD_PID
PID: count only that process's samples.
"""
import collections
import re
import subprocess
import sys

RULES = [
    ("sleep/wake-up: scheduler, futex, epoll_wait, wakeup pipe",
     r"^(schedule|__schedule|finish_task_switch|do_futex|do_epoll_wait|try_to_wake_up|"
     r"pipe_write|pipe_read|__x64_sys_futex)"),
    ("open/stat/close of the file (kernel)",
     r"^(do_sys_openat2|vfs_statx|__do_sys_newfstatat|__x64_sys_close|__fput|vfs_fstat|"
     r"__x64_sys_dup)"),
    ("socket write (kernel, incl. loopback delivery)", r"^(do_writev|tcp_sendmsg|__x64_sys_sendmsg)"),
    ("socket read (kernel)", r"^(tcp_recvmsg|sock_read_iter|__x64_sys_read|__x64_sys_recvfrom)"),
    ("file read (pread, preadv, kernel)", r"^(__x64_sys_pread64|__x64_sys_preadv|do_preadv)"),
    ("other kernel (times(), page faults, epoll_ctl, ...)",
     r"^(entry_SYSCALL|do_syscall_64|asm_exc_page_fault|exc_page_fault|irqentry|asm_sysvec|"
     r"asm_common_interrupt)"),
]
OTHER_KERNEL = RULES[-1][0]


def classify(frames):
    for name, rx in RULES:
        if any(re.match(rx, sym) for sym, _ in frames):
            return name
    sym, dso = frames[0]
    if "kernel" in dso:
        return OTHER_KERNEL
    if "mod_h2" in dso:
        return "user: mod_h2 (engine, glue)"
    if "libcrypto" in dso or "libssl" in dso or "mod_ssl" in dso:
        return "user: TLS (OpenSSL, mod_ssl)"
    if "libc" in dso:
        return "user: libc (malloc, memcpy, string, locks)"
    return "user: server and APR (request processing, pools, tables, filters)"


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    cmd = ["perf", "script", "-i", argv[1], "-F", "ip,sym,dso"]
    if len(argv) == 3:
        cmd += ["--pid", argv[2]]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    counts, total = collections.Counter(), 0
    for block in out.split("\n\n"):
        frames = []
        for line in block.strip().split("\n"):
            parts = line.strip().split(None, 1)
            if len(parts) < 2:
                continue
            m = re.match(r"(.*) \((.*)\)$", parts[1])
            frames.append((m.group(1), m.group(2)) if m else (parts[1], ""))
        if frames:
            total += 1
            counts[classify(frames)] += 1
    for name, n in counts.most_common():
        print("%5.1f%%  %s" % (100.0 * n / max(total, 1), name))
    print("(%d samples)" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
