// Generic key commands: DEL UNLINK EXISTS TYPE TOUCH RENAME RENAMENX COPY MOVE OBJECT.
#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/notify.h"
#include "common/errors.h"
#include "storage/access.h"

namespace larder {
namespace {

std::string_view TypeName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kString: return "string";
    case ValueKind::kList: return "list";
    case ValueKind::kSet: return "set";
    case ValueKind::kZSet: return "zset";
    case ValueKind::kHash: return "hash";
  }
  return "none";
}

void Del(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (!ctx.db.DeleteKey(ctx.Key(i))) continue;
    ++n;
    Notify(ctx, kNotifyGeneric, "del", ctx.args[i]);
  }
  ctx.reply->Integer(n);
}

void Exists(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    n += ctx.db.Find(ctx.Key(i), DbView::Mode::kReadNoTouch) ? 1 : 0;
  }
  ctx.reply->Integer(n);
}

void Touch(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    n += ctx.db.Find(ctx.Key(i), DbView::Mode::kRead) ? 1 : 0;
  }
  ctx.reply->Integer(n);
}

void Type(CommandContext& ctx) {
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kReadNoTouch);
  ctx.reply->SimpleString(ref ? TypeName(ref.kind()) : "none");
}

// Moves the value of `src` to `dst` (same database). REQUIRES: both shards held.
void MoveEntry(DbView& db, KeyRef* src, const KeyArg& dst) {
  db.Insert(dst, Entry::Rekey(db.Detach(src), dst.key));
}

void RenameGeneric(CommandContext& ctx, bool nx) {
  KeyArg src = ctx.Key(1), dst = ctx.Key(2);
  KeyRef ref = ctx.db.Find(src, DbView::Mode::kWrite);
  if (!ref) {
    ctx.reply->Error(errors::kNoSuchKey);
    return;
  }
  if (src.key == dst.key) {
    if (nx) ctx.reply->Integer(0);
    else ctx.reply->Ok();
    return;
  }
  KeyRef existing = ctx.db.Find(dst, DbView::Mode::kWrite);
  if (existing) {
    if (nx) {
      ctx.reply->Integer(0);
      return;
    }
    ctx.db.Delete(&existing);
    ref = ctx.db.Find(src, DbView::Mode::kPeek);  // the removal may have moved it
  }
  MoveEntry(ctx.db, &ref, dst);
  Notify(ctx, kNotifyGeneric, "rename_from", src.key);
  Notify(ctx, kNotifyGeneric, "rename_to", dst.key);
  if (nx) ctx.reply->Integer(1);
  else ctx.reply->Ok();
}
void Rename(CommandContext& ctx) { RenameGeneric(ctx, false); }
void RenameNx(CommandContext& ctx) { RenameGeneric(ctx, true); }

