// WATCH across clients and with expiry, against the real server (the single-connection
// semantics are compared with redis-server in tests/compat/diff/scripts/transactions.txt).
#include <catch2/catch.hpp>
#include <string>

#include "concurrency_util.h"
#include "server_process.h"

using namespace larder::it;

namespace {

// MULTI; PING; EXEC on c: "[PONG]" when it ran, "(nil)" when a WATCHed key changed.
std::string ExecPing(Client& c) {
  REQUIRE(c.Str({"MULTI"}) == "OK");
  REQUIRE(c.Str({"PING"}) == "QUEUED");
  return c.Str({"EXEC"});
}

}  // namespace

TEST_CASE("WATCH sees changes by clients on the other worker, not their reads",
          "[integration][multi]") {
  ServerProcess srv;
  StartServer(srv);
  Client a = Client::Tcp(srv.port());
  Client b = Client::Tcp(srv.port());  // connections alternate between the 2 workers
  REQUIRE(a.Str({"SET", "k", "1"}) == "OK");

  REQUIRE(a.Str({"WATCH", "k"}) == "OK");
  CHECK(b.Str({"GET", "k"}) == "1");
  CHECK(b.Int({"EXISTS", "k"}) == 1);
  CHECK(ExecPing(a) == "[PONG]");

  for (const std::vector<std::string>& change :
       {std::vector<std::string>{"SET", "k", "2"}, {"INCR", "k"}, {"EXPIRE", "k", "100"},
        {"PERSIST", "k"}, {"DEL", "k"}, {"LPUSH", "k", "x"}, {"RPOP", "k"}}) {
    INFO(change[0]);
    REQUIRE(a.Str({"WATCH", "k"}) == "OK");
    b.Cmd(change);
    CHECK(ExecPing(a) == "(nil)");
  }
  // A WATCHed key that does not exist, then is created by another client.
  REQUIRE(a.Str({"WATCH", "new"}) == "OK");
  CHECK(b.Int({"HSET", "new", "f", "v"}) == 1);
  CHECK(ExecPing(a) == "(nil)");
  // In-place edits of large values count too.
  for (int i = 0; i < 600; ++i) b.Cmd({"HSET", "big", "f" + std::to_string(i), "v"});
  REQUIRE(a.Str({"WATCH", "big"}) == "OK");
  CHECK(b.Int({"HSET", "big", "f1", "changed"}) == 0);
  CHECK(ExecPing(a) == "(nil)");
  // A client that disconnects while watching leaves nothing behind.
  {
    Client c = Client::Tcp(srv.port());
    REQUIRE(c.Str({"WATCH", "k", "big"}) == "OK");
  }
  CHECK(b.Str({"PING"}) == "PONG");
}

TEST_CASE("WATCH fires when the key expires", "[integration][multi]") {
  ServerProcess srv;
  StartServer(srv);
  Client a = Client::Tcp(srv.port());
  // Expired by the time EXEC looks (lazily), and removed by the active sweep.
  for (const char* px : {"100", "50"}) {
    REQUIRE(a.Str({"SET", "t", "v", "PX", px}) == "OK");
    REQUIRE(a.Str({"WATCH", "t"}) == "OK");
    REQUIRE(WaitFor([&] { return Client::Tcp(srv.port()).Int({"EXISTS", "t"}) == 0; }, Ms(5000)));
    CHECK(ExecPing(a) == "(nil)");
  }
  // A key already expired when watched does not fire later.
  REQUIRE(a.Str({"SET", "gone", "v", "PX", "1"}) == "OK");
  REQUIRE(WaitFor([&] { return a.Int({"EXISTS", "gone"}) == 0; }, Ms(5000)));
  REQUIRE(a.Str({"WATCH", "gone"}) == "OK");
  CHECK(ExecPing(a) == "[PONG]");
}
