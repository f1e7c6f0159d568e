#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "persistence/rdb_file.h"
#include "persistence/rdb_value.h"
#include "unit/persistence/rdb_vectors.h"

using namespace larder;
using larder::testing::Unhex;

namespace {

class StringSink final : public RdbSink {
 public:
  bool Write(std::string_view bytes) override {
    out.append(bytes);
    return true;
  }
  std::string out;
};

// Serves `data` in reads of at most `step` bytes.
class StringSource final : public RdbSource {
 public:
  StringSource(std::string_view data, size_t step) : data_(data), step_(step) {}
  int64_t Read(char* buf, size_t n) override {
    const size_t k = std::min({n, step_, data_.size() - pos_});
    std::copy_n(data_.data() + pos_, k, buf);
    pos_ += k;
    return int64_t(k);
  }

 private:
  std::string_view data_;
  size_t step_;
  size_t pos_ = 0;
};

// Entries decoded from the DUMP vectors (every type and older encoding).
std::vector<Entry*> VectorEntries() {
  std::vector<Entry*> out;
  int i = 0;
  auto add = [&](std::string_view hex) {
    RdbValue v;
    RdbDecodeError err;
    REQUIRE(DecodeDumpPayload(Unhex(hex), ValueLimits(), &v, &err));
    out.push_back(std::move(v).ToEntry("key" + std::to_string(i), i % 3 == 0 ? 4102444800000 : kNoExpiry, 0));
    ++i;
  };
  for (const auto& v : larder::testing::WrittenVectors()) add(v.dump_hex);
  for (const auto& v : larder::testing::LegacyVectors()) add(v.payload_hex);
  return out;
}

std::string WriteFile(const std::vector<Entry*>& entries, bool checksum) {
  StringSink sink;
  RdbFileOptions o;
  o.checksum = checksum;
  RdbFileWriter w(&sink, o);
  REQUIRE(w.Begin());
  REQUIRE(w.SelectDb(0, entries.size() - 2, 0));
  for (size_t i = 0; i + 2 < entries.size(); ++i) REQUIRE(w.Key(entries[i]->key(), entries[i], entries[i]->expire_at()));
  REQUIRE(w.SelectDb(5, 2, 0));
  for (size_t i = entries.size() - 2; i < entries.size(); ++i) REQUIRE(w.Key(entries[i]->key(), entries[i], entries[i]->expire_at()));
  REQUIRE(w.Finish());
  return sink.out;
}

Status Read(std::string_view file, size_t step, std::vector<RdbKey>* keys, RdbFileInfo* info) {
  StringSource src(file, step);
  return ReadRdbFile(&src, "f.rdb", RdbReadOptions(), [&](RdbKey&& k) {
    keys->push_back(std::move(k));
    return Status::Ok();
  }, info);
}

}  // namespace

TEST_CASE("an RDB file written by RdbFileWriter reads back key by key", "[persistence][rdbfile]") {
  std::vector<Entry*> entries = VectorEntries();
  const std::string file = WriteFile(entries, true);
  CHECK(file.substr(0, 9) == "REDIS0010");
  for (size_t step : {size_t(1), size_t(7), size_t(1) << 20}) {
    std::vector<RdbKey> keys;
    RdbFileInfo info;
    Status st = Read(file, step, &keys, &info);
    REQUIRE(st.ok());
    CHECK(info.version == 10);
    CHECK(info.checksum_present);
    CHECK(info.checksum_ok);
    CHECK(info.aux.size() == 5);
    REQUIRE(keys.size() == entries.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      CHECK(keys[i].key == entries[i]->key());
      CHECK(keys[i].expire_ms == entries[i]->expire_at());
      CHECK(keys[i].db == (i + 2 < keys.size() ? 0 : 5));
      // The value encodes to the same bytes as the original.
      std::string a, b;
      EncodeValue(entries[i], RdbSaveOptions(), &a);
      Entry* e = std::move(keys[i].value).ToEntry("x", kNoExpiry, 0);
      EncodeValue(e, RdbSaveOptions(), &b);
      CHECK(a == b);
      Entry::Free(e);
    }
  }
  // Without a checksum the trailer is zeros, and the file still reads.
  const std::string plain = WriteFile(entries, false);
  CHECK(plain.substr(plain.size() - 8) == std::string(8, '\0'));
  std::vector<RdbKey> keys;
  RdbFileInfo info;
  CHECK(Read(plain, 4096, &keys, &info).ok());
  CHECK_FALSE(info.checksum_present);
  for (Entry* e : entries) Entry::Free(e);
}

TEST_CASE("truncated and damaged RDB files are refused with an offset", "[persistence][rdbfile]") {
  std::vector<Entry*> entries = VectorEntries();
  const std::string file = WriteFile(entries, true);
  for (Entry* e : entries) Entry::Free(e);
  for (size_t cut = 0; cut < file.size(); ++cut) {
    std::vector<RdbKey> keys;
    RdbFileInfo info;
    Status st = Read(std::string_view(file).substr(0, cut), 64, &keys, &info);
    REQUIRE_FALSE(st.ok());
    CHECK(st.message().rfind("Bad file format reading the snapshot f.rdb at offset ", 0) == 0);
  }
  std::mt19937_64 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::string bad = file;
    const size_t at = 9 + size_t(rng() % (bad.size() - 9));
    bad[at] = char(bad[at] ^ (1 << (rng() % 8)));
    std::vector<RdbKey> keys;
    RdbFileInfo info;
    CHECK_FALSE(Read(bad, 1 + size_t(rng() % 100), &keys, &info).ok());  // the checksum at least
  }
  std::vector<RdbKey> keys;
  RdbFileInfo info;
  Status st = Read("REDIS0012", 64, &keys, &info);
  CHECK(st.message() == "Bad file format reading the snapshot f.rdb at offset 5: unsupported RDB version 12");
  std::string module_aux = "REDIS0010\xf7";
  st = Read(module_aux, 64, &keys, &info);
  CHECK(st.message() == "Bad file format reading the snapshot f.rdb at offset 10: module data is not supported");
}
