// COMMAND and its subcommands: COUNT INFO DOCS LIST GETKEYS GETKEYSANDFLAGS HELP.
// Everything here is read from the declared command table.
#include <string>
#include <vector>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "common/errors.h"
#include "common/glob.h"

namespace larder {
namespace {

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t sp = s.find(' ');
    if (sp != 0) out.push_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp + 1);
  }
  return out;
}

void ReplyKeySpec(ReplyBuilder& r, const KeySpec& ks) {
  r.MapHeader(ks.notes.empty() ? 3 : 4);
  if (!ks.notes.empty()) {
    r.Bulk("notes");
    r.Bulk(ks.notes);
  }
  r.Bulk("flags");
  auto flags = Words(ks.flags);
  r.SetHeader(flags.size());
  for (auto f : flags) r.SimpleString(f);
  r.Bulk("begin_search");
  r.MapHeader(2);
  if (ks.unknown) {
    r.Bulk("type");
    r.Bulk("unknown");
    r.Bulk("spec");
    r.MapHeader(0);
    r.Bulk("find_keys");
    r.MapHeader(2);
    r.Bulk("type");
    r.Bulk("unknown");
    r.Bulk("spec");
    r.MapHeader(0);
    return;
  }
  r.Bulk("type");
  r.Bulk("index");
  r.Bulk("spec");
  r.MapHeader(1);
  r.Bulk("index");
  r.Integer(ks.begin_index);
  r.Bulk("find_keys");
  r.MapHeader(2);
  r.Bulk("type");
  r.Bulk(ks.keynum ? "keynum" : "range");
  r.Bulk("spec");
  r.MapHeader(3);
  if (ks.keynum) {
    r.Bulk("keynumidx");
    r.Integer(ks.keynum_index);
    r.Bulk("firstkey");
    r.Integer(ks.first_key);
    r.Bulk("keystep");
    r.Integer(ks.keynum_step);
  } else {
    r.Bulk("lastkey");
    r.Integer(ks.last_key);
    r.Bulk("keystep");
    r.Integer(ks.key_step);
    r.Bulk("limit");
    r.Integer(ks.limit);
  }
}

void ReplyCommandInfo(ReplyBuilder& r, const CommandSpec& c) {
  r.ArrayHeader(10);
  r.Bulk(c.name);
  r.Integer(c.arity);
  int nflags = 0;
  for (int b = 0; b < kCmdFlagCount; ++b) nflags += (c.flags >> b) & 1;
  r.SetHeader(size_t(nflags));
  for (int b = 0; b < kCmdFlagCount; ++b) {
    if ((c.flags >> b) & 1) r.SimpleString(CommandFlagName(b));
  }
  r.Integer(c.first_key);
  r.Integer(c.last_key);
  r.Integer(c.key_step);
  r.SetHeader(size_t(__builtin_popcountll(c.acl)));
  for (int b = 0; b < kAclCount; ++b) {
    if ((c.acl >> b) & 1) {
      char name[32] = "@";
      std::string_view n = AclCategoryName(b);
      n.copy(name + 1, std::min(n.size(), sizeof name - 2));
      r.SimpleString(std::string_view(name, 1 + std::min(n.size(), sizeof name - 2)));
    }
  }
  r.SetHeader(c.tips.size());
  for (auto t : c.tips) r.Bulk(t);
  r.SetHeader(c.key_specs.size());
  for (const KeySpec& ks : c.key_specs) ReplyKeySpec(r, ks);
  if (c.subcommands.empty()) {
    r.SetHeader(0);
  } else {
    r.ArrayHeader(c.subcommands.size());
    for (const CommandSpec& s : c.subcommands) ReplyCommandInfo(r, s);
  }
}

void ReplyCommandDocs(ReplyBuilder& r, const CommandSpec& c) {
  r.MapHeader(4 + (c.subcommands.empty() ? 0 : 1));
  r.Bulk("summary");
  r.Bulk(c.summary);
  r.Bulk("since");
  r.Bulk(c.since);
  r.Bulk("group");
  r.Bulk(c.group);
  r.Bulk("complexity");
  r.Bulk(c.complexity);
  if (!c.subcommands.empty()) {
    r.Bulk("subcommands");
    r.MapHeader(c.subcommands.size());
    for (const CommandSpec& s : c.subcommands) {
      r.Bulk(s.name);
      ReplyCommandDocs(r, s);
    }
  }
}

