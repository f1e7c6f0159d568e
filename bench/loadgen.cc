// larder-loadgen: a RESP load generator that costs little client CPU per request, so a
// server doing more than one redis-benchmark core can drive (about 800k req/s at
// pipeline 16) is still measured. Used by bench/compare.
//
// One thread, N nonblocking TCP connections on epoll. Each connection sends a batch of
// P requests (its pipeline), waits for all P replies, then sends the next batch, like
// redis-benchmark -P. Requests are rendered once into the connection's buffer; before
// each batch only the fixed-width digits of keys and members are overwritten in place
// from a xorshift generator, so a GET costs a few dozen instructions to produce.
// Replies are skipped by a minimal RESP reader (+ - : $ * incl. nested arrays and nulls,
// plus RESP3's scalar, map and set types); any error reply fails the run.
//
// Latency of a request: from the write of its batch to the read that completed its
// reply (one clock read per read() call), in a log-linear histogram (1/64 relative
// resolution, ns range), reported as p50/p99/p99.9 in microseconds.
//
// Keys are "key:" + 12 digits (redis-benchmark -r's form), uniform over --keyspace, or
// 0,1,2,... with --sequential (preloading). Members/fields/scores are 12 digits uniform
// over --members.
//
//   larder-loadgen [--host H] [--port P] [--clients N] [--pipeline P]
//     [--requests N | --seconds S] [--warmup S] [--keyspace K] [--members M]
//     [--value-size B] [--command C] [--sequential] [--seed S] [--timeout S]
//     [--server-pid PID]
//   commands: get set incr lpush lpop hset zadd mget10 mix90 ping
//
// Prints one line:
//   rps=... requests=... seconds=... errors=0 nulls=... p50_us=... p99_us=...
//   p999_us=... max_us=... [hit_rate=...] [server_cpu_us_per_req=...]
// With --server-pid, the server's utime+stime (/proc/PID/stat, all threads) is read at
// the start and end of the measured phase (after connecting and warmup).
// Exit status: 0 ok, 1 error replies / connection loss / timeout, 2 bad usage.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench_keys.h"

namespace {

using larder_bench::kDigits;
using larder_bench::Rng;
using larder_bench::WriteDigits;

[[noreturn]] void Die(const std::string& msg, int status = 1) {
  std::fprintf(stderr, "larder-loadgen: %s\n", msg.c_str());
  std::exit(status);
}

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Options {
  std::string host = "127.0.0.1";
  int port = 6379;
  int clients = 50;
  int pipeline = 1;
  uint64_t requests = 0;  // 0: run for `seconds`
  double seconds = 0;
  double warmup = 0;
  uint64_t keyspace = 1000000;
  uint64_t members = 1000000;
  size_t value_size = 16;
  std::string command = "get";
  bool sequential = false;
  uint64_t seed = 1;
  double timeout = 300;
  int server_pid = 0;
};

// ---- Histogram: log-linear buckets over nanoseconds, 64 sub-buckets per power of 2.

class Histogram {
 public:
  static constexpr int kSubBits = 6;
  static constexpr int kSub = 1 << kSubBits;

  Histogram() : counts_(64 * kSub, 0) {}
  void Add(uint64_t v, uint64_t n) {
    counts_[Index(v)] += n;
    total_ += n;
    max_ = std::max(max_, v);
  }
  void Reset() {
    std::fill(counts_.begin(), counts_.end(), 0);
    total_ = 0;
    max_ = 0;
  }
  uint64_t max() const { return max_; }
  // The value at quantile q (upper edge of its bucket, capped by the maximum seen).
  uint64_t Quantile(double q) const {
    if (total_ == 0) return 0;
    auto rank = uint64_t(std::ceil(q * double(total_)));
    rank = std::max<uint64_t>(rank, 1);
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(UpperEdge(i), max_);
    }
    return max_;
  }

 private:
  static size_t Index(uint64_t v) {
    if (v < kSub) return size_t(v);
    int msb = 63 - __builtin_clzll(v);
    int shift = msb - kSubBits;
    return size_t(shift + 1) * kSub + size_t((v >> shift) - kSub);
  }
  static uint64_t UpperEdge(size_t i) {
    if (i < kSub) return i;
    size_t shift = i / kSub - 1;
    uint64_t base = (uint64_t(kSub) + i % kSub) << shift;
    return base + ((uint64_t(1) << shift) - 1);
  }
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t max_ = 0;
};

// ---- Request templates: RESP arrays whose key/member digits are patched per batch.

