// Bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
//
// Bits are numbered from the most significant bit of the first byte. Reads past the
// end of a string see zeros; writes grow it (zero-filled) through DbView::GrowString.
// Offsets are limited to proto-max-bulk-len bytes before anything is allocated.
#include <bit>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/notify.h"
#include "common/errors.h"
#include "common/numbers.h"

namespace larder {
namespace {

// ---- bit helpers ----

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// Redis's getBitOffsetFromArgument: a non-negative integer, or with `hash_form` "#N"
// meaning N * bits (multiplied with wrap-around, as redis-server computes it); the byte
// it addresses must be below proto-max-bulk-len.
std::optional<uint64_t> ParseBitOffset(CommandContext& ctx, std::string_view arg,
                                       bool hash_form = false, int bits = 0) {
  const bool use_hash = hash_form && bits > 0 && !arg.empty() && arg[0] == '#';
  auto v = ParseInt64(use_hash ? arg.substr(1) : arg);
  if (v) {
    int64_t offset = *v;
    if (use_hash) offset = int64_t(uint64_t(offset) * uint64_t(bits));
    const int64_t limit = ctx.settings->proto_max_bulk_len.load(std::memory_order_relaxed);
    if (offset >= 0 && (offset >> 3) < limit) return uint64_t(offset);
  }
  ctx.reply->Error(errors::kBitOffset);
  return std::nullopt;
}

// Number of set bits in the bit range [lo, hi]. REQUIRES: hi < 8 * s.size(), lo <= hi.
uint64_t CountBits(std::string_view s, uint64_t lo, uint64_t hi) {
  const uint8_t* p = Bytes(s);
  const size_t first = size_t(lo >> 3), last = size_t(hi >> 3);
  uint64_t n = 0;
  size_t i = first;
  for (; i + 8 <= last + 1; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    n += uint64_t(std::popcount(w));
  }
  for (; i <= last; ++i) n += uint64_t(std::popcount(p[i]));
  const unsigned before = unsigned(lo & 7), after = 7 - unsigned(hi & 7);
  if (before != 0) n -= uint64_t(std::popcount(uint8_t(p[first] & ~(0xffu >> before))));
  if (after != 0) n -= uint64_t(std::popcount(uint8_t(p[last] & ((1u << after) - 1))));
  return n;
}

// Position of the first bit equal to `bit` in [lo, hi], or -1.
// REQUIRES: hi < 8 * s.size(), lo <= hi.
int64_t FindBit(std::string_view s, uint64_t lo, uint64_t hi, bool bit) {
  const uint8_t* p = Bytes(s);
  const size_t first = size_t(lo >> 3), last = size_t(hi >> 3);
  const uint8_t flip = bit ? 0 : 0xff;  // search for set bits in (byte ^ flip)
  for (size_t i = first; i <= last; ++i) {
    if (i != first && i != last && i + 8 <= last) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w == (bit ? 0 : ~uint64_t{0})) {
        i += 7;
        continue;
      }
    }
    unsigned b = unsigned(p[i] ^ flip);
    if (i == first) b &= 0xffu >> (lo & 7);
    if (i == last) b &= (0xffu << (7 - (hi & 7))) & 0xff;
    if (b != 0) return int64_t(i) * 8 + std::countl_zero(uint8_t(b));
  }
  return -1;
}

// Reads `bits` (1..64) bits at `offset` as an unsigned number; bytes past `len` are 0.
uint64_t GetBits(const uint8_t* p, size_t len, uint64_t offset, int bits) {
  uint64_t v = 0;
  for (int i = 0; i < bits; ++i) {
    const uint64_t b = offset + uint64_t(i);
    const size_t byte = size_t(b >> 3);
    const unsigned set = byte < len ? (p[byte] >> (7 - (b & 7))) & 1 : 0;
    v = (v << 1) | set;
  }
  return v;
}

