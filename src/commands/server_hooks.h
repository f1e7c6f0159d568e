// What commands need from the server around them (connections, configuration, INFO,
// shutdown). The server layer implements it; the embedded engine has none, so server
// and connection-registry commands are not registered there.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/memory_info.h"
#include "common/status.h"

namespace larder {

struct ClientState;

struct ClientFilter {
  std::vector<uint64_t> ids;       // ID filter (empty: any)
  std::string type;                // "normal", "pubsub", "master", "replica" ("" any)
  std::string addr, laddr, user;   // exact matches ("" any)
  bool skip_self = false;          // CLIENT KILL ... SKIPME yes
  int64_t max_age_s = -1;          // MAXAGE
};

struct ShutdownOptions {
  bool save = false;
  bool nosave = false;
  bool now = false;
  bool force = false;
};

// Server-wide memory figures for MEMORY STATS / DOCTOR.
struct MemoryFigures {
  int64_t allocated = 0;      // used_memory
  int64_t peak = 0;           // used_memory_peak
  int64_t startup = 0;        // used_memory_startup
  int64_t rss = 0;
  int64_t clients_normal = 0; // client buffers
  int64_t keys = 0;
  int64_t db_overhead_total = 0;
  struct Db {
    int db;
    int64_t main;  // table slot bytes
  };
  std::vector<Db> dbs;  // non-empty databases
  AllocatorStats allocator;
};

class ServerHooks {
 public:
  virtual ~ServerHooks() = default;

  // INFO: the text for the requested sections (empty = default sections).
  virtual std::string Info(std::span<const std::string_view> sections) = 0;

  // CONFIG GET: (name, value) pairs of every parameter matching any pattern.
  virtual std::vector<std::pair<std::string, std::string>> ConfigGet(
      std::span<const std::string_view> patterns) = 0;
  // CONFIG SET with (name, value, name, value, ...) for client `self`: all or nothing
  // (protected parameters as enable-protected-configs allows `self`). The error message
  // is the exact Redis reply text.
  virtual Status ConfigSet(std::span<const std::string_view> pairs, const ClientState& self) = 0;
  virtual Status ConfigRewrite() = 0;
  virtual void ResetStats() = 0;

  // CLIENT LIST / CLIENT INFO lines (Redis's format, one client per line).
  virtual std::string ClientList(const ClientFilter& filter, const ClientState& self) = 0;
  // CLIENT KILL: closes matching clients (not self when skip_self); returns how many.
  // Killing self sets self.close_after_reply.
  virtual size_t KillClients(const ClientFilter& filter, ClientState& self) = 0;

  // SHUTDOWN: on success the server stops (the caller gets no reply); on failure the
  // message is the reply.
  virtual Status Shutdown(const ShutdownOptions& options) = 0;
  // Unix time of the last successful save (server start when none).
  virtual int64_t LastSaveUnix() = 0;
  // SAVE: saves on the calling thread, which holds no shard lock. On failure the
  // message is the reply ("ERR Background save already in progress", "ERR").
  virtual Status Save() = 0;
  // BGSAVE: the status reply ("Background saving started", or "... scheduled" inside
  // MULTI/EXEC, `in_exec`), or the error reply as the status's message.
  virtual Result<std::string> BgSave(bool in_exec) = 0;
  // MEMORY STATS / DOCTOR.
  virtual MemoryFigures Memory() = 0;
};

}  // namespace larder
