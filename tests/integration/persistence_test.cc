// Persistence through the real binary: SAVE / BGSAVE / LASTSAVE, save points, loading
// at start (-LOADING meanwhile), MISCONF after a failed background save, the final save
// of SHUTDOWN and SIGTERM, and start-up refusing a damaged snapshot.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "server_process.h"

using namespace larder::it;

namespace {

std::vector<std::string> Elements(const Reply& r) {
  std::vector<std::string> out;
  if (!r || r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < r->elements; ++i) out.push_back(Describe(r->element[i]));
  return out;
}

std::string Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  std::string s;
  for (const std::string& e : v) s += e + ",";
  return s;
}

// Every key of db 0 and 3: type, value in a canonical form, and whether it has a TTL
// (with the TTL to the second).
// Each key's type, encoding and value; its PTTL (-1: none) into *ttls when given
// (compared with a tolerance: a restart under a sanitizer takes seconds).
std::map<std::string, std::string> Contents(Client& c,
                                            std::map<std::string, long long>* ttls = nullptr) {
  std::map<std::string, std::string> out;
  for (const char* db : {"0", "3"}) {
    c.Cmd({"SELECT", db});
    for (const std::string& key : Elements(c.Cmd({"KEYS", "*"}))) {
      const std::string type = c.Str({"TYPE", key});
      std::string v;
      if (type == "string") v = c.Str({"GET", key});
      else if (type == "list") v = Sorted({c.Str({"LRANGE", key, "0", "-1"})});
      else if (type == "set") v = Sorted(Elements(c.Cmd({"SMEMBERS", key})));
      else if (type == "hash") v = Sorted(Elements(c.Cmd({"HGETALL", key})));
      else if (type == "zset") v = c.Str({"ZRANGE", key, "0", "-1", "WITHSCORES"});
      const long long pttl = c.Int({"PTTL", key});
      // A short HyperLogLog (raw after PFADD) loads as embstr, in Redis too.
      const std::string enc = v.rfind("HYLL", 0) == 0 ? "-" : c.Str({"OBJECT", "ENCODING", key});
      const std::string name = std::string(db) + ":" + key;
      out[name] = type + "|" + enc + "|" + (pttl < 0 ? "no ttl" : "ttl") + "|" + v;
      if (ttls != nullptr) (*ttls)[name] = pttl < 0 ? -1 : pttl;
    }
  }
  c.Cmd({"SELECT", "0"});
  return out;
}

void Populate(Client& c) {
  c.Cmd({"SET", "str", "hello"});
  c.Cmd({"SET", "int", "12345"});
  c.Cmd({"SET", "long", std::string(300, 'x') + "tail"});
  c.Cmd({"SET", "ttl", "soon", "EX", "5000"});
  c.Cmd({"RPUSH", "list", "a", "1", "-300", std::string(80, 'l')});
  std::vector<std::string> big_list{"RPUSH", "biglist"};
  for (int i = 0; i < 3000; ++i) big_list.push_back("element-" + std::to_string(i));
  c.Cmd(big_list);
  c.Cmd({"EXPIRE", "biglist", "7200"});
  c.Cmd({"SADD", "intset", "1", "2", "-70000"});
  c.Cmd({"SADD", "set", "a", "b", "c"});
  std::vector<std::string> big_set{"SADD", "bigset"};
  for (int i = 0; i < 600; ++i) big_set.push_back("m" + std::to_string(i));
  c.Cmd(big_set);
  c.Cmd({"HSET", "hash", "f", "v", "n", "12"});
  std::vector<std::string> big_hash{"HSET", "bighash"};
  for (int i = 0; i < 700; ++i) {
    big_hash.push_back("f" + std::to_string(i));
    big_hash.push_back("v" + std::to_string(i));
  }
  c.Cmd(big_hash);
  c.Cmd({"ZADD", "zset", "1", "a", "2.5", "b", "-0.125", "c"});
  std::vector<std::string> big_zset{"ZADD", "bigzset"};
  for (int i = 0; i < 300; ++i) {
    big_zset.push_back(std::to_string(i * 0.7 - 50));
    big_zset.push_back("m" + std::to_string(i));
  }
  c.Cmd(big_zset);
  c.Cmd({"PFADD", "hll", "a", "b", "c"});
  c.Cmd({"SELECT", "3"});
  c.Cmd({"SET", "in-db-3", "x", "PX", "900000"});
  c.Cmd({"SELECT", "0"});
}

std::string InfoField(Client& c, std::string_view name) {
  return Field(c.Str({"INFO", "persistence"}), std::string(name) + ":").value_or("?");
}

