// Snapshot guarantees under concurrency and faults (docs/persistence.md section 3,
// issue 5 "Tests and benchmarks"), through the real binary:
// - BGSAVE and SAVE while clients run MULTI/EXEC transfers and create keys one by one:
//   every file is the dataset at one instant (the total holds, no transfer is half in,
//   the sequence keys are a prefix);
// - kill -9 during BGSAVE leaves the previous snapshot intact, and a restart loads it;
// - an unwritable or vanished dir and a full disk fail the save cleanly while the server
//   keeps serving;
// - a snapshot truncated at many offsets, or with a flipped bit, stops start-up with a
//   message naming the file and the offset (exit code 1, never a crash).
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "concurrency_util.h"
#include "server_process.h"

using namespace larder::it;

namespace {

// Sanitized servers are several times slower: the datasets shrink (the checks do not).
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

std::string InfoField(Client& c, std::string_view name) {
  return Field(c.Str({"INFO", "persistence"}), std::string(name) + ":").value_or("?");
}

bool SaveDone(Client& c) { return InfoField(c, "rdb_bgsave_in_progress") == "0"; }

// Starts a BGSAVE and waits (bounded) for it to end; returns rdb_last_bgsave_status.
std::string BgsaveAndWait(Client& c, Ms timeout = Ms(60000)) {
  const std::string reply = c.Str({"BGSAVE"});
  if (reply != "Background saving started") return "BGSAVE replied " + reply;
  if (!WaitFor([&] { return SaveDone(c); }, timeout)) return "still saving";
  return InfoField(c, "rdb_last_bgsave_status");
}

std::vector<std::string> Elements(const Reply& r) {
  std::vector<std::string> out;
  if (!r || r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < r->elements; ++i) out.push_back(Describe(r->element[i]));
  return out;
}

// Names in `dir` starting with "temp-" (a save's temp file).
std::vector<std::string> TempFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("temp-", 0) == 0) out.push_back(name);
  }
  return out;
}

std::vector<std::string> DirNames(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Hash of a file's contents, read in chunks (the kill -9 test's files are ~300 MB);
// 0 if it cannot be read.
size_t FileHash(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return 0;
  std::string chunk(1 << 20, '\0');
  size_t h = 1469598103934665603ull;
  for (size_t n; (n = std::fread(chunk.data(), 1, chunk.size(), f)) > 0;) {
    h = h * 1099511628211ull ^ std::hash<std::string_view>()(std::string_view(chunk.data(), n));
  }
  std::fclose(f);
  return h;
}

// Deterministic, incompressible-ish value of `len` bytes for key number i (LZF finds
// little to compress, so the file is about the size of the data).
std::string Value(uint64_t i, size_t len) {
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
  uint64_t x = i * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
  std::string v(len, '\0');
  for (size_t j = 0; j < len; ++j) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    v[j] = kAlphabet[x & 63];
  }
  return v;
}

// Sets key:<from> .. key:<to-1> to Value(i, len), pipelined; false on an unexpected reply.
bool SetKeys(Client& c, int from, int to, size_t len) {
  constexpr int kBatch = 500;
  for (int start = from; start < to; start += kBatch) {
    const int end = std::min(to, start + kBatch);
    for (int i = start; i < end; ++i) {
      if (!c.Append({"SET", "key:" + std::to_string(i), Value(uint64_t(i), len)})) return false;
    }
    for (int i = start; i < end; ++i) {
      Reply r = c.GetReply();
      if (Describe(r.get()) != "OK") return false;
    }
  }
  return true;
}

// The first "Fatal error" line of a failed start, with the offset it names (-1 if none).
long long ReportedOffset(const std::string& log) {
  const std::string marker = " at offset ";
  const size_t at = log.find(marker);
  if (at == std::string::npos) return -1;
  return std::strtoll(log.c_str() + at + marker.size(), nullptr, 10);
}

// Stops the client threads of a test and joins them, also when an assertion throws.
struct ThreadGroup {
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  ~ThreadGroup() { Join(); }
  void Join() {
    stop = true;
    for (auto& t : threads) {
      if (t.joinable()) t.join();
    }
  }
};

