#include "common/log.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <ctime>

namespace larder {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kNotice};
std::atomic<int> g_fd{STDOUT_FILENO};

constexpr std::string_view kNames[] = {"debug", "verbose", "notice", "warning", "nothing"};
constexpr char kMarks[] = {'.', '-', '*', '#'};

}  // namespace

bool ParseLogLevel(std::string_view name, LogLevel* out) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (name.size() == kNames[i].size() &&
        strncasecmp(name.data(), kNames[i].data(), name.size()) == 0) {
      *out = LogLevel(i);
      return true;
    }
  }
  return false;
}

std::string_view LogLevelName(LogLevel level) { return kNames[int(level)]; }

void SetLogLevel(LogLevel level) { g_level.store(level); }
LogLevel GetLogLevel() { return g_level.load(); }

bool SetLogFile(const std::string& path) {
  int fd = STDOUT_FILENO;
  if (!path.empty()) {
    fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return false;
  }
  int old = g_fd.exchange(fd);
  if (old != STDOUT_FILENO) close(old);
  return true;
}

bool LogEnabled(LogLevel level) { return level >= g_level.load(std::memory_order_relaxed); }

void LogRaw(LogLevel level, std::string_view msg) {
  if (level == LogLevel::kNothing) return;
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm local;
  time_t secs = tv.tv_sec;
  localtime_r(&secs, &local);
  char when[64];
  size_t n = strftime(when, sizeof when, "%d %b %Y %H:%M:%S", &local);
  std::string line = fmt::format("{}:M {}.{:03d} {} {}\n", getpid(), std::string_view(when, n),
                                 int(tv.tv_usec / 1000), kMarks[int(level)], msg);
  ssize_t unused = write(g_fd.load(std::memory_order_relaxed), line.data(), line.size());
  (void)unused;
}

}  // namespace larder