// A spec by full name: "get" or "config|get".
const CommandSpec* FindByFullName(const CommandTable& t, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return t.Find(name);
  const CommandSpec* parent = t.Find(name.substr(0, bar));
  return parent ? CommandTable::FindSub(*parent, name.substr(bar + 1)) : nullptr;
}

void CommandAll(CommandContext& ctx) {
  const auto& all = ctx.table->top_level();
  ctx.reply->ArrayHeader(all.size());
  for (const auto& c : all) ReplyCommandInfo(*ctx.reply, *c);
}

void CommandCount(CommandContext& ctx) { ctx.reply->Integer(int64_t(ctx.table->size())); }

void CommandInfo(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    CommandAll(ctx);
    return;
  }
  ctx.reply->ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const CommandSpec* c = FindByFullName(*ctx.table, ctx.args[i]);
    if (c) ReplyCommandInfo(*ctx.reply, *c);
    else ctx.reply->NullBulk();
  }
}

void CommandDocs(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  if (ctx.args.size() == 2) {
    for (const auto& c : ctx.table->top_level()) specs.push_back(c.get());
  } else {
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      if (const CommandSpec* c = FindByFullName(*ctx.table, ctx.args[i])) specs.push_back(c);
    }
  }
  ctx.reply->MapHeader(specs.size());
  for (const CommandSpec* c : specs) {
    ctx.reply->Bulk(c->name);
    ReplyCommandDocs(*ctx.reply, *c);
  }
}

void CommandList(CommandContext& ctx) {
  enum { kAll, kAclCat, kPattern, kModule } filter = kAll;
  std::string_view value;
  if (ctx.args.size() == 5 && EqualsIgnoreCase(ctx.args[2], "filterby")) {
    value = ctx.args[4];
    if (EqualsIgnoreCase(ctx.args[3], "aclcat")) filter = kAclCat;
    else if (EqualsIgnoreCase(ctx.args[3], "pattern")) filter = kPattern;
    else if (EqualsIgnoreCase(ctx.args[3], "module")) filter = kModule;
    else {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  } else if (ctx.args.size() != 2) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  uint64_t cat = 0;
  if (filter == kAclCat) {
    for (int b = 0; b < kAclCount; ++b) {
      if (EqualsIgnoreCase(AclCategoryName(b), value)) cat = 1ull << b;
    }
  }
  std::vector<std::string_view> names;
  for (const CommandSpec* c : ctx.table->all()) {
    bool keep = filter == kAll || (filter == kAclCat && (c->acl & cat)) ||
                (filter == kPattern && GlobMatch(value, c->name, true));
    if (keep) names.push_back(c->name);
  }
  ctx.reply->ArrayHeader(names.size());
  for (auto n : names) ctx.reply->Bulk(n);
}

// The flags of the key at argument `pos` of a movable-keys command (see CommandGetKeys).
std::string_view KeyFlagsAt(const CommandSpec& c, int pos, int argc) {
  std::string_view fallback;
  for (const KeySpec& ks : c.key_specs) {
    if (ks.keynum || ks.unknown) {
      fallback = ks.flags;
      continue;
    }
    int last = ks.last_key >= 0 ? ks.begin_index + ks.last_key : argc + ks.last_key;
    if (pos >= ks.begin_index && pos <= last &&
        (ks.key_step <= 1 || (pos - ks.begin_index) % ks.key_step == 0)) {
      return ks.flags;
    }
  }
  return fallback;
}

// Shared by GETKEYS and GETKEYSANDFLAGS.
void CommandGetKeys(CommandContext& ctx, bool with_flags) {
  auto target = ctx.args.subspan(2);
  const CommandSpec* c = ctx.table->Find(target[0]);
  if (c && c->IsContainer()) c = target.size() >= 2 ? CommandTable::FindSub(*c, target[1]) : nullptr;
  if (c == nullptr) {
    ctx.reply->Error("ERR Invalid command specified");
    return;
  }
  if (c->key_specs.empty() && c->keys_finder == nullptr && c->first_key == 0) {
    ctx.reply->Error("ERR The command has no key arguments");
    return;
  }
  int argc = int(target.size());
  if ((c->arity > 0 && c->arity != argc) || argc < -c->arity) {
    ctx.reply->Error("ERR Invalid number of arguments specified for command");
    return;
  }
  std::vector<std::pair<int, std::string_view>> keys;
  if (c->keys_finder != nullptr) {
    // Movable keys: the positions come from the finder (as Redis falls back to its
    // getkeys procedure); each key takes the flags of the range spec covering it, or
    // else of the last spec that only the finder can evaluate (keynum or unknown).
    std::vector<int> positions;
    c->FindKeys(target, &positions);
    for (int pos : positions) keys.emplace_back(pos, KeyFlagsAt(*c, pos, argc));
  } else {
    // Walk the key specs so every key carries the flags of the spec that found it.
    for (const KeySpec& ks : c->key_specs) {
      if (ks.keynum || ks.unknown || ks.begin_index >= argc) continue;
      int last = ks.last_key >= 0 ? ks.begin_index + ks.last_key : argc + ks.last_key;
      for (int i = ks.begin_index; i <= last && i < argc; i += ks.key_step) {
        keys.emplace_back(i, ks.flags);
      }
    }
  }
  if (keys.empty()) {
    if (c->flags & kCmdNoMandatoryKeys) ctx.reply->ArrayHeader(0);
    else ctx.reply->Error("ERR Invalid arguments specified for command");
    return;
  }
  ctx.reply->ArrayHeader(keys.size());
  for (auto& [pos, flags] : keys) {
    if (!with_flags) {
      ctx.reply->Bulk(target[size_t(pos)]);
      continue;
    }
    ctx.reply->ArrayHeader(2);
    ctx.reply->Bulk(target[size_t(pos)]);
    auto words = Words(flags);
    ctx.reply->SetHeader(words.size());
    for (auto w : words) ctx.reply->SimpleString(w);
  }
}

void CommandGetKeysOnly(CommandContext& ctx) { CommandGetKeys(ctx, false); }
void CommandGetKeysAndFlags(CommandContext& ctx) { CommandGetKeys(ctx, true); }

void CommandHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "COMMAND",
            {"(no subcommand)",
             "    Return details about all Redis commands.",
             "COUNT",
             "    Return the total number of commands in this Redis server.",
             "LIST",
             "    Return a list of all commands in this Redis server.",
             "INFO [<command-name> ...]",
             "    Return details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.",
             "DOCS [<command-name> ...]",
             "    Return documentation details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.",
             "GETKEYS <full-command>",
             "    Return the keys from a full Redis command.",
             "GETKEYSANDFLAGS <full-command>",
             "    Return the keys and the access flags from a full Redis command."});
}

}  // namespace

