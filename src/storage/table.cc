#include "storage/table.h"

#include <cassert>
#include <utility>

#include "common/hash.h"
#include "common/reclaimer.h"

namespace larder {
namespace {

constexpr size_t kMinCapacity = 8;

// Grow past 80% load; shrink below 10%.
bool OverLoaded(size_t size, size_t cap) { return size * 5 > cap * 4; }
bool UnderLoaded(size_t size, size_t cap) { return cap > kMinCapacity && size * 10 < cap; }

void FreeSlots(void* p) { delete[] static_cast<uint64_t*>(p); }

}  // namespace

void Table::RetireSlots(uint64_t* slots, size_t capacity) {
  // Optimistic readers may still be probing it (common/reclaimer.h).
  if (slots != nullptr) Reclaimer::Retire(slots, FreeSlots, capacity * sizeof(uint64_t));
}

uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
  return __builtin_bswap64(v);
}

Table::~Table() { Clear(); }

Table::Table(Table&& other) noexcept
    : slots_(std::exchange(other.slots_, nullptr)),
      mask_(std::exchange(other.mask_, 0)),
      size_(std::exchange(other.size_, 0)),
      volatile_(other.volatile_) {
  other.SetVolatile(0);
}

Table& Table::operator=(Table&& other) noexcept {
  if (this != &other) {
    Clear();
    slots_ = std::exchange(other.slots_, nullptr);
    mask_ = std::exchange(other.mask_, 0);
    size_ = std::exchange(other.size_, 0);
    SetVolatile(other.volatile_);
    other.SetVolatile(0);
  }
  return *this;
}

uint64_t Table::MakeSlot(uint64_t hash, Entry* e) {
  auto p = reinterpret_cast<uint64_t>(e);
  assert((p & ~kPtrMask) == 0 && "entry pointer must be 16-byte aligned and below 2^48");
  return Tag(hash) << kTagShift | p | (e->has_expiry() ? kVolatileBit : 0);
}

size_t Table::HomeOf(uint64_t w, size_t mask) const {
  if (mask <= 0xFFFF) return size_t(w >> kTagShift) & mask;
  return size_t(HashKey(EntryOf(w)->key())) & mask;
}

template <typename Match>
size_t Table::Probe(uint64_t hash, Match&& match) const {
  if (!slots_) return kNotFound;
  const uint64_t tag = Tag(hash);
  for (size_t i = size_t(hash) & mask_;; i = (i + 1) & mask_) {
    uint64_t w = slots_[i];
    if (w == 0) return kNotFound;
    if ((w >> kTagShift) == tag && match(EntryOf(w))) return i;
  }
}

size_t Table::Find(uint64_t hash, std::string_view key) const {
  return Probe(hash, [key](const Entry* e) { return e->key() == key; });
}

size_t Table::FindHash(uint64_t hash) const {
  return Probe(hash, [hash](const Entry* e) { return HashKey(e->key()) == hash; });
}

void Table::PrefetchEntry(uint64_t hash) const {
  // Stops at the first entry with the tag, without reading it.
  Probe(hash, [](const Entry* e) {
    __builtin_prefetch(e);
    return true;
  });
}

template <typename Match>
int Table::ProbeRacy(uint64_t hash, const OptimisticRead& read, size_t max_steps,
                     Match&& match) const {
  // The array and its mask belong together once validated; the array, even if
  // replaced since, stays allocated (retired) and unchanged while the caller reads.
  const uint64_t* slots = __atomic_load_n(&slots_, __ATOMIC_RELAXED);
  const size_t mask = __atomic_load_n(&mask_, __ATOMIC_RELAXED);
  if (!read.Valid()) return -1;
  if (slots == nullptr) return 0;
  const uint64_t tag = Tag(hash);
  for (size_t n = 0, i = size_t(hash) & mask; n < max_steps; ++n, i = (i + 1) & mask) {
    // A table is never full, but a torn view of one might look so: one lap at most.
    if (n > mask) return -1;
    const uint64_t w = __atomic_load_n(&slots[i], __ATOMIC_RELAXED);
    if (w == 0) return 0;
    if ((w >> kTagShift) != tag) continue;
    // Every slot word ever stored names an entry that is allocated (or retired).
    if (const int m = match(EntryOf(w)); m != 0) return m;
  }
  return 0;
}

