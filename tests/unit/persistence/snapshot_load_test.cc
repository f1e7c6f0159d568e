// LoadSnapshot: a saved store loads back key for key, database for database; expired
// keys are skipped; bad database numbers, duplicate keys and damaged files fail with the
// file's name; a missing file is an empty start; the progress callback can stop a load.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "persistence/rdb_file.h"
#include "persistence/snapshot.h"
#include "persistence/snapshot_load.h"
#include "storage/access.h"
#include "storage/db_view.h"
#include "storage/lock_set.h"

using namespace larder;

namespace {

constexpr int64_t kNow = 1'700'000'000'000;

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/larder-load-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string File(const std::string& name) const { return path + "/" + name; }
  std::string path;
};

void Set(Store& store, int db, const std::string& key, const std::string& value,
         int64_t expire_at = kNoExpiry) {
  LockSet locks(&store);
  const KeyArg k = MakeKeyArg(key);
  locks.LockOne(uint32_t(store.ShardIndex(k.hash)));
  DbView view(&store, &locks, db, kNow);
  KeyRef ref = view.Find(k, DbView::Mode::kWrite);
  view.SetString(k, &ref, value, expire_at);
}

// The value of a string key, "(nil)" if absent; *expire gets its expiry, *access its
// access field.
std::string Get(Store& store, int db, const std::string& key, int64_t* expire = nullptr,
                uint32_t* access = nullptr) {
  LockSet locks(&store);
  const KeyArg k = MakeKeyArg(key);
  locks.LockOne(uint32_t(store.ShardIndex(k.hash)));
  DbView view(&store, &locks, db, kNow);
  KeyRef ref = view.Find(k, DbView::Mode::kPeek);
  if (!ref) return "(nil)";
  if (expire != nullptr) *expire = ref.expire_at();
  if (access != nullptr) *access = ref.entry()->access();
  return std::string(ref.str());
}

std::string Save(Store& store, const TempDir& dir) {
  SnapshotOptions o;
  o.dir = dir.path;
  o.fsync = false;
  SnapshotResult r = SaveSnapshot(store, o);
  INFO(r.error);
  REQUIRE(r.ok);
  return dir.File(o.dbfilename);
}

// The file of a store holding only "k" = "v" in database `db`.
std::string SaveOneKey(const TempDir& dir, int db) {
  Store src;
  Set(src, db, "k", "v");
  return Save(src, dir);
}

// A sink into a file (for hand-made files).
class FileSink final : public RdbSink {
 public:
  explicit FileSink(const std::string& path) : out_(path, std::ios::binary) {}
  bool Write(std::string_view bytes) override {
    out_.write(bytes.data(), std::streamsize(bytes.size()));
    return bool(out_);
  }

 private:
  std::ofstream out_;
};

Status Load(Store& store, const std::string& path, RdbFileInfo* info, int64_t now = kNow,
            const LoadProgressFn& progress = {}) {
  return LoadSnapshot(store, path, ValueLimits::From(store.limits()), now, progress, info);
}

}  // namespace

