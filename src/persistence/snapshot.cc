#include "persistence/snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>
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

// The hook. A shard is encoded into memory under its lock (held by the caller) and
// written to the file after the lock is released, so no shard lock is ever held across
// file I/O (a write can block for long under the kernel's dirty-page throttling). The
// saving thread writes what it captures itself, and between shards writes what the
// workers captured, which waits in a queue bounded by `budget` bytes; a worker whose
// capture does not fit writes it to the file itself.
class ShardCapture final : public SnapshotHook {
 public:
  ShardCapture(RdbFileWriter* writer, int databases, size_t budget)
      : writer_(writer), save_(writer->save_options()), counts_(size_t(databases)),
        budget_(budget), saver_(std::this_thread::get_id()) {}

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

  void CaptureLocked(Shard& shard) NO_THREAD_SAFETY_ANALYSIS override {
    std::string buf;
    uint64_t keys = 0;
    for (size_t db = 0; db < counts_.size(); ++db) {
      const Table& t = shard.table(int(db));
      if (t.size() == 0) continue;
      // Shards arrive in any order: each capture selects its databases again (the
      // loader takes RESIZEDB as a sizing hint only).
      RdbFileWriter::EncodeSelectDb(&buf, int(db), counts_[db].keys, counts_[db].expires);
      for (size_t slot = 0; slot < t.capacity(); ++slot) {
        if (!t.Occupied(slot)) continue;
        const Entry* e = t.At(slot);
        RdbFileWriter::EncodeKey(&buf, e->key(), e,
                                 e->has_expiry() ? e->expire_at() : kNoExpiry, save_);
        ++keys;
      }
    }
    keys_.fetch_add(keys, std::memory_order_relaxed);
    if (buf.empty()) return;
    if (std::this_thread::get_id() == saver_) {
      mine_ = std::move(buf);  // written by Walk once the lock is released
      return;
    }
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      if (queued_ + buf.size() <= budget_) {
        queued_ += buf.size();
        queue_.push_back(std::move(buf));
        return;
      }
    }
    Write(buf);
  }

  // Visits every shard from the saving thread: locking it captures it unless a worker
  // already did; the capture and the workers' queued ones are written unlocked.
  // REQUIRES: called on the thread that constructed this capture.
  void Walk(Store& store) {
    LockSet locks(&store);
    for (size_t i = 0; i < store.shard_count(); ++i) {
      locks.LockOne(uint32_t(i));
      locks.Unlock();
      if (!mine_.empty()) Write(mine_);
      mine_.clear();
      DrainQueue();
    }
    DrainQueue();
  }

  uint64_t keys() const { return keys_.load(std::memory_order_relaxed); }
  bool failed() {
    std::lock_guard<std::mutex> lock(file_mu_);
    return failed_;
  }

 private:
  void Write(std::string_view bytes) {
    std::lock_guard<std::mutex> lock(file_mu_);
    if (!failed_) failed_ = !writer_->Raw(bytes);
  }
  void DrainQueue() {
    std::vector<std::string> batch;
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      batch.swap(queue_);
      queued_ = 0;
    }
    for (const std::string& b : batch) Write(b);
  }

  struct Counts {
    uint64_t keys = 0, expires = 0;
  };
  RdbFileWriter* writer_;
  const RdbSaveOptions save_;
  std::vector<Counts> counts_;
  const size_t budget_;
  std::atomic<uint64_t> keys_{0};
  const std::thread::id saver_;  // the saving thread (set before any capture can run)
  std::string mine_;  // the saving thread's last capture
  std::mutex queue_mu_;
  std::vector<std::string> queue_;
  size_t queued_ = 0;
  std::mutex file_mu_;
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
  // Workers' captures may wait in memory up to 1/32 of the dataset (1 to 64 MiB).
  const size_t budget = std::clamp<size_t>(size_t(options.used_mem / 32), 1u << 20, 64u << 20);
  ShardCapture capture(&writer, store.databases(), budget);

  bool ok = writer.Begin();
  if (!store.BeginSnapshot(&capture, [&] { capture.CountAll(store); })) {
    ::close(fd);
    ::unlink(temp_path.c_str());
    result.error = "a save is already in progress";
    return result;
  }
  capture.Walk(store);
  store.EndSnapshot();
  ok = !capture.failed() && writer.Finish() && ok;

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
