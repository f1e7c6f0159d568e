#!/usr/bin/python3
r"""Differential test: run command scripts against Larder and redis-server and
compare the raw reply bytes.

Usage:
    /usr/bin/python3 runner.py --larder-bin PATH --redis-bin PATH SCRIPT...

Both servers are started on free loopback ports with ``--save "" --appendonly
no`` (the same arguments for both).  For each script a fresh connection is
opened to each server, ``FLUSHALL`` is sent first (reply not compared), then
every script line is sent to both servers and the replies are compared byte
for byte.  Mismatches are printed as ``file:line``, the command and both raw
replies (repr); the run goes on and exits 1 at the end if anything differed.
Exit code 2 means a set-up failure (server would not start, bad script...).

Script format
-------------
* One command per line.  Blank lines and lines whose first non-blank
  character is ``#`` are ignored.
* A line is split into arguments with Redis's own inline rules (sdssplitargs,
  as redis-cli does): arguments are separated by blanks; ``"..."`` understands
  the escapes ``\n \r \t \b \a \\ \" \xHH`` (any other ``\c`` is ``c``);
  ``'...'`` understands only ``\'``; a closing quote must be followed by a
  blank or the end of line; ``""`` is an empty argument.  The arguments are
  sent as a RESP multibulk request.
* Directive prefixes (the directive is the first word of the line):
    ``!unordered <cmd>``  the reply must be an aggregate; compare its type
                          byte, element count and the multiset of its
                          elements' raw bytes (for KEYS, SMEMBERS-like
                          replies).  Non-aggregate replies compare raw.
    ``!pairs <cmd>``      like !unordered but elements are taken two at a
                          time (key/value pairs), e.g. CONFIG GET with
                          several parameters in RESP2.  Maps (RESP3 %)
                          are always compared as pairs by !unordered too.
    ``!scan <cmd>``       a SCAN / HSCAN / SSCAN / ZSCAN reply: the cursor is
                          followed until it comes back as "0" (at most
                          10000 rounds per server); both must end at "0"
                          and the set of returned elements must be equal.
                          Error replies compare raw.
    ``!skip <cmd>``       send to both, read one reply each, do not compare
                          (TIME, INFO, CLIENT LIST, HELLO 3 ...).  A
                          ``!skip HELLO 3`` line switches the connection to
                          RESP3 for the rest of the script.
    ``!type <cmd>``       compare only the first (type) byte of the replies,
                          and for aggregates also the element count.
    ``!raw <bytes>``      send raw bytes; compare everything read until the
                          server closes the connection or 300 ms pass in
                          silence (if the two differ, up to 2 more silent
                          periods are waited for, so a merely slow server is
                          not reported), and whether each server closed the
                          connection; then both connections are replaced by
                          fresh ones (state such as SELECT / HELLO 3 / client
                          name is NOT carried over; the data is).  <bytes>
                          is a Python bytes literal, or an expression made
                          only of bytes literals, ``+`` and ``* <int>``
                          (e.g. ``b"a" * 70000 + b"\r\n"``).
    ``!sleep <ms>``       sleep that many milliseconds (expiry tests; keep
                          the total of all scripts under 3 s).
* A ``QUIT`` line (any case) is compared like any command; afterwards both
  connections are re-opened (normally QUIT is the last line of a file).
* Scripts run in the order given on one pair of servers, so a script that
  changes server state (CONFIG SET ...) must undo it before it ends.

Replies are awaited for at most 5 s; after 3 timeouts in one script the rest
of it is skipped, after 6 in the run the remaining scripts are skipped (a
hanging server fails fast instead of running into the CTest timeout).
"""

import argparse
import ast
import os
import select
import socket
import sys
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

from servers import (RespConn, Server, ServerError,  # noqa: E402
                     ProtocolParseError, parse_reply, Incomplete)

SERVER_ARGS = ["--save", "", "--appendonly", "no"]
REPLY_TIMEOUT = 5.0
MAX_TIMEOUTS = 3  # per script, then the rest of the script is skipped
MAX_TOTAL_TIMEOUTS = 6  # per run, then the remaining scripts are skipped
RAW_QUIET = 0.3
RAW_TOTAL = 5.0
RAW_RETRIES = 2  # extra quiet periods granted when the raw replies differ
SCAN_MAX_ROUNDS = 10000
MAX_SHOWN = 6000  # longest repr printed per reply on a mismatch


