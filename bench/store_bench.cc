// larder-store-bench: in-process throughput of the sharded store, no network. Shows how
// the keyspace scales with cores (issue 7, target 3: 2 threads >= 1.9x 1 thread).
//
// Preloads --keys string keys ("key:" + 12 digits, --value-size bytes), then for every
// (distribution, thread count) cell runs T threads (thread i pinned to CPU i mod nproc)
// for --seconds, each doing GET (probability --get-ratio) or SET of the same size on
// keys drawn from the distribution:
//   uniform  every key equally likely
//   zipf     Zipf(--zipf-s, default 0.99) over the keys: exact sampling from the
//            precomputed CDF (binary search); rank r maps to key (r * p) mod keys for
//            an odd p coprime to keys, so the hot keys are scattered over the keyspace
//            (and so over shards).
// Key indices are drawn before the clock starts (2^21 per thread, cycled), so the
// timed loop costs the store call plus rendering 12 digits of the key.
//
// --api engine  larder::Engine::Get / Set (include/larder/engine.h), the public path:
//               per call it locks (Get: holds shared) through a fresh LockSet,
//               reads the system clock, and Get copies the value into the thread's
//               reused std::string (Engine::Get's buffer form).
// --api storage DbView on the Store directly, as a command handler does: one reused
//               LockSet and shard vector per thread (GET holds the shard shared, as
//               the GET command), clock read every 256 operations,
//               the value read in place. --read-mode (storage only) picks how GET
//               finds the key: read (as GET: LRU/LFU touch + hit/miss counters),
//               notouch (counters only) or peek (neither) -- a diagnostic for how much
//               the per-read bookkeeping writes cost when threads share hot keys.
//
//   larder-store-bench [--threads 1,2,...] [--seconds S] [--keys N] [--value-size B]
//     [--get-ratio R] [--dist uniform,zipf] [--zipf-s S] [--api engine|storage]
//     [--read-mode read|notouch|peek] [--shard-bits B] [--rounds N] [--hash-seed N]
//     [--quick]
//
// --hash-seed N fixes the key hash's seed (random per process otherwise, as in the
// server): which shard and slot each key lands in, so which hot keys share a shard's
// lock under Zipf draws. Runs with one seed compare builds on the same layout.
//
// --rounds N runs the thread counts N times, alternating, and reports each cell's
// median round; "vs 1 thread" is the median of the rounds' own ratios (each round's
// cell over the same round's 1-thread cell), with their range in brackets.
//
// Prints a Markdown table: ops/s in total, per thread, and scaling vs 1 thread; also
// operations per thread CPU-second (CLOCK_THREAD_CPUTIME_ID), which separates what the
// store costs from how much CPU a shared machine gave the threads. Each distribution
// also gets "ideal store" rows (RunMemoryCell): the same key draws and GET/SET mix on
// plain arrays of slots and records, what the memory system alone allows; and "ideal
// store at <api> speed" rows: the ideal store slowed by private ALU work to the store's
// single-thread speed, so their scaling is what the unavoidable memory traffic allows a
// store that fast. The last column is how long a cache line takes between the CPUs
// (LineTransferNs), measured before every round: on a VM it changes with where the host
// places the virtual CPUs, and scaling with shared hot keys follows it.

#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_keys.h"
#include "common/clock.h"
#include "common/hash.h"
#include "larder/engine.h"
#include "storage/db_view.h"
#include "storage/lock_set.h"
#include "storage/store.h"

namespace {

using larder_bench::kDigits;
using larder_bench::Rng;
using larder_bench::WriteDigits;
constexpr size_t kSamplesPerThread = size_t(1) << 21;

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "larder-store-bench: %s\n", msg.c_str());
  std::exit(2);
}

struct Options {
  std::vector<int> threads;
  double seconds = 2;
  uint64_t keys = 1000000;
  size_t value_size = 16;
  double get_ratio = 0.9;
  std::vector<std::string> dists{"uniform", "zipf"};
  double zipf_s = 0.99;
  std::string api = "engine";
  std::string read_mode = "read";  // storage api: read | notouch | peek
  int shard_bits = 8;
  uint64_t hash_seed = 0;  // 0: random
  int rounds = 1;
};