TEST_CASE("a saved store loads back, databases and expiries included", "[snapshot_load]") {
  TempDir dir;
  Store src;
  Set(src, 0, "a", "1");
  Set(src, 0, "ttl", "t", kNow + 60'000);
  Set(src, 7, "b", std::string(500, 'b'));
  Set(src, 15, "gone-by-load", "x", kNow + 1000);
  const std::string path = Save(src, dir);

  Store dst;
  RdbFileInfo info;
  Status s = Load(dst, path, &info, kNow + 5000);  // "gone-by-load" expired meanwhile
  INFO(s.message());
  REQUIRE(s.ok());
  CHECK(info.version == 10);
  CHECK(info.keys == 3);
  CHECK(info.skipped_expired == 1);
  int64_t expire = 0;
  CHECK(Get(dst, 0, "a") == "1");
  CHECK(Get(dst, 0, "ttl", &expire) == "t");
  CHECK(expire == kNow + 60'000);
  CHECK(Get(dst, 7, "b") == std::string(500, 'b'));
  CHECK(Get(dst, 0, "b") == "(nil)");
  CHECK(Get(dst, 15, "gone-by-load") == "(nil)");
  CHECK(dst.CountDb(7).keys == 1);
}

TEST_CASE("a missing file is an empty start", "[snapshot_load]") {
  TempDir dir;
  Store dst;
  RdbFileInfo info;
  CHECK(Load(dst, dir.File("none.rdb"), &info).ok());
  CHECK(info.version == 0);
  CHECK(dst.CountDb(0).keys == 0);
}

TEST_CASE("a database the server does not have is refused", "[snapshot_load]") {
  TempDir dir;
  const std::string path = SaveOneKey(dir, 9);
  StoreOptions small;
  small.databases = 4;
  Store dst(small);
  RdbFileInfo info;
  Status s = Load(dst, path, &info);
  REQUIRE(!s.ok());
  CHECK(s.message().find(path) != std::string::npos);
  CHECK(s.message().find("database 9") != std::string::npos);
}

TEST_CASE("a key present twice is refused", "[snapshot_load]") {
  TempDir dir;
  const std::string path = dir.File("dup.rdb");
  {
    FileSink sink(path);
    RdbFileWriter w(&sink, RdbFileOptions{});
    Entry* e = Entry::NewString("k", "v", kNoExpiry, 0);
    REQUIRE(w.Begin());
    REQUIRE(w.SelectDb(0, 2, 0));
    REQUIRE(w.Key("k", e, kNoExpiry));
    REQUIRE(w.Key("k", e, kNoExpiry));
    REQUIRE(w.Finish());
    Entry::Free(e);
  }
  Store dst;
  RdbFileInfo info;
  Status s = Load(dst, path, &info);
  REQUIRE(!s.ok());
  CHECK(s.message() == "The snapshot " + path + " has the key 'k' twice in database 0");
}

TEST_CASE("a truncated file fails naming the file and offset", "[snapshot_load]") {
  TempDir dir;
  Store src;
  for (int i = 0; i < 100; ++i) Set(src, 0, "key" + std::to_string(i), "value");
  const std::string path = Save(src, dir);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  Store dst;
  RdbFileInfo info;
  Status s = Load(dst, path, &info);
  REQUIRE(!s.ok());
  CHECK(s.message().rfind("Bad file format reading the snapshot " + path + " at offset ", 0) == 0);
}

TEST_CASE("the progress callback sees the bytes and can stop the load", "[snapshot_load]") {
  TempDir dir;
  Store src;
  for (int i = 0; i < 3000; ++i) Set(src, 0, "key" + std::to_string(i), "value");
  const std::string path = Save(src, dir);
  uint64_t last_bytes = 0, calls = 0;
  {
    Store dst;
    RdbFileInfo info;
    REQUIRE(Load(dst, path, &info, kNow, [&](uint64_t bytes, uint64_t) {
      CHECK(bytes >= last_bytes);
      last_bytes = bytes;
      ++calls;
      return true;
    }).ok());
    CHECK(calls >= 2);
    CHECK(last_bytes == std::filesystem::file_size(path));
  }
  Store dst;
  RdbFileInfo info;
  Status s = Load(dst, path, &info, kNow, [](uint64_t, uint64_t keys) { return keys < 1024; });
  REQUIRE(!s.ok());
  CHECK(s.message() == "Loading the snapshot " + path + " was interrupted");
}

TEST_CASE("loaded keys get a fresh access stamp", "[snapshot_load]") {
  TempDir dir;
  const std::string path = SaveOneKey(dir, 0);
  Store dst;
  dst.access_policy().lfu = true;
  RdbFileInfo info;
  REQUIRE(Load(dst, path, &info).ok());
  uint32_t access = 0;
  REQUIRE(Get(dst, 0, "k", nullptr, &access) == "v");
  CHECK(LfuCounter(dst.access_policy(), access, kNow) == kLfuInitCounter);
}
