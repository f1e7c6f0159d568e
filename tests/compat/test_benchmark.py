#!/usr/bin/python3
"""Compatibility test: run redis-benchmark against a server.

Usage: /usr/bin/python3 test_benchmark.py --server-bin PATH [--benchmark PATH] [-n N]

Runs ``redis-benchmark -q -n N -t ping,set,get,incr,mset`` three times: plain,
with ``-P 16`` (pipelining) and with ``--threads 2``.  A run fails if it exits
non-zero, times out, prints an error or warning, or if a result line lacks
"requests per second" (or a test's result line is missing).  The numbers
themselves are not judged: this is a protocol/robustness check, kept small
(-n 20000) so that it is quick on a shared CI machine.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))

from servers import Server, ServerError  # noqa: E402

RUN_TIMEOUT = 50
TESTS = "ping,set,get,incr,mset"
# -q result line names for the tests above
EXPECTED = ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"]
PROGRESS = re.compile(r"rps=.*\(overall:")
BAD = re.compile(r"error|warn|refused|reset by peer|timeout", re.IGNORECASE)


def result_lines(text):
    """Final (non-progress) lines of -q output; progress updates are
    separated by \\r."""
    lines = []
    for seg in re.split(r"[\r\n]", text):
        seg = seg.strip()
        if seg and not PROGRESS.search(seg):
            lines.append(seg)
    return lines


def run_one(bench, port, n, extra, label):
    cmd = [bench, "-h", "127.0.0.1", "-p", str(port), "-q", "-n", str(n),
           "-t", TESTS] + extra
    print("run  %s: %s" % (label, " ".join(cmd)))
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return ["timed out after %d s" % RUN_TIMEOUT]
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    problems = []
    if p.returncode != 0:
        problems.append("exit status %d" % p.returncode)
    lines = result_lines(out) + result_lines(err)
    names = []
    for line in lines:
        print("     %s" % line)
        if BAD.search(line):
            problems.append("error output: %r" % line)
        elif "requests per second" not in line:
            problems.append("line without 'requests per second': %r" % line)
        else:
            names.append(line.split(":", 1)[0])
    for want in EXPECTED:
        if want not in names:
            problems.append("no result line for %s" % want)
    return problems


def main():
    ap = argparse.ArgumentParser(description="redis-benchmark compatibility test")
    ap.add_argument("--server-bin", required=True)
    ap.add_argument("--benchmark",
                    default=shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark")
    ap.add_argument("-n", type=int, default=20000)
    opts = ap.parse_args()
    if not os.path.exists(opts.benchmark):
        print("FAIL: redis-benchmark not found (%s)" % opts.benchmark)
        return 1
    try:
        server = Server(opts.server_bin, ["--save", "", "--appendonly", "no"],
                        name="server").start()
    except ServerError as e:
        print("FAIL: %s" % e)
        return 1
    runs = [("plain", []), ("pipelined -P 16", ["-P", "16"]),
            ("--threads 2", ["--threads", "2"])]
    failed = 0
    try:
        for label, extra in runs:
            problems = run_one(opts.benchmark, server.port, opts.n, extra, label)
            if not server.alive():
                problems.append("the server died\n%s" % server.log_tail())
            if problems:
                failed += 1
                for pr in problems:
                    print("FAIL %s: %s" % (label, pr))
                if not server.alive():
                    break
            else:
                print("ok   %s" % label)
    finally:
        server.stop()
    if failed:
        print("%d benchmark run(s) FAILED" % failed)
        return 1
    print("all benchmark runs passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