// Writes the low `bits` bits of v at `offset`. REQUIRES: the bytes exist.
void SetBits(uint8_t* p, uint64_t offset, int bits, uint64_t v) {
  for (int i = 0; i < bits; ++i) {
    const uint64_t b = offset + uint64_t(i);
    const unsigned mask = 1u << (7 - (b & 7));
    if ((v >> (bits - 1 - i)) & 1) p[b >> 3] = uint8_t(p[b >> 3] | mask);
    else p[b >> 3] = uint8_t(p[b >> 3] & ~mask);
  }
}

// Finds `k` for writing, creating an empty string if missing, and grows it to at least
// `len` bytes. Returns the writable bytes, or null after replying WRONGTYPE.
char* StringForWrite(CommandContext& ctx, const KeyArg& k, size_t len, KeyRef* ref) {
  *ref = ctx.db.Find(k, DbView::Mode::kWrite);
  if (*ref && !ExpectString(ctx, *ref)) return nullptr;
  if (!*ref) {
    ctx.db.SetString(k, ref, "", kNoExpiry);
    *ref = ctx.db.Find(k, DbView::Mode::kPeek);
  }
  return ctx.db.GrowString(ref, len);
}

// ---- SETBIT / GETBIT ----

void SetBit(CommandContext& ctx) {
  auto offset = ParseBitOffset(ctx, ctx.args[2]);
  if (!offset) return;
  auto on = ParseInt64(ctx.args[3]);
  if (!on || (*on & ~int64_t{1}) != 0) {
    ctx.reply->Error(errors::kBitValue);
    return;
  }
  KeyRef ref;
  char* data = StringForWrite(ctx, ctx.Key(1), size_t(*offset >> 3) + 1, &ref);
  if (data == nullptr) return;
  auto* byte = reinterpret_cast<uint8_t*>(data) + (*offset >> 3);
  const unsigned mask = 1u << (7 - (*offset & 7));
  const bool old = (*byte & mask) != 0;
  if (*on) *byte = uint8_t(*byte | mask);
  else *byte = uint8_t(*byte & ~mask);
  Notify(ctx, kNotifyString, "setbit", ctx.args[1]);
  ctx.reply->Integer(old ? 1 : 0);
}

void GetBit(CommandContext& ctx) {
  auto offset = ParseBitOffset(ctx, ctx.args[2]);
  if (!offset) return;
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
  if (ref && !ExpectString(ctx, ref)) return;
  std::string_view s = ref ? ref.str() : std::string_view();
  ctx.reply->Integer(int64_t(GetBits(Bytes(s), s.size(), *offset, 1)));
}

// ---- BITCOUNT / BITPOS ----

// A BITCOUNT/BITPOS range after Redis's normalisation, in bits.
struct BitRange {
  bool empty;
  uint64_t lo, hi;
};

// Redis's range rules: negative indexes count from the end, then both ends are clamped
// to the string; `is_bit` selects bit rather than byte units.
BitRange NormalizeRange(int64_t start, int64_t end, int64_t len_bytes, bool is_bit) {
  const int64_t total = is_bit ? len_bytes * 8 : len_bytes;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return {true, 0, 0};
  if (is_bit) return {false, uint64_t(start), uint64_t(end)};
  return {false, uint64_t(start) * 8, uint64_t(end) * 8 + 7};
}

// Parses a BYTE|BIT unit argument; replies a syntax error on anything else.
std::optional<bool> ParseUnit(CommandContext& ctx, std::string_view arg) {
  if (EqualsIgnoreCase(arg, "bit")) return true;
  if (EqualsIgnoreCase(arg, "byte")) return false;
  ctx.reply->Error(errors::kSyntax);
  return std::nullopt;
}

void BitCount(CommandContext& ctx) {
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
  if (!ref) {
    ctx.reply->Integer(0);
    return;
  }
  if (!ExpectString(ctx, ref)) return;
  const size_t argc = ctx.args.size();
  const std::string_view s = ref.str();
  BitRange range{s.empty(), 0, s.size() * 8 - 1};
  if (argc == 4 || argc == 5) {
    auto start = ParseIntArg(ctx, ctx.args[2]);
    if (!start) return;
    auto end = ParseIntArg(ctx, ctx.args[3]);
    if (!end) return;
    if (*start < 0 && *end < 0 && *start > *end) {  // before the unit is looked at
      ctx.reply->Integer(0);
      return;
    }
    bool is_bit = false;
    if (argc == 5) {
      auto unit = ParseUnit(ctx, ctx.args[4]);
      if (!unit) return;
      is_bit = *unit;
    }
    range = NormalizeRange(*start, *end, int64_t(s.size()), is_bit);
  } else if (argc != 2) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  ctx.reply->Integer(range.empty ? 0 : int64_t(CountBits(s, range.lo, range.hi)));
}

