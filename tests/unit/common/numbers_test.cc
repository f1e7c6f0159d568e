#include "common/numbers.h"

#include <catch2/catch.hpp>

using namespace larder;

TEST_CASE("ParseInt64 follows string2ll strictness", "[numbers]") {
  CHECK(ParseInt64("0") == 0);
  CHECK(ParseInt64("-1") == -1);
  CHECK(ParseInt64("9223372036854775807") == INT64_MAX);
  CHECK(ParseInt64("-9223372036854775808") == INT64_MIN);
  CHECK_FALSE(ParseInt64("9223372036854775808"));
  CHECK_FALSE(ParseInt64("-9223372036854775809"));
  CHECK_FALSE(ParseInt64(""));
  CHECK_FALSE(ParseInt64("-"));
  CHECK_FALSE(ParseInt64("-0"));
  CHECK_FALSE(ParseInt64("+1"));
  CHECK_FALSE(ParseInt64("01"));
  CHECK_FALSE(ParseInt64(" 1"));
  CHECK_FALSE(ParseInt64("1 "));
  CHECK_FALSE(ParseInt64("1e3"));
  CHECK_FALSE(ParseInt64("0x10"));
  CHECK_FALSE(ParseInt64("99999999999999999999999"));
}

TEST_CASE("ParseDouble and ParseLongDouble", "[numbers]") {
  CHECK(ParseDouble("1.5") == 1.5);
  CHECK_FALSE(ParseDouble(std::string_view("1\0", 2)).has_value());
  CHECK(ParseDouble("inf").has_value());
  CHECK(ParseDouble("-inf").has_value());
  CHECK_FALSE(ParseDouble("nan"));
  CHECK_FALSE(ParseDouble(" 1"));
  CHECK_FALSE(ParseDouble("1 "));
  CHECK_FALSE(ParseDouble("1e400"));
  CHECK_FALSE(ParseDouble(""));
  CHECK(ParseLongDouble("1e400").has_value());
  CHECK_FALSE(ParseLongDouble("abc"));
}

TEST_CASE("FormatLongDouble is Redis's human form", "[numbers]") {
  CHECK(FormatLongDouble(10.5L) == "10.5");
  CHECK(FormatLongDouble(3.0e3L) == "3000");
  CHECK(FormatLongDouble(-0.0L) == "0");
  CHECK(FormatLongDouble(5.0e-5L) == "0.00005");
  CHECK(FormatDouble(1.5) == "1.5");
  CHECK(FormatDouble(0.1) == "0.10000000000000001");
}
