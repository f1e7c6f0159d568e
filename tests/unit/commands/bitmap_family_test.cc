// Expected replies were checked against redis-server 7.0.15.
#include <catch2/catch.hpp>

#include "unit/commands/harness.h"

using larder::testing::Harness;

namespace {
const char* kOffsetErr = "-ERR bit offset is not an integer or out of range\r\n";
const char* kBitErr = "-ERR bit is not an integer or out of range\r\n";
const char* kTypeErr =
    "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.\r\n";
}  // namespace

TEST_CASE("SETBIT and GETBIT", "[bitmap]") {
  Harness h;
  CHECK(h.Run({"SETBIT", "k", "7", "1"}) == ":0\r\n");
  CHECK(h.Run({"GET", "k"}) == "$1\r\n\x01\r\n");
  CHECK(h.Run({"SETBIT", "k", "7", "1"}) == ":1\r\n");
  CHECK(h.Run({"SETBIT", "k", "7", "0"}) == ":1\r\n");
  CHECK(h.Run({"SETBIT", "k", "17", "1"}) == ":0\r\n");
  CHECK(h.Run({"GET", "k"}) == std::string("$3\r\n\0\0\x40\r\n", 9));
  CHECK(h.Run({"GETBIT", "k", "17"}) == ":1\r\n");
  CHECK(h.Run({"GETBIT", "k", "16"}) == ":0\r\n");
  CHECK(h.Run({"GETBIT", "k", "1000"}) == ":0\r\n");
  CHECK(h.Run({"GETBIT", "missing", "0"}) == ":0\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "k"}) == "$3\r\nraw\r\n");
  CHECK(h.Run({"SETBIT", "new", "0", "0"}) == ":0\r\n");
  CHECK(h.Run({"GET", "new"}) == std::string("$1\r\n\0\r\n", 7));
  CHECK(h.Run({"SET", "n", "123"}) == "+OK\r\n");
  CHECK(h.Run({"GETBIT", "n", "2"}) == ":1\r\n");  // '1' = 0x31
  CHECK(h.Run({"SETBIT", "n", "7", "0"}) == ":1\r\n");
  CHECK(h.Run({"GET", "n"}) == "$3\r\n023\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "n"}) == "$3\r\nraw\r\n");
}

TEST_CASE("SETBIT and GETBIT argument errors", "[bitmap]") {
  Harness h;
  CHECK(h.Run({"SETBIT", "k", "-1", "1"}) == kOffsetErr);
  CHECK(h.Run({"SETBIT", "k", "x", "1"}) == kOffsetErr);
  CHECK(h.Run({"SETBIT", "k", "01", "1"}) == kOffsetErr);
  CHECK(h.Run({"SETBIT", "k", "4294967296", "1"}) == kOffsetErr);
  CHECK(h.Run({"SETBIT", "k", "4294967296", "2"}) == kOffsetErr);  // offset first
  CHECK(h.Run({"SETBIT", "k", "0", "2"}) == kBitErr);
  CHECK(h.Run({"SETBIT", "k", "0", "-1"}) == kBitErr);
  CHECK(h.Run({"SETBIT", "k", "0", "x"}) == kBitErr);
  CHECK(h.Run({"GETBIT", "k", "4294967296"}) == kOffsetErr);
  CHECK(h.Run({"GETBIT", "k", "-1"}) == kOffsetErr);
  CHECK(h.Run({"EXISTS", "k"}) == ":0\r\n");
  CHECK(h.Run({"SETBIT", "k"}) == "-ERR wrong number of arguments for 'setbit' command\r\n");
  CHECK(h.Run({"GETBIT", "k", "1", "2"}) ==
        "-ERR wrong number of arguments for 'getbit' command\r\n");
}

TEST_CASE("bit offsets up to 2^32-1 (proto-max-bulk-len)", "[bitmap][slow]") {
  Harness h;
  CHECK(h.Run({"GETBIT", "k", "4294967295"}) == ":0\r\n");
  CHECK(h.Run({"EXISTS", "k"}) == ":0\r\n");
  CHECK(h.Run({"SETBIT", "k", "4294967295", "1"}) == ":0\r\n");
  CHECK(h.Run({"STRLEN", "k"}) == ":536870912\r\n");
  CHECK(h.Run({"GETBIT", "k", "4294967295"}) == ":1\r\n");
  CHECK(h.Run({"GETBIT", "k", "4294967294"}) == ":0\r\n");
  CHECK(h.Run({"BITCOUNT", "k"}) == ":1\r\n");
  CHECK(h.Run({"BITPOS", "k", "1"}) == ":4294967295\r\n");
  CHECK(h.Run({"BITPOS", "k", "1", "-1", "-1", "BIT"}) == ":4294967295\r\n");
  CHECK(h.Run({"BITCOUNT", "k", "-8", "-1", "BIT"}) == ":1\r\n");
  CHECK(h.Run({"BITFIELD", "k", "GET", "u8", "4294967288"}) == "*1\r\n:1\r\n");
  CHECK(h.Run({"BITFIELD", "k", "GET", "u8", "#536870911"}) == "*1\r\n:1\r\n");
  CHECK(h.Run({"BITFIELD", "k", "GET", "u16", "#268435455"}) == "*1\r\n:1\r\n");
  CHECK(h.Run({"BITFIELD", "k", "GET", "u8", "#536870912"}) == kOffsetErr);
  CHECK(h.Run({"DEL", "k"}) == ":1\r\n");
}

TEST_CASE("BITCOUNT", "[bitmap]") {
  Harness h;
  CHECK(h.Run({"BITCOUNT", "missing"}) == ":0\r\n");
  CHECK(h.Run({"BITCOUNT", "missing", "a", "b"}) == ":0\r\n");  // key looked up first
  h.Run({"SET", "s", "foobar"});
  CHECK(h.Run({"BITCOUNT", "s"}) == ":26\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "0", "0"}) == ":4\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "1", "1"}) == ":6\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "1", "1", "BYTE"}) == ":6\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "5", "30", "BIT"}) == ":17\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "-1", "-1"}) == ":4\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "-3", "-1", "bit"}) == ":1\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "0", "-1", "bit"}) == ":26\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "3", "3", "bit"}) == ":0\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "-100", "100"}) == ":26\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "5", "2"}) == ":0\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "-1", "-2"}) == ":0\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "-1", "-2", "nonsense"}) == ":0\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "0"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "0", "1", "x"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "0", "1", "bit", "x"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "x", "1"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "0", "x", "bit"}) ==
        "-ERR value is not an integer or out of range\r\n");
  h.Run({"SET", "e", ""});
  CHECK(h.Run({"BITCOUNT", "e"}) == ":0\r\n");
  CHECK(h.Run({"BITCOUNT", "e", "0", "-1", "bit"}) == ":0\r\n");
}