void Copy(CommandContext& ctx) {
  KeyArg src = ctx.Key(1), dst = ctx.Key(2);
  int dst_db = ctx.db.db();
  bool replace = false;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    bool more = j + 1 < ctx.args.size();
    if (EqualsIgnoreCase(ctx.args[j], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.args[j], "db") && more) {
      auto id = ParseDbIndex(ctx, ctx.args[++j]);
      if (!id) return;
      dst_db = *id;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  if (dst_db == ctx.db.db() && src.key == dst.key) {
    ctx.reply->Error(errors::kSameObject);
    return;
  }
  KeyRef ref = ctx.db.Find(src, DbView::Mode::kRead);
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  DbView target = ctx.db.WithDb(dst_db);
  KeyRef existing = target.Find(dst, DbView::Mode::kWrite);
  if (existing) {
    if (!replace) {
      ctx.reply->Integer(0);
      return;
    }
    target.Delete(&existing);
    ref = ctx.db.Find(src, DbView::Mode::kPeek);
  }
  target.Insert(dst, Entry::CloneWithKey(ref.entry(), dst.key));
  target.Notify(kNotifyGeneric, "copy_to", dst.key);
  ctx.reply->Integer(1);
}

void Move(CommandContext& ctx) {
  auto id = ParseDbIndex(ctx, ctx.args[2]);
  if (!id) return;
  if (*id == ctx.db.db()) {
    ctx.reply->Error(errors::kSameObject);
    return;
  }
  KeyArg k = ctx.Key(1);
  KeyRef ref = ctx.db.Find(k, DbView::Mode::kWrite);
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  DbView target = ctx.db.WithDb(*id);
  if (target.Find(k, DbView::Mode::kWrite)) {
    ctx.reply->Integer(0);
    return;
  }
  target.Insert(k, ctx.db.Detach(&ref));
  Notify(ctx, kNotifyGeneric, "move_from", k.key);
  target.Notify(kNotifyGeneric, "move_to", k.key);
  ctx.reply->Integer(1);
}

// ---- OBJECT ----

KeyRef ObjectLookup(CommandContext& ctx) {
  KeyRef ref = ctx.db.Find(ctx.Key(2), DbView::Mode::kReadNoTouch);
  if (!ref) ctx.reply->NullBulk();
  return ref;
}

void ObjectEncoding(CommandContext& ctx) {
  KeyRef ref = ObjectLookup(ctx);
  if (!ref) return;
  ctx.reply->Bulk(EncodingName(ref.entry()));
}

void ObjectRefcount(CommandContext& ctx) {
  KeyRef ref = ObjectLookup(ctx);
  if (!ref) return;
  bool shared = ref.kind() == ValueKind::kString && IsSharedInteger(ref.entry()) &&
                ctx.settings->shared_integers.load(std::memory_order_relaxed);
  ctx.reply->Integer(shared ? 2147483647 : 1);
}

void ObjectFreq(CommandContext& ctx) {
  KeyRef ref = ObjectLookup(ctx);
  if (!ref) return;
  AccessPolicy& policy = ctx.db.store()->access_policy();
  if (!policy.lfu.load(std::memory_order_relaxed)) {
    ctx.reply->Error(errors::kLfuNotSelected);
    return;
  }
  ctx.reply->Integer(LfuCounter(policy, ref.entry()->access(), ctx.now_ms()));
}

void ObjectIdletime(CommandContext& ctx) {
  KeyRef ref = ObjectLookup(ctx);
  if (!ref) return;
  if (ctx.db.store()->access_policy().lfu.load(std::memory_order_relaxed)) {
    ctx.reply->Error(errors::kLruNotSelected);
    return;
  }
  ctx.reply->Integer(int64_t(LruIdleMs(ref.entry()->access(), ctx.now_ms()) / 1000));
}

void ObjectHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "OBJECT",
            {"ENCODING <key>",
             "    Return the kind of internal representation used in order to store the value",
             "    associated with a <key>.",
             "FREQ <key>",
             "    Return the access frequency index of the <key>. The returned integer is",
             "    proportional to the logarithm of the recent access frequency of the key.",
             "IDLETIME <key>",
             "    Return the idle time of the <key>, that is the approximated number of",
             "    seconds elapsed since the last access to the key.",
             "REFCOUNT <key>",
             "    Return the number of references of the value associated with the specified",
             "    <key>."});
}

}  // namespace

