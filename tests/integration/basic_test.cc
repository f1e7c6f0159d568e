// Basic command round trips over TCP and a unix socket, pipelining, large values.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>

#include "server_process.h"

using namespace larder::it;

namespace {

// Every byte value, including \0, \r and \n, in a non-repeating-looking pattern.
std::string BinaryValue(size_t n) {
  std::string v(n, '\0');
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    v[i] = char(x & 0xff);
  }
  return v;
}

void ExerciseBasics(Client& c) {
  CHECK(c.Str({"SET", "k", "v"}) == "OK");
  CHECK(c.Str({"GET", "k"}) == "v");
  CHECK(c.Str({"GET", "nope"}) == "(nil)");
  CHECK(c.Int({"DEL", "k", "nope"}) == 1);
  CHECK(c.Str({"GET", "k"}) == "(nil)");

  CHECK(c.Str({"SET", "t", "1"}) == "OK");
  CHECK(c.Int({"TTL", "t"}) == -1);
  CHECK(c.Int({"EXPIRE", "t", "100"}) == 1);
  long long ttl = c.Int({"TTL", "t"});
  CHECK(ttl > 0);
  CHECK(ttl <= 100);
  CHECK(c.Int({"EXPIRE", "missing", "100"}) == 0);
  // A short expiry really expires (polled, bounded).
  CHECK(c.Int({"PEXPIRE", "t", "50"}) == 1);
  CHECK(WaitFor([&] { return c.Str({"GET", "t"}) == "(nil)"; }, Ms(3000)));
  CHECK(c.Int({"EXISTS", "t"}) == 0);
}

}  // namespace

TEST_CASE("SET GET DEL EXPIRE over TCP", "[integration][basic]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  REQUIRE(c.ok());
  CHECK(c.Str({"PING"}) == "PONG");
  ExerciseBasics(c);
}

TEST_CASE("SET GET DEL EXPIRE over a unix socket with unixsocketperm", "[integration][basic]") {
  ServerProcess srv;
  std::string sock = srv.Path("s.sock");
  StartOptions o;
  o.args = {"--port", "0", "--unixsocket", sock, "--unixsocketperm", "700"};
  o.ready_unix_socket = sock;
  REQUIRE(srv.Start(o));
  struct stat st {};
  REQUIRE(stat(sock.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0700);
  Client c = Client::Unix(sock);
  REQUIRE(c.ok());
  ExerciseBasics(c);
  // CLIENT INFO shows the unix-socket flag.
  std::string info = c.Str({"CLIENT", "INFO"});
  CHECK(Field(info, "flags=").value_or("").find('U') != std::string::npos);
  // No TCP listener with port 0.
  CHECK_FALSE(srv.Ping());
  // The socket file is removed on shutdown.
  CHECK(srv.Stop() == 0);
  CHECK(stat(sock.c_str(), &st) != 0);
}

TEST_CASE("10000 pipelined commands in one write are answered in order", "[integration][basic]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  RawConn raw = RawConn::Tcp(srv.port());
  REQUIRE(raw.ok());
  constexpr int kCommands = 10000;
  std::string batch, expected;
  for (int i = 0; i < kCommands; ++i) {
    if (i % 2 == 0) {
      batch += "*2\r\n$4\r\nINCR\r\n$3\r\nctr\r\n";
      expected += ":" + std::to_string(i / 2 + 1) + "\r\n";
    } else {
      std::string arg = "m" + std::to_string(i);
      batch += "*2\r\n$4\r\nECHO\r\n$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
      expected += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
    }
  }
  REQUIRE(raw.Send(batch));
  std::string got = raw.Read(expected.size(), Ms(20000));
  REQUIRE(got.size() == expected.size());
  CHECK(got == expected);
  // Nothing more than the expected replies.
  REQUIRE(raw.Send("PING\r\n"));
  CHECK(raw.Read(7) == "+PONG\r\n");
}

TEST_CASE("pipelining through hiredis", "[integration][basic]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  REQUIRE(c.ok());
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(c.Append({"SET", "key:" + std::to_string(i), std::to_string(i * 7)}));
    REQUIRE(c.Append({"GET", "key:" + std::to_string(i)}));
  }
  int bad = 0;
  for (int i = 0; i < 1000; ++i) {
    if (Describe(c.GetReply().get()) != "OK") ++bad;
    if (Describe(c.GetReply().get()) != std::to_string(i * 7)) ++bad;
  }
  CHECK(bad == 0);
  CHECK(c.Int({"DBSIZE"}) == 1000);
}

TEST_CASE("10 MB binary value round trips byte-exact", "[integration][basic]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  REQUIRE(c.ok());
  const std::string value = BinaryValue(10 * 1024 * 1024);
  CHECK(c.Str({"SET", "big", value}) == "OK");
  CHECK(c.Int({"STRLEN", "big"}) == static_cast<long long>(value.size()));
  Reply r = c.Cmd({"GET", "big"});
  REQUIRE(r);
  REQUIRE(r->type == REDIS_REPLY_STRING);
  REQUIRE(r->len == value.size());
  CHECK(std::string(r->str, r->len) == value);
  // A second connection sees the same bytes.
  Client c2 = Client::Tcp(srv.port());
  Reply r2 = c2.Cmd({"GETRANGE", "big", "5000000", "5000099"});
  REQUIRE(r2);
  CHECK(std::string(r2->str, r2->len) == value.substr(5000000, 100));
}
