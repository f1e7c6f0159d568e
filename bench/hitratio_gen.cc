// Load generator of bench/hitratio: replays a seeded request stream against one server
// used as a cache (GET key; on a miss, SET key value) and prints one line of totals:
//
//   requests=N gets=N hits=H misses=M sets=S set_errors=E dup_hits=D
//   measured_gets=G measured_hits=MH measured_scan_gets=SG measured_scan_hits=SH seconds=T
//   oracle_keys=C oracle_hits=OH
//
// "measured" is the second half of the stream (requests N/2 .. N-1): the steady state
// after the first half has filled the cache. All counts are the client's view.
// At the end it asks the server's DBSIZE (C) and adds "oracle_keys=C oracle_hits=OH":
// the measured hits of a static oracle cache of C keys that always holds the C most
// popular ranks of the moment and misses only a key's first request of the stream. A
// ceiling for any policy under the independent-requests model (not an exact optimum:
// recency can beat it on the shift workload).
//
// The stream is a pure function of the flags (--seed included), so it is the same for every
// server and every run; --checksum prints a hash of it without connecting anywhere.
//   - Key ranks follow Zipf(--s) over --keys ranks, sampled exactly by inverse CDF: a
//     precomputed table of cumulative weights and a binary search.
//   - --scan-fraction f: each request is, with probability f, instead the next key of a
//     sequential pass over the --scan-keys coldest ranks (pass after pass, wrapping).
//   - --shift-every K --shift-by O: every K requests the rank -> key map rotates by O, so the
//     hot set moves onto keys that were cold (scan keys do not rotate).
//   Keys are "k" + 16 hex digits of a bijective 64-bit mix of the key index: distinct
//   indices give distinct keys and hot keys are not numerically adjacent.
//
// Batching: --batch GETs go in one pipeline; then one SET per distinct key that missed in
// the batch goes in a second pipeline. A key repeated later in the batch after a miss is
// counted as a hit (a sequential cache would have SET it in between; counted in dup_hits),
// its GET is still sent so the server sees the access, and it is SET once. --batch 1 replays
// strictly one request at a time.
//
//   larder-hitratio-gen --port P [--host H] [-n requests] [--keys N] [--s 0.99]
//       [--value-size B] [--seed S] [--batch B] [--scan-fraction F] [--scan-keys L]
//       [--shift-every K] [--shift-by O] [--rate R (requests/s, 0 = unlimited)] [--checksum]

#include <hiredis/hiredis.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  uint64_t requests = 2000000;
  uint64_t keys = 1000000;
  double s = 0.99;
  size_t value_size = 64;
  uint64_t seed = 1;
  size_t batch = 64;
  double scan_fraction = 0;
  uint64_t scan_keys = 0;
  uint64_t shift_every = 0;
  uint64_t shift_by = 0;
  double rate = 0;
  bool checksum = false;
};

[[noreturn]] void Die(const char* fmt, const char* arg) {
  std::fprintf(stderr, "larder-hitratio-gen: ");
  std::fprintf(stderr, fmt, arg);
  std::fprintf(stderr, "\n");
  std::exit(2);
}

uint64_t ParseU64(const char* name, const char* v) {
  char* end = nullptr;
  unsigned long long x = std::strtoull(v, &end, 10);
  if (*v == '\0' || *v == '-' || *end != '\0') Die("bad integer for %s", name);
  return x;
}