// A tmpfs mounted for one test; unmounted (lazily: the server may still have its working
// directory there) when the test ends, before the ServerProcess removes its temp dir.
struct TmpfsMount {
  std::string path;
  bool mounted = false;
  ~TmpfsMount() {
    if (mounted) umount2(path.c_str(), MNT_DETACH);
  }
};

}  // namespace

TEST_CASE("BGSAVE and SAVE under MULTI/EXEC transfers write one instant of the dataset",
          "[concurrency][persistence]") {
  ServerProcess srv;
  StartServer(srv);  // 2 workers, no save points
  Watchdog dog(&srv, Ms(120000));
  constexpr int kAccounts = 2000;
  constexpr long long kBalance = 1000;
  constexpr long long kTotal = kAccounts * kBalance;
  // Filler keys make each save walk long enough for many transfers to run during it.
  constexpr int kFiller = kSanitized ? 5000 : 40000;
  constexpr int kTransferClients = 4;
  constexpr int kBgsaves = 5;
  constexpr int kSaveRound = 2;  // the synchronous SAVE comes after this many BGSAVEs
  {
    Client c = Client::Tcp(srv.port());
    REQUIRE(c.Str(SeedAccounts(kAccounts, std::to_string(kBalance))) == "OK");
    REQUIRE(SetKeys(c, 0, kFiller, 100));
  }

  Failures failures;
  std::atomic<long long> transfers{0};
  std::atomic<long long> seq_started{0}, seq_done{0};
  struct Snapshot {
    std::string kind, file;
    long long seq_lo = 0, seq_hi = 0;  // seq keys surely in it / possibly in it
  };
  std::vector<Snapshot> snapshots;
  long long transfers_during_saves = 0;
  {
    ThreadGroup group;
    // Separate connections: the server spreads them over both workers.
    for (int t = 0; t < kTransferClients; ++t) {
      group.threads.emplace_back([&, t] {
        Client c = Client::Tcp(srv.port());
        if (!c.ok()) return failures.Add("connect: " + c.error());
        unsigned seed = 777u + unsigned(t);
        auto next = [&] { return seed = seed * 1103515245u + 12345u; };
        while (!group.stop.load()) {
          const std::string a = Acct(int((next() >> 8) % kAccounts));
          const std::string b = Acct(int((next() >> 8) % kAccounts));
          const std::string amount = std::to_string(1 + (next() >> 8) % 50);
          Reply r = MultiTransfer(c, a, b, amount);
          if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            return failures.Add("EXEC: " + Describe(r.get()));
          }
          ++transfers;
        }
      });
    }
    // One client creates seq:0, seq:1, ... one at a time (each after the previous reply).
    group.threads.emplace_back([&] {
      Client c = Client::Tcp(srv.port());
      if (!c.ok()) return failures.Add("connect: " + c.error());
      for (long long i = 0; !group.stop.load(); ++i) {
        seq_started = i + 1;
        const std::string reply = c.Str({"SET", "seq:" + std::to_string(i), std::to_string(i)});
        if (reply != "OK") return failures.Add("SET seq: " + reply);
        seq_done = i + 1;
      }
    });

    Client c = Client::Tcp(srv.port());
    REQUIRE(c.ok());
    for (int round = 0; round <= kBgsaves; ++round) {
      // Let the load run between saves.
      const long long before = transfers.load();
      REQUIRE(WaitFor([&] { return transfers.load() >= before + 200 || failures.count() > 0; },
                      Ms(20000)));
      REQUIRE(failures.count() == 0);
      const bool sync = round == kSaveRound;
      Snapshot s;
      s.kind = sync ? "SAVE" : "BGSAVE #" + std::to_string(round);
      s.seq_lo = seq_done.load();
      const long long t0 = transfers.load();
      if (sync) {
        REQUIRE(c.Str({"SAVE"}) == "OK");
      } else {
        REQUIRE(BgsaveAndWait(c) == "ok");
      }
      transfers_during_saves += transfers.load() - t0;
      s.seq_hi = seq_started.load();
      s.file = ReadFile(srv.Path("dump.rdb"));
      REQUIRE(!s.file.empty());
      snapshots.push_back(std::move(s));
    }
    group.Join();
  }
  dog.Finish();
  REQUIRE_FALSE(dog.fired());
  INFO(failures.Report());
  REQUIRE(failures.count() == 0);
  INFO("transfers: " << transfers.load() << " (" << transfers_during_saves
                     << " while a save ran), seq keys: " << seq_done.load());
  // The load overlapped the saves (otherwise this test proves little).
  CHECK(transfers_during_saves > 0);
  {
    Client c = Client::Tcp(srv.port());
    CHECK(SumOf(c.Cmd(WithAccounts({"MGET"}, kAccounts)).get()) == kTotal);
  }
  srv.Kill();

  // Each file, loaded by a fresh server.
  ServerProcess check;
  const std::vector<std::string> mget = WithAccounts({"MGET"}, kAccounts);
  for (const Snapshot& s : snapshots) {
    INFO(s.kind << ": seq keys created before it " << s.seq_lo << ", started by its end "
                << s.seq_hi);
    WriteFile(check.Path("dump.rdb"), s.file);
    StartOptions opts;
    opts.ready_timeout = Ms(60000);
    REQUIRE(check.Start(opts));
    Client c = Client::Tcp(check.port());
    REQUIRE(c.ok());
    Reply r = c.Cmd(mget);
    CHECK(SumOf(r.get()) == kTotal);
    CHECK(Elements(c.Cmd({"KEYS", "acct:*"})).size() == size_t(kAccounts));
    bool moved = false;  // some transfer is in (the saves ran after transfers started)
    if (r && r->type == REDIS_REPLY_ARRAY) {
      for (size_t i = 0; i < r->elements; ++i) {
        moved = moved || Describe(r->element[i]) != std::to_string(kBalance);
      }
    }
    CHECK(moved);
    // The seq keys are exactly seq:0 .. seq:k-1, each with its own value.
    std::vector<long long> seq;
    for (const std::string& key : Elements(c.Cmd({"KEYS", "seq:*"}))) {
      seq.push_back(std::stoll(key.substr(4)));
    }
    std::sort(seq.begin(), seq.end());
    const long long k = static_cast<long long>(seq.size());
    bool prefix = true;
    for (long long i = 0; i < k; ++i) prefix = prefix && seq[size_t(i)] == i;
    CHECK(prefix);
    CHECK(k >= s.seq_lo);
    CHECK(k <= s.seq_hi);
    if (k > 0) CHECK(c.Str({"GET", "seq:" + std::to_string(k - 1)}) == std::to_string(k - 1));
    CHECK(c.Int({"DBSIZE"}) == kAccounts + kFiller + k);
    CHECK(check.Stop() == 0);
  }
}