void BitPos(CommandContext& ctx) {
  auto bit = ParseIntArg(ctx, ctx.args[2]);
  if (!bit) return;
  if (*bit != 0 && *bit != 1) {
    ctx.reply->Error(errors::kBitArgument);
    return;
  }
  // A missing key is an endless run of zeros.
  KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
  if (!ref) {
    ctx.reply->Integer(*bit ? -1 : 0);
    return;
  }
  if (!ExpectString(ctx, ref)) return;
  const size_t argc = ctx.args.size();
  const std::string_view s = ref.str();
  BitRange range{s.empty(), 0, s.size() * 8 - 1};
  bool end_given = false;
  if (argc >= 4 && argc <= 6) {
    auto start = ParseIntArg(ctx, ctx.args[3]);
    if (!start) return;
    bool is_bit = false;
    if (argc == 6) {
      auto unit = ParseUnit(ctx, ctx.args[5]);
      if (!unit) return;
      is_bit = *unit;
    }
    int64_t end = is_bit ? int64_t(s.size()) * 8 + 7 : int64_t(s.size()) - 1;
    if (argc >= 5) {
      auto e = ParseIntArg(ctx, ctx.args[4]);
      if (!e) return;
      end = *e;
      end_given = true;
    }
    range = NormalizeRange(*start, end, int64_t(s.size()), is_bit);
  } else if (argc != 3) {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  if (range.empty) {
    ctx.reply->Integer(-1);
    return;
  }
  int64_t pos = FindBit(s, range.lo, range.hi, *bit == 1);
  // Looking for a 0 without an explicit end: the string continues with zeros.
  if (pos < 0 && *bit == 0 && !end_given) pos = int64_t(range.hi) + 1;
  ctx.reply->Integer(pos);
}

// ---- BITOP ----

enum class BitOpKind { kAnd, kOr, kXor, kNot };

void BitOp(CommandContext& ctx) {
  const std::string_view name = ctx.args[1];
  BitOpKind op;
  if (EqualsIgnoreCase(name, "and")) op = BitOpKind::kAnd;
  else if (EqualsIgnoreCase(name, "or")) op = BitOpKind::kOr;
  else if (EqualsIgnoreCase(name, "xor")) op = BitOpKind::kXor;
  else if (EqualsIgnoreCase(name, "not")) op = BitOpKind::kNot;
  else {
    ctx.reply->Error(errors::kSyntax);
    return;
  }
  if (op == BitOpKind::kNot && ctx.args.size() != 4) {
    ctx.reply->Error(errors::kBitopNot);
    return;
  }
  // First pass: type checks (in argument order) and the result length. Missing keys
  // are empty strings.
  size_t max_len = 0;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    KeyRef ref = ctx.db.Find(ctx.Key(i), DbView::Mode::kRead);
    if (!ref) continue;
    if (!ExpectString(ctx, ref)) return;
    max_len = std::max(max_len, ref.str().size());
  }
  KeyArg dest = ctx.Key(2);
  if (max_len == 0) {
    if (ctx.db.DeleteKey(dest)) Notify(ctx, kNotifyGeneric, "del", dest.key);
    ctx.reply->Integer(0);
    return;
  }
  // Second pass: fold each source into the result (bytes past a source's end are 0).
  std::string result(max_len, '\0');
  auto* out = reinterpret_cast<uint8_t*>(result.data());
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    KeyRef ref = ctx.db.Find(ctx.Key(i), DbView::Mode::kPeek);
    const std::string_view s = ref ? ref.str() : std::string_view();
    const uint8_t* in = Bytes(s);
    const size_t n = s.size();
    if (op == BitOpKind::kNot) {
      for (size_t j = 0; j < n; ++j) out[j] = uint8_t(~in[j]);
    } else if (op == BitOpKind::kAnd && i > 3) {
      for (size_t j = 0; j < n; ++j) out[j] &= in[j];
      if (n < max_len) std::memset(out + n, 0, max_len - n);
    } else if (op == BitOpKind::kXor) {
      for (size_t j = 0; j < n; ++j) out[j] ^= in[j];
    } else {  // OR, or the first source of AND (the result starts zeroed)
      for (size_t j = 0; j < n; ++j) out[j] |= in[j];
    }
  }
  KeyRef ref = ctx.db.Find(dest, DbView::Mode::kWrite);
  ctx.db.SetString(dest, &ref, result, kNoExpiry, StrHint::kRaw);
  Notify(ctx, kNotifyString, "set", dest.key);
  ctx.reply->Integer(int64_t(max_len));
}

