// Blocking commands against the real server: FIFO service, timeouts, disconnects and
// keys that change type while clients wait. Waiters are raw connections (a blocked
// reply is read with a deadline); a hiredis client drives and observes.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "concurrency_util.h"
#include "server_process.h"

using namespace larder::it;

namespace {

std::string BlockedClients(Client& ctl) {
  return Field(ctl.Str({"INFO", "clients"}), "blocked_clients:").value_or("?");
}

// Waits (bounded) until the server reports n blocked clients.
bool WaitBlocked(Client& ctl, int n) {
  return WaitFor([&] { return BlockedClients(ctl) == std::to_string(n); }, Ms(5000));
}

// Opens a raw connection and sends a blocking command; REQUIREs that it blocks (the
// server's blocked_clients count reaches `expect_blocked`).
RawConn Block(ServerProcess& srv, Client& ctl, const std::vector<std::string>& cmd,
              int expect_blocked) {
  RawConn c = RawConn::Tcp(srv.port());
  REQUIRE(c.ok());
  REQUIRE(c.Send(EncodeCommand(cmd)));
  REQUIRE(WaitBlocked(ctl, expect_blocked));
  return c;
}

std::string Bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }

}  // namespace

TEST_CASE("clients blocked on a key are served in the order they blocked",
          "[integration][blocking]") {
  ServerProcess srv;
  StartServer(srv);
  Client ctl = Client::Tcp(srv.port());
  std::vector<RawConn> waiters;
  for (int i = 0; i < 4; ++i) waiters.push_back(Block(srv, ctl, {"BLPOP", "k", "0"}, i + 1));
  // One push of 3 elements serves the first three waiters, in order; the fourth waits.
  CHECK(ctl.Int({"RPUSH", "k", "a", "b", "c"}) == 3);
  CHECK(waiters[0].ReadReply() == "*2\r\n" + Bulk("k") + Bulk("a"));
  CHECK(waiters[1].ReadReply() == "*2\r\n" + Bulk("k") + Bulk("b"));
  CHECK(waiters[2].ReadReply() == "*2\r\n" + Bulk("k") + Bulk("c"));
  CHECK(WaitBlocked(ctl, 1));
  CHECK(ctl.Int({"EXISTS", "k"}) == 0);
  CHECK(ctl.Int({"LPUSH", "k", "d"}) == 1);
  CHECK(waiters[3].ReadReply() == "*2\r\n" + Bulk("k") + Bulk("d"));
  CHECK(WaitBlocked(ctl, 0));
}

TEST_CASE("a blocked client is served from the first of its keys that gets data",
          "[integration][blocking]") {
  ServerProcess srv;
  StartServer(srv);
  Client ctl = Client::Tcp(srv.port());
  RawConn w = Block(srv, ctl, {"BRPOP", "a", "b", "c", "0"}, 1);
  CHECK(ctl.Int({"RPUSH", "c", "x", "y"}) == 2);
  CHECK(w.ReadReply() == "*2\r\n" + Bulk("c") + Bulk("y"));
  CHECK(ctl.Str({"LRANGE", "c", "0", "-1"}) == "[x]");
}

TEST_CASE("blocking timeouts: sub-second, 0 waits until served, RESP3 null",
          "[integration][blocking]") {
  ServerProcess srv;
  StartServer(srv);
  Client ctl = Client::Tcp(srv.port());

  RawConn c = RawConn::Tcp(srv.port());
  auto t0 = Clock::now();
  REQUIRE(c.Send(EncodeCommand({"BLPOP", "k", "0.3"})));
  CHECK(c.ReadReply(Ms(5000)) == "*-1\r\n");
  auto waited = std::chrono::duration_cast<Ms>(Clock::now() - t0);
  CHECK(waited >= Ms(250));  // not early; the upper bound is only the read deadline

  // Every blocking family answers a timeout with the null array.
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"BLMOVE", "k", "d", "LEFT", "LEFT", "0.05"},
        {"BRPOPLPUSH", "k", "d", "0.05"},
        {"BLMPOP", "0.05", "1", "k", "LEFT"},
        {"BZPOPMIN", "z", "0.05"},
        {"BZMPOP", "0.05", "1", "z", "MAX"}}) {
    REQUIRE(c.Send(EncodeCommand(cmd)));
    CHECK(c.ReadReply(Ms(5000)) == "*-1\r\n");
  }
  REQUIRE(c.Send(EncodeCommand({"HELLO", "3"})));
  CHECK_FALSE(c.ReadReply().empty());
  REQUIRE(c.Send(EncodeCommand({"BLPOP", "k", "0.05"})));
  CHECK(c.ReadReply(Ms(5000)) == "_\r\n");

  // 0 = no timeout: still blocked well after a short timeout would have fired.
  RawConn forever = Block(srv, ctl, {"BLPOP", "k", "0"}, 1);
  CHECK(forever.ReadReply(Ms(700)).empty());
  CHECK(BlockedClients(ctl) == "1");
  CHECK(ctl.Int({"RPUSH", "k", "v"}) == 1);
  CHECK(forever.ReadReply() == "*2\r\n" + Bulk("k") + Bulk("v"));
}