TEST_CASE("kill -9 during BGSAVE leaves the previous snapshot intact",
          "[concurrency][persistence]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  // Big enough that a save takes a while (about 300 MB in a release build).
  constexpr int kKeys = kSanitized ? 30000 : 300000;
  constexpr size_t kValueLen = 1000;
  StartOptions restart;
  restart.ready_timeout = Ms(120000);  // PING gets -LOADING until the file is loaded
  long long save_ms = 0;
  {
    Client c = Client::Tcp(srv.port(), Ms(60000));
    REQUIRE(SetKeys(c, 0, kKeys, kValueLen));
    const auto t0 = Clock::now();
    REQUIRE(c.Str({"SAVE"}) == "OK");
    save_ms = std::chrono::duration_cast<Ms>(Clock::now() - t0).count();
  }
  const std::string dump = srv.Path("dump.rdb");
  struct stat good_stat {};
  REQUIRE(stat(dump.c_str(), &good_stat) == 0);
  const size_t good_size = size_t(good_stat.st_size);
  REQUIRE(good_size > size_t(kKeys) * kValueLen);
  const size_t good_hash = FileHash(dump);
  INFO("SAVE of " << kKeys << " keys (" << good_size << " bytes) took " << save_ms << " ms");

  // Killed right after the reply, a little later, and about half way through.
  for (long long delay_ms : {0LL, std::max(1LL, save_ms / 10), std::max(2LL, save_ms / 2)}) {
    INFO("kill after " << delay_ms << " ms");
    {
      Client c = Client::Tcp(srv.port(), Ms(60000));
      REQUIRE(c.ok());
      REQUIRE(c.Str({"SET", "after-the-good-save", "1"}) == "OK");  // the new save differs
      REQUIRE(c.Str({"BGSAVE"}) == "Background saving started");
      std::this_thread::sleep_for(Ms(delay_ms));
      // Still saving when the kill lands (else the dataset is too small for this test).
      const std::string in_progress = InfoField(c, "rdb_bgsave_in_progress");
      srv.Kill();
      CHECK(in_progress == "1");
    }
    struct stat st {};
    REQUIRE(stat(dump.c_str(), &st) == 0);
    CHECK(size_t(st.st_size) == good_size);
    CHECK(st.st_mtim.tv_sec == good_stat.st_mtim.tv_sec);
    CHECK(st.st_mtim.tv_nsec == good_stat.st_mtim.tv_nsec);
    CHECK(st.st_ino == good_stat.st_ino);
    CHECK(FileHash(dump) == good_hash);
    // A temp file may remain (as in Redis); it does not disturb the next start.
    const std::vector<std::string> temps = TempFiles(srv.dir());
    CHECK(temps.size() <= 3);
    const size_t log_from = srv.Output().size();
    REQUIRE(srv.Start(restart));
    Client c = Client::Tcp(srv.port(), Ms(60000));
    CHECK(c.Int({"DBSIZE"}) == kKeys);
    CHECK(c.Str({"GET", "after-the-good-save"}) == "(nil)");
    for (int i : {0, 1, kKeys / 3, kKeys / 2, kKeys - 1}) {
      INFO("key:" << i);
      CHECK(c.Str({"GET", "key:" + std::to_string(i)}) == Value(uint64_t(i), kValueLen));
    }
    CHECK(srv.Output().find("Done loading RDB, keys loaded: " + std::to_string(kKeys), log_from) !=
          std::string::npos);
  }
  CHECK(srv.Stop(Ms(60000)) == 0);
}

