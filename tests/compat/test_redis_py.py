#!/usr/bin/python3
"""Compatibility test: drive a server with the redis-py client library.

Usage: /usr/bin/python3 test_redis_py.py --server-bin PATH

Uses Debian's python3-redis (importable only under /usr/bin/python3).  Starts
the server on a free loopback port and checks the client-visible behaviour of
common calls.  Exits non-zero with a message on the first failure.  The
RESP3 part runs only if the installed redis-py supports ``protocol=3``
(redis-py >= 5); otherwise it is reported as skipped.
"""

import argparse
import inspect
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))

from servers import Server, ServerError  # noqa: E402

from checks import CheckFailed, outcome, redis  # noqa: E402


def check(cond, what):
    if not cond:
        raise CheckFailed(what)


def eq(got, want, what):
    if got != want:
        raise CheckFailed("%s: expected %r, got %r" % (what, want, got))


def _s(v):
    """bytes -> str (redis-py versions differ in what some helpers return)."""
    return v.decode() if isinstance(v, bytes) else v


def _cfg(d):
    return {_s(k): _s(v) for k, v in d.items()}


def test_basic(r):
    eq(r.ping(), True, "PING")
    eq(r.set("greeting", "hello"), True, "SET")
    eq(r.get("greeting"), b"hello", "GET")
    eq(r.get("no-such-key"), None, "GET of a missing key")
    eq(r.set("greeting", "again", nx=True), None, "SET NX on an existing key")
    eq(r.set("bin\x00key", b"\x00\xff\r\n"), True, "SET binary")
    eq(r.get("bin\x00key"), b"\x00\xff\r\n", "GET binary")
    eq(r.expire("greeting", 100), True, "EXPIRE")
    ttl = r.ttl("greeting")
    check(99 <= ttl <= 100, "TTL after EXPIRE 100 should be 99..100, got %r" % ttl)
    pttl = r.pttl("greeting")
    check(98000 <= pttl <= 100000, "PTTL after EXPIRE 100: %r" % pttl)
    eq(r.ttl("no-such-key"), -2, "TTL of a missing key")
    r.set("persistent", "x")
    eq(r.ttl("persistent"), -1, "TTL of a persistent key")
    eq(r.persist("greeting"), True, "PERSIST")
    eq(r.ttl("greeting"), -1, "TTL after PERSIST")
    r.set("short", "v", px=100)
    time.sleep(0.25)
    eq(r.get("short"), None, "GET after a 100 ms PX expired")
    eq(r.incr("counter"), 1, "INCR")
    eq(r.incr("counter", 10), 11, "INCRBY")
    eq(r.decr("counter"), 10, "DECR")
    eq(r.incrbyfloat("fl", 1.5), 1.5, "INCRBYFLOAT")
    try:
        r.incr("greeting")
        raise CheckFailed("INCR on a non-integer did not raise")
    except redis.ResponseError as e:
        eq(str(e), "value is not an integer or out of range", "INCR error text")
    try:
        r.execute_command("NOSUCHCOMMAND", "a")
        raise CheckFailed("unknown command did not raise")
    except redis.ResponseError as e:
        check("unknown command" in str(e), "unknown command error: %r" % str(e))
    eq(r.append("greeting", "!"), 6, "APPEND")
    eq(r.strlen("greeting"), 6, "STRLEN")
    eq(r.getrange("greeting", 0, 2), b"hel", "GETRANGE")
    eq(r.type("greeting"), b"string", "TYPE")


def test_multi_keys(r):
    eq(r.mset({"m1": "a", "m2": "b", "m3": "c"}), True, "MSET")
    eq(r.mget(["m1", "m2", "missing", "m3"]), [b"a", b"b", None, b"c"], "MGET")
    eq(r.exists("m1", "m2", "missing"), 2, "EXISTS")
    eq(r.exists("m1", "m1"), 2, "EXISTS with a repeated key")
    eq(r.delete("m1", "m2", "missing"), 2, "DEL")
    eq(r.exists("m1"), 0, "EXISTS after DEL")
    eq(r.unlink("m3"), 1, "UNLINK")
    eq(r.msetnx({"n1": "1", "n2": "2"}), True, "MSETNX")
    eq(r.msetnx({"n2": "x", "n3": "3"}), False, "MSETNX with an existing key")


