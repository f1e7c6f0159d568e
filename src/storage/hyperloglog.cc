#include "storage/hyperloglog.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace larder::hll {
namespace {

constexpr size_t kNone = ~size_t{0};
constexpr uint32_t kZeroMaxLen = 64;
constexpr uint32_t kValMaxLen = 4;
// 1 / (2 ln 2): the estimator's bias constant for m -> infinity.
constexpr double kAlphaInf = 0.721347520444481703680;
// Registers hold the "000..1" pattern length: at most 64 - 14 + 1.
constexpr int kMaxPattern = 64 - kIndexBits + 1;

// ---- sparse opcodes ----

enum class OpKind { kZero, kXZero, kVal };

struct Op {
  OpKind kind;
  uint32_t span;  // registers covered
  uint8_t value;  // VAL only
  size_t bytes;   // opcode size
};

// Decodes the opcode at `pos` (< s.size()). The second byte of an XZERO cut off by the
// end of the string reads as 0, which is what redis-server reads there (its strings are
// NUL-terminated), so a truncated value behaves the same on both servers.
Op ReadOp(std::string_view s, size_t pos) {
  const uint8_t b = uint8_t(s[pos]);
  if ((b & 0xc0) == 0) return {OpKind::kZero, uint32_t(b & 0x3f) + 1, 0, 1};
  if ((b & 0xc0) == 0x40) {
    const uint8_t lo = pos + 1 < s.size() ? uint8_t(s[pos + 1]) : 0;
    return {OpKind::kXZero, ((uint32_t(b & 0x3f) << 8) | lo) + 1, 0, 2};
  }
  return {OpKind::kVal, uint32_t(b & 3) + 1, uint8_t(((b >> 2) & 0x1f) + 1), 1};
}

bool IsValOp(uint8_t b) { return (b & 0x80) != 0; }
uint8_t ValOfOp(uint8_t b) { return uint8_t(((b >> 2) & 0x1f) + 1); }
uint32_t LenOfValOp(uint8_t b) { return uint32_t(b & 3) + 1; }

// REQUIRES: 1 <= value <= 32, 1 <= len <= 4.
uint8_t ValOp(uint32_t value, uint32_t len) {
  return uint8_t(0x80 | ((value - 1) << 2) | (len - 1));
}

// Appends the opcode for `len` (1..16384) zero registers: ZERO when it fits, else XZERO.
void PutZeros(uint8_t* out, size_t* n, uint64_t len) {
  if (len > kZeroMaxLen) {
    out[(*n)++] = uint8_t(0x40 | ((len - 1) >> 8));
    out[(*n)++] = uint8_t((len - 1) & 0xff);
  } else {
    out[(*n)++] = uint8_t(len - 1);
  }
}

uint8_t* Registers(std::string* v) { return reinterpret_cast<uint8_t*>(v->data()) + kHeaderSize; }
const uint8_t* Registers(std::string_view v) {
  return reinterpret_cast<const uint8_t*>(v.data()) + kHeaderSize;
}

// ---- estimator (Otmar Ertl, "New cardinality estimation algorithms for HyperLogLog
// sketches", 2017), evaluated in the same order as redis-server so results match ----

using Histogram = std::array<int64_t, 64>;

double Sigma(double x) {
  if (x == 1.0) return INFINITY;
  double y = 1.0, z = x, before;
  do {
    x *= x;
    before = z;
    z += x * y;
    y += y;
  } while (before != z);
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0, z = 1.0 - x, before;
  do {
    x = std::sqrt(x);
    before = z;
    y *= 0.5;
    const double t = 1.0 - x;
    z -= t * t * y;
  } while (before != z);
  return z / 3;
}

uint64_t Estimate(const Histogram& h) {
  const double m = kRegisters;
  double z = m * Tau((m - double(h[kMaxPattern])) / m);
  for (int j = kMaxPattern - 1; j >= 1; --j) {
    z += double(h[j]);
    z *= 0.5;
  }
  z += m * Sigma(double(h[0]) / m);
  return uint64_t(std::llround(kAlphaInf * m * m / z));
}

// ---- sparse editing ----

Update Promote(std::string* v, uint32_t index, uint8_t count) {
  if (!SparseToDense(v)) return Update::kCorrupt;
  uint8_t* regs = Registers(v);
  if (count > DenseGet(regs, index)) DenseSet(regs, index, count);
  return Update::kChanged;
}

// After an edit next to the opcode at `from`: merges adjacent VAL opcodes of equal value
// (up to five opcodes are looked at), then invalidates the cache.
Update FinishSparseEdit(std::string* v, size_t from) {
  std::string& s = *v;
  size_t p = from;
  size_t end = s.size();
  for (int budget = 5; p < end && budget > 0; --budget) {
    const uint8_t b = uint8_t(s[p]);
    if ((b & 0xc0) == 0x40) {
      p += 2;
      continue;
    }
    if ((b & 0xc0) == 0) {
      p += 1;
      continue;
    }
    if (p + 1 < end && IsValOp(uint8_t(s[p + 1]))) {
      const uint8_t nb = uint8_t(s[p + 1]);
      const uint32_t len = LenOfValOp(b) + LenOfValOp(nb);
      if (ValOfOp(b) == ValOfOp(nb) && len <= kValMaxLen) {
        s[p + 1] = char(ValOp(ValOfOp(b), len));
        s.erase(p, 1);
        --end;
        continue;  // the merged opcode may merge with its right neighbour too
      }
    }
    ++p;
  }
  InvalidateCache(s.data());
  return Update::kChanged;
}

Update SparseSet(std::string* v, uint32_t index, uint8_t count, size_t sparse_max_bytes) {
  if (count > kSparseValMax) return Promote(v, index, count);
  const std::string_view s = *v;
  const size_t end = s.size();

  // Find the opcode covering `index`.
  size_t pos = kHeaderSize, prev = kNone;
  uint64_t first = 0;  // first register the opcode at pos covers
  Op op{OpKind::kZero, 0, 0, 1};
  while (pos < end) {
    op = ReadOp(s, pos);
    if (index <= first + op.span - 1) break;
    prev = pos;
    pos += op.bytes;
    first += op.span;
  }
  if (pos >= end) return Update::kCorrupt;  // fewer than 16384 registers
  const size_t merge_from = prev == kNone ? kHeaderSize : prev;

  if (op.kind == OpKind::kVal) {
    if (op.value >= count) return Update::kUnchanged;
    if (op.span == 1) {
      (*v)[pos] = char(ValOp(count, 1));
      return FinishSparseEdit(v, merge_from);
    }
  }
  if (op.kind == OpKind::kZero && op.span == 1) {
    (*v)[pos] = char(ValOp(count, 1));
    return FinishSparseEdit(v, merge_from);
  }

  // General case: split the run into (before, our register, after).
  uint8_t seq[5];
  size_t n = 0;
  const uint64_t last = first + op.span - 1;
  if (op.kind == OpKind::kVal) {
    if (index != first) seq[n++] = ValOp(op.value, uint32_t(index - first));
    seq[n++] = ValOp(count, 1);
    if (index != last) seq[n++] = ValOp(op.value, uint32_t(last - index));
  } else {
    if (index != first) PutZeros(seq, &n, index - first);
    seq[n++] = ValOp(count, 1);
    if (index != last) PutZeros(seq, &n, last - index);
  }
  const int64_t delta = int64_t(n) - int64_t(op.bytes);
  if (delta > 0 && uint64_t(int64_t(end) + delta) > sparse_max_bytes) {
    return Promote(v, index, count);
  }
  const size_t next = pos + op.bytes;
  std::string out;
  out.reserve(end + 4);
  out.append(s.substr(0, pos));
  out.append(reinterpret_cast<const char*>(seq), n);
  if (next < end) out.append(s.substr(next));
  // The new length is the old one plus delta; this differs from out.size() only when
  // the edited opcode was an XZERO cut off by the end (redis-server truncates too).
  out.resize(size_t(int64_t(end) + delta));
  *v = std::move(out);
  return FinishSparseEdit(v, merge_from);
}

}  // namespace

