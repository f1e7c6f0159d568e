// Output back-pressure: a client that pipelines big replies without reading them must not
// make the server buffer them all, and must not starve other clients.
#include <catch2/catch.hpp>
#include <string>

#include "server_process.h"

using namespace larder::it;

TEST_CASE("a slow reader of large replies is throttled, others keep being served",
          "[integration][backpressure]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  REQUIRE(c.ok());
  constexpr size_t kValue = 1024 * 1024;
  constexpr int kGets = 200;  // 200 MB of replies
  std::string value(kValue, '\0');
  for (size_t i = 0; i < kValue; ++i) value[i] = char('a' + i % 26);
  REQUIRE(c.Str({"SET", "big", value}) == "OK");

  RawConn slow = RawConn::Tcp(srv.port());
  REQUIRE(slow.ok());
  long long slow_id = 0;
  {
    REQUIRE(slow.Send("CLIENT ID\r\n"));
    std::string r = slow.ReadReply();
    REQUIRE(r.size() > 3);
    slow_id = std::stoll(r.substr(1));
  }
  long rss_before = srv.RssKb();
  REQUIRE(rss_before > 0);

  std::string gets;
  for (int i = 0; i < kGets; ++i) gets += "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n";
  REQUIRE(slow.Send(gets));

  // The server stops reading that client: commands wait in its query buffer while its
  // output buffer holds the (bounded) pending replies.
  std::string line;
  bool throttled = WaitFor(
      [&] {
        line = c.Str({"CLIENT", "LIST", "ID", std::to_string(slow_id)});
        auto qbuf = Field(line, "qbuf=");
        auto obl = Field(line, "obl=");
        return qbuf && obl && std::stoll(*qbuf) > 0 && std::stoll(*obl) > 0;
      },
      Ms(10000));
  INFO("slow client: " << line);
  CHECK(throttled);

  // Other clients are served promptly meanwhile.
  for (int i = 0; i < 5; ++i) {
    auto start = Clock::now();
    Client other = Client::Tcp(srv.port(), Ms(2000));
    CHECK(other.Str({"PING"}) == "PONG");
    CHECK(c.Str({"GET", "missing"}) == "(nil)");
    CHECK(Clock::now() - start < Ms(1000));
  }
  long rss_during = srv.RssKb();
  INFO("RSS before " << rss_before << " KiB, while throttled " << rss_during << " KiB");
  // Far below the 200 MB of replies (~16 MB pending plus allocator slack).
  CHECK(rss_during - rss_before < (kAsanBuild ? 120 : 80) * 1024);

  // Now read everything: exactly kGets correct values, in order.
  const std::string expected = "$" + std::to_string(kValue) + "\r\n" + value + "\r\n";
  int good = 0;
  for (int i = 0; i < kGets; ++i) {
    std::string r = slow.Read(expected.size(), Ms(20000));
    if (r != expected) break;
    ++good;
  }
  CHECK(good == kGets);
  CHECK(slow.Read(1, Ms(100)).empty());
  REQUIRE(slow.Send("PING\r\n"));
  CHECK(slow.ReadReply() == "+PONG\r\n");
  long rss_after = srv.RssKb();
  INFO("RSS after draining " << rss_after << " KiB");
  if (!kAsanBuild) CHECK(rss_after - rss_before < 80 * 1024);
}

TEST_CASE("clients that disconnect with replies pending are cleaned up",
          "[integration][backpressure]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  REQUIRE(c.ok());
  REQUIRE(c.Str({"SET", "big", std::string(1024 * 1024, 'q')}) == "OK");
  long rss_before = srv.RssKb();
  std::string gets;
  for (int i = 0; i < 100; ++i) gets += "GET big\r\n";
  for (int round = 0; round < 5; ++round) {
    RawConn raw = RawConn::Tcp(srv.port());
    REQUIRE(raw.Send(gets));
    REQUIRE(raw.Read(1000).size() == 1000);  // replies are flowing
  }  // closed without reading the rest
  CHECK(WaitFor([&] {
    return Field(c.Str({"INFO", "clients"}), "connected_clients:") == "1";
  }, Ms(5000)));
  CHECK(c.Str({"PING"}) == "PONG");
  CHECK(c.Int({"STRLEN", "big"}) == 1024 * 1024);
  long rss_after = srv.RssKb();
  INFO("RSS before " << rss_before << " KiB, after " << rss_after << " KiB");
  if (!kAsanBuild) CHECK(rss_after - rss_before < 80 * 1024);
}
