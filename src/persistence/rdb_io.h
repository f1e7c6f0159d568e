// RDB primitives: type and opcode bytes, lengths, strings and doubles as Redis's RDB
// format defines them. Writers append to a std::string; RdbReader reads from a byte
// range with every length checked against the bytes that remain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace larder::rdb {

// Value type bytes.
inline constexpr uint8_t kTypeString = 0;
inline constexpr uint8_t kTypeList = 1;
inline constexpr uint8_t kTypeSet = 2;
inline constexpr uint8_t kTypeZSet = 3;
inline constexpr uint8_t kTypeHash = 4;
inline constexpr uint8_t kTypeZSet2 = 5;
inline constexpr uint8_t kTypeModule = 6;
inline constexpr uint8_t kTypeModule2 = 7;
inline constexpr uint8_t kTypeHashZipmap = 9;
inline constexpr uint8_t kTypeListZiplist = 10;
inline constexpr uint8_t kTypeSetIntset = 11;
inline constexpr uint8_t kTypeZSetZiplist = 12;
inline constexpr uint8_t kTypeHashZiplist = 13;
inline constexpr uint8_t kTypeListQuicklist = 14;
inline constexpr uint8_t kTypeStreamListpacks = 15;
inline constexpr uint8_t kTypeHashListpack = 16;
inline constexpr uint8_t kTypeZSetListpack = 17;
inline constexpr uint8_t kTypeListQuicklist2 = 18;
inline constexpr uint8_t kTypeStreamListpacks2 = 19;
inline constexpr uint8_t kTypeSetListpack = 20;
inline constexpr uint8_t kTypeStreamListpacks3 = 21;

// File opcodes.
inline constexpr uint8_t kOpFunction2 = 245;
inline constexpr uint8_t kOpFunction = 246;
inline constexpr uint8_t kOpModuleAux = 247;
inline constexpr uint8_t kOpIdle = 248;
inline constexpr uint8_t kOpFreq = 249;
inline constexpr uint8_t kOpAux = 250;
inline constexpr uint8_t kOpResizeDb = 251;
inline constexpr uint8_t kOpExpireTimeMs = 252;
inline constexpr uint8_t kOpExpireTime = 253;
inline constexpr uint8_t kOpSelectDb = 254;
inline constexpr uint8_t kOpEof = 255;

// The RDB version Larder writes, and the newest it reads.
inline constexpr int kWriteVersion = 10;
inline constexpr int kMaxReadVersion = 11;

// Appends an RDB length (6-bit, 14-bit, 32-bit or 64-bit form, big-endian).
void PutLength(std::string* out, uint64_t len);
// Appends a string as redis-server does: an 8/16/32-bit integer form when `s` is the
// canonical decimal of one (<= 11 bytes), else LZF when `compress`, the string is longer
// than 20 bytes and LZF fits in length - 4 bytes, else the length and the bytes.
void PutString(std::string* out, std::string_view s, bool compress);
// Appends an 8-byte little-endian double (ZSET_2 scores).
void PutBinaryDouble(std::string* out, double d);
void PutLe(std::string* out, uint64_t v, int bytes);
// The little-endian unsigned integer of `bytes` bytes at p.
uint64_t LoadLe(const unsigned char* p, int bytes);
// The low `bits` bits of v as a two's complement number.
int64_t SignExtend(uint64_t v, int bits);

// Reads RDB items from `data`. The first failure latches: later reads fail too and
// error() keeps the first reason. offset() counts from the start of `data` plus `base`
// (for messages about a whole file).
class RdbReader {
 public:
  explicit RdbReader(std::string_view data, size_t base = 0) : data_(data), base_(base) {}

  bool ok() const { return error_.empty(); }
  // Whether the failure was running out of data (more bytes could make it succeed).
  bool truncated() const { return truncated_; }
  const std::string& error() const { return error_; }
  size_t offset() const { return base_ + pos_; }
  // Where the first failure happened (valid when !ok()).
  size_t error_offset() const { return error_offset_; }
  size_t remaining() const { return data_.size() - pos_; }
  // Marks the reader failed with `reason` (if it has not failed yet); returns false.
  bool Fail(std::string_view reason);

  bool Byte(uint8_t* b);
  bool Raw(size_t n, std::string_view* out);
  bool Le(int bytes, uint64_t* v);
  // A plain length (an encoded-string marker fails).
  bool Length(uint64_t* len);
  // A count of items that each take at least `min_item_bytes` more bytes: refused if
  // the remaining bytes cannot hold them (no allocation trusts a forged count).
  bool Count(uint64_t* n, size_t min_item_bytes);
  // A string in any RDB form (raw, integer, LZF).
  bool String(std::string* out);
  bool BinaryDouble(double* d);
  // A ZSET (type 3) score: a length byte (253 nan, 254 +inf, 255 -inf) and ASCII.
  bool StringDouble(double* d);

 private:
  // Fails for lack of data.
  bool Short(std::string_view reason);
  // A length, or with *encoded the special form number (0..3) of an encoded string.
  bool LengthOrEncoding(uint64_t* len, bool* encoded);

  std::string_view data_;
  size_t base_;
  size_t pos_ = 0;
  std::string error_;
  bool truncated_ = false;
  size_t error_offset_ = 0;
};

}  // namespace larder::rdb
