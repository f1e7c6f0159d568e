"""What the python compatibility tests share: redis-py (Debian's python3-redis, so run
them with /usr/bin/python3), the CheckFailed exception, and how a test's outcome
becomes its exit code."""

import sys

from servers import ServerError

try:
    import redis
except ImportError as e:  # pragma: no cover
    print("FAIL: cannot import redis (python3-redis); run with /usr/bin/python3: %s" % e)
    sys.exit(2)


class CheckFailed(Exception):
    pass


def outcome(run):
    """Calls run(); prints OK or FAIL and returns the exit code: 0 passed, 1 a check
    failed, 2 a server or client error."""
    try:
        run()
    except CheckFailed as e:
        print("FAIL: %s" % e)
        return 1
    except (ServerError, redis.RedisError, OSError) as e:
        print("FAIL: %s" % e)
        return 2
    print("OK")
    return 0
