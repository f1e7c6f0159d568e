#include "storage/hash_value.h"

#include "common/hash.h"
#include "common/random.h"

namespace larder {

namespace {

Table CopyTable(const Table& src) {
  Table dst;
  for (size_t i = 0; i < src.capacity(); ++i) {
    if (!src.Occupied(i)) continue;
    const Entry* e = src.At(i);
    dst.Insert(HashKey(e->key()), Entry::NewString(e->key(), e->blob(), kNoExpiry, 0));
  }
  return dst;
}

size_t TableMemory(const Table& t) {
  size_t n = t.SlotBytes();
  for (size_t i = 0; i < t.capacity(); ++i) {
    if (t.Occupied(i)) n += t.At(i)->AllocSize();
  }
  return n;
}

}  // namespace

Object* HashObject::Clone() const {
  auto* c = new HashObject();
  c->fields = CopyTable(fields);
  return c;
}

size_t HashObject::MemoryUsage() const { return sizeof(*this) + TableMemory(fields); }

// ---- HashReader ----

size_t HashReader::Len() const {
  return packed() ? PackCount(e_->blob()) / 2 : obj().fields.size();
}

std::optional<std::string_view> HashReader::Get(std::string_view field) const {
  if (packed()) {
    PackReader r(e_->blob());
    while (!r.Done()) {
      std::string_view f = r.Next();
      std::string_view v = r.Next();
      if (f == field) return v;
    }
    return std::nullopt;
  }
  const Table& t = obj().fields;
  size_t slot = t.Find(HashKey(field), field);
  if (slot == Table::kNotFound) return std::nullopt;
  return t.At(slot)->blob();
}

std::pair<std::string_view, std::string_view> HashReader::At(size_t i) const {
  PackReader r(e_->blob());
  for (size_t j = 0; j < i; ++j) {
    r.Next();
    r.Next();
  }
  std::string_view f = r.Next();
  return {f, r.Next()};
}

std::pair<std::string_view, std::string_view> HashReader::Random() const {
  if (packed()) return At(RandomU64() % Len());
  const Table& t = obj().fields;
  const Entry* e = t.At(t.RandomSlot(RandomU64()));
  return {e->key(), e->blob()};
}

// ---- HashWriter ----

HashWriter::HashWriter(DbView& db, const KeyArg& k, KeyRef ref)
    : db_(db), key_(k), ref_(ref), existed_(bool(ref)) {
  if (!existed_) {
    pack_ = EmptyPack();
  } else if (ref_.entry()->has_object()) {
    obj_ = static_cast<HashObject*>(ref_.entry()->object());
  } else {
    in_entry_ = true;  // edited in its entry: no copy in, none back
    count_ = PackCount(ref_.entry()->blob());
  }
}

std::string_view HashWriter::Pack() const {
  return in_entry_ ? ref_.entry()->blob() : std::string_view(pack_);
}

void HashWriter::Splice(size_t offset, size_t erase, std::string_view bytes) {
  if (in_entry_) db_.SpliceBlob(&ref_, offset, erase, bytes);
  else pack_.replace(offset, erase, bytes);
}

void HashWriter::SetCount(size_t count) {
  uint64_t old = 0;
  const size_t old_len = GetVarint(reinterpret_cast<const unsigned char*>(Pack().data()), &old);
  PackBytes header;
  header.AddVarint(count);
  Splice(0, old_len, header.view());
  count_ = count;
}

HashWriter::~HashWriter() {
  // A conversion that was never committed must not leak.
  if (obj_is_new_) delete obj_;
}

size_t HashWriter::Len() const { return obj_ ? obj_->fields.size() : count_ / 2; }

bool HashWriter::FindPair(std::string_view field, size_t* begin, size_t* value_begin,
                          size_t* end) const {
  PackReader r(Pack());
  while (!r.Done()) {
    size_t b = r.offset();
    std::string_view f = r.Next();
    size_t vb = r.offset();
    r.Next();
    if (f == field) {
      *begin = b;
      *value_begin = vb;
      *end = r.offset();
      return true;
    }
  }
  return false;
}

std::optional<std::string_view> HashWriter::Get(std::string_view field) const {
  if (obj_) {
    size_t slot = obj_->fields.Find(HashKey(field), field);
    if (slot == Table::kNotFound) return std::nullopt;
    return obj_->fields.At(slot)->blob();
  }
  size_t b, vb, e;
  if (!FindPair(field, &b, &vb, &e)) return std::nullopt;
  uint64_t len;
  const std::string_view pack = Pack();
  size_t hdr = GetVarint(reinterpret_cast<const unsigned char*>(pack.data() + vb), &len);
  return pack.substr(vb + hdr, size_t(len));
}

void HashWriter::ConvertIfNeeded(std::string_view field, std::string_view value) {
  if (obj_) return;
  const EncodingLimits& lim = db_.store()->limits();
  int64_t max_value = EncodingLimits::Get(lim.hash_max_listpack_value);
  bool too_long = int64_t(field.size()) > max_value || int64_t(value.size()) > max_value;
  bool too_many = int64_t(count_ / 2 + 1) > EncodingLimits::Get(lim.hash_max_listpack_entries);
  if (!too_long && !too_many) return;
  auto* obj = new HashObject();
  PackReader r(Pack());
  while (!r.Done()) {
    std::string_view f = r.Next();
    std::string_view v = r.Next();
    obj->fields.Insert(HashKey(f), Entry::NewString(f, v, kNoExpiry, 0));
  }
  obj_ = obj;
  obj_is_new_ = true;
  pack_.clear();
  in_entry_ = false;  // Commit replaces the entry's pack with the object
  count_ = 0;
}

bool HashWriter::Set(std::string_view field, std::string_view value) {
  dirty_ = true;
  if (!obj_) {
    size_t b, vb, e;
    if (FindPair(field, &b, &vb, &e)) {
      if (int64_t(value.size()) > EncodingLimits::Get(db_.store()->limits().hash_max_listpack_value)) {
        ConvertIfNeeded(field, value);
      } else {
        PackBytes encoded;
        encoded.AddElement(value);
        Splice(vb, e - vb, encoded.view());
        return false;
      }
    } else {
      ConvertIfNeeded(field, value);
      if (!obj_) {
        SetCount(count_ + 2);
        PackBytes pair;
        pair.AddElement(field);
        pair.AddElement(value);
        Splice(Pack().size(), 0, pair.view());
        return true;
      }
    }
  }
  Table& t = obj_->fields;
  uint64_t h = HashKey(field);
  size_t slot = t.Find(h, field);
  if (slot != Table::kNotFound) {
    t.Update(slot, Entry::SetString(t.At(slot), value, StrHint::kAuto));
    return false;
  }
  t.Insert(h, Entry::NewString(field, value, kNoExpiry, 0));
  return true;
}

bool HashWriter::Del(std::string_view field) {
  if (obj_) {
    if (!obj_->fields.Erase(HashKey(field), field)) return false;
    dirty_ = true;
    return true;
  }
  size_t b, vb, e;
  if (!FindPair(field, &b, &vb, &e)) return false;
  Splice(b, e - b, {});
  SetCount(count_ - 2);
  dirty_ = true;
  return true;
}

void HashWriter::Commit() {
  if (!dirty_) return;
  db_.Modified(key_.key);  // in-place edits of an object are not seen otherwise
  if (Len() == 0) {
    if (existed_) db_.Delete(&ref_);
    return;
  }
  if (obj_) {
    if (obj_is_new_) {
      if (existed_) db_.ReplaceObject(&ref_, ValueKind::kHash, obj_);
      else db_.InsertObject(key_, ValueKind::kHash, obj_);
      obj_is_new_ = false;  // the entry owns it now
    }
    return;
  }
  if (in_entry_) return;  // edited in place
  if (existed_) db_.ReplaceBlob(&ref_, ValueKind::kHash, Enc::kPacked, pack_);
  else db_.InsertBlob(key_, ValueKind::kHash, Enc::kPacked, pack_);
}

}  // namespace larder
