// The server's snapshot orchestration (docs/persistence.md): loading dir/dbfilename at
// start-up, SAVE, BGSAVE [SCHEDULE] on a background thread, `save <seconds> <changes>`
// points checked by the cron, the last-save state behind LASTSAVE, MISCONF and INFO
// persistence, and the final save of a shutdown.
//
// Paths: the server chdir()s to `dir`, so dbfilename is relative to the working
// directory; a save resolves it to an absolute path when it starts, so CONFIG SET dir
// during a save does not move its file.
//
// Thread-safety: every method may be called from any thread (workers run SAVE, BGSAVE,
// INFO and SHUTDOWN; the main loop runs the cron and signals; loading runs on its own
// thread). State is guarded by one mutex that is never held while saving or loading.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "commands/settings.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "common/status.h"
#include "persistence/rdb_file.h"
#include "persistence/snapshot.h"
#include "storage/store.h"

namespace larder {

class Persistence {
 public:
  struct Deps {
    Store* store = nullptr;
    RuntimeSettings* settings = nullptr;  // receives the -LOADING / -MISCONF refusals
    const Clock* clock = nullptr;
    // Changes made to the dataset since start (monotonic; the sum of the workers'
    // counters): the save points compare it against its value at the last save.
    std::function<uint64_t()> changes;
  };

  explicit Persistence(Deps deps);
  ~Persistence();  // waits for a background save to finish
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;

  // Configuration (apply hooks). `save` is the registry's canonical "<s> <c> ..." or "".
  void SetSavePoints(const std::string& save);
  void SetDbFilename(const std::string& name);
  void SetCompression(bool on);
  void SetChecksum(bool on);
  void SetStopWritesOnError(bool on);
  bool HasSavePoints() const;

  // Start-up: loads dbfilename into the store. While it runs, commands without the
  // loading flag are refused and INFO shows the loading_* fields. Returns the error
  // that must stop start-up (a missing file is an empty start); stops early, with an
  // error, once `cancel` is set.
  Status Load(const std::atomic<bool>& cancel);
  // Refuses commands as Load does, from now on (call before clients are served).
  void BeginLoading();
  bool loading() const { return loading_.load(std::memory_order_acquire); }

  // SAVE: saves on the calling thread (holding no shard lock). The error is the reply
  // text: "ERR Background save already in progress" or "ERR".
  Status Save();
  enum class BgStart { kStarted, kScheduled, kAlreadyRunning };
  // BGSAVE [SCHEDULE]: starts a background save unless one runs (SCHEDULE changes
  // nothing: Larder has no other kind of background child to wait for).
  // Inside MULTI/EXEC (`in_exec`) it is scheduled, as in Redis.
  BgStart BgSave(bool in_exec);
  // The final save of a shutdown: waits for a running save to end, then saves on the
  // calling thread. False (logged as Redis does) on failure.
  bool SaveForShutdown();

  // Main-loop cron: joins a finished background save, starts a scheduled one or one a
  // save point calls for (after a failed one, only every kRetryDelayS seconds).
  void Cron();

  int64_t LastSaveUnix() const;
  // The "# Persistence" section of INFO (Redis 7.0's fields, in its order).
  std::string Info() const;

  static constexpr int64_t kRetryDelayS = 5;  // CONFIG_BGSAVE_RETRY_DELAY

 private:
  struct SaveStart {
    uint64_t changes = 0;   // the change counter when the save began
    int64_t start_us = 0;   // monotonic
    SnapshotOptions options;
  };
  // Claims the single save slot (false if a save runs), counts the attempt and fills
  // *start with the options of the current configuration.
  bool BeginSaveLocked(bool background, SaveStart* start) REQUIRES(mu_);
  void FinishSave(const SnapshotResult& r, const SaveStart& start, bool background);
  void StartBackgroundLocked() REQUIRES(mu_);
  void JoinFinishedLocked() REQUIRES(mu_);
  void UpdateRefusals() REQUIRES(mu_);
  int64_t NowS() const { return deps_.clock->NowMs() / 1000; }
  void LogLoaded(const RdbFileInfo& info, double seconds) const;

  Deps deps_;
  mutable Mutex mu_;
  std::vector<std::pair<int64_t, int64_t>> save_points_ GUARDED_BY(mu_);  // seconds, changes
  std::string dbfilename_ GUARDED_BY(mu_) = "dump.rdb";
  bool compress_ GUARDED_BY(mu_) = true;
  bool checksum_ GUARDED_BY(mu_) = true;
  bool stop_writes_ GUARDED_BY(mu_) = true;

  bool saving_ GUARDED_BY(mu_) = false;       // a SAVE or BGSAVE runs
  bool bg_saving_ GUARDED_BY(mu_) = false;    // ... and it is a BGSAVE
  bool bg_scheduled_ GUARDED_BY(mu_) = false;
  std::thread bg_thread_ GUARDED_BY(mu_);
  std::atomic<bool> bg_done_{false};          // the thread has finished its work
  int64_t bg_start_us_ GUARDED_BY(mu_) = 0;
  uint64_t baseline_changes_ GUARDED_BY(mu_) = 0;  // the counter at the last good save
  int64_t last_save_s_ GUARDED_BY(mu_) = 0;
  int64_t last_bgsave_try_s_ GUARDED_BY(mu_) = 0;
  bool last_bgsave_ok_ GUARDED_BY(mu_) = true;
  int64_t last_bgsave_time_s_ GUARDED_BY(mu_) = -1;
  uint64_t saves_ GUARDED_BY(mu_) = 0;        // rdb_saves: attempts

  std::atomic<bool> loading_{false};
  std::atomic<int64_t> loading_start_s_{0};
  std::atomic<uint64_t> loading_total_bytes_{0};
  std::atomic<uint64_t> loading_loaded_bytes_{0};
  std::atomic<uint64_t> last_load_keys_loaded_{0};
  std::atomic<uint64_t> last_load_keys_expired_{0};
};

}  // namespace larder
