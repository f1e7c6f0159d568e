// Connection management: maxclients, idle timeout and the CLIENT command family.
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"

using namespace larder::it;

namespace {

long long ConnectedClients(Client& c) { return InfoInt(c, "clients", "connected_clients"); }

// Waits until the server counts exactly n connections (earlier probes have gone).
bool WaitConnected(Client& c, long long n) {
  return WaitFor([&] { return ConnectedClients(c) == n; }, Ms(5000));
}

size_t CountLines(const std::string& s) {
  size_t n = 0;
  for (char ch : s) n += ch == '\n';
  return n;
}

long long RawClientId(RawConn& raw) {
  REQUIRE(raw.Send("CLIENT ID\r\n"));
  std::string r = raw.ReadReply();
  REQUIRE(r.size() > 3);
  REQUIRE(r[0] == ':');
  return std::stoll(r.substr(1));
}

}  // namespace

TEST_CASE("maxclients refuses extra connections and accepts again after a close",
          "[integration][clients]") {
  ServerProcess srv;
  REQUIRE(srv.Start({"--maxclients", "3"}));
  std::vector<Client> clients;
  clients.push_back(Client::Tcp(srv.port()));
  REQUIRE(clients[0].ok());
  REQUIRE(WaitConnected(clients[0], 1));
  clients.push_back(Client::Tcp(srv.port()));
  clients.push_back(Client::Tcp(srv.port()));
  for (Client& c : clients) CHECK(c.Str({"PING"}) == "PONG");

  RawConn fourth = RawConn::Tcp(srv.port());
  REQUIRE(fourth.ok());
  std::string data;
  CHECK(fourth.WaitClosed(Ms(5000), &data));
  CHECK(data == "-ERR max number of clients reached\r\n");
  CHECK(Field(clients[0].Str({"INFO", "stats"}), "rejected_connections:") == "1");

  clients.pop_back();  // closes one
  CHECK(WaitConnected(clients[0], 2));
  bool accepted = WaitFor(
      [&] {
        RawConn c = RawConn::Tcp(srv.port());
        return c.Send("PING\r\n") && c.ReadReply() == "+PONG\r\n";
      },
      Ms(5000));
  CHECK(accepted);

  // CONFIG SET maxclients applies to new connections at once.
  CHECK(clients[0].Str({"CONFIG", "SET", "maxclients", "2"}) == "OK");
  REQUIRE(WaitConnected(clients[0], 2));
  RawConn extra = RawConn::Tcp(srv.port());
  CHECK(extra.WaitClosed(Ms(5000), &data));
  CHECK(data == "-ERR max number of clients reached\r\n");
}

TEST_CASE("timeout closes idle connections but not active ones", "[integration][clients]") {
  ServerProcess srv;
  REQUIRE(srv.Start({"--timeout", "1"}));
  RawConn idle = RawConn::Tcp(srv.port());
  REQUIRE(idle.ok());
  Client active = Client::Tcp(srv.port());
  REQUIRE(active.ok());
  auto start = Clock::now();
  bool idle_closed = false;
  bool active_ok = true;
  // PING on the active connection every 200 ms while polling the idle one for EOF; keep
  // going for at least 2.5 s (over twice the timeout) and at most 5 s.
  while (Clock::now() - start < Ms(5000)) {
    if (active.Str({"PING"}) != "PONG") active_ok = false;
    if (!idle_closed) idle_closed = idle.WaitClosed(Ms(200));
    else idle.Read(1, Ms(200));  // just the pacing
    if (idle_closed && Clock::now() - start > Ms(2500)) break;
  }
  auto elapsed = std::chrono::duration_cast<Ms>(Clock::now() - start).count();
  CHECK(idle_closed);
  CHECK(active_ok);
  CHECK(elapsed >= 2500);
  CHECK(active.Str({"PING"}) == "PONG");
}

