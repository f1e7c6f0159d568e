// SaveSnapshot: the file holds exactly the store at one instant, also while other
// threads change it.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "persistence/rdb_file.h"
#include "persistence/snapshot.h"
#include "storage/db_view.h"
#include "storage/lock_set.h"

using namespace larder;

namespace {

constexpr int64_t kNow = 1'700'000'000'000;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/larder-snapshot-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class FileSource final : public RdbSource {
 public:
  explicit FileSource(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY)) {}
  ~FileSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  int64_t Read(char* buf, size_t n) override { return fd_ < 0 ? -1 : ::read(fd_, buf, n); }

 private:
  int fd_;
};

// db -> key -> (value, expire)
using Contents = std::map<int, std::map<std::string, std::pair<std::string, int64_t>>>;

Contents ReadBack(const std::string& path) {
  Contents c;
  FileSource src(path);
  RdbReadOptions o;
  RdbFileInfo info;
  Status st = ReadRdbFile(&src, path, o, [&](RdbKey&& k) {
    REQUIRE(k.value.kind == ValueKind::kString);
    c[k.db][k.key] = {k.value.blob, k.expire_ms};
    return Status::Ok();
  }, &info);
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(info.checksum_ok);
  return c;
}

void Set(Store& store, int db, const std::string& key, const std::string& value,
         int64_t expire_at = kNoExpiry) {
  LockSet locks(&store);
  KeyArg k = MakeKeyArg(key);
  locks.LockOne(uint32_t(store.ShardIndex(k.hash)));
  DbView view(&store, &locks, db, kNow);
  KeyRef ref = view.Find(k, DbView::Mode::kWrite);
  view.SetString(k, &ref, value, expire_at);
}

SnapshotOptions Options(const TempDir& dir) {
  SnapshotOptions o;
  o.dir = dir.path();
  o.fsync = false;
  return o;
}

}  // namespace

TEST_CASE("a snapshot holds every key of every database with its TTL", "[snapshot]") {
  StoreOptions so;
  so.shard_bits = 6;
  Store store(so);
  Contents want;
  for (int i = 0; i < 3000; ++i) {
    const int db = i % 3 == 0 ? 0 : (i % 3 == 1 ? 5 : 15);
    const std::string key = "key:" + std::to_string(i);
    const std::string value = i % 7 == 0 ? std::string(100, char('a' + i % 26)) : std::to_string(i);
    const int64_t expire = i % 5 == 0 ? kNow + 1'000'000 + i : kNoExpiry;
    Set(store, db, key, value, expire);
    want[db][key] = {value, expire};
  }
  TempDir dir;
  SnapshotResult r = SaveSnapshot(store, Options(dir));
  INFO(r.error);
  REQUIRE(r.ok);
  CHECK(r.keys == 3000);
  CHECK(ReadBack(dir.path() + "/dump.rdb") == want);
  // No temp file is left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) ++files, (void)e;
  CHECK(files == 1);
  CHECK_FALSE(store.SnapshotRunning());
}

TEST_CASE("an empty store saves a loadable empty snapshot", "[snapshot]") {
  Store store;
  TempDir dir;
  SnapshotResult r = SaveSnapshot(store, Options(dir));
  REQUIRE(r.ok);
  CHECK(ReadBack(dir.path() + "/dump.rdb").empty());
}

TEST_CASE("a failed save leaves the previous file and no temp file", "[snapshot]") {
  Store store;
  Set(store, 0, "a", "1");
  TempDir dir;
  REQUIRE(SaveSnapshot(store, Options(dir)).ok);
  Set(store, 0, "b", "2");
  // A directory named like the temp file's target: the rename fails.
  SnapshotOptions o = Options(dir);
  o.dbfilename = "sub";
  std::filesystem::create_directory(dir.path() + "/sub");
  std::filesystem::create_directory(dir.path() + "/sub/x");
  SnapshotResult r = SaveSnapshot(store, o);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("Error moving temp DB file") != std::string::npos);
  // A missing directory: the temp file cannot be opened.
  o = Options(dir);
  o.dir = dir.path() + "/missing";
  r = SaveSnapshot(store, o);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("No such file or directory") != std::string::npos);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) ++files, (void)e;
  CHECK(files == 2);  // dump.rdb and sub
  CHECK(ReadBack(dir.path() + "/dump.rdb").at(0).size() == 1);
  CHECK_FALSE(store.SnapshotRunning());
}