def test_pipeline(r):
    p = r.pipeline(transaction=False)
    p.set("p1", "v1")
    p.incr("pc")
    p.incr("pc")
    p.get("p1")
    p.get("missing")
    p.delete("p1")
    p.exists("p1")
    res = p.execute()
    eq(res, [True, 1, 2, b"v1", None, 1, 0], "pipeline results")
    # a long pipeline
    p = r.pipeline(transaction=False)
    for i in range(500):
        p.set("pl:%d" % i, i)
    for i in range(500):
        p.get("pl:%d" % i)
    res = p.execute()
    eq(res[:500], [True] * 500, "pipeline SET results")
    eq(res[500:], [str(i).encode() for i in range(500)], "pipeline GET results")
    # an error inside a pipeline does not break the others
    p = r.pipeline(transaction=False)
    p.set("pe", "notanumber")
    p.incr("pe")
    p.get("pe")
    res = p.execute(raise_on_error=False)
    eq(res[0], True, "pipeline SET before error")
    check(isinstance(res[1], redis.ResponseError), "pipeline INCR error: %r" % (res[1],))
    eq(res[2], b"notanumber", "pipeline GET after error")


def test_transactions(r):
    # pipeline() is transactional by default: MULTI ... EXEC.
    p = r.pipeline()
    p.set("t1", "a")
    p.incr("tc")
    p.get("t1")
    eq(p.execute(), [True, 1, b"a"], "transactional pipeline")
    # WATCH + retry: transaction() retries until EXEC succeeds.
    r.set("bal", 10)

    def move(pipe):
        v = int(pipe.get("bal"))
        pipe.multi()
        pipe.set("bal", v - 3)
    r.transaction(move, "bal")
    eq(r.get("bal"), b"7", "transaction() with WATCH")
    # A change by another client makes EXEC fail with WatchError.
    other = redis.Redis(host=r.connection_pool.connection_kwargs["host"],
                        port=r.connection_pool.connection_kwargs["port"])
    with r.pipeline() as pipe:
        pipe.watch("bal")
        other.set("bal", 100)
        pipe.multi()
        pipe.set("bal", 0)
        try:
            pipe.execute()
            check(False, "EXEC after a concurrent change should raise WatchError")
        except redis.WatchError:
            pass
    eq(r.get("bal"), b"100", "the concurrent change stands")


def test_lock(r):
    # lock(): acquire is SET NX PX; release, extend and reacquire run Lua scripts
    # through register_script (EVALSHA, falling back to EVAL on NOSCRIPT).
    lock = r.lock("lk", timeout=5, blocking_timeout=1)
    check(lock.acquire(blocking=False), "lock acquired")
    check(lock.owned(), "lock owned")
    check(not r.lock("lk", timeout=5).acquire(blocking=False), "lock held")
    check(0 < r.pttl("lk") <= 5000, "lock has its TTL")
    check(lock.extend(10), "extend")
    check(r.pttl("lk") > 5000, "extend added time")
    check(lock.reacquire(), "reacquire")
    check(r.pttl("lk") <= 5000, "reacquire reset the TTL")
    # A lock whose token was taken over cannot be released or extended.
    r.set("lk", "someone else")
    try:
        lock.release()
        check(False, "releasing a lock owned by another token should raise")
    except redis.exceptions.LockNotOwnedError:
        pass
    eq(r.get("lk"), b"someone else", "the other owner's value stands")
    r.delete("lk")
    with r.lock("ctx", timeout=2, blocking_timeout=1):
        eq(r.exists("ctx"), 1, "held inside with")
    eq(r.exists("ctx"), 0, "released after with")
    # register_script survives SCRIPT FLUSH (EVALSHA gets NOSCRIPT, EVAL reloads).
    incr = r.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
    eq([incr(keys=["cnt"], args=[5]), incr(keys=["cnt"], args=[2])], [5, 7], "script calls")
    r.script_flush()
    eq(incr(keys=["cnt"], args=[1]), 8, "script after SCRIPT FLUSH")
    eq(r.script_exists(incr.sha), [True], "SCRIPT EXISTS")