// "key:" + 12 digits, rewritten in place.
class KeyBuf {
 public:
  KeyBuf() { std::copy_n("key:", 4, buf_); }
  std::string_view Render(uint64_t i) {
    WriteDigits(buf_ + 4, i);
    return {buf_, sizeof buf_};
  }

 private:
  char buf_[4 + kDigits];
};

// Key index sequences for each thread, drawn before timing.
class KeySampler {
 public:
  KeySampler(const std::string& dist, uint64_t keys, double s)
      : keys_(keys), zipf_(dist == "zipf") {
    if (dist != "uniform" && dist != "zipf") Die("unknown --dist " + dist);
    if (!zipf_) return;
    cdf_.resize(keys);
    double sum = 0;
    for (uint64_t r = 0; r < keys; ++r) cdf_[r] = sum += 1.0 / std::pow(double(r + 1), s);
    for (double& c : cdf_) c /= sum;
    scramble_ = 0x9E3779B97F4A7C15ull % keys | 1;
    while (std::gcd(scramble_, keys) != 1) scramble_ += 2;
  }
  std::vector<uint32_t> Draw(uint64_t seed) const {
    Rng rng(seed);
    std::vector<uint32_t> out(kSamplesPerThread);
    for (uint32_t& k : out) {
      if (!zipf_) {
        k = uint32_t(rng.Below(keys_));
      } else {
        auto rank = uint64_t(std::upper_bound(cdf_.begin(), cdf_.end(), rng.Unit()) - cdf_.begin());
        rank = std::min(rank, keys_ - 1);
        k = uint32_t((unsigned __int128)rank * scramble_ % keys_);
      }
    }
    return out;
  }

 private:
  uint64_t keys_;
  bool zipf_;
  std::vector<double> cdf_;
  uint64_t scramble_ = 1;
};

// The two ways in: the public engine, or the storage layer as a handler uses it.
class Target {
 public:
  virtual ~Target() = default;
  // Per-thread worker state.
  class Worker {
   public:
    virtual ~Worker() = default;
    virtual size_t Get(std::string_view key) = 0;  // value length, 0 if missing
    virtual void Set(std::string_view key, std::string_view value) = 0;
  };
  virtual std::unique_ptr<Worker> NewWorker() = 0;
};

class EngineTarget final : public Target {
 public:
  explicit EngineTarget(int shard_bits)
      : engine_(larder::EngineOptions{.shard_bits = shard_bits}) {}
  class EngineWorker final : public Worker {
   public:
    explicit EngineWorker(larder::Engine* e) : e_(e) {}
    size_t Get(std::string_view key) override {
      return e_->Get(key, &value_) ? value_.size() : 0;
    }
    void Set(std::string_view key, std::string_view value) override { e_->Set(key, value); }

   private:
    larder::Engine* e_;
    std::string value_;  // reused by every Get of this thread
  };
  std::unique_ptr<Worker> NewWorker() override { return std::make_unique<EngineWorker>(&engine_); }

 private:
  larder::Engine engine_;
};

class StorageTarget final : public Target {
 public:
  StorageTarget(int shard_bits, larder::DbView::Mode read_mode)
      : store_(larder::StoreOptions{1, shard_bits}), read_mode_(read_mode) {}
  class StorageWorker final : public Worker {
   public:
    StorageWorker(larder::Store* s, larder::DbView::Mode read_mode)
        : store_(s), locks_(s), read_mode_(read_mode) {
      shards_.reserve(1);
    }
    size_t Get(std::string_view key) override {
      size_t n = 0;
      OnKey(key, read_mode_, [&](larder::DbView&, larder::KeyRef& ref) {
        if (ref && ref.kind() == larder::ValueKind::kString) n = ref.str().size();
      });
      return n;
    }
    void Set(std::string_view key, std::string_view value) override {
      OnKey(key, larder::DbView::Mode::kWrite, [&](larder::DbView& db, larder::KeyRef& ref) {
        db.SetString(last_key_, &ref, value, larder::kNoExpiry);
      });
    }