enum class Field : uint8_t { kKey, kMember };

struct Template {
  std::string bytes;
  std::vector<std::pair<uint32_t, Field>> slots;  // digit positions in `bytes`
};

struct Arg {
  std::string text;  // literal, or the prefix of a numbered field
  bool numbered = false;
  Field field = Field::kKey;
};

Arg Lit(std::string s) { return {std::move(s), false, Field::kKey}; }
Arg Key() { return {"key:", true, Field::kKey}; }
Arg Member(std::string prefix) { return {std::move(prefix), true, Field::kMember}; }

Template Render(const std::vector<Arg>& args) {
  Template t;
  t.bytes = "*" + std::to_string(args.size()) + "\r\n";
  for (const Arg& a : args) {
    size_t len = a.text.size() + (a.numbered ? kDigits : 0);
    t.bytes += "$" + std::to_string(len) + "\r\n" + a.text;
    if (a.numbered) {
      t.slots.emplace_back(uint32_t(t.bytes.size()), a.field);
      t.bytes.append(kDigits, '0');
    }
    t.bytes += "\r\n";
  }
  return t;
}

// The requests of a command: `main` always, `alt` (chosen with probability alt_share)
// for mixes.
struct Workload {
  Template main;
  Template alt;
  double alt_share = 0;
  bool counts_gets = false;  // main is a GET (hit rate is reported)
};

Workload MakeWorkload(const Options& o) {
  const std::string value(o.value_size, 'x');
  const std::string& c = o.command;
  Workload w;
  if (c == "get") {
    w.main = Render({Lit("GET"), Key()});
    w.counts_gets = true;
  } else if (c == "set") {
    w.main = Render({Lit("SET"), Key(), Lit(value)});
  } else if (c == "incr") {
    w.main = Render({Lit("INCR"), Key()});
  } else if (c == "lpush") {
    w.main = Render({Lit("LPUSH"), Key(), Lit(value)});
  } else if (c == "lpop") {
    w.main = Render({Lit("LPOP"), Key()});
  } else if (c == "hset") {
    w.main = Render({Lit("HSET"), Key(), Member("element:"), Lit(value)});
  } else if (c == "zadd") {
    w.main = Render({Lit("ZADD"), Key(), Member(""), Member("element:")});
  } else if (c == "mget10") {
    std::vector<Arg> args{Lit("MGET")};
    for (int i = 0; i < 10; ++i) args.push_back(Key());
    w.main = Render(args);
  } else if (c == "mix90") {
    w.main = Render({Lit("GET"), Key()});
    w.alt = Render({Lit("SET"), Key(), Lit(value)});
    w.alt_share = 0.1;
    w.counts_gets = true;
  } else if (c == "ping") {
    w.main = Render({Lit("PING")});
  } else {
    Die("unknown --command " + c, 2);
  }
  return w;
}

// ---- Reply skipping.

struct ReplyInfo {
  bool error = false;  // an error anywhere in the reply
  bool null = false;   // the reply is a top-level null ($-1, *-1, _)
};

// Length of the complete reply at [p, end), 0 if more bytes are needed; dies on bytes
// that are not RESP.
size_t SkipReply(const char* p, const char* end, ReplyInfo* info) {
  const char* q = p;
  int64_t pending = 1;
  bool top = true;
  while (pending > 0) {
    if (q >= end) return 0;
    const char type = *q;
    const auto* nl = static_cast<const char*>(std::memchr(q, '\n', size_t(end - q)));
    if (nl == nullptr) return 0;
    const char* line = q + 1;
    const char* line_end = nl - 1;  // at '\r'
    if (line_end < line || *line_end != '\r') Die("malformed reply line");
    --pending;
    q = nl + 1;
    switch (type) {
      case '+':
      case ':':
      case ',':
      case '#':
      case '(':
        break;
      case '-':
        info->error = true;
        break;
      case '_':
        if (top) info->null = true;
        break;
      case '$':
      case '=':
      case '!':
      case '*':
      case '%':
      case '~':
      case '>': {
        const bool neg = *line == '-';
        int64_t n = 0;
        for (const char* d = line + (neg ? 1 : 0); d < line_end; ++d) {
          if (*d < '0' || *d > '9') Die("malformed reply length");
          n = n * 10 + (*d - '0');
        }
        if (neg) {
          if (top) info->null = true;
          break;
        }
        if (type == '!') info->error = true;
        if (type == '$' || type == '=' || type == '!') {
          if (end - q < n + 2) return 0;
          q += n + 2;
        } else {
          pending += type == '%' ? 2 * n : n;
        }
        break;
      }
      default:
        Die(std::string("unexpected reply type byte '") + type + "'");
    }
    top = false;
  }
  return size_t(q - p);
}

