// OBJECT ENCODING of the collection types at Redis's default thresholds, through the
// commands. Expected encodings were checked against redis-server 7.0.15, except where
// Larder follows Redis 7.2 on purpose: small sets of strings are "listpack" (7.0 says
// "hashtable"), and ZRANK/ZREVRANK accept WITHSCORE.
#include <catch2/catch.hpp>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unit/commands/harness.h"

using larder::testing::Harness;

namespace {

const char* kListpack = "$8\r\nlistpack\r\n";
const char* kHashtable = "$9\r\nhashtable\r\n";
const char* kSkiplist = "$8\r\nskiplist\r\n";
const char* kIntset = "$6\r\nintset\r\n";
const char* kQuicklist = "$9\r\nquicklist\r\n";

// A harness that also runs commands with a computed number of arguments.
class EncHarness : public Harness {
 public:
  EncHarness() : many_(NewSession()) {}
  std::string RunArgs(const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    return many_->Execute(std::span<const std::string_view>(views));
  }
  std::string Encoding(std::string_view key) { return Run({"OBJECT", "ENCODING", key}); }

 private:
  std::unique_ptr<larder::Engine::Session> many_;
};

std::string Int(int64_t n) { return ":" + std::to_string(n) + "\r\n"; }

// {cmd, key, then `n` generated groups of args}.
std::vector<std::string> Build(std::vector<std::string> head, int from, int to,
                               std::vector<std::string> (*group)(int)) {
  for (int i = from; i < to; ++i) {
    for (std::string& a : group(i)) head.push_back(std::move(a));
  }
  return head;
}
std::vector<std::string> FieldValue(int i) { return {"f" + std::to_string(i), "v"}; }
std::vector<std::string> ScoreMember(int i) { return {std::to_string(i), "m" + std::to_string(i)}; }
std::vector<std::string> Number(int i) { return {std::to_string(i)}; }
std::vector<std::string> Word(int i) { return {"w" + std::to_string(i)}; }

}  // namespace

TEST_CASE("hash encodings at 512 fields and 64-byte values", "[encoding][hash]") {
  EncHarness h;
  CHECK(h.RunArgs(Build({"HSET", "h"}, 0, 512, FieldValue)) == Int(512));
  CHECK(h.Encoding("h") == kListpack);
  CHECK(h.Run({"HSET", "h", "f0", "changed"}) == Int(0));  // an update adds nothing
  CHECK(h.Encoding("h") == kListpack);
  CHECK(h.Run({"HSET", "h", "f512", "v"}) == Int(1));
  CHECK(h.Encoding("h") == kHashtable);
  CHECK(h.Run({"HLEN", "h"}) == Int(513));
  CHECK(h.Run({"HGET", "h", "f0"}) == "$7\r\nchanged\r\n");
  // Never back to a listpack, even when small again (Redis converts only on load).
  CHECK(h.RunArgs(Build({"HDEL", "h"}, 1, 513, FieldValue)) == Int(512));  // "v" is no field
  CHECK(h.Run({"HGETALL", "h"}) == "*2\r\n$2\r\nf0\r\n$7\r\nchanged\r\n");
  CHECK(h.Encoding("h") == kHashtable);
  CHECK(h.Run({"HDEL", "h", "f0"}) == Int(1));
  CHECK(h.Run({"EXISTS", "h"}) == Int(0));

  const std::string v64(64, 'v'), v65(65, 'v');
  h.Run({"HSET", "v", "f", v64});
  CHECK(h.Encoding("v") == kListpack);
  h.Run({"HSET", "v", "f", v65});  // overwriting with a longer value converts too
  CHECK(h.Encoding("v") == kHashtable);
  h.Run({"HSET", "k", v64, "x"});
  CHECK(h.Encoding("k") == kListpack);
  h.Run({"HSET", "k2", v65, "x"});
  CHECK(h.Encoding("k2") == kHashtable);
  // HSETNX on an existing field changes nothing, so nothing converts.
  h.Run({"HSET", "nx", "a", "1"});
  CHECK(h.Run({"HSETNX", "nx", "a", v65}) == Int(0));
  CHECK(h.Encoding("nx") == kListpack);
  // HINCRBYFLOAT 1e300 writes a 301-digit value.
  h.Run({"HINCRBYFLOAT", "nx", "a", "1e300"});
  CHECK(h.Encoding("nx") == kHashtable);
}