bool SaveDone(Client& c) {
  return InfoField(c, "rdb_bgsave_in_progress") == "0";
}

}  // namespace

TEST_CASE("SAVE, then a restart loads every type, database and TTL", "[integration][persistence]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  std::map<std::string, std::string> before;
  std::map<std::string, long long> ttls_before, ttls_after;
  {
    Client c = Client::Tcp(srv.port());
    Populate(c);
    before = Contents(c, &ttls_before);
    CHECK(InfoField(c, "rdb_changes_since_last_save") != "0");
    CHECK(c.Str({"SAVE"}) == "OK");
    CHECK(InfoField(c, "rdb_changes_since_last_save") == "0");
    CHECK(InfoField(c, "rdb_saves") == "1");
  }
  REQUIRE(std::filesystem::exists(srv.Path("dump.rdb")));
  REQUIRE(srv.Stop() == 0);
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  const std::map<std::string, std::string> after = Contents(c, &ttls_after);
  for (const auto& [key, value] : before) {
    INFO(key);
    CHECK(after.count(key) == 1);
    if (after.count(key) == 1) CHECK(after.at(key) == value);
    const long long t0 = ttls_before[key], t1 = ttls_after[key];
    CHECK((t0 < 0) == (t1 < 0));
    if (t0 >= 0 && t1 >= 0) {
      CHECK(t1 <= t0);
      CHECK(t0 - t1 < 60'000);  // time passed, not a different TTL
    }
  }
  CHECK(after.size() == before.size());
  CHECK(InfoField(c, "rdb_last_load_keys_loaded") == std::to_string(before.size()));
  CHECK(InfoField(c, "loading") == "0");
  const std::string log = srv.Output();
  CHECK(log.find("Done loading RDB, keys loaded: " + std::to_string(before.size()) +
                 ", keys expired: 0.") != std::string::npos);
  CHECK(log.find("DB loaded from disk: ") != std::string::npos);
}

TEST_CASE("BGSAVE saves in the background and moves LASTSAVE", "[integration][persistence]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  const long long first = c.Int({"LASTSAVE"});
  c.Cmd({"SET", "k", "v"});
  // LASTSAVE counts seconds: let one pass so a save shows.
  REQUIRE(WaitFor([&] { return std::stoll(Elements(c.Cmd({"TIME"}))[0]) > first; }, Ms(3000)));
  CHECK(c.Err({"BGSAVE", "NOW"}) == "ERR syntax error");
  CHECK(c.Str({"BGSAVE"}) == "Background saving started");
  REQUIRE(WaitFor([&] { return SaveDone(c) && c.Int({"LASTSAVE"}) > first; }, Ms(5000)));
  CHECK(InfoField(c, "rdb_last_bgsave_status") == "ok");
  CHECK(InfoField(c, "rdb_last_bgsave_time_sec") != "-1");
  CHECK(InfoField(c, "rdb_changes_since_last_save") == "0");
  CHECK(std::filesystem::exists(srv.Path("dump.rdb")));
  // Inside MULTI/EXEC it is scheduled, as in Redis.
  c.Cmd({"MULTI"});
  c.Cmd({"BGSAVE", "SCHEDULE"});
  CHECK(c.Str({"EXEC"}) == "[Background saving scheduled]");
}

TEST_CASE("a save point starts a background save", "[integration][persistence]") {
  ServerProcess srv;
  REQUIRE(srv.Start({"--save", "1 2"}));
  Client c = Client::Tcp(srv.port());
  c.Cmd({"SET", "a", "1"});
  CHECK(InfoField(c, "rdb_changes_since_last_save") == "1");
  c.Cmd({"SET", "b", "2"});
  REQUIRE(WaitFor([&] { return std::filesystem::exists(srv.Path("dump.rdb")) && SaveDone(c); },
                  Ms(6000)));
  CHECK(WaitFor([&] { return InfoField(c, "rdb_changes_since_last_save") == "0"; }, Ms(3000)));
  CHECK(srv.Output().find("2 changes in 1 seconds. Saving...") != std::string::npos);
}

TEST_CASE("a failed background save: MISCONF for writes until a save succeeds",
          "[integration][persistence]") {
  ServerProcess srv;
  REQUIRE(srv.Start({"--save", "3600 1", "--enable-protected-configs", "yes"}));
  // A directory named like the dump file: the rename at the end of a save fails.
  std::filesystem::create_directory(srv.Path("dump.rdb"));
  Client c = Client::Tcp(srv.port());
  c.Cmd({"SET", "k", "v"});
  CHECK(c.Err({"SAVE"}) == "ERR");
  CHECK(InfoField(c, "rdb_last_bgsave_status") == "ok");  // SAVE does not change it
  CHECK(c.Str({"BGSAVE"}) == "Background saving started");
  REQUIRE(WaitFor([&] { return InfoField(c, "rdb_last_bgsave_status") == "err"; }, Ms(5000)));
  const std::string misconf = c.Err({"SET", "k", "w"});
  CHECK(misconf.rfind("MISCONF Redis is configured to save RDB snapshots", 0) == 0);
  CHECK(c.Err({"PING"}) == misconf);
  CHECK(c.Str({"GET", "k"}) == "v");
  // Only while save points are configured.
  CHECK(c.Str({"CONFIG", "SET", "save", ""}) == "OK");
  CHECK(c.Str({"SET", "k", "w"}) == "OK");
  CHECK(c.Str({"CONFIG", "SET", "save", "3600 1"}) == "OK");
  CHECK(c.Err({"SET", "k", "x"}) == misconf);
  // No temp file is left behind, and a good save clears the state.
  for (const auto& e : std::filesystem::directory_iterator(srv.dir())) {
    CHECK(e.path().filename().string().rfind("temp-", 0) != 0);
  }
  CHECK(c.Str({"CONFIG", "SET", "dbfilename", "good.rdb"}) == "OK");
  CHECK(c.Str({"BGSAVE"}) == "Background saving started");
  REQUIRE(WaitFor([&] { return InfoField(c, "rdb_last_bgsave_status") == "ok"; }, Ms(5000)));
  CHECK(c.Str({"SET", "k", "y"}) == "OK");
  CHECK(std::filesystem::exists(srv.Path("good.rdb")));
  CHECK(srv.Output().find("Background saving error") != std::string::npos);
}

TEST_CASE("SHUTDOWN SAVE and SIGTERM save, and the next start loads it",
          "[integration][persistence]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  {
    Client c = Client::Tcp(srv.port());
    c.Cmd({"SET", "by-shutdown", "1"});
    c.Cmd({"SHUTDOWN", "SAVE"});
    CHECK(srv.WaitExit(Ms(5000)) == 0);
  }
  REQUIRE(srv.Start({"--save", "3600 1"}));
  {
    Client c = Client::Tcp(srv.port());
    CHECK(c.Str({"GET", "by-shutdown"}) == "1");
    c.Cmd({"SET", "by-sigterm", "2"});
  }
  REQUIRE(srv.Stop() == 0);
  CHECK(srv.Output().find("Saving the final RDB snapshot before exiting.") != std::string::npos);
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  CHECK(c.Str({"GET", "by-shutdown"}) == "1");
  CHECK(c.Str({"GET", "by-sigterm"}) == "2");
  // NOSAVE with save points: nothing written.
  c.Cmd({"CONFIG", "SET", "save", "3600 1"});
  c.Cmd({"SET", "lost", "3"});
  c.Cmd({"SHUTDOWN", "NOSAVE"});
  CHECK(srv.WaitExit(Ms(5000)) == 0);
  REQUIRE(srv.Start());
  Client again = Client::Tcp(srv.port());
  CHECK(again.Str({"GET", "lost"}) == "(nil)");
}

