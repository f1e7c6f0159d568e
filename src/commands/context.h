// Everything a command handler gets: its arguments, the client, the reply builder,
// and the keyspace view whose shard locks the dispatcher already holds.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "commands/client_state.h"
#include "commands/command_spec.h"
#include "commands/settings.h"
#include "common/clock.h"
#include "protocol/arg_cursor.h"
#include "protocol/reply_builder.h"
#include "storage/db_view.h"

namespace larder {

class BlockingManager;
class CommandTable;
class Dispatcher;
class PubSub;
class ServerHooks;
struct BlockRequest;

class CommandContext {
 public:
  CommandContext(std::span<const std::string_view> args, const CommandSpec* spec,
                 ClientState* client, ReplyBuilder* reply, DbView db, RuntimeSettings* settings,
                 ServerHooks* server, const CommandTable* table, const Clock* clock,
                 BlockingManager* blocking, const std::vector<uint64_t>* key_hashes)
      : args(args), spec(spec), client(client), reply(reply), db(db), settings(settings),
        server(server), table(table), clock(clock), blocking(blocking),
        key_hashes_(key_hashes) {}

  std::span<const std::string_view> args;
  const CommandSpec* spec;
  ClientState* client;
  ReplyBuilder* reply;
  DbView db;
  RuntimeSettings* settings;
  ServerHooks* server;  // null in the embedded engine
  const CommandTable* table;
  const Clock* clock;
  BlockingManager* blocking;  // null where clients cannot block (embedded engine)
  Dispatcher* dispatcher = nullptr;  // the one running this command (EXEC runs its queue)
  PubSub* pubsub = nullptr;          // null in the embedded engine

  // The key at argument i with its hash (computed once by the dispatcher).
  KeyArg Key(size_t i) const {
    if (key_hashes_ != nullptr && i < key_hashes_->size() && (*key_hashes_)[i] != 0) {
      return {args[i], (*key_hashes_)[i]};
    }
    return MakeKeyArg(args[i]);
  }
  int64_t now_ms() const { return db.now_ms(); }
  ArgCursor Cursor(size_t start) const { return ArgCursor(args, start); }

  // Blocks the client until a key of `req` can serve it (see commands/blocking.h).
  // Returns false where blocking is impossible (the caller then replies as on timeout).
  // REQUIRES: the command holds the shard locks of req.keys.
  bool Block(BlockRequest req);

  // Replies with the cursor's latched error; returns true if there was one.
  bool FailIf(const ArgCursor& c) {
    if (c.ok()) return false;
    reply->Error(c.error());
    return true;
  }

 private:
  const std::vector<uint64_t>* key_hashes_;
};

}  // namespace larder
