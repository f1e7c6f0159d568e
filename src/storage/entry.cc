#include "storage/entry.h"

#include <atomic>

#include <malloc.h>

#include <cassert>
#include <cstdlib>
#include <cstring>

#include "common/log.h"
#include "common/reclaimer.h"

namespace larder {

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

size_t PutVarint(unsigned char* p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<unsigned char>(v | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<unsigned char>(v);
  return n;
}

size_t GetVarint(const unsigned char* p, uint64_t* v) {
  uint64_t r = 0;
  size_t n = 0;
  int shift = 0;
  while (true) {
    unsigned char b = p[n++];
    r |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
  }
  *v = r;
  return n;
}

namespace {

constexpr size_t kMinAlloc = 16;

// Running out of memory is fatal, as in Redis (maxmemory is what keeps it away).
[[noreturn]] void OutOfMemory(size_t n) {
  LARDER_LOG(kWarning, "Out Of Memory allocating {} bytes!", n);
  std::abort();
}

void* Allocate(size_t n) {
  void* p = std::malloc(n < kMinAlloc ? kMinAlloc : n);
  if (p == nullptr) OutOfMemory(n);
  assert((reinterpret_cast<uintptr_t>(p) & 15) == 0);
  return p;
}

void FreeBlock(void* p) { std::free(p); }

// An entry's memory once no table points to it: optimistic readers that found it
// before it was unlinked may still be reading it (common/reclaimer.h).
void RetireBlock(void* p) { Reclaimer::Retire(p, FreeBlock, malloc_usable_size(p)); }

// As realloc, except that a block that moves is retired, not freed. Stays in place
// when `n` fits and uses over half the allocation.
void* Reallocate(void* old, size_t n) {
  const size_t have = malloc_usable_size(old);
  if (n <= have && n * 2 > have) return old;
  void* p = Allocate(n);
  std::memcpy(p, old, n < have ? n : have);
  RetireBlock(old);
  return p;
}

}  // namespace

namespace {

unsigned char MetaByte(ValueKind kind, uint8_t enc_bits, bool expiring) {
  return static_cast<unsigned char>(uint8_t(kind) | (expiring ? 1 << 3 : 0) | (enc_bits << 4));
}

// Allocates header + key + room for a payload of `payload_size` bytes; returns the
// entry and the payload offset.
unsigned char* AllocateWithKey(std::string_view key, unsigned char meta, int64_t expire_at,
                               uint32_t access, size_t payload_size, size_t* payload_off) {
  bool expiring = expire_at != kNoExpiry;
  size_t off = expiring ? 12 : 4;
  size_t size = off + VarintSize(key.size()) + key.size() + payload_size;
  auto* p = static_cast<unsigned char*>(Allocate(size));
  p[0] = meta;
  p[1] = static_cast<unsigned char>(access);
  p[2] = static_cast<unsigned char>(access >> 8);
  p[3] = static_cast<unsigned char>(access >> 16);
  if (expiring) std::memcpy(p + 4, &expire_at, 8);
  off += PutVarint(p + off, key.size());
  std::memcpy(p + off, key.data(), key.size());
  *payload_off = off + key.size();
  return p;
}

size_t PutBlob(unsigned char* p, std::string_view blob) {
  size_t n = PutVarint(p, blob.size());
  std::memcpy(p + n, blob.data(), blob.size());
  return n + blob.size();
}

}  // namespace

Entry* Entry::NewString(std::string_view key, std::string_view value, int64_t expire_at,
                        uint32_t access) {
  return NewBlob(key, ValueKind::kString, Enc(0), value, expire_at, access);
}

Entry* Entry::NewBlob(std::string_view key, ValueKind kind, Enc enc, std::string_view blob,
                      int64_t expire_at, uint32_t access) {
  size_t off = 0;
  unsigned char* p =
      AllocateWithKey(key, MetaByte(kind, uint8_t(enc), expire_at != kNoExpiry), expire_at,
                      access, VarintSize(blob.size()) + blob.size(), &off);
  PutBlob(p + off, blob);
  return reinterpret_cast<Entry*>(p);
}

Entry* Entry::NewObject(std::string_view key, ValueKind kind, Object* obj, int64_t expire_at,
                        uint32_t access) {
  size_t off = 0;
  unsigned char* p =
      AllocateWithKey(key, MetaByte(kind, uint8_t(Enc::kObject), expire_at != kNoExpiry),
                      expire_at, access, sizeof(Object*), &off);
  std::memcpy(p + off, &obj, sizeof obj);
  return reinterpret_cast<Entry*>(p);
}

void Entry::Free(Entry* e) {
  if (e->has_object()) delete e->object();
  RetireBlock(e);
}

int64_t Entry::expire_at() const {
  if (!has_expiry()) return kNoExpiry;
  int64_t at;
  std::memcpy(&at, bytes() + 4, 8);
  return at;
}

// The access bytes are the one part of an entry that readers under a shared shard
// hold write (LockSet::LockShared): relaxed atomic bytes, so two readers stamping the
// same entry do not race.
uint32_t Entry::access() const {
  unsigned char* b = const_cast<unsigned char*>(bytes());
  auto at = [b](int i) {
    return uint32_t(std::atomic_ref<unsigned char>(b[i]).load(std::memory_order_relaxed));
  };
  return at(1) | at(2) << 8 | at(3) << 16;
}

void Entry::set_access(uint32_t a) {
  unsigned char* b = bytes();
  for (int i = 1; i <= 3; ++i) {
    std::atomic_ref<unsigned char>(b[i]).store(static_cast<unsigned char>(a >> (8 * (i - 1))),
                                               std::memory_order_relaxed);
  }
}

std::string_view Entry::key() const {
  uint64_t len;
  size_t off = KeyOffset();
  off += GetVarint(bytes() + off, &len);
  return {reinterpret_cast<const char*>(bytes() + off), size_t(len)};
}

size_t Entry::PayloadOffset() const {
  uint64_t len;
  size_t off = KeyOffset();
  off += GetVarint(bytes() + off, &len);
  return off + len;
}

std::string_view Entry::blob() const {
  size_t off = PayloadOffset();
  uint64_t len;
  off += GetVarint(bytes() + off, &len);
  return {reinterpret_cast<const char*>(bytes() + off), size_t(len)};
}

Object* Entry::object() const {
  Object* obj;
  std::memcpy(&obj, bytes() + PayloadOffset(), sizeof obj);
  return obj;
}

size_t Entry::UsedSize() const {
  size_t off = PayloadOffset();
  if (has_object()) return off + sizeof(Object*);
  uint64_t len;
  off += GetVarint(bytes() + off, &len);
  return off + len;
}

size_t Entry::AllocSize() const {
  return malloc_usable_size(const_cast<Entry*>(this));
}

Entry* Entry::SetBlob(Entry* e, ValueKind kind, Enc enc, std::string_view blob) {
  if (e->has_object()) delete e->object();
  size_t payload = e->PayloadOffset();
  size_t need = payload + VarintSize(blob.size()) + blob.size();
  auto* p = reinterpret_cast<unsigned char*>(e);
  // The same size or a bit smaller: in place without asking the allocator; otherwise
  // ask how much room the allocation really has.
  size_t used = e->has_object() ? payload : e->UsedSize();
  if (need > used || need * 2 < used) {
    size_t room = e->AllocSize();
    if (need > room || need * 2 < room) p = static_cast<unsigned char*>(Reallocate(p, need));
  }
  PutBlob(p + payload, blob);
  p[0] = static_cast<unsigned char>((p[0] & kHasExpiry) | MetaByte(kind, uint8_t(enc), false));
  return reinterpret_cast<Entry*>(p);
}

Entry* Entry::SpliceBlob(Entry* e, size_t offset, size_t erase, std::string_view insert) {
  const size_t payload = e->PayloadOffset();
  uint64_t old_len = 0;
  const size_t old_hdr = GetVarint(e->bytes() + payload, &old_len);
  assert(offset + erase <= old_len);
  const size_t new_len = size_t(old_len) - erase + insert.size();
  const size_t new_hdr = VarintSize(new_len);
  const size_t need = payload + new_hdr + new_len;
  auto* p = reinterpret_cast<unsigned char*>(e);
  if (need > payload + old_hdr + old_len && need > e->AllocSize()) {
    p = static_cast<unsigned char*>(Reallocate(p, need));
  }
  unsigned char* body_old = p + payload + old_hdr;
  unsigned char* body_new = p + payload + new_hdr;
  unsigned char* tail_src = body_old + offset + erase;
  unsigned char* tail_dst = body_new + offset + insert.size();
  const size_t tail_len = size_t(old_len) - offset - erase;
  // Whichever region moves towards the other goes second, so neither overwrites the
  // other's bytes before they move.
  if (tail_dst > tail_src) {
    std::memmove(tail_dst, tail_src, tail_len);
    if (new_hdr != old_hdr) std::memmove(body_new, body_old, offset);
  } else {
    if (new_hdr != old_hdr) std::memmove(body_new, body_old, offset);
    if (tail_dst != tail_src) std::memmove(tail_dst, tail_src, tail_len);
  }
  if (!insert.empty()) std::memcpy(body_new + offset, insert.data(), insert.size());
  PutVarint(p + payload, new_len);
  // Shrunk to under half its allocation (deletions one by one): give the rest back.
  if (need < payload + old_hdr + old_len && need * 2 < reinterpret_cast<Entry*>(p)->AllocSize()) {
    p = static_cast<unsigned char*>(Reallocate(p, need));
  }
  return reinterpret_cast<Entry*>(p);
}

Entry* Entry::SetString(Entry* e, std::string_view value, StrHint hint) {
  return SetBlob(e, ValueKind::kString, Enc(uint8_t(hint)), value);
}

Entry* Entry::SetObject(Entry* e, ValueKind kind, Object* obj) {
  if (e->has_object() && e->object() != obj) delete e->object();
  size_t payload = e->PayloadOffset();
  auto* p = reinterpret_cast<unsigned char*>(e);
  if (payload + sizeof obj > e->AllocSize()) {
    p = static_cast<unsigned char*>(Reallocate(p, payload + sizeof obj));
  }
  std::memcpy(p + payload, &obj, sizeof obj);
  p[0] = static_cast<unsigned char>((p[0] & kHasExpiry) |
                                    MetaByte(kind, uint8_t(Enc::kObject), false));
  return reinterpret_cast<Entry*>(p);
}

Entry* Entry::GrowString(Entry* e, size_t len, char** data) {
  std::string_view old = e->str();
  size_t payload = e->PayloadOffset();
  size_t old_hdr = VarintSize(old.size());
  size_t new_len = len > old.size() ? len : old.size();
  size_t new_hdr = VarintSize(new_len);
  size_t need = payload + new_hdr + new_len;
  size_t old_len = old.size();
  auto* p = reinterpret_cast<unsigned char*>(e);
  if (need > e->AllocSize()) {
    // Reserve room for further growth, as an appended string usually grows again.
    size_t want = need < (1 << 20) ? need * 2 : need + (1 << 20);
    p = static_cast<unsigned char*>(Reallocate(p, want));
  }
  if (new_hdr != old_hdr) {
    std::memmove(p + payload + new_hdr, p + payload + old_hdr, old_len);
  }
  PutVarint(p + payload, new_len);
  std::memset(p + payload + new_hdr + old_len, 0, new_len - old_len);
  p[0] = static_cast<unsigned char>((p[0] & ~kHintMask) | HintBits(StrHint::kRaw));
  *data = reinterpret_cast<char*>(p + payload + new_hdr);
  return reinterpret_cast<Entry*>(p);
}

Entry* Entry::Append(Entry* e, std::string_view suffix) {
  size_t old_len = e->str().size();
  char* data = nullptr;
  e = GrowString(e, old_len + suffix.size(), &data);
  std::memcpy(data + old_len, suffix.data(), suffix.size());
  return e;
}

Entry* Entry::SetExpiry(Entry* e, int64_t expire_at) {
  bool want = expire_at != kNoExpiry;
  auto* p = reinterpret_cast<unsigned char*>(e);
  if (want && e->has_expiry()) {
    std::memcpy(p + 4, &expire_at, 8);
    return e;
  }
  if (!want && !e->has_expiry()) return e;
  size_t used = e->UsedSize();
  if (want) {
    p = static_cast<unsigned char*>(Reallocate(p, used + 8));
    std::memmove(p + 12, p + 4, used - 4);
    std::memcpy(p + 4, &expire_at, 8);
    p[0] = static_cast<unsigned char>(p[0] | kHasExpiry);
  } else {
    std::memmove(p + 4, p + 12, used - 12);
    p[0] = static_cast<unsigned char>(p[0] & ~kHasExpiry);
    p = static_cast<unsigned char*>(Reallocate(p, used - 8));
  }
  return reinterpret_cast<Entry*>(p);
}

Entry* Entry::CloneWithKey(const Entry* e, std::string_view key) {
  Entry* c = e->has_object()
                 ? NewObject(key, e->kind(), e->object()->Clone(), e->expire_at(), e->access())
                 : NewBlob(key, e->kind(), Enc((e->meta() >> 4) & 3), e->blob(), e->expire_at(),
                           e->access());
  return c;
}

Entry* Entry::Rekey(Entry* e, std::string_view key) {
  Entry* moved;
  if (e->has_object()) {
    moved = NewObject(key, e->kind(), e->object(), e->expire_at(), e->access());
  } else {
    moved = NewBlob(key, e->kind(), Enc((e->meta() >> 4) & 3), e->blob(), e->expire_at(),
                    e->access());
  }
  RetireBlock(e);  // the object, if any, now belongs to `moved`
  return moved;
}

}  // namespace larder