TEST_CASE("a failed final save keeps the server running unless FORCE",
          "[integration][persistence]") {
  ServerProcess srv;
  REQUIRE(srv.Start({"--save", "3600 1"}));
  std::filesystem::create_directory(srv.Path("dump.rdb"));
  Client c = Client::Tcp(srv.port());
  c.Cmd({"SET", "k", "v"});
  CHECK(c.Err({"SHUTDOWN"}) == "ERR Errors trying to SHUTDOWN. Check logs.");
  CHECK(c.Err({"SHUTDOWN", "SAVE"}) == "ERR Errors trying to SHUTDOWN. Check logs.");
  REQUIRE(kill(srv.pid(), SIGTERM) == 0);
  REQUIRE(WaitFor([&] {
    return srv.Output().find("SIGTERM received but errors trying to shut down the server") !=
           std::string::npos;
  }, Ms(5000)));
  CHECK(c.Str({"GET", "k"}) == "v");
  CHECK(srv.Running());
  c.Cmd({"SHUTDOWN", "FORCE"});
  CHECK(srv.WaitExit(Ms(5000)) == 0);
}

TEST_CASE("a damaged snapshot stops start-up naming the file and offset",
          "[integration][persistence]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  {
    Client c = Client::Tcp(srv.port());
    Populate(c);
    REQUIRE(c.Str({"SAVE"}) == "OK");
  }
  REQUIRE(srv.Stop() == 0);
  const std::string good = ReadFile(srv.Path("dump.rdb"));
  REQUIRE(good.size() > 100);
  StartOptions no_wait;
  no_wait.wait_ready = false;
  for (size_t cut : {size_t(5), good.size() / 2, good.size() - 3}) {
    WriteFile(srv.Path("dump.rdb"), good.substr(0, cut));
    const size_t log_from = srv.Output().size();
    REQUIRE(srv.Start(no_wait));
    CHECK(srv.WaitExit(Ms(10000)) == 1);
    const std::string log = srv.Output().substr(log_from);
    CHECK(log.find("Fatal error loading the DB: Bad file format reading the snapshot " +
                   srv.dir() + "/dump.rdb at offset ") != std::string::npos);
  }
  std::string flipped = good;
  flipped[good.size() / 3] ^= 0x5a;
  WriteFile(srv.Path("dump.rdb"), flipped);
  const size_t log_from = srv.Output().size();
  REQUIRE(srv.Start(no_wait));
  CHECK(srv.WaitExit(Ms(10000)) == 1);
  CHECK(srv.Output().find("at offset", log_from) != std::string::npos);
  // A missing file is an empty start.
  std::filesystem::remove(srv.Path("dump.rdb"));
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  CHECK(c.Int({"DBSIZE"}) == 0);
}