TEST_CASE("CLIENT ID SETNAME GETNAME SETINFO INFO LIST", "[integration][clients]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client a = Client::Tcp(srv.port());
  Client b = Client::Tcp(srv.port());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  long long id_a = a.Int({"CLIENT", "ID"});
  long long id_b = b.Int({"CLIENT", "ID"});
  CHECK(id_a > 0);
  CHECK(id_b > 0);
  CHECK(id_a != id_b);

  CHECK(a.Str({"CLIENT", "GETNAME"}) == "(nil)");
  CHECK(a.Str({"CLIENT", "SETNAME", "alpha"}) == "OK");
  CHECK(b.Str({"CLIENT", "SETNAME", "beta"}) == "OK");
  CHECK(a.Str({"CLIENT", "GETNAME"}) == "alpha");
  CHECK(a.Err({"CLIENT", "SETNAME", "has space"}) ==
        "ERR Client names cannot contain spaces, newlines or special characters.");

  CHECK(a.Str({"CLIENT", "SETINFO", "lib-name", "mylib"}) == "OK");
  CHECK(a.Str({"CLIENT", "SETINFO", "lib-ver", "1.2.3"}) == "OK");
  std::string info = a.Str({"CLIENT", "INFO"});
  INFO(info);
  CHECK(info.find("lib-name=mylib lib-ver=1.2.3") != std::string::npos);
  CHECK(Field(info, "id=") == std::to_string(id_a));
  CHECK(Field(info, "name=") == "alpha");
  CHECK(Field(info, "cmd=") == "client|info");

  REQUIRE(WaitConnected(a, 2));
  std::string list = a.Str({"CLIENT", "LIST"});
  INFO(list);
  CHECK(CountLines(list) == 2);
  CHECK(list.find("id=" + std::to_string(id_a) + " ") != std::string::npos);
  CHECK(list.find("id=" + std::to_string(id_b) + " ") != std::string::npos);
  CHECK(list.find(" name=alpha ") != std::string::npos);
  CHECK(list.find(" name=beta ") != std::string::npos);
  // b's lib info is published to other clients' view too.
  CHECK(b.Str({"CLIENT", "SETINFO", "lib-name", "other"}) == "OK");
  CHECK(WaitFor([&] {
    return a.Str({"CLIENT", "LIST", "ID", std::to_string(id_b)}).find("lib-name=other") !=
           std::string::npos;
  }, Ms(2000)));
  std::string only_b = a.Str({"CLIENT", "LIST", "ID", std::to_string(id_b)});
  CHECK(CountLines(only_b) == 1);
  CHECK(only_b.find(" name=beta ") != std::string::npos);
}

TEST_CASE("CLIENT KILL", "[integration][clients]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client a = Client::Tcp(srv.port());
  REQUIRE(a.ok());

  SECTION("ID of another connection") {
    RawConn other = RawConn::Tcp(srv.port());
    long long other_id = RawClientId(other);
    CHECK(a.Int({"CLIENT", "KILL", "ID", std::to_string(other_id)}) == 1);
    CHECK(other.WaitClosed(Ms(5000)));
    CHECK(a.Int({"CLIENT", "KILL", "ID", std::to_string(other_id)}) == 0);
    CHECK(a.Str({"PING"}) == "PONG");
  }
  SECTION("old form with our own address: OK, then closed") {
    RawConn self = RawConn::Tcp(srv.port());
    REQUIRE(self.Send("CLIENT INFO\r\n"));
    std::string info = self.ReadReply();
    auto addr = Field(info, "addr=");
    REQUIRE(addr);
    REQUIRE(self.Send("CLIENT KILL " + *addr + "\r\n"));
    std::string data;
    CHECK(self.WaitClosed(Ms(5000), &data));
    CHECK(data == "+OK\r\n");
    CHECK(a.Str({"PING"}) == "PONG");
  }
  SECTION("ID of the caller itself: skipped by default (SKIPME yes)") {
    RawConn self = RawConn::Tcp(srv.port());
    long long id = RawClientId(self);
    REQUIRE(self.Send("CLIENT KILL ID " + std::to_string(id) + "\r\n"));
    CHECK(self.ReadReply() == ":0\r\n");
    REQUIRE(self.Send("PING\r\n"));
    CHECK(self.ReadReply() == "+PONG\r\n");
    // With SKIPME no: :1, then closed after the reply.
    REQUIRE(self.Send("CLIENT KILL ID " + std::to_string(id) + " SKIPME no\r\n"));
    std::string data;
    CHECK(self.WaitClosed(Ms(5000), &data));
    CHECK(data == ":1\r\n");
  }
  SECTION("old form with an unknown address") {
    CHECK(a.Err({"CLIENT", "KILL", "127.0.0.1:1"}) == "ERR No such client");
  }
  SECTION("new form ADDR and SKIPME") {
    std::string addr = Field(a.Str({"CLIENT", "INFO"}), "addr=").value_or("");
    CHECK(a.Int({"CLIENT", "KILL", "ADDR", addr, "SKIPME", "yes"}) == 0);
    CHECK(a.Str({"PING"}) == "PONG");
  }
}