   private:
    template <typename Fn>
    void OnKey(std::string_view key, larder::DbView::Mode mode, Fn&& fn) {
      if ((calls_++ & 255) == 0) now_ms_ = larder::SystemClock::Get()->NowMs();
      last_key_ = larder::MakeKeyArg(key);
      const auto shard = uint32_t(store_->ShardIndex(last_key_.hash));
      if (mode == larder::DbView::Mode::kWrite) {  // as SET
        shards_.assign(1, shard);
        locks_.Lock(&shards_);
      } else {  // as GET (kCmdReadsShared)
        locks_.LockShared(shard);
      }
      larder::DbView db(store_, &locks_, 0, now_ms_);
      larder::KeyRef ref = db.Find(last_key_, mode);
      fn(db, ref);
      locks_.Unlock();
    }
    larder::Store* store_;
    larder::LockSet locks_;
    larder::DbView::Mode read_mode_;
    std::vector<uint32_t> shards_;
    larder::KeyArg last_key_{};
    uint64_t calls_ = 0;
    int64_t now_ms_ = 0;
  };
  std::unique_ptr<Worker> NewWorker() override {
    return std::make_unique<StorageWorker>(&store_, read_mode_);
  }

 private:
  larder::Store store_;
  larder::DbView::Mode read_mode_;
};

void PinToCpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);  // best effort
}

struct alignas(64) ThreadResult {
  uint64_t ops = 0;
  uint64_t bytes = 0;
  double cpu_seconds = 0;
};

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

struct CellResult {
  double ops_per_s = 0;
  double ops_per_cpu_s = 0;  // per thread CPU-second: what the store costs
  double busy = 0;           // CPU seconds / (wall seconds * threads)
};

// Runs one cell: `threads` threads, each doing operations made by make_op(thread), an
// object called as op(key_index, is_get) that returns the bytes a GET read.
template <typename MakeOp>
CellResult RunCell(const Options& o, const KeySampler& sampler, int threads, MakeOp make_op) {
  const int ncpu = int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  std::vector<std::vector<uint32_t>> samples(static_cast<size_t>(threads));
  {
    std::vector<std::thread> drawers;
    for (int t = 0; t < threads; ++t)
      drawers.emplace_back([&, t] { samples[size_t(t)] = sampler.Draw(uint64_t(t) + 1); });
    for (auto& d : drawers) d.join();
  }
  std::vector<ThreadResult> results(static_cast<size_t>(threads));
  std::atomic<int> ready{0};
  std::atomic<bool> go{false}, stop{false};
  const auto get_threshold = uint64_t(o.get_ratio * 1048576.0);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      PinToCpu(t % ncpu);
      auto op = make_op(t);
      const std::vector<uint32_t>& keys = samples[size_t(t)];
      Rng rng(uint64_t(t) + 1000);
      uint64_t ops = 0, bytes = 0;
      size_t next = 0;
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) {
      }
      const double cpu_start = ThreadCpuSeconds();
      while (!stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < 256; ++i) {
          const uint32_t key = keys[next];
          next = (next + 1) & (kSamplesPerThread - 1);
          bytes += op(key, (rng.Next() >> 44) < get_threshold);
        }
        ops += 256;
      }
      results[size_t(t)] = {ops, bytes, ThreadCpuSeconds() - cpu_start};
    });
  }
  while (ready.load() < threads) std::this_thread::yield();
  auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop.store(true);
  for (auto& w : workers) w.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t ops = 0, bytes = 0;
  double cpu = 0;
  for (const ThreadResult& r : results) ops += r.ops, bytes += r.bytes, cpu += r.cpu_seconds;
  if (bytes == 0 && o.get_ratio > 0) Die("GETs found no values");
  return {double(ops) / secs, cpu > 0 ? double(ops) / cpu : 0, cpu / (secs * threads)};
}