// ---- Connections and the run loop.

struct Conn {
  int fd = -1;
  std::string out;  // the batch being sent
  size_t out_len = 0;
  size_t out_sent = 0;
  std::vector<std::pair<uint32_t, Field>> slots;  // digit positions in `out`
  std::vector<uint32_t> request_end;              // offset after request i in `out`
  std::vector<char> in;
  size_t in_len = 0;
  uint32_t in_flight = 0;
  int64_t batch_sent_ns = 0;
  bool want_out = false;
};

class LoadGen {
 public:
  LoadGen(const Options& o) : o_(o), w_(MakeWorkload(o)), rng_(o.seed) {}

  void Run();

 private:
  void Connect(Conn* c);
  void Arm(Conn* c, bool want_out);
  void StartBatch(Conn* c, int64_t now);
  void Flush(Conn* c);
  void OnReadable(Conn* c);
  uint64_t NextKey() { return o_.sequential ? seq_++ % o_.keyspace : rng_.Below(o_.keyspace); }
  void Patch(Conn* c, size_t requests);
  void BeginMeasuring(int64_t now);

  const Options& o_;
  Workload w_;
  Rng rng_;
  uint64_t seq_ = 0;
  int ep_ = -1;
  std::vector<Conn> conns_;
  Histogram hist_;
  bool measuring_ = false;
  bool issuing_ = true;  // false once the budget or duration is used up
  uint64_t issued_ = 0;  // requests sent in the current phase
  uint64_t done_ = 0;    // replies received in the measured phase
  uint64_t errors_ = 0;
  uint64_t nulls_ = 0;
  uint64_t gets_ = 0;
  std::string first_error_;
  int64_t phase_start_ns_ = 0;
  int64_t last_reply_ns_ = 0;
  uint64_t cpu_ticks_start_ = 0;
};

uint64_t ServerCpuTicks(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t paren = s.rfind(')');
  if (paren == std::string::npos) Die("cannot read /proc/" + std::to_string(pid) + "/stat");
  // Fields after "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
  std::istringstream rest(s.substr(paren + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return utime + stime;
}

void LoadGen::Connect(Conn* c) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(o_.port);
  if (int rc = getaddrinfo(o_.host.c_str(), port.c_str(), &hints, &res); rc != 0)
    Die("resolve " + o_.host + ": " + gai_strerror(rc));
  for (addrinfo* a = res; a != nullptr && c->fd < 0; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      c->fd = fd;
    } else {
      close(fd);
    }
  }
  freeaddrinfo(res);
  if (c->fd < 0) Die("connect " + o_.host + ":" + port + ": " + std::strerror(errno));
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = c;
  if (epoll_ctl(ep_, EPOLL_CTL_ADD, c->fd, &ev) != 0) Die("epoll_ctl add");
  c->in.resize(64 * 1024);
  // Fixed workloads render the whole pipeline once; mixes re-render per batch.
  if (w_.alt_share == 0) {
    for (int i = 0; i < o_.pipeline; ++i) {
      for (auto [off, f] : w_.main.slots) c->slots.emplace_back(uint32_t(c->out.size() + off), f);
      c->out += w_.main.bytes;
      c->request_end.push_back(uint32_t(c->out.size()));
    }
  }
}

void LoadGen::Arm(Conn* c, bool want_out) {
  if (c->want_out == want_out) return;
  c->want_out = want_out;
  epoll_event ev{};
  ev.events = want_out ? uint32_t(EPOLLIN | EPOLLOUT) : uint32_t(EPOLLIN);
  ev.data.ptr = c;
  if (epoll_ctl(ep_, EPOLL_CTL_MOD, c->fd, &ev) != 0) Die("epoll_ctl mod");
}

// Overwrites the digits of the first `requests` requests in c->out.
void LoadGen::Patch(Conn* c, size_t requests) {
  const size_t limit = c->request_end[requests - 1];
  for (auto [off, f] : c->slots) {
    if (off >= limit) break;
    WriteDigits(&c->out[off], f == Field::kKey ? NextKey() : rng_.Below(o_.members));
  }
}

