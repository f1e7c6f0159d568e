#!/usr/bin/python3
"""Helpers shared by the compatibility tests.

* ``Server``: start a Redis-compatible server binary (redis-server or
  larder-server; both take ``[config-file] [--directive value ...]``) on a
  free loopback port, wait (bounded) until it answers PING, and stop it with
  SIGTERM, then SIGKILL after a timeout.  Usable as a context manager.  The
  server runs with a private temporary directory as its cwd, removed on stop.

* ``RespConn``: a tiny raw RESP client.  ``send_command(*args)`` sends a
  multibulk request, ``send_raw(bytes)`` sends bytes as they are, and
  ``read_reply()`` returns exactly one complete reply as the raw bytes the
  server sent (RESP2 and RESP3 types: + - : $ * _ , # ! = ( % ~ > |,
  nested aggregates, null forms $-1 and *-1; an attribute ``|`` is returned
  together with the reply it annotates).

* ``parse_reply(buf, pos)``: the parser behind ``read_reply``; returns a
  ``Node`` tree so callers can look at the type, the element count and the
  raw bytes of each element.

Standard library only; run with /usr/bin/python3.
"""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

HOST = "127.0.0.1"

_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent(parent):
    """Returns a preexec_fn: the server gets SIGKILL when this test process dies.

    A test killed by a timeout runs no cleanup, and its servers would otherwise keep
    running and loading the machine.  The signal comes when the forking thread ends;
    these tests spawn from the main thread.  getppid() catches a parent that died
    before prctl.
    """
    def preexec():
        if _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0 or os.getppid() != parent:
            os._exit(125)
    return preexec

__all__ = [
    "HOST", "Server", "ServerError", "RespConn", "Node", "Incomplete",
    "ProtocolParseError", "parse_reply", "encode_command", "free_port",
]


class ServerError(RuntimeError):
    pass


def free_port():
    """Return a loopback TCP port that was free a moment ago."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


# --------------------------------------------------------------------------
# RESP parsing
# --------------------------------------------------------------------------

class Incomplete(Exception):
    """The buffer does not hold a complete reply yet."""


class ProtocolParseError(Exception):
    """The bytes are not valid RESP."""


class Node:
    """One parsed reply.

    type     -- the type byte as a 1-char str ('+', '$', '*', ...)
    raw      -- the complete raw bytes of this reply (attribute included)
    header   -- the first line without CRLF, e.g. b'*3' or b'$5'
    value    -- bytes payload for simple/bulk types, None for nulls,
                None for aggregates
    children -- list of Node for aggregates (maps/attributes: k, v, k, v...),
                None otherwise
    attribute-- Node of a '|' attribute that preceded this reply, or None
    """

    __slots__ = ("type", "raw", "header", "value", "children", "attribute")

    def __init__(self, type_, raw, header, value=None, children=None):
        self.type = type_
        self.raw = raw
        self.header = header
        self.value = value
        self.children = children
        self.attribute = None

    @property
    def is_aggregate(self):
        return self.children is not None

    @property
    def is_error(self):
        return self.type in ("-", "!")

    def __repr__(self):
        return "Node(%r)" % (self.raw,)


_LINE_TYPES = b"+-:_,#("
_BULK_TYPES = b"$!="
_AGG_TYPES = b"*~>"
_PAIR_TYPES = b"%|"


def _read_line(buf, pos):
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete()
    return buf[pos:end], end + 2


def _parse_int(line, what):
    try:
        return int(line)
    except ValueError:
        raise ProtocolParseError("bad %s length %r" % (what, line))


def parse_reply(buf, pos=0):
    """Parse one reply from ``buf`` starting at ``pos``.

    Returns ``(node, next_pos)``.  Raises ``Incomplete`` if more bytes are
    needed and ``ProtocolParseError`` on garbage.
    """
    if pos >= len(buf):
        raise Incomplete()
    start = pos
    t = buf[pos]
    line, pos = _read_line(buf, pos + 1)
    header = bytes([t]) + line
    ts = chr(t)
    if t in _LINE_TYPES:
        node = Node(ts, None, header, value=line)
    elif t in _BULK_TYPES:
        if line == b"?":
            raise ProtocolParseError("streamed strings are not supported")
        n = _parse_int(line, "bulk")
        if n < 0:
            node = Node(ts, None, header, value=None)
        else:
            if len(buf) < pos + n + 2:
                raise Incomplete()
            if buf[pos + n:pos + n + 2] != b"\r\n":
                raise ProtocolParseError("bulk not terminated by CRLF")
            node = Node(ts, None, header, value=buf[pos:pos + n])
            pos += n + 2
    elif t in _AGG_TYPES or t in _PAIR_TYPES:
        if line == b"?":
            raise ProtocolParseError("streamed aggregates are not supported")
        n = _parse_int(line, "aggregate")
        if n < 0:
            node = Node(ts, None, header, value=None)
        else:
            if t in _PAIR_TYPES:
                n *= 2
            children = []
            for _ in range(n):
                child, pos = parse_reply(buf, pos)
                children.append(child)
            node = Node(ts, None, header, children=children)
    else:
        raise ProtocolParseError("unknown reply type byte %r at offset %d"
                                 % (bytes([t]), start))
    if t == ord("|"):
        # An attribute is followed by the reply it annotates.
        node.raw = bytes(buf[start:pos])
        real, pos = parse_reply(buf, pos)
        real.attribute = node
        real.raw = bytes(buf[start:pos])
        return real, pos
    node.raw = bytes(buf[start:pos])
    return node, pos


def encode_command(*args):
    """Encode arguments (str/bytes/int/float) as a RESP multibulk request."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode("utf-8", "surrogateescape")
        elif isinstance(a, (int, float)):
            a = repr(a).encode()
        out.append(b"$%d\r\n" % len(a))
        out.append(a)
        out.append(b"\r\n")
    return b"".join(out)


