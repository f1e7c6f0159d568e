// INFO sections and the fields monitoring tools rely on.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "server_process.h"

using namespace larder::it;

namespace {

long long IntField(const std::string& info, const std::string& name) {
  auto v = Field(info, name + ":");
  if (!v) return -1;
  return std::stoll(*v);
}

}  // namespace

TEST_CASE("INFO sections and fields", "[integration][info]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  REQUIRE(c.ok());

  std::string info = c.Str({"INFO"});
  INFO(info);
  for (const char* section : {"# Server\r\n", "# Clients\r\n", "# Memory\r\n", "# Stats\r\n",
                              "# Keyspace\r\n"}) {
    CHECK(info.find(section) != std::string::npos);
  }
  CHECK(Field(info, "redis_version:").has_value());
  CHECK(IntField(info, "tcp_port") == srv.port());
  CHECK(IntField(info, "process_id") == srv.pid());
  CHECK(IntField(info, "used_memory") > 0);
  CHECK(Field(info, "used_memory_human:").has_value());
  // Sections appear in Redis's order.
  CHECK(info.find("# Server") < info.find("# Clients"));
  CHECK(info.find("# Clients") < info.find("# Memory"));
  CHECK(info.find("# Stats") < info.find("# Keyspace"));

  SECTION("connected_clients counts open connections") {
    std::vector<Client> more;
    for (int i = 0; i < 3; ++i) more.push_back(Client::Tcp(srv.port()));
    CHECK(WaitFor([&] { return IntField(c.Str({"INFO", "clients"}), "connected_clients") == 4; },
                  Ms(5000)));
    more.clear();
    CHECK(WaitFor([&] { return IntField(c.Str({"INFO", "clients"}), "connected_clients") == 1; },
                  Ms(5000)));
  }
  SECTION("total_commands_processed increases") {
    long long before = IntField(c.Str({"INFO", "stats"}), "total_commands_processed");
    CHECK(before > 0);
    for (int i = 0; i < 10; ++i) REQUIRE(c.Str({"PING"}) == "PONG");
    long long after = IntField(c.Str({"INFO", "stats"}), "total_commands_processed");
    CHECK(after >= before + 10);
  }
  SECTION("keyspace") {
    std::string empty = c.Str({"INFO", "keyspace"});
    CHECK(empty.find("db0:") == std::string::npos);
    for (int i = 0; i < 5; ++i) REQUIRE(c.Str({"SET", "k" + std::to_string(i), "v"}) == "OK");
    REQUIRE(c.Str({"SET", "t1", "v", "EX", "100"}) == "OK");
    REQUIRE(c.Str({"SET", "t2", "v", "PX", "200000"}) == "OK");
    REQUIRE(c.Str({"SELECT", "3"}) == "OK");
    REQUIRE(c.Str({"SET", "other", "v"}) == "OK");
    std::string ks = c.Str({"INFO", "keyspace"});
    INFO(ks);
    auto db0 = Field(ks, "db0:");
    REQUIRE(db0);
    CHECK(db0->rfind("keys=7,expires=2,avg_ttl=", 0) == 0);
    long long avg_ttl = std::stoll(db0->substr(db0->find("avg_ttl=") + 8));
    CHECK(avg_ttl >= 0);
    CHECK(avg_ttl <= 200000);
    CHECK(Field(ks, "db3:").value_or("").rfind("keys=1,expires=0,avg_ttl=0", 0) == 0);
  }
  SECTION("commandstats") {
    REQUIRE(c.Str({"SET", "a", "1"}) == "OK");
    REQUIRE(c.Str({"SET", "b", "1"}) == "OK");
    std::string cs = c.Str({"INFO", "commandstats"});
    INFO(cs);
    CHECK(cs.find("# Commandstats") != std::string::npos);
    auto set = Field(cs, "cmdstat_set:");
    REQUIRE(set);
    CHECK(set->rfind("calls=2,", 0) == 0);
    CHECK(c.Str({"CONFIG", "RESETSTAT"}) == "OK");
    CHECK_FALSE(Field(c.Str({"INFO", "commandstats"}), "cmdstat_set:").has_value());
  }
  SECTION("INFO all / everything / unknown section") {
    CHECK(c.Str({"INFO", "all"}).find("# Commandstats") != std::string::npos);
    CHECK(c.Str({"INFO", "nosuchsection"}).empty());
  }
}

TEST_CASE("expired keys are reclaimed without being read", "[integration][expire]") {
  ServerProcess srv;
  REQUIRE(srv.Start({"--hz", "50"}));
  Client c = Client::Tcp(srv.port());
  REQUIRE(c.ok());
  // 20 000 keys that expire in 100 ms, among 1 000 that do not.
  auto pipeline = [&](const std::vector<std::vector<std::string>>& cmds) {
    for (const auto& cmd : cmds) REQUIRE(c.Append(cmd));
    for (size_t i = 0; i < cmds.size(); ++i) REQUIRE(c.GetReply());
  };
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<std::vector<std::string>> cmds;
    for (int i = 0; i < 1000; ++i) {
      cmds.push_back({"SET", "t:" + std::to_string(batch * 1000 + i), "v", "PX", "100"});
    }
    pipeline(cmds);
  }
  std::vector<std::vector<std::string>> persistent;
  for (int i = 0; i < 1000; ++i) persistent.push_back({"SET", "p:" + std::to_string(i), "v"});
  pipeline(persistent);
  // (Some keys may already be gone here: their 100 ms can pass while others are set.)
  // Nobody touches the keys: the active sweep alone must remove them.
  bool reclaimed = WaitFor([&] { return c.Int({"DBSIZE"}) == 1000; }, Ms(10000), Ms(50));
  CHECK(reclaimed);
  std::string stats = c.Str({"INFO", "stats"});
  CHECK(Field(stats, "expired_keys:").value_or("") == "20000");
}