TEST_CASE("sorted-set encodings at 128 members and 64-byte members", "[encoding][zset]") {
  EncHarness h;
  CHECK(h.RunArgs(Build({"ZADD", "z"}, 0, 128, ScoreMember)) == Int(128));
  CHECK(h.Encoding("z") == kListpack);
  CHECK(h.Run({"ZADD", "z", "1000", "m0"}) == Int(0));
  CHECK(h.Encoding("z") == kListpack);
  CHECK(h.Run({"ZADD", "z", "-1", "extra"}) == Int(1));
  CHECK(h.Encoding("z") == kSkiplist);
  CHECK(h.Run({"ZRANGE", "z", "0", "1"}) == "*2\r\n$5\r\nextra\r\n$2\r\nm1\r\n");
  CHECK(h.Run({"ZREM", "z", "extra", "m1", "m2"}) == Int(3));
  CHECK(h.Encoding("z") == kSkiplist);  // no conversion back
  CHECK(h.Run({"ZCARD", "z"}) == Int(126));

  // 129 score-member pairs for one member add one member: still a listpack.
  std::vector<std::string> same{"ZADD", "one"};
  for (int i = 0; i < 129; ++i) {
    same.push_back(std::to_string(i));
    same.push_back("a");
  }
  CHECK(h.RunArgs(same) == Int(1));
  CHECK(h.Encoding("one") == kListpack);

  const std::string m64(64, 'm'), m65(65, 'm');
  h.Run({"ZADD", "l", "1", m64});
  CHECK(h.Encoding("l") == kListpack);
  CHECK(h.Run({"ZADD", "l", "XX", "2", m65}) == Int(0));  // not added: no conversion
  CHECK(h.Encoding("l") == kListpack);
  h.Run({"ZADD", "l", "2", m65});
  CHECK(h.Encoding("l") == kSkiplist);
  h.Run({"ZINCRBY", "i", "1", m65});
  CHECK(h.Encoding("i") == kSkiplist);
}

TEST_CASE("sorted-set results of ZRANGESTORE and ZUNIONSTORE pick the compact encoding",
          "[encoding][zset]") {
  EncHarness h;
  h.RunArgs(Build({"ZADD", "big"}, 0, 129, ScoreMember));
  REQUIRE(h.Encoding("big") == kSkiplist);
  CHECK(h.Run({"ZRANGESTORE", "r", "big", "0", "9"}) == Int(10));
  CHECK(h.Encoding("r") == kListpack);
  CHECK(h.Run({"ZRANGESTORE", "r128", "big", "1", "-1"}) == Int(128));
  CHECK(h.Encoding("r128") == kListpack);
  CHECK(h.Run({"ZRANGESTORE", "rall", "big", "0", "-1"}) == Int(129));
  CHECK(h.Encoding("rall") == kSkiplist);
  CHECK(h.Run({"ZRANGESTORE", "rs", "big", "5", "7", "BYSCORE"}) == Int(3));
  CHECK(h.Encoding("rs") == kListpack);

  CHECK(h.Run({"ZUNIONSTORE", "u", "1", "r"}) == Int(10));
  CHECK(h.Encoding("u") == kListpack);
  CHECK(h.Run({"ZINTERSTORE", "i", "2", "big", "r"}) == Int(10));
  CHECK(h.Encoding("i") == kListpack);
  CHECK(h.Run({"ZDIFFSTORE", "d", "2", "big", "r"}) == Int(119));
  CHECK(h.Encoding("d") == kListpack);
  CHECK(h.Run({"ZUNIONSTORE", "uall", "2", "big", "r"}) == Int(129));
  CHECK(h.Encoding("uall") == kSkiplist);
  h.Run({"ZADD", "long", "1", std::string(65, 'q')});
  CHECK(h.Run({"ZUNIONSTORE", "ul", "2", "r", "long"}) == Int(11));
  CHECK(h.Encoding("ul") == kSkiplist);
  // The skiplist destination is replaced by a compact result.
  CHECK(h.Run({"ZUNIONSTORE", "uall", "1", "r"}) == Int(10));
  CHECK(h.Encoding("uall") == kListpack);
}