bool Table::FindRacy(uint64_t hash, std::string_view key, const OptimisticRead& read,
                     const Entry** entry, Entry::RacyLayout* layout) const {
  *entry = nullptr;
  return ProbeRacy(hash, read, SIZE_MAX, [&](const Entry* e) {
           const int is = Entry::RacyKeyIs(e, key, read, layout);
           if (is > 0) *entry = e;
           return is;
         }) >= 0;
}

void Table::PrefetchEntryRacy(uint64_t hash, const OptimisticRead& read) const {
  // A few steps are enough for a hint (probe paths are short at load <= 0.8).
  ProbeRacy(hash, read, 8, [](const Entry* e) {
    __builtin_prefetch(e);
    return 1;
  });
}

void Table::PlaceNoGrow(uint64_t w, size_t home) {
  size_t i = home;
  while (slots_[i] != 0) i = (i + 1) & mask_;
  slots_[i] = w;
}

void Table::Resize(size_t new_capacity) {
  uint64_t* old = slots_;
  size_t old_cap = old ? mask_ + 1 : 0;
  slots_ = new uint64_t[new_capacity]();
  mask_ = new_capacity - 1;
  for (size_t i = 0; i < old_cap; ++i) {
    uint64_t w = old[i];
    if (w == 0) continue;
    size_t home;
    if (mask_ <= 0xFFFF) home = size_t(w >> kTagShift) & mask_;
    else home = size_t(HashKey(EntryOf(w)->key())) & mask_;
    PlaceNoGrow(w, home);
  }
  RetireSlots(old, old_cap);
}

size_t Table::Insert(uint64_t hash, Entry* e) {
  if (!slots_) Resize(kMinCapacity);
  else if (OverLoaded(size_ + 1, mask_ + 1)) Resize((mask_ + 1) * 2);
  uint64_t w = MakeSlot(hash, e);
  size_t i = size_t(hash) & mask_;
  while (slots_[i] != 0) i = (i + 1) & mask_;
  slots_[i] = w;
  ++size_;
  if (w & kVolatileBit) SetVolatile(volatile_ + 1);
  return i;
}

void Table::Update(size_t slot, Entry* e) {
  uint64_t old = slots_[slot];
  uint64_t w = (old & ~(kPtrMask | kVolatileBit)) | reinterpret_cast<uint64_t>(e) |
               (e->has_expiry() ? kVolatileBit : 0);
  assert((reinterpret_cast<uint64_t>(e) & ~kPtrMask) == 0);
  if (w == old) return;  // an in-place change leaves the slot's line clean for readers
  if ((old & kVolatileBit) && !(w & kVolatileBit)) SetVolatile(volatile_ - 1);
  if (!(old & kVolatileBit) && (w & kVolatileBit)) SetVolatile(volatile_ + 1);
  slots_[slot] = w;
}

bool Table::Erase(uint64_t hash, std::string_view key) {
  const size_t slot = Find(hash, key);
  if (slot == kNotFound) return false;
  Entry* e = At(slot);
  RemoveAt(slot);
  MaybeShrink();
  Entry::Free(e);
  return true;
}

void Table::RemoveAt(size_t slot) {
  if (slots_[slot] & kVolatileBit) SetVolatile(volatile_ - 1);
  --size_;
  // Backward shift: move later members of the cluster into the hole when their home
  // allows it (their home is not cyclically within (hole, j]).
  size_t hole = slot;
  for (size_t j = (hole + 1) & mask_; slots_[j] != 0; j = (j + 1) & mask_) {
    size_t home = HomeOf(slots_[j], mask_);
    bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = 0;
}

void Table::MaybeShrink() {
  if (!slots_) return;
  if (size_ == 0) {
    RetireSlots(std::exchange(slots_, nullptr), mask_ + 1);
    mask_ = 0;
    return;
  }
  size_t cap = mask_ + 1;
  while (UnderLoaded(size_, cap)) cap /= 2;
  if (cap != mask_ + 1) Resize(cap);
}

void Table::Clear() {
  if (slots_) {
    for (size_t i = 0; i <= mask_; ++i) {
      if (slots_[i] != 0) Entry::Free(EntryOf(slots_[i]));
    }
  }
  RetireSlots(std::exchange(slots_, nullptr), mask_ + 1);
  mask_ = size_ = 0;
  SetVolatile(0);
}

size_t Table::RandomSlot(uint64_t rnd) const {
  if (size_ == 0) return kNotFound;
  // Load is >= 10% (or the table is tiny), so a few probes find an occupied slot.
  uint64_t x = rnd;
  while (true) {
    size_t i = size_t(x) & mask_;
    if (slots_[i] != 0) return i;
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    x ^= x >> 29;
  }
}

}  // namespace larder
