#include "persistence/rdb_file.h"

#include <algorithm>
#include <cstring>

#include "persistence/crc64.h"

namespace larder {
namespace {

using rdb::PutLe;
using rdb::PutLength;
using rdb::PutString;
using rdb::RdbReader;

constexpr std::string_view kMagic = "REDIS";
constexpr int kMinReadVersion = 9;
constexpr size_t kReadChunk = 1 << 16;

void PutAux(std::string* out, std::string_view key, std::string_view value, bool compress) {
  out->push_back(char(rdb::kOpAux));
  PutString(out, key, compress);
  PutString(out, value, compress);
}

}  // namespace

// ---- writer ----

RdbFileWriter::RdbFileWriter(RdbSink* sink, RdbFileOptions options)
    : sink_(sink), options_(std::move(options)) {}

bool RdbFileWriter::Flush() {
  if (failed_) return false;
  crc_ = Crc64(crc_, buf_);
  failed_ = !buf_.empty() && !sink_->Write(buf_);
  buf_.clear();
  return !failed_;
}

bool RdbFileWriter::Begin() {
  buf_.append(kMagic);
  buf_.append("00");
  buf_.append(std::to_string(rdb::kWriteVersion));
  const bool c = options_.compress;
  PutAux(&buf_, "redis-ver", "7.0.15", c);
  PutAux(&buf_, "redis-bits", "64", c);
  PutAux(&buf_, "ctime", std::to_string(options_.ctime_s), c);
  PutAux(&buf_, "used-mem", std::to_string(options_.used_mem), c);
  PutAux(&buf_, "aof-base", "0", c);
  return MaybeFlush();
}

void RdbFileWriter::EncodeSelectDb(std::string* out, int db, uint64_t keys, uint64_t expires) {
  out->push_back(char(rdb::kOpSelectDb));
  PutLength(out, uint64_t(db));
  out->push_back(char(rdb::kOpResizeDb));
  PutLength(out, keys);
  PutLength(out, expires);
}

void RdbFileWriter::EncodeKey(std::string* out, std::string_view key, const Entry* value,
                              int64_t expire_ms, const RdbSaveOptions& options) {
  if (expire_ms != kNoExpiry) {
    out->push_back(char(rdb::kOpExpireTimeMs));
    PutLe(out, uint64_t(expire_ms), 8);
  }
  // <type> <key> <value>: the value's encoding starts with its type byte.
  const size_t type_at = out->size();
  EncodeValue(value, options, out);
  std::string encoded_key;
  PutString(&encoded_key, key, options.compress);
  out->insert(type_at + 1, encoded_key);
}

bool RdbFileWriter::SelectDb(int db, uint64_t keys, uint64_t expires) {
  EncodeSelectDb(&buf_, db, keys, expires);
  return MaybeFlush();
}

bool RdbFileWriter::Key(std::string_view key, const Entry* value, int64_t expire_ms) {
  EncodeKey(&buf_, key, value, expire_ms, save_options());
  return MaybeFlush();
}

bool RdbFileWriter::Raw(std::string_view bytes) {
  if (failed_) return false;
  if (!Flush()) return false;
  crc_ = Crc64(crc_, bytes);
  failed_ = !bytes.empty() && !sink_->Write(bytes);
  return !failed_;
}

bool RdbFileWriter::Finish() {
  buf_.push_back(char(rdb::kOpEof));
  if (!Flush()) return false;
  std::string trailer;
  PutLe(&trailer, options_.checksum ? crc_ : 0, 8);
  failed_ = !sink_->Write(trailer);
  return !failed_;
}

// ---- reader ----

namespace {

// The file's bytes in a window that grows until one whole item fits; consumed bytes
// are dropped and added to the checksum.
class Window {
 public:
  explicit Window(RdbSource* src) : src_(src) {}

  std::string_view data() const { return std::string_view(buf_).substr(pos_); }
  uint64_t offset() const { return base_ + pos_; }
  bool eof() const { return eof_; }
  uint64_t crc() const { return crc_; }

