// Process-wide logging over fmt, in Redis's line format:
//   <pid>:M 22 Nov 2026 19:47:00.123 * message
// Levels and their marks: debug '.', verbose '-', notice '*', warning '#'.
// Thread-safe: each line is formatted first and written with one write(2).
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace larder {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3, kNothing = 4 };

// Parses "debug" / "verbose" / "notice" / "warning" / "nothing" (case-insensitive).
bool ParseLogLevel(std::string_view name, LogLevel* out);
std::string_view LogLevelName(LogLevel level);

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Empty path = standard output. Returns false (and keeps the old target) if the file
// cannot be opened for appending.
bool SetLogFile(const std::string& path);

bool LogEnabled(LogLevel level);
void LogRaw(LogLevel level, std::string_view msg);

template <typename... Args>
void Log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
  if (!LogEnabled(level)) return;
  LogRaw(level, fmt::format(f, std::forward<Args>(args)...));
}

#define LARDER_LOG(level, ...) ::larder::Log(::larder::LogLevel::level, __VA_ARGS__)

}  // namespace larder
