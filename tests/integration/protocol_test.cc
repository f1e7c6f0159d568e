// Wire-protocol behaviour: protocol errors, inline commands, bulk length limits and the
// query buffer limit.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "server_process.h"

using namespace larder::it;

namespace {

// Sends `bytes` on a fresh connection and returns everything the server sent before
// closing it. `closed` tells whether it did close within the deadline.
std::string SendAndCollect(int port, const std::string& bytes, bool* closed) {
  RawConn raw = RawConn::Tcp(port);
  REQUIRE(raw.ok());
  REQUIRE(raw.Send(bytes));
  std::string data;
  *closed = raw.WaitClosed(Ms(5000), &data);
  return data;
}

// Id of the (single) other client whose query buffer holds at least `min_qbuf` bytes,
// polled from `observer` (bounded); -1 if none shows up.
long long WaitForQbuf(Client& observer, long long min_qbuf) {
  long long id = -1;
  WaitFor(
      [&] {
        std::string list = observer.Str({"CLIENT", "LIST"});
        size_t pos = 0;
        while (pos < list.size()) {
          size_t end = list.find('\n', pos);
          if (end == std::string::npos) end = list.size();
          std::string line = list.substr(pos, end - pos);
          pos = end + 1;
          auto q = Field(line, "qbuf=");
          if (q && std::stoll(*q) >= min_qbuf) {
            id = std::stoll(Field(line, "id=").value_or("-1"));
            return true;
          }
        }
        return false;
      },
      Ms(5000));
  return id;
}

}  // namespace

TEST_CASE("protocol errors are reported and close the connection", "[integration][protocol]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  bool closed = false;

  SECTION("invalid multibulk length") {
    CHECK(SendAndCollect(srv.port(), "*a\r\n", &closed) ==
          "-ERR Protocol error: invalid multibulk length\r\n");
    CHECK(closed);
  }
  SECTION("unbalanced quotes in an inline command") {
    CHECK(SendAndCollect(srv.port(), "SET k \"abc\r\n", &closed) ==
          "-ERR Protocol error: unbalanced quotes in request\r\n");
    CHECK(closed);
  }
  SECTION("expected '$'") {
    CHECK(SendAndCollect(srv.port(), "*1\r\nx\r\n", &closed) ==
          "-ERR Protocol error: expected '$', got 'x'\r\n");
    CHECK(closed);
  }
  SECTION("negative bulk length") {
    CHECK(SendAndCollect(srv.port(), "*1\r\n$-5\r\n", &closed) ==
          "-ERR Protocol error: invalid bulk length\r\n");
    CHECK(closed);
  }
  SECTION("commands before the error run, bytes after it do not") {
    CHECK(SendAndCollect(srv.port(), "SET before 1\r\n*a\r\nSET x 1\r\n", &closed) ==
          "+OK\r\n-ERR Protocol error: invalid multibulk length\r\n");
    CHECK(closed);
    Client c = Client::Tcp(srv.port());
    CHECK(c.Str({"GET", "before"}) == "1");
    CHECK(c.Int({"EXISTS", "x"}) == 0);
  }
  // Whatever happened, the server still serves new clients.
  CHECK(srv.Ping());
}

TEST_CASE("inline commands with quoting", "[integration][protocol]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  RawConn raw = RawConn::Tcp(srv.port());
  REQUIRE(raw.Send("SET k \"a b\"\r\nGET k\r\n"));
  CHECK(raw.Read(std::string("+OK\r\n$3\r\na b\r\n").size()) == "+OK\r\n$3\r\na b\r\n");
  // Bare \n also ends a line; single quotes and \x escapes; empty lines are ignored.
  REQUIRE(raw.Send("\r\nSET k2 'it''s'\nECHO \"\\x41\\n\"\r\n"));
  CHECK(raw.ReadReply() == "-ERR Protocol error: unbalanced quotes in request\r\n");
  CHECK(raw.WaitClosed());

  RawConn raw2 = RawConn::Tcp(srv.port());
  REQUIRE(raw2.Send("\r\n\r\nSET k2 'it\\'s'\nECHO \"\\x41\\n\"\r\nGET k2\r\n"));
  CHECK(raw2.ReadReply() == "+OK\r\n");
  CHECK(raw2.ReadReply() == "$2\r\nA\n\r\n");
  CHECK(raw2.ReadReply() == "$4\r\nit's\r\n");
}

