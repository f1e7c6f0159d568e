#include "server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <ifaddrs.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef LARDER_SERVER_BIN
#define LARDER_SERVER_BIN "larder-server"
#endif

namespace larder::it {
namespace {

int Remaining(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now()).count();
  return left < 0 ? 0 : int(left);
}

timeval ToTimeval(Ms ms) {
  timeval tv{};
  tv.tv_sec = long(ms.count() / 1000);
  tv.tv_usec = long((ms.count() % 1000) * 1000);
  return tv;
}

int ConnectTcp(int port, const std::string& host = "127.0.0.1") {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
    close(fd);
    return -1;
  }
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

int ConnectUnix(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) {
    close(fd);
    return -1;
  }
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Parses the decimal after a type byte up to "\r\n" at `pos`; advances pos past it.
bool ParseLine(std::string_view d, size_t* pos, long long* value) {
  size_t cr = d.find("\r\n", *pos);
  if (cr == std::string_view::npos) return false;
  std::string num(d.substr(*pos + 1, cr - *pos - 1));
  *value = std::strtoll(num.c_str(), nullptr, 10);
  *pos = cr + 2;
  return true;
}

// 1 complete, 0 incomplete, -1 malformed.
int SkipFrame(std::string_view d, size_t* pos) {
  if (*pos >= d.size()) return 0;
  char t = d[*pos];
  long long n = 0;
  switch (t) {
    case '+': case '-': case ':': case '_': case '#': case ',': case '(': {
      size_t cr = d.find("\r\n", *pos);
      if (cr == std::string_view::npos) return 0;
      *pos = cr + 2;
      return 1;
    }
    case '$': case '!': case '=': {
      if (!ParseLine(d, pos, &n)) return 0;
      if (n < 0) return 1;
      if (d.size() < *pos + size_t(n) + 2) return 0;
      *pos += size_t(n) + 2;
      return 1;
    }
    case '*': case '~': case '>': case '%': case '|': {
      if (!ParseLine(d, pos, &n)) return 0;
      if (n < 0) return 1;
      long long items = (t == '%' || t == '|') ? n * 2 : n;
      for (long long i = 0; i < items; ++i) {
        int r = SkipFrame(d, pos);
        if (r != 1) return r;
      }
      // An attribute precedes the actual reply.
      if (t == '|') return SkipFrame(d, pos);
      return 1;
    }
    default:
      return -1;
  }
}

}  // namespace

std::string ServerBinary() {
  const char* env = std::getenv("LARDER_SERVER_BIN");
  return env != nullptr && *env != '\0' ? env : LARDER_SERVER_BIN;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    socklen_t len = sizeof a;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

bool WaitFor(const std::function<bool()>& cond, Ms timeout, Ms interval) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (cond()) return true;
    if (Clock::now() >= deadline) return cond();
    std::this_thread::sleep_for(interval);
  }
}

std::string NonLoopbackIpv4() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  std::string found;
  for (ifaddrs* i = list; i != nullptr && found.empty(); i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    auto* in = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char buf[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf) != nullptr) found = buf;
  }
  freeifaddrs(list);
  return found;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), std::streamsize(contents.size()));
}

long long InfoInt(Client& c, const std::string& section, const std::string& field) {
  auto v = Field(c.Str({"INFO", section}), field + ":");
  return v ? std::stoll(*v) : -1;
}

std::optional<std::string> Field(std::string_view text, std::string_view name) {
  size_t pos = 0;
  while ((pos = text.find(name, pos)) != std::string_view::npos) {
    bool boundary = pos == 0 || text[pos - 1] == '\n' || text[pos - 1] == ' ' ||
                    text[pos - 1] == '\r';
    if (boundary) {
      size_t start = pos + name.size();
      size_t end = text.find_first_of("\r\n ", start);
      if (end == std::string_view::npos) end = text.size();
      return std::string(text.substr(start, end - start));
    }
    pos += name.size();
  }
  return std::nullopt;
}

long RespFrameLength(std::string_view data) {
  size_t pos = 0;
  int r = SkipFrame(data, &pos);
  if (r < 0) return -1;
  return r == 0 ? 0 : long(pos);
}

// ---------------------------------------------------------------------------
// ServerProcess

ServerProcess::ServerProcess() {
  char tmpl[] = "/tmp/larder-it-XXXXXX";
  char* d = mkdtemp(tmpl);
  if (d == nullptr) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  dir_ = d;
  port_ = FreePort();
}

