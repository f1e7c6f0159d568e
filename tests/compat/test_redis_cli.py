#!/usr/bin/python3
"""Compatibility test: drive a server with redis-cli.

Usage: /usr/bin/python3 test_redis_cli.py --server-bin PATH [--cli PATH]

Checks plain commands (formatted and --raw output), -3 (RESP3 rendering of
maps and nulls), --csv PSUBSCRIBE with messages, inline commands piped on stdin,
-x, --scan --pattern,
-r (repeat), --pipe mass insertion of 10 000 SETs, and a unix-socket-only
server (--port 0 --unixsocket ... --unixsocketperm 700) used with -s.
Every redis-cli run has a timeout.  Exits non-zero on any failure.
"""

import argparse
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))

from servers import Server, ServerError  # noqa: E402

CLI_TIMEOUT = 60
SERVER_ARGS = ["--save", "", "--appendonly", "no"]


class CheckFailed(Exception):
    pass


class Cli:
    def __init__(self, cli, conn_args):
        self.cli = cli
        self.conn_args = list(conn_args)

    def run(self, *args, stdin=b"", expect_rc=0):
        cmd = [self.cli] + self.conn_args + list(args)
        try:
            p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=CLI_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise CheckFailed("timed out after %d s: %s" % (CLI_TIMEOUT, cmd))
        if expect_rc is not None and p.returncode != expect_rc:
            raise CheckFailed("%s exited %d (expected %d)\nstdout: %r\nstderr: %r"
                              % (cmd, p.returncode, expect_rc, p.stdout[:2000],
                                 p.stderr[:2000]))
        return p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def out(self, *args, stdin=b""):
        return self.run(*args, stdin=stdin)[0]


def eq(got, want, what):
    if got != want:
        raise CheckFailed("%s:\n  expected %r\n  got      %r" % (what, want, got))


def test_plain(c):
    eq(c.out("PING"), "PONG\n", "PING")
    eq(c.out("SET", "a", "1"), "OK\n", "SET")
    eq(c.out("GET", "a"), "1\n", "GET (raw output, stdout is not a tty)")
    eq(c.out("--no-raw", "GET", "a"), '"1"\n', "GET --no-raw")
    eq(c.out("--no-raw", "GET", "missing"), "(nil)\n", "GET missing --no-raw")
    eq(c.out("--no-raw", "INCR", "n"), "(integer) 1\n", "INCR --no-raw")
    eq(c.out("--no-raw", "MGET", "a", "missing"), '1) "1"\n2) (nil)\n', "MGET --no-raw")
    eq(c.out("--no-raw", "CONFIG", "GET", "timeout"), '1) "timeout"\n2) "0"\n',
       "CONFIG GET --no-raw (RESP2: flat array)")
    out = c.out("--no-raw", "GET")
    eq(out, "(error) ERR wrong number of arguments for 'get' command\n",
       "arity error --no-raw")
    out = c.out("--no-raw", "NOSUCHCMD", "x")
    eq(out, "(error) ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' \n",
       "unknown command --no-raw")
    eq(c.out("SET", "sp", "a b"), "OK\n", "SET with a space")
    eq(c.out("GET", "sp"), "a b\n", "GET with a space")
    eq(c.out("DBSIZE"), "3\n", "DBSIZE")
    eq(c.out("-n", "3", "SET", "indb3", "x"), "OK\n", "SET with -n 3")
    eq(c.out("-n", "3", "DBSIZE"), "1\n", "DBSIZE with -n 3")
    eq(c.out("-n", "3", "FLUSHDB"), "OK\n", "FLUSHDB -n 3")


def test_csv_psubscribe(c):
    """redis-cli --csv PSUBSCRIBE prints the confirmation and each matching message as a
    CSV line, as against redis-server; the subscriber is stopped after a bounded wait."""
    import select
    import time
    cmd = [c.cli] + c.conn_args + ["--csv", "PSUBSCRIBE", "ev*"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = []
    buf = b""

    def read_until(n, deadline):
        nonlocal buf
        while len(lines) < n and time.time() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 0.2)
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                lines.append(line.decode("utf-8", "replace"))

    try:
        read_until(2, time.time() + 10)  # "Reading messages..." and the confirmation
        eq(lines[-1:], ['"psubscribe","ev*",1'], "--csv PSUBSCRIBE confirmation")
        eq(c.out("PUBLISH", "other", "x"), "0\n", "PUBLISH to a non-matching channel")
        eq(c.out("PUBLISH", "events", "hello"), "1\n", "PUBLISH to a matching channel")
        read_until(3, time.time() + 10)
        eq(lines[2:], ['"pmessage","ev*","events","hello"'], "--csv pmessage line")
    finally:
        proc.kill()
        proc.communicate(timeout=10)


