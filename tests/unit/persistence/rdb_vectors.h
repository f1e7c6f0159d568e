// DUMP payloads shared by the RDB value tests. Each was checked against redis-server
// 7.0.15: those under "written" are its DUMP output for the commands given; the legacy
// ones (ziplist, zipmap, quicklist of ziplists, type 1/3 values, ...) were built by hand
// and RESTOREd by it (except SET_LISTPACK, which only 7.2 knows).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace larder::testing {

inline std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

inline std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out.push_back(kDigits[uint8_t(c) >> 4]);
    out.push_back(kDigits[uint8_t(c) & 15]);
  }
  return out;
}

struct WrittenVector {
  std::vector<std::vector<std::string_view>> commands;  // build the value at "k"
  std::string_view dump_hex;
};

inline const std::vector<WrittenVector>& WrittenVectors() {
  static const std::vector<WrittenVector> v = {
      {{{"SET", "k", "hello"}}, "000568656c6c6f0a006372df766534200a"},
      {{{"SET", "k", "-123456"}}, "00c2c01dfeff0a00e1b6629eabbd54f2"},
      {{{"SET", "k", "hello hello hello hello hello hello hello hello hello hello "}},
       "00c30e3c0668656c6c6f2068e02a05016f200a00b601c14b32aa8b1c"},
      {{{"RPUSH", "k", "a", "b", "1", "-5", "300", "70000", "-9223372036854775808"}},
       "120102242400000007008161028162020101dffb02c12c02f270110104f4000000000000008009ff0a00"
       "1aca1517e97391f2"},
      {{{"HSET", "k", "f", "v", "n", "1"}},
       "1012120000000400816602817602816e020101ff0a00fce408f17922e016"},
      {{{"ZADD", "k", "1", "a", "2.5", "b", "0.1", "c", "-3", "d"}},
       "11c3293213320000000800816402dffd0281630293302e3130e005000f3114816102010181620283322e"
       "3504ff0a00c0954560165fbc3e"},
      {{{"SADD", "k", "1", "2", "3", "70000", "-40000"}},
       "0b1c0400000005000000c063ffff010000000200000003000000701101000a0073e64bd0a38674f4"},
  };
  return v;
}

struct LegacyVector {
  std::string_view name;
  std::string_view payload_hex;
  std::string_view type;      // TYPE reply
  std::string_view encoding;  // OBJECT ENCODING in Larder
  std::vector<std::string_view> read;  // a command reading it (key "r")
  std::string_view reply;              // its reply
};

inline const std::vector<LegacyVector>& LegacyVectors() {
  static const std::vector<LegacyVector> v = {
      {"LIST", "01030161026262c0070a004bc22febb6f5626b", "+list", "quicklist",
       {"LRANGE", "r", "0", "-1"}, "*3\r\n$1\r\na\r\n$2\r\nbb\r\n$1\r\n7\r\n"},
      {"LIST_ZIPLIST",
       "0a406c6c00000022000000060000017803f602c02c0104f090eefe05e000000000000100000a404679797979"
       "797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979"
       "797979797979797979797979797979797979797979ff0a00ccbbb8c0927b94be",
       "+list", "quicklist", {"LRANGE", "r", "0", "4"},
       "*5\r\n$1\r\nx\r\n$1\r\n5\r\n$3\r\n300\r\n$6\r\n-70000\r\n$13\r\n1099511627776\r\n"},
      {"LIST_QUICKLIST",
       "0e0210100000000d000000020000016103f2ff11110000000d000000020000016203fefeff0a00cd29ec5bee"
       "ef68e2",
       "+list", "quicklist", {"LRANGE", "r", "0", "-1"},
       "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$2\r\n-2\r\n"},
      {"HASH_ZIPMAP", "0910020266310200763102663202003132ff0a00493911e8a82dfdb6", "+hash",
       "listpack", {"HGET", "r", "f2"}, "$2\r\n12\r\n"},
      {"HASH_ZIPLIST", "0d161600000013000000040000016603017603016e03f8ff0a007a1413b8ac3b1170",
       "+hash", "listpack", {"HGET", "r", "n"}, "$1\r\n7\r\n"},
      {"ZSET_ZIPLIST", "0c181800000012000000040000016103f20201620303322e35ff0a005c571d9d946faeb7",
       "+zset", "listpack", {"ZSCORE", "r", "b"}, "$3\r\n2.5\r\n"},
      {"ZSET", "0302016103312e350162fe0a0005ed076fe4d508ea", "+zset", "listpack",
       {"ZSCORE", "r", "b"}, "$3\r\ninf\r\n"},
      {"SET", "0202017801790a00ac3a8d681184aa31", "+set", "listpack", {"SISMEMBER", "r", "y"},
       ":1\r\n"},
      {"SET of integers", "0203c003c001c0020a005559d4776ac05e32", "+set", "intset",
       {"SMEMBERS", "r"}, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"},
      {"HASH", "0401016601760a00adf24356b1860efc", "+hash", "listpack", {"HGET", "r", "f"},
       "$1\r\nv\r\n"},
      {"ZSET_2", "0502016200000000000000400161000000000000f03f0a007b299e12ce9408d4", "+zset",
       "listpack", {"ZRANGE", "r", "0", "-1"}, "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
      {"SET_LISTPACK", "140d0d0000000200817002817102ff0a00a585aa8ed84bb16b", "+set", "listpack",
       {"SCARD", "r"}, ":2\r\n"},
  };
  return v;
}

}  // namespace larder::testing