def test_pubsub(r):
    p = r.pubsub()
    p.subscribe("news")
    p.psubscribe("ev*")
    deadline = time.time() + 5
    confirmations = []
    while len(confirmations) < 2 and time.time() < deadline:
        m = p.get_message(timeout=0.5)
        if m:
            confirmations.append(m["type"])
    eq(confirmations, ["subscribe", "psubscribe"], "pubsub confirmations")
    eq(r.publish("news", "hello"), 1, "PUBLISH to one subscriber")
    eq(r.publish("events", "x"), 1, "PUBLISH matching a pattern")
    got = []
    while len(got) < 2 and time.time() < deadline:
        m = p.get_message(timeout=0.5)
        if m:
            got.append((m["type"], m["channel"], m["data"]))
    eq(got, [("message", b"news", b"hello"), ("pmessage", b"events", b"x")], "messages")
    eq(r.pubsub_numsub("news"), [(b"news", 1)], "PUBSUB NUMSUB")
    p.close()


def test_scan(r):
    r.flushdb()
    p = r.pipeline(transaction=False)
    for i in range(1000):
        p.set("scan:%04d" % i, i)
    p.set("other", "x")
    p.execute()
    eq(r.dbsize(), 1001, "DBSIZE")
    seen = list(r.scan_iter(match="scan:*", count=37))
    eq(len(seen), 1000, "scan_iter returned count (duplicates included)")
    eq(len(set(seen)), 1000, "scan_iter distinct keys")
    eq(set(seen), {("scan:%04d" % i).encode() for i in range(1000)},
       "scan_iter key set")
    all_keys = list(r.scan_iter())
    eq(len(all_keys), 1001, "scan_iter without MATCH")
    eq(len(set(all_keys)), 1001, "scan_iter without MATCH, distinct")
    eq(sorted(r.keys("scan:000*")), [("scan:000%d" % i).encode() for i in range(10)],
       "KEYS pattern")


def test_client_name(r):
    eq(r.client_getname(), None, "CLIENT GETNAME before SETNAME")
    eq(r.client_setname("compat-test"), True, "CLIENT SETNAME")
    eq(_s(r.client_getname()), "compat-test", "CLIENT GETNAME")
    cid = r.client_id()
    check(isinstance(cid, int) and cid > 0, "CLIENT ID: %r" % (cid,))


def test_info_config(r):
    r.set("info-key", "1")
    info = r.info()
    check(isinstance(info, dict), "INFO did not parse into a dict")
    for key in ("redis_version", "connected_clients", "used_memory"):
        check(key in info, "INFO lacks %s (keys: %s)" % (key, sorted(info)[:40]))
    check(isinstance(info["connected_clients"], int) and info["connected_clients"] >= 1,
          "connected_clients: %r" % info["connected_clients"])
    check(isinstance(info["used_memory"], int) and info["used_memory"] > 0,
          "used_memory: %r" % info["used_memory"])
    check("db0" in info, "INFO has no db0 entry")
    check(isinstance(info["db0"], dict), "db0 is not a dict: %r" % (info["db0"],))
    for k in ("keys", "expires", "avg_ttl"):
        check(k in info["db0"], "db0 lacks %s: %r" % (k, info["db0"]))
    eq(info["db0"]["keys"], r.dbsize(), "db0 keys vs DBSIZE")
    ks = r.info("keyspace")
    check("db0" in ks, "INFO keyspace lacks db0: %r" % ks)
    srv = r.info("server")
    check("redis_version" in srv, "INFO server lacks redis_version")
    cfg = r.config_get("timeout")
    eq(_cfg(cfg), {"timeout": "0"}, "CONFIG GET timeout")
    cfg = r.config_get("maxmemory-policy")
    eq(_cfg(cfg), {"maxmemory-policy": "noeviction"}, "CONFIG GET maxmemory-policy")
    eq(r.config_set("timeout", 300), True, "CONFIG SET timeout")
    eq(_cfg(r.config_get("timeout")), {"timeout": "300"}, "CONFIG GET after SET")
    eq(r.config_set("timeout", 0), True, "CONFIG SET timeout back")
    eq(_cfg(r.config_get("no-such-parameter")), {}, "CONFIG GET unknown")
    t = r.time()
    check(isinstance(t, tuple) and len(t) == 2 and t[0] > 1600000000,
          "TIME: %r" % (t,))