def test_raw(c):
    eq(c.out("--raw", "SET", "nl", "line1\nline2"), "OK\n", "SET multi-line")
    eq(c.out("--raw", "GET", "nl"), "line1\nline2\n", "GET --raw multi-line")
    eq(c.out("--no-raw", "GET", "nl"), '"line1\\nline2"\n', "GET --no-raw escapes")
    eq(c.out("--raw", "GET", "missing"), "\n", "GET missing --raw")
    eq(c.out("--raw", "MGET", "nl", "missing"), "line1\nline2\n\n", "MGET --raw")
    eq(c.out("--raw", "INCR", "rn"), "1\n", "INCR --raw")
    out = c.out("--raw", "GET")
    # redis-cli prints an extra empty line after an error in raw mode
    eq(out, "ERR wrong number of arguments for 'get' command\n\n", "error --raw")


def test_resp3(c):
    eq(c.out("-3", "--no-raw", "CONFIG", "GET", "timeout"), '1# "timeout" => "0"\n',
       "-3 CONFIG GET renders a map")
    eq(c.out("-3", "--raw", "CONFIG", "GET", "timeout"), "timeout 0\n",
       "-3 --raw CONFIG GET")
    eq(c.out("-3", "--no-raw", "GET", "missing"), "(nil)\n", "-3 GET missing")
    eq(c.out("-3", "--no-raw", "PING"), "PONG\n", "-3 PING")
    out = c.out("-3", "--no-raw", "HELLO", "3")
    for want in ('1# "server" => ', '3# "proto" => (integer) 3', '7# "modules" => '):
        if want not in out:
            raise CheckFailed("-3 HELLO 3 output lacks %r:\n%s" % (want, out))
    c.out("MSET", "key1", "ohmytext", "key2", "mynewtext")
    eq(c.out("-3", "--no-raw", "LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"),
       '1# "matches" => \n'
       '   1) 1) 1) (integer) 4\n'
       '         2) (integer) 7\n'
       '      2) 1) (integer) 5\n'
       '         2) (integer) 8\n'
       '2# "len" => (integer) 6\n',
       "-3 LCS IDX renders a map")
    eq(c.out("-2", "--no-raw", "CONFIG", "GET", "timeout"), '1) "timeout"\n2) "0"\n',
       "-2 CONFIG GET")


def test_stdin_inline(c):
    out = c.out(stdin=b"SET ia 1\nGET ia\nINCR ia\nGET \"ia\"\n")
    eq(out, "OK\n1\n2\n2\n", "inline commands on stdin")
    out = c.out(stdin=b"SET \"q k\" \"x y\"\nGET 'q k'\nPING\n\nECHO \"a\\tb\"\n")
    eq(out, "OK\nx y\nPONG\na\tb\n", "quoted inline commands on stdin")
    out = c.out("--no-raw", stdin=b"GET ia\nGET missing\n")
    eq(out, '"2"\n(nil)\n', "stdin with --no-raw")
    out = c.out(stdin=b"NOSUCHCMD a\nPING\n")
    eq(out, "ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' \n\nPONG\n",
       "an error does not stop stdin processing")


def test_x(c):
    eq(c.out("-x", "SET", "xk", stdin=b"from stdin"), "OK\n", "-x SET")
    eq(c.out("GET", "xk"), "from stdin\n", "GET after -x")
    eq(c.out("-x", "SET", "xbin", stdin=b"a\x00b\nc\n"), "OK\n", "-x SET binary")
    eq(c.out("STRLEN", "xbin"), "6\n", "STRLEN after -x binary (newline kept)")
    eq(c.out("-x", "APPEND", "xk", stdin=b"!"), "11\n", "-x APPEND")


def test_scan(c):
    c.out("FLUSHDB")
    cmds = "".join("SET scan:%d v\n" % i for i in range(300)) + "SET other v\n"
    out = c.out(stdin=cmds.encode())
    eq(out.count("OK\n"), 301, "populate keys for --scan")
    out = c.out("--scan", "--pattern", "scan:*")
    keys = out.split()
    eq(len(keys), len(set(keys)), "--scan returned duplicates")
    eq(set(keys), {"scan:%d" % i for i in range(300)}, "--scan --pattern keys")
    out = c.out("--scan", "--pattern", "scan:1?")
    eq(set(out.split()), {"scan:%d" % i for i in range(10, 20)}, "--scan --pattern scan:1?")
    out = c.out("--scan")
    eq(len(set(out.split())), 301, "--scan without pattern")
    out = c.out("--scan", "--pattern", "nomatch*")
    eq(out, "", "--scan without matches")


def test_repeat(c):
    c.out("DEL", "c")
    eq(c.out("-r", "3", "INCR", "c"), "1\n2\n3\n", "-r 3 INCR c")
    eq(c.out("-r", "2", "-i", "0.01", "PING"), "PONG\nPONG\n", "-r 2 -i 0.01 PING")
    eq(c.out("GET", "c"), "3\n", "GET after -r")


