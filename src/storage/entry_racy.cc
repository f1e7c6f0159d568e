// Entry's optimistic-read accessors (entry.h, "Optimistic reads").
#include <cstring>

#include "storage/entry.h"

namespace larder {
namespace {

unsigned char LoadByte(const unsigned char* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }

// Reads the varint at p. Each byte after the first is read only once read.Valid()
// confirms the continuation bit before it (so that byte exists). False: not valid.
bool RacyVarint(const unsigned char* p, const OptimisticRead& read, uint64_t* v, size_t* len) {
  uint64_t r = 0;
  for (size_t i = 0; i < 10; ++i) {
    if (i > 0 && !read.Valid()) return false;
    const unsigned char b = LoadByte(p + i);
    r |= uint64_t(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *v = r;
      *len = i + 1;
      return true;
    }
  }
  return false;  // no entry holds such a varint: a torn read
}

}  // namespace

int Entry::RacyKeyIs(const Entry* e, std::string_view key, const OptimisticRead& read,
                     RacyLayout* layout) {
  const unsigned char* b = e->bytes();
  const uint8_t meta = LoadByte(b);
  // The key's length starts at byte 4 or 12: inside the 16 bytes every entry has.
  const size_t off = (meta & kHasExpiry) ? 12 : 4;
  uint64_t key_len = 0;
  size_t hdr = 0;
  if (!RacyVarint(b + off, read, &key_len, &hdr)) return -1;
  if (key_len != key.size()) return 0;
  if (!read.Valid()) return -1;  // meta and length belong together: the key is inside
  if (std::memcmp(b + off + hdr, key.data(), key.size()) != 0) return 0;
  layout->meta = meta;
  layout->payload = off + hdr + key.size();
  return 1;
}

int64_t Entry::RacyExpireAt(const Entry* e, const RacyLayout& layout) {
  if (!(layout.meta & kHasExpiry)) return kNoExpiry;
  int64_t at;
  std::memcpy(&at, e->bytes() + 4, 8);
  return at;
}

bool Entry::RacyBlob(const Entry* e, const RacyLayout& layout, const OptimisticRead& read,
                     ValueSink& out) {
  const unsigned char* p = e->bytes() + layout.payload;
  uint64_t len = 0;
  size_t hdr = 0;
  if (!RacyVarint(p, read, &len, &hdr)) return false;
  if (!read.Valid()) return false;  // the length is the blob's: its bytes are inside
  char* const dst = out.Room(size_t(len));
  if (len != 0) std::memcpy(dst, p + hdr, size_t(len));
  return true;
}

}  // namespace larder
