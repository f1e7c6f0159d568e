// What workers and connections share with the server: the engine objects and the live
// server-level settings. Owned by Server; outlives every worker.
#pragma once

#include <atomic>
#include <cstdint>

#include "commands/command_table.h"
#include "commands/settings.h"
#include "common/clock.h"
#include "server/client_registry.h"
#include "storage/store.h"

namespace larder {

class BlockingManager;
class PubSub;
class ScriptCache;
class ServerHooks;

// Server-level settings that CONFIG SET may change while workers read them.
struct ServerRuntime {
  std::atomic<int64_t> maxclients{10000};
  std::atomic<int64_t> timeout_s{0};
  std::atomic<int64_t> tcp_keepalive_s{300};
  std::atomic<bool> protected_mode{true};
  std::atomic<int> hz{10};
};

struct ServerStats {
  // Open client connections (accepted and not yet closed): what maxclients bounds.
  std::atomic<int64_t> connected{0};
  std::atomic<uint64_t> connections_received{0};
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> client_qbuf_limit_disconnections{0};
  std::atomic<uint64_t> evicted_clients{0};  // closed by maxmemory-clients
};

struct ServerContext {
  const CommandTable* table = nullptr;
  Store* store = nullptr;
  RuntimeSettings* settings = nullptr;
  ServerRuntime* runtime = nullptr;
  ServerStats* stats = nullptr;
  ClientRegistry* clients = nullptr;
  ServerHooks* hooks = nullptr;
  const Clock* clock = nullptr;
  BlockingManager* blocking = nullptr;
  PubSub* pubsub = nullptr;
  ScriptCache* scripts = nullptr;
};

}  // namespace larder
