// Expected replies were checked against redis-server 7.0.15.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_table.h"
#include "commands/families.h"
#include "unit/commands/harness.h"

using larder::testing::Harness;

namespace {

const char* kSyntaxErr = "-ERR syntax error\r\n";
const char* kIntErr = "-ERR value is not an integer or out of range\r\n";
const char* kScoreErr = "-ERR One or more scores can't be converted into double\r\n";
const char* kWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

// A RESP2 array of bulk strings; nullptr is a null bulk.
std::string Arr(std::initializer_list<const char*> items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const char* s : items) {
    if (s == nullptr) {
      out += "$-1\r\n";
    } else {
      out += "$" + std::to_string(std::string_view(s).size()) + "\r\n" + s + "\r\n";
    }
  }
  return out;
}

}  // namespace

TEST_CASE("SORT orders numerically by default", "[sort]") {
  Harness h;
  h.Run({"RPUSH", "l", "3", "1", "2", "10", "-5", "2.5", "1e2", "0"});
  CHECK(h.Run({"SORT", "l"}) == Arr({"-5", "0", "1", "2", "2.5", "3", "10", "1e2"}));
  CHECK(h.Run({"SORT", "l", "DESC"}) == Arr({"1e2", "10", "3", "2.5", "2", "1", "0", "-5"}));
  CHECK(h.Run({"SORT", "l", "desc", "ASC"}) == h.Run({"SORT", "l"}));
  // The list itself is unchanged.
  CHECK(h.Run({"LRANGE", "l", "0", "1"}) == Arr({"3", "1"}));
  // Equal numbers are ordered by their bytes.
  h.Run({"RPUSH", "ties", "2", "02", "2.0", "1", "01", "-0", "0"});
  CHECK(h.Run({"SORT", "ties"}) == Arr({"-0", "0", "01", "1", "02", "2", "2.0"}));
  CHECK(h.Run({"SORT", "ties", "DESC"}) == Arr({"2.0", "2", "02", "1", "01", "0", "-0"}));
  // strtod() syntax: blanks before, inf, hex; an empty string is 0.
  h.Run({"RPUSH", "odd", "1", " 2", "inf", "-inf", "", "0x10"});
  CHECK(h.Run({"SORT", "odd"}) == Arr({"-inf", "", "1", " 2", "0x10", "inf"}));
}

TEST_CASE("SORT rejects values that are not numbers", "[sort]") {
  Harness h;
  h.Run({"RPUSH", "words", "banana", "10"});
  CHECK(h.Run({"SORT", "words"}) == kScoreErr);
  CHECK(h.Run({"SORT_RO", "words"}) == kScoreErr);
  h.Run({"RPUSH", "trail", "1", "3 "});
  CHECK(h.Run({"SORT", "trail"}) == kScoreErr);
  h.Run({"RPUSH", "nan", "1", "nan"});
  CHECK(h.Run({"SORT", "nan"}) == kScoreErr);
  h.Run({"RPUSH", "huge", "1", "1e400"});
  CHECK(h.Run({"SORT", "huge"}) == kScoreErr);
  // Bytes after a NUL are not seen by strtod().
  h.Run({"RPUSH", "nul", std::string_view("1\0x", 3), "0"});
  CHECK(h.Run({"SORT", "nul"}) == std::string("*2\r\n$1\r\n0\r\n$3\r\n1\0x\r\n", 20));
  // Nothing is stored on error.
  CHECK(h.Run({"SORT", "words", "STORE", "dst"}) == kScoreErr);
  CHECK(h.Run({"EXISTS", "dst"}) == ":0\r\n");
  // ALPHA and BY nosort do not convert.
  CHECK(h.Run({"SORT", "words", "ALPHA"}) == Arr({"10", "banana"}));
  CHECK(h.Run({"SORT", "words", "BY", "nosort"}) == Arr({"banana", "10"}));
}

