// CommandTable::Find: case-insensitive on ASCII letters only, exact otherwise.
#include <catch2/catch.hpp>

#include <string>

#include "commands/command_table.h"
#include "commands/families.h"

namespace {

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = char(c - 32);
  }
  return s;
}

}  // namespace

TEST_CASE("every command is found by its name in any letter case", "[command_table]") {
  larder::CommandTable table;
  larder::RegisterAllFamilies(table);
  REQUIRE(table.size() > 100);
  for (const auto& spec : table.top_level()) {
    const std::string& name = spec->name;
    CHECK(table.Find(name) == spec.get());
    CHECK(table.Find(Upper(name)) == spec.get());
    std::string mixed = name;
    for (size_t i = 0; i < mixed.size(); i += 2) mixed[i] = Upper(std::string(1, mixed[i]))[0];
    CHECK(table.Find(mixed) == spec.get());
    // One byte more or less is another name.
    CHECK(table.Find(name + "x") != spec.get());
    CHECK(table.Find(std::string_view(name).substr(0, name.size() - 1)) != spec.get());
  }
}

TEST_CASE("only ASCII letters fold: other bytes must match exactly", "[command_table]") {
  larder::CommandTable table;
  larder::RegisterAllFamilies(table);
  REQUIRE(table.Find("GeT") != nullptr);
  REQUIRE(table.Find("eval_ro") != nullptr);
  CHECK(table.Find("EVAL_RO") == table.Find("eval_ro"));
  CHECK(table.Find(std::string("eval\x7fro")) == nullptr);  // DEL is not '_' | 0x20
  CHECK(table.Find(std::string("g\xc5t")) == nullptr);      // 'e' | 0x80
  CHECK(table.Find(std::string("G\x05T")) == nullptr);
  CHECK(table.Find(std::string("get\0", 4)) == nullptr);
  CHECK(table.Find(std::string("@et")) == nullptr);
  CHECK(table.Find("") == nullptr);
  CHECK(table.Find(std::string(65, 'a')) == nullptr);
  // 16 bytes: the longest real names fill both folded words exactly.
  REQUIRE(table.Find("ZREMRANGEBYSCORE") != nullptr);
  CHECK(table.Find("zremrangebyscorx") == nullptr);
}

TEST_CASE("names longer than the 16 folded bytes are compared in full", "[command_table]") {
  larder::CommandTable table;
  table.Add(larder::Cmd("averyveryverylongname_one", 1));
  table.Add(larder::Cmd("averyveryverylongname_two", 1));
  const larder::CommandSpec* one = table.Find("AVERYVERYVERYLONGNAME_ONE");
  const larder::CommandSpec* two = table.Find("averyveryverylongname_TWO");
  REQUIRE(one != nullptr);
  REQUIRE(two != nullptr);
  CHECK(one != two);
  CHECK(table.Find("averyveryverylongname_on") == nullptr);
  CHECK(table.Find("averyveryverylongname_onx") == nullptr);
}
