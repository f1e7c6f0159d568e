// RESP3 (HELLO 3) over a raw socket, and requirepass authentication.
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"

using namespace larder::it;

TEST_CASE("HELLO 3 switches the connection to RESP3", "[integration][resp3]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  RawConn raw = RawConn::Tcp(srv.port());
  REQUIRE(raw.ok());

  REQUIRE(raw.Send("HELLO 3\r\n"));
  std::string hello = raw.ReadReply();
  INFO(hello);
  REQUIRE(!hello.empty());
  CHECK(hello[0] == '%');
  CHECK(hello.find("$5\r\nproto\r\n:3\r\n") != std::string::npos);
  CHECK(hello.find("$6\r\nserver\r\n") != std::string::npos);
  CHECK(hello.find("$2\r\nid\r\n:") != std::string::npos);

  REQUIRE(raw.Send("GET missing\r\n"));
  CHECK(raw.ReadReply() == "_\r\n");
  REQUIRE(raw.Send("CONFIG GET maxclients\r\n"));
  CHECK(raw.ReadReply() == "%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
  REQUIRE(raw.Send("SET k v\r\nGET k\r\nEXISTS k\r\n"));
  CHECK(raw.ReadReply() == "+OK\r\n");
  CHECK(raw.ReadReply() == "$1\r\nv\r\n");
  CHECK(raw.ReadReply() == ":1\r\n");
  // CLIENT INFO reports resp=3.
  REQUIRE(raw.Send("CLIENT INFO\r\n"));
  std::string info = raw.ReadReply();
  CHECK(info.find(" resp=3 ") != std::string::npos);

  REQUIRE(raw.Send("HELLO 4\r\n"));
  CHECK(raw.ReadReply() == "-NOPROTO unsupported protocol version\r\n");
  // Still RESP3 and still connected.
  REQUIRE(raw.Send("GET missing\r\n"));
  CHECK(raw.ReadReply() == "_\r\n");

  // Back to RESP2: nil is $-1 again.
  REQUIRE(raw.Send("HELLO 2\r\n"));
  std::string hello2 = raw.ReadReply();
  REQUIRE(!hello2.empty());
  CHECK(hello2[0] == '*');
  REQUIRE(raw.Send("GET missing\r\n"));
  CHECK(raw.ReadReply() == "$-1\r\n");
}

TEST_CASE("requirepass", "[integration][auth]") {
  ServerProcess srv;
  REQUIRE(srv.Start({"--requirepass", "secret"}));

  SECTION("AUTH flow on one connection") {
    RawConn raw = RawConn::Tcp(srv.port());
    REQUIRE(raw.ok());
    REQUIRE(raw.Send("GET k\r\n"));
    CHECK(raw.ReadReply() == "-NOAUTH Authentication required.\r\n");
    REQUIRE(raw.Send("AUTH wrong\r\n"));
    CHECK(raw.ReadReply() ==
          "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    REQUIRE(raw.Send("GET k\r\n"));
    CHECK(raw.ReadReply() == "-NOAUTH Authentication required.\r\n");
    REQUIRE(raw.Send("AUTH secret\r\n"));
    CHECK(raw.ReadReply() == "+OK\r\n");
    REQUIRE(raw.Send("GET k\r\n"));
    CHECK(raw.ReadReply() == "$-1\r\n");
    // Once authenticated, big multibulk counts are fine.
    std::string mset = "*11\r\n$4\r\nMSET\r\n";
    for (int i = 0; i < 5; ++i) mset += "$1\r\n" + std::to_string(i) + "\r\n$1\r\nv\r\n";
    REQUIRE(raw.Send(mset));
    CHECK(raw.ReadReply() == "+OK\r\n");
  }
  SECTION("HELLO 3 AUTH default secret SETNAME me") {
    RawConn raw = RawConn::Tcp(srv.port());
    REQUIRE(raw.Send("HELLO 3 AUTH default secret SETNAME me\r\n"));
    std::string hello = raw.ReadReply();
    REQUIRE(!hello.empty());
    CHECK(hello[0] == '%');
    CHECK(hello.find("$5\r\nproto\r\n:3\r\n") != std::string::npos);
    REQUIRE(raw.Send("CLIENT GETNAME\r\nGET missing\r\n"));
    CHECK(raw.ReadReply() == "$2\r\nme\r\n");
    CHECK(raw.ReadReply() == "_\r\n");
  }
  SECTION("HELLO with a wrong password") {
    RawConn raw = RawConn::Tcp(srv.port());
    REQUIRE(raw.Send("HELLO 3 AUTH default nope\r\n"));
    CHECK(raw.ReadReply().rfind("-WRONGPASS", 0) == 0);
    REQUIRE(raw.Send("HELLO 3\r\n"));
    CHECK(raw.ReadReply().rfind("-NOAUTH HELLO must be called", 0) == 0);
  }
  SECTION("unauthenticated multibulk length") {
    RawConn raw = RawConn::Tcp(srv.port());
    REQUIRE(raw.Send("*11\r\n"));
    std::string data;
    CHECK(raw.WaitClosed(Ms(5000), &data));
    CHECK(data == "-ERR Protocol error: unauthenticated multibulk length\r\n");
  }
  SECTION("unauthenticated bulk length") {
    RawConn raw = RawConn::Tcp(srv.port());
    REQUIRE(raw.Send("*2\r\n$3\r\nGET\r\n$20000\r\n"));
    std::string data;
    CHECK(raw.WaitClosed(Ms(5000), &data));
    CHECK(data == "-ERR Protocol error: unauthenticated bulk length\r\n");
  }
  SECTION("hiredis AUTH with user name") {
    Client c = Client::Tcp(srv.port());
    REQUIRE(c.ok());
    CHECK(c.Err({"SET", "a", "1"}) == "NOAUTH Authentication required.");
    CHECK(c.Str({"AUTH", "default", "secret"}) == "OK");
    CHECK(c.Str({"SET", "a", "1"}) == "OK");
    CHECK(c.Str({"GET", "a"}) == "1");
  }
}

TEST_CASE("AUTH without a configured password", "[integration][auth]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  CHECK(c.Err({"AUTH", "x"}).rfind("ERR AUTH <password> called without any password", 0) == 0);
}

TEST_CASE("protected mode refuses non-loopback clients without a password",
          "[integration][auth]") {
  const std::string ip = NonLoopbackIpv4();
  if (ip.empty()) {
    WARN("skipped: no non-loopback IPv4 address on this machine");
    return;
  }
  ServerProcess srv;
  std::vector<std::string> args = {"--bind", "127.0.0.1", ip};

  SECTION("protected-mode yes, no password: DENIED from outside, fine on loopback") {
    REQUIRE(srv.Start(args));
    RawConn outside = RawConn::Tcp(srv.port(), ip);
    REQUIRE(outside.ok());
    std::string data;
    CHECK(outside.WaitClosed(Ms(5000), &data));
    CHECK(data.rfind("-DENIED ", 0) == 0);
    CHECK(srv.Ping());
  }
  SECTION("with a password the client is accepted (and must AUTH)") {
    args.insert(args.end(), {"--requirepass", "pw"});
    REQUIRE(srv.Start(args));
    RawConn outside = RawConn::Tcp(srv.port(), ip);
    REQUIRE(outside.Send("AUTH pw\r\n"));
    CHECK(outside.ReadReply() == "+OK\r\n");
    // Start's readiness probe gets NOAUTH, which a server still loading its (absent)
    // snapshot also answers; after AUTH a PING may see LOADING for a moment.
    std::string pong;
    for (int i = 0; i < 100; ++i) {
      REQUIRE(outside.Send("PING\r\n"));
      pong = outside.ReadReply();
      if (pong.rfind("-LOADING", 0) != 0) break;
      std::this_thread::sleep_for(Ms(20));
    }
    CHECK(pong == "+PONG\r\n");
  }
  SECTION("protected-mode no") {
    args.insert(args.end(), {"--protected-mode", "no"});
    REQUIRE(srv.Start(args));
    RawConn outside = RawConn::Tcp(srv.port(), ip);
    REQUIRE(outside.Send("PING\r\n"));
    CHECK(outside.ReadReply() == "+PONG\r\n");
  }
  SECTION("CONFIG SET protected-mode no applies to new connections") {
    REQUIRE(srv.Start(args));
    Client c = Client::Tcp(srv.port());
    CHECK(c.Str({"CONFIG", "SET", "protected-mode", "no"}) == "OK");
    RawConn outside = RawConn::Tcp(srv.port(), ip);
    REQUIRE(outside.Send("PING\r\n"));
    CHECK(outside.ReadReply() == "+PONG\r\n");
  }
}

// errors.h promises redis-server 7.0's exact texts; 7.0.15 says "the HELLO AUTH <user>
// <pass> option" (the "<proto>" wording is from 7.2).
TEST_CASE("HELLO before AUTH: the NOAUTH text is Redis 7.0's", "[integration][auth]") {
  ServerProcess srv;
  REQUIRE(srv.Start({"--requirepass", "secret"}));
  RawConn raw = RawConn::Tcp(srv.port());
  REQUIRE(raw.Send("HELLO 3\r\n"));
  CHECK(raw.ReadReply() ==
        "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
        "the RESP protocol version at the same time\r\n");
}