TEST_CASE("SORT ALPHA compares bytes", "[sort]") {
  Harness h;
  h.Run({"RPUSH", "bin", "b", "a", "ab", "B", "", "a b", "1"});
  CHECK(h.Run({"SORT", "bin", "ALPHA"}) == Arr({"", "1", "B", "a", "a b", "ab", "b"}));
  CHECK(h.Run({"SORT", "bin", "ALPHA", "DESC"}) == Arr({"b", "ab", "a b", "a", "B", "1", ""}));
  CHECK(h.Run({"SORT", "bin", "alpha", "LIMIT", "1", "2"}) == Arr({"1", "B"}));
  h.Run({"SADD", "s", "pear", "apple", "fig", "42"});
  CHECK(h.Run({"SORT", "s", "ALPHA"}) == Arr({"42", "apple", "fig", "pear"}));
}

TEST_CASE("SORT LIMIT clamps like Redis", "[sort]") {
  Harness h;
  h.Run({"RPUSH", "l", "5", "4", "3", "2", "1"});
  CHECK(h.Run({"SORT", "l", "LIMIT", "0", "2"}) == Arr({"1", "2"}));
  CHECK(h.Run({"SORT", "l", "LIMIT", "3", "10"}) == Arr({"4", "5"}));
  CHECK(h.Run({"SORT", "l", "LIMIT", "5", "1"}) == Arr({}));
  CHECK(h.Run({"SORT", "l", "LIMIT", "0", "0"}) == Arr({}));
  CHECK(h.Run({"SORT", "l", "LIMIT", "0", "-1"}) == Arr({"1", "2", "3", "4", "5"}));
  CHECK(h.Run({"SORT", "l", "LIMIT", "-2", "2"}) == Arr({"1", "2"}));
  CHECK(h.Run({"SORT", "l", "LIMIT", "3", "-7"}) == Arr({"4", "5"}));
  CHECK(h.Run({"SORT", "l", "DESC", "LIMIT", "1", "2"}) == Arr({"4", "3"}));
  CHECK(h.Run({"SORT", "l", "LIMIT", "0", "1", "LIMIT", "2", "2"}) == Arr({"3", "4"}));
  CHECK(h.Run({"SORT", "l", "LIMIT", "2", "9223372036854775807"}) == Arr({"3", "4", "5"}));
  CHECK(h.Run({"SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"}) == Arr({}));
  CHECK(h.Run({"SORT", "l", "LIMIT", "-9223372036854775808", "1"}) == Arr({"1"}));
  CHECK(h.Run({"SORT", "l", "LIMIT", "0", "9223372036854775808"}) == kIntErr);
  CHECK(h.Run({"SORT", "l", "LIMIT", "a", "1"}) == kIntErr);
  CHECK(h.Run({"SORT", "l", "LIMIT", "1", "01"}) == kIntErr);
  CHECK(h.Run({"SORT", "l", "LIMIT", "1"}) == kSyntaxErr);
  CHECK(h.Run({"SORT", "l", "LIMIT"}) == kSyntaxErr);
}

TEST_CASE("SORT option errors and types", "[sort]") {
  Harness h;
  h.Run({"RPUSH", "l", "2", "1"});
  h.Run({"SET", "str", "v"});
  h.Run({"HSET", "h", "f", "v"});
  CHECK(h.Run({"SORT", "l", "FOO"}) == kSyntaxErr);
  CHECK(h.Run({"SORT", "l", "BY"}) == kSyntaxErr);
  CHECK(h.Run({"SORT", "l", "GET"}) == kSyntaxErr);
  CHECK(h.Run({"SORT", "l", "STORE"}) == kSyntaxErr);
  CHECK(h.Run({"SORT", "l", "STORE", "a", "b"}) == kSyntaxErr);
  CHECK(h.Run({"SORT_RO", "l", "STORE", "dst"}) == kSyntaxErr);
  CHECK(h.Run({"SORT"}) == "-ERR wrong number of arguments for 'sort' command\r\n");
  CHECK(h.Run({"SORT_RO"}) == "-ERR wrong number of arguments for 'sort_ro' command\r\n");
  CHECK(h.Run({"SORT", "str"}) == kWrongType);
  CHECK(h.Run({"SORT", "h"}) == kWrongType);
  CHECK(h.Run({"SORT_RO", "str", "ALPHA"}) == kWrongType);
  CHECK(h.Run({"SORT", "str", "FOO"}) == kSyntaxErr);  // options are parsed first
  CHECK(h.Run({"SORT", "str", "STORE", "dst"}) == kWrongType);
  CHECK(h.Run({"EXISTS", "dst"}) == ":0\r\n");
  CHECK(h.Run({"SORT", "missing"}) == Arr({}));
  CHECK(h.Run({"SORT_RO", "missing", "ALPHA", "DESC", "LIMIT", "0", "5"}) == Arr({}));
  // strcasecmp() stops at a NUL byte.
  CHECK(h.Run({"SORT", "l", std::string_view("desc\0x", 6)}) == Arr({"2", "1"}));
}

