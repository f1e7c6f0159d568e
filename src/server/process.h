// Process-level helpers for the composition root and the server: daemonizing, pid
// files, supervisor notification, file descriptor limits.
#pragma once

#include <cstdint>
#include <string>

namespace larder {

// Forks into the background (before any thread starts); the parent exits 0.
void Daemonize();
// Writes the process id to `path` (logged, not fatal, on failure).
void WritePidFile(const std::string& path);
// Sends a sd_notify-style message ("READY=1") when supervised by systemd
// (`supervised systemd`, or `auto` with NOTIFY_SOCKET set).
void NotifySupervisor(const std::string& supervised, const std::string& message);
// Raises RLIMIT_NOFILE for `maxclients` clients plus a reserve; returns the maxclients
// value that fits (logging when it had to be lowered).
int64_t AdjustOpenFilesLimit(int64_t maxclients);

}  // namespace larder