void RegisterGenericFamily(CommandTable& t) {
  t.Add(Cmd("del", -2).Flags("write").Acl("@keyspace @write @slow").Keys(1, -1, 1)
      .KeySpec("RM delete", 1, -1, 1, 0)
      .Tip("request_policy:multi_shard")
      .Tip("response_policy:agg_sum")
      .Doc("generic", "1.0.0", "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
           "Delete a key")
      .Handler(Del));
  t.Add(Cmd("unlink", -2).Flags("write fast").Acl("@keyspace @write @fast").Keys(1, -1, 1)
      .KeySpec("RM delete", 1, -1, 1, 0)
      .Tip("request_policy:multi_shard")
      .Tip("response_policy:agg_sum")
      .Doc("generic", "4.0.0", "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
           "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.")
      .Handler(Del));
  t.Add(Cmd("exists", -2).Flags("readonly fast").Acl("@keyspace @read @fast").Keys(1, -1, 1)
      .KeySpec("RO", 1, -1, 1, 0)
      .Tip("request_policy:multi_shard")
      .Tip("response_policy:agg_sum")
      .Doc("generic", "1.0.0", "O(N) where N is the number of keys to check.",
           "Determine if a key exists")
      .Handler(Exists));
  t.Add(Cmd("type", 2).Flags("readonly fast").Acl("@keyspace @read @fast").Keys(1, 1, 1)
      .KeySpec("RO", 1, 0, 1, 0)
      .Doc("generic", "1.0.0", "O(1)",
           "Determine the type stored at key")
      .ReadsShared()
      .Handler(Type));
  t.Add(Cmd("touch", -2).Flags("readonly fast").Acl("@keyspace @read @fast").Keys(1, -1, 1)
      .KeySpec("RO", 1, -1, 1, 0)
      .Tip("request_policy:multi_shard")
      .Tip("response_policy:agg_sum")
      .Doc("generic", "3.2.1", "O(N) where N is the number of keys that will be touched.",
           "Alters the last access time of a key(s). Returns the number of existing keys specified.")
      .TouchesAnyway()
      .Handler(Touch));
  t.Add(Cmd("rename", 3).Flags("write").Acl("@keyspace @write @slow").Keys(1, 2, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .KeySpec("OW update", 2, 0, 1, 0)
      .Doc("generic", "1.0.0", "O(1)",
           "Rename a key")
      .Handler(Rename));
  t.Add(Cmd("renamenx", 3).Flags("write fast").Acl("@keyspace @write @fast").Keys(1, 2, 1)
      .KeySpec("RW access delete", 1, 0, 1, 0)
      .KeySpec("OW insert", 2, 0, 1, 0)
      .Doc("generic", "1.0.0", "O(1)",
           "Rename a key, only if the new key does not exist")
      .Handler(RenameNx));
  t.Add(Cmd("copy", -3).Flags("write denyoom").Acl("@keyspace @write @slow").Keys(1, 2, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .KeySpec("OW update", 2, 0, 1, 0)
      .Doc("generic", "6.2.0", "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
           "Copy a key")
      .Handler(Copy));
  t.Add(Cmd("move", 3).Flags("write fast").Acl("@keyspace @write @fast").Keys(1, 1, 1)
      .KeySpec("RW access update", 1, 0, 1, 0)
      .Doc("generic", "1.0.0", "O(1)",
           "Move a key to another database")
      .Handler(Move));
  t.Add(Cmd("object", -2).Acl("@slow")
      .Doc("generic", "2.2.3", "Depends on subcommand.",
           "A container for object introspection commands")
      .Sub(Cmd("object|encoding", 3).Flags("readonly").Acl("@keyspace @read @slow").Keys(2, 2, 1)
          .KeySpec("RO", 2, 0, 1, 0)
          .Tip("nondeterministic_output")
          .Doc("generic", "2.2.3", "O(1)",
               "Inspect the internal encoding of a Redis object")
          .Handler(ObjectEncoding))
      .Sub(Cmd("object|freq", 3).Flags("readonly").Acl("@keyspace @read @slow").Keys(2, 2, 1)
          .KeySpec("RO", 2, 0, 1, 0)
          .Tip("nondeterministic_output")
          .Doc("generic", "4.0.0", "O(1)",
               "Get the logarithmic access frequency counter of a Redis object")
          .Handler(ObjectFreq))
      .Sub(Cmd("object|idletime", 3).Flags("readonly").Acl("@keyspace @read @slow").Keys(2, 2, 1)
          .KeySpec("RO", 2, 0, 1, 0)
          .Tip("nondeterministic_output")
          .Doc("generic", "2.2.3", "O(1)",
               "Get the time since a Redis object was last accessed")
          .Handler(ObjectIdletime))
      .Sub(Cmd("object|help", 2).Flags("loading stale").Acl("@keyspace @slow")
          .Doc("generic", "6.2.0", "O(1)",
               "Show helpful text about the different subcommands")
          .Handler(ObjectHelp))
      .Sub(Cmd("object|refcount", 3).Flags("readonly").Acl("@keyspace @read @slow").Keys(2, 2, 1)
          .KeySpec("RO", 2, 0, 1, 0)
          .Tip("nondeterministic_output")
          .Doc("generic", "2.2.3", "O(1)",
               "Get the number of references to the value of the key")
          .Handler(ObjectRefcount)));
}

}  // namespace larder