TEST_CASE("SORT BY patterns", "[sort]") {
  Harness h;
  h.Run({"RPUSH", "l", "1", "2", "3", "4"});
  h.Run({"MSET", "w_1", "40", "w_2", "10", "w_3", "30", "w_4", "20"});
  CHECK(h.Run({"SORT", "l", "BY", "w_*"}) == Arr({"2", "4", "3", "1"}));
  CHECK(h.Run({"SORT", "l", "BY", "w_*", "DESC"}) == Arr({"1", "3", "4", "2"}));
  CHECK(h.Run({"SORT", "l", "BY", "w_*", "LIMIT", "1", "2"}) == Arr({"4", "3"}));
  // Missing weights are 0, ties ordered by the element.
  CHECK(h.Run({"SORT", "l", "BY", "nokey_*", "DESC"}) == Arr({"4", "3", "2", "1"}));
  h.Run({"SET", "w_3", "abc"});
  CHECK(h.Run({"SORT", "l", "BY", "w_*"}) == kScoreErr);
  CHECK(h.Run({"SORT", "l", "BY", "w_*", "ALPHA"}) == Arr({"2", "4", "1", "3"}));
  h.Run({"SET", "w_3", "30"});
  // Only the first '*' is replaced; the rest of the pattern is literal.
  h.Run({"MSET", "x_1_*", "4", "x_2_*", "3", "x_3_*", "2", "x_4_*", "1"});
  CHECK(h.Run({"SORT", "l", "BY", "x_*_*"}) == Arr({"4", "3", "2", "1"}));
  CHECK(h.Run({"SORT", "l", "BY", "*_w"}) == Arr({"1", "2", "3", "4"}));
  // A weight key of another type is missing.
  h.Run({"RPUSH", "lw_1", "x"});
  CHECK(h.Run({"SORT", "l", "BY", "lw_*"}) == Arr({"1", "2", "3", "4"}));
  // Hash fields.
  h.Run({"HSET", "o_1", "w", "4", "name", "one"});
  h.Run({"HSET", "o_2", "w", "3", "name", "two"});
  h.Run({"HSET", "o_3", "w", "2", "name", "three"});
  h.Run({"HSET", "o_4", "w", "1", "name", "four"});
  CHECK(h.Run({"SORT", "l", "BY", "o_*->w"}) == Arr({"4", "3", "2", "1"}));
  CHECK(h.Run({"SORT", "l", "BY", "o_*->name", "ALPHA"}) == Arr({"4", "1", "3", "2"}));
  CHECK(h.Run({"SORT", "l", "BY", "o_*->nofield"}) == Arr({"1", "2", "3", "4"}));
  CHECK(h.Run({"SORT", "l", "BY", "o_*->name"}) == kScoreErr);
  CHECK(h.Run({"SORT", "l", "BY", "w_*->w"}) == Arr({"1", "2", "3", "4"}));  // not a hash
  // "->" with nothing after it is part of the key name.
  h.Run({"SET", "o_2->", "-1"});
  CHECK(h.Run({"SORT", "l", "BY", "o_*->"}) == Arr({"2", "1", "3", "4"}));
}