TEST_CASE("CLIENT REPLY OFF ON SKIP", "[integration][clients]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  RawConn raw = RawConn::Tcp(srv.port());
  REQUIRE(raw.ok());
  // OFF: no reply to OFF itself nor to the commands after it; ON answers +OK.
  REQUIRE(raw.Send("CLIENT REPLY OFF\r\nPING\r\nSET a 1\r\nGET a\r\nCLIENT REPLY ON\r\nPING\r\n"));
  CHECK(raw.Read(12) == "+OK\r\n+PONG\r\n");
  // The commands ran, their replies were just not sent.
  REQUIRE(raw.Send("GET a\r\n"));
  CHECK(raw.ReadReply() == "$1\r\n1\r\n");
  // SKIP: no reply to SKIP and to the next command only.
  REQUIRE(raw.Send("CLIENT REPLY SKIP\r\nECHO skipped\r\nECHO shown\r\nECHO again\r\n"));
  CHECK(raw.ReadReply() == "$5\r\nshown\r\n");
  CHECK(raw.ReadReply() == "$5\r\nagain\r\n");
  // Nothing else is pending.
  CHECK(raw.Read(1, Ms(200)).empty());
  REQUIRE(raw.Send("CLIENT REPLY bogus\r\n"));
  CHECK(raw.ReadReply() == "-ERR syntax error\r\n");
}

TEST_CASE("CLIENT NO-TOUCH keeps reads from changing the LFU counter", "[integration][clients]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  REQUIRE(c.ok());
  CHECK(c.Str({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}) == "OK");
  CHECK(c.Str({"SET", "k", "v"}) == "OK");
  long long f0 = c.Int({"OBJECT", "FREQ", "k"});

  CHECK(c.Str({"CLIENT", "NO-TOUCH", "on"}) == "OK");
  CHECK(Field(c.Str({"CLIENT", "INFO"}), "flags=").value_or("").find('T') != std::string::npos);
  for (int i = 0; i < 200; ++i) REQUIRE(c.Str({"GET", "k"}) == "v");
  CHECK(c.Int({"OBJECT", "FREQ", "k"}) == f0);

  CHECK(c.Str({"CLIENT", "NO-TOUCH", "off"}) == "OK");
  CHECK(Field(c.Str({"CLIENT", "INFO"}), "flags=") == "N");
  // From the initial counter (5) the first increment is certain, later ones likely:
  // 200 reads raise it.
  for (int i = 0; i < 200; ++i) REQUIRE(c.Str({"GET", "k"}) == "v");
  CHECK(c.Int({"OBJECT", "FREQ", "k"}) > f0);
  CHECK(c.Err({"CLIENT", "NO-TOUCH", "maybe"}) == "ERR syntax error");
}

