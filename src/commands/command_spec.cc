#include "commands/command_spec.h"

#include <cstdio>
#include <cstdlib>

namespace larder {
namespace {

constexpr std::string_view kFlagNames[kCmdFlagCount] = {
    "write",        "readonly",     "denyoom",      "module",       "admin",
    "pubsub",       "noscript",     "blocking",     "loading",      "stale",
    "skip_monitor", "skip_slowlog", "asking",       "fast",         "no_auth",
    "may_replicate", "sentinel",    "only_sentinel", "no_mandatory_keys", "protected",
    "no_async_loading", "no_multi", "movablekeys",  "allow_busy"};

constexpr std::string_view kAclNames[kAclCount] = {
    "keyspace", "read",  "write", "set",    "sortedset", "list",      "hash",
    "string",   "bitmap", "hyperloglog", "geo", "stream", "pubsub",   "admin",
    "fast",     "slow",  "blocking", "dangerous", "connection", "transaction", "scripting"};

template <size_t N>
uint64_t ParseNames(std::string_view names, const std::string_view (&table)[N], bool at_sign,
                    std::string_view what) {
  uint64_t bits = 0;
  while (!names.empty()) {
    size_t sp = names.find(' ');
    std::string_view word = names.substr(0, sp);
    names = sp == std::string_view::npos ? std::string_view() : names.substr(sp + 1);
    if (word.empty()) continue;
    if (at_sign && word[0] == '@') word.remove_prefix(1);
    bool found = false;
    for (size_t i = 0; i < N; ++i) {
      if (table[i] == word) {
        bits |= 1ull << i;
        found = true;
      }
    }
    if (!found) {
      std::fprintf(stderr, "unknown command %.*s '%.*s'\n", int(what.size()), what.data(),
                   int(word.size()), word.data());
      std::abort();
    }
  }
  return bits;
}

}  // namespace

std::string_view CommandFlagName(int bit) { return kFlagNames[bit]; }
std::string_view AclCategoryName(int bit) { return kAclNames[bit]; }

void CommandSpec::FindKeys(std::span<const std::string_view> args, std::vector<int>* out) const {
  out->clear();
  if (keys_finder != nullptr) {
    keys_finder(args, out);
    return;
  }
  if (first_key <= 0) return;
  int argc = int(args.size());
  int last = last_key < 0 ? argc + last_key : last_key;
  for (int i = first_key; i <= last && i < argc; i += key_step) out->push_back(i);
}

Cmd::Cmd(std::string_view name, int arity) {
  spec_.name.assign(name);
  spec_.arity = arity;
}

Cmd& Cmd::Flags(std::string_view names) {
  spec_.flags |= ParseNames(names, kFlagNames, false, "flag");
  return *this;
}

Cmd& Cmd::Acl(std::string_view names) {
  spec_.acl |= ParseNames(names, kAclNames, true, "ACL category");
  return *this;
}

Cmd& Cmd::Keys(int first, int last, int step) {
  spec_.first_key = first;
  spec_.last_key = last;
  spec_.key_step = step;
  return *this;
}

Cmd& Cmd::KeySpec(std::string_view flags, int begin, int last, int step, int limit,
                  std::string_view notes) {
  larder::KeySpec ks;
  ks.flags = flags;
  ks.begin_index = begin;
  ks.last_key = last;
  ks.key_step = step;
  ks.limit = limit;
  ks.notes = notes;
  spec_.key_specs.push_back(ks);
  return *this;
}

Cmd& Cmd::KeySpecKeynum(std::string_view flags, int begin, int keynum_index, int first_key,
                        int step, std::string_view notes) {
  larder::KeySpec ks;
  ks.flags = flags;
  ks.begin_index = begin;
  ks.keynum = true;
  ks.keynum_index = keynum_index;
  ks.first_key = first_key;
  ks.keynum_step = step;
  ks.notes = notes;
  spec_.key_specs.push_back(ks);
  return *this;
}

Cmd& Cmd::KeySpecUnknown(std::string_view flags, std::string_view notes) {
  larder::KeySpec ks;
  ks.flags = flags;
  ks.unknown = true;
  ks.notes = notes;
  spec_.key_specs.push_back(ks);
  return *this;
}

Cmd& Cmd::Tip(std::string_view tip) {
  spec_.tips.push_back(tip);
  return *this;
}

Cmd& Cmd::Doc(std::string_view group, std::string_view since, std::string_view complexity,
              std::string_view summary) {
  spec_.group = group;
  spec_.since = since;
  spec_.complexity = complexity;
  spec_.summary = summary;
  return *this;
}

Cmd& Cmd::Handler(CommandHandler h) {
  spec_.handler = h;
  return *this;
}

Cmd& Cmd::KeysFrom(KeysFinder f) {
  spec_.keys_finder = f;
  return *this;
}

Cmd& Cmd::LockAll() {
  spec_.flags |= kCmdLockAll;
  return *this;
}

Cmd& Cmd::LockAllIf(LockAllPredicate p) {
  spec_.lock_all_if = p;
  return *this;
}

Cmd& Cmd::TouchesAnyway() {
  spec_.flags |= kCmdTouchesAnyway;
  return *this;
}

Cmd& Cmd::ReadsShared() {
  spec_.flags |= kCmdReadsShared;
  return *this;
}

Cmd& Cmd::ReadsOptimistic() {
  spec_.flags |= kCmdReadsShared | kCmdReadsOptimistic;
  return *this;
}

Cmd& Cmd::Sub(Cmd sub) {
  spec_.subcommands.push_back(std::move(sub).Build());
  return *this;
}

CommandSpec Cmd::Build() && { return std::move(spec_); }

}  // namespace larder
