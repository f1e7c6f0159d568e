#include <catch2/catch.hpp>
#include <string>

#include "commands/lua_runner.h"

using namespace larder;

namespace {

struct Parsed {
  bool ok;
  uint32_t flags;
  std::string code;
  std::string error;
};

Parsed Parse(std::string_view body) {
  Parsed p{};
  std::string_view code;
  p.ok = ParseShebang(body, &p.flags, &code, &p.error);
  p.code = std::string(code);
  return p;
}

}  // namespace

TEST_CASE("scripts without a shebang are legacy scripts", "[scripting]") {
  Parsed p = Parse("return 1");
  CHECK(p.ok);
  CHECK(p.flags == 0);
  CHECK(p.code == "return 1");
}

TEST_CASE("shebang flags", "[scripting]") {
  Parsed p = Parse("#!lua flags=no-writes,allow-oom\nreturn 1");
  REQUIRE(p.ok);
  CHECK(p.flags == (kScriptShebang | kScriptNoWrites | kScriptAllowOom));
  CHECK(p.code == "\nreturn 1");  // the shebang line stays a (blank) line 1
  p = Parse("#!lua flags=\nreturn 1");
  CHECK(p.ok);
  CHECK(p.flags == kScriptShebang);
  p = Parse("#!lua  flags=allow-stale,no-cluster,allow-cross-slot-keys\n");
  CHECK(p.ok);
  CHECK(p.flags == (kScriptShebang | kScriptAllowStale | kScriptNoCluster | kScriptAllowCrossSlot));
}

TEST_CASE("shebang errors have Redis's texts", "[scripting]") {
  CHECK(Parse("#!lua").error == "ERR Invalid script shebang");
  CHECK(Parse("#!python\nreturn 1").error == "ERR Unexpected engine in script shebang: #!python");
  CHECK(Parse("#!luax\n").error == "ERR Unexpected engine in script shebang: #!luax");
  CHECK(Parse("#!lua flags=bogus\n").error == "ERR Unexpected flag in script shebang: bogus");
  CHECK(Parse("#!lua flags=no-writes,x\n").error == "ERR Unexpected flag in script shebang: x");
  CHECK(Parse("#!lua name=x\n").error == "ERR Unknown lua shebang option: name=x");
}