TEST_CASE("a snapshot is one instant while transfers run on other threads", "[snapshot]") {
  StoreOptions so;
  so.shard_bits = 8;
  Store store(so);
  constexpr int kAccounts = 4000;
  constexpr int64_t kStart = 100;
  for (int i = 0; i < kAccounts; ++i) Set(store, 0, "acct:" + std::to_string(i), "100");

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> transfers{0};
  auto transfer = [&](unsigned seed) {
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    auto next = [&] {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      return x;
    };
    LockSet locks(&store);
    while (!stop.load(std::memory_order_relaxed)) {
      const std::string a = "acct:" + std::to_string(next() % kAccounts);
      const std::string b = "acct:" + std::to_string(next() % kAccounts);
      if (a == b) continue;
      KeyArg ka = MakeKeyArg(a), kb = MakeKeyArg(b);
      std::vector<uint32_t> shards = {uint32_t(store.ShardIndex(ka.hash)),
                                      uint32_t(store.ShardIndex(kb.hash))};
      locks.Lock(&shards);
      {
        DbView view(&store, &locks, 0, kNow);
        KeyRef ra = view.Find(ka, DbView::Mode::kWrite);
        const int64_t va = std::stoll(std::string(ra.str()));
        view.SetString(ka, &ra, std::to_string(va - 7), kNoExpiry);
        KeyRef rb = view.Find(kb, DbView::Mode::kWrite);
        const int64_t vb = std::stoll(std::string(rb.str()));
        view.SetString(kb, &rb, std::to_string(vb + 7), kNoExpiry);
      }
      locks.Unlock();
      transfers.fetch_add(1, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 3; ++t) threads.emplace_back(transfer, t + 1);
  // Keys created one after another (spread over the shards): a snapshot holds a prefix
  // of them, never a later key without every earlier one.
  threads.emplace_back([&] {
    for (int n = 0; n < 1'000'000 && !stop.load(std::memory_order_relaxed); ++n) {
      Set(store, 1, "seq:" + std::to_string(n), "x");
    }
  });

  TempDir dir;
  for (int round = 0; round < 5; ++round) {
    const uint64_t before = transfers.load();
    SnapshotResult r = SaveSnapshot(store, Options(dir));
    INFO(r.error);
    REQUIRE(r.ok);
    Contents c = ReadBack(dir.path() + "/dump.rdb");
    REQUIRE(c.at(0).size() == size_t(kAccounts));
    int64_t sum = 0;
    for (const auto& [key, v] : c.at(0)) sum += std::stoll(v.first);
    CHECK(sum == kAccounts * kStart);
    if (c.count(1)) {
      const auto& seq = c.at(1);
      for (size_t n = 0; n < seq.size(); ++n) {
        if (!seq.count("seq:" + std::to_string(n))) FAIL("seq:" << n << " missing, " << seq.size() << " saved");
      }
    }
    CHECK(transfers.load() >= before);
  }
  stop = true;
  for (auto& t : threads) t.join();
  CHECK(transfers.load() > 0);
}

namespace {

// Counts captures and remembers whether the shard still held `key` when captured.
class RecordingHook final : public SnapshotHook {
 public:
  explicit RecordingHook(std::string key) : key_(std::move(key)) {}
  void CaptureLocked(Shard& shard) NO_THREAD_SAFETY_ANALYSIS override {
    ++captures;
    KeyArg k = MakeKeyArg(key_);
    if (shard.table(0).Find(k.hash, key_) != Table::kNotFound) saw_key = true;
  }
  int captures = 0;
  bool saw_key = false;

 private:
  std::string key_;
};

}  // namespace

TEST_CASE("a read lock leaves a pending shard alone until the read removes an expired key",
          "[snapshot]") {
  Store store;
  Set(store, 0, "soon", "v", kNow + 10);
  RecordingHook hook("soon");
  REQUIRE(store.BeginSnapshot(&hook, [] {}));
  KeyArg k = MakeKeyArg("soon");
  const uint32_t shard = uint32_t(store.ShardIndex(k.hash));
  {
    LockSet locks(&store);
    locks.LockOne(shard, /*for_write=*/false);
    CHECK(hook.captures == 0);  // a plain read does not capture
    DbView view(&store, &locks, 0, kNow);
    CHECK(view.Find(k, DbView::Mode::kRead));
    CHECK(hook.captures == 0);
  }
  {
    LockSet locks(&store);
    locks.LockOne(shard, /*for_write=*/false);
    DbView view(&store, &locks, 0, kNow + 1000);  // now expired: the read removes it
    CHECK_FALSE(view.Find(k, DbView::Mode::kRead));
    CHECK(hook.captures == 1);
    CHECK(hook.saw_key);  // captured before the removal
  }
  {
    LockSet locks(&store);
    locks.LockOne(shard);  // captured already: a write lock does not capture again
    CHECK(hook.captures == 1);
  }
  // Finish the walk so every shard's mark is cleared, as SaveSnapshot does.
  {
    LockSet locks(&store);
    for (size_t i = 0; i < store.shard_count(); ++i) {
      locks.LockOne(uint32_t(i));
      locks.Unlock();
    }
  }
  store.EndSnapshot();
  CHECK(hook.captures == int(store.shard_count()));
}
