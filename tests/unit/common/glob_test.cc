#include "common/glob.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

using larder::GlobMatch;

TEST_CASE("glob basics", "[glob]") {
  CHECK_FALSE(GlobMatch("*", ""));  // as Redis: only the empty pattern matches ""
  CHECK(GlobMatch("", ""));
  CHECK(GlobMatch("*", "anything"));
  CHECK(GlobMatch("h?llo", "hello"));
  CHECK_FALSE(GlobMatch("h?llo", "hllo"));
  CHECK(GlobMatch("h*llo", "heeeello"));
  CHECK(GlobMatch("h[ae]llo", "hallo"));
  CHECK_FALSE(GlobMatch("h[ae]llo", "hillo"));
  CHECK(GlobMatch("h[^e]llo", "hallo"));
  CHECK_FALSE(GlobMatch("h[^e]llo", "hello"));
  CHECK(GlobMatch("h[a-b]llo", "hbllo"));
  CHECK(GlobMatch("h[b-a]llo", "hallo"));  // reversed ranges are swapped
  CHECK(GlobMatch("a\\*b", "a*b"));
  CHECK_FALSE(GlobMatch("a\\*b", "axb"));
  CHECK(GlobMatch("ab\\", "ab\\"));  // trailing backslash is literal
  CHECK(GlobMatch("a[\\]]b", "a]b"));
  CHECK(GlobMatch("[]", "[]") == false);
  CHECK(GlobMatch("[abc", "a"));  // unterminated class ends at the pattern's end
  CHECK(GlobMatch("key:*", "key:123"));
  CHECK_FALSE(GlobMatch("key:*", "kez:123"));
  CHECK(GlobMatch("*a*b", "xxaxxb"));
  CHECK_FALSE(GlobMatch("*a*b", "xxaxxc"));
  CHECK(GlobMatch("a**", "a"));
}

TEST_CASE("glob nocase", "[glob]") {
  CHECK(GlobMatch("MAXMEMORY*", "maxmemory-policy", true));
  CHECK_FALSE(GlobMatch("MAXMEMORY*", "maxmemory-policy", false));
  CHECK(GlobMatch("[A-C]x", "bx", true));
}

TEST_CASE("glob pathological patterns finish fast", "[glob]") {
  std::string pat;
  for (int i = 0; i < 30; ++i) pat += "a*";
  pat += "b";
  std::string s(100, 'a');
  auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(GlobMatch(pat, s));
  std::string stars;
  for (int i = 0; i < 50000; ++i) stars += "*?";
  CHECK_FALSE(GlobMatch(stars, "short"));
  CHECK(GlobMatch(stars, std::string(50000, 'x')));
  // Not a timing assertion: an exponential matcher would not return at all.
  (void)t0;
}