TEST_CASE("clients get -LOADING while the snapshot loads", "[integration][persistence]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  {
    Client c = Client::Tcp(srv.port());
    c.Cmd({"SET", "k", "loaded"});
    REQUIRE(c.Str({"SAVE"}) == "OK");
  }
  REQUIRE(srv.Stop() == 0);
  const std::string file = ReadFile(srv.Path("dump.rdb"));
  // A FIFO as the dump file: loading waits for the bytes this test writes.
  std::filesystem::remove(srv.Path("dump.rdb"));
  REQUIRE(mkfifo(srv.Path("dump.rdb").c_str(), 0600) == 0);
  StartOptions no_wait;
  no_wait.wait_ready = false;
  REQUIRE(srv.Start(no_wait));
  Client c;
  REQUIRE(WaitFor([&] {
    c = Client::Tcp(srv.port(), Ms(200));
    return c.ok();
  }, Ms(5000)));
  CHECK(c.Err({"GET", "k"}) == "LOADING Redis is loading the dataset in memory");
  CHECK(c.Err({"PING"}) == "LOADING Redis is loading the dataset in memory");
  const std::string info = c.Str({"INFO", "persistence"});
  CHECK(Field(info, "loading:") == "1");
  CHECK(Field(info, "loading_loaded_bytes:").has_value());
  CHECK(c.Int({"LASTSAVE"}) > 0);
  const int fd = open(srv.Path("dump.rdb").c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, file.data(), file.size()) == ssize_t(file.size()));
  close(fd);
  CHECK(WaitFor([&] { return c.Str({"GET", "k"}) == "loaded"; }, Ms(5000)));
  CHECK(InfoField(c, "loading") == "0");
}

TEST_CASE("CONFIG SET dir and dbfilename use Redis's errors", "[integration][persistence]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  {
    Client c = Client::Tcp(srv.port());
    CHECK(c.Err({"CONFIG", "SET", "dir", srv.dir()}) ==
          "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected "
          "config");
    CHECK(c.Err({"CONFIG", "SET", "dbfilename", "x.rdb"}) ==
          "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set "
          "protected config");
  }
  REQUIRE(srv.Stop() == 0);
  // "local" allows loopback clients.
  REQUIRE(srv.Start({"--enable-protected-configs", "local"}));
  Client c = Client::Tcp(srv.port());
  CHECK(c.Err({"CONFIG", "SET", "dir", srv.Path("missing")}) ==
        "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory");
  CHECK(c.Err({"CONFIG", "SET", "dbfilename", "a/b.rdb"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't "
        "be a path, just a filename");
  std::filesystem::create_directory(srv.Path("sub"));
  CHECK(c.Str({"CONFIG", "SET", "dir", srv.Path("sub")}) == "OK");
  CHECK(c.Str({"CONFIG", "SET", "dbfilename", "other.rdb"}) == "OK");
  CHECK(c.Str({"SAVE"}) == "OK");
  CHECK(std::filesystem::exists(srv.Path("sub/other.rdb")));
}
