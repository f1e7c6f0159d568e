// RDB value bytes to Larder values (docs/persistence.md section 2), in the encoding the
// commands would have given the same contents under the same limits, as redis-server
// 7.0 converts on load.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/hash.h"
#include "common/numbers.h"
#include "persistence/crc64.h"
#include "persistence/redis_blobs.h"
#include "persistence/rdb_value.h"
#include "storage/hash_value.h"
#include "storage/intset.h"
#include "storage/list_value.h"
#include "storage/pack.h"
#include "storage/set_value.h"
#include "storage/zset_value.h"

namespace larder {
namespace {

using rdb::RdbReader;
using Strings = std::vector<std::string>;

// Where a collection came from decides which limits Redis re-checks on load.
enum class Source {
  kPlain,  // one RDB string per element: every limit applies
  kBlob,   // a listpack / ziplist / intset: only the element count is re-checked
};

class Decoder {
 public:
  Decoder(RdbReader& in, const ValueLimits& limits, RdbValue* out, RdbDecodeError* err)
      : in_(in), lim_(limits), out_(out), err_(err) {}

  bool Run(uint8_t type);

 private:
  bool Fail(RdbError kind, std::string reason) {
    err_->kind = kind;
    err_->reason = std::move(reason);
    return false;
  }
  bool FormatError() {
    return Fail(RdbError::kFormat, in_.ok() ? std::string("invalid value") : in_.error());
  }
  bool Empty() { return Fail(RdbError::kEmpty, "empty collection"); }
  // The result: `elements` packed inline, or an owned object.
  bool Packed(ValueKind kind, const Strings& elements);
  bool Owned(ValueKind kind, std::unique_ptr<Object> obj);

  // n strings, one RDB string each.
  bool ReadStrings(uint64_t n, Strings* out);
  bool ReadBlob(bool (*decode)(std::string_view, Strings*, std::string*), Strings* out);

  bool BuildList(const Strings& elements);
  bool BuildSet(const Strings& members, Source src);
  bool BuildIntSet(const std::vector<int64_t>& members);
  bool BuildHash(const Strings& flat, bool check_values);
  bool BuildZSet(std::vector<std::pair<std::string, double>> items, Source src);
  bool ZSetFromFlat(const Strings& flat);

  bool List(uint8_t type);
  bool ZSetPlain(uint8_t type);

