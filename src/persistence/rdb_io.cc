#include "persistence/rdb_io.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "common/numbers.h"
#include "persistence/lzf.h"

namespace larder::rdb {
namespace {

constexpr uint8_t kLen6 = 0, kLen14 = 1, kLen32 = 0x80, kLen64 = 0x81, kEncoded = 3;
constexpr int kEncInt8 = 0, kEncInt16 = 1, kEncInt32 = 2, kEncLzf = 3;
// LZF output is at most 88 times its input (a 3-byte reference expands to 264 bytes).
constexpr uint64_t kMaxLzfRatio = 88;

}  // namespace

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(char((v >> (8 * i)) & 0xff));
}

uint64_t LoadLe(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

int64_t SignExtend(uint64_t v, int bits) {
  const uint64_t sign = uint64_t(1) << (bits - 1);
  return int64_t((v ^ sign) - sign);
}

void PutLength(std::string* out, uint64_t len) {
  if (len < (1u << 6)) {
    out->push_back(char(len | (kLen6 << 6)));
  } else if (len < (1u << 14)) {
    out->push_back(char((len >> 8) | (kLen14 << 6)));
    out->push_back(char(len & 0xff));
  } else {
    const bool wide = len > UINT32_MAX;
    out->push_back(char(wide ? kLen64 : kLen32));
    for (int i = wide ? 7 : 3; i >= 0; --i) out->push_back(char((len >> (8 * i)) & 0xff));
  }
}

void PutString(std::string* out, std::string_view s, bool compress) {
  if (s.size() <= 11) {
    if (auto v = ParseInt64(s)) {
      if (*v >= INT8_MIN && *v <= INT8_MAX) {
        out->push_back(char(0xC0 | kEncInt8));
        PutLe(out, uint64_t(*v), 1);
        return;
      }
      if (*v >= INT16_MIN && *v <= INT16_MAX) {
        out->push_back(char(0xC0 | kEncInt16));
        PutLe(out, uint64_t(*v), 2);
        return;
      }
      if (*v >= INT32_MIN && *v <= INT32_MAX) {
        out->push_back(char(0xC0 | kEncInt32));
        PutLe(out, uint64_t(*v), 4);
        return;
      }
    }
  }
  if (compress && s.size() > 20) {
    std::string packed;
    if (LzfCompress(s, s.size() - 4, &packed)) {
      out->push_back(char(0xC0 | kEncLzf));
      PutLength(out, packed.size());
      PutLength(out, s.size());
      out->append(packed);
      return;
    }
  }
  PutLength(out, s.size());
  out->append(s);
}

void PutBinaryDouble(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  PutLe(out, bits, 8);
}

bool RdbReader::Fail(std::string_view reason) {
  if (error_.empty()) {
    error_.assign(reason);
    error_offset_ = base_ + pos_;
  }
  pos_ = data_.size();
  return false;
}

bool RdbReader::Short(std::string_view reason) {
  if (ok()) truncated_ = true;
  return Fail(reason);
}

bool RdbReader::Byte(uint8_t* b) {
  if (!ok()) return false;
  if (remaining() < 1) return Short("unexpected end of data");
  *b = uint8_t(data_[pos_++]);
  return true;
}

bool RdbReader::Raw(size_t n, std::string_view* out) {
  if (!ok()) return false;
  if (remaining() < n) return Short("unexpected end of data");
  *out = data_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool RdbReader::Le(int bytes, uint64_t* v) {
  std::string_view b;
  if (!Raw(size_t(bytes), &b)) return false;
  *v = LoadLe(reinterpret_cast<const unsigned char*>(b.data()), bytes);
  return true;
}

bool RdbReader::LengthOrEncoding(uint64_t* len, bool* encoded) {
  uint8_t b;
  if (!Byte(&b)) return false;
  *encoded = false;
  switch (b >> 6) {
    case kLen6:
      *len = b & 0x3f;
      return true;
    case kLen14: {
      uint8_t lo;
      if (!Byte(&lo)) return false;
      *len = uint64_t(b & 0x3f) << 8 | lo;
      return true;
    }
    case kEncoded:
      *encoded = true;
      *len = b & 0x3f;
      return true;
    default:
      break;
  }
  if (b != kLen32 && b != kLen64) return Fail("unknown length encoding");
  std::string_view raw;
  if (!Raw(b == kLen32 ? 4 : 8, &raw)) return false;
  *len = 0;
  for (char c : raw) *len = *len << 8 | uint8_t(c);
  return true;
}

bool RdbReader::Length(uint64_t* len) {
  bool encoded;
  if (!LengthOrEncoding(len, &encoded)) return false;
  if (encoded) return Fail("unexpected encoded length");
  return true;
}

bool RdbReader::Count(uint64_t* n, size_t min_item_bytes) {
  if (!Length(n)) return false;
  if (*n > remaining() / (min_item_bytes == 0 ? 1 : min_item_bytes)) {
    return Short("length larger than the remaining data");
  }
  return true;
}

bool RdbReader::String(std::string* out) {
  uint64_t len;
  bool encoded;
  if (!LengthOrEncoding(&len, &encoded)) return false;
  if (!encoded) {
    std::string_view raw;
    if (len > remaining()) return Short("string length larger than the remaining data");
    if (!Raw(size_t(len), &raw)) return false;
    out->assign(raw);
    return true;
  }
  uint64_t v;
  char buf[24];
  switch (int(len)) {
    case kEncInt8:
      if (!Le(1, &v)) return false;
      out->assign(buf, FormatInt(buf, int8_t(v)));
      return true;
    case kEncInt16:
      if (!Le(2, &v)) return false;
      out->assign(buf, FormatInt(buf, int16_t(v)));
      return true;
    case kEncInt32:
      if (!Le(4, &v)) return false;
      out->assign(buf, FormatInt(buf, int32_t(v)));
      return true;
    case kEncLzf: {
      uint64_t clen, ulen;
      std::string_view packed;
      if (!Length(&clen) || !Length(&ulen)) return false;
      if (clen > remaining()) return Short("compressed length larger than the remaining data");
      if (ulen == 0 || ulen > clen * kMaxLzfRatio) return Fail("invalid LZF lengths");
      if (!Raw(size_t(clen), &packed)) return false;
      if (!LzfDecompress(packed, size_t(ulen), out)) return Fail("invalid LZF data");
      return true;
    }
    default:
      return Fail("unknown string encoding");
  }
}

bool RdbReader::BinaryDouble(double* d) {
  uint64_t bits;
  if (!Le(8, &bits)) return false;
  std::memcpy(d, &bits, sizeof *d);
  return true;
}

bool RdbReader::StringDouble(double* d) {
  uint8_t len;
  if (!Byte(&len)) return false;
  switch (len) {
    case 253: *d = std::nan(""); return true;
    case 254: *d = INFINITY; return true;
    case 255: *d = -INFINITY; return true;
    default: break;
  }
  std::string_view raw;
  if (!Raw(len, &raw)) return false;
  // Redis reads it with strtod: any prefix that parses is taken.
  std::string text(raw);
  char* end = nullptr;
  *d = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) return Fail("invalid double value");
  return true;
}

}  // namespace larder::rdb
