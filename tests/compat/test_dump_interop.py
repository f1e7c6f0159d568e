#!/usr/bin/python3
"""DUMP / RESTORE interop between redis-server 7.0 and Larder, both directions.

Usage: /usr/bin/python3 test_dump_interop.py --larder-bin PATH --redis-bin PATH

Starts both servers on free loopback ports.  On the source server it creates every
type in its small and large encodings (some keys with a TTL), DUMPs each key and
RESTOREs the payload on the other server with the key's PTTL; then it compares TYPE,
the value, the TTL (within 2 s) and OBJECT ENCODING (small string sets are listpack in
Larder, as in Redis 7.2, and hashtable in 7.0: that one pair is accepted).  Then the
same from Larder to redis-server.  Uses Debian's python3-redis (run with
/usr/bin/python3).  Exits non-zero on the first failure.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))

from servers import Server  # noqa: E402

from checks import CheckFailed, outcome, redis  # noqa: E402


def populate(r):
    """Creates the test keys on `r`; returns their names."""
    r.flushall()
    r.set("str:embstr", "hello")
    r.set("str:int", "123456")
    r.set("str:int64", "-9223372036854775808")
    r.set("str:raw", "r" * 100)
    r.set("str:lzf", "compress me " * 20)
    r.set("str:bin", bytes(range(256)))
    r.set("str:ttl", "soon", px=600000)
    r.pfadd("str:hll", *["e%d" % i for i in range(50)])
    r.rpush("list:small", "a", "1", "-300", "70000", "x" * 80)
    r.rpush("list:large", *["element-%d-%s" % (i, "p" * (i % 50)) for i in range(2000)])
    r.lpush("list:lpushed", *["%d" % i for i in range(3000)])
    r.expire("list:large", 3600)
    r.sadd("set:intset", 1, 2, 3, -70000, 2 ** 40)
    r.sadd("set:intset-large", *range(0, 3000, 3))
    r.sadd("set:strings", "a", "b", "c")
    r.sadd("set:strings-large", *["m%d" % i for i in range(500)])
    r.sadd("set:long-member", "l" * 100)
    r.hset("hash:small", mapping={"f": "v", "n": "12", "neg": "-5"})
    r.hset("hash:large", mapping={"f%d" % i: "v%d" % i for i in range(700)})
    r.hset("hash:long-value", mapping={"f": "v" * 100, "g": "1"})
    r.pexpire("hash:small", 900000)
    r.zadd("zset:small", {"a": 1, "b": 2.5, "c": -0.125, "d": 1e100, "e": float("inf")})
    r.zadd("zset:large", {"m%d" % i: i * 0.7 - 50 for i in range(300)})
    r.zadd("zset:long-member", {"z" * 100: 3, "y": 4})
    r.expire("zset:large", 7200)
    return sorted(k.decode() for k in r.keys("*"))


def value_of(r, key):
    t = r.type(key)
    if t == b"string":
        return r.get(key)
    if t == b"list":
        return r.lrange(key, 0, -1)
    if t == b"set":
        return sorted(r.smembers(key))
    if t == b"hash":
        return sorted(r.hgetall(key).items())
    if t == b"zset":
        return r.zrange(key, 0, -1, withscores=True)
    raise CheckFailed("%s: unexpected type %r" % (key, t))


# (source encoding, target encoding) pairs accepted besides equality.
ENCODING_DIFFERENCES = {(b"hashtable", b"listpack"), (b"listpack", b"hashtable")}


def transfer(src, dst, src_name, dst_name):
    keys = populate(src)
    dst.flushall()
    for key in keys:
        payload = src.dump(key)
        ttl = src.pttl(key)
        dst.restore(key, ttl if ttl > 0 else 0, payload)
    for key in keys:
        what = "%s -> %s, key %s" % (src_name, dst_name, key)
        if src.type(key) != dst.type(key):
            raise CheckFailed("%s: TYPE %r vs %r" % (what, src.type(key), dst.type(key)))
        if value_of(src, key) != value_of(dst, key):
            raise CheckFailed("%s: values differ" % what)
        ttl_src, ttl_dst = src.pttl(key), dst.pttl(key)
        if (ttl_src < 0) != (ttl_dst < 0) or abs(ttl_src - ttl_dst) > 2000:
            raise CheckFailed("%s: PTTL %d vs %d" % (what, ttl_src, ttl_dst))
        enc_src = src.object("encoding", key)
        enc_dst = dst.object("encoding", key)
        if enc_src != enc_dst:
            small_string_set = src.type(key) == b"set" and (enc_src, enc_dst) in ENCODING_DIFFERENCES
            if not small_string_set:
                raise CheckFailed("%s: OBJECT ENCODING %r vs %r" % (what, enc_src, enc_dst))
        # The payload survives a second hop unchanged in meaning: DUMP on the target
        # restores on the source as the same value.
        src.restore(key + ":back", 0, dst.dump(key))
        if value_of(src, key + ":back") != value_of(src, key):
            raise CheckFailed("%s: the target's DUMP restores differently" % what)
    print("%s -> %s: %d keys restored and compared" % (src_name, dst_name, len(keys)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--larder-bin", required=True)
    ap.add_argument("--redis-bin", required=True)
    opts = ap.parse_args()
    args = ["--save", "", "--appendonly", "no"]

    def run():
        with Server(opts.redis_bin, args, name="redis-server") as rs, \
                Server(opts.larder_bin, args, name="larder-server") as ls:
            r = redis.Redis(host="127.0.0.1", port=rs.port)
            l = redis.Redis(host="127.0.0.1", port=ls.port)
            transfer(r, l, "redis", "larder")
            transfer(l, r, "larder", "redis")

    return outcome(run)

if __name__ == "__main__":
    sys.exit(main())