  RdbReader& in_;
  const ValueLimits& lim_;
  RdbValue* out_;
  RdbDecodeError* err_;
};

template <typename T, typename Key>
bool HasDuplicates(const std::vector<T>& items, Key key) {
  std::unordered_set<std::string_view> seen;
  seen.reserve(items.size());
  for (const T& it : items) {
    if (!seen.insert(key(it)).second) return true;
  }
  return false;
}

// Room reserved up front for a count read from the data (more grows as items arrive).
constexpr uint64_t kMaxReserve = 1 << 16;

bool Decoder::Packed(ValueKind kind, const Strings& elements) {
  PackWriter w;
  for (const std::string& s : elements) w.Add(s);
  out_->kind = kind;
  out_->enc = Enc::kPacked;
  out_->blob = w.Finish();
  return true;
}

bool Decoder::Owned(ValueKind kind, std::unique_ptr<Object> obj) {
  out_->kind = kind;
  out_->enc = Enc::kObject;
  out_->object = std::move(obj);
  return true;
}

bool Decoder::ReadStrings(uint64_t n, Strings* out) {
  out->reserve(size_t(std::min(n, kMaxReserve)));
  for (uint64_t i = 0; i < n; ++i) {
    std::string s;
    if (!in_.String(&s)) return FormatError();
    out->push_back(std::move(s));
  }
  return true;
}

bool Decoder::ReadBlob(bool (*decode)(std::string_view, Strings*, std::string*), Strings* out) {
  std::string blob, why;
  if (!in_.String(&blob)) return FormatError();
  if (!decode(blob, out, &why)) return Fail(RdbError::kFormat, why);
  return true;
}

// ---- lists ----

// Larder's node limit (as ListWriter applies it to pushes).
bool LarderNodeAllows(size_t node_bytes, size_t node_count, size_t element_bytes, int64_t fill) {
  if (fill > 0) return int64_t(node_count + 1) <= fill;
  const int level = int(std::clamp<int64_t>(-fill, 1, 5));
  return node_bytes + element_bytes + 10 <= (size_t(4096) << (level - 1));
}

bool Decoder::BuildList(const Strings& elements) {
  if (elements.empty()) return Empty();
  ListNodes nodes;
  PackWriter node;
  size_t body_bytes = 0;
  for (const std::string& v : elements) {
    const size_t node_bytes = VarintSize(node.count()) + body_bytes;
    if (node.count() > 0 &&
        !LarderNodeAllows(node_bytes, node.count(), v.size(), lim_.list_max_listpack_size)) {
      nodes.nodes.push_back(node.Finish());
      node = PackWriter();
      body_bytes = 0;
    }
    node.Add(v);
    body_bytes += VarintSize(v.size()) + v.size();
  }
  nodes.nodes.push_back(node.Finish());
  nodes.count = elements.size();
  out_->kind = ValueKind::kList;
  if (nodes.nodes.size() == 1) {
    out_->enc = Enc::kPacked;
    out_->blob = std::move(nodes.nodes.front());
    return true;
  }
  auto obj = std::make_unique<ListObject>();
  obj->list = std::move(nodes);
  return Owned(ValueKind::kList, std::move(obj));
}

bool Decoder::List(uint8_t type) {
  Strings elements, part;
  uint64_t n;
  switch (type) {
    case rdb::kTypeList:
      if (!in_.Count(&n, 1) || !ReadStrings(n, &elements)) return FormatError();
      return BuildList(elements);
    case rdb::kTypeListZiplist:
      if (!ReadBlob(rdb::DecodeZiplist, &elements)) return false;
      return BuildList(elements);
    default:
      break;
  }
  // Quicklists: a node count, then per node a ziplist (14) or a container kind and a
  // listpack or single element (18). Empty nodes are skipped, as Redis does.
  if (!in_.Count(&n, 2)) return FormatError();
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t container = 2;
    if (type == rdb::kTypeListQuicklist2 && !in_.Length(&container)) return FormatError();
    if (container == 1) {
      std::string plain;
      if (!in_.String(&plain)) return FormatError();
      elements.push_back(std::move(plain));
      continue;
    }
    if (container != 2) return Fail(RdbError::kFormat, "unknown quicklist container");
    auto decode = type == rdb::kTypeListQuicklist ? rdb::DecodeZiplist : rdb::DecodeListpack;
    if (!ReadBlob(decode, &part)) return false;
    for (std::string& s : part) elements.push_back(std::move(s));
  }
  return BuildList(elements);
}

// ---- sets ----

bool Decoder::BuildIntSet(const std::vector<int64_t>& members) {
  if (members.empty()) return Empty();
  out_->kind = ValueKind::kSet;
  if (int64_t(members.size()) > lim_.set_max_intset_entries) {
    auto obj = std::make_unique<SetObject>();
    for (int64_t v : members) {
      std::string m = FormatIntMember(v);
      obj->members.Insert(HashKey(m), Entry::NewString(m, "", kNoExpiry, 0));
    }
    return Owned(ValueKind::kSet, std::move(obj));
  }
  // Larder's inline intset: the narrowest width byte, then the members LE.
  const auto [lo, hi] = std::minmax_element(members.begin(), members.end());
  size_t width = 2;
  if (*lo < INT32_MIN || *hi > INT32_MAX) width = 8;
  else if (*lo < INT16_MIN || *hi > INT16_MAX) width = 4;
  std::string blob(1, char(width));
  for (int64_t v : members) rdb::PutLe(&blob, uint64_t(v), int(width));
  out_->enc = Enc::kIntSet;
  out_->blob = std::move(blob);
  return true;
}

bool Decoder::BuildSet(const Strings& members, Source src) {
  if (members.empty()) return Empty();
  if (HasDuplicates(members, [](const std::string& s) { return std::string_view(s); })) {
    return Fail(RdbError::kFormat, "duplicate set members");
  }
  if (src == Source::kPlain) {
    std::vector<int64_t> ints;
    int64_t v;
    for (const std::string& m : members) {
      if (!IntSetMember(m, &v)) break;
      ints.push_back(v);
    }
    if (ints.size() == members.size() && int64_t(ints.size()) <= lim_.set_max_intset_entries) {
      std::sort(ints.begin(), ints.end());
      return BuildIntSet(ints);
    }
  }
  bool small = int64_t(members.size()) <= lim_.set_max_listpack_entries;
  if (src == Source::kPlain) {
    for (const std::string& m : members) small = small && int64_t(m.size()) <= lim_.set_max_listpack_value;
  }
  if (small) return Packed(ValueKind::kSet, members);
  auto obj = std::make_unique<SetObject>();
  for (const std::string& m : members) {
    obj->members.Insert(HashKey(m), Entry::NewString(m, "", kNoExpiry, 0));
  }
  return Owned(ValueKind::kSet, std::move(obj));
}

// ---- hashes ----

bool Decoder::BuildHash(const Strings& flat, bool check_values) {
  if (flat.size() % 2 != 0) return Fail(RdbError::kFormat, "odd number of hash elements");
  if (flat.empty()) return Empty();
  const size_t n = flat.size() / 2;
  std::vector<std::string_view> fields;
  fields.reserve(n);
  bool small = int64_t(n) <= lim_.hash_max_listpack_entries;
  for (size_t i = 0; i < flat.size(); i += 2) {
    fields.push_back(flat[i]);
    if (check_values) {
      small = small && int64_t(flat[i].size()) <= lim_.hash_max_listpack_value &&
              int64_t(flat[i + 1].size()) <= lim_.hash_max_listpack_value;
    }
  }
  if (HasDuplicates(fields, [](std::string_view s) { return s; })) {
    return Fail(RdbError::kFormat, "duplicate hash fields");
  }
  if (small) return Packed(ValueKind::kHash, flat);
  auto obj = std::make_unique<HashObject>();
  for (size_t i = 0; i < flat.size(); i += 2) {
    obj->fields.Insert(HashKey(flat[i]), Entry::NewString(flat[i], flat[i + 1], kNoExpiry, 0));
  }
  return Owned(ValueKind::kHash, std::move(obj));
}

// ---- sorted sets ----

bool Decoder::BuildZSet(std::vector<std::pair<std::string, double>> items, Source src) {
  if (items.empty()) return Empty();
  for (const auto& it : items) {
    if (std::isnan(it.second)) return Fail(RdbError::kFormat, "NaN score in a sorted set");
  }
  if (HasDuplicates(items, [](const auto& it) { return std::string_view(it.first); })) {
    return Fail(RdbError::kFormat, "duplicate sorted set members");
  }
  bool small = int64_t(items.size()) <= lim_.zset_max_listpack_entries;
  if (src == Source::kPlain) {
    for (const auto& it : items) small = small && int64_t(it.first.size()) <= lim_.zset_max_listpack_value;
  }
  out_->kind = ValueKind::kZSet;
  if (small) {
    for (auto& it : items) {
      if (it.second == 0) it.second = 0.0;  // a listpack keeps no -0 (see ZSetWriter)
    }
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
      return a.second < b.second || (a.second == b.second && a.first < b.first);
    });
    out_->enc = Enc::kPacked;
    out_->blob = EncodeZPack(items);
    return true;
  }
  auto obj = std::make_unique<ZSetObject>();
  for (const auto& [m, s] : items) obj->Insert(m, s);
  return Owned(ValueKind::kZSet, std::move(obj));
}