// Redis (7.2, which added NO-TOUCH): "the current client will not change LFU/LRU stats,
// unless it sends the TOUCH command" (lookupKey exempts touchCommand).
TEST_CASE("CLIENT NO-TOUCH: the TOUCH command still touches", "[integration][clients]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  REQUIRE(c.ok());
  CHECK(c.Str({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}) == "OK");
  CHECK(c.Str({"SET", "k", "v"}) == "OK");
  long long f0 = c.Int({"OBJECT", "FREQ", "k"});
  CHECK(f0 == 5);  // LFU_INIT_VAL
  CHECK(c.Str({"CLIENT", "NO-TOUCH", "on"}) == "OK");
  CHECK(c.Int({"TOUCH", "k"}) == 1);
  // From the initial counter the first increment is certain (probability 1).
  CHECK(c.Int({"OBJECT", "FREQ", "k"}) == f0 + 1);
}

TEST_CASE("connected_clients returns to its value after every kind of disconnect",
          "[integration][clients]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client obs = Client::Tcp(srv.port());
  REQUIRE(obs.ok());
  REQUIRE(WaitConnected(obs, 1));
  // Live CONFIG SET of the limits involved.
  REQUIRE(obs.Str({"CONFIG", "SET", "client-query-buffer-limit", "1mb"}) == "OK");
  REQUIRE(obs.Str({"CONFIG", "SET", "maxclients", "6"}) == "OK");
  {
    std::vector<RawConn> conns;
    for (int i = 0; i < 5; ++i) conns.push_back(RawConn::Tcp(srv.port()));
    REQUIRE(WaitConnected(obs, 6));
    RawConn refused = RawConn::Tcp(srv.port());  // the 7th
    std::string data;
    CHECK(refused.WaitClosed(Ms(5000), &data));
    CHECK(data == "-ERR max number of clients reached\r\n");
    // 0: protocol error
    REQUIRE(conns[0].Send("*x\r\n"));
    CHECK(conns[0].WaitClosed());
    // 1: query buffer limit
    (void)conns[1].Send(std::string(1100 * 1024, 'a'), Ms(5000));
    CHECK(conns[1].WaitClosed());
    // 2: CLIENT KILL from another client
    long long id2 = RawClientId(conns[2]);
    CHECK(obs.Int({"CLIENT", "KILL", "ID", std::to_string(id2)}) == 1);
    CHECK(conns[2].WaitClosed());
    // 3: QUIT
    REQUIRE(conns[3].Send("QUIT\r\n"));
    std::string quit;
    CHECK(conns[3].WaitClosed(Ms(5000), &quit));
    CHECK(quit == "+OK\r\n");
    // 4: closed by the client
  }
  CHECK(WaitConnected(obs, 1));
  CHECK(CountLines(obs.Str({"CLIENT", "LIST"})) == 1);
  // And the idle timeout, applied at run time.
  RawConn idle = RawConn::Tcp(srv.port());
  REQUIRE(WaitConnected(obs, 2));
  REQUIRE(obs.Str({"CONFIG", "SET", "timeout", "1"}) == "OK");
  // The observer stays active meanwhile.
  CHECK(WaitFor([&] { return obs.Str({"PING"}) == "PONG" && idle.WaitClosed(Ms(100)); },
                Ms(5000), Ms(0)));
  CHECK(WaitConnected(obs, 1));
  CHECK(obs.Str({"PING"}) == "PONG");
}

