// larder-check-rdb FILE [--rewrite OUT]: verifies an RDB snapshot (Larder's or
// redis-server's, versions 9 to 11) and prints a summary, like redis-check-rdb: keys
// per type and encoding per database, keys with an expiry, the checksum. --rewrite also
// writes the keys as Larder's snapshot writer would (RDB 10) to OUT. Exit status 0 if
// the file is valid, 1 if not (the reason names the offset), 2 on usage or I/O errors.
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "persistence/rdb_file.h"

namespace {

class FileSource final : public larder::RdbSource {
 public:
  explicit FileSource(std::FILE* f) : f_(f) {}
  int64_t Read(char* buf, size_t n) override {
    const size_t got = std::fread(buf, 1, n, f_);
    if (got == 0 && std::ferror(f_)) return -1;
    return int64_t(got);
  }

 private:
  std::FILE* f_;
};

const char* TypeName(uint8_t type) {
  switch (type) {
    case 0: return "string";
    case 1: return "list (plain)";
    case 2: return "set";
    case 3: return "zset (text scores)";
    case 4: return "hash";
    case 5: return "zset";
    case 9: return "hash (zipmap)";
    case 10: return "list (ziplist)";
    case 11: return "set (intset)";
    case 12: return "zset (ziplist)";
    case 13: return "hash (ziplist)";
    case 14: return "list (quicklist, ziplist nodes)";
    case 16: return "hash (listpack)";
    case 17: return "zset (listpack)";
    case 18: return "list (quicklist)";
    case 20: return "set (listpack)";
    default: return "other";
  }
}

struct DbSummary {
  std::map<std::string, uint64_t> per_type;
  uint64_t keys = 0;
  uint64_t expires = 0;
  std::vector<larder::Entry*> entries;  // kept for --rewrite
};

class FileSink final : public larder::RdbSink {
 public:
  explicit FileSink(std::FILE* f) : f_(f) {}
  bool Write(std::string_view bytes) override {
    return std::fwrite(bytes.data(), 1, bytes.size(), f_) == bytes.size();
  }

 private:
  std::FILE* f_;
};

// Writes the kept keys to `path`; frees them.
bool Rewrite(const char* path, std::map<int, DbSummary>& dbs) {
  std::FILE* out = std::fopen(path, "wb");
  if (out == nullptr) {
    std::perror(path);
    return false;
  }
  FileSink sink(out);
  larder::RdbFileOptions o;
  o.ctime_s = int64_t(std::time(nullptr));
  larder::RdbFileWriter w(&sink, o);
  bool ok = w.Begin();
  for (auto& [db, d] : dbs) {
    ok = ok && w.SelectDb(db, d.keys, d.expires);
    for (larder::Entry* e : d.entries) {
      ok = ok && w.Key(e->key(), e, e->expire_at());
      larder::Entry::Free(e);
    }
    d.entries.clear();
  }
  ok = ok && w.Finish();
  ok = std::fclose(out) == 0 && ok;
  if (!ok) std::fprintf(stderr, "%s: write failed\n", path);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  const bool rewrite = argc == 4 && std::strcmp(argv[2], "--rewrite") == 0;
  if (argc != 2 && !rewrite) {
    std::fprintf(stderr, "usage: %s FILE [--rewrite OUT]\n", argv[0]);
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "rb");
  if (f == nullptr) {
    std::perror(argv[1]);
    return 2;
  }
  FileSource source(f);
  std::map<int, DbSummary> dbs;
  larder::RdbReadOptions options;
  options.verify_checksum = false;  // reported below instead
  larder::RdbFileInfo info;
  larder::Status st = larder::ReadRdbFile(
      &source, argv[1], options,
      [&](larder::RdbKey&& k) {
        DbSummary& d = dbs[k.db];
        ++d.keys;
        ++d.per_type[TypeName(k.type)];
        if (k.expire_ms != larder::kNoExpiry) ++d.expires;
        if (rewrite) d.entries.push_back(std::move(k.value).ToEntry(k.key, k.expire_ms, 0));
        return larder::Status::Ok();
      },
      &info);
  std::fclose(f);
  if (!st.ok()) {
    std::printf("[FAIL] %s\n", st.message().c_str());
    return 1;
  }
  std::printf("RDB version %d, %llu bytes\n", info.version,
              static_cast<unsigned long long>(info.bytes));
  for (const auto& [k, v] : info.aux) std::printf("aux %s = %s\n", k.c_str(), v.c_str());
  for (const auto& [db, d] : dbs) {
    std::printf("db %d: %llu keys, %llu with an expiry\n", db,
                static_cast<unsigned long long>(d.keys), static_cast<unsigned long long>(d.expires));
    for (const auto& [type, n] : d.per_type) {
      std::printf("  %-32s %llu\n", type.c_str(), static_cast<unsigned long long>(n));
    }
  }
  if (info.skipped_empty > 0) {
    std::printf("empty collections skipped: %llu\n",
                static_cast<unsigned long long>(info.skipped_empty));
  }
  if (!info.checksum_present) {
    std::printf("checksum: not present (rdbchecksum no)\n");
  } else {
    std::printf("checksum: %s\n", info.checksum_ok ? "OK" : "WRONG");
  }
  if (!info.checksum_ok) return 1;
  std::printf("[OK] %llu keys\n", static_cast<unsigned long long>(info.keys));
  if (rewrite && !Rewrite(argv[3], dbs)) return 2;
  return 0;
}
