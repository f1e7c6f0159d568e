// Feeds the request parser seeded random inputs, whole and split at random points:
// it must never crash, read out of bounds (ASan) or loop, and must parse a valid
// command identically however the bytes arrive.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "protocol/request_parser.h"

using namespace larder;

namespace {

// Runs the parser over `in` delivered in pieces, like a connection does. Returns the
// commands seen (joined with '|') and whether a protocol error ended the stream.
std::string Drive(const std::string& in, std::mt19937& rng, bool split, bool* failed) {
  RequestParser p;
  ParserLimits limits;
  limits.max_bulk_len = 1 << 20;
  std::string buffered, seen;
  size_t fed = 0;
  *failed = false;
  for (int guard = 0; guard < 100000; ++guard) {
    if (fed < in.size()) {
      size_t n = split ? 1 + rng() % 7 : in.size() - fed;
      buffered.append(in, fed, n);
      fed += std::min(n, in.size() - fed);
    }
    auto st = p.Feed(buffered, limits);
    if (st == RequestParser::Status::kError) {
      *failed = true;
      return seen;
    }
    if (st == RequestParser::Status::kIncomplete) {
      if (fed == in.size()) return seen;
      continue;
    }
    REQUIRE(p.consumed() <= buffered.size());
    if (st == RequestParser::Status::kComplete) {
      for (auto a : p.args()) seen.append(a).push_back(',');
      seen.push_back('|');
    }
    buffered.erase(0, p.consumed());
  }
  FAIL("parser did not make progress");
  return seen;
}

std::string Mutate(std::string s, std::mt19937& rng) {
  static const char kAlphabet[] = "*$\r\n0123456789-+ \"'\\xaAZ\0";
  int edits = 1 + int(rng() % 4);
  for (int i = 0; i < edits && !s.empty(); ++i) {
    size_t at = rng() % s.size();
    switch (rng() % 3) {
      case 0: s[at] = kAlphabet[rng() % (sizeof kAlphabet - 1)]; break;
      case 1: s.erase(at, 1); break;
      default: s.insert(at, 1, kAlphabet[rng() % (sizeof kAlphabet - 1)]); break;
    }
  }
  return s;
}

}  // namespace

TEST_CASE("parser survives random and mutated input", "[parser][fuzz]") {
  std::mt19937 rng(12345);
  const std::vector<std::string> seeds = {
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n",
      "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n",
      "SET k \"a b\\x41\" 'c\\'d'\r\nGET k\n",
      "*0\r\n*-1\r\n\r\n   \r\nPING\r\n",
      "*1\r\n$0\r\n\r\n",
  };
  for (int round = 0; round < 3000; ++round) {
    std::string in = seeds[size_t(round) % seeds.size()];
    if (round % 3 != 0) in = Mutate(in, rng);
    if (round % 50 == 0) {  // pure noise
      in.clear();
      for (int i = 0; i < 64; ++i) in.push_back(char(rng() % 256));
    }
    bool failed_whole = false, failed_split = false;
    std::string whole = Drive(in, rng, false, &failed_whole);
    std::string split = Drive(in, rng, true, &failed_split);
    // However the bytes arrive, the same commands come out (up to a protocol error).
    CHECK(whole == split);
    CHECK(failed_whole == failed_split);
  }
}
