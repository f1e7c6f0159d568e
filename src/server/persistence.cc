#include "server/persistence.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>

#include <fmt/format.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/memory_info.h"
#include "common/numbers.h"
#include "persistence/snapshot_load.h"

namespace larder {
namespace {

// The working directory (the server's `dir`), "" if unknown.
std::string WorkingDir() {
  char buf[PATH_MAX];
  return getcwd(buf, sizeof buf) != nullptr ? std::string(buf) : std::string();
}

std::string AuxValue(const RdbFileInfo& info, std::string_view name) {
  for (const auto& [k, v] : info.aux) {
    if (k == name) return v;
  }
  return {};
}

void Line(std::string* s, std::string_view name, const auto& value) {
  fmt::format_to(std::back_inserter(*s), "{}:{}\r\n", name, value);
}

}  // namespace

Persistence::Persistence(Deps deps) : deps_(std::move(deps)) {
  MutexLock lock(&mu_);
  last_save_s_ = NowS();
}

Persistence::~Persistence() {
  std::thread t;
  {
    MutexLock lock(&mu_);
    t = std::move(bg_thread_);
  }
  if (t.joinable()) t.join();
}

void Persistence::SetSavePoints(const std::string& save) {
  std::vector<std::pair<int64_t, int64_t>> points;
  std::vector<int64_t> nums;
  for (size_t i = 0; i < save.size();) {
    size_t j = save.find(' ', i);
    if (j == std::string::npos) j = save.size();
    if (j > i) nums.push_back(ParseInt64(std::string_view(save).substr(i, j - i)).value_or(0));
    i = j + 1;
  }
  for (size_t i = 0; i + 1 < nums.size(); i += 2) points.emplace_back(nums[i], nums[i + 1]);
  MutexLock lock(&mu_);
  save_points_ = std::move(points);
  UpdateRefusals();
}

void Persistence::SetDbFilename(const std::string& name) {
  MutexLock lock(&mu_);
  dbfilename_ = name;
}

void Persistence::SetCompression(bool on) {
  MutexLock lock(&mu_);
  compress_ = on;
}

void Persistence::SetChecksum(bool on) {
  MutexLock lock(&mu_);
  checksum_ = on;
}

void Persistence::SetStopWritesOnError(bool on) {
  MutexLock lock(&mu_);
  stop_writes_ = on;
  UpdateRefusals();
}

bool Persistence::HasSavePoints() const {
  MutexLock lock(&mu_);
  return !save_points_.empty();
}

void Persistence::UpdateRefusals() {
  uint32_t r = 0;
  if (loading_.load(std::memory_order_acquire)) r |= RuntimeSettings::kRefuseLoading;
  if (stop_writes_ && !save_points_.empty() && !last_bgsave_ok_) {
    r |= RuntimeSettings::kRefuseWrites;
  }
  deps_.settings->persistence_refusals.store(r, std::memory_order_release);
}

void Persistence::BeginLoading() {
  loading_.store(true, std::memory_order_release);
  MutexLock lock(&mu_);
  UpdateRefusals();
}

Status Persistence::Load(const std::atomic<bool>& cancel) {
  std::string path;
  {
    MutexLock lock(&mu_);
    path = dbfilename_;
  }
  if (!path.empty() && path[0] != '/') path = WorkingDir() + "/" + path;
  struct stat st {};
  loading_total_bytes_ = ::stat(path.c_str(), &st) == 0 ? uint64_t(st.st_size) : 0;
  loading_loaded_bytes_ = 0;
  loading_start_s_ = NowS();
  BeginLoading();
  const int64_t t0 = deps_.clock->MonotonicUs();
  auto progress = [&](uint64_t bytes, uint64_t) {
    loading_loaded_bytes_.store(bytes, std::memory_order_relaxed);
    return !cancel.load(std::memory_order_relaxed);
  };
  RdbFileInfo info;
  Status s = LoadSnapshot(*deps_.store, path, ValueLimits::From(deps_.store->limits()),
                          deps_.clock->NowMs(), progress, &info);
  loading_.store(false, std::memory_order_release);
  {
    MutexLock lock(&mu_);
    UpdateRefusals();
  }
  if (!s.ok()) return s;
  if (info.version != 0) {
    last_load_keys_loaded_ = info.keys;
    last_load_keys_expired_ = info.skipped_expired;
    LogLoaded(info, double(deps_.clock->MonotonicUs() - t0) / 1e6);
  }
  return Status::Ok();
}

void Persistence::LogLoaded(const RdbFileInfo& info, double seconds) const {
  if (std::string v = AuxValue(info, "redis-ver"); !v.empty()) {
    LARDER_LOG(kNotice, "Loading RDB produced by version {}", v);
  }
  if (auto ctime = ParseInt64(AuxValue(info, "ctime"))) {
    LARDER_LOG(kNotice, "RDB age {} seconds", std::max<int64_t>(0, NowS() - *ctime));
  }
  if (auto mem = ParseInt64(AuxValue(info, "used-mem"))) {
    LARDER_LOG(kNotice, "RDB memory usage when created {:.2f} Mb", double(*mem) / (1024 * 1024));
  }
  LARDER_LOG(kNotice, "Done loading RDB, keys loaded: {}, keys expired: {}.", info.keys,
             info.skipped_expired);
  LARDER_LOG(kNotice, "DB loaded from disk: {:.3f} seconds", seconds);
}

bool Persistence::BeginSaveLocked(bool background, SaveStart* start) {
  if (saving_) return false;
  if (bg_thread_.joinable()) bg_thread_.join();  // done: past FinishSave
  saving_ = true;
  bg_saving_ = background;
  ++saves_;
  start->changes = deps_.changes();
  start->start_us = deps_.clock->MonotonicUs();
  SnapshotOptions& o = start->options;
  o.dir = WorkingDir();
  o.dbfilename = dbfilename_;
  o.compress = compress_;
  o.checksum = checksum_;
  o.limits = ValueLimits::From(deps_.store->limits());
  o.used_mem = ReadAllocatorStats().allocated;
  o.ctime_s = NowS();
  if (background) {
    last_bgsave_try_s_ = NowS();
    bg_start_us_ = start->start_us;
  }
  return true;
}

void Persistence::FinishSave(const SnapshotResult& r, const SaveStart& start, bool background) {
  if (r.ok) {
    LARDER_LOG(kNotice, "DB saved on disk");
  } else {
    LARDER_LOG(kWarning, "{}", r.error);
  }
  if (background && r.ok) LARDER_LOG(kNotice, "Background saving terminated with success");
  if (background && !r.ok) LARDER_LOG(kWarning, "Background saving error");
  MutexLock lock(&mu_);
  saving_ = false;
  bg_saving_ = false;
  if (r.ok) {
    baseline_changes_ = start.changes;
    last_save_s_ = NowS();
    last_bgsave_ok_ = true;
  } else if (background) {
    last_bgsave_ok_ = false;
  }
  if (background) last_bgsave_time_s_ = (deps_.clock->MonotonicUs() - start.start_us) / 1'000'000;
  UpdateRefusals();
}

Status Persistence::Save() {
  SaveStart start;
  {
    MutexLock lock(&mu_);
    if (!BeginSaveLocked(false, &start)) {
      return Status::Error(std::string(errors::kBgsaveInProgress));
    }
  }
  SnapshotResult r = SaveSnapshot(*deps_.store, start.options);
  FinishSave(r, start, false);
  return r.ok ? Status::Ok() : Status::Error("ERR");
}

void Persistence::StartBackgroundLocked() {
  SaveStart start;
  if (!BeginSaveLocked(true, &start)) return;
  bg_done_.store(false, std::memory_order_relaxed);
  LARDER_LOG(kNotice, "Background saving started");
  bg_thread_ = std::thread([this, start] {
    SnapshotResult r = SaveSnapshot(*deps_.store, start.options);
    FinishSave(r, start, true);
    bg_done_.store(true, std::memory_order_release);
  });
}

void Persistence::JoinFinishedLocked() {
  if (bg_thread_.joinable() && bg_done_.load(std::memory_order_acquire)) bg_thread_.join();
}

Persistence::BgStart Persistence::BgSave(bool in_exec) {
  MutexLock lock(&mu_);
  JoinFinishedLocked();
  if (saving_) return BgStart::kAlreadyRunning;
  if (in_exec) {  // Redis starts it after the transaction
    bg_scheduled_ = true;
    return BgStart::kScheduled;
  }
  StartBackgroundLocked();
  return BgStart::kStarted;
}

bool Persistence::SaveForShutdown() {
  LARDER_LOG(kNotice, "Saving the final RDB snapshot before exiting.");
  SaveStart start;
  while (true) {
    std::thread running;
    {
      MutexLock lock(&mu_);
      bg_scheduled_ = false;
      if (BeginSaveLocked(false, &start)) break;
      if (bg_saving_) running = std::move(bg_thread_);
    }
    // A save is running: wait for it (a background one can be joined; a SAVE on
    // another thread is short-lived and polled).
    if (running.joinable()) running.join();
    else std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  SnapshotResult r = SaveSnapshot(*deps_.store, start.options);
  FinishSave(r, start, false);
  if (!r.ok) LARDER_LOG(kWarning, "Error trying to save the DB, can't exit.");
  return r.ok;
}

void Persistence::Cron() {
  if (loading()) return;
  MutexLock lock(&mu_);
  JoinFinishedLocked();
  if (saving_) return;
  const int64_t now = NowS();
  const bool may_retry = last_bgsave_ok_ || now - last_bgsave_try_s_ > kRetryDelayS;
  if (!may_retry) return;
  const uint64_t changes = deps_.changes() - baseline_changes_;
  for (const auto& [seconds, min_changes] : save_points_) {
    if (changes >= uint64_t(min_changes) && now - last_save_s_ > seconds) {
      LARDER_LOG(kNotice, "{} changes in {} seconds. Saving...", min_changes, seconds);
      StartBackgroundLocked();
      return;
    }
  }
  if (bg_scheduled_) {
    bg_scheduled_ = false;
    StartBackgroundLocked();
  }
}

int64_t Persistence::LastSaveUnix() const {
  MutexLock lock(&mu_);
  return last_save_s_;
}

std::string Persistence::Info() const {
  const bool is_loading = loading();
  std::string s = "# Persistence\r\n";
  MutexLock lock(&mu_);
  Line(&s, "loading", is_loading ? 1 : 0);
  Line(&s, "async_loading", 0);
  // No fork: nothing is copied on write, so the copy-on-write figures stay 0.
  Line(&s, "current_cow_peak", 0);
  Line(&s, "current_cow_size", 0);
  Line(&s, "current_cow_size_age", 0);
  Line(&s, "current_fork_perc", "0.00");
  Line(&s, "current_save_keys_processed", 0);
  Line(&s, "current_save_keys_total", 0);
  Line(&s, "rdb_changes_since_last_save", deps_.changes() - baseline_changes_);
  Line(&s, "rdb_bgsave_in_progress", bg_saving_ ? 1 : 0);
  Line(&s, "rdb_last_save_time", last_save_s_);
  Line(&s, "rdb_last_bgsave_status", last_bgsave_ok_ ? "ok" : "err");
  Line(&s, "rdb_last_bgsave_time_sec", last_bgsave_time_s_);
  Line(&s, "rdb_current_bgsave_time_sec",
       bg_saving_ ? (deps_.clock->MonotonicUs() - bg_start_us_) / 1'000'000 : -1);
  Line(&s, "rdb_saves", saves_);
  Line(&s, "rdb_last_cow_size", 0);
  Line(&s, "rdb_last_load_keys_expired", last_load_keys_expired_.load());
  Line(&s, "rdb_last_load_keys_loaded", last_load_keys_loaded_.load());
  // Larder has no append-only file: the AOF fields read as Redis's with AOF off.
  Line(&s, "aof_enabled", 0);
  Line(&s, "aof_rewrite_in_progress", 0);
  Line(&s, "aof_rewrite_scheduled", 0);
  Line(&s, "aof_last_rewrite_time_sec", -1);
  Line(&s, "aof_current_rewrite_time_sec", -1);
  Line(&s, "aof_last_bgrewrite_status", "ok");
  Line(&s, "aof_rewrites", 0);
  Line(&s, "aof_rewrites_consecutive_failures", 0);
  Line(&s, "aof_last_write_status", "ok");
  Line(&s, "aof_last_cow_size", 0);
  Line(&s, "module_fork_in_progress", 0);
  Line(&s, "module_fork_last_cow_size", 0);
  if (is_loading) {
    const uint64_t total = loading_total_bytes_.load(), done = loading_loaded_bytes_.load();
    const int64_t elapsed = NowS() - loading_start_s_.load();
    const int64_t eta = elapsed == 0 ? 1 : int64_t(double(elapsed) * double(total - std::min(total, done)) / double(done + 1));
    Line(&s, "loading_start_time", loading_start_s_.load());
    Line(&s, "loading_total_bytes", total);
    Line(&s, "loading_rdb_used_mem", 0);
    Line(&s, "loading_loaded_bytes", done);
    Line(&s, "loading_loaded_perc", fmt::format("{:.2f}", double(done) / double(total + 1) * 100));
    Line(&s, "loading_eta_seconds", eta);
  }
  return s;
}

}  // namespace larder