ServerProcess::~ServerProcess() {
  Kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

bool ServerProcess::Start(const StartOptions& opts) {
  // The free port can be taken by someone else before the server binds it: with the
  // default network arguments, retry on a fresh port.
  for (int attempt = 0;; ++attempt) {
    size_t log_size = Output().size();
    bool ok = StartOnce(opts);
    if (ok || !opts.default_net || !opts.wait_ready || attempt == 3 || Running()) return ok;
    if (Output().find("Address already in use", log_size) == std::string::npos) return ok;
    port_ = FreePort();
  }
}

bool ServerProcess::StartOnce(const StartOptions& opts) {
  if (pid_ > 0) Kill();
  exit_status_.reset();
  std::vector<std::string> argv{ServerBinary()};
  if (!opts.config_file.empty()) argv.push_back(opts.config_file);
  if (opts.default_net) {
    std::vector<std::string> defaults{"--port", std::to_string(port_), "--bind", "127.0.0.1",
                                      "--save", "", "--threads", "2"};
    argv.insert(argv.end(), defaults.begin(), defaults.end());
  }
  argv.insert(argv.end(), opts.args.begin(), opts.args.end());
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  int log = open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return false;
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(log);
    return false;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    // Dies with the test process: a test killed by a timeout (SIGTERM, SIGKILL) runs no
    // destructor, and its server would otherwise keep running, and loading the
    // machine. The signal comes when the forking thread ends; servers are started
    // from test bodies, on the thread that lives as long as the process. getppid()
    // catches a parent that died before prctl.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(125);
    if (chdir(dir_.c_str()) != 0) _exit(126);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    // Do not leak the test's client sockets into the server (they would keep
    // connections open after the test closes them).
    syscall(SYS_close_range, 3U, ~0U, 0U);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(log);
  pid_ = pid;
  if (!opts.wait_ready) return true;
  std::string unix_socket = opts.ready_unix_socket;
  bool ready = WaitFor([&] { return !Running() || Ping(unix_socket); }, opts.ready_timeout);
  if (ready && Running()) return true;
  // Show why in the test output.
  std::fprintf(stderr, "larder-server did not become ready (%s); its output:\n%s\n",
               Running() ? "no PING reply in time" : "it exited", Output().c_str());
  return false;
}

bool ServerProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  if (r == pid_) {
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  pid_ = -1;
  return false;
}

std::optional<int> ServerProcess::WaitExit(Ms timeout) {
  if (pid_ <= 0) return exit_status_;
  if (WaitFor([&] { return !Running(); }, timeout, Ms(10))) return exit_status_;
  return std::nullopt;
}

int ServerProcess::Stop(Ms timeout) {
  if (pid_ <= 0) return exit_status_.value_or(-1);
  kill(pid_, SIGTERM);
  if (auto s = WaitExit(timeout)) return *s;
  Kill();
  return exit_status_.value_or(-1);
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  if (waitpid(pid_, &status, 0) == pid_) {
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  pid_ = -1;
}

bool ServerProcess::Ping(const std::string& unix_socket) const {
  RawConn c = unix_socket.empty() ? RawConn::Tcp(port_) : RawConn::Unix(unix_socket);
  if (!c.ok() || !c.Send("PING\r\n", Ms(1000))) return false;
  std::string reply = c.ReadReply(Ms(1000));
  return reply == "+PONG\r\n" || reply.rfind("-NOAUTH", 0) == 0;
}

long ServerProcess::RssKb() const {
  if (pid_ <= 0) return -1;
  std::string status = ReadFile("/proc/" + std::to_string(pid_) + "/status");
  size_t p = status.find("VmRSS:");
  if (p == std::string::npos) return -1;
  return std::strtol(status.c_str() + p + 6, nullptr, 10);
}

// ---------------------------------------------------------------------------
// Client

std::string Describe(const redisReply* r) {
  if (r == nullptr) return "(no reply)";
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER:
      return std::to_string(r->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_ARRAY: {
      std::string out = "[";
      for (size_t i = 0; i < r->elements; ++i) {
        if (i) out += ",";
        out += Describe(r->element[i]);
      }
      return out + "]";
    }
    default:
      return "(type " + std::to_string(r->type) + ")";
  }
}

Client Client::Tcp(int port, Ms timeout) {
  Client c;
  c.ctx_ = redisConnectWithTimeout("127.0.0.1", port, ToTimeval(timeout));
  if (c.ctx_ != nullptr && c.ctx_->err == 0) c.SetTimeout(timeout);
  return c;
}

Client Client::Unix(const std::string& path, Ms timeout) {
  Client c;
  c.ctx_ = redisConnectUnixWithTimeout(path.c_str(), ToTimeval(timeout));
  if (c.ctx_ != nullptr && c.ctx_->err == 0) c.SetTimeout(timeout);
  return c;
}

Client& Client::operator=(Client&& o) noexcept {
  if (this != &o) {
    Close();
    ctx_ = o.ctx_;
    o.ctx_ = nullptr;
  }
  return *this;
}

Client::~Client() { Close(); }

void Client::Close() {
  if (ctx_ != nullptr) redisFree(ctx_);
  ctx_ = nullptr;
}

std::string Client::error() const {
  if (ctx_ == nullptr) return "no context";
  return ctx_->err ? std::string(ctx_->errstr) : std::string();
}

void Client::SetTimeout(Ms timeout) {
  if (ctx_ != nullptr) redisSetTimeout(ctx_, ToTimeval(timeout));
}

namespace {
void ToArgv(const std::vector<std::string>& args, std::vector<const char*>* argv,
            std::vector<size_t>* lens) {
  for (const std::string& a : args) {
    argv->push_back(a.data());
    lens->push_back(a.size());
  }
}
}  // namespace

Reply Client::Cmd(const std::vector<std::string>& args) {
  if (!ok()) return nullptr;
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  ToArgv(args, &argv, &lens);
  return Reply(static_cast<redisReply*>(
      redisCommandArgv(ctx_, int(args.size()), argv.data(), lens.data())));
}

bool Client::Append(const std::vector<std::string>& args) {
  if (!ok()) return false;
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  ToArgv(args, &argv, &lens);
  return redisAppendCommandArgv(ctx_, int(args.size()), argv.data(), lens.data()) == REDIS_OK;
}

Reply Client::GetReply() {
  if (!ok()) return nullptr;
  void* r = nullptr;
  if (redisGetReply(ctx_, &r) != REDIS_OK) return nullptr;
  return Reply(static_cast<redisReply*>(r));
}

std::string Client::Str(const std::vector<std::string>& args) { return Describe(Cmd(args).get()); }

long long Client::Int(const std::vector<std::string>& args) {
  Reply r = Cmd(args);
  if (!r || r->type != REDIS_REPLY_INTEGER) {
    throw std::runtime_error("expected an integer reply, got: " + Describe(r.get()));
  }
  return r->integer;
}

std::string Client::Err(const std::vector<std::string>& args) {
  Reply r = Cmd(args);
  if (!r || r->type != REDIS_REPLY_ERROR) return {};
  return std::string(r->str, r->len);
}

// ---------------------------------------------------------------------------
// RawConn

RawConn RawConn::Tcp(int port, const std::string& host) {
  RawConn c;
  c.fd_ = ConnectTcp(port, host);
  if (c.fd_ >= 0) fcntl(c.fd_, F_SETFL, fcntl(c.fd_, F_GETFL) | O_NONBLOCK);
  return c;
}

RawConn RawConn::Unix(const std::string& path) {
  RawConn c;
  c.fd_ = ConnectUnix(path);
  if (c.fd_ >= 0) fcntl(c.fd_, F_SETFL, fcntl(c.fd_, F_GETFL) | O_NONBLOCK);
  return c;
}

RawConn::RawConn(RawConn&& o) noexcept
    : fd_(o.fd_), buf_(std::move(o.buf_)), off_(o.off_), eof_(o.eof_) {
  o.fd_ = -1;
}

RawConn& RawConn::operator=(RawConn&& o) noexcept {
  if (this != &o) {
    Close();
    fd_ = o.fd_;
    buf_ = std::move(o.buf_);
    off_ = o.off_;
    eof_ = o.eof_;
    o.fd_ = -1;
  }
  return *this;
}

RawConn::~RawConn() { Close(); }

void RawConn::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool RawConn::Send(std::string_view bytes, Ms timeout) {
  auto deadline = Clock::now() + timeout;
  while (!bytes.empty()) {
    if (fd_ < 0) return false;
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int left = Remaining(deadline);
      if (left == 0) return false;
      pollfd p{fd_, POLLOUT, 0};
      poll(&p, 1, left);
      continue;
    }
    return false;
  }
  return true;
}

bool RawConn::Fill(Clock::time_point deadline) {
  if (fd_ < 0 || eof_) return false;
  while (true) {
    char tmp[65536];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n > 0) {
      buf_.append(tmp, size_t(n));
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      eof_ = true;  // reset counts as closed
      return false;
    }
    int left = Remaining(deadline);
    if (left == 0) return false;
    pollfd p{fd_, POLLIN, 0};
    poll(&p, 1, left);
  }
}

