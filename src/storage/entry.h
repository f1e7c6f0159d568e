// One key and its value in a single allocation.
//
// Layout (bytes):
//   [0]      meta: bits 0-2 kind, bit 3 has-expiry, bits 4-5 encoding (strings: the
//            StrHint; collections: the Enc)
//   [1..3]   access: 24-bit LRU clock, or LFU (16-bit minutes << 8 | 8-bit counter)
//   [4..11]  expire-at, ms since the epoch (int64) -- only when has-expiry
//   varint   key length, then the key bytes
//   payload  a blob (varint length, then the bytes: a string's value, or a small
//            collection packed inline), or, for Enc::kObject, an 8-byte Object pointer
//
// A 10-byte key with a 16-byte value takes 32 bytes (one jemalloc size class).
// Allocations are at least 16 bytes, so entry pointers have their low 4 bits clear
// (the table keeps flags there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "storage/object.h"

namespace larder {

// Where a copied value goes: Room(n) returns room for its n bytes, valid until the next
// Room call. A racy copy (Entry::RacyBlob) that is retried asks again.
class ValueSink {
 public:
  virtual char* Room(size_t n) = 0;

 protected:
  ~ValueSink() = default;
};

// A ValueSink that is a string (resized to the value).
class StringSink final : public ValueSink {
 public:
  explicit StringSink(std::string* s) : s_(s) {}
  char* Room(size_t n) override {
    s_->resize(n);
    return s_->data();
  }

 private:
  std::string* s_;
};

enum class ValueKind : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

// Encoding of a collection value.
enum class Enc : uint8_t {
  kPacked = 0,  // inline pack (hash, set, zset: listpack; list: a single quicklist node)
  kIntSet = 1,  // inline sorted integers (sets)
  kObject = 2,  // heap Object (hashtable, skiplist, quicklist)
};

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
  // Allocates an entry whose payload is an inline blob of the given kind/encoding.
  static Entry* NewBlob(std::string_view key, ValueKind kind, Enc enc, std::string_view blob,
                        int64_t expire_at, uint32_t access);
  // Allocates an entry owning `obj`.
  static Entry* NewObject(std::string_view key, ValueKind kind, Object* obj, int64_t expire_at,
                          uint32_t access);
  // Frees the entry: the Object it owns (if any) at once, its own memory once no
  // optimistic read can still be reading it (common/reclaimer.h). The mutators below
  // retire memory they move away from in the same way.
  static void Free(Entry* e);

  ValueKind kind() const { return ValueKind(meta() & 7); }
  bool has_expiry() const { return meta() & kHasExpiry; }
  int64_t expire_at() const;
  // REQUIRES: kind() == kString.
  StrHint str_hint() const { return StrHint((meta() >> 4) & 3); }
  // The access field. Thread-safe against other readers' set_access (readers of a
  // shared shard hold may stamp the same entry at once); all else REQUIRES the shard
  // lock.
  uint32_t access() const;
  void set_access(uint32_t a);

  std::string_view key() const;
  // REQUIRES: kind() == kString.
  std::string_view str() const { return blob(); }
  // Collection encoding. REQUIRES: kind() != kString.
  Enc enc() const { return Enc((meta() >> 4) & 3); }
  bool has_object() const { return kind() != ValueKind::kString && enc() == Enc::kObject; }
  // The inline payload. REQUIRES: !has_object().
  std::string_view blob() const;
  // The owned object. REQUIRES: has_object().
  Object* object() const;

  // Optimistic reads (storage/optimistic_read.cc), without the shard's lock: the entry
  // may be changing, or retired (still allocated: the caller is inside
  // Reclaimer::Enter/Exit). Every byte is read with a relaxed load; read.Valid() is
  // checked before an address computed from earlier reads is followed past the 16
  // bytes every entry has, so no read leaves the allocation. What they return holds
  // only if read.Valid() still holds after the caller's last read.
  struct RacyLayout {
    uint8_t meta = 0;    // the meta byte: kind, has-expiry, encoding
    size_t payload = 0;  // offset of the payload
    ValueKind kind() const { return ValueKind(meta & 7); }
  };
  // 1: the entry's key is `key` (*layout filled), 0: it is not, -1: read.Valid() failed.
  static int RacyKeyIs(const Entry* e, std::string_view key, const OptimisticRead& read,
                       RacyLayout* layout);
  // The expiry (kNoExpiry if none). REQUIRES: `layout` from RacyKeyIs on `e`.
  static int64_t RacyExpireAt(const Entry* e, const RacyLayout& layout);
  // Copies the inline blob into out.Room(its length), which holds the blob only if
  // read.Valid() holds afterwards; false (nothing copied): read.Valid() failed on the
  // way. REQUIRES: `layout` from
  // RacyKeyIs on `e` says an inline payload.
  static bool RacyBlob(const Entry* e, const RacyLayout& layout, const OptimisticRead& read,
                       ValueSink& out);

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
  // Replaces the payload with an inline blob (the kind may change; an owned object is
  // destroyed).
  static Entry* SetBlob(Entry* e, ValueKind kind, Enc enc, std::string_view blob);
  // Replaces bytes [offset, offset + erase) of the inline blob with `insert`, moving
  // only what follows them (and, when the blob's length prefix changes size, what
  // precedes them): an edit of a small collection without rebuilding it. Grows the
  // allocation only past its usable size, and shrinks it once under half used.
  // REQUIRES: !has_object(), offset + erase <= blob().size(), and `insert` does not
  // point into the entry.
  static Entry* SpliceBlob(Entry* e, size_t offset, size_t erase, std::string_view insert);
  // Replaces the payload with `obj` (an owned object other than obj is destroyed).
  static Entry* SetObject(Entry* e, ValueKind kind, Object* obj);
  // A deep copy of `e` under another key (COPY).
  static Entry* CloneWithKey(const Entry* e, std::string_view key);
  // The same value under another key (RENAME): the payload (and object) moves, `e` is
  // freed.
  static Entry* Rekey(Entry* e, std::string_view key);

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
