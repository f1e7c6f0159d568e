// Declared command specs: the one table that the dispatcher, COMMAND INFO/DOCS/
// GETKEYS and key locking all read. A family declares each command once with the
// builder, e.g.
//   Cmd("get", 2).Flags("readonly fast").Acl("@read @string @fast").Keys(1, 1, 1)
//       .KeySpec("RO access", 1, 0, 1, 0).Doc(...).Handler(Get)
// Flags and categories are written with Redis's names; an unknown name aborts start-up.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace larder {

class CommandContext;
using CommandHandler = void (*)(CommandContext&);
// Key argument positions of a command whose keys depend on its arguments.
using KeysFinder = void (*)(std::span<const std::string_view> args, std::vector<int>* out);
// Whether an invocation reads keys that are not argument positions (SORT's BY / GET
// patterns name keys built from values) and so must lock every shard.
using LockAllPredicate = bool (*)(std::span<const std::string_view> args);

// Command flags, in the order Redis lists them in COMMAND INFO.
enum CommandFlag : uint64_t {
  kCmdWrite = 1ull << 0,
  kCmdReadonly = 1ull << 1,
  kCmdDenyOom = 1ull << 2,
  kCmdModule = 1ull << 3,
  kCmdAdmin = 1ull << 4,
  kCmdPubsub = 1ull << 5,
  kCmdNoscript = 1ull << 6,
  kCmdBlocking = 1ull << 7,
  kCmdLoading = 1ull << 8,
  kCmdStale = 1ull << 9,
  kCmdSkipMonitor = 1ull << 10,
  kCmdSkipSlowlog = 1ull << 11,
  kCmdAsking = 1ull << 12,
  kCmdFast = 1ull << 13,
  kCmdNoAuth = 1ull << 14,
  kCmdMayReplicate = 1ull << 15,
  kCmdSentinel = 1ull << 16,
  kCmdOnlySentinel = 1ull << 17,
  kCmdNoMandatoryKeys = 1ull << 18,
  kCmdProtected = 1ull << 19,
  kCmdNoAsyncLoading = 1ull << 20,
  kCmdNoMulti = 1ull << 21,
  kCmdMovableKeys = 1ull << 22,
  kCmdAllowBusy = 1ull << 23,
  // Larder-only (never shown): the command locks every shard for its whole run.
  kCmdLockAll = 1ull << 40,
  // Larder-only: an access even under CLIENT NO-TOUCH (TOUCH itself).
  kCmdTouchesAnyway = 1ull << 41,
  // Larder-only: called with one key, the handler only looks the key up (DbView::Find,
  // any mode but kWrite) and reads what it found, so it may run under a shared hold of
  // the key's shard (LockSet::LockShared) alongside other readers.
  kCmdReadsShared = 1ull << 42,
  // Larder-only: as kCmdReadsShared, and the dispatcher takes no lock at all: the
  // handler first tries DbView::ReadStringOptimistic, and holds the shard shared
  // itself (DbView::HoldShared) when that is unsure. Builds without optimistic reads
  // hold shared as for kCmdReadsShared.
  kCmdReadsOptimistic = 1ull << 43,
};

// ACL categories, in Redis's order.
enum AclCategory : uint64_t {
  kAclKeyspace = 1ull << 0,
  kAclRead = 1ull << 1,
  kAclWrite = 1ull << 2,
  kAclSet = 1ull << 3,
  kAclSortedSet = 1ull << 4,
  kAclList = 1ull << 5,
  kAclHash = 1ull << 6,
  kAclString = 1ull << 7,
  kAclBitmap = 1ull << 8,
  kAclHyperLogLog = 1ull << 9,
  kAclGeo = 1ull << 10,
  kAclStream = 1ull << 11,
  kAclPubsub = 1ull << 12,
  kAclAdmin = 1ull << 13,
  kAclFast = 1ull << 14,
  kAclSlow = 1ull << 15,
  kAclBlocking = 1ull << 16,
  kAclDangerous = 1ull << 17,
  kAclConnection = 1ull << 18,
  kAclTransaction = 1ull << 19,
  kAclScripting = 1ull << 20,
};