  // Reads more: at least as much as the window holds, so re-parsing an item that spans
  // many reads stays linear overall. False on an I/O error.
  bool Fill() {
    if (pos_ > 0) {
      base_ += pos_;
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    const size_t want = std::max(kReadChunk, buf_.size());
    const size_t old = buf_.size();
    buf_.resize(old + want);
    size_t got = 0;
    while (got < want) {
      const int64_t n = src_->Read(buf_.data() + old + got, want - got);
      if (n < 0) return false;
      if (n == 0) {
        eof_ = true;
        break;
      }
      got += size_t(n);
    }
    buf_.resize(old + got);
    return true;
  }

  void Consume(size_t n) {
    crc_ = Crc64(crc_, std::string_view(buf_).substr(pos_, n));
    pos_ += n;
  }

 private:
  RdbSource* src_;
  std::string buf_;
  size_t pos_ = 0;
  uint64_t base_ = 0;
  uint64_t crc_ = 0;
  bool eof_ = false;
};

// One parsed item of the file.
struct Item {
  uint8_t op = 0;
  std::string a, b;  // AUX key / value
  uint64_t n = 0, m = 0;
  RdbKey key;
  RdbDecodeError err{RdbError::kFormat, ""};
  bool decoded = true;  // false: a value that did not decode (see err)
};

// Parses the item at the start of `r`; false if the bytes are malformed or too few.
bool ParseItem(RdbReader& r, const ValueLimits& limits, Item* it) {
  if (!r.Byte(&it->op)) return false;
  switch (it->op) {
    case rdb::kOpAux: return r.String(&it->a) && r.String(&it->b);
    case rdb::kOpSelectDb: return r.Length(&it->n);
    case rdb::kOpResizeDb: return r.Length(&it->n) && r.Length(&it->m);
    case rdb::kOpExpireTimeMs: return r.Le(8, &it->n);
    case rdb::kOpExpireTime: return r.Le(4, &it->n);
    case rdb::kOpIdle: return r.Length(&it->n);
    case rdb::kOpFreq: return r.Le(1, &it->n);
    case rdb::kOpEof: return true;
    case rdb::kOpModuleAux: return r.Fail("module data is not supported");
    case rdb::kOpFunction:
    case rdb::kOpFunction2: return r.Fail("functions are not supported");
    default: break;
  }
  it->key.type = it->op;
  if (!r.String(&it->key.key)) return false;
  it->decoded = DecodeValue(it->op, r, limits, &it->key.value, &it->err);
  // A value cut short by the window end is retried with more bytes.
  return it->decoded || !r.truncated();
}

}  // namespace

Status ReadRdbFile(RdbSource* source, std::string_view file_name, const RdbReadOptions& options,
                   const RdbKeyFn& on_key, RdbFileInfo* info) {
  *info = RdbFileInfo();
  Window w(source);
  auto bad = [&](uint64_t offset, std::string_view reason) {
    return Status::Error("Bad file format reading the snapshot " + std::string(file_name) +
                         " at offset " + std::to_string(offset) + ": " + std::string(reason));
  };
  auto need = [&](size_t n) {
    while (w.data().size() < n && !w.eof()) {
      if (!w.Fill()) return false;
    }
    return w.data().size() >= n;
  };
  if (!need(9)) return bad(w.offset(), "too short for an RDB header");
  const std::string_view head = w.data().substr(0, 9);
  if (head.substr(0, 5) != kMagic) return bad(0, "wrong signature");
  int version = 0;
  for (char c : head.substr(5)) {
    if (c < '0' || c > '9') return bad(5, "invalid version");
    version = version * 10 + (c - '0');
  }
  if (version < kMinReadVersion || version > rdb::kMaxReadVersion) {
    return bad(5, "unsupported RDB version " + std::to_string(version));
  }
  info->version = version;
  w.Consume(9);

  int db = 0;
  RdbKey pending;  // expiry / idle / freq for the next key
  while (true) {
    Item it;
    RdbReader r(w.data(), size_t(w.offset()));
    while (!ParseItem(r, options.limits, &it)) {
      if (!r.truncated() || w.eof()) {
        return bad(r.ok() ? r.offset() : r.error_offset(), r.ok() ? "invalid data" : r.error());
      }
      if (!w.Fill()) return bad(w.offset(), "read error");
      it = Item();
      r = RdbReader(w.data(), size_t(w.offset()));
    }
    const uint64_t item_offset = w.offset();
    w.Consume(r.offset() - size_t(item_offset));
    switch (it.op) {
      case rdb::kOpAux: info->aux.emplace_back(std::move(it.a), std::move(it.b)); continue;
      case rdb::kOpSelectDb:
        if (it.n > uint64_t(INT32_MAX)) return bad(item_offset, "invalid database number");
        db = int(it.n);
        continue;
      case rdb::kOpResizeDb: continue;
      case rdb::kOpExpireTimeMs: pending.expire_ms = int64_t(it.n); continue;
      case rdb::kOpExpireTime: pending.expire_ms = int64_t(it.n) * 1000; continue;
      case rdb::kOpIdle: pending.idle_s = int64_t(std::min<uint64_t>(it.n, INT64_MAX)); continue;
      case rdb::kOpFreq: pending.freq = int(it.n); continue;
      default: break;
    }
    if (it.op == rdb::kOpEof) break;
    RdbKey key = std::move(it.key);
    key.db = db;
    key.expire_ms = pending.expire_ms;
    key.idle_s = pending.idle_s;
    key.freq = pending.freq;
    pending = RdbKey();
    if (!it.decoded) {
      if (it.err.kind == RdbError::kEmpty) {
        ++info->skipped_empty;
        continue;
      }
      return bad(item_offset, it.err.reason + " (key '" + key.key + "')");
    }
    if (options.skip_expired_before && key.expire_ms != kNoExpiry &&
        key.expire_ms < *options.skip_expired_before) {
      ++info->skipped_expired;
      continue;
    }
    ++info->keys;
    Status st = on_key(std::move(key));
    if (!st.ok()) return st;
  }
  const uint64_t crc = w.crc();
  if (!need(8)) return bad(w.offset(), "missing checksum");
  const uint64_t stored = rdb::LoadLe(reinterpret_cast<const unsigned char*>(w.data().data()), 8);
  const uint64_t end = w.offset() + 8;
  info->bytes = end;
  info->checksum_present = stored != 0;
  info->checksum_ok = stored == 0 || stored == crc;
  if (options.verify_checksum && !info->checksum_ok) return bad(end - 8, "wrong RDB checksum");
  return Status::Ok();
}

}  // namespace larder
