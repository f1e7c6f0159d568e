// Redis's older blobs, read from RDB files of Redis <= 6.2 (ziplist, zipmap) and the
// intset (written and read).
//
// ziplist: <bytes u32> <tail offset u32> <count u16, 65535 = unknown> entries <0xFF>;
//   entry: <previous entry size: 1 byte < 254, or 0xFE + u32> <encoding> <data>.
// zipmap: <count byte, 254+ = unknown> (<len> field <len> <free byte> value <free bytes>)*
//   <0xFF>; len: 1 byte < 254, or 0xFE + u32.
// intset: <width u32: 2, 4, 8> <count u32> members ascending; all little-endian.
#include "common/numbers.h"
#include "persistence/rdb_io.h"
#include "persistence/redis_blobs.h"

namespace larder::rdb {
namespace {

constexpr size_t kZiplistHeader = 10;
constexpr uint8_t kEnd = 0xFF;
constexpr uint8_t kBigLen = 0xFE;

bool Bad(std::string* why, const char* reason) {
  *why = reason;
  return false;
}

// Decodes the ziplist entry payload (encoding + data) at p, at most `avail` bytes;
// returns its size or 0 if malformed.
size_t DecodeZipEntry(const unsigned char* p, size_t avail, std::string* out) {
  const uint8_t b = p[0];
  size_t hdr;
  uint64_t len;
  switch (b >> 6) {
    case 0:
      hdr = 1;
      len = b & 0x3f;
      break;
    case 1:
      if (avail < 2) return 0;
      hdr = 2;
      len = uint64_t(b & 0x3f) << 8 | p[1];
      break;
    case 2:
      if (avail < 5) return 0;
      hdr = 5;
      len = uint64_t(p[1]) << 24 | uint64_t(p[2]) << 16 | uint64_t(p[3]) << 8 | p[4];
      break;
    default: {
      int bytes;
      switch (b) {
        case 0xC0: bytes = 2; break;
        case 0xD0: bytes = 4; break;
        case 0xE0: bytes = 8; break;
        case 0xF0: bytes = 3; break;
        case 0xFE: bytes = 1; break;
        default: bytes = 0; break;
      }
      int64_t v;
      if (bytes > 0) {
        if (avail < size_t(1 + bytes)) return 0;
        v = SignExtend(LoadLe(p + 1, bytes), 8 * bytes);
      } else if (b >= 0xF1 && b <= 0xFD) {
        v = (b & 0x0f) - 1;
      } else {
        return 0;
      }
      char buf[24];
      out->assign(buf, FormatInt(buf, v));
      return size_t(1 + bytes);
    }
  }
  if (len > avail - hdr) return 0;
  out->assign(reinterpret_cast<const char*>(p + hdr), size_t(len));
  return hdr + size_t(len);
}

}  // namespace

bool DecodeZiplist(std::string_view blob, std::vector<std::string>* out, std::string* why) {
  out->clear();
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < kZiplistHeader + 1) return Bad(why, "ziplist too short");
  if (LoadLe(p, 4) != blob.size()) return Bad(why, "ziplist size mismatch");
  if (p[blob.size() - 1] != kEnd) return Bad(why, "ziplist without terminator");
  const uint64_t tail = LoadLe(p + 4, 4);
  const uint64_t declared = LoadLe(p + 8, 2);
  const size_t end = blob.size() - 1;
  size_t pos = kZiplistHeader, last = kZiplistHeader, prev_size = 0;
  std::string element;
  while (pos < end) {
    size_t prevlen_bytes = 1;
    uint64_t prevlen = p[pos];
    if (prevlen == kBigLen) {
      if (end - pos < 5) return Bad(why, "truncated ziplist entry");
      prevlen_bytes = 5;
      prevlen = LoadLe(p + pos + 1, 4);
    } else if (prevlen == kEnd) {
      return Bad(why, "ziplist terminator inside the list");
    }
    if (prevlen != prev_size) return Bad(why, "ziplist previous-length mismatch");
    if (end - pos <= prevlen_bytes) return Bad(why, "truncated ziplist entry");
    const size_t size =
        DecodeZipEntry(p + pos + prevlen_bytes, end - pos - prevlen_bytes, &element);
    if (size == 0) return Bad(why, "invalid ziplist entry");
    last = pos;
    prev_size = prevlen_bytes + size;
    pos += prev_size;
    out->push_back(std::move(element));
  }
  if (tail != last) return Bad(why, "ziplist tail offset mismatch");
  if (declared != 65535 && declared != out->size()) return Bad(why, "ziplist count mismatch");
  return true;
}

bool DecodeZipmap(std::string_view blob, std::vector<std::string>* out, std::string* why) {
  out->clear();
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < 2) return Bad(why, "zipmap too short");
  const size_t end = blob.size() - 1;
  if (p[end] != kEnd) return Bad(why, "zipmap without terminator");
  size_t pos = 1;
  // A length at pos; false if malformed.
  auto length = [&](uint64_t* len) {
    if (pos >= end) return false;
    if (p[pos] < kBigLen) {
      *len = p[pos++];
      return true;
    }
    if (p[pos] != kBigLen || end - pos < 5) return false;
    *len = LoadLe(p + pos + 1, 4);
    pos += 5;
    return true;
  };
  auto bytes = [&](uint64_t len, std::string* s) {
    if (len > end - pos) return false;
    s->assign(reinterpret_cast<const char*>(p + pos), size_t(len));
    pos += size_t(len);
    return true;
  };
  while (pos < end) {
    uint64_t flen, vlen;
    std::string field, value;
    if (!length(&flen) || !bytes(flen, &field) || !length(&vlen) || pos >= end) {
      return Bad(why, "invalid zipmap entry");
    }
    const uint8_t free_bytes = p[pos++];
    if (!bytes(vlen, &value) || free_bytes > end - pos) return Bad(why, "invalid zipmap entry");
    pos += free_bytes;
    out->push_back(std::move(field));
    out->push_back(std::move(value));
  }
  if (p[0] < kBigLen && p[0] != out->size() / 2) return Bad(why, "zipmap count mismatch");
  return true;
}

std::string EncodeIntset(const std::vector<int64_t>& sorted_members) {
  int width = 2;
  for (int64_t v : sorted_members) {
    if (v < INT32_MIN || v > INT32_MAX) width = 8;
    else if ((v < INT16_MIN || v > INT16_MAX) && width < 4) width = 4;
  }
  std::string out;
  PutLe(&out, uint64_t(width), 4);
  PutLe(&out, sorted_members.size(), 4);
  for (int64_t v : sorted_members) PutLe(&out, uint64_t(v), width);
  return out;
}

bool DecodeIntset(std::string_view blob, std::vector<int64_t>* out, std::string* why) {
  out->clear();
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < 8) return Bad(why, "intset too short");
  const uint64_t width = LoadLe(p, 4);
  const uint64_t count = LoadLe(p + 4, 4);
  if (width != 2 && width != 4 && width != 8) return Bad(why, "invalid intset width");
  if (count * width != blob.size() - 8) return Bad(why, "intset size mismatch");
  out->reserve(size_t(count));
  for (uint64_t i = 0; i < count; ++i) {
    const int64_t v = SignExtend(LoadLe(p + 8 + i * width, int(width)), int(8 * width));
    if (!out->empty() && v <= out->back()) return Bad(why, "intset not sorted");
    out->push_back(v);
  }
  return true;
}

}  // namespace larder::rdb
