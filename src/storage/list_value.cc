#include "storage/list_value.h"

#include <algorithm>

namespace larder {

std::vector<std::string_view> UnpackAll(std::string_view pack) {
  std::vector<std::string_view> out;
  PackReader r(pack);
  out.reserve(r.count());
  while (!r.Done()) out.push_back(r.Next());
  return out;
}

std::string PackAll(const std::vector<std::string_view>& elements) {
  PackWriter w;
  for (std::string_view e : elements) w.Add(e);
  return w.Finish();
}

Object* ListObject::Clone() const {
  auto* c = new ListObject();
  c->list = list;
  return c;
}

size_t ListObject::MemoryUsage() const {
  size_t n = sizeof(*this);
  for (const std::string& node : list.nodes) n += node.capacity() + sizeof(std::string);
  return n;
}

// ---- ListReader ----

ListReader::ListReader(const Entry* e)
    : e_(e), obj_(e->has_object() ? static_cast<const ListObject*>(e->object()) : nullptr) {
  len_ = obj_ ? obj_->list.count : PackCount(e->blob());
}

size_t ListReader::NodeCount() const { return obj_ ? obj_->list.nodes.size() : 1; }

std::string_view ListReader::Node(size_t i) const {
  return obj_ ? std::string_view(obj_->list.nodes[i]) : e_->blob();
}

std::string_view ListReader::At(size_t index) const {
  // Walk from the nearer end.
  if (index >= len_ / 2 && NodeCount() > 1) {
    size_t end = len_;
    for (size_t n = NodeCount(); n-- > 0;) {
      size_t c = PackCount(Node(n));
      if (index >= end - c) {
        PackReader r(Node(n));
        for (size_t i = end - c; i < index; ++i) r.Next();
        return r.Next();
      }
      end -= c;
    }
  }
  size_t base = 0;
  for (size_t n = 0; n < NodeCount(); ++n) {
    size_t c = PackCount(Node(n));
    if (index < base + c) {
      PackReader r(Node(n));
      for (size_t i = base; i < index; ++i) r.Next();
      return r.Next();
    }
    base += c;
  }
  return {};
}

// ---- ListWriter ----

ListWriter::ListWriter(DbView& db, const KeyArg& k, KeyRef ref)
    : db_(db), key_(k), ref_(ref), existed_(bool(ref)) {
  if (existed_ && ref_.entry()->has_object()) {
    obj_ = static_cast<ListObject*>(ref_.entry()->object());
    nodes_ = &obj_->list;
  } else if (existed_) {
    in_entry_ = true;  // pushes edit the entry; anything else first takes a copy
    entry_count_ = PackCount(ref_.entry()->blob());
  } else {
    nodes_ = &local_.emplace();
  }
}

void ListWriter::TakeWorkingCopy() {
  if (!in_entry_) return;
  in_entry_ = false;
  nodes_ = &local_.emplace();
  local_->count = entry_count_;
  local_->nodes.emplace_back(ref_.entry()->blob());
}

void ListWriter::PushInEntry(std::string_view v, bool front) {
  uint64_t count = 0;
  const size_t count_len =
      GetVarint(reinterpret_cast<const unsigned char*>(ref_.entry()->blob().data()), &count);
  PackBytes head;  // the new count, and at the front the element after it
  head.AddVarint(count + 1);
  if (front) head.AddElement(v);
  db_.SpliceBlob(&ref_, 0, count_len, head.view());
  if (!front) {
    PackBytes tail;
    tail.AddElement(v);
    db_.SpliceBlob(&ref_, ref_.entry()->blob().size(), 0, tail.view());
  }
}

ListWriter::~ListWriter() = default;

bool ListWriter::NodeWithin(std::string_view node, size_t extra_bytes,
                            size_t extra_elements) const {
  int64_t fill = EncodingLimits::Get(db_.store()->limits().list_max_listpack_size);
  if (fill > 0) return int64_t(PackCount(node) + extra_elements) <= fill;
  int level = int(std::clamp<int64_t>(-fill, 1, 5));
  size_t max_bytes = size_t(4096) << (level - 1);
  return node.size() + extra_bytes <= max_bytes;
}

void ListWriter::SplitIfNeeded(size_t i) {
  while (i < nodes_->nodes.size()) {
    std::string& node = nodes_->nodes[i];
    size_t c = PackCount(node);
    if (c <= 1 || NodeWithin(node, 0, 0)) return;
    std::vector<std::string_view> elems = UnpackAll(node);
    size_t half = elems.size() / 2;
    std::string left = PackAll({elems.begin(), elems.begin() + std::ptrdiff_t(half)});
    std::string right = PackAll({elems.begin() + std::ptrdiff_t(half), elems.end()});
    nodes_->nodes[i] = std::move(left);
    nodes_->nodes.insert(nodes_->nodes.begin() + std::ptrdiff_t(i) + 1, std::move(right));
    // The halves may still be too big (elements near the byte limit): check both.
    SplitIfNeeded(i + 1);
  }
}

void ListWriter::Push(std::string_view v, bool front) {
  dirty_ = grew_ = true;
  size_t extra = v.size() + 10;
  if (in_entry_) {
    if (NodeWithin(ref_.entry()->blob(), extra, 1)) {
      PushInEntry(v, front);
      ++entry_count_;
      return;
    }
    TakeWorkingCopy();  // the list outgrows one node: it becomes a ListObject at Commit
  }
  std::deque<std::string>& nodes = nodes_->nodes;
  if (nodes.empty() || !NodeWithin(front ? nodes.front() : nodes.back(), extra, 1)) {
    if (front) nodes.push_front(EmptyPack());
    else nodes.push_back(EmptyPack());
  }
  std::string& node = front ? nodes.front() : nodes.back();
  size_t c = PackCount(node);
  if (front) {
    PackReader r(node);
    size_t body = r.offset();
    node.insert(body, EncodeElement(v));
  } else {
    AppendElement(&node, v);
  }
  SetPackCount(&node, c + 1);
  ++nodes_->count;
}

std::string ListWriter::Pop(bool front) {
  TakeWorkingCopy();
  dirty_ = true;
  std::deque<std::string>& nodes = nodes_->nodes;
  std::string& node = front ? nodes.front() : nodes.back();
  const size_t c = PackCount(node);
  PackReader r(node);
  const size_t body = r.offset();
  std::string out;
  if (front) {
    out.assign(r.Next());
    node.erase(body, r.offset() - body);
  } else {
    // Walk to the last element (no allocation), then cut it off the end.
    size_t last = body;
    std::string_view v;
    while (!r.Done()) {
      last = r.offset();
      v = r.Next();
    }
    out.assign(v);
    node.resize(last);
  }
  if (c == 1) {
    if (front) nodes.pop_front();
    else nodes.pop_back();
  } else {
    SetPackCount(&node, c - 1);
  }
  --nodes_->count;
  return out;
}

size_t ListWriter::Locate(size_t index, size_t* within) const {
  size_t base = 0;
  for (size_t n = 0; n < nodes_->nodes.size(); ++n) {
    size_t c = PackCount(nodes_->nodes[n]);
    if (index < base + c) {
      *within = index - base;
      return n;
    }
    base += c;
  }
  *within = 0;
  return nodes_->nodes.size();
}

void ListWriter::Set(size_t index, std::string_view v) {
  TakeWorkingCopy();
  dirty_ = true;
  size_t within = 0;
  size_t n = Locate(index, &within);
  std::string& node = nodes_->nodes[n];
  std::vector<std::string_view> elems = UnpackAll(node);
  elems[within] = v;
  node = PackAll(elems);
  SplitIfNeeded(n);
}

bool ListWriter::Insert(std::string_view pivot, std::string_view v, bool after) {
  TakeWorkingCopy();
  for (size_t n = 0; n < nodes_->nodes.size(); ++n) {
    std::vector<std::string_view> elems = UnpackAll(nodes_->nodes[n]);
    for (size_t i = 0; i < elems.size(); ++i) {
      if (elems[i] != pivot) continue;
      elems.insert(elems.begin() + std::ptrdiff_t(after ? i + 1 : i), v);
      nodes_->nodes[n] = PackAll(elems);
      ++nodes_->count;
      dirty_ = grew_ = true;
      SplitIfNeeded(n);
      return true;
    }
  }
  return false;
}

size_t ListWriter::Remove(std::string_view v, int64_t count) {
  TakeWorkingCopy();
  // |count| computed unsigned: LREM k -9223372036854775808 v is valid.
  const uint64_t magnitude = count < 0 ? 0 - uint64_t(count) : uint64_t(count);
  size_t limit = count == 0 ? SIZE_MAX : size_t(magnitude);
  size_t removed = 0;
  std::deque<std::string>& nodes = nodes_->nodes;
  auto process = [&](size_t n) {
    std::vector<std::string_view> elems = UnpackAll(nodes[n]);
    std::vector<std::string_view> kept;
    kept.reserve(elems.size());
    if (count >= 0) {
      for (std::string_view e : elems) {
        if (removed < limit && e == v) ++removed;
        else kept.push_back(e);
      }
    } else {
      for (size_t i = elems.size(); i-- > 0;) {
        if (removed < limit && elems[i] == v) ++removed;
        else kept.push_back(elems[i]);
      }
      std::reverse(kept.begin(), kept.end());
    }
    if (kept.size() != elems.size()) nodes[n] = PackAll(kept);
  };
  if (count >= 0) {
    for (size_t n = 0; n < nodes.size() && removed < limit; ++n) process(n);
  } else {
    for (size_t n = nodes.size(); n-- > 0 && removed < limit;) process(n);
  }
  if (removed > 0) {
    dirty_ = true;
    nodes_->count -= removed;
    nodes.erase(std::remove_if(nodes.begin(), nodes.end(),
                               [](const std::string& node) { return PackCount(node) == 0; }),
                nodes.end());
  }
  return removed;
}

void ListWriter::Keep(size_t start, size_t stop, bool keep_none) {
  TakeWorkingCopy();
  dirty_ = true;
  std::deque<std::string>& nodes = nodes_->nodes;
  if (keep_none) {
    nodes.clear();
    nodes_->count = 0;
    return;
  }
  std::deque<std::string> kept;
  size_t base = 0;
  for (std::string& node : nodes) {
    size_t c = PackCount(node);
    if (c == 0) continue;
    size_t lo = std::max(base, start), hi = std::min(base + c - 1, stop);
    if (lo <= hi) {
      if (lo == base && hi == base + c - 1) {
        kept.push_back(std::move(node));
      } else {
        std::vector<std::string_view> elems = UnpackAll(node);
        kept.push_back(PackAll({elems.begin() + std::ptrdiff_t(lo - base),
                                elems.begin() + std::ptrdiff_t(hi - base + 1)}));
      }
    }
    base += c;
  }
  nodes.swap(kept);
  nodes_->count = stop - start + 1;
}

void ListWriter::Commit() {
  if (!dirty_) return;
  db_.Modified(key_.key);  // in-place edits of an object are not seen otherwise
  if (Len() == 0) {
    if (existed_) db_.Delete(&ref_);
    return;
  }
  // A new key signals blocked clients through DbView::Insert; an existing one here.
  if (existed_ && grew_) db_.SignalReady(key_.key);
  if (obj_ || in_entry_) return;  // edited in place
  // Neither an object nor in the entry: the working copy holds the list.
  const std::deque<std::string>& nodes = local_->nodes;
  if (nodes.size() == 1 && NodeWithin(nodes.front(), 0, 0)) {
    if (existed_) db_.ReplaceBlob(&ref_, ValueKind::kList, Enc::kPacked, nodes.front());
    else db_.InsertBlob(key_, ValueKind::kList, Enc::kPacked, nodes.front());
    return;
  }
  auto* obj = new ListObject();
  obj->list = std::move(*local_);
  nodes_ = &obj->list;
  for (size_t i = 0; i < obj->list.nodes.size(); ++i) SplitIfNeeded(i);
  if (existed_) db_.ReplaceObject(&ref_, ValueKind::kList, obj);
  else db_.InsertObject(key_, ValueKind::kList, obj);
}

}  // namespace larder