// ---- BITFIELD ----

enum class Overflow { kWrap, kSat, kFail };
enum class FieldOpKind { kGet, kSet, kIncrBy };

struct FieldOp {
  FieldOpKind kind;
  Overflow overflow;
  bool is_signed;
  int bits;
  uint64_t offset;
  int64_t value;  // SET value or INCRBY increment
};

// "i1".."i64" or "u1".."u63" (lowercase, read up to a NUL byte as redis-server does).
bool ParseFieldType(std::string_view arg, bool* is_signed, int* bits) {
  arg = arg.substr(0, arg.find('\0'));
  if (arg.empty() || (arg[0] != 'i' && arg[0] != 'u')) return false;
  *is_signed = arg[0] == 'i';
  auto n = ParseInt64(arg.substr(1));
  if (!n || *n < 1 || *n > (*is_signed ? 64 : 63)) return false;
  *bits = int(*n);
  return true;
}

// The overflow rules of redis-server's BITFIELD, including its int64 wrap-around in
// the range checks (e.g. SET i8 to a value near INT64_MIN counts as overflowing up).
// Returns 0 if value + incr fits, else +1/-1 with *limited set per `mode` (not for FAIL).
int SignedOverflow(int64_t value, int64_t incr, int bits, Overflow mode, int64_t* limited) {
  const int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  const int64_t min = -max - 1;
  const auto max_incr = int64_t(uint64_t(max) - uint64_t(value));
  const auto min_incr = int64_t(uint64_t(min) - uint64_t(value));
  int dir = 0;
  if (value > max || (bits != 64 && incr > max_incr) ||
      (value >= 0 && incr > 0 && incr > max_incr)) {
    dir = 1;
  } else if (value < min || (bits != 64 && incr < min_incr) ||
             (value < 0 && incr < 0 && incr < min_incr)) {
    dir = -1;
  }
  if (dir == 0) return 0;
  if (mode == Overflow::kSat) {
    *limited = dir > 0 ? max : min;
  } else if (mode == Overflow::kWrap) {
    uint64_t c = uint64_t(value) + uint64_t(incr);
    if (bits < 64) {
      const uint64_t high = ~uint64_t{0} << bits;
      c = (c >> (bits - 1)) & 1 ? c | high : c & ~high;
    }
    *limited = int64_t(c);
  }
  return dir;
}

int UnsignedOverflow(uint64_t value, int64_t incr, int bits, Overflow mode, uint64_t* limited) {
  const uint64_t max = (uint64_t{1} << bits) - 1;  // bits <= 63
  const auto max_incr = int64_t(max - value);
  const auto min_incr = int64_t(0 - value);
  int dir = 0;
  if (value > max || (incr > 0 && incr > max_incr)) dir = 1;
  else if (incr < 0 && incr < min_incr) dir = -1;
  if (dir == 0) return 0;
  if (mode == Overflow::kSat) *limited = dir > 0 ? max : 0;
  else if (mode == Overflow::kWrap) *limited = (value + uint64_t(incr)) & max;
  return dir;
}