TEST_CASE("SORT ALPHA BY keeps the stored order of equal weights", "[sort]") {
  Harness h;
  h.Run({"RPUSH", "m", "e", "d", "c", "b", "a", "f"});
  h.Run({"MSET", "w_a", "x", "w_b", "x", "w_c", "y", "w_d", "x"});
  CHECK(h.Run({"SORT", "m", "BY", "w_*", "ALPHA"}) == Arr({"e", "f", "d", "b", "a", "c"}));
  CHECK(h.Run({"SORT", "m", "BY", "w_*", "ALPHA", "DESC"}) == Arr({"c", "d", "b", "a", "e", "f"}));
}

TEST_CASE("SORT BY without '*' does not sort", "[sort]") {
  Harness h;
  h.Run({"RPUSH", "l", "3", "1", "2", "10"});
  CHECK(h.Run({"SORT", "l", "BY", "nosort"}) == Arr({"3", "1", "2", "10"}));
  CHECK(h.Run({"SORT", "l", "BY", "nosort", "DESC"}) == Arr({"10", "2", "1", "3"}));
  CHECK(h.Run({"SORT", "l", "BY", "nosort", "LIMIT", "1", "2"}) == Arr({"1", "2"}));
  CHECK(h.Run({"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"}) == Arr({"2", "1"}));
  CHECK(h.Run({"SORT", "l", "BY", "nosort", "LIMIT", "9", "2"}) == Arr({}));
  CHECK(h.Run({"SORT", "l", "BY", ""}) == Arr({"3", "1", "2", "10"}));
  // Once a BY without '*' was seen, a later BY with one does not sort either.
  CHECK(h.Run({"SORT", "l", "BY", "nosort", "BY", "w_*"}) == Arr({"3", "1", "2", "10"}));
  CHECK(h.Run({"SORT", "l", "BY", "w_*", "BY", "nosort"}) == Arr({"3", "1", "2", "10"}));
  // A set keeps its iteration order (an intset's is ascending); DESC is ignored.
  h.Run({"SADD", "si", "5", "3", "9", "1", "7"});
  CHECK(h.Run({"SORT", "si", "BY", "nosort"}) == Arr({"1", "3", "5", "7", "9"}));
  CHECK(h.Run({"SORT", "si", "BY", "nosort", "DESC", "LIMIT", "1", "2"}) == Arr({"3", "5"}));
  // ... but what is stored is sorted (ALPHA), for determinism.
  h.Run({"SADD", "ss", "pear", "apple", "fig", "42"});
  CHECK(h.Run({"SORT", "ss", "BY", "nosort", "STORE", "dst"}) == ":4\r\n");
  CHECK(h.Run({"LRANGE", "dst", "0", "-1"}) == Arr({"42", "apple", "fig", "pear"}));
  CHECK(h.Run({"SORT", "si", "BY", "nosort", "DESC", "STORE", "dst"}) == ":5\r\n");
  CHECK(h.Run({"LRANGE", "dst", "0", "-1"}) == Arr({"9", "7", "5", "3", "1"}));
}

