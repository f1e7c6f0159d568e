// One key and its value in a single allocation.
//
// Layout (bytes):
//   [0]      meta: bits 0-2 kind, bit 3 has-expiry, bits 4-5 string encoding hint
//   [1..3]   access: 24-bit LRU clock, or LFU (16-bit minutes << 8 | 8-bit counter)
//   [4..11]  expire-at, ms since the epoch (int64) -- only when has-expiry
//   varint   key length, then the key bytes
//   payload  string: varint length, then the bytes; other kinds: an 8-byte pointer
//
// A 10-byte key with a 16-byte value takes 32 bytes (one jemalloc size class).
// Allocations are at least 16 bytes, so entry pointers have their low 4 bits clear
// (the table keeps flags there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace larder {

enum class ValueKind : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

inline constexpr int64_t kNoExpiry = -1;

// How Redis would have encoded a string value (OBJECT ENCODING): kAuto means by its
// content (int, embstr, raw), kRaw a value edited in place (APPEND, SETRANGE), kPlain a
// value stored without integer encoding (INCRBYFLOAT results).
enum class StrHint : uint8_t { kAuto = 0, kRaw = 1, kPlain = 2 };

class Entry {
 public:
  Entry() = delete;

  // Allocates a string entry. expire_at is ms since the epoch or kNoExpiry.
  static Entry* NewString(std::string_view key, std::string_view value, int64_t expire_at,
                          uint32_t access);
  // Frees the entry (and, for collection kinds, the object it points to).
  static void Free(Entry* e);

  ValueKind kind() const { return ValueKind(meta() & 7); }
  bool has_expiry() const { return meta() & kHasExpiry; }
  int64_t expire_at() const;
  StrHint str_hint() const { return StrHint((meta() >> 4) & 3); }
  uint32_t access() const;
  void set_access(uint32_t a);

  std::string_view key() const;
  // REQUIRES: kind() == kString.
  std::string_view str() const;

  // Bytes allocated for this entry (what memory accounting charges).
  size_t AllocSize() const;

  // The mutators below may move the entry: they return its new address and the old
  // pointer must not be used again.
  // Replaces the string value (kind becomes kString).
  static Entry* SetString(Entry* e, std::string_view value, StrHint hint);
  // Appends to a string value, reserving room for further appends.
  static Entry* Append(Entry* e, std::string_view suffix);
  // Grows the string to at least `len` bytes (zero-filled) and returns a writable view.
  // The value's hint becomes kRaw.
  static Entry* GrowString(Entry* e, size_t len, char** data);
  // Sets or (with kNoExpiry) clears the expiry.
  static Entry* SetExpiry(Entry* e, int64_t expire_at);
  // A copy of `e` under another key (COPY, RENAME across shards).
  static Entry* CloneWithKey(const Entry* e, std::string_view key);

 private:
  static constexpr uint8_t kHasExpiry = 1 << 3;
  static constexpr uint8_t kHintMask = 3 << 4;
  static uint8_t HintBits(StrHint h) { return uint8_t(uint8_t(h) << 4); }

  uint8_t meta() const { return bytes()[0]; }
  const unsigned char* bytes() const { return reinterpret_cast<const unsigned char*>(this); }
  unsigned char* bytes() { return reinterpret_cast<unsigned char*>(this); }
  size_t KeyOffset() const { return has_expiry() ? 12 : 4; }
  // Offset of the payload (after the key).
  size_t PayloadOffset() const;
  // Total meaningful bytes.
  size_t UsedSize() const;
};

// Varint helpers (LEB128, 7 bits per byte).
size_t VarintSize(uint64_t v);
size_t PutVarint(unsigned char* p, uint64_t v);
size_t GetVarint(const unsigned char* p, uint64_t* v);

}  // namespace larder