std::string_view RawConn::Buffered() const { return std::string_view(buf_).substr(off_); }

void RawConn::Consume(size_t n) {
  off_ += n;
  if (off_ == buf_.size()) {
    buf_.clear();
    off_ = 0;
  } else if (off_ > (1u << 16) && off_ > buf_.size() / 2) {
    buf_.erase(0, off_);
    off_ = 0;
  }
}

std::string RawConn::Read(size_t n, Ms timeout) {
  auto deadline = Clock::now() + timeout;
  while (Buffered().size() < n && Fill(deadline)) {
  }
  std::string out(Buffered().substr(0, n));
  Consume(out.size());
  return out;
}

std::string RawConn::ReadReply(Ms timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    long len = RespFrameLength(Buffered());
    if (len < 0) {  // malformed: hand back what we have
      std::string out(Buffered());
      Consume(out.size());
      return out;
    }
    if (len > 0) {
      std::string out(Buffered().substr(0, size_t(len)));
      Consume(out.size());
      return out;
    }
    if (!Fill(deadline)) return {};
  }
}

bool RawConn::WaitClosed(Ms timeout, std::string* data) {
  auto deadline = Clock::now() + timeout;
  while (!eof_) {
    if (!Fill(deadline) && !eof_) break;
    // Keep memory bounded when the peer sends a lot and nobody wants the bytes.
    if (data == nullptr && Buffered().size() > (1u << 20)) Consume(Buffered().size());
  }
  if (data != nullptr) *data = std::string(Buffered());
  Consume(Buffered().size());
  return eof_;
}

std::string EncodeCommand(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

}  // namespace larder::it