double ParseDouble(const char* name, const char* v) {
  char* end = nullptr;
  double x = std::strtod(v, &end);
  if (*v == '\0' || *end != '\0' || !std::isfinite(x) || x < 0) Die("bad number for %s", name);
  return x;
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--checksum") {
      o.checksum = true;
      continue;
    }
    if (i + 1 >= argc) Die("missing value for %s", argv[i]);
    const char* v = argv[++i];
    const char* name = argv[i - 1];
    if (a == "--host") {
      o.host = v;
    } else if (a == "--port") {
      o.port = int(ParseU64(name, v));
    } else if (a == "-n") {
      o.requests = ParseU64(name, v);
    } else if (a == "--keys") {
      o.keys = ParseU64(name, v);
    } else if (a == "--s") {
      o.s = ParseDouble(name, v);
    } else if (a == "--value-size") {
      o.value_size = ParseU64(name, v);
    } else if (a == "--seed") {
      o.seed = ParseU64(name, v);
    } else if (a == "--batch") {
      o.batch = ParseU64(name, v);
    } else if (a == "--scan-fraction") {
      o.scan_fraction = ParseDouble(name, v);
    } else if (a == "--scan-keys") {
      o.scan_keys = ParseU64(name, v);
    } else if (a == "--shift-every") {
      o.shift_every = ParseU64(name, v);
    } else if (a == "--shift-by") {
      o.shift_by = ParseU64(name, v);
    } else if (a == "--rate") {
      o.rate = ParseDouble(name, v);
    } else {
      Die("unknown option %s", name);
    }
  }
  if (o.keys == 0) Die("%s must be positive", "--keys");
  if (o.batch == 0) Die("%s must be positive", "--batch");
  if (o.scan_fraction > 1) Die("%s must be in [0, 1]", "--scan-fraction");
  if (o.scan_fraction > 0 && (o.scan_keys == 0 || o.scan_keys > o.keys)) {
    Die("%s must be in [1, --keys] with --scan-fraction", "--scan-keys");
  }
  if (!o.checksum && o.port == 0) Die("%s is required (or --checksum)", "--port");
  return o;
}

// splitmix64's output function: a bijection on 64-bit integers.
uint64_t Mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// splitmix64: a small generator whose sequence is fixed by its seed on every platform
// (std:: distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return Mix(state_ += 0x9e3779b97f4a7c15ULL); }
  double Uniform() { return double(Next() >> 11) * 0x1.0p-53; }  // [0, 1)

 private:
  uint64_t state_;
};

