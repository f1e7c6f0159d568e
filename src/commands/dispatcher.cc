#include "commands/dispatcher.h"

#include <algorithm>
#include <string>

#include "commands/blocking.h"
#include "commands/context.h"
#include "commands/lua_runner.h"
#include "commands/script_cache.h"
#include "commands/transaction.h"
#include "common/errors.h"
#include "common/hash.h"
#include "storage/db_view.h"
#include "storage/eviction.h"

namespace larder {

std::string WrongArityError(std::string_view fullname) {
  std::string msg = "ERR wrong number of arguments for '";
  msg.append(fullname);
  msg.append("' command");
  return msg;
}

Dispatcher::Dispatcher(const DispatcherDeps& deps, CommandStats* stats)
    : deps_(deps),
      stats_(stats),
      locks_(deps.store),
      wall_follows_mono_(deps.clock->WallFollowsMonotonic()) {
  if (deps.blocking != nullptr) ready_.waiters = deps.blocking->waiters();
  if (deps_.scripts == nullptr) {
    own_scripts_ = std::make_unique<ScriptCache>();
    deps_.scripts = own_scripts_.get();
  }
}

Dispatcher::~Dispatcher() = default;

LuaRunner& Dispatcher::lua() {
  if (!lua_) lua_ = std::make_unique<LuaRunner>(deps_.scripts);
  return *lua_;
}

bool Dispatcher::MakeRoomLocked() { return MakeRoom(*deps_.store, locks_, deps_.clock->NowMs()); }

// Whether a script has run longer than busy-reply-threshold: other clients then get
// -BUSY instead of waiting for its locks (SCRIPT KILL and allow_busy commands run).
bool Dispatcher::ScriptBusy() const {
  const int64_t since = deps_.scripts->RunningSince();
  if (since == 0) return false;
  return deps_.clock->NowMs() - since >= deps_.settings->busy_reply_threshold_ms.load(
                                             std::memory_order_relaxed);
}

bool CommandContext::Block(BlockRequest req) {
  if (blocking == nullptr || client->in_exec) return false;  // EXEC never blocks
  client->blocked = blocking->Block(client->id, client->worker, db.db(), reply->resp3(),
                                    std::move(req));
  return true;
}

void Dispatcher::NoteUpcoming(const ClientState& client, std::span<const std::string_view> args) {
  const CommandSpec* spec = Resolve(args);
  if (spec == nullptr || !spec->ArityOk(args.size()) || spec->LocksAll(args)) return;
  spec->FindKeys(args, &key_positions_);
  for (int pos : key_positions_) {
    if (upcoming_.size() == kMaxUpcomingKeys) break;
    upcoming_.push_back({client.db, HashKey(args[size_t(pos)])});
  }
}

void Dispatcher::PrefetchUpcoming() {
  deps_.store->Prefetch(upcoming_);
  upcoming_.clear();
}

const CommandSpec* Dispatcher::Resolve(std::span<const std::string_view> args) const {
  const CommandSpec* spec = deps_.table->Find(args[0]);
  if (spec == nullptr || !spec->IsContainer() || args.size() < 2) return spec;
  return CommandTable::FindSub(*spec, args[1]);
}

void Dispatcher::RejectUnknown(std::span<const std::string_view> args, ReplyBuilder& reply) {
  const CommandSpec* container = deps_.table->Find(args[0]);
  std::string msg;
  if (container != nullptr && container->IsContainer()) {
    // "ERR unknown subcommand 'x'. Try CONFIG HELP."
    msg = "ERR unknown subcommand '";
    msg.append(args[1].substr(0, args[1].find('\0')).substr(0, 128));
    msg.append("'. Try ");
    for (char c : container->name) msg.push_back((c >= 'a' && c <= 'z') ? char(c - 32) : c);
    msg.append(" HELP.");
  } else {
    // Redis prints the name and arguments with %s: each stops at a NUL byte.
    auto c_str = [](std::string_view s) { return s.substr(0, s.find('\0')); };
    msg = "ERR unknown command '";
    msg.append(c_str(args[0]).substr(0, 128));
    msg.append("', with args beginning with: ");
    std::string list;
    for (size_t i = 1; i < args.size() && list.size() < 128; ++i) {
      size_t room = 128 - list.size();
      list.push_back('\'');
      list.append(c_str(args[i]).substr(0, room));
      list.append("' ");
    }
    msg.append(list);
  }
  reply.Error(msg);
  Add(stats_->total_error_replies);
  stats_->AddError(reply.last_error_prefix());
}

void Dispatcher::Reject(const CommandSpec* spec, ReplyBuilder& reply, std::string_view error) {
  reply.Error(error);
  Add(stats_->total_error_replies);
  Add(stats_->rejected_calls);
  stats_->AddError(reply.last_error_prefix());
  if (spec != nullptr) Add(stats_->at(spec->id).rejected);
}

namespace {

// Commands that run at once even while MULTI is open.
bool RunsInsideMulti(const CommandSpec& spec) {
  const std::string& n = spec.name;
  return n == "exec" || n == "discard" || n == "multi" || n == "watch" || n == "quit" ||
         n == "reset";
}

// What a RESP2 client in subscribed mode may run.
bool AllowedWhenSubscribed(const CommandSpec& spec) {
  const std::string& n = spec.name;
  return n == "subscribe" || n == "ssubscribe" || n == "psubscribe" || n == "unsubscribe" ||
         n == "sunsubscribe" || n == "punsubscribe" || n == "ping" || n == "quit" ||
         n == "reset";
}

}  // namespace

void Dispatcher::Execute(ClientState& client, std::span<const std::string_view> args,
                         ReplyBuilder& reply) {
  if (client.reply_mode == ReplyMode::kSkipNext) client.reply_mode = ReplyMode::kSkipThis;
  reply.SetSuppressed(client.reply_mode == ReplyMode::kOff ||
                      client.reply_mode == ReplyMode::kSkipThis);
  reply.SetResp3(client.resp == 3);

  const CommandSpec* spec = Resolve(args);
  client.current_cmd = spec;
  if (client.in_multi && (spec == nullptr || !RunsInsideMulti(*spec))) {
    Queue(spec, client, args, reply);
  } else if (spec == nullptr) {
    RejectUnknown(args, reply);
  } else if (!spec->ArityOk(args.size())) {
    Reject(spec, reply, WrongArityError(spec->name));
  } else if (!client.authenticated && !(spec->flags & kCmdNoAuth)) {
    Reject(spec, reply, errors::kNoAuth);
  } else if (client.resp == 2 && client.Subscribed() && !AllowedWhenSubscribed(*spec)) {
    Reject(spec, reply,
           "ERR Can't execute '" + spec->name +
               "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
               "this context");
  } else if (std::string_view refused = PersistenceRefusal(*spec); !refused.empty()) {
    Reject(spec, reply, refused);
  } else if (!(spec->flags & kCmdAllowBusy) && ScriptBusy()) {
    Reject(spec, reply,
           "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
           "NOSAVE.");
  } else {
    Run(*spec, client, args, reply);
  }

  if (client.reply_mode == ReplyMode::kSkipThis) client.reply_mode = ReplyMode::kOn;
  reply.SetSuppressed(false);
}

void Dispatcher::Queue(const CommandSpec* spec, ClientState& client,
                       std::span<const std::string_view> args, ReplyBuilder& reply) {
  if (spec == nullptr) {
    RejectUnknown(args, reply);
    client.multi_error = true;
    return;
  }
  if (!spec->ArityOk(args.size())) {
    Reject(spec, reply, WrongArityError(spec->name));
    client.multi_error = true;
    return;
  }
  if (spec->flags & kCmdNoMulti) {
    Reject(spec, reply, "ERR Command not allowed inside a transaction");
    client.multi_error = true;
    return;
  }
  if ((spec->flags & kCmdDenyOom) && !MakeRoom(*deps_.store, locks_, deps_.clock->NowMs())) {
    Reject(spec, reply, errors::kOom);
    client.multi_error = true;
    return;
  }
  if (std::string_view refused = PersistenceRefusal(*spec); !refused.empty()) {
    Reject(spec, reply, refused);
    client.multi_error = true;
    return;
  }
  client.queued.emplace_back(args.begin(), args.end());
  reply.SimpleString("QUEUED");
}

std::string_view Dispatcher::PersistenceRefusal(const CommandSpec& spec) const {
  const uint32_t refusals = deps_.settings->persistence_refusals.load(std::memory_order_acquire);
  if (refusals == 0) [[likely]] return {};
  if ((refusals & RuntimeSettings::kRefuseWrites) &&
      ((spec.flags & kCmdWrite) || spec.name == "ping")) {
    return errors::kMisconf;
  }
  if ((refusals & RuntimeSettings::kRefuseLoading) && !(spec.flags & kCmdLoading)) {
    return errors::kLoading;
  }
  return {};
}

bool Dispatcher::CollectShards(const CommandSpec& spec, std::span<const std::string_view> args) {
  if (spec.LocksAll(args)) return false;
  spec.FindKeys(args, &key_positions_);
  for (int pos : key_positions_) {
    shards_.push_back(uint32_t(deps_.store->ShardIndex(HashKey(args[size_t(pos)]))));
  }
  return true;
}

void Dispatcher::Run(const CommandSpec& spec, ClientState& client,
                     std::span<const std::string_view> args, ReplyBuilder& reply) {
  Store* store = deps_.store;
  key_hashes_.assign(args.size(), 0);
  // Read-only commands do not make a running snapshot capture their shards first.
  const bool for_write = (spec.flags & (kCmdWrite | kCmdDenyOom)) != 0;
  if (spec.SingleKeyAt(args.size()) > 0) {  // the common case: one key, one shard
    const size_t pos = size_t(spec.first_key);
    const uint64_t h = HashKey(args[pos]);
    key_hashes_[pos] = h;
    if (LARDER_OPTIMISTIC_READS && (spec.flags & kCmdReadsOptimistic)) {
      // The handler reads without a lock, or holds the shard shared itself.
    } else if (spec.flags & kCmdReadsShared) {
      locks_.LockShared(uint32_t(store->ShardIndex(h)));
    } else {
      locks_.LockOne(uint32_t(store->ShardIndex(h)), for_write);
    }
  } else if (spec.LocksAll(args)) {
    locks_.LockAll();
  } else {
    spec.FindKeys(args, &key_positions_);
    if (!key_positions_.empty()) {
      shards_.clear();
      for (int pos : key_positions_) {
        uint64_t h = HashKey(args[size_t(pos)]);
        key_hashes_[size_t(pos)] = h;
        shards_.push_back(uint32_t(store->ShardIndex(h)));
      }
      locks_.Lock(&shards_, for_write);
    }
  }
  // One clock read gives the command's wall time and the start of its duration (which
  // so includes making room under maxmemory).
  const int64_t start_us = deps_.clock->MonotonicUs();
  const int64_t now_ms = WallMsAt(start_us);
  // maxmemory: writes make room first; commands that may grow memory are refused if
  // that fails (reads and deletions still run).
  if ((spec.flags & (kCmdWrite | kCmdDenyOom)) && !MakeRoom(*store, locks_, now_ms) &&
      (spec.flags & kCmdDenyOom)) {
    locks_.Unlock();
    key_hashes_.clear();
    Reject(&spec, reply, errors::kOom);
    return;
  }
  Invoke(spec, client, args, reply, now_ms, start_us);
  key_hashes_.clear();
  locks_.Unlock();
  // Clients blocked on keys this command filled are served now that it is complete.
  if (!ready_.keys.empty()) deps_.blocking->ServeReady(&ready_, store, &locks_, now_ms);
}

int64_t Dispatcher::WallMsAt(int64_t mono_us) {
  if (!wall_follows_mono_) return deps_.clock->NowMs();
  if (mono_us - clock_synced_us_ >= kClockSyncUs || mono_us < clock_synced_us_) {
    wall_minus_mono_us_ = deps_.clock->NowUs() - mono_us;
    clock_synced_us_ = mono_us;
  }
  return (mono_us + wall_minus_mono_us_) / 1000;
}

void Dispatcher::Invoke(const CommandSpec& spec, ClientState& client,
                        std::span<const std::string_view> args, ReplyBuilder& reply,
                        int64_t now_ms, int64_t start_us) {
  if (start_us < 0) start_us = deps_.clock->MonotonicUs();
  const uint64_t errors_before = reply.error_count();
  {
    bool no_touch = client.no_touch && !(spec.flags & kCmdTouchesAnyway);
    DbView db(deps_.store, &locks_, client.db, now_ms, no_touch, &ready_);
    // Hashes computed while locking are passed on (none inside EXEC: computed again).
    CommandContext ctx(args, &spec, &client, &reply, db, deps_.settings, deps_.hooks,
                       deps_.table, deps_.clock, deps_.blocking,
                       key_hashes_.size() == args.size() ? &key_hashes_ : nullptr);
    ctx.dispatcher = this;
    ctx.pubsub = deps_.pubsub;
    spec.handler(ctx);
  }
  const int64_t elapsed = deps_.clock->MonotonicUs() - start_us;

  CommandCounters& c = stats_->at(spec.id);
  Add(c.calls);
  Add(c.usec, uint64_t(elapsed > 0 ? elapsed : 0));
  Add(stats_->total_commands);
  if (reply.error_count() == errors_before) {
    if (spec.flags & kCmdWrite) Add(stats_->changes);
  } else {
    Add(c.failed);
    Add(stats_->failed_calls);
    Add(stats_->total_error_replies, reply.error_count() - errors_before);
    stats_->AddError(reply.last_error_prefix());
  }
}

void Dispatcher::ExecQueued(CommandContext& ctx) {
  ClientState& client = *ctx.client;
  ReplyBuilder& reply = *ctx.reply;
  if (!client.in_multi) {
    reply.Error("ERR EXEC without MULTI");
    return;
  }
  std::vector<std::vector<std::string>> queued = std::move(client.queued);
  const bool aborted = client.multi_error;
  client.queued.clear();
  client.in_multi = false;
  client.multi_error = false;
  if (aborted) {
    UnwatchAll(client, deps_.store->watches());
    reply.Error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }

  // The argument views of each queued command and its spec (resolved when queued).
  std::vector<std::vector<std::string_view>> argv(queued.size());
  std::vector<const CommandSpec*> specs(queued.size());
  bool lock_all = false;
  shards_.clear();
  for (size_t i = 0; i < queued.size(); ++i) {
    argv[i].assign(queued[i].begin(), queued[i].end());
    specs[i] = Resolve(argv[i]);
    if (!CollectShards(*specs[i], argv[i])) lock_all = true;
  }
  for (const auto& w : client.watched) {
    shards_.push_back(uint32_t(deps_.store->ShardIndex(HashKey(w.key))));
  }
  if (lock_all) locks_.LockAll();
  else if (!shards_.empty()) locks_.Lock(&shards_);
  const bool grows = std::any_of(specs.begin(), specs.end(),
                                 [](const CommandSpec* s) { return s->flags & kCmdDenyOom; });
  if (grows && !MakeRoom(*deps_.store, locks_, deps_.clock->NowMs())) {
    UnwatchAll(client, deps_.store->watches());
    reply.Error("EXECABORT Transaction discarded because of: " + std::string(errors::kOom));
    return;  // EXEC's run releases the locks
  }

  // A watched key that expired since WATCH is removed here, which marks the flag.
  const int64_t now_ms = deps_.clock->NowMs();
  for (const auto& w : client.watched) {
    DbView(deps_.store, &locks_, w.db, now_ms).Find(MakeKeyArg(w.key), DbView::Mode::kPeek);
  }
  const bool dirty = client.watch_flag && client.watch_flag->load(std::memory_order_acquire);
  UnwatchAll(client, deps_.store->watches());
  if (dirty) {
    reply.NullArray();
    return;
  }
  reply.ArrayHeader(queued.size());
  client.in_exec = true;
  for (size_t i = 0; i < queued.size(); ++i) {
    client.current_cmd = specs[i];
    Invoke(*specs[i], client, argv[i], reply, now_ms);
  }
  client.in_exec = false;
  client.current_cmd = ctx.spec;
}

}  // namespace larder