inline constexpr int kCmdFlagCount = 24;
inline constexpr int kAclCount = 21;

std::string_view CommandFlagName(int bit);
std::string_view AclCategoryName(int bit);

// A key specification as COMMAND INFO reports it (begin_search by index; find_keys by
// range or by keynum; or both "unknown": keys only a KeysFinder can locate).
struct KeySpec {
  std::string_view flags;  // space separated: "RW access update"
  int begin_index = 0;
  bool unknown = false;
  bool keynum = false;
  int last_key = 0, key_step = 1, limit = 0;          // range
  int keynum_index = 0, first_key = 0, keynum_step = 1;  // keynum
  std::string_view notes;
};

struct CommandSpec {
  std::string name;  // lowercase full name: "get", "config|get"
  int arity = 0;     // Redis convention: N exact, -N at least N
  uint64_t flags = 0;
  uint64_t acl = 0;
  int first_key = 0, last_key = 0, key_step = 0;
  std::vector<KeySpec> key_specs;
  std::vector<std::string_view> tips;
  std::string_view group, since, complexity, summary;
  CommandHandler handler = nullptr;
  KeysFinder keys_finder = nullptr;
  LockAllPredicate lock_all_if = nullptr;
  std::vector<CommandSpec> subcommands;
  int id = -1;  // index into per-command statistics, set by the table

  bool IsContainer() const { return !subcommands.empty(); }
  // Whether `argc` arguments (the name included) fit the arity.
  bool ArityOk(size_t argc) const {
    return arity > 0 ? int(argc) == arity : int(argc) >= -arity;
  }
  // Argument positions of the keys of this invocation (empty if none).
  void FindKeys(std::span<const std::string_view> args, std::vector<int>* out) const;
  // Whether this invocation locks every shard instead of its keys' shards
  // (kCmdLockAll, or lock_all_if says so for these arguments).
  // first_key when these arguments name exactly one key there by the plain key spec
  // (no keys finder, no lock-all), else 0.
  int SingleKeyAt(size_t argc) const {
    return (keys_finder == nullptr && lock_all_if == nullptr && !(flags & kCmdLockAll) &&
            first_key > 0 && first_key == last_key && size_t(first_key) < argc)
               ? first_key
               : 0;
  }
  bool LocksAll(std::span<const std::string_view> args) const {
    return (flags & kCmdLockAll) != 0 || (lock_all_if != nullptr && lock_all_if(args));
  }
};

// Builder used by the families' Register functions.
class Cmd {
 public:
  Cmd(std::string_view name, int arity);
  Cmd& Flags(std::string_view names);
  Cmd& Acl(std::string_view names);
  Cmd& Keys(int first, int last, int step);
  Cmd& KeySpec(std::string_view flags, int begin, int last, int step, int limit,
               std::string_view notes = {});
  Cmd& KeySpecKeynum(std::string_view flags, int begin, int keynum_index, int first_key,
                     int step, std::string_view notes = {});
  // A key spec whose begin_search and find_keys are "unknown" (see KeysFrom).
  Cmd& KeySpecUnknown(std::string_view flags, std::string_view notes = {});
  Cmd& Tip(std::string_view tip);
  Cmd& Doc(std::string_view group, std::string_view since, std::string_view complexity,
           std::string_view summary);
  Cmd& Handler(CommandHandler h);
  Cmd& KeysFrom(KeysFinder f);
  Cmd& LockAll();
  // Locks every shard for the invocations `p` selects (the others lock their keys).
  Cmd& LockAllIf(LockAllPredicate p);
  Cmd& TouchesAnyway();
  Cmd& ReadsShared();
  Cmd& ReadsOptimistic();
  Cmd& Sub(Cmd sub);

  CommandSpec Build() &&;

 private:
  CommandSpec spec_;
};

}  // namespace larder
