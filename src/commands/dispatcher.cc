#include "commands/dispatcher.h"

#include <string>

#include "commands/blocking.h"
#include "commands/context.h"
#include "common/errors.h"
#include "common/hash.h"
#include "storage/db_view.h"

namespace larder {

std::string WrongArityError(std::string_view fullname) {
  std::string msg = "ERR wrong number of arguments for '";
  msg.append(fullname);
  msg.append("' command");
  return msg;
}

Dispatcher::Dispatcher(const DispatcherDeps& deps, CommandStats* stats)
    : deps_(deps), stats_(stats), locks_(deps.store) {
  if (deps.blocking != nullptr) ready_.waiters = deps.blocking->waiters();
}

bool CommandContext::Block(BlockRequest req) {
  if (blocking == nullptr) return false;
  client->blocked = blocking->Block(client->id, client->worker, db.db(), reply->resp3(),
                                    std::move(req));
  return true;
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

void Dispatcher::Execute(ClientState& client, std::span<const std::string_view> args,
                         ReplyBuilder& reply) {
  if (client.reply_mode == ReplyMode::kSkipNext) client.reply_mode = ReplyMode::kSkipThis;
  reply.SetSuppressed(client.reply_mode == ReplyMode::kOff ||
                      client.reply_mode == ReplyMode::kSkipThis);
  reply.SetResp3(client.resp == 3);

  const CommandSpec* spec = Resolve(args);
  client.current_cmd = spec;
  if (spec == nullptr) {
    RejectUnknown(args, reply);
  } else if ((spec->arity > 0 && int(args.size()) != spec->arity) ||
             int(args.size()) < -spec->arity) {
    Reject(spec, reply, WrongArityError(spec->name));
  } else if (!client.authenticated && !(spec->flags & kCmdNoAuth)) {
    Reject(spec, reply, errors::kNoAuth);
  } else {
    Run(*spec, client, args, reply);
  }

  if (client.reply_mode == ReplyMode::kSkipThis) client.reply_mode = ReplyMode::kOn;
  reply.SetSuppressed(false);
}

void Dispatcher::Run(const CommandSpec& spec, ClientState& client,
                     std::span<const std::string_view> args, ReplyBuilder& reply) {
  Store* store = deps_.store;
  key_hashes_.assign(args.size(), 0);
  if (spec.LocksAll(args)) {
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
      locks_.Lock(&shards_);
    }
  }

  const int64_t start_us = deps_.clock->MonotonicUs();
  const uint64_t errors_before = reply.error_count();
  const int64_t now_ms = deps_.clock->NowMs();
  {
    bool no_touch = client.no_touch && !(spec.flags & kCmdTouchesAnyway);
    DbView db(store, &locks_, client.db, now_ms, no_touch, &ready_);
    CommandContext ctx(args, &spec, &client, &reply, db, deps_.settings, deps_.hooks,
                       deps_.table, deps_.clock, deps_.blocking, &key_hashes_);
    spec.handler(ctx);
  }
  locks_.Unlock();
  // Clients blocked on keys this command filled are served now that it is complete.
  if (!ready_.keys.empty()) deps_.blocking->ServeReady(&ready_, store, &locks_, now_ms);
  const int64_t elapsed = deps_.clock->MonotonicUs() - start_us;

  CommandCounters& c = stats_->at(spec.id);
  Add(c.calls);
  Add(c.usec, uint64_t(elapsed > 0 ? elapsed : 0));
  Add(stats_->total_commands);
  if (reply.error_count() != errors_before) {
    Add(c.failed);
    Add(stats_->failed_calls);
    Add(stats_->total_error_replies, reply.error_count() - errors_before);
    stats_->AddError(reply.last_error_prefix());
  }
}

}  // namespace larder
