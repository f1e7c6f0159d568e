// One value in Redis's RDB form: `<type byte> <value bytes>` as redis-server 7.0 writes
// it for the same encoding (docs/persistence.md section 1), and back from every type of
// RDB versions 9 to 11 (section 2). Pure functions over bytes; the entry being encoded
// must not change meanwhile (callers hold its shard lock).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "persistence/rdb_io.h"
#include "storage/entry.h"
#include "storage/store.h"

namespace larder {

// The encoding thresholds of the store (a plain copy of EncodingLimits): loaded values
// get the encoding the commands would give them; list_fill shapes the quicklist nodes
// written.
struct ValueLimits {
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t set_max_listpack_entries = 128;
  int64_t set_max_listpack_value = 64;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int64_t list_max_listpack_size = -2;

  static ValueLimits From(const EncodingLimits& l);
};

struct RdbSaveOptions {
  bool compress = true;  // rdbcompression
  ValueLimits limits;
};

// Appends `<type byte> <value>` for the value of `e` (its key and expiry are not part
// of it).
void EncodeValue(const Entry* e, const RdbSaveOptions& options, std::string* out);

// A loaded value, not yet attached to a key.
struct RdbValue {
  ValueKind kind = ValueKind::kString;
  Enc enc = Enc::kPacked;           // collections
  std::string blob;                 // a string's bytes, or an inline collection
  std::unique_ptr<Object> object;   // when enc == Enc::kObject

  // The entry for `key` (ownership of the object moves into it).
  Entry* ToEntry(std::string_view key, int64_t expire_at, uint32_t access) &&;
};

// Why DecodeValue failed.
enum class RdbError {
  kFormat,       // malformed bytes
  kEmpty,        // a well-formed but empty collection (a file load skips the key)
  kUnsupported,  // a stream or module value
};

struct RdbDecodeError {
  RdbError kind;
  std::string reason;
};

// Reads the value of `type` from `in` (after its type byte). On failure returns false,
// fills *err, and `in` may be partly consumed.
bool DecodeValue(uint8_t type, rdb::RdbReader& in, const ValueLimits& limits, RdbValue* out,
                 RdbDecodeError* err);

// DUMP payloads: `<type> <value> <RDB version u16 LE> <CRC-64 u64 LE>`.
std::string CreateDumpPayload(const Entry* e, const RdbSaveOptions& options);
// Checks the footer (version <= rdb::kMaxReadVersion, the checksum).
bool VerifyDumpPayload(std::string_view payload);
// Decodes the value at the start of a verified payload. As in redis-server, the value is
// read from the whole payload: it may run into the footer's bytes, and bytes after it
// are ignored.
bool DecodeDumpPayload(std::string_view payload, const ValueLimits& limits, RdbValue* out,
                       RdbDecodeError* err);

}  // namespace larder