void RegisterCommandFamily(CommandTable& t) {
  t.Add(Cmd("command", -1).Flags("loading stale").Acl("@slow @connection")
      .Tip("nondeterministic_output_order")
      .Doc("server", "2.8.13", "O(N) where N is the total number of Redis commands",
           "Get array of Redis command details")
      .Sub(Cmd("command|count", 2).Flags("loading stale").Acl("@slow @connection")
          .Doc("server", "2.8.13", "O(1)",
               "Get total number of Redis commands")
          .Handler(CommandCount))
      .Sub(Cmd("command|docs", -2).Flags("loading stale").Acl("@slow @connection")
          .Tip("nondeterministic_output_order")
          .Doc("server", "7.0.0", "O(N) where N is the number of commands to look up",
               "Get array of specific Redis command documentation")
          .Handler(CommandDocs))
      .Sub(Cmd("command|list", -2).Flags("loading stale").Acl("@slow @connection")
          .Tip("nondeterministic_output_order")
          .Doc("server", "7.0.0", "O(N) where N is the total number of Redis commands",
               "Get an array of Redis command names")
          .Handler(CommandList))
      .Sub(Cmd("command|getkeysandflags", -4).Flags("loading stale").Acl("@slow @connection")
          .Doc("server", "7.0.0", "O(N) where N is the number of arguments to the command",
               "Extract keys and access flags given a full Redis command")
          .Handler(CommandGetKeysAndFlags))
      .Sub(Cmd("command|info", -2).Flags("loading stale").Acl("@slow @connection")
          .Tip("nondeterministic_output_order")
          .Doc("server", "2.8.13", "O(N) where N is the number of commands to look up",
               "Get array of specific Redis command details, or all when no argument is given.")
          .Handler(CommandInfo))
      .Sub(Cmd("command|getkeys", -4).Flags("loading stale").Acl("@slow @connection")
          .Doc("server", "2.8.13", "O(N) where N is the number of arguments to the command",
               "Extract keys given a full Redis command")
          .Handler(CommandGetKeysOnly))
      .Sub(Cmd("command|help", 2).Flags("loading stale").Acl("@slow @connection")
          .Doc("server", "5.0.0", "O(1)",
               "Show helpful text about the different subcommands")
          .Handler(CommandHelp))
      .Handler(CommandAll));
}

}  // namespace larder
