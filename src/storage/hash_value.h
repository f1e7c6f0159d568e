// Hash values: small hashes are a pack of field, value, field, value, ... in insertion
// order inside their entry (OBJECT ENCODING "listpack"); past hash-max-listpack-entries
// fields or hash-max-listpack-value bytes they become a HashObject ("hashtable").
// Everything here REQUIRES the key's shard lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/db_view.h"
#include "storage/object.h"
#include "storage/pack.h"
#include "storage/table.h"

namespace larder {

class HashObject final : public Object {
 public:
  Table fields;  // entries: key = field, blob = value
  Object* Clone() const override;
  size_t MemoryUsage() const override;
};

// Read access to a hash entry, whatever its encoding.
class HashReader {
 public:
  explicit HashReader(const Entry* e) : e_(e) {}
  bool packed() const { return !e_->has_object(); }
  std::string_view Encoding() const { return packed() ? "listpack" : "hashtable"; }
  size_t Len() const;
  std::optional<std::string_view> Get(std::string_view field) const;
  // Calls fn(field, value) for every field (pack order for small hashes).
  template <typename Fn>
  void ForEach(Fn&& fn) const;
  // The i-th field of a small hash, or a uniformly random field of either encoding.
  std::pair<std::string_view, std::string_view> At(size_t i) const;
  std::pair<std::string_view, std::string_view> Random() const;
  // HSCAN step over a large hash (a small one is returned whole with cursor 0).
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn) const;

 private:
  const HashObject& obj() const { return *static_cast<const HashObject*>(e_->object()); }
  const Entry* e_;
};

// Edits a hash, creating it if absent. An existing small hash is edited in its entry's
// pack (Entry::SpliceBlob: each edit moves the bytes after it once, as Redis's
// listpack does); a new one is built in a buffer that Commit() inserts; a large one is
// edited in place. Converts to the hashtable encoding past the limits; Commit deletes
// the key if it is empty.
class HashWriter {
 public:
  // `ref` is the result of Find for `k` (empty when the key does not exist).
  HashWriter(DbView& db, const KeyArg& k, KeyRef ref);
  ~HashWriter();
  HashWriter(const HashWriter&) = delete;
  HashWriter& operator=(const HashWriter&) = delete;

  size_t Len() const;
  // The current value (valid until the next edit).
  std::optional<std::string_view> Get(std::string_view field) const;
  // Returns true if the field is new.
  bool Set(std::string_view field, std::string_view value);
  // Returns true if the field existed.
  bool Del(std::string_view field);
  void Commit();

 private:
  void ConvertIfNeeded(std::string_view field, std::string_view value);
  // The small hash's pack: the entry's (in_entry_) or pack_.
  std::string_view Pack() const;
  // Replaces bytes [offset, offset + erase) of the pack with `bytes`.
  void Splice(size_t offset, size_t erase, std::string_view bytes);
  // Rewrites the pack's element count (and count_).
  void SetCount(size_t count);
  // Offsets in Pack() of `field`'s pair: [begin, value_begin) field, [value_begin, end) value.
  bool FindPair(std::string_view field, size_t* begin, size_t* value_begin, size_t* end) const;

  DbView& db_;
  KeyArg key_;
  KeyRef ref_;
  bool existed_;
  bool dirty_ = false;
  bool in_entry_ = false;             // an existing small hash, edited in its entry
  std::string pack_;                  // a new small hash being built
  size_t count_ = 0;                  // elements in the pack (2 per field)
  HashObject* obj_ = nullptr;         // large hash (owned by the entry once committed)
  bool obj_is_new_ = false;           // created here (conversion or new key)
};

// ---- template implementations ----

template <typename Fn>
void HashReader::ForEach(Fn&& fn) const {
  if (packed()) {
    PackReader r(e_->blob());
    while (!r.Done()) {
      std::string_view f = r.Next();
      std::string_view v = r.Next();
      fn(f, v);
    }
    return;
  }
  const Table& t = obj().fields;
  for (size_t i = 0; i < t.capacity(); ++i) {
    if (t.Occupied(i)) fn(t.At(i)->key(), t.At(i)->blob());
  }
}

template <typename Fn>
uint64_t HashReader::Scan(uint64_t cursor, size_t count, Fn&& fn) const {
  if (packed()) {
    ForEach(fn);
    return 0;
  }
  const Table& t = obj().fields;
  size_t budget = count * 10;
  size_t seen = 0;
  do {
    cursor = t.ScanBucket(cursor, [&](Entry* e) {
      fn(e->key(), e->blob());
      ++seen;
    });
  } while (cursor != 0 && seen < count && --budget > 0);
  return cursor;
}

}  // namespace larder
