// The Larder server: builds the engine from the configuration, runs the worker
// threads and the main loop (listeners, signals, the cron timer), and implements
// ServerHooks for the commands that need it.
//
// Threads: the main loop thread accepts connections, handles SIGTERM/SIGINT, runs the
// active-expiry sweep and samples metrics; each worker runs its own loop. Hook methods
// are called from workers and are thread-safe.
#pragma once

#include <uv.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "commands/blocking.h"
#include "commands/command_table.h"
#include "commands/notify.h"
#include "commands/pubsub.h"
#include "commands/script_cache.h"
#include "commands/server_hooks.h"
#include "commands/settings.h"
#include "server/client_registry.h"
#include "server/config_registry.h"
#include "server/listener.h"
#include "server/metrics.h"
#include "server/persistence.h"
#include "server/server_context.h"
#include "server/worker.h"
#include "storage/expiry.h"
#include "storage/store.h"

namespace larder {

class Server final : public ServerHooks, public WaiterSink, public PubSubSink {
 public:
  explicit Server(ConfigRegistry* config);
  ~Server() override;

  // Runs until SHUTDOWN or SIGTERM/SIGINT; returns the process exit code.
  int Run();

  // ServerHooks.
  std::string Info(std::span<const std::string_view> sections) override;
  std::vector<std::pair<std::string, std::string>> ConfigGet(
      std::span<const std::string_view> patterns) override;
  Status ConfigSet(std::span<const std::string_view> pairs, const ClientState& self) override;
  Status ConfigRewrite() override;
  void ResetStats() override;
  std::string ClientList(const ClientFilter& filter, const ClientState& self) override;
  size_t KillClients(const ClientFilter& filter, ClientState& self) override;
  Status Shutdown(const ShutdownOptions& options) override;
  int64_t LastSaveUnix() override { return persistence_->LastSaveUnix(); }
  Status Save() override;
  Result<std::string> BgSave(bool in_exec) override;
  MemoryFigures Memory() override;

  // WaiterSink.
  void Deliver(int worker, uint64_t client_id, std::string reply) override;
  void Push(int worker, uint64_t client_id, std::shared_ptr<const PushMessage> msg) override;

 private:
  void BindConfig();
  Status StartListening();
  void OnAccepted(Accepted a);
  // Stops the server from any thread (`why`, if any, is logged first).
  void RequestShutdown(const char* why);
  // Loads the snapshot on loader_ while clients are refused with -LOADING; a failure
  // stops the server with exit code 1.
  void StartLoading();
  // The save a shutdown makes (save points configured and not `nosave`, or `save`),
  // never while loading. False when it failed (logged).
  bool SaveBeforeExit(bool save, bool nosave);
  void StopEverything();
  void Cron();

  static void OnSignal(uv_signal_t* h, int signum);
  static void OnShutdownAsync(uv_async_t* h);
  static void OnCronTimer(uv_timer_t* h);

  // INFO sections (info.cc).
  std::string InfoServer();
  std::string InfoClients();
  std::string InfoMemory();
  std::string InfoPersistence();
  std::string InfoStats();
  std::string InfoReplication();
  std::string InfoCpu();
  std::string InfoKeyspace();
  std::string InfoCommandStats();
  std::string InfoErrorStats();
  std::string ClientLine(const ClientInfo& c, const ClientState* self, int64_t now_ms);

  ConfigRegistry* config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Persistence> persistence_;  // before the store goes
  std::thread loader_;
  std::atomic<bool> loader_cancel_{false};
  std::atomic<int> exit_code_{0};
  CommandTable table_;
  RuntimeSettings settings_;
  ServerRuntime runtime_;
  ServerStats stats_;
  ClientRegistry clients_;
  std::unique_ptr<BlockingManager> blocking_;
  std::unique_ptr<PubSub> pubsub_;
  std::unique_ptr<ScriptCache> scripts_;
  std::unique_ptr<KeyspaceNotifier> notifier_;
  ServerContext ctx_;
  std::unique_ptr<ExpirySweeper> sweeper_;
  std::vector<std::unique_ptr<Worker>> workers_;
  size_t next_worker_ = 0;

  uv_loop_t loop_;
  uv_signal_t sigterm_, sigint_;
  uv_async_t shutdown_async_;
  uv_timer_t cron_;
  std::unique_ptr<Listener> listener_;
  std::atomic<bool> shutdown_requested_{false};
  bool stopped_ = false;  // main loop thread only
  int cron_hz_ = 10;
  // Last values pushed by the apply hooks (which run under the registry's lock).
  std::string applied_policy_ = "noeviction";
  int64_t applied_maxmemory_ = 0;
  // maxmemory-clients: bytes, or a percentage of maxmemory (0 = no limit).
  std::atomic<int64_t> client_memory_bytes_{0};
  std::atomic<int> client_memory_percent_{0};
  // Closes the clients using the most memory (not CLIENT NO-EVICT ones) while all
  // clients together use more than maxmemory-clients.
  void EvictClients();

  // Figures for INFO.
  std::string run_id_;
  std::string master_replid_;
  int64_t start_unix_s_ = 0;
  int64_t start_mono_us_ = 0;
  int tcp_port_ = 0;
  std::atomic<size_t> peak_memory_{0};
  size_t startup_memory_ = 0;
  InstantMetric ops_metric_, in_metric_, out_metric_;
  int64_t last_sample_ms_ = 0;
};

}  // namespace larder