TEST_CASE("set encodings: intset, listpack and hashtable", "[encoding][set]") {
  EncHarness h;
  CHECK(h.RunArgs(Build({"SADD", "ints"}, 0, 512, Number)) == Int(512));
  CHECK(h.Encoding("ints") == kIntset);
  CHECK(h.Run({"SADD", "ints", "512"}) == Int(1));
  CHECK(h.Encoding("ints") == kHashtable);  // 513 integers
  CHECK(h.RunArgs(Build({"SREM", "ints"}, 1, 513, Number)) == Int(512));
  CHECK(h.Encoding("ints") == kHashtable);  // no conversion back
  CHECK(h.Run({"SMEMBERS", "ints"}) == "*1\r\n$1\r\n0\r\n");

  h.Run({"SADD", "wide", "1", "70000", "5000000000", "-9223372036854775808"});
  CHECK(h.Encoding("wide") == kIntset);
  for (const char* s : {"-0", "007", "+1", "9223372036854775808"}) {
    INFO(s);
    h.Run({"DEL", "n"});
    h.Run({"SADD", "n", s});
    CHECK(h.Encoding("n") == kListpack);  // not canonical integers (7.0: hashtable)
  }

  CHECK(h.RunArgs(Build({"SADD", "words"}, 0, 128, Word)) == Int(128));
  CHECK(h.Encoding("words") == kListpack);
  h.Run({"SADD", "words", "w128"});
  CHECK(h.Encoding("words") == kHashtable);

  h.Run({"SADD", "mixed", "1", "2", "3"});
  CHECK(h.Encoding("mixed") == kIntset);
  h.Run({"SADD", "mixed", "x"});
  CHECK(h.Encoding("mixed") == kListpack);
  h.Run({"SREM", "mixed", "x"});
  CHECK(h.Encoding("mixed") == kListpack);  // no conversion back to an intset

  const std::string m64(64, 'm'), m65(65, 'm');
  h.Run({"SADD", "len", m64});
  CHECK(h.Encoding("len") == kListpack);
  h.Run({"SADD", "len", m65});
  CHECK(h.Encoding("len") == kHashtable);
  h.Run({"SADD", "len2", "1", m65});
  CHECK(h.Encoding("len2") == kHashtable);

  // SMOVE converts its destination like SADD.
  h.Run({"SADD", "src", "1", "x"});
  CHECK(h.Run({"SMOVE", "src", "dst", "1"}) == Int(1));
  CHECK(h.Encoding("dst") == kIntset);
  CHECK(h.Run({"SMOVE", "src", "dst", "x"}) == Int(1));
  CHECK(h.Encoding("dst") == kListpack);
  CHECK(h.Run({"EXISTS", "src"}) == Int(0));
}

TEST_CASE("set results of SINTERSTORE and friends pick the compact encoding", "[encoding][set]") {
  EncHarness h;
  h.Run({"SADD", "a", "1", "2", "3", "4"});
  h.Run({"SADD", "b", "3", "4", "5"});
  h.Run({"SADD", "c", "a", "b", "3"});
  CHECK(h.Run({"SINTERSTORE", "ab", "a", "b"}) == Int(2));
  CHECK(h.Encoding("ab") == kIntset);
  CHECK(h.Run({"SINTERSTORE", "ac", "a", "c"}) == Int(1));  // {3} from a listpack
  CHECK(h.Encoding("ac") == kIntset);
  CHECK(h.Run({"SUNIONSTORE", "uac", "a", "c"}) == Int(6));
  CHECK(h.Encoding("uac") == kListpack);  // 7.0: hashtable
  CHECK(h.Run({"SDIFFSTORE", "dca", "c", "a"}) == Int(2));
  CHECK(h.Encoding("dca") == kListpack);  // 7.0: hashtable
  CHECK(h.Run({"SDIFFSTORE", "dab", "a", "b"}) == Int(2));
  CHECK(h.Encoding("dab") == kIntset);

  h.RunArgs(Build({"SADD", "ints"}, 0, 513, Number));
  CHECK(h.Run({"SINTERSTORE", "big", "ints", "ints"}) == Int(513));
  CHECK(h.Encoding("big") == kHashtable);
  CHECK(h.Run({"SINTERSTORE", "small", "ints", "a"}) == Int(4));
  CHECK(h.Encoding("small") == kIntset);  // from a hashtable back to an intset result
  h.RunArgs(Build({"SADD", "words"}, 0, 129, Word));
  CHECK(h.Run({"SUNIONSTORE", "w", "words"}) == Int(129));
  CHECK(h.Encoding("w") == kHashtable);
  h.Run({"SADD", "few", "w1", "w2", "zz"});
  CHECK(h.Run({"SINTERSTORE", "w", "words", "few"}) == Int(2));  // replaces the hashtable
  CHECK(h.Encoding("w") == kListpack);
}

TEST_CASE("list encodings are quicklist at every size, as in Redis 7.0", "[encoding][list]") {
  EncHarness h;
  h.Run({"RPUSH", "l", "a", "b"});
  CHECK(h.Encoding("l") == kQuicklist);
  std::vector<std::string> push{"RPUSH", "big"};
  for (int i = 0; i < 100; ++i) push.push_back(std::string(100, 'L') + std::to_string(i));
  CHECK(h.RunArgs(push) == Int(100));  // ~10 KB: more than one 8 KB node
  CHECK(h.Encoding("big") == kQuicklist);
  CHECK(h.Run({"LINDEX", "big", "99"}) == "$102\r\n" + std::string(100, 'L') + "99\r\n");
  CHECK(h.Run({"LTRIM", "big", "0", "0"}) == "+OK\r\n");
  CHECK(h.Encoding("big") == kQuicklist);
  CHECK(h.Run({"LLEN", "big"}) == Int(1));
}

