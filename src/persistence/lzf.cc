#include "persistence/lzf.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace larder {
namespace {

// The compressor follows liblzf 3.6 as Redis configures it (VERY_FAST, a 2^16-slot
// hash of the next three bytes, the table starting empty), so that the bytes equal
// what redis-server writes for the same string.
constexpr size_t kMaxLiteral = 32;
constexpr size_t kMaxOffset = 8192;
constexpr size_t kMaxMatch = 264;  // 2 + 7 + 255
constexpr int kHashBits = 16;

// Slot of the three bytes at p.
uint32_t Slot(const unsigned char* p) {
  const uint32_t first = uint32_t(p[0]) << 8 | p[1];
  const uint32_t next = uint32_t(p[1]) << 8 | p[2];
  return (first - next * 5) & ((1u << kHashBits) - 1);
}

// Output of the compressor: literal runs are open while bytes are added; each run's
// control byte is reserved in front of it and filled in when the run closes.
class LzfOut {
 public:
  LzfOut(std::string* out, size_t max_out) : out_(out), max_(max_out) {
    out_->clear();
    out_->push_back('\0');  // the first run's control byte
  }
  bool Literal(unsigned char c) {
    if (out_->size() >= max_) return false;
    out_->push_back(char(c));
    if (++lit_ == kMaxLiteral) CloseRun(true);
    return true;
  }
  // A back reference of `len` bytes (>= 3) `off` + 1 bytes back.
  bool Match(size_t len, size_t off) {
    const size_t op = out_->size();
    if (op + 4 >= max_ && op - (lit_ == 0 ? 1 : 0) + 4 >= max_) return false;
    CloseRun(false);
    const size_t l = len - 2;
    if (l < 7) {
      out_->push_back(char((off >> 8) + (l << 5)));
    } else {
      out_->push_back(char((off >> 8) + (7 << 5)));
      out_->push_back(char(l - 7));
    }
    out_->push_back(char(off & 0xff));
    out_->push_back('\0');  // the next run's control byte
    return true;
  }
  bool RoomForTail() const { return out_->size() + 3 <= max_; }
  void Finish() { CloseRun(false); }

 private:
  // Writes the open run's control byte; drops it when the run is empty. `reopen`
  // reserves the next run's control byte.
  void CloseRun(bool reopen) {
    if (lit_ == 0) {
      out_->pop_back();
    } else {
      (*out_)[out_->size() - lit_ - 1] = char(lit_ - 1);
    }
    lit_ = 0;
    if (reopen) out_->push_back('\0');
  }

  std::string* out_;
  size_t max_;
  size_t lit_ = 0;
};

// Length of the match of ref against ip: at least 3 bytes are known to be equal; up to
// `maxlen` (liblzf's bound, which the unrolled first 16 steps may pass by two at the end
// of the input).
size_t MatchLength(const unsigned char* ref, const unsigned char* ip, size_t maxlen) {
  size_t len = 2;
  if (maxlen > 16) {
    for (int i = 0; i < 16; ++i) {
      ++len;
      if (ref[len] != ip[len]) return len;
    }
  }
  do {
    ++len;
  } while (len < maxlen && ref[len] == ip[len]);
  return len;
}

}  // namespace

bool LzfCompress(std::string_view in, size_t max_out, std::string* out) {
  const auto* src = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  if (n == 0) {
    out->clear();
    return true;
  }
  if (max_out == 0) return false;
  // Position + 1 of the last three bytes seen per slot (0: none), kept as base + that
  // in a per-thread table: an entry at or below this call's base was written by an
  // earlier call and reads as 0, so the table is never cleared (it is 512 KiB and most
  // inputs are short).
  thread_local std::vector<uint64_t> table(size_t(1) << kHashBits, 0);
  thread_local uint64_t next_base = 0;
  const uint64_t base = next_base;
  next_base += n + 1;
  auto get = [&](uint32_t slot) -> size_t {
    return table[slot] > base ? size_t(table[slot] - base) : 0;
  };
  auto put = [&](uint32_t slot, size_t pos_plus_one) { table[slot] = base + pos_plus_one; };
  LzfOut w(out, max_out);
  size_t ip = 0;
  while (ip + 2 < n) {
    const uint32_t slot = Slot(src + ip);
    const size_t ref = get(slot);  // position + 1 (0: none)
    put(slot, ip + 1);
    // liblzf never matches position 0 (its "ref > in_data" test).
    if (ref > 1 && ip - (ref - 1) - 1 < kMaxOffset &&
        std::memcmp(src + ref - 1, src + ip, 3) == 0) {
      const size_t from = ref - 1;
      const size_t len = MatchLength(src + from, src + ip, std::min(n - ip - 2, kMaxMatch));
      if (!w.Match(len, ip - from - 1)) return false;
      ip += len;
      if (ip + 2 >= n) break;
      // Index the match's last two positions.
      put(Slot(src + ip - 2), ip - 1);
      put(Slot(src + ip - 1), ip);
    } else {
      if (!w.Literal(src[ip])) return false;
      ++ip;
    }
  }
  if (!w.RoomForTail()) return false;
  while (ip < n) {
    w.Literal(src[ip]);
    ++ip;
  }
  w.Finish();
  return true;
}

bool LzfDecompress(std::string_view in, size_t out_len, std::string* out) {
  const auto* src = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  out->assign(out_len, '\0');
  char* dst = out->data();
  size_t ip = 0, op = 0;
  while (ip < n) {
    const size_t ctrl = src[ip++];
    if (ctrl < 32) {
      const size_t len = ctrl + 1;
      if (len > n - ip || len > out_len - op) return false;
      std::memcpy(dst + op, src + ip, len);
      ip += len;
      op += len;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (ip >= n) return false;
      len += src[ip++];
    }
    if (ip >= n) return false;
    const size_t back = ((ctrl & 0x1f) << 8) + src[ip++] + 1;
    len += 2;
    if (back > op || len > out_len - op) return false;
    for (size_t i = 0; i < len; ++i, ++op) dst[op] = dst[op - back];  // may overlap
  }
  return op == out_len;
}

}  // namespace larder