// Exact Zipf(s) over ranks 0..n-1 (rank r has weight 1/(r+1)^s) by inverse CDF.
class Zipf {
 public:
  Zipf(uint64_t n, double s) : cdf_(n) {
    double sum = 0;
    for (uint64_t r = 0; r < n; ++r) cdf_[r] = sum += std::pow(double(r + 1), -s);
  }
  uint64_t Sample(double u) const {
    const double target = u * cdf_.back();
    auto it = std::upper_bound(cdf_.begin(), cdf_.end(), target);
    return std::min<uint64_t>(uint64_t(it - cdf_.begin()), cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

struct Request {
  uint64_t index;  // key index in [0, keys)
  uint64_t rank;   // popularity rank, 0 = most popular (scan keys: the coldest ranks)
  bool scan;
};

// The request stream; Next() yields request 0, 1, 2, ... of the run.
class Stream {
 public:
  explicit Stream(const Options& o) : o_(o), rng_(o.seed), zipf_(o.keys, o.s) {}

  Request Next() {
    const uint64_t i = i_++;
    if (o_.scan_fraction > 0 && rng_.Uniform() < o_.scan_fraction) {
      const uint64_t pos = scan_pos_++ % o_.scan_keys;
      const uint64_t index = o_.keys - o_.scan_keys + pos;
      return {index, index, true};
    }
    const uint64_t rank = zipf_.Sample(rng_.Uniform());
    uint64_t index = rank;
    if (o_.shift_every > 0) {
      const uint64_t epoch = (i / o_.shift_every) % o_.keys;
      index = (rank + epoch * (o_.shift_by % o_.keys) % o_.keys) % o_.keys;
    }
    return {index, rank, false};
  }

 private:
  const Options& o_;
  Rng rng_;
  Zipf zipf_;
  uint64_t i_ = 0;
  uint64_t scan_pos_ = 0;
};

struct Key {
  char text[17];  // "k" + 16 hex digits, not NUL-terminated
  static constexpr size_t kLen = sizeof(text);
  explicit Key(uint64_t index) {
    static constexpr char kHex[] = "0123456789abcdef";
    const uint64_t h = Mix(index);
    text[0] = 'k';
    for (int d = 0; d < 16; ++d) text[1 + d] = kHex[(h >> (60 - 4 * d)) & 0xF];
  }
};

struct Totals {
  uint64_t gets = 0, hits = 0, sets = 0, set_errors = 0, dup_hits = 0;
  uint64_t measured_gets = 0, measured_hits = 0, measured_scan_gets = 0, measured_scan_hits = 0;
};

redisReply* GetReply(redisContext* c) {
  void* r = nullptr;
  if (redisGetReply(c, &r) != REDIS_OK || r == nullptr) Die("connection error: %s", c->errstr);
  return static_cast<redisReply*>(r);
}

int Checksum(const Options& o) {
  Stream stream(o);
  uint64_t h = o.seed;
  for (uint64_t i = 0; i < o.requests; ++i) {
    const Request r = stream.Next();
    h = Mix(h ^ (r.index * 2 + (r.scan ? 1 : 0)));
  }
  std::printf("requests=%" PRIu64 " checksum=%016" PRIx64 "\n", o.requests, h);
  return 0;
}

int Run(const Options& o) {
  Stream stream(o);
  redisContext* c = redisConnect(o.host.c_str(), o.port);
  if (c == nullptr || c->err) Die("cannot connect: %s", c ? c->errstr : "out of memory");
  const std::string value(o.value_size, 'v');
  const uint64_t measure_from = o.requests / 2;
  Totals t;
  std::vector<Request> batch;
  std::vector<Key> keys;
  std::vector<uint64_t> missed;  // distinct key indices that missed in this batch
  // The oracle's bookkeeping: keys requested so far, and the measured repeat requests
  // per rank.
  std::vector<bool> seen(o.keys);
  std::vector<uint32_t> repeats_by_rank(o.keys);
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t done = 0; done < o.requests;) {
    const size_t n = size_t(std::min<uint64_t>(o.batch, o.requests - done));
    batch.clear();
    keys.clear();
    missed.clear();
    for (size_t j = 0; j < n; ++j) {
      batch.push_back(stream.Next());
      const Request& r = batch.back();
      if (seen[r.index] && done + j >= measure_from) ++repeats_by_rank[r.rank];
      seen[r.index] = true;
      keys.emplace_back(r.index);
      redisAppendCommand(c, "GET %b", keys.back().text, Key::kLen);
    }
    for (size_t j = 0; j < n; ++j) {
      redisReply* reply = GetReply(c);
      if (reply->type == REDIS_REPLY_ERROR) Die("GET failed: %s", reply->str);
      const bool missed_before =
          std::find(missed.begin(), missed.end(), batch[j].index) != missed.end();
      bool hit = reply->type != REDIS_REPLY_NIL;
      freeReplyObject(reply);
      if (!hit && missed_before) {
        hit = true;
        ++t.dup_hits;
      } else if (!hit) {
        missed.push_back(batch[j].index);
        redisAppendCommand(c, "SET %b %b", keys[j].text, Key::kLen, value.data(), value.size());
      }
      ++t.gets;
      t.hits += hit;
      if (done + j >= measure_from) {
        ++t.measured_gets;
        t.measured_hits += hit;
        t.measured_scan_gets += batch[j].scan;
        t.measured_scan_hits += batch[j].scan && hit;
      }
    }
    for (size_t j = 0; j < missed.size(); ++j) {
      redisReply* reply = GetReply(c);
      if (reply->type == REDIS_REPLY_ERROR) {
        if (t.set_errors++ == 0) std::fprintf(stderr, "first SET error: %s\n", reply->str);
      }
      freeReplyObject(reply);
    }
    t.sets += missed.size();
    done += n;
    if (o.rate > 0) {
      std::this_thread::sleep_until(start + std::chrono::duration<double>(double(done) / o.rate));
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto* size = static_cast<redisReply*>(redisCommand(c, "DBSIZE"));
  if (size == nullptr || size->type != REDIS_REPLY_INTEGER) Die("%s failed", "DBSIZE");
  const uint64_t oracle_keys = uint64_t(std::max<long long>(size->integer, 0));
  freeReplyObject(size);
  uint64_t oracle_hits = 0;
  for (uint64_t r = 0; r < std::min(oracle_keys, o.keys); ++r) oracle_hits += repeats_by_rank[r];
  redisFree(c);
  std::printf("requests=%" PRIu64 " gets=%" PRIu64 " hits=%" PRIu64 " misses=%" PRIu64
              " sets=%" PRIu64 " set_errors=%" PRIu64 " dup_hits=%" PRIu64 " measured_gets=%" PRIu64
              " measured_hits=%" PRIu64 " measured_scan_gets=%" PRIu64
              " measured_scan_hits=%" PRIu64 " seconds=%.2f oracle_keys=%" PRIu64
              " oracle_hits=%" PRIu64 "\n",
              o.requests, t.gets, t.hits, t.gets - t.hits, t.sets, t.set_errors, t.dup_hits,
              t.measured_gets, t.measured_hits, t.measured_scan_gets, t.measured_scan_hits,
              seconds, oracle_keys, oracle_hits);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseArgs(argc, argv);
  return o.checksum ? Checksum(o) : Run(o);
}