// Each field's median over the rounds (upper median for an even count).
CellResult Median(std::vector<CellResult> runs) {
  auto field = [&runs](double CellResult::*f) {
    std::sort(runs.begin(), runs.end(),
              [f](const CellResult& a, const CellResult& b) { return a.*f < b.*f; });
    return runs[runs.size() / 2].*f;
  };
  CellResult m;
  m.ops_per_s = field(&CellResult::ops_per_s);
  m.ops_per_cpu_s = field(&CellResult::ops_per_cpu_s);
  m.busy = field(&CellResult::busy);
  return m;
}

// Each round's ratio runs[k] / base[k] summarised over the rounds: a round's two cells
// ran seconds apart, so a slow spell of a shared machine mostly cancels out of their
// ratio where it would skew a ratio of medians. min/max show how far the rounds spread.
struct RatioSummary {
  double median = 0, min = 0, max = 0;  // of ops/s
  double cpu_median = 0;                // of ops per CPU-second
};
RatioSummary SummariseRatios(const std::vector<CellResult>& runs,
                             const std::vector<CellResult>& base) {
  std::vector<double> ops, cpu;
  for (size_t k = 0; k < runs.size() && k < base.size(); ++k) {
    ops.push_back(base[k].ops_per_s > 0 ? runs[k].ops_per_s / base[k].ops_per_s : 0);
    cpu.push_back(base[k].ops_per_cpu_s > 0 ? runs[k].ops_per_cpu_s / base[k].ops_per_cpu_s : 0);
  }
  if (ops.empty()) return {};
  std::sort(ops.begin(), ops.end());
  std::sort(cpu.begin(), cpu.end());
  return {ops[ops.size() / 2], ops.front(), ops.back(), cpu[cpu.size() / 2]};
}

// The store's operations: render the key, GET or SET it.
CellResult RunStoreCell(Target* target, const Options& o, const KeySampler& sampler,
                        int threads) {
  const std::string value(o.value_size, 'v');
  return RunCell(o, sampler, threads, [&](int) {
    return [worker = target->NewWorker(), kb = KeyBuf(), &value](uint32_t key,
                                                                 bool get) mutable -> uint64_t {
      std::string_view k = kb.Render(key);
      if (get) return worker->Get(k);
      worker->Set(k, value);
      return 0;
    };
  });
}

// The memory ceiling of a cell: an ideal store with the same threads, key draws and
// GET/SET choices. A key's "slot" (a 4-byte word in an array of --keys, holding a
// random permutation) names its 32-byte record (as large as a small entry); a GET reads
// the slot and then the record, a SET reads the slot and overwrites the record in place.
// No hashing, no probing, no lock, no allocation; each operation's slot address waits
// for the previous GET's record, as a real lookup's work does. What is left is the memory
// system: cache misses, and the lines that move between cores when both threads touch
// the same records and one writes. A reference, not a bound on scaling: a store whose
// operations do more work besides memory can scale better (its misses are a smaller
// share), but none can serve more operations per second than this.
struct alignas(32) Record {
  std::atomic<uint64_t> w[4];
};
struct IdealStore {
  std::vector<uint32_t> slots;
  std::vector<Record> records;
  explicit IdealStore(uint64_t keys) : slots(keys), records(keys) {
    std::iota(slots.begin(), slots.end(), 0u);
    Rng rng(99);
    for (size_t i = slots.size(); i > 1; --i) std::swap(slots[i - 1], slots[rng.Below(i)]);
  }
};

// `steps` dependent multiply-adds on x, kept by the compiler: the private work of an
// "ideal store at <api> speed" operation.
inline uint64_t PadSteps(uint64_t x, uint64_t steps) {
  for (uint64_t i = 0; i < steps; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    asm volatile("" : "+r"(x));
  }
  return x;
}