uint64_t MurmurHash64A(std::string_view data, uint64_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const size_t len = data.size();
  uint64_t h = seed ^ (uint64_t(len) * m);
  const size_t blocks = len / 8;
  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k = 0;
    for (int b = 7; b >= 0; --b) k = (k << 8) | p[i * 8 + size_t(b)];
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const unsigned char* tail = p + blocks * 8;
  const size_t rest = len & 7;
  if (rest != 0) {
    for (size_t i = 0; i < rest; ++i) h ^= uint64_t(tail[i]) << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

Pattern PatternOf(std::string_view element) {
  uint64_t h = MurmurHash64A(element, kHashSeed);
  const uint32_t index = uint32_t(h & (kRegisters - 1));
  h >>= kIndexBits;
  h |= uint64_t{1} << (64 - kIndexBits);  // bounds the count at 51
  return {index, uint8_t(std::countr_zero(h) + 1)};
}

bool IsValid(std::string_view value) {
  if (value.size() < kHeaderSize) return false;
  if (value.substr(0, 4) != "HYLL") return false;
  const uint8_t encoding = uint8_t(value[4]);
  if (encoding > kEncodingSparse) return false;
  return encoding != kEncodingDense || value.size() == kDenseSize;
}

std::string NewSparse() {
  std::string v(kHeaderSize + 2, '\0');
  std::memcpy(v.data(), "HYLL", 4);
  v[4] = char(kEncodingSparse);
  v[kHeaderSize] = char(0x40 | ((kRegisters - 1) >> 8));
  v[kHeaderSize + 1] = char((kRegisters - 1) & 0xff);
  return v;
}

bool CacheValid(std::string_view value) { return (uint8_t(value[15]) & 0x80) == 0; }

uint64_t CachedCount(std::string_view value) {
  uint64_t c = 0;
  for (int i = 7; i >= 0; --i) c = (c << 8) | uint8_t(value[8 + size_t(i)]);
  return c;
}

void StoreCachedCount(char* header, uint64_t count) {
  for (int i = 0; i < 8; ++i) header[8 + i] = char((count >> (8 * i)) & 0xff);
}

void InvalidateCache(char* header) { header[15] = char(uint8_t(header[15]) | 0x80); }

uint8_t DenseGet(const uint8_t* registers, uint32_t index) {
  const uint32_t bit = index * kRegisterBits;
  const uint32_t byte = bit / 8, shift = bit % 8;
  unsigned v = unsigned(registers[byte]) >> shift;
  // Only a register that straddles two bytes reads the second (the last register does
  // not, so nothing past the registers is touched).
  if (shift > 8 - kRegisterBits) v |= unsigned(registers[byte + 1]) << (8 - shift);
  return uint8_t(v & 63);
}

void DenseSet(uint8_t* registers, uint32_t index, uint8_t value) {
  const uint32_t bit = index * kRegisterBits;
  const uint32_t byte = bit / 8, shift = bit % 8;
  registers[byte] = uint8_t((registers[byte] & ~(63u << shift)) | (unsigned(value) << shift));
  if (shift > 8 - kRegisterBits) {
    const uint32_t hi = 8 - shift;
    registers[byte + 1] = uint8_t((registers[byte + 1] & ~(63u >> hi)) | (unsigned(value) >> hi));
  }
}

Update SetRegister(std::string* value, uint32_t index, uint8_t count, size_t sparse_max_bytes) {
  if (!IsDense(*value)) return SparseSet(value, index, count, sparse_max_bytes);
  uint8_t* regs = Registers(value);
  if (count <= DenseGet(regs, index)) return Update::kUnchanged;
  DenseSet(regs, index, count);
  return Update::kChanged;
}

Update Add(std::string* value, std::string_view element, size_t sparse_max_bytes) {
  const Pattern p = PatternOf(element);
  return SetRegister(value, p.index, p.count, sparse_max_bytes);
}

bool DenseAdd(char* value, std::string_view element) {
  const Pattern p = PatternOf(element);
  auto* regs = reinterpret_cast<uint8_t*>(value) + kHeaderSize;
  if (p.count <= DenseGet(regs, p.index)) return false;
  DenseSet(regs, p.index, p.count);
  return true;
}

bool SparseToDense(std::string* value) {
  const std::string_view s = *value;
  if (uint8_t(s[4]) == kEncodingDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), s.data(), kHeaderSize);
  dense[4] = char(kEncodingDense);
  uint8_t* regs = Registers(&dense);
  uint64_t idx = 0;
  for (size_t pos = kHeaderSize; pos < s.size();) {
    const Op op = ReadOp(s, pos);
    pos += op.bytes;
    if (op.kind != OpKind::kVal) {
      idx += op.span;
      continue;
    }
    if (idx + op.span > kRegisters) return false;  // a VAL run past the last register
    for (uint32_t i = 0; i < op.span; ++i) DenseSet(regs, uint32_t(idx++), op.value);
  }
  if (idx != kRegisters) return false;
  *value = std::move(dense);
  return true;
}

bool MergeInto(RawRegisters* max, std::string_view value) {
  if (IsDense(value)) {
    const uint8_t* regs = Registers(value);
    for (uint32_t i = 0; i < kRegisters; ++i) {
      const uint8_t r = DenseGet(regs, i);
      if (r > (*max)[i]) (*max)[i] = r;
    }
    return true;
  }
  uint64_t idx = 0;
  for (size_t pos = kHeaderSize; pos < value.size();) {
    const Op op = ReadOp(value, pos);
    pos += op.bytes;
    if (op.kind != OpKind::kVal) {
      idx += op.span;
      continue;
    }
    if (idx + op.span > kRegisters) return false;  // a VAL run past the last register
    for (uint32_t i = 0; i < op.span; ++i, ++idx) {
      if (op.value > (*max)[idx]) (*max)[idx] = op.value;
    }
  }
  return idx == kRegisters;
}

std::optional<uint64_t> Count(std::string_view value) {
  Histogram h{};
  if (IsDense(value)) {
    const uint8_t* regs = Registers(value);
    for (uint32_t i = 0; i < kRegisters; ++i) ++h[DenseGet(regs, i)];
    return Estimate(h);
  }
  uint64_t idx = 0;
  for (size_t pos = kHeaderSize; pos < value.size();) {
    const Op op = ReadOp(value, pos);
    pos += op.bytes;
    idx += op.span;
    h[op.kind == OpKind::kVal ? op.value : 0] += op.span;
  }
  if (idx != kRegisters) return std::nullopt;
  return Estimate(h);
}

uint64_t Count(const RawRegisters& registers) {
  Histogram h{};
  for (uint8_t r : registers) ++h[r & 63];
  return Estimate(h);
}

}  // namespace larder::hll
