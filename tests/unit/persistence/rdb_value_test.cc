#include <catch2/catch.hpp>
#include <span>
#include <string>
#include <vector>

#include "persistence/crc64.h"
#include "persistence/rdb_value.h"
#include "persistence/redis_blobs.h"
#include "unit/commands/harness.h"
#include "unit/persistence/rdb_vectors.h"

using namespace larder;
using larder::testing::Hex;
using larder::testing::Unhex;

namespace {

class DumpHarness : public larder::testing::Harness {
 public:
  std::string Do(std::span<const std::string_view> args) { return session_->Execute(args); }
  std::string Do(std::initializer_list<std::string_view> args) {
    return Do(std::span<const std::string_view>(args.begin(), args.size()));
  }
  // The DUMP payload of key (empty if the reply is not a bulk string).
  std::string Dump(std::string_view key) {
    std::string r = Do({"DUMP", key});
    if (r.empty() || r[0] != '$' || r == "$-1\r\n") return {};
    size_t body = r.find("\r\n") + 2;
    return r.substr(body, r.size() - body - 2);
  }

 private:
  std::unique_ptr<larder::Engine::Session> session_ = NewSession();
};

// `body` with a version 10 footer and its checksum.
std::string WithFooter(std::string body) {
  rdb::PutLe(&body, 10, 2);
  rdb::PutLe(&body, Crc64(0, body), 8);
  return body;
}

std::string Bulk(std::string_view s) { return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n"; }

}  // namespace

TEST_CASE("DUMP writes redis-server 7.0's bytes", "[persistence][rdb]") {
  for (const auto& v : larder::testing::WrittenVectors()) {
    DumpHarness h;
    for (const auto& cmd : v.commands) h.Do(std::span<const std::string_view>(cmd));
    INFO(v.commands.front().front() << " " << v.dump_hex);
    CHECK(Hex(h.Dump("k")) == v.dump_hex);
    // And RESTORE of Redis's payload gives the same value back.
    CHECK(h.Do({"RESTORE", "copy", "0", Unhex(v.dump_hex)}) == "+OK\r\n");
    CHECK(Hex(h.Dump("copy")) == v.dump_hex);
    CHECK(h.Do({"OBJECT", "ENCODING", "copy"}) == h.Do({"OBJECT", "ENCODING", "k"}));
  }
}

TEST_CASE("RESTORE reads every older encoding", "[persistence][rdb]") {
  for (const auto& v : larder::testing::LegacyVectors()) {
    DumpHarness h;
    INFO(v.name);
    REQUIRE(h.Do({"RESTORE", "r", "0", Unhex(v.payload_hex)}) == "+OK\r\n");
    CHECK(h.Do({"TYPE", "r"}) == std::string(v.type) + "\r\n");
    CHECK(h.Do({"OBJECT", "ENCODING", "r"}) == Bulk(v.encoding));
    CHECK(h.Do(std::span<const std::string_view>(v.read)) == v.reply);
  }
}

// The encoding a payload decodes to under `limits`.
Enc DecodedEncoding(const std::string& payload, const ValueLimits& limits) {
  RdbValue v;
  RdbDecodeError err;
  REQUIRE(VerifyDumpPayload(payload));
  REQUIRE(DecodeDumpPayload(payload, limits, &v, &err));
  return v.enc;
}

TEST_CASE("loaded values take the encoding the limits give", "[persistence][rdb]") {
  DumpHarness h;
  std::vector<std::string> args = {"SADD", "set"};
  for (int i = 0; i < 600; ++i) args.push_back("member-" + std::to_string(i));
  h.Do(std::vector<std::string_view>(args.begin(), args.end()));
  const std::string set_dump = h.Dump("set");  // a hashtable set: type 2
  REQUIRE(!set_dump.empty());
  ValueLimits lim;
  CHECK(DecodedEncoding(set_dump, lim) == Enc::kObject);
  lim.set_max_listpack_entries = 1000;
  CHECK(DecodedEncoding(set_dump, lim) == Enc::kPacked);
  lim.set_max_listpack_value = 5;  // a plain set re-checks member lengths
  CHECK(DecodedEncoding(set_dump, lim) == Enc::kObject);
  // A listpack hash beyond hash-max-listpack-entries becomes a hashtable; one with long
  // values stays a listpack (Redis 7.0 re-checks only the count of listpacks).
  h.Do({"HSET", "h", "f1", "0123456789", "f2", "v"});
  const std::string hash_dump = h.Dump("h");
  lim = ValueLimits();
  lim.hash_max_listpack_value = 4;
  CHECK(DecodedEncoding(hash_dump, lim) == Enc::kPacked);
  lim.hash_max_listpack_entries = 1;
  CHECK(DecodedEncoding(hash_dump, lim) == Enc::kObject);
  // An intset past set-max-intset-entries becomes a hashtable.
  h.Do({"SADD", "ints", "1", "2", "3"});
  lim = ValueLimits();
  CHECK(DecodedEncoding(h.Dump("ints"), lim) == Enc::kIntSet);
  lim.set_max_intset_entries = 2;
  CHECK(DecodedEncoding(h.Dump("ints"), lim) == Enc::kObject);
  // A long list spans several nodes (a ListObject); a short one is inline.
  h.Do({"RPUSH", "l", std::string(3000, 'a'), std::string(3000, 'b'), std::string(3000, 'c')});
  lim = ValueLimits();
  CHECK(DecodedEncoding(h.Dump("l"), lim) == Enc::kObject);
  lim.list_max_listpack_size = -5;
  CHECK(DecodedEncoding(h.Dump("l"), lim) == Enc::kPacked);
}

TEST_CASE("RESTORE options, replies and errors", "[persistence][rdb]") {
  DumpHarness h;
  h.Do({"SET", "k", "v"});
  const std::string p = h.Dump("k");
  CHECK(h.Do({"RESTORE", "k", "0", p}) == "-BUSYKEY Target key name already exists.\r\n");
  CHECK(h.Do({"RESTORE", "k", "0", p, "REPLACE"}) == "+OK\r\n");
  CHECK(h.Do({"RESTORE", "n", "-1", p}) == "-ERR Invalid TTL value, must be >= 0\r\n");
  CHECK(h.Do({"RESTORE", "n", "x", p}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Do({"RESTORE", "n", "0", p, "IDLETIME", "-1"}) ==
        "-ERR Invalid IDLETIME value, must be >= 0\r\n");
  CHECK(h.Do({"RESTORE", "n", "0", p, "FREQ", "256"}) ==
        "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n");
  CHECK(h.Do({"RESTORE", "n", "0", p, "FREQ", "1", "IDLETIME", "1"}) == "-ERR syntax error\r\n");
  CHECK(h.Do({"RESTORE", "n", "0", p, "BOGUS"}) == "-ERR syntax error\r\n");
  std::string bad = p;
  bad[1] = char(bad[1] ^ 1);
  CHECK(h.Do({"RESTORE", "n", "0", bad}) == "-ERR DUMP payload version or checksum are wrong\r\n");
  CHECK(h.Do({"RESTORE", "n", "0", "short"}) == "-ERR DUMP payload version or checksum are wrong\r\n");
  // A well-formed footer around a malformed value: an unknown type, an empty set, a
  // stream, a truncated string; a newer version.
  const std::string bad_data = "-ERR Bad data format\r\n";
  CHECK(h.Do({"RESTORE", "n", "0", WithFooter("\x7f")}) == bad_data);
  CHECK(h.Do({"RESTORE", "n", "0", WithFooter(std::string("\x02\x00", 2))}) == bad_data);
  CHECK(h.Do({"RESTORE", "n", "0", WithFooter(std::string("\x0f\x00", 2))}) == bad_data);
  CHECK(h.Do({"RESTORE", "n", "0", WithFooter(std::string("\x00\x0f" "ab", 4))}) == bad_data);
  // As in Redis, a value may run into the footer's bytes.
  CHECK(h.Do({"RESTORE", "n", "0", WithFooter(std::string("\x00\x05" "ab", 4))}) == "+OK\r\n");
  CHECK(h.Do({"STRLEN", "n"}) == ":5\r\n");
  CHECK(h.Do({"DEL", "n"}) == ":1\r\n");
  // Version 11 (Redis 7.2) payloads are read, e.g. a SET_LISTPACK.
  std::string v11 = Unhex("140d0d0000000200817002817102ff");
  rdb::PutLe(&v11, 11, 2);
  rdb::PutLe(&v11, Crc64(0, v11), 8);
  CHECK(h.Do({"RESTORE", "n", "0", v11}) == "+OK\r\n");
  CHECK(h.Do({"DEL", "n"}) == ":1\r\n");
  std::string v12 = std::string("\x00\x01" "x\x0c", 4);
  v12.push_back('\0');
  rdb::PutLe(&v12, Crc64(0, v12), 8);
  CHECK(h.Do({"RESTORE", "n", "0", v12}) == "-ERR DUMP payload version or checksum are wrong\r\n");
  CHECK(h.Do({"EXISTS", "n"}) == ":0\r\n");
  // TTLs: relative, absolute, already expired.
  CHECK(h.Do({"RESTORE", "t", "5000", p}) == "+OK\r\n");
  CHECK(h.Do({"PTTL", "t"}) == ":5000\r\n");
  const std::string at = std::to_string(h.NowMs() + 7000);
  CHECK(h.Do({"RESTORE", "a", at, p, "ABSTTL"}) == "+OK\r\n");
  CHECK(h.Do({"PTTL", "a"}) == ":7000\r\n");
  CHECK(h.Do({"RESTORE", "a", "1", p, "ABSTTL", "REPLACE"}) == "+OK\r\n");
  CHECK(h.Do({"EXISTS", "a"}) == ":0\r\n");
  // IDLETIME sets the LRU clock.
  CHECK(h.Do({"RESTORE", "idle", "0", p, "IDLETIME", "1000"}) == "+OK\r\n");
  CHECK(h.Do({"OBJECT", "IDLETIME", "idle"}) == ":1000\r\n");
  CHECK(h.Do({"DUMP", "missing"}) == "$-1\r\n");
}

TEST_CASE("listpack blobs round trip and refuse damage", "[persistence][rdb]") {
  rdb::ListpackBuilder b;
  const std::vector<std::string> in = {"", "a", "127", "128", "-4096", "4095", "40000",
                                       "-8388608", "2147483647", "-9223372036854775808",
                                       "007", std::string(70, 'x'), std::string(5000, 'y')};
  for (const std::string& s : in) b.Add(s);
  const std::string lp = b.Finish();
  std::vector<std::string> out;
  std::string why;
  REQUIRE(rdb::DecodeListpack(lp, &out, &why));
  CHECK(out == in);
  std::string bad = lp;
  bad[lp.size() - 2] = char(bad[lp.size() - 2] ^ 0x40);  // the last back-length
  CHECK_FALSE(rdb::DecodeListpack(bad, &out, &why));
  CHECK_FALSE(rdb::DecodeListpack(lp.substr(0, lp.size() - 1), &out, &why));
  std::vector<int64_t> ints;
  CHECK_FALSE(rdb::DecodeIntset(rdb::EncodeIntset({3, 2}), &ints, &why));  // not sorted
  REQUIRE(rdb::DecodeIntset(rdb::EncodeIntset({-5, 1LL << 40}), &ints, &why));
  CHECK(ints == std::vector<int64_t>{-5, 1LL << 40});
}
