// Process lifecycle: SIGTERM / SIGINT, SHUTDOWN variants, pidfile, and test servers
// that die with their test process.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <string>

#include "server_process.h"

using namespace larder::it;

TEST_CASE("SIGTERM during a 1 MB pipeline exits 0 promptly", "[integration][lifecycle]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  RawConn raw = RawConn::Tcp(srv.port());
  REQUIRE(raw.ok());
  std::string batch;
  const std::string value(100, 'v');
  for (int i = 0; batch.size() < 1024 * 1024; ++i) {
    std::string key = "key:" + std::to_string(i);
    batch += "*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n$100\r\n" +
             value + "\r\n";
  }
  REQUIRE(raw.Send(batch));
  // Some replies are coming back: the pipeline is being processed.
  CHECK(raw.Read(5) == "+OK\r\n");
  auto start = Clock::now();
  CHECK(srv.Stop(Ms(5000)) == 0);
  CHECK(Clock::now() - start < Ms(5000));
  // The client sees an orderly end of stream (after whatever replies were in flight).
  CHECK(raw.WaitClosed(Ms(5000)));
  CHECK(srv.Output().find("Received SIGTERM") != std::string::npos);
}

TEST_CASE("SIGINT exits 0", "[integration][lifecycle]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  REQUIRE(c.ok());
  REQUIRE(kill(srv.pid(), SIGINT) == 0);
  CHECK(srv.WaitExit(Ms(5000)) == 0);
}

TEST_CASE("a client that does not read does not hold up SIGTERM", "[integration][lifecycle]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  REQUIRE(c.Str({"SET", "big", std::string(1024 * 1024, 'x')}) == "OK");
  RawConn raw = RawConn::Tcp(srv.port());
  std::string gets;
  for (int i = 0; i < 40; ++i) gets += "GET big\r\n";
  REQUIRE(raw.Send(gets));
  // Wait until replies are pending for it (it never reads).
  CHECK(WaitFor([&] {
    std::string list = c.Str({"CLIENT", "LIST"});
    return list.find("cmd=get") != std::string::npos;
  }, Ms(5000)));
  auto start = Clock::now();
  CHECK(srv.Stop(Ms(6000)) == 0);
  // Bounded by the 2 s grace period for in-flight replies (plus slack).
  CHECK(Clock::now() - start < Ms(4500));
}

TEST_CASE("SHUTDOWN variants", "[integration][lifecycle]") {
  ServerProcess srv;
  REQUIRE(srv.Start());

  SECTION("SHUTDOWN NOSAVE: no reply, exit 0") {
    RawConn raw = RawConn::Tcp(srv.port());
    REQUIRE(raw.Send("SHUTDOWN NOSAVE\r\n"));
    std::string data;
    CHECK(raw.WaitClosed(Ms(5000), &data));
    CHECK(data.empty());
    CHECK(srv.WaitExit(Ms(5000)) == 0);
  }
  SECTION("plain SHUTDOWN with no save points: exit 0") {
    RawConn raw = RawConn::Tcp(srv.port());
    REQUIRE(raw.Send("SHUTDOWN\r\n"));
    std::string data;
    CHECK(raw.WaitClosed(Ms(5000), &data));
    CHECK(data.empty());
    CHECK(srv.WaitExit(Ms(5000)) == 0);
  }
  SECTION("SHUTDOWN SAVE that cannot save fails and the server keeps running") {
    // A directory named like the dump file (persistence_test.cc covers the saves).
    std::filesystem::create_directory(srv.Path("dump.rdb"));
    Client c = Client::Tcp(srv.port());
    CHECK(c.Err({"SHUTDOWN", "SAVE"}) == "ERR Errors trying to SHUTDOWN. Check logs.");
    CHECK(c.Str({"PING"}) == "PONG");
    CHECK(srv.Running());
    CHECK(srv.Ping());
    CHECK(srv.Stop() == 0);
  }
  SECTION("SHUTDOWN ABORT with nothing in progress") {
    Client c = Client::Tcp(srv.port());
    CHECK(c.Err({"SHUTDOWN", "ABORT"}) == "ERR No shutdown in progress.");
    CHECK(c.Str({"PING"}) == "PONG");
    CHECK(srv.Running());
  }
  SECTION("SHUTDOWN with a bad argument") {
    Client c = Client::Tcp(srv.port());
    CHECK(c.Err({"SHUTDOWN", "BOGUS"}) == "ERR syntax error");
    CHECK(srv.Running());
  }
}

