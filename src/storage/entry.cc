#include "storage/entry.h"

#include <malloc.h>

#include <cassert>
#include <cstdlib>
#include <cstring>

#include "common/log.h"

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

void* Reallocate(void* old, size_t n) {
  void* p = std::realloc(old, n < kMinAlloc ? kMinAlloc : n);
  if (p == nullptr) OutOfMemory(n);
  assert((reinterpret_cast<uintptr_t>(p) & 15) == 0);
  return p;
}

}  // namespace

Entry* Entry::NewString(std::string_view key, std::string_view value, int64_t expire_at,
                        uint32_t access) {
  bool expiring = expire_at != kNoExpiry;
  size_t size = (expiring ? 12 : 4) + VarintSize(key.size()) + key.size() +
                VarintSize(value.size()) + value.size();
  auto* p = static_cast<unsigned char*>(Allocate(size));
  p[0] = static_cast<unsigned char>(uint8_t(ValueKind::kString) | (expiring ? kHasExpiry : 0));
  p[1] = static_cast<unsigned char>(access);
  p[2] = static_cast<unsigned char>(access >> 8);
  p[3] = static_cast<unsigned char>(access >> 16);
  size_t off = 4;
  if (expiring) {
    std::memcpy(p + 4, &expire_at, 8);
    off = 12;
  }
  off += PutVarint(p + off, key.size());
  std::memcpy(p + off, key.data(), key.size());
  off += key.size();
  off += PutVarint(p + off, value.size());
  std::memcpy(p + off, value.data(), value.size());
  return reinterpret_cast<Entry*>(p);
}

void Entry::Free(Entry* e) { std::free(e); }

int64_t Entry::expire_at() const {
  if (!has_expiry()) return kNoExpiry;
  int64_t at;
  std::memcpy(&at, bytes() + 4, 8);
  return at;
}

uint32_t Entry::access() const {
  const unsigned char* b = bytes();
  return uint32_t(b[1]) | uint32_t(b[2]) << 8 | uint32_t(b[3]) << 16;
}

void Entry::set_access(uint32_t a) {
  unsigned char* b = bytes();
  b[1] = static_cast<unsigned char>(a);
  b[2] = static_cast<unsigned char>(a >> 8);
  b[3] = static_cast<unsigned char>(a >> 16);
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

std::string_view Entry::str() const {
  size_t off = PayloadOffset();
  uint64_t len;
  off += GetVarint(bytes() + off, &len);
  return {reinterpret_cast<const char*>(bytes() + off), size_t(len)};
}

size_t Entry::UsedSize() const {
  size_t off = PayloadOffset();
  if (kind() != ValueKind::kString) return off + sizeof(void*);
  uint64_t len;
  off += GetVarint(bytes() + off, &len);
  return off + len;
}

size_t Entry::AllocSize() const {
  return malloc_usable_size(const_cast<Entry*>(this));
}

Entry* Entry::SetString(Entry* e, std::string_view value, StrHint hint) {
  size_t payload = e->PayloadOffset();
  size_t need = payload + VarintSize(value.size()) + value.size();
  auto* p = reinterpret_cast<unsigned char*>(e);
  // Same or a bit smaller than the current value: in place, without asking the
  // allocator. Otherwise ask it how much room the allocation really has.
  size_t used = e->UsedSize();
  if (need > used || need * 2 < used) {
    size_t room = e->AllocSize();
    if (need > room || need * 2 < room) p = static_cast<unsigned char*>(Reallocate(p, need));
  }
  size_t off = payload + PutVarint(p + payload, value.size());
  std::memcpy(p + off, value.data(), value.size());
  p[0] = static_cast<unsigned char>((p[0] & kHasExpiry) | uint8_t(ValueKind::kString) |
                                    HintBits(hint));
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
  assert(e->kind() == ValueKind::kString);
  Entry* c = NewString(key, e->str(), e->expire_at(), e->access());
  auto* p = reinterpret_cast<unsigned char*>(c);
  p[0] = static_cast<unsigned char>(p[0] | (e->meta() & kHintMask));
  return c;
}

}  // namespace larder
