#include "persistence/snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <vector>

#include "persistence/rdb_file.h"
#include "storage/lock_set.h"

namespace larder {
namespace {

// Writes to a file descriptor; remembers the first errno.
class FdSink final : public RdbSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  bool Write(std::string_view bytes) override {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error_ = n < 0 ? errno : ENOSPC;
        return false;
      }
      written_ += uint64_t(n);
      bytes.remove_prefix(size_t(n));
    }
    return true;
  }
  int error() const { return error_; }
  uint64_t written() const { return written_; }

 private:
  int fd_;
  int error_ = 0;
  uint64_t written_ = 0;
};

// The hook: encodes a whole shard (every database's table) into the writer, under the
// shard's lock (held by the caller) and the writer's mutex.
class ShardCapture final : public SnapshotHook {
 public:
  ShardCapture(RdbFileWriter* writer, int databases)
      : writer_(writer), counts_(size_t(databases)) {}

  // Keys and keys with a TTL per database at the snapshot's instant (RESIZEDB hints).
  // REQUIRES: every shard lock held.
  void CountAll(Store& store) NO_THREAD_SAFETY_ANALYSIS {
    for (size_t i = 0; i < store.shard_count(); ++i) {
      for (size_t db = 0; db < counts_.size(); ++db) {
        const Table& t = store.shard(i).table(int(db));
        counts_[db].keys += t.size();
        counts_[db].expires += t.volatile_count();
      }
    }
  }

  void CaptureLocked(size_t /*index*/, Shard& shard) NO_THREAD_SAFETY_ANALYSIS override {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t db = 0; db < counts_.size() && !failed_; ++db) {
      const Table& t = shard.table(int(db));
      if (t.size() == 0) continue;
      if (current_db_ != int(db)) {
        // Shards arrive in any order: a database may be selected again (the loader
        // takes RESIZEDB as a sizing hint only).
        failed_ = !writer_->SelectDb(int(db), counts_[db].keys, counts_[db].expires);
        current_db_ = int(db);
      }
      for (size_t slot = 0; slot < t.capacity() && !failed_; ++slot) {
        if (!t.Occupied(slot)) continue;
        const Entry* e = t.At(slot);
        // After a write error the rest is skipped (the save fails; shards still get
        // their pending marks cleared by whoever locks them).
        failed_ = !writer_->Key(e->key(), e, e->has_expiry() ? e->expire_at() : kNoExpiry);
        ++keys_;
      }
    }
  }

  uint64_t keys() {
    std::lock_guard<std::mutex> lock(mu_);
    return keys_;
  }

 private:
  struct Counts {
    uint64_t keys = 0, expires = 0;
  };
  std::mutex mu_;
  RdbFileWriter* writer_;
  std::vector<Counts> counts_;
  int current_db_ = -1;
  uint64_t keys_ = 0;
  bool failed_ = false;
};

std::string Join(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::string ErrnoText(int err) { return std::strerror(err); }

bool SyncDir(const std::string& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::atomic<uint64_t> temp_counter{0};

}  // namespace

SnapshotResult SaveSnapshot(Store& store, const SnapshotOptions& options) {
  SnapshotResult result;
  const auto start = std::chrono::steady_clock::now();
  if (store.SnapshotRunning()) {
    result.error = "a save is already in progress";
    return result;
  }
  const std::string final_path = Join(options.dir, options.dbfilename);
  const std::string temp_path =
      Join(options.dir, "temp-" + std::to_string(::getpid()) + "-" +
                            std::to_string(temp_counter.fetch_add(1)) + ".rdb");
  int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    result.error = "Failed opening the temp RDB file " + temp_path + " for saving: " +
                   ErrnoText(errno);
    return result;
  }

  FdSink sink(fd);
  RdbFileOptions fo;
  fo.compress = options.compress;
  fo.checksum = options.checksum;
  fo.ctime_s = options.ctime_s != 0 ? options.ctime_s : int64_t(std::time(nullptr));
  fo.used_mem = options.used_mem;
  fo.limits = options.limits;
  RdbFileWriter writer(&sink, fo);
  ShardCapture capture(&writer, store.databases());

  bool ok = writer.Begin();
  if (!store.BeginSnapshot(&capture, [&] { capture.CountAll(store); })) {
    ::close(fd);
    ::unlink(temp_path.c_str());
    result.error = "a save is already in progress";
    return result;
  }
  // Walk every shard: taking its lock captures it unless a writer already did.
  {
    LockSet locks(&store);
    for (size_t i = 0; i < store.shard_count(); ++i) {
      locks.LockOne(uint32_t(i));
      locks.Unlock();
    }
  }
  store.EndSnapshot();
  ok = writer.Finish() && ok;

  std::string failure;
  if (!ok) {
    failure = "Write error saving DB on disk: " + ErrnoText(sink.error() ? sink.error() : EIO);
  } else if (options.fsync && ::fsync(fd) != 0) {
    failure = "Write error saving DB on disk: " + ErrnoText(errno);
  }
  if (::close(fd) != 0 && failure.empty()) {
    failure = "Write error saving DB on disk: " + ErrnoText(errno);
  }
  if (failure.empty() && ::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    failure = "Error moving temp DB file " + temp_path + " on the final destination " +
              final_path + " (in server root dir " + options.dir + "): " + ErrnoText(errno);
  }
  if (!failure.empty()) {
    ::unlink(temp_path.c_str());
    result.error = failure;
    return result;
  }
  if (options.fsync) SyncDir(options.dir);
  result.ok = true;
  result.keys = capture.keys();
  result.bytes = sink.written();
  result.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  return result;
}

}  // namespace larder