def resp_cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def test_pipe(c):
    c.out("FLUSHDB")
    data = b"".join(resp_cmd("SET", "pipe:%d" % i, "value-%d" % i) for i in range(10000))
    out, err = c.run("--pipe", stdin=data)
    text = out + err
    m = re.search(r"errors: (\d+), replies: (\d+)", text)
    if not m:
        raise CheckFailed("--pipe summary missing:\n%s" % text)
    eq((int(m.group(1)), int(m.group(2))), (0, 10000), "--pipe errors/replies")
    eq(c.out("DBSIZE"), "10000\n", "DBSIZE after --pipe")
    eq(c.out("GET", "pipe:9999"), "value-9999\n", "GET after --pipe")
    # a --pipe run containing errors reports them (and exits non-zero)
    data = resp_cmd("SET", "pe", "x") + resp_cmd("INCR", "pe") + resp_cmd("NOSUCH")
    out, err = c.run("--pipe", stdin=data, expect_rc=None)
    m = re.search(r"errors: (\d+), replies: (\d+)", out + err)
    if not m:
        raise CheckFailed("--pipe summary missing:\n%s" % (out + err))
    eq((int(m.group(1)), int(m.group(2))), (2, 3), "--pipe with errors")
    # inline commands work with --pipe too
    out, err = c.run("--pipe", stdin=b"SET inl 1\r\nINCR inl\r\n")
    m = re.search(r"errors: (\d+), replies: (\d+)", out + err)
    eq((m and int(m.group(1)), m and int(m.group(2))), (0, 2), "--pipe inline")


def test_unix_socket(server_bin, cli):
    tmp = tempfile.mkdtemp(prefix="larder-compat-unix-")
    path = os.path.join(tmp, "s.sock")
    server = None
    try:
        server = Server(server_bin, SERVER_ARGS + ["--unixsocket", path,
                                                   "--unixsocketperm", "700"],
                        name="server-unix", port=0, unix_path=path).start()
        st = os.stat(path)
        if not stat.S_ISSOCK(st.st_mode):
            raise CheckFailed("%s is not a socket" % path)
        eq(oct(st.st_mode & 0o777), oct(0o700), "unix socket permissions")
        c = Cli(cli, ["-s", path])
        eq(c.out("PING"), "PONG\n", "PING over the unix socket")
        eq(c.out("SET", "u", "1"), "OK\n", "SET over the unix socket")
        eq(c.out("INCR", "u"), "2\n", "INCR over the unix socket")
        eq(c.out(stdin=b"GET u\nDBSIZE\n"), "2\n1\n", "stdin over the unix socket")
        eq(c.out("-r", "2", "INCR", "u"), "3\n4\n", "-r over the unix socket")
        eq(c.out("CONFIG", "GET", "port"), "port\n0\n", "CONFIG GET port is 0")
        out = c.out("CONFIG", "GET", "unixsocketperm")
        eq(out, "unixsocketperm\n700\n", "CONFIG GET unixsocketperm")
        if not server.alive():
            raise CheckFailed("unix-socket server died\n%s" % server.log_tail())
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description="redis-cli compatibility test")
    ap.add_argument("--server-bin", required=True)
    ap.add_argument("--cli", default=shutil.which("redis-cli") or "/usr/bin/redis-cli")
    opts = ap.parse_args()
    if not os.path.exists(opts.cli):
        print("FAIL: redis-cli not found (%s)" % opts.cli)
        return 1
    try:
        server = Server(opts.server_bin, SERVER_ARGS, name="server").start()
    except ServerError as e:
        print("FAIL: %s" % e)
        return 1
    c = Cli(opts.cli, ["-h", "127.0.0.1", "-p", str(server.port)])
    tests = [
        ("plain commands", lambda: test_plain(c)),
        ("--raw", lambda: test_raw(c)),
        ("-3 (RESP3)", lambda: test_resp3(c)),
        ("--csv psubscribe", lambda: test_csv_psubscribe(c)),
        ("inline via stdin", lambda: test_stdin_inline(c)),
        ("-x", lambda: test_x(c)),
        ("--scan --pattern", lambda: test_scan(c)),
        ("-r repeat", lambda: test_repeat(c)),
        ("--pipe 10000 SETs", lambda: test_pipe(c)),
    ]
    failed = 0
    try:
        for name, fn in tests:
            try:
                fn()
                print("ok   %s" % name)
            except CheckFailed as e:
                failed += 1
                print("FAIL %s: %s" % (name, e))
            except Exception as e:  # noqa: BLE001
                failed += 1
                print("FAIL %s: unexpected %s: %s" % (name, type(e).__name__, e))
                traceback.print_exc(limit=3)
        if not server.alive():
            failed += 1
            print("FAIL: the server died during the test\n%s" % server.log_tail())
    finally:
        server.stop()
    try:
        test_unix_socket(opts.server_bin, opts.cli)
        print("ok   unix socket (-s, perm 700)")
    except (CheckFailed, ServerError) as e:
        failed += 1
        print("FAIL unix socket: %s" % e)
    except Exception as e:  # noqa: BLE001
        failed += 1
        print("FAIL unix socket: unexpected %s: %s" % (type(e).__name__, e))
        traceback.print_exc(limit=3)
    if failed:
        print("%d check group(s) FAILED" % failed)
        return 1
    print("all redis-cli checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