TEST_CASE("an unwritable or vanished dir fails the save, the server keeps serving",
          "[concurrency][persistence]") {
  ServerProcess srv;
  const std::string data = srv.Path("data");
  REQUIRE(std::filesystem::create_directory(data));
  REQUIRE(srv.Start({"--dir", data, "--enable-protected-configs", "yes"}));
  Client c = Client::Tcp(srv.port());
  for (int i = 0; i < 100; ++i) c.Cmd({"SET", "k" + std::to_string(i), std::to_string(i)});
  REQUIRE(c.Str({"SAVE"}) == "OK");
  const std::string dump = data + "/dump.rdb";
  const std::string good = ReadFile(dump);
  REQUIRE(!good.empty());
  c.Cmd({"SET", "k-new", "x"});

  // chmod 0555 stops anyone but root (CI runs as root): then the dir vanishes instead.
  REQUIRE(chmod(data.c_str(), 0555) == 0);
  const std::string probe = data + "/probe";
  const bool read_only = !std::filesystem::exists(probe) && [&] {
    FILE* f = std::fopen(probe.c_str(), "w");
    if (f == nullptr) return true;
    std::fclose(f);
    std::filesystem::remove(probe);
    return false;
  }();
  if (!read_only) {
    REQUIRE(chmod(data.c_str(), 0755) == 0);
    std::filesystem::remove_all(data);
    REQUIRE_FALSE(std::filesystem::exists(data));
  }
  INFO((read_only ? "dir chmod 0555" : "dir removed (running as root)"));

  CHECK(BgsaveAndWait(c) == "err");
  CHECK(srv.Output().find("Failed opening the temp RDB file") != std::string::npos);
  CHECK(srv.Output().find("Background saving error") != std::string::npos);
  CHECK(c.Err({"SAVE"}) == "ERR");
  // Still serving: reads, and writes (no save points, so no MISCONF).
  CHECK(c.Str({"GET", "k7"}) == "7");
  CHECK(c.Str({"PING"}) == "PONG");
  CHECK(c.Str({"SET", "k-later", "y"}) == "OK");
  CHECK(c.Int({"DBSIZE"}) == 102);
  if (read_only) {
    CHECK(ReadFile(dump) == good);
    CHECK(DirNames(data) == std::vector<std::string>{"dump.rdb"});
    REQUIRE(chmod(data.c_str(), 0755) == 0);
  } else {
    // The server's working dir is gone: a new one at the same path, set again.
    REQUIRE(std::filesystem::create_directory(data));
    CHECK(c.Str({"CONFIG", "SET", "dir", data}) == "OK");
  }
  CHECK(c.Str({"SAVE"}) == "OK");
  CHECK(BgsaveAndWait(c) == "ok");
  REQUIRE(srv.Stop() == 0);
  REQUIRE(srv.Start({"--dir", data}));
  Client after = Client::Tcp(srv.port());
  CHECK(after.Int({"DBSIZE"}) == 102);
  CHECK(after.Str({"GET", "k-later"}) == "y");
}

