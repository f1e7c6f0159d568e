// Test support for the integration and concurrency suites: a ServerProcess that runs the
// real larder-server binary in a fresh temporary directory, a hiredis Client wrapper and a
// RawConn for byte-level protocol tests (RESP3, protocol errors, partial requests).
//
// Every wait is bounded: helpers take a deadline and poll, they never sleep for a fixed time.
#pragma once

#include <hiredis/hiredis.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace larder::it {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

// Under AddressSanitizer freed memory sits in a quarantine (256 MB by default), so RSS
// does not fall after large transient allocations: memory checks use these.
#ifdef LARDER_IT_ASAN
inline constexpr bool kAsanBuild = true;
#else
inline constexpr bool kAsanBuild = false;
#endif
// Under ThreadSanitizer (shadow memory, no jemalloc) RSS says little about the server.
#ifdef LARDER_IT_TSAN
inline constexpr bool kTsanBuild = true;
#else
inline constexpr bool kTsanBuild = false;
#endif

// Path of the server binary: $LARDER_SERVER_BIN, else the compile definition.
std::string ServerBinary();

// A loopback TCP port that was free a moment ago (bind port 0, read it back, close).
int FreePort();

// Polls cond every `interval` until it holds or `timeout` passes; returns its last value.
bool WaitFor(const std::function<bool()>& cond, Ms timeout, Ms interval = Ms(20));

// A local non-loopback IPv4 address ("" if the machine has none). Connections from this
// host to it come from a non-loopback address (for protected-mode tests).
std::string NonLoopbackIpv4();

// Whole file contents ("" if it cannot be read).
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, std::string_view contents);

struct StartOptions {
  std::string config_file;         // passed as the first argument when not empty
  std::vector<std::string> args;   // directives appended after the defaults
  // Prepends "--port <port()> --bind 127.0.0.1 --save \"\" --threads 2" (the config file,
  // if any, comes first, so these still override it; `args` override these).
  bool default_net = true;
  // Readiness probe: PING over this unix socket instead of TCP port().
  std::string ready_unix_socket;
  bool wait_ready = true;  // wait (bounded) until the server answers PING
  Ms ready_timeout = Ms(10000);
};

class ServerProcess {
 public:
  ServerProcess();  // creates the temp dir and picks a free port; does not start
  ~ServerProcess();  // SIGKILLs a running server and removes the temp dir
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server (cwd = dir(), stdout+stderr appended to log_path()). With
  // wait_ready, returns false if it did not answer PING in time (or exited). The
  // server is SIGKILLed when the calling thread ends (PR_SET_PDEATHSIG), so call it
  // from the test body, not from a short-lived thread.
  bool Start(const StartOptions& opts = {});
  bool Start(std::vector<std::string> args) {
    StartOptions o;
    o.args = std::move(args);
    return Start(o);
  }

  // SIGTERM, then waits up to `timeout` for exit (SIGKILL as a fallback). Returns the
  // exit status (0..255), or 128+signal if killed by a signal, or -1 if not running.
  int Stop(Ms timeout = Ms(5000));
  // Waits for the process to exit on its own; nullopt on timeout.
  std::optional<int> WaitExit(Ms timeout);
  void Kill();  // SIGKILL + reap
  bool Running();

  // Readiness probe on TCP port() or the given unix socket: true if a new connection's
  // PING is answered with +PONG (or -NOAUTH when a password is required).
  bool Ping(const std::string& unix_socket = {}) const;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }
  std::string Path(std::string_view name) const { return dir_ + "/" + std::string(name); }
  std::string log_path() const { return dir_ + "/server.log"; }
  std::string Output() const { return ReadFile(log_path()); }
  // Resident set size of the server in KiB (from /proc/<pid>/status), -1 if unknown.
  long RssKb() const;

 private:
  bool StartOnce(const StartOptions& opts);
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

// ---------------------------------------------------------------------------
// hiredis wrapper

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r != nullptr) freeReplyObject(r);
  }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// Text of a reply for assertions: strings/status/errors as is, integers in decimal,
// nil as "(nil)", arrays as "[a,b,...]", a null Reply as "(no reply)".
std::string Describe(const redisReply* r);

class Client {
 public:
  Client() = default;
  static Client Tcp(int port, Ms timeout = Ms(10000));
  static Client Unix(const std::string& path, Ms timeout = Ms(10000));
  Client(Client&& o) noexcept : ctx_(o.ctx_) { o.ctx_ = nullptr; }
  Client& operator=(Client&& o) noexcept;
  ~Client();

  bool ok() const { return ctx_ != nullptr && ctx_->err == 0; }
  std::string error() const;  // connection error text
  redisContext* ctx() const { return ctx_; }
  int fd() const { return ctx_ ? ctx_->fd : -1; }
  void SetTimeout(Ms timeout);

  Reply Cmd(const std::vector<std::string>& args);
  // Pipelining: queue commands locally, then Flush/Get replies one by one.
  bool Append(const std::vector<std::string>& args);
  Reply GetReply();

  // Convenience: the reply's text (status, string, error, "(nil)"...), see Describe.
  std::string Str(const std::vector<std::string>& args);
  // Integer reply value; throws std::runtime_error on a non-integer reply.
  long long Int(const std::vector<std::string>& args);
  // Error text of the reply ("" when the reply is not an error).
  std::string Err(const std::vector<std::string>& args);
  // Closes the connection now.
  void Close();

 private:
  redisContext* ctx_ = nullptr;
};

// ---------------------------------------------------------------------------
// Raw socket

class RawConn {
 public:
  RawConn() = default;
  static RawConn Tcp(int port, const std::string& host = "127.0.0.1");
  static RawConn Unix(const std::string& path);
  RawConn(RawConn&& o) noexcept;
  RawConn& operator=(RawConn&& o) noexcept;
  ~RawConn();

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Writes everything (false on error or when the deadline passes first).
  bool Send(std::string_view bytes, Ms timeout = Ms(10000));
  // Reads until at least n bytes are buffered, EOF or the deadline; returns (and consumes)
  // up to n bytes.
  std::string Read(size_t n, Ms timeout = Ms(5000));
  // Reads one complete RESP2/RESP3 reply frame; "" on EOF/timeout before it is complete.
  std::string ReadReply(Ms timeout = Ms(5000));
  // Reads (and discards after returning it) everything until the peer closes. Returns
  // true if EOF/reset was seen before the deadline; `data` gets the bytes read.
  bool WaitClosed(Ms timeout = Ms(5000), std::string* data = nullptr);
  bool eof() const { return eof_; }
  // Bytes received but not consumed yet.
  std::string_view Buffered() const;
  void Close();

 private:
  void Consume(size_t n);
  // Reads what is available within the deadline; false on timeout with nothing read.
  bool Fill(Clock::time_point deadline);
  int fd_ = -1;
  std::string buf_;
  size_t off_ = 0;  // consumed prefix of buf_
  bool eof_ = false;
};

// A command as a RESP multibulk request (for RawConn::Send).
std::string EncodeCommand(const std::vector<std::string>& args);

// Length of the first complete RESP frame in `data`, 0 if incomplete (-1 if malformed).
long RespFrameLength(std::string_view data);

// Extracts field `name` (up to '\r' / '\n' / ' ') from INFO / CLIENT LIST style text.
std::optional<std::string> Field(std::string_view text, std::string_view name);
// Integer field `field` of INFO `section` read over `c`; -1 when absent.
long long InfoInt(Client& c, const std::string& section, const std::string& field);

}  // namespace larder::it
