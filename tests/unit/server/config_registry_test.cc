#include "server/config_registry.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace larder;

namespace {

// A config file in a fresh temporary directory, removed afterwards.
struct TempConfig {
  explicit TempConfig(const std::string& text) {
    char dir[] = "/tmp/larder-config-XXXXXX";
    path_dir = mkdtemp(dir);
    path = path_dir + "/larder.conf";
    std::ofstream(path) << text;
  }
  ~TempConfig() {
    std::remove(path.c_str());
    std::remove((path_dir + "/inc.conf").c_str());
    rmdir(path_dir.c_str());
  }
  std::string ReadBack() const {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string path_dir, path;
};

std::string Get(ConfigRegistry& r, std::string_view name) {
  std::string_view p[] = {name};
  auto v = r.Get(p);
  return v.empty() ? "<none>" : v[0].second;
}

Status Set(ConfigRegistry& r, std::initializer_list<std::string_view> pairs) {
  std::vector<std::string_view> v(pairs);
  return r.Set(v);
}

}  // namespace

TEST_CASE("memory units as redis.conf", "[config]") {
  int64_t v = 0;
  CHECK((ConfigRegistry::ParseMemory("1k", &v) && v == 1000));
  CHECK((ConfigRegistry::ParseMemory("1kb", &v) && v == 1024));
  CHECK((ConfigRegistry::ParseMemory("2MB", &v) && v == 2 * 1024 * 1024));
  CHECK((ConfigRegistry::ParseMemory("1g", &v) && v == 1000000000));
  CHECK((ConfigRegistry::ParseMemory("1gb", &v) && v == 1073741824));
  CHECK((ConfigRegistry::ParseMemory("123", &v) && v == 123));
  CHECK_FALSE(ConfigRegistry::ParseMemory("-1", &v));
  CHECK_FALSE(ConfigRegistry::ParseMemory("1tb", &v));
  CHECK_FALSE(ConfigRegistry::ParseMemory("", &v));
  CHECK_FALSE(ConfigRegistry::ParseMemory("99999999999999gb", &v));
}

TEST_CASE("config file: directives, quotes, include, accumulation", "[config]") {
  TempConfig t("# comment\n  PORT 7000\nrequirepass \"a b\"\nsave 900 1\nsave 300 10\n"
               "client-output-buffer-limit pubsub 64mb 16mb 30\nproto-max-bulk-len 2mb\n"
               "bind 127.0.0.1 -::1\n");
  ConfigRegistry r;
  REQUIRE(r.LoadFile(t.path).ok());
  CHECK(Get(r, "port") == "7000");
  CHECK(Get(r, "requirepass") == "a b");
  CHECK(Get(r, "save") == "900 1 300 10");
  CHECK(Get(r, "client-output-buffer-limit") ==
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 30");
  CHECK(Get(r, "proto-max-bulk-len") == "2097152");
  CHECK(Get(r, "bind") == "127.0.0.1 -::1");
  // The command line comes after the file and wins; "--save" alone means no points.
  REQUIRE(r.LoadArgs({"--port", "7001", "--save"}).ok());
  CHECK(Get(r, "port") == "7001");
  CHECK(Get(r, "save") == "");
}

TEST_CASE("config file errors name the file, line and directive", "[config]") {
  TempConfig t("port 7000\nnosuch-directive 1\n");
  ConfigRegistry r;
  Status s = r.LoadFile(t.path);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find(t.path) != std::string::npos);
  CHECK(s.message().find("line 2") != std::string::npos);
  CHECK(s.message().find("nosuch-directive") != std::string::npos);
  CHECK(s.message().find("Bad directive or wrong number of arguments") != std::string::npos);

  TempConfig bad("port abc\n");
  ConfigRegistry r2;
  s = r2.LoadFile(bad.path);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("argument couldn't be parsed into an integer") != std::string::npos);

  ConfigRegistry r3;
  s = r3.LoadArgs({"--maxclients", "0"});
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("argument must be between 1 and 4294967295 inclusive") !=
        std::string::npos);
}

TEST_CASE("CONFIG GET patterns and aliases", "[config]") {
  ConfigRegistry r;
  std::string_view pats[] = {"maxmemory-p*", "TIMEOUT"};
  auto v = r.Get(pats);
  REQUIRE(v.size() == 2);
  CHECK(v[0] == std::make_pair(std::string("maxmemory-policy"), std::string("noeviction")));
  CHECK(v[1] == std::make_pair(std::string("TIMEOUT"), std::string("0")));  // echoed as typed
  REQUIRE(Set(r, {"hash-max-ziplist-entries", "100"}).ok());
  CHECK(Get(r, "hash-max-listpack-entries") == "100");
}

TEST_CASE("CONFIG SET is all or nothing with Redis's error texts", "[config]") {
  ConfigRegistry r;
  int applied = 0;
  r.OnApply("timeout", [&](const std::string&) {
    ++applied;
    return Status::Ok();
  });
  r.OnApply("maxclients", [](const std::string& v) {
    return v == "13" ? Status::Error("nope") : Status::Ok();
  });
  CHECK(Set(r, {"timeout", "5", "maxclients", "13"}).message() ==
        "ERR CONFIG SET failed (possibly related to argument 'maxclients') - nope");
  CHECK(Get(r, "timeout") == "0");  // rolled back
  CHECK(applied == 2);              // applied, then restored
  CHECK(Set(r, {"timeout", "abc"}).message() ==
        "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be "
        "parsed into an integer");
  CHECK(Set(r, {"nosuch", "1"}).message() ==
        "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  CHECK(Set(r, {"port", "1"}).message() ==
        "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config");
  CHECK(Set(r, {"timeout", "1", "timeout", "2"}).message() ==
        "ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate parameter");
  CHECK(Set(r, {"maxmemory-policy", "foo"}).message().find(
            "must be one of the following: volatile-lru") != std::string::npos);
  CHECK(Set(r, {"protected-mode", "maybe"}).message().find("'yes' or 'no'") != std::string::npos);
  CHECK(Set(r, {"hz", "1000"}).ok());
  CHECK(Get(r, "hz") == "500");  // clamped like Redis
}

TEST_CASE("CONFIG REWRITE keeps comments and appends changes", "[config]") {
  TempConfig t("# keep me\nport 7000\nsave 900 1\nsave 60 100\ninclude " + std::string("/dev/null") +
               "\nmaxclients 50\n");
  ConfigRegistry r;
  REQUIRE(r.LoadFile(t.path).ok());
  REQUIRE(Set(r, {"maxclients", "60", "timeout", "7", "save", ""}).ok());
  REQUIRE(r.Rewrite().ok());
  std::string text = t.ReadBack();
  CHECK(text.find("# keep me\n") != std::string::npos);
  CHECK(text.find("port 7000\n") != std::string::npos);
  CHECK(text.find("maxclients 60\n") != std::string::npos);
  CHECK(text.find("timeout 7\n") != std::string::npos);
  CHECK(text.find("save \"\"\n") != std::string::npos);
  CHECK(text.find("save 900") == std::string::npos);
  ConfigRegistry again;
  REQUIRE(again.LoadFile(t.path).ok());
  CHECK(Get(again, "maxclients") == "60");
  CHECK(Get(again, "save") == "");
}