void LoadGen::StartBatch(Conn* c, int64_t now) {
  uint64_t n = uint64_t(o_.pipeline);
  if (o_.requests > 0 && measuring_) n = std::min(n, o_.requests - issued_);
  if (n == 0) return;
  if (w_.alt_share > 0) {
    c->out.clear();
    c->slots.clear();
    c->request_end.clear();
    const auto alt_threshold = uint64_t(w_.alt_share * 1e6);
    for (uint64_t i = 0; i < n; ++i) {
      const bool alt = rng_.Below(1000000) < alt_threshold;
      const Template& t = alt ? w_.alt : w_.main;
      if (!alt && measuring_) ++gets_;
      for (auto [off, f] : t.slots) c->slots.emplace_back(uint32_t(c->out.size() + off), f);
      c->out += t.bytes;
      c->request_end.push_back(uint32_t(c->out.size()));
    }
  } else if (w_.counts_gets && measuring_) {
    gets_ += n;
  }
  Patch(c, size_t(n));
  c->out_len = c->request_end[n - 1];
  c->out_sent = 0;
  c->in_flight = uint32_t(n);
  c->batch_sent_ns = now;
  issued_ += n;
  if (o_.requests > 0 && measuring_ && issued_ >= o_.requests) issuing_ = false;
  Flush(c);
}

void LoadGen::Flush(Conn* c) {
  while (c->out_sent < c->out_len) {
    ssize_t k = write(c->fd, c->out.data() + c->out_sent, c->out_len - c->out_sent);
    if (k > 0) {
      c->out_sent += size_t(k);
    } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      Arm(c, true);
      return;
    } else if (k < 0 && errno == EINTR) {
      continue;
    } else {
      Die(std::string("write: ") + std::strerror(errno));
    }
  }
  Arm(c, false);
}

void LoadGen::OnReadable(Conn* c) {
  for (;;) {
    if (c->in_len == c->in.size()) c->in.resize(c->in.size() * 2);
    const size_t space = c->in.size() - c->in_len;
    ssize_t k = read(c->fd, c->in.data() + c->in_len, space);
    if (k == 0) Die("server closed a connection");
    if (k < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      Die(std::string("read: ") + std::strerror(errno));
    }
    c->in_len += size_t(k);
    const int64_t now = NowNs();
    const char* p = c->in.data();
    const char* end = p + c->in_len;
    uint64_t replies = 0;
    while (p < end) {
      ReplyInfo info;
      size_t len = SkipReply(p, end, &info);
      if (len == 0) break;
      if (info.error) {
        ++errors_;
        if (first_error_.empty()) {
          first_error_.assign(p, std::min<size_t>(len, 200));
          while (!first_error_.empty() &&
                 (first_error_.back() == '\n' || first_error_.back() == '\r'))
            first_error_.pop_back();
        }
      }
      if (info.null) ++nulls_;
      p += len;
      ++replies;
    }
    if (replies > c->in_flight) Die("more replies than requests");
    const size_t consumed = size_t(p - c->in.data());
    if (consumed > 0) {
      std::memmove(c->in.data(), p, c->in_len - consumed);
      c->in_len -= consumed;
    }
    if (replies > 0) {
      c->in_flight -= uint32_t(replies);
      if (measuring_) {
        hist_.Add(uint64_t(now - c->batch_sent_ns), replies);
        done_ += replies;
        last_reply_ns_ = now;
      }
      if (c->in_flight == 0 && issuing_) StartBatch(c, now);
    }
    // A read that did not fill the buffer drained the socket (level-triggered epoll
    // reports anything that arrives later), which saves a read() returning EAGAIN.
    if (size_t(k) < space) return;
  }
}

void LoadGen::BeginMeasuring(int64_t now) {
  measuring_ = true;
  issued_ = 0;
  hist_.Reset();
  nulls_ = 0;
  phase_start_ns_ = now;
  last_reply_ns_ = now;
  if (o_.server_pid > 0) cpu_ticks_start_ = ServerCpuTicks(o_.server_pid);
}