TEST_CASE("BITPOS", "[bitmap]") {
  Harness h;
  CHECK(h.Run({"BITPOS", "missing", "0"}) == ":0\r\n");
  CHECK(h.Run({"BITPOS", "missing", "1"}) == ":-1\r\n");
  CHECK(h.Run({"BITPOS", "missing", "1", "x"}) == ":-1\r\n");
  CHECK(h.Run({"BITPOS", "missing", "2"}) == "-ERR The bit argument must be 1 or 0.\r\n");
  CHECK(h.Run({"BITPOS", "missing", "x"}) == "-ERR value is not an integer or out of range\r\n");
  h.Run({"SET", "p", "\xff\xf0\x00"});
  CHECK(h.Run({"BITPOS", "p", "0"}) == ":12\r\n");
  CHECK(h.Run({"BITPOS", "p", "1"}) == ":0\r\n");
  CHECK(h.Run({"BITPOS", "p", "1", "2"}) == ":-1\r\n");
  CHECK(h.Run({"BITPOS", "p", "0", "0", "0"}) == ":-1\r\n");
  CHECK(h.Run({"BITPOS", "p", "1", "7", "15", "BIT"}) == ":7\r\n");
  CHECK(h.Run({"BITPOS", "p", "0", "7", "15", "BIT"}) == ":12\r\n");
  CHECK(h.Run({"BITPOS", "p", "0", "3", "11", "bit"}) == ":-1\r\n");
  CHECK(h.Run({"BITPOS", "p", "1", "12", "-1", "bit"}) == ":-1\r\n");
  CHECK(h.Run({"BITPOS", "p", "1", "-3"}) == ":0\r\n");
  CHECK(h.Run({"BITPOS", "p", "1", "5"}) == ":-1\r\n");
  CHECK(h.Run({"BITPOS", "p", "1", "0", "1", "x"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"BITPOS", "p", "1", "0", "x", "x"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"BITPOS", "p", "1", "x", "1", "x"}) ==
        "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"BITPOS", "p", "1", "0", "1", "bit", "x"}) == "-ERR syntax error\r\n");
  h.Run({"SET", "ones", "\xff\xff\xff"});
  CHECK(h.Run({"BITPOS", "ones", "0"}) == ":24\r\n");
  CHECK(h.Run({"BITPOS", "ones", "0", "1"}) == ":24\r\n");
  CHECK(h.Run({"BITPOS", "ones", "0", "0", "-1"}) == ":-1\r\n");
  CHECK(h.Run({"BITPOS", "ones", "0", "0", "-1", "bit"}) == ":-1\r\n");
  h.Run({"SET", "zeros", std::string(20, '\0')});
  CHECK(h.Run({"BITPOS", "zeros", "1"}) == ":-1\r\n");
  CHECK(h.Run({"BITPOS", "zeros", "0", "3"}) == ":24\r\n");
  CHECK(h.Run({"SETBIT", "zeros", "150", "1"}) == ":0\r\n");
  CHECK(h.Run({"BITPOS", "zeros", "1"}) == ":150\r\n");
  CHECK(h.Run({"BITPOS", "zeros", "1", "2", "-2"}) == ":150\r\n");
  CHECK(h.Run({"BITPOS", "zeros", "1", "151", "-1", "bit"}) == ":-1\r\n");
  h.Run({"SET", "e", ""});
  CHECK(h.Run({"BITPOS", "e", "0"}) == ":-1\r\n");
  CHECK(h.Run({"BITPOS", "e", "1"}) == ":-1\r\n");
}

TEST_CASE("BITOP", "[bitmap]") {
  Harness h;
  h.Run({"SET", "a", "abc"});
  h.Run({"SET", "b", "\xff"});
  CHECK(h.Run({"BITOP", "AND", "d", "a", "b"}) == ":3\r\n");
  CHECK(h.Run({"GET", "d"}) == std::string("$3\r\na\0\0\r\n", 9));
  CHECK(h.Run({"OBJECT", "ENCODING", "d"}) == "$3\r\nraw\r\n");
  CHECK(h.Run({"BITOP", "or", "d", "a", "b"}) == ":3\r\n");
  CHECK(h.Run({"GET", "d"}) == "$3\r\n\xff" "bc\r\n");
  CHECK(h.Run({"BITOP", "XOR", "d", "a", "b", "a"}) == ":3\r\n");
  CHECK(h.Run({"GET", "d"}) == std::string("$3\r\n\xff\0\0\r\n", 9));
  CHECK(h.Run({"BITOP", "NOT", "d", "a"}) == ":3\r\n");
  CHECK(h.Run({"GET", "d"}) == "$3\r\n\x9e\x9d\x9c\r\n");
  CHECK(h.Run({"BITOP", "AND", "d", "a", "missing"}) == ":3\r\n");
  CHECK(h.Run({"GET", "d"}) == std::string("$3\r\n\0\0\0\r\n", 9));
  CHECK(h.Run({"BITOP", "NOT", "d", "a", "b"}) ==
        "-ERR BITOP NOT must be called with a single source key.\r\n");
  CHECK(h.Run({"BITOP", "NAND", "d", "a"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"BITOP", "AND", "d"}) == "-ERR wrong number of arguments for 'bitop' command\r\n");
  // An empty result deletes the destination; the result replaces any TTL.
  CHECK(h.Run({"BITOP", "OR", "d", "missing", "missing2"}) == ":0\r\n");
  CHECK(h.Run({"EXISTS", "d"}) == ":0\r\n");
  h.Run({"SET", "d", "x", "EX", "100"});
  CHECK(h.Run({"BITOP", "OR", "d", "a"}) == ":3\r\n");
  CHECK(h.Run({"TTL", "d"}) == ":-1\r\n");
  CHECK(h.Run({"BITOP", "OR", "a", "a", "b"}) == ":3\r\n");  // destination among sources
  CHECK(h.Run({"GET", "a"}) == "$3\r\n\xff" "bc\r\n");
}

TEST_CASE("BITFIELD GET SET INCRBY", "[bitmap][bitfield]") {
  Harness h;
  CHECK(h.Run({"BITFIELD", "missing"}) == "*0\r\n");
  CHECK(h.Run({"BITFIELD", "missing", "GET", "u8", "0"}) == "*1\r\n:0\r\n");
  CHECK(h.Run({"EXISTS", "missing"}) == ":0\r\n");
  CHECK(h.Run({"BITFIELD", "k", "INCRBY", "i5", "100", "1", "GET", "u4", "0"}) ==
        "*2\r\n:1\r\n:0\r\n");
  CHECK(h.Run({"STRLEN", "k"}) == ":14\r\n");
  CHECK(h.Run({"BITFIELD", "k", "SET", "u8", "#1", "255", "GET", "u8", "8", "GET", "i8", "#1"}) ==
        "*3\r\n:0\r\n:255\r\n:-1\r\n");
  CHECK(h.Run({"BITFIELD", "k", "set", "i16", "4", "-2", "get", "i16", "4", "get", "u4", "4"}) ==
        "*3\r\n:4080\r\n:-2\r\n:15\r\n");
  CHECK(h.Run({"BITFIELD", "k", "GET", "u8", "1000"}) == "*1\r\n:0\r\n");
  CHECK(h.Run({"BITFIELD", "k", "GET", "i64", "100", "GET", "u63", "101"}) ==
        "*2\r\n:576460752303423488\r\n:576460752303423488\r\n");
  CHECK(h.Run({"BITFIELD_RO", "k", "GET", "u4", "101"}) == "*1\r\n:1\r\n");
  h.Run({"SET", "n", "123"});
  CHECK(h.Run({"BITFIELD", "n", "GET", "u8", "0", "INCRBY", "u8", "0", "1"}) ==
        "*2\r\n:49\r\n:50\r\n");
  CHECK(h.Run({"GET", "n"}) == "$3\r\n223\r\n");
}

TEST_CASE("BITFIELD overflow modes", "[bitmap][bitfield]") {
  Harness h;
  CHECK(h.Run({"BITFIELD", "k", "OVERFLOW", "WRAP", "INCRBY", "u2", "100", "1"}) == "*1\r\n:1\r\n");
  CHECK(h.Run({"BITFIELD", "k", "INCRBY", "u2", "100", "1"}) == "*1\r\n:2\r\n");
  CHECK(h.Run({"BITFIELD", "k", "INCRBY", "u2", "100", "1"}) == "*1\r\n:3\r\n");
  CHECK(h.Run({"BITFIELD", "k", "INCRBY", "u2", "100", "1"}) == "*1\r\n:0\r\n");
  CHECK(h.Run({"BITFIELD", "k", "SET", "u2", "100", "3"}) == "*1\r\n:0\r\n");
  CHECK(h.Run({"BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "u2", "100", "1"}) == "*1\r\n:3\r\n");
  CHECK(h.Run({"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "1"}) ==
        "*1\r\n$-1\r\n");
  CHECK(h.Run({"BITFIELD", "k", "OVERFLOW", "sat", "INCRBY", "u2", "100", "-10"}) ==
        "*1\r\n:0\r\n");
  CHECK(h.Run({"BITFIELD", "k", "OVERFLOW", "wrap", "INCRBY", "i4", "0", "9", "INCRBY", "i4", "0",
               "-20", "OVERFLOW", "SAT", "INCRBY", "i4", "0", "100", "INCRBY", "i4", "0", "-100"}) ==
        "*4\r\n:-7\r\n:5\r\n:7\r\n:-8\r\n");
  // SET values out of range.
  CHECK(h.Run({"BITFIELD", "s", "SET", "u8", "0", "256", "GET", "u8", "0"}) == "*2\r\n:0\r\n:0\r\n");
  CHECK(h.Run({"BITFIELD", "s", "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "GET", "u8", "0"}) ==
        "*2\r\n:0\r\n:255\r\n");
  CHECK(h.Run({"BITFIELD", "s", "OVERFLOW", "SAT", "SET", "i8", "0", "-129", "GET", "i8", "0"}) ==
        "*2\r\n:-1\r\n:-128\r\n");
  // redis-server's range check wraps around for values near INT64_MIN: "up" overflow.
  CHECK(h.Run({"BITFIELD", "s", "OVERFLOW", "SAT", "SET", "i8", "0", "-9223372036854775808",
               "GET", "i8", "0"}) == "*2\r\n:-128\r\n:127\r\n");
  CHECK(h.Run({"BITFIELD", "s", "OVERFLOW", "FAIL", "SET", "i8", "0", "200", "GET", "i8", "0"}) ==
        "*2\r\n$-1\r\n:127\r\n");
  // FAIL still creates the key.
  CHECK(h.Run({"BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u2", "0", "5"}) == "*1\r\n$-1\r\n");
  CHECK(h.Run({"GET", "f"}) == std::string("$1\r\n\0\r\n", 7));
  CHECK(h.Run({"HELLO", "3"}).size() > 0);
  CHECK(h.Run({"BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u2", "0", "5"}) == "*1\r\n_\r\n");
}

TEST_CASE("BITFIELD i64 and u63 extremes", "[bitmap][bitfield]") {
  Harness h;
  CHECK(h.Run({"BITFIELD", "k", "SET", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0",
               "1"}) == "*2\r\n:0\r\n:-9223372036854775808\r\n");
  CHECK(h.Run({"BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1", "INCRBY", "i64", "0",
               "9223372036854775807"}) == "*2\r\n:-9223372036854775808\r\n:-1\r\n");
  CHECK(h.Run({"BITFIELD", "k", "SET", "i64", "0", "9223372036854775807", "OVERFLOW", "FAIL",
               "INCRBY", "i64", "0", "1", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "1"}) ==
        "*3\r\n:-1\r\n$-1\r\n:9223372036854775807\r\n");
  CHECK(h.Run({"BITFIELD", "k", "SET", "i64", "0", "-9223372036854775808", "GET", "u63", "0", "GET",
               "u63", "1"}) == "*3\r\n:9223372036854775807\r\n:4611686018427387904\r\n:0\r\n");
  CHECK(h.Run({"BITFIELD", "u", "SET", "u63", "1", "9223372036854775807", "INCRBY", "u63", "1",
               "1", "OVERFLOW", "SAT", "INCRBY", "u63", "1", "-1", "SET", "u63", "1",
               "-1"}) == "*4\r\n:0\r\n:0\r\n:0\r\n:0\r\n");
  CHECK(h.Run({"BITFIELD", "u", "GET", "u63", "1", "GET", "i64", "0"}) ==
        "*2\r\n:9223372036854775807\r\n:9223372036854775807\r\n");
  CHECK(h.Run({"BITFIELD", "u", "GET", "u1", "0", "GET", "i1", "1", "GET", "u1", "1"}) ==
        "*3\r\n:0\r\n:-1\r\n:1\r\n");
}

TEST_CASE("BITFIELD argument errors and BITFIELD_RO", "[bitmap][bitfield]") {
  Harness h;
  CHECK(h.Run({"BITFIELD", "k", "GET", "u64", "0"}) == kTypeErr);
  CHECK(h.Run({"BITFIELD", "k", "GET", "i65", "0"}) == kTypeErr);
  CHECK(h.Run({"BITFIELD", "k", "GET", "u0", "0"}) == kTypeErr);
  CHECK(h.Run({"BITFIELD", "k", "GET", "U8", "0"}) == kTypeErr);
  CHECK(h.Run({"BITFIELD", "k", "GET", "u08", "0"}) == kTypeErr);
  CHECK(h.Run({"BITFIELD", "k", "GET", "", "0"}) == kTypeErr);
  CHECK(h.Run({"BITFIELD", "k", "GET", std::string("u8\0x", 4), "0"}) == "*1\r\n:0\r\n");
  CHECK(h.Run({"BITFIELD", "k", "GET", "u8", "#"}) == kOffsetErr);
  CHECK(h.Run({"BITFIELD", "k", "GET", "u8", "#-1"}) == kOffsetErr);
  CHECK(h.Run({"BITFIELD", "k", "GET", "u8", "-1"}) == kOffsetErr);
  CHECK(h.Run({"BITFIELD", "k", "GET", "u8", "4294967296"}) == kOffsetErr);
  // "#N" is N * width, wrapping like redis-server's 64-bit multiplication.
  CHECK(h.Run({"BITFIELD", "k", "GET", "i64", "#144115188075855872"}) == kOffsetErr);
  CHECK(h.Run({"BITFIELD", "k", "GET", "i64", "#288230376151711745"}) == "*1\r\n:0\r\n");
  CHECK(h.Run({"BITFIELD", "k", "SET", "i8", "0", "x"}) ==
        "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"BITFIELD", "k", "SET", "i8", "0"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"BITFIELD", "k", "GET", "u8"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"BITFIELD", "k", "OVERFLOW"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"BITFIELD", "k", "OVERFLOW", "foo"}) == "-ERR Invalid OVERFLOW type specified\r\n");
  CHECK(h.Run({"BITFIELD", "k", "FOO", "u8", "0"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"EXISTS", "k"}) == ":0\r\n");
  CHECK(h.Run({"BITFIELD_RO", "k", "GET", "u8", "0", "SET", "u8", "0", "1"}) ==
        "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
  CHECK(h.Run({"BITFIELD_RO", "k", "INCRBY", "u8", "0", "1"}) ==
        "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
  CHECK(h.Run({"BITFIELD_RO", "k", "SET", "u8", "x", "1"}) == kOffsetErr);  // parsed first
  CHECK(h.Run({"BITFIELD_RO", "k", "OVERFLOW", "SAT"}) == "*0\r\n");
  CHECK(h.Run({"EXISTS", "k"}) == ":0\r\n");
}
