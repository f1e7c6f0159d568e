#include "persistence/lzf.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace larder {
namespace {

constexpr size_t kMaxLiteral = 32;
constexpr size_t kMaxOffset = 8192;
constexpr size_t kMaxMatch = 7 + 255 + 2;
constexpr int kHashBits = 14;

uint32_t Hash3(const unsigned char* p) {
  const uint32_t v = uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2];
  return (v * 2654435761u) >> (32 - kHashBits);
}

}  // namespace

bool LzfCompress(std::string_view in, size_t max_out, std::string* out) {
  const auto* src = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  out->clear();
  std::vector<uint32_t> last(size_t(1) << kHashBits, UINT32_MAX);  // position + 1 of a 3-byte sequence
  size_t lit_start = 0;  // first byte of the pending literal run
  auto flush_literals = [&](size_t end) {
    while (lit_start < end) {
      const size_t len = std::min(kMaxLiteral, end - lit_start);
      out->push_back(char(len - 1));
      out->append(in.data() + lit_start, len);
      lit_start += len;
    }
  };
  size_t ip = 0;
  while (ip + 2 < n) {
    const uint32_t h = Hash3(src + ip);
    const uint32_t ref = last[h];
    last[h] = uint32_t(ip);
    if (ref != UINT32_MAX && ip - ref <= kMaxOffset && std::memcmp(src + ref, src + ip, 3) == 0) {
      size_t len = 3;
      const size_t limit = std::min(kMaxMatch, n - ip);
      while (len < limit && src[ref + len] == src[ip + len]) ++len;
      flush_literals(ip);
      const size_t off = ip - ref - 1;
      const size_t l = len - 2;
      if (l < 7) {
        out->push_back(char((l << 5) | (off >> 8)));
      } else {
        out->push_back(char((7 << 5) | (off >> 8)));
        out->push_back(char(l - 7));
      }
      out->push_back(char(off & 0xff));
      // Index the positions inside the match so later data can refer to them.
      for (size_t k = ip + 1; k < ip + len && k + 2 < n; ++k) last[Hash3(src + k)] = uint32_t(k);
      ip += len;
      lit_start = ip;
      if (out->size() > max_out) return false;
    } else {
      ++ip;
    }
  }
  flush_literals(n);
  return out->size() <= max_out;
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
