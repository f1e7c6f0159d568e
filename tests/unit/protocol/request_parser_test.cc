#include "protocol/request_parser.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace larder;

namespace {

struct Parsed {
  RequestParser::Status status;
  std::vector<std::string> args;
  size_t consumed = 0;
  std::string error;
};

Parsed ParseOnce(std::string_view in, ParserLimits limits = {}) {
  RequestParser p;
  Parsed r;
  r.status = p.Feed(in, limits);
  for (auto a : p.args()) r.args.emplace_back(a);
  r.consumed = p.consumed();
  r.error = p.error();
  return r;
}

}  // namespace

TEST_CASE("multibulk command", "[parser]") {
  auto r = ParseOnce("*2\r\n$3\r\nGET\r\n$1\r\nk\r\nrest");
  REQUIRE(r.status == RequestParser::Status::kComplete);
  CHECK(r.args == std::vector<std::string>{"GET", "k"});
  CHECK(r.consumed == 20);
}

TEST_CASE("multibulk arrives byte by byte", "[parser]") {
  std::string msg = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n";
  RequestParser p;
  ParserLimits limits;
  for (size_t n = 1; n < msg.size(); ++n) {
    REQUIRE(p.Feed(std::string_view(msg).substr(0, n), limits) ==
            RequestParser::Status::kIncomplete);
  }
  REQUIRE(p.Feed(msg, limits) == RequestParser::Status::kComplete);
  CHECK(p.args().size() == 3);
  CHECK(p.args()[2] == "hello");
  CHECK(p.consumed() == msg.size());
}

TEST_CASE("binary-safe bulk", "[parser]") {
  std::string msg("*1\r\n$3\r\na\0b\r\n", 14);
  auto r = ParseOnce(msg);
  REQUIRE(r.status == RequestParser::Status::kComplete);
  CHECK(r.args[0] == std::string("a\0b", 3));
}

TEST_CASE("protocol errors use Redis's texts", "[parser]") {
  CHECK(ParseOnce("*a\r\n").error == "ERR Protocol error: invalid multibulk length");
  CHECK(ParseOnce("*3000000000\r\n").error == "ERR Protocol error: invalid multibulk length");
  CHECK(ParseOnce("*1\r\n$-1\r\n").error == "ERR Protocol error: invalid bulk length");
  CHECK(ParseOnce("*1\r\nx\r\n").error == "ERR Protocol error: expected '$', got 'x'");
  ParserLimits small;
  small.max_bulk_len = 10;
  CHECK(ParseOnce("*1\r\n$11\r\n", small).error == "ERR Protocol error: invalid bulk length");
  CHECK(ParseOnce("\"abc\r\n").error == "ERR Protocol error: unbalanced quotes in request");
  CHECK(ParseOnce(std::string(70000, 'a')).error == "ERR Protocol error: too big inline request");
  CHECK(ParseOnce("*" + std::string(70000, '1')).error ==
        "ERR Protocol error: too big mbulk count string");
  ParserLimits unauth;
  unauth.auth_required = true;
  CHECK(ParseOnce("*11\r\n", unauth).error ==
        "ERR Protocol error: unauthenticated multibulk length");
  CHECK(ParseOnce("*1\r\n$16385\r\n", unauth).error ==
        "ERR Protocol error: unauthenticated bulk length");
}

TEST_CASE("empty commands are skipped", "[parser]") {
  auto r = ParseOnce("*0\r\n");
  CHECK(r.status == RequestParser::Status::kEmpty);
  CHECK(r.consumed == 4);
  r = ParseOnce("*-1\r\n");
  CHECK(r.status == RequestParser::Status::kEmpty);
  r = ParseOnce("   \r\n");
  CHECK(r.status == RequestParser::Status::kEmpty);
  CHECK(r.consumed == 5);
}

TEST_CASE("inline commands split like sdssplitargs", "[parser]") {
  auto r = ParseOnce("SET k \"a b\\x41\\n\" 'it\\'s'\r\n");
  REQUIRE(r.status == RequestParser::Status::kComplete);
  CHECK(r.args == std::vector<std::string>{"SET", "k", "a bA\n", "it's"});
  r = ParseOnce("PING\n");
  CHECK(r.args == std::vector<std::string>{"PING"});
  CHECK(ParseOnce("SET \"a\"b\r\n").status == RequestParser::Status::kError);
  CHECK(ParseOnce("SET 'a\r\n").status == RequestParser::Status::kError);
  CHECK(ParseOnce("GET k").status == RequestParser::Status::kIncomplete);
}

TEST_CASE("huge declared bulk does not need the bytes up front", "[parser]") {
  RequestParser p;
  ParserLimits limits;
  CHECK(p.Feed("*1\r\n$536870912\r\nabc", limits) == RequestParser::Status::kIncomplete);
}