void LoadGen::Run() {
  ep_ = epoll_create1(0);
  if (ep_ < 0) Die("epoll_create1");
  conns_.resize(size_t(o_.clients));
  for (Conn& c : conns_) Connect(&c);

  const int64_t start = NowNs();
  const int64_t deadline = start + int64_t(o_.timeout * 1e9);
  const int64_t warmup_end = start + int64_t(o_.warmup * 1e9);
  if (o_.warmup <= 0) BeginMeasuring(start);
  for (Conn& c : conns_) StartBatch(&c, start);

  std::vector<epoll_event> events(conns_.size());
  for (;;) {
    int64_t now = NowNs();
    if (!measuring_ && now >= warmup_end) {
      // Warmup over: finish in-flight batches uncounted, then restart measured.
      issuing_ = false;
      bool idle =
          std::all_of(conns_.begin(), conns_.end(), [](const Conn& c) { return c.in_flight == 0; });
      if (idle) {
        issuing_ = true;
        BeginMeasuring(now);
        for (Conn& c : conns_) StartBatch(&c, now);
      }
    }
    if (measuring_ && o_.requests == 0 && now - phase_start_ns_ >= int64_t(o_.seconds * 1e9))
      issuing_ = false;
    if (measuring_ && !issuing_ &&
        std::all_of(conns_.begin(), conns_.end(), [](const Conn& c) { return c.in_flight == 0; }))
      break;
    if (now > deadline) Die("timeout: run took longer than --timeout");
    int n = epoll_wait(ep_, events.data(), int(events.size()), 100);
    if (n < 0 && errno != EINTR) Die("epoll_wait");
    for (int i = 0; i < n; ++i) {
      auto* c = static_cast<Conn*>(events[size_t(i)].data.ptr);
      if (events[size_t(i)].events & EPOLLOUT) Flush(c);
      if (events[size_t(i)].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) OnReadable(c);
    }
  }

  const uint64_t cpu_ticks =
      o_.server_pid > 0 ? ServerCpuTicks(o_.server_pid) - cpu_ticks_start_ : 0;
  const double secs = double(last_reply_ns_ - phase_start_ns_) / 1e9;
  std::printf(
      "rps=%.0f requests=%llu seconds=%.3f errors=%llu nulls=%llu p50_us=%.1f "
      "p99_us=%.1f p999_us=%.1f max_us=%.1f",
      secs > 0 ? double(done_) / secs : 0.0, (unsigned long long)done_, secs,
      (unsigned long long)errors_, (unsigned long long)nulls_, double(hist_.Quantile(0.50)) / 1e3,
      double(hist_.Quantile(0.99)) / 1e3, double(hist_.Quantile(0.999)) / 1e3,
      double(hist_.max()) / 1e3);
  if (w_.counts_gets && gets_ > 0)
    std::printf(" hit_rate=%.4f", 1.0 - double(nulls_) / double(gets_));
  if (o_.server_pid > 0) {
    const double us = double(cpu_ticks) * 1e6 / double(sysconf(_SC_CLK_TCK));
    std::printf(" server_cpu_us_per_req=%.3f", done_ > 0 ? us / double(done_) : 0.0);
  }
  std::printf("\n");
  std::fflush(stdout);
  for (Conn& c : conns_) close(c.fd);
  if (errors_ > 0) Die(std::to_string(errors_) + " error replies, first: " + first_error_);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--sequential") {
      o.sequential = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      std::printf("see the header of bench/loadgen.cc\n");
      std::exit(0);
    }
    if (i + 1 >= argc) Die("missing value for " + std::string(a), 2);
    const std::string v = argv[++i];
    char* end = nullptr;
    auto num = [&] {
      double d = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || d < 0) Die("bad number for " + std::string(a), 2);
      return d;
    };
    if (a == "--host")
      o.host = v;
    else if (a == "--port" || a == "-p")
      o.port = int(num());
    else if (a == "--clients" || a == "-c")
      o.clients = int(num());
    else if (a == "--pipeline" || a == "-P")
      o.pipeline = int(num());
    else if (a == "--requests" || a == "-n")
      o.requests = uint64_t(num());
    else if (a == "--seconds")
      o.seconds = num();
    else if (a == "--warmup")
      o.warmup = num();
    else if (a == "--keyspace" || a == "-r")
      o.keyspace = uint64_t(num());
    else if (a == "--members")
      o.members = uint64_t(num());
    else if (a == "--value-size" || a == "-d")
      o.value_size = size_t(num());
    else if (a == "--command" || a == "-t")
      o.command = v;
    else if (a == "--seed")
      o.seed = uint64_t(num());
    else if (a == "--timeout")
      o.timeout = num();
    else if (a == "--server-pid")
      o.server_pid = int(num());
    else
      Die("unknown option " + std::string(a), 2);
  }
  if (o.clients < 1 || o.pipeline < 1 || o.keyspace < 1 || o.members < 1)
    Die("--clients, --pipeline, --keyspace and --members must be >= 1", 2);
  if (o.requests == 0 && o.seconds <= 0) Die("give --requests N or --seconds S", 2);
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseArgs(argc, argv);
  LoadGen gen(o);
  gen.Run();
  return 0;
}
