#include "persistence/snapshot_load.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>
#include <cstring>
#include <utility>

#include "common/hash.h"
#include "common/mutex.h"
#include "storage/access.h"

namespace larder {
namespace {

// A file descriptor as an RdbSource; counts the bytes read for progress reports.
class FdSource final : public RdbSource {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  int64_t Read(char* buf, size_t n) override {
    while (true) {
      const ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) {
        bytes_ += uint64_t(got);
        return got;
      }
      if (errno != EINTR) return -1;
    }
  }
  uint64_t bytes() const { return bytes_; }

 private:
  int fd_;
  uint64_t bytes_ = 0;
};

constexpr uint64_t kProgressEveryKeys = 1024;

// The access field of a loaded key: RESTORE's rule (IDLE under LRU, FREQ under LFU).
uint32_t LoadedAccess(const AccessPolicy& policy, const RdbKey& k, int64_t now_ms) {
  const bool lfu = policy.lfu.load(std::memory_order_relaxed);
  if (lfu && k.freq >= 0) return LfuAccess(now_ms, uint32_t(k.freq));
  if (!lfu && k.idle_s >= 0) return LruAccessIdle(now_ms, k.idle_s);
  return InitialAccess(policy, now_ms);
}

// Inserts one loaded key into its shard's table.
Status InsertKey(Store& store, const std::string& path, RdbKey&& k, int64_t now_ms) {
  if (k.db < 0 || k.db >= store.databases()) {
    return Status::Error("The snapshot " + path + " has keys in database " +
                         std::to_string(k.db) + ", but this server is configured with " +
                         std::to_string(store.databases()) + " databases (raise `databases`)");
  }
  const uint64_t hash = HashKey(k.key);
  const size_t index = store.ShardIndex(hash);
  Shard& shard = store.shard(index);
  const uint32_t access = LoadedAccess(store.access_policy(), k, now_ms);
  MutexLock lock(&shard.mu);
  store.AfterLock(index);
  Table& table = shard.table(k.db);
  if (table.Find(hash, k.key) != Table::kNotFound) {
    return Status::Error("The snapshot " + path + " has the key '" + k.key +
                         "' twice in database " + std::to_string(k.db));
  }
  table.Insert(hash, std::move(k.value).ToEntry(k.key, k.expire_ms, access));
  return Status::Ok();
}

// Inserts keys on a thread of its own while the caller goes on parsing the file:
// parsing (and LZF) and inserting (allocating entries, hashing, the table) then use
// two cores. Keys go over in batches through a bounded queue, in file order, so a
// duplicate key is still found; the first insert error stops the rest.
class Inserter {
 public:
  Inserter(Store& store, const std::string& path, int64_t now_ms)
      : store_(store), path_(path), now_ms_(now_ms), thread_([this] { Run(); }) {
    batch_.reserve(kBatch);
  }
  ~Inserter() { Finish(); }

  // Queues one key. Returns the first insert error so far (then stop reading).
  Status Add(RdbKey&& k) {
    batch_.push_back(std::move(k));
    if (batch_.size() >= kBatch) Hand();
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }
  // Inserts what is queued, stops the thread; the first insert error, if any.
  Status Finish() {
    if (thread_.joinable()) {
      if (!batch_.empty()) Hand();
      {
        std::lock_guard<std::mutex> lock(mu_);
        done_ = true;
      }
      has_work_.notify_one();
      thread_.join();
    }
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }

 private:
  static constexpr size_t kBatch = 256, kMaxQueued = 8;

  void Hand() {
    std::unique_lock<std::mutex> lock(mu_);
    has_room_.wait(lock, [&] { return queue_.size() < kMaxQueued; });
    queue_.push_back(std::move(batch_));
    batch_ = std::vector<RdbKey>();
    batch_.reserve(kBatch);
    has_work_.notify_one();
  }

  void Run() {
    while (true) {
      std::vector<RdbKey> batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        has_work_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
        has_room_.notify_one();
        if (!error_.ok()) continue;  // drain without inserting
      }
      for (RdbKey& k : batch) {
        Status s = InsertKey(store_, path_, std::move(k), now_ms_);
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(mu_);
          error_ = s;
          break;
        }
      }
    }
  }

  Store& store_;
  const std::string& path_;
  const int64_t now_ms_;
  std::vector<RdbKey> batch_;  // filled by the reading thread
  std::mutex mu_;
  std::condition_variable has_work_, has_room_;
  std::deque<std::vector<RdbKey>> queue_;
  bool done_ = false;
  Status error_;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

Status LoadSnapshot(Store& store, const std::string& path, const ValueLimits& limits,
                    int64_t now_ms, const LoadProgressFn& progress, RdbFileInfo* info) {
  *info = RdbFileInfo();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Error("Can't open the snapshot " + path + ": " + std::strerror(errno));
  }
  FdSource source(fd);
  RdbReadOptions options;
  options.limits = limits;
  options.skip_expired_before = now_ms;
  uint64_t loaded = 0;
  Inserter inserter(store, path, now_ms);
  auto on_key = [&](RdbKey&& k) -> Status {
    Status s = inserter.Add(std::move(k));
    if (!s.ok()) return s;
    if (++loaded % kProgressEveryKeys == 0 && progress && !progress(source.bytes(), loaded)) {
      return Status::Error("Loading the snapshot " + path + " was interrupted");
    }
    return Status::Ok();
  };
  Status s = ReadRdbFile(&source, path, options, on_key, info);
  Status inserted = inserter.Finish();
  if (s.ok() && !inserted.ok()) s = inserted;
  ::close(fd);
  if (s.ok() && progress) progress(source.bytes(), loaded);
  return s;
}

}  // namespace larder