class RespConn:
    """Minimal blocking RESP connection returning raw reply bytes."""

    def __init__(self, port=None, host=HOST, unix_path=None, timeout=10.0):
        self.timeout = timeout
        if unix_path is not None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(unix_path)
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.closed_by_peer = False

    # -- sending --------------------------------------------------------
    def send_raw(self, data):
        self.sock.sendall(data)

    def send_command(self, *args):
        self.sock.sendall(encode_command(*args))

    # -- receiving ------------------------------------------------------
    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("timed out waiting for a reply")
        self.sock.settimeout(remaining)
        chunk = self.sock.recv(65536)
        if not chunk:
            self.closed_by_peer = True
            raise ConnectionError("connection closed by server")
        self.buf += chunk

    def read_node(self, timeout=None):
        """Read one complete reply and return it parsed (a ``Node``)."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        while True:
            try:
                node, end = parse_reply(self.buf, 0)
            except Incomplete:
                self._fill(deadline)
                continue
            del self.buf[:end]
            return node

    def read_reply(self, timeout=None):
        """Read one complete reply and return its raw bytes."""
        return self.read_node(timeout).raw

    def command(self, *args, timeout=None):
        self.send_command(*args)
        return self.read_reply(timeout)

    def read_until_quiet(self, quiet=0.3, total=5.0):
        """Return everything (buffered + new) read until the peer closes or
        ``quiet`` seconds pass without data; bounded by ``total`` seconds.
        Returns ``(data, closed)``."""
        data = bytes(self.buf)
        self.buf.clear()
        deadline = time.monotonic() + total
        closed = False
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            self.sock.settimeout(min(quiet, deadline - now))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            except (ConnectionResetError, BrokenPipeError):
                closed = True
                break
            if not chunk:
                closed = True
                break
            data += chunk
        self.closed_by_peer = self.closed_by_peer or closed
        return data, closed

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


# --------------------------------------------------------------------------
# Server process management
# --------------------------------------------------------------------------

class Server:
    """A server process on a free loopback port.

    ``Server(binary, extra_args)`` -- the command line is
    ``binary [config_file] --port P --bind 127.0.0.1 <extra_args...>``;
    pass ``port=0`` (and a ``--unixsocket`` in extra_args together with
    ``unix_path=``) for a unix-socket-only server.
    """

    def __init__(self, binary, extra_args=(), name=None, config_file=None,
                 port=None, unix_path=None, start_timeout=10.0,
                 stop_timeout=10.0, start_attempts=3):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.name = name or os.path.basename(binary)
        self.config_file = config_file
        self.want_port = port
        self.unix_path = unix_path
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.start_attempts = start_attempts
        self.port = None
        self.proc = None
        self.dir = None
        self.log_path = None
        self._log = None

    # -- lifecycle ------------------------------------------------------
    def start(self):
        if not (os.path.isfile(self.binary) and os.access(self.binary, os.X_OK)):
            raise ServerError("%s: not an executable file: %s"
                              % (self.name, self.binary))
        self.dir = tempfile.mkdtemp(prefix="larder-compat-%s-" % self.name)
        last_err = None
        for _attempt in range(self.start_attempts):
            port = free_port() if self.want_port is None else self.want_port
            try:
                self._spawn(port)
                return self
            except ServerError as e:
                last_err = e
                self._kill_proc()
                if self.want_port is not None:
                    break
        self._cleanup_dir()
        raise last_err

    def _spawn(self, port):
        cmd = [self.binary]
        if self.config_file:
            cmd.append(self.config_file)
        cmd += ["--port", str(port), "--bind", HOST] + self.extra_args
        self.log_path = os.path.join(self.dir, "server.log")
        self._log = open(self.log_path, "ab")
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True,
                                     preexec_fn=_die_with_parent(os.getpid()))
        self.port = port
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.proc.poll() is not None:
                raise ServerError("%s exited with status %s during start-up; "
                                  "command: %s\n%s" % (self.name,
                                                       self.proc.returncode,
                                                       cmd, self.log_tail()))
            if self._ping():
                return
            if time.monotonic() >= deadline:
                raise ServerError("%s did not answer PING within %.0f s; "
                                  "command: %s\n%s" % (self.name,
                                                       self.start_timeout, cmd,
                                                       self.log_tail()))
            time.sleep(0.05)

    def _ping(self):
        try:
            if self.unix_path is not None:
                c = RespConn(unix_path=self.unix_path, timeout=1.0)
            elif self.port:
                c = RespConn(self.port, timeout=1.0)
            else:
                return False
        except OSError:
            return False
        try:
            c.send_command("PING")
            return c.read_reply(timeout=1.0) == b"+PONG\r\n"
        except (OSError, ConnectionError, ProtocolParseError):
            return False
        finally:
            c.close()

    def log_tail(self, nbytes=4000):
        if not self.log_path or not os.path.exists(self.log_path):
            return "(no log)"
        with open(self.log_path, "rb") as f:
            data = f.read()
        return "--- %s log tail ---\n%s" % (
            self.name, data[-nbytes:].decode("utf-8", "replace"))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _kill_proc(self):
        p = self.proc
        if p is not None and p.poll() is None:
            try:
                p.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                try:
                    p.kill()
                except ProcessLookupError:
                    pass
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def stop(self):
        """SIGTERM, wait up to stop_timeout, then SIGKILL. Returns exit code."""
        self._kill_proc()
        rc = self.proc.returncode if self.proc is not None else None
        self._cleanup_dir()
        return rc

    def _cleanup_dir(self):
        if self.dir and os.path.isdir(self.dir):
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def connect(self, timeout=10.0):
        if self.unix_path is not None and not self.port:
            return RespConn(unix_path=self.unix_path, timeout=timeout)
        return RespConn(self.port, timeout=timeout)

    def __enter__(self):
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False
