// Set values. Small sets are inline in their entry: an IntSet while every member is an
// integer (OBJECT ENCODING "intset", at most set-max-intset-entries), otherwise a pack
// of members in insertion order ("listpack", at most set-max-listpack-entries members
// of at most set-max-listpack-value bytes: Redis 7.2's encoding; 7.0 used a hashtable).
// Larger sets are a SetObject ("hashtable"). Everything REQUIRES the key's shard lock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/db_view.h"
#include "storage/intset.h"
#include "storage/object.h"
#include "storage/pack.h"
#include "storage/table.h"

namespace larder {

class SetObject final : public Object {
 public:
  Table members;  // entries: key = member, empty blob
  Object* Clone() const override;
  size_t MemoryUsage() const override;
};

// Read access to a set entry, whatever its encoding.
class SetReader {
 public:
  explicit SetReader(const Entry* e) : e_(e) {}
  size_t Size() const;
  bool Contains(std::string_view member) const;
  // Calls fn(member) for every member (intset ascending, listpack insertion order).
  // Integer members of an intset are formatted into a scratch buffer.
  template <typename Fn>
  void ForEach(Fn&& fn) const;
  // A uniformly random member.
  std::string Random() const;
  // All members (for set algebra and sampling).
  std::vector<std::string> Members() const;
  // SSCAN step (small sets are returned whole with cursor 0).
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn) const;

 private:
  const Entry* e_;
};

// Edits a set, creating it if absent; Commit writes back (converting encodings past
// the limits) and deletes the key if it became empty.
class SetWriter {
 public:
  SetWriter(DbView& db, const KeyArg& k, KeyRef ref);
  ~SetWriter();
  SetWriter(const SetWriter&) = delete;
  SetWriter& operator=(const SetWriter&) = delete;

  size_t Size() const;
  bool Contains(std::string_view member) const;
  bool Add(std::string_view member);
  bool Remove(std::string_view member);
  // Removes and returns a random member. REQUIRES: Size() > 0.
  std::string PopRandom();
  void Commit();

 private:
  void ToObject();
  void ToPack();

  DbView& db_;
  KeyArg key_;
  KeyRef ref_;
  bool existed_;
  bool dirty_ = false;
  Enc enc_;                   // working encoding
  std::string blob_;          // intset or pack being edited
  size_t count_ = 0;          // members in blob_
  SetObject* obj_ = nullptr;
  bool obj_is_new_ = false;
};

// ---- template implementations ----

std::string FormatIntMember(int64_t v);

template <typename Fn>
void SetReader::ForEach(Fn&& fn) const {
  if (e_->has_object()) {
    const Table& t = static_cast<const SetObject*>(e_->object())->members;
    for (size_t i = 0; i < t.capacity(); ++i) {
      if (t.Occupied(i)) fn(t.At(i)->key());
    }
  } else if (e_->enc() == Enc::kIntSet) {
    std::string_view blob = e_->blob();
    for (size_t i = 0, n = IntSet::Count(blob); i < n; ++i) fn(FormatIntMember(IntSet::At(blob, i)));
  } else {
    PackReader r(e_->blob());
    while (!r.Done()) fn(r.Next());
  }
}

template <typename Fn>
uint64_t SetReader::Scan(uint64_t cursor, size_t count, Fn&& fn) const {
  if (!e_->has_object()) {
    ForEach(fn);
    return 0;
  }
  const Table& t = static_cast<const SetObject*>(e_->object())->members;
  size_t budget = count * 10;
  size_t seen = 0;
  do {
    cursor = t.ScanBucket(cursor, [&](Entry* e) {
      fn(e->key());
      ++seen;
    });
  } while (cursor != 0 && seen < count && --budget > 0);
  return cursor;
}

}  // namespace larder