// `pad` (0: none) adds that many steps of private register-only work to every
// operation, before its memory accesses: the "ideal store at the store's speed" rows,
// which show how far memory traffic alone lets a store scale whose operations take as
// long as the real store's (see PadFor).
CellResult RunMemoryCell(const Options& o, const KeySampler& sampler, int threads,
                         IdealStore* store, uint64_t pad = 0) {
  return RunCell(o, sampler, threads, [store, pad](int t) {
    return [s = store->slots.data(), r = store->records.data(), stamp = uint64_t(t),
            dep = uint32_t(0), pad, x = uint64_t(t) + 1](uint32_t key,
                                                         bool get) mutable -> uint64_t {
      x = PadSteps(x, pad);
      Record& rec = r[s[key + dep]];
      if (get) {
        uint64_t sum = 0;
        for (auto& w : rec.w) sum += w.load(std::memory_order_relaxed);
        dep = sum == 1;  // never 1 (stamps are even): 0, but only once the loads are done
        return sizeof(Record);
      }
      stamp += 2;
      for (auto& w : rec.w) w.store(stamp, std::memory_order_relaxed);
      return 0;
    };
  });
}

// Nanoseconds one step of RunMemoryCell's padding takes on this thread.
double PadStepNs() {
  constexpr uint64_t kSteps = 20'000'000;
  auto start = std::chrono::steady_clock::now();
  uint64_t x = PadSteps(1, kSteps);
  asm volatile("" : : "r"(x));
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
             .count() /
         double(kSteps);
}

// Padding steps that slow the ideal store's single thread (ideal_ops_s) to the real
// store's (store_ops_s): the difference of their times per operation, in steps.
uint64_t PadFor(double store_ops_s, double ideal_ops_s, double step_ns) {
  if (store_ops_s <= 0 || ideal_ops_s <= store_ops_s || step_ns <= 0) return 0;
  return uint64_t((1e9 / store_ops_s - 1e9 / ideal_ops_s) / step_ns + 0.5);
}

// Machine calibration: T threads of private register-only work (no memory, no sharing)
// for `seconds`; returns total iterations/s. On a machine whose cores are really free, T
// threads give T times one thread; on a shared VM (host SMT siblings, other tenants) less,
// and no store can scale better than this.
double CalibrateAlu(int threads, double seconds) {
  const int ncpu = int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  std::atomic<bool> stop{false};
  std::vector<ThreadResult> results(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      PinToCpu(t % ncpu);
      Rng rng(uint64_t(t) + 7);
      uint64_t n = 0, sink = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < 1024; ++i) sink += rng.Next();
        n += 1024;
      }
      results[size_t(t)] = {n, sink, 0};
    });
  }
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& w : workers) w.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t n = 0;
  for (const ThreadResult& r : results) n += r.ops;
  return double(n) / secs;
}

