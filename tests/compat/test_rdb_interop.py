#!/usr/bin/python3
"""RDB file interop between redis-server 7.0 and Larder, both directions.

Usage: /usr/bin/python3 test_rdb_interop.py --larder-bin PATH --redis-bin PATH

Larder -> Redis: Larder is filled with every type in its small and large encodings
(test_dump_interop.populate, some keys with a TTL, plus keys in database 5), SAVEs into
a shared directory and stops; redis-server is started on that file, and every key's
TYPE, value, TTL (within 3 s) and OBJECT ENCODING must equal what Larder had (small
string sets: listpack in Larder, hashtable in 7.0, as for DUMP).  Redis -> Larder: the
same with the roles swapped, and Larder's log must report the keys it loaded.  Uses
Debian's python3-redis (run with /usr/bin/python3).  Exits non-zero on a failure.
"""

import argparse
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, HERE)

from servers import Server  # noqa: E402
from test_dump_interop import ENCODING_DIFFERENCES, CheckFailed, populate, value_of  # noqa: E402

from checks import outcome, redis  # noqa: E402

OTHER_DB = 5


def fill(port):
    """Creates the test keys; returns {(db, key): (type, value, pttl, encoding)}."""
    r = redis.Redis(host="127.0.0.1", port=port)
    populate(r)
    other = redis.Redis(host="127.0.0.1", port=port, db=OTHER_DB)
    other.set("db5:str", "in another database", px=1800000)
    other.rpush("db5:list", *range(10))
    return contents(port)


def contents(port):
    out = {}
    for db in (0, OTHER_DB):
        r = redis.Redis(host="127.0.0.1", port=port, db=db)
        for key in sorted(r.keys("*")):
            out[(db, key)] = (r.type(key), value_of(r, key), r.pttl(key),
                              r.object("encoding", key))
    return out


def compare(expected, got, what):
    if set(expected) != set(got):
        raise CheckFailed("%s: keys differ: missing %s, extra %s" % (
            what, sorted(set(expected) - set(got))[:5], sorted(set(got) - set(expected))[:5]))
    for k, (t, v, ttl, enc) in expected.items():
        t2, v2, ttl2, enc2 = got[k]
        name = "%s, db %d key %r" % (what, k[0], k[1])
        if t != t2:
            raise CheckFailed("%s: TYPE %r vs %r" % (name, t, t2))
        if v != v2:
            raise CheckFailed("%s: values differ" % name)
        if (ttl < 0) != (ttl2 < 0) or abs(ttl - ttl2) > 3000:
            raise CheckFailed("%s: PTTL %d vs %d" % (name, ttl, ttl2))
        if enc != enc2 and not (t == b"set" and (enc, enc2) in ENCODING_DIFFERENCES):
            raise CheckFailed("%s: OBJECT ENCODING %r vs %r" % (name, enc, enc2))
    print("%s: %d keys loaded and compared" % (what, len(expected)))


def transfer(src_bin, dst_bin, workdir, filename, what, check_log=False):
    args = ["--save", "", "--appendonly", "no", "--dir", workdir, "--dbfilename", filename]
    with Server(src_bin, args, name="source") as src:
        expected = fill(src.port)
        if not redis.Redis(host="127.0.0.1", port=src.port).save():
            raise CheckFailed("%s: SAVE failed" % what)
    if not os.path.exists(os.path.join(workdir, filename)):
        raise CheckFailed("%s: no %s after SAVE" % (what, filename))
    with Server(dst_bin, args, name="target") as dst:
        compare(expected, contents(dst.port), what)
        if check_log:
            with open(dst.log_path, "rb") as f:
                log = f.read().decode("utf-8", "replace")
            line = "Done loading RDB, keys loaded: %d, keys expired: 0." % len(expected)
            if line not in log:
                raise CheckFailed("%s: the log lacks %r" % (what, line))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--larder-bin", required=True)
    ap.add_argument("--redis-bin", required=True)
    opts = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="larder-rdb-interop-")

    def run():
        transfer(opts.larder_bin, opts.redis_bin, workdir, "larder.rdb", "larder -> redis")
        transfer(opts.redis_bin, opts.larder_bin, workdir, "redis.rdb", "redis -> larder",
                 check_log=True)

    try:
        return outcome(run)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

if __name__ == "__main__":
    sys.exit(main())
