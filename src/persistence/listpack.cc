// Redis listpack: <total bytes u32 LE> <count u16 LE, 65535 = unknown> entries <0xFF>.
// An entry is <encoding + data> <back-length of that part, 7 bits per byte>.
#include <cstring>
#include <optional>

#include "common/numbers.h"
#include "persistence/rdb_io.h"
#include "persistence/redis_blobs.h"

namespace larder::rdb {
namespace {

constexpr size_t kHeaderBytes = 6;
constexpr uint8_t kEof = 0xFF;
constexpr uint32_t kUnknownCount = 65535;

// The back-length bytes of an entry of `len` bytes, in file order.
size_t EncodeBacklen(uint64_t len, unsigned char* buf) {
  size_t n = 1;
  while (n < 5 && len >= (uint64_t(1) << (7 * n))) ++n;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char bits = (len >> (7 * (n - 1 - i))) & 127;
    buf[i] = i == 0 ? bits : bits | 128;
  }
  return n;
}

void AppendInt(std::string* out, int64_t v) {
  const auto u = uint64_t(v);
  if (v >= 0 && v <= 127) {
    out->push_back(char(v));
  } else if (v >= -4096 && v <= 4095) {
    const uint64_t x = u & 0x1fff;
    out->push_back(char(0xC0 | (x >> 8)));
    out->push_back(char(x & 0xff));
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    out->push_back(char(0xF1));
    PutLe(out, u, 2);
  } else if (v >= -(1 << 23) && v < (1 << 23)) {
    out->push_back(char(0xF2));
    PutLe(out, u, 3);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    out->push_back(char(0xF3));
    PutLe(out, u, 4);
  } else {
    out->push_back(char(0xF4));
    PutLe(out, u, 8);
  }
}

void AppendStr(std::string* out, std::string_view s) {
  if (s.size() < 64) {
    out->push_back(char(0x80 | s.size()));
  } else if (s.size() < 4096) {
    out->push_back(char(0xE0 | (s.size() >> 8)));
    out->push_back(char(s.size() & 0xff));
  } else {
    out->push_back(char(0xF0));
    PutLe(out, s.size(), 4);
  }
  out->append(s);
}

// Decodes the entry at p (at most `avail` bytes before the terminator) into *out;
// returns its encoding + data size, or 0 if it is malformed or does not fit.
size_t DecodeEntry(const unsigned char* p, size_t avail, std::string* out) {
  const uint8_t b = p[0];
  size_t hdr = 1;
  uint64_t len = 0;
  char buf[24];
  auto integer = [&](size_t size, int64_t v) -> size_t {
    if (size > avail) return 0;
    out->assign(buf, FormatInt(buf, v));
    return size;
  };
  if ((b & 0x80) == 0) return integer(1, b);
  if ((b & 0xC0) == 0x80) {
    len = b & 0x3f;
  } else if ((b & 0xE0) == 0xC0) {
    if (avail < 2) return 0;
    return integer(2, SignExtend(uint64_t(b & 0x1f) << 8 | p[1], 13));
  } else if ((b & 0xF0) == 0xE0) {
    if (avail < 2) return 0;
    hdr = 2;
    len = uint64_t(b & 0x0f) << 8 | p[1];
  } else {
    switch (b) {
      case 0xF0:
        if (avail < 5) return 0;
        hdr = 5;
        len = LoadLe(p + 1, 4);
        break;
      case 0xF1: return avail < 3 ? 0 : integer(3, SignExtend(LoadLe(p + 1, 2), 16));
      case 0xF2: return avail < 4 ? 0 : integer(4, SignExtend(LoadLe(p + 1, 3), 24));
      case 0xF3: return avail < 5 ? 0 : integer(5, SignExtend(LoadLe(p + 1, 4), 32));
      case 0xF4: return avail < 9 ? 0 : integer(9, int64_t(LoadLe(p + 1, 8)));
      default: return 0;  // 0xF5..0xFE are unused, 0xFF is the terminator
    }
  }
  if (len > avail - hdr) return 0;
  out->assign(reinterpret_cast<const char*>(p + hdr), size_t(len));
  return hdr + size_t(len);
}

}  // namespace

ListpackBuilder::ListpackBuilder() : body_(kHeaderBytes, '\0') {}

void ListpackBuilder::Add(std::string_view element) {
  const size_t start = body_.size();
  std::optional<int64_t> v;
  if (element.size() <= 20) v = ParseInt64(element);
  if (v) AppendInt(&body_, *v);
  else AppendStr(&body_, element);
  unsigned char back[5];
  const size_t n = EncodeBacklen(body_.size() - start, back);
  body_.append(reinterpret_cast<const char*>(back), n);
  ++count_;
}

std::string ListpackBuilder::Finish() const {
  std::string out = body_;
  out.push_back(char(kEof));
  std::string header;
  PutLe(&header, out.size(), 4);
  PutLe(&header, count_ < kUnknownCount ? count_ : kUnknownCount, 2);
  out.replace(0, kHeaderBytes, header);
  return out;
}

bool DecodeListpack(std::string_view blob, std::vector<std::string>* out, std::string* why) {
  out->clear();
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < kHeaderBytes + 1) return *why = "listpack too short", false;
  if (LoadLe(p, 4) != blob.size()) return *why = "listpack size mismatch", false;
  if (p[blob.size() - 1] != kEof) return *why = "listpack without terminator", false;
  const uint64_t declared = LoadLe(p + 4, 2);
  const size_t end = blob.size() - 1;
  size_t pos = kHeaderBytes;
  std::string element;
  while (pos < end) {
    const size_t size = DecodeEntry(p + pos, end - pos, &element);
    if (size == 0) return *why = "invalid listpack entry", false;
    unsigned char back[5];
    const size_t n = EncodeBacklen(size, back);
    if (n > end - pos - size || std::memcmp(p + pos + size, back, n) != 0) {
      return *why = "invalid listpack back-length", false;
    }
    pos += size + n;
    out->push_back(std::move(element));
    // A forged blob cannot make this loop allocate more than its own size: every
    // entry takes at least 2 bytes.
  }
  if (declared != kUnknownCount && declared != out->size()) {
    return *why = "listpack count mismatch", false;
  }
  return true;
}

}  // namespace larder::rdb