bool Decoder::ZSetFromFlat(const Strings& flat) {
  if (flat.size() % 2 != 0) return Fail(RdbError::kFormat, "odd number of sorted set elements");
  std::vector<std::pair<std::string, double>> items;
  items.reserve(flat.size() / 2);
  for (size_t i = 0; i < flat.size(); i += 2) {
    auto score = ParseDouble(flat[i + 1]);
    if (!score) return Fail(RdbError::kFormat, "invalid sorted set score");
    items.emplace_back(flat[i], *score);
  }
  return BuildZSet(std::move(items), Source::kBlob);
}

bool Decoder::ZSetPlain(uint8_t type) {
  uint64_t n;
  if (!in_.Count(&n, 2)) return FormatError();
  std::vector<std::pair<std::string, double>> items;
  items.reserve(size_t(std::min(n, kMaxReserve)));
  for (uint64_t i = 0; i < n; ++i) {
    std::string m;
    double score;
    if (!in_.String(&m)) return FormatError();
    if (!(type == rdb::kTypeZSet2 ? in_.BinaryDouble(&score) : in_.StringDouble(&score))) {
      return FormatError();
    }
    items.emplace_back(std::move(m), score);
  }
  return BuildZSet(std::move(items), Source::kPlain);
}

bool Decoder::Run(uint8_t type) {
  Strings flat;
  uint64_t n;
  switch (type) {
    case rdb::kTypeString:
      if (!in_.String(&out_->blob)) return FormatError();
      out_->kind = ValueKind::kString;
      return true;
    case rdb::kTypeList:
    case rdb::kTypeListZiplist:
    case rdb::kTypeListQuicklist:
    case rdb::kTypeListQuicklist2:
      return List(type);
    case rdb::kTypeSet:
      if (!in_.Count(&n, 1) || !ReadStrings(n, &flat)) return FormatError();
      return BuildSet(flat, Source::kPlain);
    case rdb::kTypeSetIntset: {
      std::string blob, why;
      std::vector<int64_t> ints;
      if (!in_.String(&blob)) return FormatError();
      if (!rdb::DecodeIntset(blob, &ints, &why)) return Fail(RdbError::kFormat, why);
      return BuildIntSet(ints);
    }
    case rdb::kTypeSetListpack:
      return ReadBlob(rdb::DecodeListpack, &flat) && BuildSet(flat, Source::kBlob);
    case rdb::kTypeZSet:
    case rdb::kTypeZSet2:
      return ZSetPlain(type);
    case rdb::kTypeZSetZiplist:
      return ReadBlob(rdb::DecodeZiplist, &flat) && ZSetFromFlat(flat);
    case rdb::kTypeZSetListpack:
      return ReadBlob(rdb::DecodeListpack, &flat) && ZSetFromFlat(flat);
    case rdb::kTypeHash:
      if (!in_.Count(&n, 2) || !ReadStrings(2 * n, &flat)) return FormatError();
      return BuildHash(flat, true);
    case rdb::kTypeHashZipmap:
      return ReadBlob(rdb::DecodeZipmap, &flat) && BuildHash(flat, true);
    case rdb::kTypeHashZiplist:
      return ReadBlob(rdb::DecodeZiplist, &flat) && BuildHash(flat, false);
    case rdb::kTypeHashListpack:
      return ReadBlob(rdb::DecodeListpack, &flat) && BuildHash(flat, false);
    case rdb::kTypeStreamListpacks:
    case rdb::kTypeStreamListpacks2:
    case rdb::kTypeStreamListpacks3:
      return Fail(RdbError::kUnsupported, "streams are not supported");
    case rdb::kTypeModule:
    case rdb::kTypeModule2:
      return Fail(RdbError::kUnsupported, "module values are not supported");
    default:
      return Fail(RdbError::kFormat, "unknown value type " + std::to_string(type));
  }
}

}  // namespace