class ScriptError(Exception):
    pass


# --------------------------------------------------------------------------
# Redis inline argument splitting (port of sdssplitargs)
# --------------------------------------------------------------------------

_HEX = b"0123456789abcdefABCDEF"
_SPACE = b" \n\r\t\v\f"


def split_args(line):
    """Split ``line`` (bytes) exactly like Redis's sdssplitargs().
    Raises ScriptError on unbalanced quotes."""
    args = []
    p = 0
    n = len(line)
    while True:
        while p < n and line[p] in _SPACE:
            p += 1
        if p >= n:
            return args
        inq = insq = False
        done = False
        cur = bytearray()
        while not done:
            c = line[p] if p < n else None
            if inq:
                if c is None:
                    raise ScriptError("unbalanced quotes")
                if (c == 0x5C and p + 3 < n and line[p + 1] == ord("x")
                        and line[p + 2] in _HEX and line[p + 3] in _HEX):
                    cur.append(int(line[p + 2:p + 4], 16))
                    p += 3
                elif c == 0x5C and p + 1 < n:
                    p += 1
                    e = line[p]
                    cur.append({ord("n"): 10, ord("r"): 13, ord("t"): 9,
                                ord("b"): 8, ord("a"): 7}.get(e, e))
                elif c == ord('"'):
                    # closing quote must be followed by a space or nothing
                    if p + 1 < n and line[p + 1] not in _SPACE:
                        raise ScriptError("unbalanced quotes")
                    done = True
                else:
                    cur.append(c)
            elif insq:
                if c is None:
                    raise ScriptError("unbalanced quotes")
                if c == 0x5C and p + 1 < n and line[p + 1] == ord("'"):
                    p += 1
                    cur.append(ord("'"))
                elif c == ord("'"):
                    if p + 1 < n and line[p + 1] not in _SPACE:
                        raise ScriptError("unbalanced quotes")
                    done = True
                else:
                    cur.append(c)
            else:
                if c is None or c in b" \n\r\t\0":
                    done = True
                elif c == ord('"'):
                    inq = True
                elif c == ord("'"):
                    insq = True
                else:
                    cur.append(c)
            if p < n:
                p += 1
        args.append(bytes(cur))