TEST_CASE("COPY and RENAME keep the encoding", "[encoding]") {
  EncHarness h;
  h.RunArgs(Build({"HSET", "h"}, 0, 513, FieldValue));
  h.RunArgs(Build({"ZADD", "z"}, 0, 129, ScoreMember));
  h.RunArgs(Build({"SADD", "s"}, 0, 513, Number));
  h.Run({"HSET", "hs", "a", "1"});
  for (const char* k : {"h", "z", "s", "hs"}) {
    INFO(k);
    std::string before = h.Encoding(k);
    CHECK(h.Run({"COPY", k, std::string(k) + ":copy"}) == Int(1));
    CHECK(h.Encoding(std::string(k) + ":copy") == before);
    CHECK(h.Run({"RENAME", k, std::string(k) + ":renamed"}) == "+OK\r\n");
    CHECK(h.Encoding(std::string(k) + ":renamed") == before);
  }
  CHECK(h.Encoding("h:copy") == kHashtable);
  CHECK(h.Encoding("z:copy") == kSkiplist);
  CHECK(h.Encoding("s:copy") == kHashtable);
  CHECK(h.Encoding("hs:copy") == kListpack);
}

TEST_CASE("ZRANK and ZREVRANK WITHSCORE (Redis 7.2 form)", "[zset][zrank]") {
  EncHarness h;
  h.Run({"ZADD", "small", "1.5", "a", "2", "b", "inf", "c"});
  h.RunArgs(Build({"ZADD", "big"}, 0, 200, ScoreMember));
  h.Run({"ZADD", "big", "-0.25", "neg"});
  REQUIRE(h.Encoding("small") == kListpack);
  REQUIRE(h.Encoding("big") == kSkiplist);

  CHECK(h.Run({"ZRANK", "small", "a"}) == ":0\r\n");
  CHECK(h.Run({"ZRANK", "small", "a", "WITHSCORE"}) == "*2\r\n:0\r\n$3\r\n1.5\r\n");
  CHECK(h.Run({"ZREVRANK", "small", "a", "withscore"}) == "*2\r\n:2\r\n$3\r\n1.5\r\n");
  CHECK(h.Run({"ZRANK", "small", "c", "WithScore"}) == "*2\r\n:2\r\n$3\r\ninf\r\n");
  CHECK(h.Run({"ZRANK", "big", "neg", "WITHSCORE"}) == "*2\r\n:0\r\n$5\r\n-0.25\r\n");
  CHECK(h.Run({"ZRANK", "big", "m150", "WITHSCORE"}) == "*2\r\n:151\r\n$3\r\n150\r\n");
  CHECK(h.Run({"ZREVRANK", "big", "m150", "WITHSCORE"}) == "*2\r\n:49\r\n$3\r\n150\r\n");
  CHECK(h.Run({"ZREVRANK", "big", "neg"}) == ":200\r\n");

  // A missing member or key: a null array with WITHSCORE, a null bulk without.
  CHECK(h.Run({"ZRANK", "small", "zz", "WITHSCORE"}) == "*-1\r\n");
  CHECK(h.Run({"ZREVRANK", "big", "zz", "WITHSCORE"}) == "*-1\r\n");
  CHECK(h.Run({"ZRANK", "nokey", "a", "WITHSCORE"}) == "*-1\r\n");
  CHECK(h.Run({"ZRANK", "small", "zz"}) == "$-1\r\n");

  CHECK(h.Run({"ZRANK", "small", "a", "WITHSCORES"}) == "-ERR syntax error\r\n");
  h.Run({"SET", "str", "x"});
  CHECK(h.Run({"ZRANK", "str", "a", "WITHSCORE"}) ==
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");

  // RESP3: the score is a double, the missing reply a null.
  auto s3 = h.NewSession();
  s3->Execute({"HELLO", "3"});
  CHECK(s3->Execute({"ZRANK", "small", "b", "WITHSCORE"}) == "*2\r\n:1\r\n,2\r\n");
  CHECK(s3->Execute({"ZRANK", "big", "neg", "WITHSCORE"}) == "*2\r\n:0\r\n,-0.25\r\n");
  CHECK(s3->Execute({"ZRANK", "small", "zz", "WITHSCORE"}) == "_\r\n");
}

// Redis 7.2 checks argc > 4 first (t_zset.c zrankGenericCommand: addReplyErrorArity).
TEST_CASE("ZRANK with too many arguments is an arity error", "[zset][zrank]") {
  EncHarness h;
  h.Run({"ZADD", "z", "1", "a"});
  CHECK(h.Run({"ZRANK", "z", "a", "WITHSCORE", "x"}) ==
        "-ERR wrong number of arguments for 'zrank' command\r\n");
  CHECK(h.Run({"ZREVRANK", "z", "a", "WITHSCORE", "x"}) ==
        "-ERR wrong number of arguments for 'zrevrank' command\r\n");
}