// Parses the BITFIELD operations; replies and returns false on the first bad one.
bool ParseFieldOps(CommandContext& ctx, std::vector<FieldOp>* ops) {
  Overflow overflow = Overflow::kWrap;
  const auto& args = ctx.args;
  for (size_t j = 2; j < args.size(); ++j) {
    const size_t remaining = args.size() - j - 1;
    const std::string_view sub = args[j];
    FieldOpKind kind;
    if (EqualsIgnoreCase(sub, "get") && remaining >= 2) {
      kind = FieldOpKind::kGet;
    } else if (EqualsIgnoreCase(sub, "set") && remaining >= 3) {
      kind = FieldOpKind::kSet;
    } else if (EqualsIgnoreCase(sub, "incrby") && remaining >= 3) {
      kind = FieldOpKind::kIncrBy;
    } else if (EqualsIgnoreCase(sub, "overflow") && remaining >= 1) {
      const std::string_view mode = args[++j];
      if (EqualsIgnoreCase(mode, "wrap")) overflow = Overflow::kWrap;
      else if (EqualsIgnoreCase(mode, "sat")) overflow = Overflow::kSat;
      else if (EqualsIgnoreCase(mode, "fail")) overflow = Overflow::kFail;
      else {
        ctx.reply->Error(errors::kBitfieldOverflow);
        return false;
      }
      continue;
    } else {
      ctx.reply->Error(errors::kSyntax);
      return false;
    }
    FieldOp op{kind, overflow, false, 0, 0, 0};
    if (!ParseFieldType(args[j + 1], &op.is_signed, &op.bits)) {
      ctx.reply->Error(errors::kBitfieldType);
      return false;
    }
    auto offset = ParseBitOffset(ctx, args[j + 2], true, op.bits);
    if (!offset) return false;
    op.offset = *offset;
    if (kind != FieldOpKind::kGet) {
      auto v = ParseIntArg(ctx, args[j + 3]);
      if (!v) return false;
      op.value = *v;
    }
    ops->push_back(op);
    j += kind == FieldOpKind::kGet ? 2 : 3;
  }
  return true;
}

// Executes a SET or INCRBY on `p` (which holds its bits) and writes its reply.
void RunFieldWrite(CommandContext& ctx, const FieldOp& op, uint8_t* p, size_t len) {
  const uint64_t old_bits = GetBits(p, len, op.offset, op.bits);
  const bool incr = op.kind == FieldOpKind::kIncrBy;
  uint64_t new_bits;
  int64_t reply;
  int overflow;
  if (op.is_signed) {
    int64_t old = int64_t(old_bits);
    if (op.bits < 64 && (old_bits >> (op.bits - 1)) & 1) old = int64_t(old_bits | (~uint64_t{0} << op.bits));
    int64_t limited = 0;
    int64_t value = incr ? int64_t(uint64_t(old) + uint64_t(op.value)) : op.value;
    overflow = SignedOverflow(incr ? old : op.value, incr ? op.value : 0, op.bits, op.overflow,
                              &limited);
    if (overflow) value = limited;
    reply = incr ? value : old;
    new_bits = uint64_t(value);
  } else {
    uint64_t limited = 0;
    uint64_t value = incr ? old_bits + uint64_t(op.value) : uint64_t(op.value);
    overflow = UnsignedOverflow(incr ? old_bits : value, incr ? op.value : 0, op.bits, op.overflow,
                                &limited);
    if (overflow) value = limited;
    reply = int64_t(incr ? value : old_bits);
    new_bits = value;
  }
  if (overflow && op.overflow == Overflow::kFail) {
    ctx.reply->NullBulk();
    return;
  }
  ctx.reply->Integer(reply);
  SetBits(p, op.offset, op.bits, new_bits);
}

void ReplyFieldGet(CommandContext& ctx, const FieldOp& op, const uint8_t* p, size_t len) {
  uint64_t v = GetBits(p, len, op.offset, op.bits);
  if (op.is_signed && op.bits < 64 && (v >> (op.bits - 1)) & 1) v |= ~uint64_t{0} << op.bits;
  ctx.reply->Integer(int64_t(v));
}