def test_decode_responses(port):
    r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True,
                    socket_timeout=10)
    try:
        r.set("dec", "välue")
        eq(r.get("dec"), "välue", "GET with decode_responses")
        eq(r.mget("dec", "missing"), ["välue", None], "MGET with decode_responses")
    finally:
        r.close()


def resp3_supported():
    try:
        sig = inspect.signature(redis.Redis.__init__)
    except (TypeError, ValueError):
        return False
    return "protocol" in sig.parameters


def test_resp3(port):
    r = redis.Redis(host="127.0.0.1", port=port, protocol=3, socket_timeout=10)
    try:
        eq(r.ping(), True, "RESP3 PING")
        r.set("r3", "v")
        eq(r.get("r3"), b"v", "RESP3 GET")
        eq(r.get("missing"), None, "RESP3 GET missing")
        cfg = r.config_get("timeout")
        check(cfg.get("timeout") in ("0", b"0"), "RESP3 CONFIG GET: %r" % (cfg,))
        info = r.info()
        check("redis_version" in info, "RESP3 INFO")
    finally:
        r.close()


def main():
    ap = argparse.ArgumentParser(description="redis-py compatibility test")
    ap.add_argument("--server-bin", required=True)
    opts = ap.parse_args()
    print("redis-py %s, server %s" % (redis.__version__, opts.server_bin))

    try:
        server = Server(opts.server_bin, ["--save", "", "--appendonly", "no"],
                        name="server").start()
    except ServerError as e:
        print("FAIL: %s" % e)
        return 1
    tests = [
        ("basic", lambda: test_basic(r)),
        ("multi-key", lambda: test_multi_keys(r)),
        ("pipeline", lambda: test_pipeline(r)),
        ("transactions", lambda: test_transactions(r)),
        ("lock", lambda: test_lock(r)),
        ("pubsub", lambda: test_pubsub(r)),
        ("scan_iter", lambda: test_scan(r)),
        ("client name", lambda: test_client_name(r)),
        ("info/config", lambda: test_info_config(r)),
        ("decode_responses", lambda: test_decode_responses(server.port)),
    ]
    failed = 0
    r = None
    try:
        r = redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=10,
                        socket_connect_timeout=10)
        for name, fn in tests:
            try:
                fn()
                print("ok   %s" % name)
            except CheckFailed as e:
                failed += 1
                print("FAIL %s: %s" % (name, e))
            except Exception as e:  # noqa: BLE001 - report anything
                failed += 1
                print("FAIL %s: unexpected %s: %s" % (name, type(e).__name__, e))
                traceback.print_exc(limit=3)
        if resp3_supported():
            try:
                test_resp3(server.port)
                print("ok   resp3")
            except Exception as e:  # noqa: BLE001
                failed += 1
                print("FAIL resp3: %s: %s" % (type(e).__name__, e))
        else:
            print("skip resp3: redis-py %s has no protocol=3 support" % redis.__version__)
        if not server.alive():
            failed += 1
            print("FAIL: the server died during the test\n%s" % server.log_tail())
    finally:
        if r is not None:
            r.close()
        server.stop()
    if failed:
        print("%d check group(s) FAILED" % failed)
        return 1
    print("all redis-py checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
