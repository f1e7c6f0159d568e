#!/usr/bin/python3
"""Keyspace notifications: the events a scripted set of commands produces on Larder and
on redis-server 7.0 (each with a PSUBSCRIBE __key*__:* listener) must be the same
(channel, message) sequence.

Usage: /usr/bin/python3 test_notifications.py --larder-bin PATH --redis-bin PATH SCRIPT
"""
import argparse
import os
import shlex
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from servers import RespConn, Server, ServerError, parse_reply  # noqa: E402


def events_of(binary, lines):
    """Runs the script on a fresh server; returns the list of (channel, message)."""
    with Server(binary, ["--save", "", "--appendonly", "no"], name=os.path.basename(binary)) as srv:
        listener = RespConn(srv.port)
        listener.send_command("PSUBSCRIBE", "__key*__:*")
        listener.read_reply()
        listener.send_command("SUBSCRIBE", "end-of-script")
        listener.read_reply()
        cmd = RespConn(srv.port)
        for line in lines:
            words = shlex.split(line)
            if words[0] == "!flags":
                cmd.send_command("CONFIG", "SET", "notify-keyspace-events", words[1])
            elif words[0] == "!sleep":
                time.sleep(int(words[1]) / 1000.0)
                continue
            else:
                cmd.send_command(*words)
            cmd.read_reply()
        cmd.send_command("PUBLISH", "end-of-script", "done")
        cmd.read_reply()
        events = []
        deadline = time.time() + 10
        while time.time() < deadline:
            node = parse_reply(listener.read_reply(), 0)[0]
            parts = [bytes(e.value) if e.value is not None else None for e in node.children]
            if parts[0] == b"message" and parts[1] == b"end-of-script":
                return events
            events.append((parts[2].decode(), parts[3].decode()))
        raise RuntimeError("no end-of-script message from %s" % binary)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--larder-bin", required=True)
    ap.add_argument("--redis-bin", required=True)
    ap.add_argument("script")
    opts = ap.parse_args()
    with open(opts.script) as f:
        lines = [l.strip() for l in f if l.strip() and not l.strip().startswith("#")]
    try:
        want = events_of(opts.redis_bin, lines)
        got = events_of(opts.larder_bin, lines)
    except (ServerError, RuntimeError, OSError) as e:
        print("FAIL: %s" % e)
        return 2
    if got == want:
        print("notifications: %d events, identical" % len(want))
        return 0
    print("FAIL: the event sequences differ (redis %d events, larder %d)" % (len(want), len(got)))
    for i in range(max(len(want), len(got))):
        w = want[i] if i < len(want) else None
        g = got[i] if i < len(got) else None
        mark = "  " if w == g else "!!"
        print("%s %3d redis=%r larder=%r" % (mark, i, w, g))
    return 1


if __name__ == "__main__":
    sys.exit(main())