TEST_CASE("a bulk longer than proto-max-bulk-len is refused", "[integration][protocol]") {
  ServerProcess srv;
  REQUIRE(srv.Start());  // default proto-max-bulk-len 512mb
  bool closed = false;
  CHECK(SendAndCollect(srv.port(), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$629145600\r\nabc", &closed) ==
        "-ERR Protocol error: invalid bulk length\r\n");
  CHECK(closed);
  CHECK(srv.Ping());
}

TEST_CASE("a huge declared bulk does not reserve memory up front", "[integration][protocol]") {
  ServerProcess srv;
  REQUIRE(srv.Start({"--proto-max-bulk-len", "1gb"}));
  Client observer = Client::Tcp(srv.port());
  REQUIRE(observer.ok());
  RawConn raw = RawConn::Tcp(srv.port());
  REQUIRE(raw.ok());
  REQUIRE(srv.Ping());
  long before_kb = srv.RssKb();
  REQUIRE(before_kb > 0);
  std::string header = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$629145600\r\n";
  REQUIRE(raw.Send(header + std::string(1024, 'x')));
  // Wait until the server has read (and buffered) what was sent.
  long long id = WaitForQbuf(observer, static_cast<long long>(header.size()) + 1024);
  CHECK(id > 0);
  long after_kb = srv.RssKb();
  INFO("RSS before " << before_kb << " KiB, after " << after_kb << " KiB");
  CHECK(after_kb - before_kb < 50 * 1024);
  // Nothing was answered: the command is incomplete.
  CHECK(raw.Read(1, Ms(100)).empty());
  raw.Close();
  CHECK(WaitFor([&] { return observer.Str({"CLIENT", "LIST", "ID", std::to_string(id)}).empty(); },
                Ms(5000)));
  CHECK(observer.Str({"PING"}) == "PONG");
  CHECK(observer.Int({"EXISTS", "k"}) == 0);
  CHECK(srv.Ping());
}

TEST_CASE("client-query-buffer-limit closes the offending connection", "[integration][protocol]") {
  ServerProcess srv;
  REQUIRE(srv.Start({"--client-query-buffer-limit", "1mb", "--proto-max-bulk-len", "1gb"}));
  Client other = Client::Tcp(srv.port());
  REQUIRE(other.ok());
  const std::string two_mb(2 * 1024 * 1024, 'a');

  SECTION("incomplete inline line") {
    RawConn raw = RawConn::Tcp(srv.port());
    REQUIRE(raw.ok());
    (void)raw.Send(two_mb, Ms(5000));  // may fail part way once the server closes
    CHECK(raw.WaitClosed(Ms(5000)));
  }
  SECTION("2 MB bulk argument") {
    RawConn raw = RawConn::Tcp(srv.port());
    REQUIRE(raw.ok());
    std::string req = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(two_mb.size()) + "\r\n" +
                      two_mb + "\r\n";
    (void)raw.Send(req, Ms(5000));
    CHECK(raw.WaitClosed(Ms(5000)));
    CHECK(other.Int({"EXISTS", "k"}) == 0);
  }
  SECTION("a 900 KB value under the limit is fine") {
    Client c = Client::Tcp(srv.port());
    CHECK(c.Str({"SET", "k", std::string(900 * 1024, 'b')}) == "OK");
    CHECK(c.Int({"STRLEN", "k"}) == 900 * 1024);
  }
  CHECK(other.Str({"PING"}) == "PONG");
  CHECK(srv.Ping());
}

TEST_CASE("a command split at every byte position is parsed the same", "[integration][protocol]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client observer = Client::Tcp(srv.port());
  REQUIRE(observer.ok());
  RawConn raw = RawConn::Tcp(srv.port());
  REQUIRE(raw.Send("CLIENT ID\r\n"));
  std::string id_reply = raw.ReadReply();
  REQUIRE(id_reply.size() > 3);
  const std::string id = id_reply.substr(1, id_reply.size() - 3);

  for (const std::string& cmd : {std::string("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n"),
                                std::string("SET key \"va\\r\\nl\"\r\n")}) {
    int bad = 0;
    for (size_t k = 1; k < cmd.size(); ++k) {
      REQUIRE(raw.Send(cmd.substr(0, k)));
      // Wait until the server has read the prefix (it sits in the query buffer), so the
      // rest really arrives in a later read.
      bool buffered = WaitFor(
          [&] {
            return Field(observer.Str({"CLIENT", "LIST", "ID", id}), "qbuf=") ==
                   std::to_string(k);
          },
          Ms(2000), Ms(2));
      REQUIRE(raw.Send(cmd.substr(k)));
      std::string reply = raw.ReadReply();
      if (!buffered || reply != "+OK\r\n") {
        ++bad;
        UNSCOPED_INFO("split at " << k << ": buffered=" << buffered << " reply=" << reply);
      }
    }
    CHECK(bad == 0);
    CHECK(observer.Str({"GET", "key"}) == "va\r\nl");
  }
}

TEST_CASE("empty and null multibulk requests and empty arguments", "[integration][protocol]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  RawConn raw = RawConn::Tcp(srv.port());
  // *0 and *-1 are skipped silently; a blank inline line too.
  REQUIRE(raw.Send("*0\r\n*-1\r\n\r\n*1\r\n$4\r\nPING\r\n"));
  CHECK(raw.ReadReply() == "+PONG\r\n");
  REQUIRE(raw.Send("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$0\r\n\r\n*2\r\n$3\r\nGET\r\n$0\r\n\r\n"));
  CHECK(raw.ReadReply() == "+OK\r\n");
  CHECK(raw.ReadReply() == "$0\r\n\r\n");
  REQUIRE(raw.Send("NOSUCHCOMMAND a b\r\n"));
  CHECK(raw.ReadReply() ==
        "-ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'a' 'b' \r\n");
  REQUIRE(raw.Send("GET\r\n"));
  CHECK(raw.ReadReply() == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(raw.Read(1, Ms(100)).empty());
}

TEST_CASE("a 2 MB pipeline of small commands is not a query buffer overflow",
          "[integration][protocol]") {
  ServerProcess srv;
  REQUIRE(srv.Start({"--client-query-buffer-limit", "1mb"}));
  RawConn raw = RawConn::Tcp(srv.port());
  std::string batch;
  int n = 0;
  while (batch.size() < 2 * 1024 * 1024) {
    batch += "INCR n\r\n";
    ++n;
  }
  REQUIRE(raw.Send(batch, Ms(20000)));
  REQUIRE(raw.Send("GET n\r\n"));
  std::string expect_tail = "$" + std::to_string(std::to_string(n).size()) + "\r\n" +
                            std::to_string(n) + "\r\n";
  // Replies :1 .. :n then the GET.
  size_t total = expect_tail.size();
  for (int i = 1; i <= n; ++i) total += std::to_string(i).size() + 3;
  std::string got = raw.Read(total, Ms(30000));
  REQUIRE(got.size() == total);
  CHECK(got.substr(got.size() - expect_tail.size()) == expect_tail);
  CHECK_FALSE(raw.eof());
}

// The server reads ahead in a pipelined batch to prefetch its keys (Connection::
// ReadAhead). The replies must be exactly those of the same commands sent one at a time,
// whatever the batch holds: database switches, transactions, scripts with bad key
// counts, unknown commands, wrong arity, more commands than one read-ahead window, and
// a command cut in two by the end of a write.
TEST_CASE("a pipelined batch gets the replies of its commands sent one by one",
          "[integration][protocol]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  const std::vector<std::string> cmds = {
      "SET a 1", "SELECT 3", "SET a 2", "GET a", "SELECT 0", "GET a", "MGET a b a",
      "NOSUCH x", "GET", "GET a extra",
      "EVAL \"return redis.call('get', KEYS[1])\" 5 a",
      "EVAL \"return redis.call('get', KEYS[1])\" 1 a", "MULTI", "GET a", "INCR a", "EXEC",
      "HSET h f v", "HGET h f", "LPUSH l x y", "RPOP l", "SET s abc", "APPEND s def",
      "GETRANGE s 1 3", "DEL a s", "GET a", "EXISTS a h l", "SWAPDB 0 3", "GET a",
      "SWAPDB 0 3", "FLUSHDB", "GET a", "DBSIZE"};
  std::string one_by_one;
  {
    RawConn raw = RawConn::Tcp(srv.port());
    REQUIRE(raw.ok());
    for (const std::string& c : cmds) {
      REQUIRE(raw.Send(c + "\r\n"));
      one_by_one += raw.ReadReply();
    }
    REQUIRE(raw.Send("FLUSHALL\r\n"));
    REQUIRE(raw.ReadReply() == "+OK\r\n");
  }
  // Three copies of the list in one batch (more than one read-ahead window), after a
  // FLUSHALL each; the batch goes out in two writes cut inside a command.
  std::string batch, expected;
  for (int copy = 0; copy < 3; ++copy) {
    for (const std::string& c : cmds) batch += c + "\r\n";
    batch += "FLUSHALL\r\n";
    expected += one_by_one + "+OK\r\n";
  }
  RawConn raw = RawConn::Tcp(srv.port());
  REQUIRE(raw.ok());
  const size_t cut = batch.find("HGET h f") + 3;
  REQUIRE(raw.Send(batch.substr(0, cut)));
  REQUIRE(raw.Send(batch.substr(cut)));
  std::string got = raw.Read(expected.size(), Ms(10000));
  CHECK(got == expected);
  CHECK(raw.Read(1, Ms(100)).empty());
}