TEST_CASE("a full disk fails the background save cleanly", "[concurrency][persistence]") {
  ServerProcess srv;
  TmpfsMount mnt;
  mnt.path = srv.Path("data");
  REQUIRE(std::filesystem::create_directory(mnt.path));
  // A 1 MiB tmpfs needs root (or CAP_SYS_ADMIN): elsewhere this test only warns.
  if (mount("tmpfs", mnt.path.c_str(), "tmpfs", 0, "size=1m,mode=0755") != 0) {
    WARN("cannot mount a tmpfs (" << std::strerror(errno) << "): full-disk test not run");
    return;
  }
  mnt.mounted = true;
  REQUIRE(srv.Start({"--dir", mnt.path}));
  Client c = Client::Tcp(srv.port());
  REQUIRE(SetKeys(c, 0, 100, 100));
  REQUIRE(c.Str({"SAVE"}) == "OK");
  const std::string dump = mnt.path + "/dump.rdb";
  const std::string good = ReadFile(dump);
  REQUIRE(!good.empty());
  // About 2.5 MB that does not compress: the next save cannot fit.
  for (int i = 0; i < 40; ++i) {
    REQUIRE(c.Str({"SET", "big:" + std::to_string(i), Value(uint64_t(1000 + i), 64 * 1024)}) ==
            "OK");
  }
  const size_t log_from = srv.Output().size();
  CHECK(BgsaveAndWait(c) == "err");
  CHECK(srv.Output().find("No space left on device", log_from) != std::string::npos);
  CHECK(c.Err({"SAVE"}) == "ERR");
  // No partial file; the old snapshot as it was.
  CHECK(DirNames(mnt.path) == std::vector<std::string>{"dump.rdb"});
  CHECK(ReadFile(dump) == good);
  CHECK(c.Str({"GET", "key:5"}) == Value(5, 100));
  CHECK(c.Int({"DBSIZE"}) == 140);
  // With room again, saves work.
  for (int i = 0; i < 40; ++i) c.Cmd({"DEL", "big:" + std::to_string(i)});
  CHECK(c.Str({"SET", "small", "1"}) == "OK");
  CHECK(BgsaveAndWait(c) == "ok");
  REQUIRE(srv.Stop() == 0);
  REQUIRE(srv.Start({"--dir", mnt.path}));
  Client after = Client::Tcp(srv.port());
  CHECK(after.Int({"DBSIZE"}) == 101);
  CHECK(after.Str({"GET", "small"}) == "1");
  srv.Kill();
  CHECK(umount2(mnt.path.c_str(), 0) == 0);
  mnt.mounted = false;
}