TEST_CASE("a blocked client that disconnects takes nothing", "[integration][blocking]") {
  ServerProcess srv;
  StartServer(srv);
  Client ctl = Client::Tcp(srv.port());
  {
    RawConn gone = Block(srv, ctl, {"BLPOP", "k", "0"}, 1);
    gone.Close();
  }
  REQUIRE(WaitBlocked(ctl, 0));
  RawConn stays = Block(srv, ctl, {"BLPOP", "other", "0"}, 1);
  CHECK(ctl.Int({"RPUSH", "k", "v"}) == 1);
  CHECK(ctl.Str({"LRANGE", "k", "0", "-1"}) == "[v]");  // not handed to the closed client
  CHECK(ctl.Int({"RPUSH", "other", "w"}) == 1);
  CHECK(stays.ReadReply() == "*2\r\n" + Bulk("other") + Bulk("w"));
}

TEST_CASE("keys of the wrong type while clients wait", "[integration][blocking]") {
  ServerProcess srv;
  StartServer(srv);
  Client ctl = Client::Tcp(srv.port());

  // As redis-server 7.0: BLPOP keeps waiting while the key holds a string.
  RawConn w = Block(srv, ctl, {"BLPOP", "k", "0"}, 1);
  CHECK(ctl.Str({"SET", "k", "str"}) == "OK");
  CHECK(w.ReadReply(Ms(300)).empty());
  CHECK(ctl.Int({"DEL", "k"}) == 1);
  CHECK(ctl.Int({"RPUSH", "k", "v"}) == 1);
  CHECK(w.ReadReply() == "*2\r\n" + Bulk("k") + Bulk("v"));

  // A sorted set waiter is not served by a list push on its key.
  RawConn z = Block(srv, ctl, {"BZPOPMIN", "q", "0"}, 1);
  CHECK(ctl.Int({"RPUSH", "q", "x"}) == 1);
  CHECK(z.ReadReply(Ms(300)).empty());
  CHECK(ctl.Int({"DEL", "q"}) == 1);
  CHECK(ctl.Int({"ZADD", "q", "1.5", "m"}) == 1);
  CHECK(z.ReadReply() == "*3\r\n" + Bulk("q") + Bulk("m") + Bulk("1.5"));

  // BLMOVE whose destination became another type: the waiter gets WRONGTYPE and the
  // element stays in the source.
  RawConn m = Block(srv, ctl, {"BLMOVE", "src", "dst", "LEFT", "LEFT", "0"}, 1);
  CHECK(ctl.Str({"SET", "dst", "x"}) == "OK");
  CHECK(ctl.Int({"RPUSH", "src", "v"}) == 1);
  CHECK(m.ReadReply() == "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  CHECK(ctl.Int({"LLEN", "src"}) == 1);
  CHECK(WaitBlocked(ctl, 0));
}

TEST_CASE("CLIENT UNBLOCK and the blocked flag in CLIENT LIST", "[integration][blocking]") {
  ServerProcess srv;
  StartServer(srv);
  Client ctl = Client::Tcp(srv.port());
  RawConn a = Block(srv, ctl, {"BLPOP", "k", "0"}, 1);
  RawConn b = Block(srv, ctl, {"BZPOPMAX", "z", "0"}, 2);
  std::string list = ctl.Str({"CLIENT", "LIST"});
  CHECK(list.find("flags=b ") != std::string::npos);
  CHECK(list.find("cmd=blpop") != std::string::npos);

  // The ids of the two waiters: every client but ctl.
  long long self = ctl.Int({"CLIENT", "ID"});
  std::vector<std::string> ids;
  for (size_t pos = 0; (pos = list.find("id=", pos)) != std::string::npos; pos += 3) {
    std::string id = list.substr(pos + 3, list.find(' ', pos) - pos - 3);
    if (id != std::to_string(self)) ids.push_back(id);
  }
  REQUIRE(ids.size() == 2);
  CHECK(ctl.Int({"CLIENT", "UNBLOCK", std::to_string(self)}) == 0);  // not blocked
  CHECK(ctl.Err({"CLIENT", "UNBLOCK", ids[0], "LATER"}) ==
        "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  CHECK(ctl.Int({"CLIENT", "UNBLOCK", ids[0]}) == 1);
  CHECK(ctl.Int({"CLIENT", "UNBLOCK", ids[1], "ERROR"}) == 1);
  CHECK(ctl.Int({"CLIENT", "UNBLOCK", ids[1]}) == 0);
  // ids[0] connected first (a), ids[1] second (b): CLIENT LIST is in id order.
  CHECK(a.ReadReply() == "*-1\r\n");
  CHECK(b.ReadReply() == "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  CHECK(WaitBlocked(ctl, 0));
  // Unblocked clients go on serving their next commands.
  REQUIRE(a.Send(EncodeCommand({"PING"})));
  CHECK(a.ReadReply() == "+PONG\r\n");
}