TEST_CASE("SORT GET patterns", "[sort]") {
  Harness h;
  h.Run({"RPUSH", "l", "1", "2", "3"});
  h.Run({"MSET", "name_1", "alice", "name_2", "bob", "w_1", "3", "w_2", "1", "w_3", "2"});
  h.Run({"HSET", "o_1", "n", "one"});
  h.Run({"HSET", "o_3", "n", "three"});
  CHECK(h.Run({"SORT", "l", "GET", "name_*"}) == Arr({"alice", "bob", nullptr}));
  CHECK(h.Run({"SORT", "l", "GET", "#", "GET", "name_*"}) ==
        Arr({"1", "alice", "2", "bob", "3", nullptr}));
  CHECK(h.Run({"SORT", "l", "BY", "w_*", "GET", "name_*", "GET", "#"}) ==
        Arr({"bob", "2", nullptr, "3", "alice", "1"}));
  CHECK(h.Run({"SORT", "l", "GET", "o_*->n", "GET", "o_*->x"}) ==
        Arr({"one", nullptr, nullptr, nullptr, "three", nullptr}));
  CHECK(h.Run({"SORT", "l", "GET", "name_*->n"}) == Arr({nullptr, nullptr, nullptr}));
  CHECK(h.Run({"SORT", "l", "GET", "nostar"}) == Arr({nullptr, nullptr, nullptr}));
  CHECK(h.Run({"SORT", "l", "LIMIT", "1", "1", "GET", "#", "GET", "#"}) == Arr({"2", "2"}));
  CHECK(h.Run({"SORT_RO", "l", "DESC", "GET", "name_*"}) == Arr({nullptr, "bob", "alice"}));
  CHECK(h.Run({"SORT", "l", "GET", "name_*", "GET"}) == kSyntaxErr);
  // RESP3 nulls.
  h.Run({"HELLO", "3"});
  CHECK(h.Run({"SORT", "l", "LIMIT", "1", "2", "GET", "name_*"}) == "*2\r\n$3\r\nbob\r\n_\r\n");
}

TEST_CASE("SORT STORE", "[sort]") {
  Harness h;
  h.Run({"RPUSH", "l", "3", "1", "2"});
  h.Run({"MSET", "name_1", "alice", "name_3", "carol"});
  CHECK(h.Run({"SORT", "l", "STORE", "dst"}) == ":3\r\n");
  CHECK(h.Run({"LRANGE", "dst", "0", "-1"}) == Arr({"1", "2", "3"}));
  CHECK(h.Run({"TYPE", "dst"}) == "+list\r\n");
  // Missing GET values are stored as empty strings.
  CHECK(h.Run({"SORT", "l", "DESC", "GET", "#", "GET", "name_*", "STORE", "dst"}) == ":6\r\n");
  CHECK(h.Run({"LRANGE", "dst", "0", "-1"}) == Arr({"3", "carol", "2", "", "1", "alice"}));
  // Any type is replaced, and the TTL goes with it.
  h.Run({"SET", "str", "v", "EX", "100"});
  CHECK(h.Run({"SORT", "l", "LIMIT", "0", "1", "STORE", "str"}) == ":1\r\n");
  CHECK(h.Run({"TYPE", "str"}) == "+list\r\n");
  CHECK(h.Run({"TTL", "str"}) == ":-1\r\n");
  // An empty result deletes the destination.
  CHECK(h.Run({"SORT", "l", "LIMIT", "5", "1", "STORE", "str"}) == ":0\r\n");
  CHECK(h.Run({"EXISTS", "str"}) == ":0\r\n");
  CHECK(h.Run({"SORT", "missing", "STORE", "dst"}) == ":0\r\n");
  CHECK(h.Run({"EXISTS", "dst"}) == ":0\r\n");
  // The sorted key itself may be the destination; the last STORE wins.
  CHECK(h.Run({"SORT", "l", "DESC", "STORE", "x", "STORE", "l"}) == ":3\r\n");
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) == Arr({"3", "2", "1"}));
  CHECK(h.Run({"EXISTS", "x"}) == ":0\r\n");
  // ALPHA with STORE compares whole strings (bytes after a NUL too).
  h.Run({"RPUSH", "nul", std::string_view("a\0c", 3), std::string_view("a\0b", 3)});
  CHECK(h.Run({"SORT", "nul", "ALPHA", "STORE", "dst"}) == ":2\r\n");
  CHECK(h.Run({"LINDEX", "dst", "0"}) == std::string("$3\r\na\0b\r\n", 9));
  // Without STORE they compare as C strings (equal here: the stored order stays).
  CHECK(h.Run({"SORT", "nul", "ALPHA", "LIMIT", "0", "1"}) ==
        std::string("*1\r\n$3\r\na\0c\r\n", 13));
}

