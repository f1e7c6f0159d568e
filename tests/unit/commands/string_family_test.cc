#include <catch2/catch.hpp>

#include "unit/commands/harness.h"

using larder::testing::Harness;

TEST_CASE("SET and GET with options", "[strings]") {
  Harness h;
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
  CHECK(h.Run({"SET", "k", "v"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "k"}) == "$1\r\nv\r\n");
  CHECK(h.Run({"SET", "k", "w", "NX"}) == "$-1\r\n");
  CHECK(h.Run({"SET", "k", "w", "XX", "GET"}) == "$1\r\nv\r\n");
  CHECK(h.Run({"SET", "n", "w", "XX"}) == "$-1\r\n");
  CHECK(h.Run({"SET", "k", "v", "NX", "XX"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"SET", "k", "v", "EX", "0"}) == "-ERR invalid expire time in 'set' command\r\n");
  CHECK(h.Run({"SET", "k", "v", "EX", "x"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"SET", "k", "v", "KEEPTTL", "EX", "1"}) == "-ERR syntax error\r\n");
}

TEST_CASE("expiry follows the injected clock", "[strings][expire]") {
  Harness h;
  CHECK(h.Run({"SET", "k", "v", "PX", "1000"}) == "+OK\r\n");
  CHECK(h.Run({"PTTL", "k"}) == ":1000\r\n");
  CHECK(h.Run({"TTL", "k"}) == ":1\r\n");
  h.AdvanceMs(1000);
  CHECK(h.Run({"GET", "k"}) == "$1\r\nv\r\n");  // expires strictly after its time
  h.AdvanceMs(1);
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
  CHECK(h.Run({"TTL", "k"}) == ":-2\r\n");
  CHECK(h.Run({"SET", "k", "v", "EX", "10"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "k", "w", "KEEPTTL"}) == "+OK\r\n");
  CHECK(h.Run({"TTL", "k"}) == ":10\r\n");
  CHECK(h.Run({"SET", "k", "w"}) == "+OK\r\n");
  CHECK(h.Run({"TTL", "k"}) == ":-1\r\n");
}

TEST_CASE("active expiry reclaims keys nobody reads", "[expire]") {
  Harness h;
  for (int i = 0; i < 2000; ++i) {
    std::string k = "k" + std::to_string(i);
    h.Run({"SET", k, "v", "PX", i % 2 ? "100" : "100000"});
  }
  CHECK(h.engine().DbSize() == 2000);
  h.AdvanceMs(200);
  for (int i = 0; i < 100 && h.engine().DbSize() > 1000; ++i) {
    h.engine().ExpireCycle(std::chrono::microseconds(100000));
  }
  CHECK(h.engine().DbSize() == 1000);
}

TEST_CASE("counters", "[strings]") {
  Harness h;
  CHECK(h.Run({"INCR", "c"}) == ":1\r\n");
  CHECK(h.Run({"INCRBY", "c", "41"}) == ":42\r\n");
  CHECK(h.Run({"DECRBY", "c", "-9223372036854775808"}) == "-ERR decrement would overflow\r\n");
  CHECK(h.Run({"SET", "c", "9223372036854775807"}) == "+OK\r\n");
  CHECK(h.Run({"INCR", "c"}) == "-ERR increment or decrement would overflow\r\n");
  CHECK(h.Run({"INCRBYFLOAT", "f", "10.5"}) == "$4\r\n10.5\r\n");
  CHECK(h.Run({"INCRBYFLOAT", "f", "inf"}) == "-ERR increment would produce NaN or Infinity\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "f"}) == "$6\r\nembstr\r\n");
  CHECK(h.Run({"SET", "i", "123"}) == "+OK\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "i"}) == "$3\r\nint\r\n");
  CHECK(h.Run({"APPEND", "i", "4"}) == ":4\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "i"}) == "$3\r\nraw\r\n");
}

TEST_CASE("SETRANGE, GETRANGE and limits", "[strings]") {
  Harness h;
  CHECK(h.Run({"SETRANGE", "k", "5", "x"}) == ":6\r\n");
  CHECK(h.Run({"GET", "k"}) == std::string("$6\r\n\0\0\0\0\0x\r\n", 12));
  CHECK(h.Run({"GETRANGE", "k", "-1", "-1"}) == "$1\r\nx\r\n");
  CHECK(h.Run({"SETRANGE", "k", "536870912", "x"}) ==
        "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  CHECK(h.Run({"SETRANGE", "k", "-1", "x"}) == "-ERR offset is out of range\r\n");
}

TEST_CASE("LCS", "[strings]") {
  Harness h;
  h.Run({"MSET", "a", "ohmytext", "b", "mynewtext"});
  CHECK(h.Run({"LCS", "a", "b"}) == "$6\r\nmytext\r\n");
  CHECK(h.Run({"LCS", "a", "b", "LEN"}) == ":6\r\n");
  CHECK(h.Run({"LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}) ==
        "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n");
}

TEST_CASE("dispatcher errors", "[dispatch]") {
  Harness h;
  CHECK(h.Run({"NOPE", "a", "b"}) ==
        "-ERR unknown command 'NOPE', with args beginning with: 'a' 'b' \r\n");
  CHECK(h.Run({"GET"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(h.Run({"object", "foo"}) == "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n");
  CHECK(h.Run({"object", "freq"}) ==
        "-ERR wrong number of arguments for 'object|freq' command\r\n");
}

TEST_CASE("GET replies whole values of every size", "[strings]") {
  // Small values are copied straight into the reply; values with no room left in the
  // output's chunk (16 KiB) go through a scratch buffer first (20000 after 100000: the
  // buffer is longer than the value).
  Harness h;
  for (size_t n : {size_t(0), size_t(1), size_t(16), size_t(16 * 1024 - 26), size_t(16 * 1024 - 25),
                   size_t(16 * 1024), size_t(100000), size_t(20000)}) {
    std::string value(n, 'a');
    for (size_t i = 0; i < n; i += 7) value[i] = char('a' + i % 26);
    CHECK(h.Run({"SET", "k", value}) == "+OK\r\n");
    CHECK(h.Run({"GET", "k"}) == "$" + std::to_string(n) + "\r\n" + value + "\r\n");
  }
}