def eval_bytes_expr(text):
    """Evaluate a bytes literal or an expression of bytes literals combined
    with + and * <int>.  Nothing else is accepted."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ScriptError("bad !raw expression: %s" % e)

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (bytes, int)):
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
            a, b = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Add):
                if not (isinstance(a, bytes) and isinstance(b, bytes)):
                    raise ScriptError("!raw: + needs bytes on both sides")
                return a + b
            if isinstance(a, int) and isinstance(b, bytes):
                a, b = b, a
            if not (isinstance(a, bytes) and isinstance(b, int)) or b > 10_000_000:
                raise ScriptError("!raw: * needs bytes * small int")
            return a * b
        raise ScriptError("!raw: only bytes literals, + and * are allowed")

    value = ev(tree)
    if not isinstance(value, bytes):
        raise ScriptError("!raw: expression is not bytes")
    return value


# --------------------------------------------------------------------------
# Script parsing
# --------------------------------------------------------------------------

DIRECTIVES = ("!unordered", "!pairs", "!scan", "!skip", "!type", "!raw",
              "!sleep")


class Step:
    __slots__ = ("lineno", "text", "mode", "args", "raw", "ms")

    def __init__(self, lineno, text, mode, args=None, raw=None, ms=0):
        self.lineno = lineno
        self.text = text
        self.mode = mode
        self.args = args
        self.raw = raw
        self.ms = ms


def parse_script(path):
    with open(path, "rb") as f:
        data = f.read()
    steps = []
    for i, line in enumerate(data.split(b"\n"), 1):
        line = line.rstrip(b"\r")
        stripped = line.strip()
        if not stripped or stripped.startswith(b"#"):
            continue
        text = line.decode("utf-8", "backslashreplace")
        mode = "exact"
        rest = stripped
        if stripped.startswith(b"!"):
            word, _, rest = stripped.partition(b" ")
            word = word.decode()
            if word not in DIRECTIVES:
                raise ScriptError("%s:%d: unknown directive %s" % (path, i, word))
            mode = word[1:]
            rest = rest.strip()
        try:
            if mode == "raw":
                steps.append(Step(i, text, mode,
                                  raw=eval_bytes_expr(rest.decode("utf-8"))))
                continue
            if mode == "sleep":
                ms = int(rest)
                if not 0 <= ms <= 3000:
                    raise ScriptError("sleep out of range")
                steps.append(Step(i, text, mode, ms=ms))
                continue
            args = split_args(rest)
        except (ScriptError, ValueError) as e:
            raise ScriptError("%s:%d: %s" % (path, i, e))
        if not args:
            raise ScriptError("%s:%d: empty command" % (path, i))
        steps.append(Step(i, text, mode, args=args))
    return steps


# --------------------------------------------------------------------------
# Comparison helpers
# --------------------------------------------------------------------------

def parse_raw(raw):
    node, _ = parse_reply(raw, 0)
    return node


def compare_unordered(a, b, pairs):
    na, nb = parse_raw(a), parse_raw(b)
    if not (na.is_aggregate and nb.is_aggregate):
        return a == b, ""
    if na.header != nb.header:
        return False, "headers differ"
    step = 2 if (pairs or na.type in "%|") else 1

    def bag(node):
        ch = [c.raw for c in node.children]
        return Counter(tuple(ch[i:i + step]) for i in range(0, len(ch), step))

    ba, bb = bag(na), bag(nb)
    if ba == bb:
        return True, ""
    only_a = list((ba - bb).elements())[:10]
    only_b = list((bb - ba).elements())[:10]
    return False, "only larder: %r; only redis: %r" % (only_a, only_b)


def compare_type(a, b):
    na, nb = parse_raw(a), parse_raw(b)
    if na.type != nb.type:
        return False, "types differ"
    if na.is_aggregate or nb.is_aggregate:
        la = len(na.children) if na.children is not None else None
        lb = len(nb.children) if nb.children is not None else None
        if la != lb:
            return False, "element counts differ (%s vs %s)" % (la, lb)
    return True, ""


def _clip(v, limit=MAX_SHOWN):
    r = repr(v)
    if len(r) <= limit:
        return r
    return "%s ... [%d more chars of repr]" % (r[:limit], len(r) - limit)


class Side:
    """One server plus the current connection to it."""

    def __init__(self, name, server):
        self.name = name
        self.server = server
        self.conn = None

    def reconnect(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = RespConn(self.server.port, timeout=REPLY_TIMEOUT)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, args):
        """Send args, return raw reply bytes or a '<...>' marker string."""
        try:
            self.conn.send_command(*args)
            return self.conn.read_reply()
        except socket.timeout:
            return "<timeout: no complete reply within %.0f s>" % REPLY_TIMEOUT
        except ConnectionError as e:
            return "<connection error: %s>" % e
        except ProtocolParseError as e:
            return "<unparsable reply: %s; buffered %r>" % (e, bytes(self.conn.buf[:200]))
        except OSError as e:
            return "<socket error: %s>" % e

    def scan(self, args):
        """Follow a SCAN cursor to 0; return (first_error_raw_or_None,
        element set, final cursor, rounds) or a marker string."""
        args = list(args)
        name = args[0].upper() if isinstance(args[0], str) else args[0].decode().upper()
        # SCAN's cursor is its first argument; HSCAN/SSCAN/ZSCAN take the key first.
        idx = 2 if name in ("HSCAN", "SSCAN", "ZSCAN") else 1
        paired = name in ("HSCAN", "ZSCAN")  # field/value, member/score pairs
        elements = set()
        for rounds in range(1, SCAN_MAX_ROUNDS + 1):
            raw = self.request(args)
            if isinstance(raw, str):
                return raw
            node = parse_raw(raw)
            if (not node.is_aggregate or len(node.children) != 2
                    or node.children[1].children is None):
                return raw  # error or odd reply: compare raw
            cursor = node.children[0].value
            items = [c.raw for c in node.children[1].children]
            if paired:
                elements.update(zip(items[0::2], items[1::2]))
            else:
                elements.update(items)
            if cursor == b"0":
                return (None, elements, cursor, rounds)
            args[idx] = cursor
        return (None, elements, cursor, SCAN_MAX_ROUNDS)


def read_quiet_both(sides, data=None, closed=None):
    """Read each side's connection until it closes or RAW_QUIET seconds pass
    without data (both sides concurrently; bounded by RAW_TOTAL).  ``data``
    and ``closed`` continue an earlier call."""
    if data is None:
        data = {s.name: bytes(s.conn.buf) for s in sides}
        for s in sides:
            s.conn.buf.clear()
        closed = {s.name: False for s in sides}
    start = time.monotonic()
    last = {s.name: start for s in sides}
    deadline = start + RAW_TOTAL
    active = {s.conn.sock: s for s in sides if not closed[s.name]}
    while active:
        now = time.monotonic()
        if now >= deadline:
            break
        for sock, s in list(active.items()):
            if now - last[s.name] >= RAW_QUIET:
                del active[sock]
        if not active:
            break
        wait = min(RAW_QUIET - (now - last[s.name]) for s in active.values())
        wait = max(0.0, min(wait, deadline - now))
        r, _, _ = select.select(list(active), [], [], wait)
        for sock in r:
            s = active[sock]
            try:
                chunk = sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                closed[s.name] = True
                del active[sock]
            else:
                data[s.name] += chunk
                last[s.name] = time.monotonic()
    return data, closed


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------

class Runner:
    def __init__(self, larder, redis, verbose=False):
        self.sides = [Side("larder", larder), Side("redis", redis)]
        self.verbose = verbose
        self.failures = 0
        self.compared = 0
        self.total_timeouts = 0
        self.per_file = []

    def fail(self, path, step, msg, a, b):
        self.failures += 1
        print("MISMATCH %s:%d: %s" % (os.path.basename(path), step.lineno, step.text))
        if msg:
            print("    %s" % msg)
        if isinstance(a, bytes) and isinstance(b, bytes):
            n = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]),
                     min(len(a), len(b)))
            print("    first difference at byte %d (lengths %d / %d)"
                  % (n, len(a), len(b)))
        print("    larder: %s" % _clip(a))
        print("    redis : %s" % _clip(b))

    def run_script(self, path):
        steps = parse_script(path)
        compared = 0
        timeouts = 0
        failures_before = self.failures
        for s in self.sides:
            s.reconnect()
        for s in self.sides:
            r = s.request([b"FLUSHALL"])
            if r != b"+OK\r\n":
                print("WARNING %s: FLUSHALL on %s replied %r"
                      % (os.path.basename(path), s.name, r))
                if isinstance(r, str):
                    timeouts += 1
                    self.total_timeouts += 1
                    s.reconnect()
        for step in steps:
            if step.mode == "sleep":
                time.sleep(step.ms / 1000.0)
                continue
            if self.verbose:
                print("  %s:%d %s" % (os.path.basename(path), step.lineno, step.text))
            if step.mode == "raw":
                compared += 1
                self.do_raw(path, step)
                continue
            if step.mode == "scan":
                compared += 1
                self.do_scan(path, step)
                continue
            a = self.sides[0].request(step.args)
            b = self.sides[1].request(step.args)
            if step.mode != "skip":
                compared += 1
                self.compare(path, step, a, b)
            if isinstance(a, str) and a.startswith("<timeout") or \
                    isinstance(b, str) and b.startswith("<timeout"):
                timeouts += 1
                self.total_timeouts += 1
                if timeouts >= MAX_TIMEOUTS or self.total_timeouts >= MAX_TOTAL_TIMEOUTS:
                    self.failures += 1
                    print("ABORT %s:%d: %d replies timed out; skipping the rest "
                          "of this script" % (os.path.basename(path),
                                              step.lineno, timeouts))
                    break
            if (step.args[0].upper() == b"QUIT"
                    or isinstance(a, str) or isinstance(b, str)):
                # connection is gone (QUIT) or in an unknown state
                for s in self.sides:
                    s.reconnect()
        for s in self.sides:
            s.close()
        self.compared += compared
        self.per_file.append((os.path.basename(path), compared,
                              self.failures - failures_before))

    def compare(self, path, step, a, b):
        if isinstance(a, str) or isinstance(b, str):
            if a != b:
                self.fail(path, step, "", a, b)
            return
        if step.mode == "exact":
            if a != b:
                self.fail(path, step, "", a, b)
            return
        try:
            if step.mode in ("unordered", "pairs"):
                ok, msg = compare_unordered(a, b, step.mode == "pairs")
            elif step.mode == "type":
                ok, msg = compare_type(a, b)
            else:
                raise AssertionError(step.mode)
        except (Incomplete, ProtocolParseError) as e:
            ok, msg = False, "parse error: %s" % e
        if not ok:
            self.fail(path, step, msg, a, b)

    def do_scan(self, path, step):
        res = [s.scan(step.args) for s in self.sides]
        a, b = res
        if isinstance(a, tuple) and isinstance(b, tuple):
            ok = a[1] == b[1] and a[2] == b[2] == b"0"
            if not ok:
                self.fail(path, step, "scan results differ (cursor %r/%r, %d/%d rounds)"
                          % (a[2], b[2], a[3], b[3]),
                          sorted(a[1]), sorted(b[1]))
            return
        if isinstance(a, tuple) or isinstance(b, tuple):
            self.fail(path, step, "one side returned a SCAN result, the other did not",
                      a if not isinstance(a, tuple) else sorted(a[1]),
                      b if not isinstance(b, tuple) else sorted(b[1]))
            return
        if a != b:
            self.fail(path, step, "", a, b)

    def do_raw(self, path, step):
        for s in self.sides:
            try:
                s.conn.send_raw(step.raw)
            except OSError:
                pass  # the server may close mid-send (too big request)
        data, closed = read_quiet_both(self.sides)
        for _ in range(RAW_RETRIES):
            # a slow (loaded) server may just have been late: give both sides
            # more quiet periods before calling it a mismatch
            if data["larder"] == data["redis"] and closed["larder"] == closed["redis"]:
                break
            data, closed = read_quiet_both(self.sides, data, closed)
        a, b = data["larder"], data["redis"]
        if a != b:
            self.fail(path, step, "raw bytes differ (closed: larder=%s redis=%s)"
                      % (closed["larder"], closed["redis"]), a, b)
        elif closed["larder"] != closed["redis"]:
            self.fail(path, step, "one side closed the connection, the other did "
                      "not (closed: larder=%s redis=%s)"
                      % (closed["larder"], closed["redis"]), a, b)
        for s in self.sides:
            s.reconnect()


def main():
    ap = argparse.ArgumentParser(
        description="Differential test: Larder vs redis-server, raw replies compared.")
    ap.add_argument("--larder-bin", required=True)
    ap.add_argument("--redis-bin", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("scripts", nargs="+")
    opts = ap.parse_args()

    try:
        scripts = [(p, parse_script(p)) for p in opts.scripts]
    except (OSError, ScriptError) as e:
        print("error: %s" % e)
        return 2
    del scripts

    larder = Server(opts.larder_bin, SERVER_ARGS, name="larder")
    redis = Server(opts.redis_bin, SERVER_ARGS, name="redis")
    started = []
    try:
        for srv in (larder, redis):
            srv.start()
            started.append(srv)
        print("larder: %s on port %d; redis: %s on port %d"
              % (opts.larder_bin, larder.port, opts.redis_bin, redis.port))
        runner = Runner(larder, redis, opts.verbose)
        t0 = time.monotonic()
        for path in opts.scripts:
            try:
                runner.run_script(path)
            except OSError as e:
                print("ERROR %s: %s" % (path, e))
                runner.failures += 1
            if runner.total_timeouts >= MAX_TOTAL_TIMEOUTS:
                print("ABORT: %d replies timed out in total; not running the "
                      "remaining scripts" % runner.total_timeouts)
                runner.failures += 1
                break
            for srv in (larder, redis):
                if not srv.alive():
                    print("ERROR: %s died while running %s\n%s"
                          % (srv.name, path, srv.log_tail()))
                    return 1
        for name, n, f in runner.per_file:
            print("%-20s %4d lines compared, %d mismatches" % (name, n, f))
        print("TOTAL: %d lines compared, %d mismatches (%.1f s)"
              % (runner.compared, runner.failures, time.monotonic() - t0))
        return 1 if runner.failures else 0
    except ServerError as e:
        print("error: %s" % e)
        return 2
    finally:
        for srv in started:
            srv.stop()


if __name__ == "__main__":
    sys.exit(main())