TEST_CASE("SORT reads keys in every shard through BY and GET", "[sort]") {
  Harness h;
  // 200 elements whose weight and name keys spread over all shards.
  for (int i = 0; i < 200; ++i) {
    std::string n = std::to_string(i);
    h.Run({"RPUSH", "l", n});
    h.Run({"SET", "w_" + n, std::to_string(1000 - i)});
    h.Run({"HSET", "h_" + n, "f", "v" + n});
  }
  CHECK(h.Run({"SORT", "l", "BY", "w_*", "LIMIT", "0", "2", "GET", "h_*->f"}) ==
        Arr({"v199", "v198"}));
  CHECK(h.Run({"SORT", "l", "BY", "w_*", "GET", "#", "STORE", "dst"}) == ":200\r\n");
  CHECK(h.Run({"LINDEX", "dst", "0"}) == "$3\r\n199\r\n");
  CHECK(h.Run({"LINDEX", "dst", "-1"}) == "$1\r\n0\r\n");
}

TEST_CASE("SORT key positions and shard locking", "[sort]") {
  larder::CommandTable table;
  larder::RegisterDataFamilies(table);
  const larder::CommandSpec* sort = table.Find("sort");
  const larder::CommandSpec* sort_ro = table.Find("SORT_RO");
  REQUIRE(sort != nullptr);
  REQUIRE(sort_ro != nullptr);
  auto keys = [](const larder::CommandSpec* c, std::vector<std::string_view> args) {
    std::vector<int> out;
    c->FindKeys(args, &out);
    return out;
  };
  auto locks_all = [](const larder::CommandSpec* c, std::vector<std::string_view> args) {
    return c->LocksAll(args);
  };
  CHECK(keys(sort, {"sort", "k"}) == std::vector<int>{1});
  CHECK(keys(sort, {"sort", "k", "STORE", "d"}) == std::vector<int>{1, 3});
  CHECK(keys(sort, {"sort", "k", "STORE", "a", "store", "b"}) == std::vector<int>{1, 5});
  CHECK(keys(sort, {"sort", "k", "GET", "store", "BY", "store", "LIMIT", "store", "x"}) ==
        std::vector<int>{1});
  CHECK(keys(sort_ro, {"sort_ro", "k", "STORE", "d"}) == std::vector<int>{1});

  CHECK_FALSE(locks_all(sort, {"sort", "k"}));
  CHECK_FALSE(locks_all(sort, {"sort", "k", "ALPHA", "DESC", "LIMIT", "0", "1", "STORE", "d"}));
  CHECK_FALSE(locks_all(sort, {"sort", "k", "BY", "nosort", "GET", "#", "GET", "nostar"}));
  CHECK_FALSE(locks_all(sort, {"sort", "k", "BY", "nosort", "BY", "w_*"}));
  CHECK_FALSE(locks_all(sort, {"sort", "k", "BY", "w_*", "FOO"}));  // fails before lookups
  CHECK(locks_all(sort, {"sort", "k", "BY", "w_*"}));
  CHECK(locks_all(sort, {"sort", "k", "GET", "#", "GET", "n_*->f"}));
  CHECK(locks_all(sort_ro, {"sort_ro", "k", "BY", "w_*"}));
  // SORT would write "x" while sortGetKeys reports "get": lock everything.
  CHECK(locks_all(sort, {"sort", "k", "STORE", "get", "STORE", "x"}));
}

TEST_CASE("COMMAND INFO and GETKEYS for SORT", "[sort]") {
  Harness h;
  CHECK(h.Run({"COMMAND", "GETKEYS", "sort", "a", "BY", "x", "STORE", "b"}) == Arr({"a", "b"}));
  CHECK(h.Run({"COMMAND", "GETKEYS", "sort_ro", "a", "STORE", "b"}) == Arr({"a"}));
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "sort", "a", "STORE", "b"}) ==
        "*2\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$1\r\nb\r\n*2\r\n+OW\r\n+update\r\n");
  std::string info = h.Run({"COMMAND", "INFO", "sort"});
  CHECK(info.find("*3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n:1\r\n:1\r\n:1\r\n") !=
        std::string::npos);
  CHECK(info.find("$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n*0\r\n") != std::string::npos);
}
