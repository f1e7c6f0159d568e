// Runs one parsed command: finds its spec (case-insensitive, subcommands too),
// checks arity and authentication, locks the shards of its keys in ascending order,
// calls the handler, and keeps the statistics. One per worker thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "commands/client_state.h"
#include "commands/command_stats.h"
#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/settings.h"
#include "common/clock.h"
#include "protocol/reply_builder.h"
#include "storage/db_view.h"
#include "storage/lock_set.h"
#include "storage/store.h"

namespace larder {

class BlockingManager;
class LuaRunner;
class PubSub;
class ScriptCache;
class ServerHooks;

struct DispatcherDeps {
  const CommandTable* table = nullptr;
  Store* store = nullptr;
  RuntimeSettings* settings = nullptr;
  ServerHooks* hooks = nullptr;  // null when embedded
  const Clock* clock = nullptr;
  BlockingManager* blocking = nullptr;  // null when embedded
  PubSub* pubsub = nullptr;             // null when embedded
  ScriptCache* scripts = nullptr;       // shared script cache; null: the dispatcher's own
};

// Not thread-safe: one per worker (its scratch buffers and lock set are reused).
class Dispatcher {
 public:
  Dispatcher(const DispatcherDeps& deps, CommandStats* stats);
  ~Dispatcher();

  // Executes `args` (args[0] is the command name) for `client`; the reply (or none,
  // under CLIENT REPLY OFF/SKIP) goes to `reply`.
  void Execute(ClientState& client, std::span<const std::string_view> args, ReplyBuilder& reply);

  // Read-ahead for a pipelined batch, before its commands execute: NoteUpcoming records
  // the keys `args` will look up in `client`'s database (nothing for unknown commands,
  // commands that lock every shard, or past kMaxUpcomingKeys); PrefetchUpcoming starts
  // loading them all into the cache (Store::Prefetch) and forgets them. A hint only: a
  // command that changes the database meanwhile makes later hints useless, not wrong.
  static constexpr size_t kMaxUpcomingKeys = 64;
  void NoteUpcoming(const ClientState& client, std::span<const std::string_view> args);
  void PrefetchUpcoming();
  void DropUpcoming() { upcoming_.clear(); }

  // The spec `args` resolves to, or nullptr (unknown command or subcommand).
  const CommandSpec* Resolve(std::span<const std::string_view> args) const;

  // EXEC: runs the client's queued commands atomically (every key they and its WATCHed
  // keys touch locked for the whole run) and replies with their replies. Called by the
  // EXEC handler, which holds no locks; the locks taken stay held until EXEC's own run
  // ends, so blocked clients are served after the whole transaction.
  void ExecQueued(CommandContext& ctx);

  // For scripts (commands/lua_runner.h), whose EVAL holds every shard lock: runs one
  // command under those locks, and makes room for a write as Run does.
  void InvokeLocked(const CommandSpec& spec, ClientState& client,
                    std::span<const std::string_view> args, ReplyBuilder& reply, int64_t now_ms) {
    Invoke(spec, client, args, reply, now_ms);
  }
  bool MakeRoomLocked();
  // This worker's Lua interpreter (created on first use) and the script cache.
  LuaRunner& lua();
  ScriptCache& scripts() { return *deps_.scripts; }

  CommandStats* stats() const { return stats_; }
  const DispatcherDeps& deps() const { return deps_; }

 private:
  // Replies with Redis's unknown-command / unknown-subcommand error.
  bool ScriptBusy() const;
  // The -MISCONF / -LOADING error text if the server's persistence refuses `spec` now
  // (RuntimeSettings::persistence_refusals), else empty.
  std::string_view PersistenceRefusal(const CommandSpec& spec) const;
  void RejectUnknown(std::span<const std::string_view> args, ReplyBuilder& reply);
  void Reject(const CommandSpec* spec, ReplyBuilder& reply, std::string_view error);
  void Run(const CommandSpec& spec, ClientState& client, std::span<const std::string_view> args,
           ReplyBuilder& reply);
  // Calls the handler with the locks already held and keeps its statistics.
  // start_us: the monotonic start of its duration, or -1 to read it now.
  void Invoke(const CommandSpec& spec, ClientState& client, std::span<const std::string_view> args,
              ReplyBuilder& reply, int64_t now_ms, int64_t start_us = -1);
  // Wall-clock ms at monotonic time mono_us. With a clock whose wall time follows
  // monotonic time, the offset between the two is read again every kClockSyncUs, so a
  // command costs one clock read instead of two and a wall-clock step shows within
  // 10 ms; any other clock is asked every time.
  int64_t WallMsAt(int64_t mono_us);
  static constexpr int64_t kClockSyncUs = 10'000;
  // Adds the shards of the keys of `args` to shards_; false if the command needs all.
  bool CollectShards(const CommandSpec& spec, std::span<const std::string_view> args);
  // MULTI is open: queue the command (or refuse it, which dooms the transaction).
  void Queue(const CommandSpec* spec, ClientState& client, std::span<const std::string_view> args,
             ReplyBuilder& reply);

  DispatcherDeps deps_;
  CommandStats* stats_;
  LockSet locks_;
  std::vector<int> key_positions_;
  std::vector<uint64_t> key_hashes_;
  std::vector<Store::KeyHint> upcoming_;
  std::vector<uint32_t> shards_;
  const bool wall_follows_mono_;
  int64_t wall_minus_mono_us_ = 0;
  int64_t clock_synced_us_ = INT64_MIN / 2;  // never: the first command syncs
  ReadyKeys ready_;  // lists / sorted sets that gained elements during a command
  std::unique_ptr<ScriptCache> own_scripts_;  // when deps.scripts is null
  std::unique_ptr<LuaRunner> lua_;
};

// The text of Redis's "wrong number of arguments" error for a command's full name.
std::string WrongArityError(std::string_view fullname);

}  // namespace larder