// Machine calibration: nanoseconds one cache line takes to move from CPU 0 to CPU 1
// and back, halved (two threads take turns writing one atomic word). On a VM it depends
// on where the host runs the two virtual CPUs (SMT siblings, cores, sockets) and can
// change between runs; stores whose threads share written lines scale with it.
double LineTransferNs() {
  constexpr uint64_t kRoundTrips = 200'000;
  const int ncpu = int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  if (ncpu < 2) return 0;
  alignas(64) std::atomic<uint64_t> turn{0};
  std::chrono::steady_clock::time_point start, end;
  std::thread b([&] {
    PinToCpu(1);
    for (uint64_t i = 0; i < kRoundTrips; ++i) {
      while (turn.load(std::memory_order_acquire) != 2 * i + 1) {
      }
      turn.store(2 * i + 2, std::memory_order_release);
    }
  });
  std::thread a([&] {
    PinToCpu(0);
    start = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < kRoundTrips; ++i) {
      turn.store(2 * i + 1, std::memory_order_release);
      while (turn.load(std::memory_order_acquire) != 2 * i + 2) {
      }
    }
    end = std::chrono::steady_clock::now();
  });
  a.join();
  b.join();
  return std::chrono::duration<double, std::nano>(end - start).count() / (2.0 * kRoundTrips);
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = std::min(s.find(',', pos), s.size());
    if (comma > pos) out.push_back(s.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  const int ncpu = int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  for (int t = 1; t <= ncpu; ++t) o.threads.push_back(t);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      o.seconds = 0.5;
      continue;
    }
    if (i + 1 >= argc) Die("missing value for " + a);
    const std::string v = argv[++i];
    auto num = [&] {
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || d < 0) Die("bad number for " + a);
      return d;
    };
    if (a == "--threads") {
      o.threads.clear();
      for (const std::string& t : Split(v)) o.threads.push_back(std::atoi(t.c_str()));
    } else if (a == "--seconds")
      o.seconds = num();
    else if (a == "--keys")
      o.keys = uint64_t(num());
    else if (a == "--value-size")
      o.value_size = size_t(num());
    else if (a == "--get-ratio")
      o.get_ratio = num();
    else if (a == "--dist")
      o.dists = Split(v);
    else if (a == "--zipf-s")
      o.zipf_s = num();
    else if (a == "--api")
      o.api = v;
    else if (a == "--shard-bits")
      o.shard_bits = int(num());
    else if (a == "--hash-seed")
      o.hash_seed = uint64_t(num());
    else if (a == "--read-mode")
      o.read_mode = v;
    else if (a == "--rounds")
      o.rounds = std::max(1, int(num()));
    else
      Die("unknown option " + a);
  }
  if (o.keys < 1 || o.keys > UINT32_MAX) Die("--keys must be in 1..2^32-1");
  if (o.threads.empty() || *std::min_element(o.threads.begin(), o.threads.end()) < 1)
    Die("--threads needs counts >= 1");
  if (o.api != "engine" && o.api != "storage") Die("--api is engine or storage");
  if (o.read_mode != "read" && o.read_mode != "notouch" && o.read_mode != "peek")
    Die("--read-mode is read, notouch or peek");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseArgs(argc, argv);
  if (o.hash_seed != 0) larder::SetHashSeedForTesting(o.hash_seed);
  std::unique_ptr<Target> target;
  if (o.api == "engine")
    target = std::make_unique<EngineTarget>(o.shard_bits);
  else
    target = std::make_unique<StorageTarget>(
        o.shard_bits, o.read_mode == "peek"      ? larder::DbView::Mode::kPeek
                      : o.read_mode == "notouch" ? larder::DbView::Mode::kReadNoTouch
                                                 : larder::DbView::Mode::kRead);

  {
    auto loader = target->NewWorker();
    const std::string value(o.value_size, 'v');
    KeyBuf kb;
    for (uint64_t i = 0; i < o.keys; ++i) loader->Set(kb.Render(i), value);
  }

  std::printf(
      "| api | dist | threads | ops/s | ops/s per thread | vs 1 thread | "
      "ops per CPU-s per thread | vs 1 thread | CPU busy | line transfer ns |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  IdealStore ideal(o.keys);
  const double step_ns = PadStepNs();
  std::string pads;  // the padding of each "at store speed" row, for the footer
  for (const std::string& dist : o.dists) {
    KeySampler sampler(dist, o.keys, o.zipf_s);
    const std::string name =
        dist == "zipf" ? "zipf " + std::to_string(o.zipf_s).substr(0, 4) : dist;
    // Rows: the store; the ideal store; the ideal store padded to the store's speed.
    enum Variant { kStore, kIdeal, kPadded };
    double store_1t = 0, ideal_1t = 0;  // median single-thread ops/s
    for (const Variant variant : {kStore, kIdeal, kPadded}) {
      uint64_t pad = 0;
      if (variant == kPadded) {
        pad = PadFor(store_1t, ideal_1t, step_ns);
        if (pad == 0) continue;  // no 1-thread cell, or the store is not slower
      }
      // Rounds alternate the thread counts (1, 2, 1, 2, ...), so a slow spell of a shared
      // machine hits every count alike; each row shows the median round and the median
      // of the rounds' ratios.
      // Each round first measures how long a cache line takes between the CPUs: with
      // shared hot keys, scaling follows it (see LineTransferNs).
      std::vector<std::vector<CellResult>> runs(o.threads.size());
      double transfer_min = 1e18, transfer_max = 0;
      for (int round = 0; round < o.rounds; ++round) {
        const double transfer = LineTransferNs();
        transfer_min = std::min(transfer_min, transfer);
        transfer_max = std::max(transfer_max, transfer);
        for (size_t i = 0; i < o.threads.size(); ++i) {
          const int t = o.threads[i];
          runs[i].push_back(variant == kStore ? RunStoreCell(target.get(), o, sampler, t)
                                              : RunMemoryCell(o, sampler, t, &ideal, pad));
        }
      }
      const std::vector<CellResult>* base = nullptr;
      const std::string label = variant == kStore   ? o.api
                                : variant == kIdeal ? "ideal store"
                                                    : "ideal store at " + o.api + " speed";
      for (size_t i = 0; i < o.threads.size(); ++i) {
        const int t = o.threads[i];
        const CellResult r = Median(runs[i]);
        if (t == 1) {
          base = &runs[i];
          (variant == kStore ? store_1t : ideal_1t) = r.ops_per_s;
        }
        char scale[48] = "-", cpu_scale[32] = "-";
        if (base != nullptr) {
          const RatioSummary ratio = SummariseRatios(runs[i], *base);
          if (o.rounds > 1 && t != 1) {
            std::snprintf(scale, sizeof scale, "%.2fx (%.2f-%.2f)", ratio.median, ratio.min,
                          ratio.max);
          } else {
            std::snprintf(scale, sizeof scale, "%.2fx", ratio.median);
          }
          std::snprintf(cpu_scale, sizeof cpu_scale, "%.2fx", ratio.cpu_median);
        }
        char transfer[32] = "-";
        if (transfer_max > 0) {
          std::snprintf(transfer, sizeof transfer, "%.0f-%.0f", transfer_min, transfer_max);
        }
        std::printf("| %s | %s | %d | %.0f | %.0f | %s | %.0f | %s | %.0f%% | %s |\n",
                    label.c_str(), name.c_str(), t, r.ops_per_s, r.ops_per_s / t, scale,
                    r.ops_per_cpu_s, cpu_scale, r.busy * 100, transfer);
        std::fflush(stdout);
      }
      if (variant == kPadded) {
        pads += " " + name + " " + std::to_string(pad) + " steps;";
      }
    }
  }
  std::printf("\nMachine calibration (private ALU work, no memory traffic):");
  const double alu1 = CalibrateAlu(1, o.seconds);
  for (int t : o.threads)
    if (t > 1) std::printf(" %d threads = %.2fx of 1;", t, CalibrateAlu(t, o.seconds) / alu1);
  std::printf(" a store cannot scale better than this here.\n");
  if (!pads.empty()) {
    std::printf("\"Ideal store at %s speed\": the ideal store plus private ALU work per operation "
                "(%.2f ns a step) to run one thread as fast as the store does:%s\n",
                o.api.c_str(), step_ns, pads.c_str());
  }
  std::printf(
      "Line transfer: nanoseconds one cache line takes from CPU 0 to CPU 1 (half a "
      "ping-pong), measured before each round, smallest-largest.\n");
  std::printf(
      "%llu keys, %.0f%% GET / %.0f%% SET, %zu-byte values, %.1f s per cell, median of "
      "%d rounds (scaling: median of the rounds' own ratios), %d shards, %ld CPUs. CPU busy (thread CPU time / wall time) below ~95%%: "
      "the threads did not get their cores.\n",
      (unsigned long long)o.keys, o.get_ratio * 100, (1 - o.get_ratio) * 100, o.value_size,
      o.seconds, o.rounds, 1 << o.shard_bits, sysconf(_SC_NPROCESSORS_ONLN));
  return 0;
}
