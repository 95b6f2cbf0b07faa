#!/usr/bin/python3
# Copyright 2026 The mod_h2 authors. Licensed under the Apache License, Version 2.0.
"""mod_h2 next to Apache's mod_http2 in identical httpd configs: figures and ratios.

A thin wrapper of bench_servers.py (which also runs nginx and h2o): the two httpd modules
only, 25 threads and H2MaxWorkers 25 as before, the idle-connection figure included.

usage: tests/bench/bench_httpd.py [--rounds N] [--duration S] [--workloads a,b,...] [--threads N]
workloads: h2c-1k, h2c-100k, tls-1k, tls-100k, idle (see bench_servers.py)
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_servers  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=25)
    ap.add_argument("--workloads", default="h2c-1k,h2c-100k,tls-1k,tls-100k,idle")
    args, rest = ap.parse_known_args()
    return bench_servers.main(["--servers", "mod_h2,mod_http2", "--threads", str(args.threads),
                               "--max-workers", str(args.threads),
                               "--workloads", args.workloads] + rest)


if __name__ == "__main__":
    sys.exit(main())