TEST_CASE("a snapshot truncated at any offset or with a flipped bit stops start-up",
          "[concurrency][persistence]") {
  ServerProcess srv;
  REQUIRE(srv.Start());
  {
    Client c = Client::Tcp(srv.port());
    REQUIRE(SetKeys(c, 0, 200, 40));
    c.Cmd({"SET", "long", std::string(3000, 'z')});  // LZF-compressed
    c.Cmd({"SET", "int", "123456789"});
    c.Cmd({"SET", "ttl", "v", "EX", "5000"});
    std::vector<std::string> list{"RPUSH", "list"}, set{"SADD", "set"}, hash{"HSET", "hash"};
    std::vector<std::string> zset{"ZADD", "zset"};
    for (int i = 0; i < 300; ++i) {
      const std::string n = std::to_string(i);
      list.push_back("e" + n);
      set.push_back("m" + n);
      hash.push_back("f" + n);
      hash.push_back("v" + n);
      zset.push_back(std::to_string(i * 0.5));
      zset.push_back("z" + n);
    }
    c.Cmd(list);
    c.Cmd(set);
    c.Cmd(hash);
    c.Cmd(zset);
    c.Cmd({"SADD", "intset", "1", "2", "3"});
    c.Cmd({"HSET", "small-hash", "a", "1"});
    c.Cmd({"SELECT", "5"});
    c.Cmd({"SET", "in-db-5", "x"});
    REQUIRE(c.Str({"SAVE"}) == "OK");
  }
  REQUIRE(srv.Stop() == 0);
  const std::string good = ReadFile(srv.Path("dump.rdb"));
  REQUIRE(good.size() > 1000);
  // The header ends where the first SELECTDB (0xFE 0x00) follows the aux fields.
  size_t header_end = good.find(std::string("\xFE\x00", 2), 9);
  REQUIRE(header_end != std::string::npos);
  std::set<size_t> cuts{0, 1, 5, 8, 9, 10, header_end - 1, header_end, header_end + 1,
                        header_end + 2, good.size() - 10, good.size() - 9, good.size() - 8,
                        good.size() - 1};
  for (size_t i = 1; cuts.size() < 50; ++i) cuts.insert(good.size() * i / 37);
  const std::string expected =
      "Fatal error loading the DB: Bad file format reading the snapshot " + srv.dir() +
      "/dump.rdb at offset ";
  StartOptions no_wait;
  no_wait.wait_ready = false;
  auto start_fails = [&](const std::string& contents, const std::string& what, size_t max_offset) {
    INFO(what);
    WriteFile(srv.Path("dump.rdb"), contents);
    const size_t log_from = srv.Output().size();
    REQUIRE(srv.Start(no_wait));
    CHECK(srv.WaitExit(Ms(10000)) == 1);  // an exit, not a signal (128 + n)
    const std::string log = srv.Output().substr(log_from);
    INFO(log);
    const size_t at = log.find(expected);
    CHECK(at != std::string::npos);
    if (at != std::string::npos) {
      const long long offset = ReportedOffset(log.substr(at));
      CHECK(offset >= 0);
      CHECK(offset <= static_cast<long long>(max_offset));
    }
  };
  for (size_t cut : cuts) {
    start_fails(good.substr(0, cut), "truncated to " + std::to_string(cut) + " of " +
                                         std::to_string(good.size()) + " bytes",
                cut);
  }
  // One bit flipped at offsets spread over the file (header, aux, keys, trailer).
  std::set<size_t> flips{0, 4, 5, 8, 9, header_end, header_end + 1, good.size() - 9,
                         good.size() - 8, good.size() - 1};
  for (size_t i = 1; i < 16; ++i) flips.insert(good.size() * i / 16 + 3);
  for (size_t at : flips) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ (1 << (at % 8)));
    start_fails(bad, "bit " + std::to_string(at % 8) + " flipped at " + std::to_string(at),
                good.size());
  }
  // The good file still loads.
  WriteFile(srv.Path("dump.rdb"), good);
  REQUIRE(srv.Start());
  Client c = Client::Tcp(srv.port());
  CHECK(c.Int({"DBSIZE"}) == 209);
}
