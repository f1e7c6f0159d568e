// Whole RDB files (docs/persistence.md sections 1 and 2), as pure functions over byte
// streams: RdbFileWriter writes a snapshot through a sink; ReadRdbFile parses one from
// a source and hands each key to a callback. No files, threads or locks here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "persistence/rdb_value.h"

namespace larder {

// Where a writer's bytes go. Write returns false on failure (the writer stops).
class RdbSink {
 public:
  virtual ~RdbSink() = default;
  virtual bool Write(std::string_view bytes) = 0;
};

struct RdbFileOptions {
  bool compress = true;   // rdbcompression
  bool checksum = true;   // rdbchecksum: the CRC-64 trailer, else 8 zero bytes
  int64_t ctime_s = 0;    // aux ctime
  uint64_t used_mem = 0;  // aux used-mem
  ValueLimits limits;     // list node shape
};

// Writes "REDIS0010", the aux fields, then per database SELECTDB + RESIZEDB and its
// keys, then EOF and the checksum. Call Begin, then SelectDb / Key, then Finish. Any
// sink failure makes every later call return false.
class RdbFileWriter {
 public:
  RdbFileWriter(RdbSink* sink, RdbFileOptions options);

  bool Begin();
  // Starts database `db` holding `keys` keys of which `expires` have a TTL (RESIZEDB).
  bool SelectDb(int db, uint64_t keys, uint64_t expires);
  // One key; expire_ms is ms since the epoch or kNoExpiry.
  bool Key(std::string_view key, const Entry* value, int64_t expire_ms);
  // Bytes encoded elsewhere with EncodeSelectDb / EncodeKey (a snapshot encodes a
  // shard under its lock and writes it after releasing the lock).
  bool Raw(std::string_view bytes);
  bool Finish();

  // What SelectDb and Key write, appended to *out.
  static void EncodeSelectDb(std::string* out, int db, uint64_t keys, uint64_t expires);
  static void EncodeKey(std::string* out, std::string_view key, const Entry* value,
                        int64_t expire_ms, const RdbSaveOptions& options);
  RdbSaveOptions save_options() const { return {options_.compress, options_.limits}; }

 private:
  bool Flush();
  bool MaybeFlush() { return buf_.size() < kFlushBytes || Flush(); }

  static constexpr size_t kFlushBytes = 1 << 16;
  RdbSink* sink_;
  RdbFileOptions options_;
  std::string buf_;
  uint64_t crc_ = 0;
  bool failed_ = false;
};

// Where a reader's bytes come from: Read returns up to n bytes (0 at the end), or -1
// on an I/O error.
class RdbSource {
 public:
  virtual ~RdbSource() = default;
  virtual int64_t Read(char* buf, size_t n) = 0;
};

// One key of a file.
struct RdbKey {
  int db = 0;
  uint8_t type = 0;  // the type byte in the file
  std::string key;
  RdbValue value;
  int64_t expire_ms = kNoExpiry;
  int64_t idle_s = -1;  // an IDLE opcode before the key
  int freq = -1;        // a FREQ opcode before the key
};

struct RdbFileInfo {
  int version = 0;
  std::vector<std::pair<std::string, std::string>> aux;
  uint64_t keys = 0;             // handed to the callback
  uint64_t skipped_expired = 0;  // expired at load time
  uint64_t skipped_empty = 0;    // empty collections (Redis skips them too)
  bool checksum_present = false; // a non-zero trailer
  bool checksum_ok = false;
  uint64_t bytes = 0;
};

struct RdbReadOptions {
  ValueLimits limits;
  // Keys whose expiry is before this time (ms since the epoch) are skipped; nullopt
  // keeps every key.
  std::optional<int64_t> skip_expired_before;
  bool verify_checksum = true;
};

using RdbKeyFn = std::function<Status(RdbKey&&)>;

// Reads a whole file, calling on_key per key in file order. A malformed file, a
// checksum mismatch, a refused feature (streams, modules, functions) or a failed
// callback stops it with "Bad file format reading the snapshot <file_name> at offset N:
// REASON" (the callback's own message for a callback failure).
Status ReadRdbFile(RdbSource* source, std::string_view file_name, const RdbReadOptions& options,
                   const RdbKeyFn& on_key, RdbFileInfo* info);

}  // namespace larder