TEST_CASE("pidfile is written while running and removed at exit", "[integration][lifecycle]") {
  ServerProcess srv;
  const std::string pidfile = srv.Path("larder.pid");
  REQUIRE(srv.Start({"--pidfile", pidfile}));
  std::string contents = ReadFile(pidfile);
  CHECK(contents == std::to_string(srv.pid()) + "\n");
  CHECK(srv.Stop() == 0);
  CHECK(access(pidfile.c_str(), F_OK) != 0);
}

TEST_CASE("daemonize yes: the parent exits 0, the daemon serves and writes the pidfile",
          "[integration][lifecycle]") {
  ServerProcess srv;
  const std::string pidfile = srv.Path("d.pid");
  const std::string logfile = srv.Path("d.log");
  StartOptions o;
  o.args = {"--daemonize", "yes", "--pidfile", pidfile, "--logfile", logfile};
  o.wait_ready = false;
  REQUIRE(srv.Start(o));
  CHECK(srv.WaitExit(Ms(5000)) == 0);  // the foreground process
  pid_t daemon_pid = 0;
  CHECK(WaitFor([&] {
    daemon_pid = pid_t(std::atoi(ReadFile(pidfile).c_str()));
    return daemon_pid > 0 && srv.Ping();
  }, Ms(10000)));
  REQUIRE(daemon_pid > 0);
  // Whatever happens below, do not leave the daemon behind.
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      if (kill(pid, 0) == 0 && access(("/proc/" + std::to_string(pid) + "/status").c_str(), F_OK) == 0) {
        std::string status = ReadFile("/proc/" + std::to_string(pid) + "/status");
        if (status.find("State:\tZ") == std::string::npos) kill(pid, SIGKILL);
      }
    }
  } reaper{daemon_pid};
  CHECK(daemon_pid != srv.pid());
  Client c = Client::Tcp(srv.port());
  REQUIRE(c.ok());
  CHECK(c.Str({"SET", "k", "v"}) == "OK");
  CHECK(Field(c.Str({"INFO", "server"}), "process_id:") == std::to_string(daemon_pid));
  CHECK(ReadFile(logfile).find("Ready to accept connections") != std::string::npos);
  // Nothing went to the original stdout after the fork.
  CHECK(srv.Output().find("Ready to accept connections") == std::string::npos);
  c.Cmd({"SHUTDOWN", "NOSAVE"});
  CHECK(WaitFor([&] { return access(pidfile.c_str(), F_OK) != 0 && !srv.Ping(); }, Ms(5000)));
}

TEST_CASE("logfile receives the log instead of stdout", "[integration][lifecycle]") {
  ServerProcess srv;
  const std::string logfile = srv.Path("server-file.log");
  REQUIRE(srv.Start({"--logfile", logfile, "--loglevel", "verbose"}));
  CHECK(ReadFile(logfile).find("Ready to accept connections") != std::string::npos);
  CHECK(srv.Output().find("Ready to accept connections") == std::string::npos);
  CHECK(srv.Stop() == 0);
  CHECK(ReadFile(logfile).find("bye bye") != std::string::npos);
}

namespace {

// True once `pid` has exited: gone, or a zombie waiting for init to reap it.
bool Exited(pid_t pid) {
  if (kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const size_t close = line.rfind(')');
  return close == std::string::npos || (close + 2 < line.size() && line[close + 2] == 'Z');
}

}  // namespace

TEST_CASE("a test process killed by a timeout takes its server with it",
          "[integration][lifecycle]") {
  // A child process stands in for a test binary: it starts a server, reports the
  // server's pid and temp dir, and is SIGKILLed (no destructor runs). The server must
  // not outlive it (ServerProcess sets PR_SET_PDEATHSIG).
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    pid_t server = -1;
    std::string dir;
    {
      auto* srv = new ServerProcess();  // never destroyed: the process is killed
      if (srv->Start()) server = srv->pid(), dir = srv->dir();
    }
    const std::string msg = std::to_string(server) + " " + dir + "\n";
    if (write(fds[1], msg.data(), msg.size()) < 0) _exit(1);
    for (;;) pause();
  }
  close(fds[1]);
  std::string msg;
  char buf[512];
  pollfd p{fds[0], POLLIN, 0};
  while (msg.find('\n') == std::string::npos && poll(&p, 1, 10'000) == 1) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    msg.append(buf, size_t(n));
  }
  close(fds[0]);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  const pid_t server = pid_t(std::atol(msg.c_str()));
  const size_t space = msg.find(' ');
  const std::string dir =
      space == std::string::npos ? "" : msg.substr(space + 1, msg.find('\n') - space - 1);
  REQUIRE(server > 0);
  const bool exited = WaitFor([&] { return Exited(server); }, Ms(5000));
  if (!exited) kill(server, SIGKILL);  // do not leave it behind when the check fails
  CHECK(exited);
  std::error_code ec;
  if (!dir.empty()) std::filesystem::remove_all(dir, ec);
}
