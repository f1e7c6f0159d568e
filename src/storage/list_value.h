// List values, as Redis's quicklist: a sequence of packed nodes, each at most
// list-max-listpack-size (-1..-5: 4..64 KiB; N > 0: N elements). A list that fits one
// node is stored inline in its entry; a longer one is a ListObject. OBJECT ENCODING
// reports "quicklist" for both, as Redis 7.0 does. Everything here REQUIRES the key's
// shard lock.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/db_view.h"
#include "storage/object.h"
#include "storage/pack.h"

namespace larder {

// The nodes of a list (each a pack) and its length.
struct ListNodes {
  std::deque<std::string> nodes;
  size_t count = 0;
};

class ListObject final : public Object {
 public:
  ListNodes list;
  Object* Clone() const override;
  size_t MemoryUsage() const override;
};

// Read access to a list entry.
class ListReader {
 public:
  explicit ListReader(const Entry* e);
  size_t Len() const { return len_; }
  // Element at a 0-based index (REQUIRES: index < Len()).
  std::string_view At(size_t index) const;
  // Calls fn(element) for indexes [start, stop] (REQUIRES: start <= stop < Len()),
  // front to back.
  template <typename Fn>
  void ForRange(size_t start, size_t stop, Fn&& fn) const;
  // Calls fn(index, element) back to front over all elements; fn returns false to stop.
  template <typename Fn>
  void ForEachReverse(Fn&& fn) const;

 private:
  size_t NodeCount() const;
  std::string_view Node(size_t i) const;

  const Entry* e_;
  const ListObject* obj_;
  size_t len_;
};

// Edits a list, creating it if absent. A large list (a ListObject) is edited in place.
// A small one (one node inline in its entry) takes pushes that keep it one node in
// place too, moving its bytes once per element as Redis's listpack does; any other
// edit, or a push past the node limit, first takes a working copy that Commit()
// writes back. Commit deletes an emptied list.
class ListWriter {
 public:
  ListWriter(DbView& db, const KeyArg& k, KeyRef ref);
  ~ListWriter();
  ListWriter(const ListWriter&) = delete;
  ListWriter& operator=(const ListWriter&) = delete;

  size_t Len() const { return in_entry_ ? entry_count_ : nodes_->count; }
  void Push(std::string_view v, bool front);
  // Removes and returns the first (front) or last element. REQUIRES: Len() > 0.
  std::string Pop(bool front);
  // Replaces the element at index (REQUIRES: index < Len()).
  void Set(size_t index, std::string_view v);
  // Inserts v before/after the first occurrence of pivot; false if pivot is absent.
  bool Insert(std::string_view pivot, std::string_view v, bool after);
  // LREM: removes up to |count| occurrences (count > 0 from the head, < 0 from the
  // tail, 0 all); returns how many.
  size_t Remove(std::string_view v, int64_t count);
  // Keeps indexes [start, stop] (REQUIRES: start <= stop < Len()) or, with
  // keep_none, removes everything.
  void Keep(size_t start, size_t stop, bool keep_none);
  void Commit();

 private:
  // Whether `node` with `extra_bytes` / `extra_elements` more stays within the node
  // limit (bytes, or elements when list-max-listpack-size is positive).
  bool NodeWithin(std::string_view node, size_t extra_bytes, size_t extra_elements) const;
  // Pushes onto the small list in its entry. REQUIRES: in_entry_, and the element
  // keeps the node within its limit.
  void PushInEntry(std::string_view v, bool front);
  // Copies the small list out of its entry into local_ (no-op unless in_entry_).
  void TakeWorkingCopy();
  // Splits nodes that grew past the limit (around node i).
  void SplitIfNeeded(size_t i);
  // Node and offset within it of a list index.
  size_t Locate(size_t index, size_t* within) const;

  DbView& db_;
  KeyArg key_;
  KeyRef ref_;
  bool existed_;
  bool dirty_ = false;
  bool grew_ = false;         // elements were added (blocked clients may be served)
  bool in_entry_ = false;     // a small list still edited in its entry (no copy)
  size_t entry_count_ = 0;    // the length while in_entry_
  // A small or new list's working copy, made only when needed: a deque allocates when
  // constructed, and most writes push onto an entry's list or edit an object's.
  std::optional<ListNodes> local_;
  ListNodes* nodes_ = nullptr;  // *local_ or the object's; null while in_entry_
  ListObject* obj_ = nullptr;
};

// Decodes a pack into views of its elements / encodes elements into a pack.
std::vector<std::string_view> UnpackAll(std::string_view pack);
std::string PackAll(const std::vector<std::string_view>& elements);

// ---- template implementations ----

template <typename Fn>
void ListReader::ForRange(size_t start, size_t stop, Fn&& fn) const {
  size_t base = 0;
  for (size_t n = 0; n < NodeCount() && base <= stop; ++n) {
    std::string_view node = Node(n);
    size_t c = PackCount(node);
    if (base + c > start) {
      PackReader r(node);
      for (size_t i = base; i < base + c && i <= stop; ++i) {
        std::string_view v = r.Next();
        if (i >= start) fn(v);
      }
    }
    base += c;
  }
}

template <typename Fn>
void ListReader::ForEachReverse(Fn&& fn) const {
  size_t end = len_;
  for (size_t n = NodeCount(); n-- > 0;) {
    std::vector<std::string_view> elems = UnpackAll(Node(n));
    end -= elems.size();
    for (size_t i = elems.size(); i-- > 0;) {
      if (!fn(end + i, elems[i])) return;
    }
  }
}

}  // namespace larder