// Redis counts writes as interaction (writeToClient updates lastinteraction), so a client
// that is busy receiving a large reply is not idle. Here the client reads ~25 MB of
// replies at about 10 MB/s, which takes over twice the 1 s timeout.
TEST_CASE("timeout does not cut off a client that is still receiving replies",
          "[integration][clients]") {
  ServerProcess srv;
  REQUIRE(srv.Start({"--timeout", "1"}));
  constexpr size_t kValue = 1024 * 1024;
  constexpr int kGets = 25;
  RawConn raw = RawConn::Tcp(srv.port());
  REQUIRE(raw.ok());
  const std::string value(kValue, 'z');
  REQUIRE(raw.Send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + std::to_string(kValue) + "\r\n" + value +
                   "\r\n"));
  REQUIRE(raw.ReadReply() == "+OK\r\n");
  std::string gets;
  for (int i = 0; i < kGets; ++i) gets += "GET big\r\n";
  REQUIRE(raw.Send(gets));
  const std::string expected = "$" + std::to_string(kValue) + "\r\n" + value + "\r\n";
  auto start = Clock::now();
  int good = 0;
  for (int i = 0; i < kGets; ++i) {
    // A slow consumer: one reply per ~100 ms (the read itself is bounded).
    auto next = start + Ms(100) * (i + 1);
    if (raw.Read(expected.size(), Ms(5000)) != expected) break;
    ++good;
    // Pacing of the simulated slow reader (not a wait for server state).
    std::this_thread::sleep_until(next);
  }
  INFO("read " << good << " of " << kGets << " replies in "
               << std::chrono::duration_cast<Ms>(Clock::now() - start).count() << " ms");
  CHECK(good == kGets);
  REQUIRE(raw.Send("PING\r\n"));
  CHECK(raw.ReadReply() == "+PONG\r\n");
}

// maxmemory-clients: when all clients together use more, the biggest one is closed;
// a CLIENT NO-EVICT client is never chosen (its memory still counts, as in Redis).
TEST_CASE("maxmemory-clients evicts the biggest client but not a NO-EVICT one",
          "[integration][clients]") {
  ServerProcess srv;
  REQUIRE(srv.Start(std::vector<std::string>{}));
  Client admin = Client::Tcp(srv.port());
  CHECK(admin.Err({"CONFIG", "SET", "maxmemory-clients", "lots"}).rfind("ERR CONFIG SET failed", 0) ==
        0);
  CHECK(admin.Str({"CONFIG", "SET", "maxmemory-clients", "3mb"}) == "OK");
  CHECK(admin.Str({"CONFIG", "GET", "maxmemory-clients"}) == "[maxmemory-clients,3145728]");

  // Each sends most of a big argument, which the server must buffer: 1.5 MB from the
  // NO-EVICT client (under the limit alone), then 2 MB from another (over it together).
  RawConn keeper = RawConn::Tcp(srv.port());
  REQUIRE(keeper.Send(EncodeCommand({"CLIENT", "NO-EVICT", "on"})));
  REQUIRE(keeper.ReadReply() == "+OK\r\n");
  REQUIRE(keeper.Send("*2\r\n$4\r\nECHO\r\n$2000000\r\n" + std::string(1'500'000, 'x')));
  REQUIRE(WaitFor([&] { return Field(admin.Str({"CLIENT", "LIST"}), "qbuf=") != "0"; }, Ms(3000)));
  RawConn big = RawConn::Tcp(srv.port());
  REQUIRE(big.Send("*2\r\n$4\r\nECHO\r\n$3000000\r\n" + std::string(2'000'000, 'y')));
  CHECK(big.WaitClosed(Ms(5000)));
  CHECK(WaitFor([&] { return Field(admin.Str({"INFO", "stats"}), "evicted_clients:") == "1"; },
                Ms(3000)));
  // The NO-EVICT client is still served.
  REQUIRE(keeper.Send(std::string(500'000, 'x') + "\r\n"));
  const std::string reply = keeper.Read(2'000'012, Ms(5000));
  CHECK(reply.size() == 2'000'012);
  CHECK(reply.rfind("$2000000\r\n", 0) == 0);
  CHECK(Field(admin.Str({"INFO", "stats"}), "evicted_clients:") == "1");
  CHECK(admin.Str({"CONFIG", "SET", "maxmemory-clients", "0"}) == "OK");
}