void BitFieldGeneric(CommandContext& ctx, bool read_only_command) {
  std::vector<FieldOp> ops;
  if (!ParseFieldOps(ctx, &ops)) return;
  bool writes = false;
  uint64_t highest = 0;  // last bit any SET/INCRBY touches
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOpKind::kGet) continue;
    writes = true;
    highest = std::max(highest, op.offset + uint64_t(op.bits) - 1);
  }
  if (!writes) {
    KeyRef ref = ctx.db.Find(ctx.Key(1), DbView::Mode::kRead);
    if (ref && !ExpectString(ctx, ref)) return;
    const std::string_view s = ref ? ref.str() : std::string_view();
    ctx.reply->ArrayHeader(ops.size());
    for (const FieldOp& op : ops) ReplyFieldGet(ctx, op, Bytes(s), s.size());
    return;
  }
  if (read_only_command) {
    ctx.reply->Error(errors::kBitfieldRo);
    return;
  }
  KeyRef ref;
  char* data = StringForWrite(ctx, ctx.Key(1), size_t(highest >> 3) + 1, &ref);
  if (data == nullptr) return;
  auto* p = reinterpret_cast<uint8_t*>(data);
  const size_t len = ref.str().size();
  ctx.reply->ArrayHeader(ops.size());
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOpKind::kGet) ReplyFieldGet(ctx, op, p, len);
    else RunFieldWrite(ctx, op, p, len);
  }
  Notify(ctx, kNotifyString, "setbit", ctx.args[1]);
}

void BitField(CommandContext& ctx) { BitFieldGeneric(ctx, false); }
void BitFieldRo(CommandContext& ctx) { BitFieldGeneric(ctx, true); }

}  // namespace

void RegisterBitmapFamily(CommandTable& t) {
  t.Add(Cmd("setbit", 4).Flags("write denyoom").Acl("@write @bitmap @slow").Keys(1, 1, 1)
      .KeySpec("RW access update", 1, 0, 1, 0)
      .Doc("bitmap", "2.2.0", "O(1)",
           "Sets or clears the bit at offset in the string value stored at key")
      .Handler(SetBit));
  t.Add(Cmd("getbit", 3).Flags("readonly fast").Acl("@read @bitmap @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("bitmap", "2.2.0", "O(1)",
           "Returns the bit value at offset in the string value stored at key")
      .Handler(GetBit));
  t.Add(Cmd("bitcount", -2).Flags("readonly").Acl("@read @bitmap @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("bitmap", "2.6.0", "O(N)",
           "Count set bits in a string")
      .Handler(BitCount));
  t.Add(Cmd("bitpos", -3).Flags("readonly").Acl("@read @bitmap @slow").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("bitmap", "2.8.7", "O(N)",
           "Find first bit set or clear in a string")
      .Handler(BitPos));
  t.Add(Cmd("bitop", -4).Flags("write denyoom").Acl("@write @bitmap @slow").Keys(2, -1, 1)
      .KeySpec("OW update", 2, 0, 1, 0)
      .KeySpec("RO access", 3, -1, 1, 0)
      .Doc("bitmap", "2.6.0", "O(N)",
           "Perform bitwise operations between strings")
      .Handler(BitOp));
  t.Add(Cmd("bitfield", -2).Flags("write denyoom").Acl("@write @bitmap @slow").Keys(1, 1, 1)
      .KeySpec("RW access update variable_flags", 1, 0, 1, 0,
               "This command allows both access and modification of the key")
      .Doc("bitmap", "3.2.0", "O(1) for each subcommand specified",
           "Perform arbitrary bitfield integer operations on strings")
      .Handler(BitField));
  t.Add(Cmd("bitfield_ro", -2).Flags("readonly fast").Acl("@read @bitmap @fast").Keys(1, 1, 1)
      .KeySpec("RO access", 1, 0, 1, 0)
      .Doc("bitmap", "6.0.0", "O(1) for each subcommand specified",
           "Perform arbitrary bitfield integer operations on strings. Read-only variant of "
           "BITFIELD")
      .Handler(BitFieldRo));
}

}  // namespace larder