Entry* RdbValue::ToEntry(std::string_view key, int64_t expire_at, uint32_t access) && {
  if (kind == ValueKind::kString) return Entry::NewString(key, blob, expire_at, access);
  if (enc == Enc::kObject) return Entry::NewObject(key, kind, object.release(), expire_at, access);
  return Entry::NewBlob(key, kind, enc, blob, expire_at, access);
}

bool DecodeValue(uint8_t type, rdb::RdbReader& in, const ValueLimits& limits, RdbValue* out,
                 RdbDecodeError* err) {
  return Decoder(in, limits, out, err).Run(type);
}

bool VerifyDumpPayload(std::string_view payload) {
  if (payload.size() < 10) return false;
  const auto* footer = reinterpret_cast<const unsigned char*>(payload.data() + payload.size() - 10);
  if (rdb::LoadLe(footer, 2) > uint64_t(rdb::kMaxReadVersion)) return false;
  return Crc64(0, payload.substr(0, payload.size() - 8)) == rdb::LoadLe(footer + 2, 8);
}

bool DecodeDumpPayload(std::string_view payload, const ValueLimits& limits, RdbValue* out,
                       RdbDecodeError* err) {
  rdb::RdbReader in(payload);
  uint8_t type;
  if (!in.Byte(&type)) {
    *err = {RdbError::kFormat, in.error()};
    return false;
  }
  return DecodeValue(type, in, limits, out, err);
}

}  // namespace larder
