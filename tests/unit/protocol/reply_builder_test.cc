#include "protocol/reply_builder.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

using namespace larder;

namespace {

std::string Drain(OutputBuffer& out) {
  iovec iov[64];
  size_t bytes = 0;
  int n = out.Gather(iov, 64, &bytes);
  std::string s;
  for (int i = 0; i < n; ++i) s.append(static_cast<char*>(iov[i].iov_base), iov[i].iov_len);
  out.Consume(bytes);
  return s;
}

}  // namespace

TEST_CASE("RESP2 and RESP3 encodings", "[reply]") {
  OutputBuffer out;
  ReplyBuilder rb(&out);
  rb.Ok();
  rb.Integer(-42);
  rb.Bulk("hi");
  rb.NullBulk();
  rb.NullArray();
  rb.MapHeader(1);
  rb.Double(1.5);
  rb.Bool(true);
  CHECK(Drain(out) == "+OK\r\n:-42\r\n$2\r\nhi\r\n$-1\r\n*-1\r\n*2\r\n$3\r\n1.5\r\n:1\r\n");
  rb.SetResp3(true);
  rb.NullBulk();
  rb.MapHeader(1);
  rb.SetHeader(2);
  rb.Double(1.5);
  rb.Bool(false);
  rb.PushHeader(3);
  CHECK(Drain(out) == "_\r\n%1\r\n~2\r\n,1.5\r\n#f\r\n>3\r\n");
}

TEST_CASE("errors are sanitised and counted", "[reply]") {
  OutputBuffer out;
  ReplyBuilder rb(&out);
  rb.Error("ERR bad\r\nthing");
  CHECK(Drain(out) == "-ERR bad  thing\r\n");
  CHECK(rb.error_count() == 1);
  CHECK(rb.last_error_prefix() == "ERR");
}

TEST_CASE("deferred array length", "[reply]") {
  OutputBuffer out;
  ReplyBuilder rb(&out);
  rb.Bulk("before");
  auto d = rb.BeginArray();
  for (int i = 0; i < 3; ++i) rb.Integer(i);
  rb.End(d, 3);
  auto m = rb.BeginMap();
  rb.Bulk("k");
  rb.Bulk("v");
  rb.End(m, 1);
  CHECK(Drain(out) == "$6\r\nbefore\r\n*3\r\n:0\r\n:1\r\n:2\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
}

TEST_CASE("output buffer partial consumption across chunks", "[reply]") {
  OutputBuffer out;
  std::string big(40000, 'x');
  out.Append(big);
  out.Append("tail");
  iovec iov[8];
  size_t bytes = 0;
  out.Gather(iov, 8, &bytes);
  CHECK(bytes == 40004);
  out.Consume(20000);
  CHECK(out.size() == 20004);
  out.Append("more");
  CHECK(Drain(out) == std::string(20000, 'x') + "tailmore");
  CHECK(out.empty());
}

TEST_CASE("suppressed replies write nothing", "[reply]") {
  OutputBuffer out;
  ReplyBuilder rb(&out);
  rb.SetSuppressed(true);
  rb.Ok();
  rb.Bulk("x");
  CHECK(out.empty());
}

TEST_CASE("a bulk reply written in place counts only once committed", "[reply]") {
  OutputBuffer out;
  ReplyBuilder rb(&out);
  rb.Ok();  // the output has a tail chunk from here on
  SECTION("committed") {
    char* w = rb.BulkRoom(5);
    REQUIRE(w != nullptr);
    std::memcpy(w, "hello", 5);
    CHECK(out.size() == 5);  // only "+OK\r\n" so far
    rb.CommitBulk();
    CHECK(Drain(out) == "+OK\r\n$5\r\nhello\r\n");
  }
  SECTION("begun again with another length") {
    std::memcpy(rb.BulkRoom(12), "a longer one", 12);
    char* w = rb.BulkRoom(2);
    std::memcpy(w, "ab", 2);
    rb.CommitBulk();
    CHECK(Drain(out) == "+OK\r\n$2\r\nab\r\n");
  }
  SECTION("never committed: the next reply takes its place") {
    std::memcpy(rb.BulkRoom(3), "abc", 3);
    rb.NullBulk();
    CHECK(Drain(out) == "+OK\r\n$-1\r\n");
  }
  SECTION("empty value") {
    REQUIRE(rb.BulkRoom(0) != nullptr);
    rb.CommitBulk();
    CHECK(Drain(out) == "+OK\r\n$0\r\n\r\n");
  }
  SECTION("no room in the tail chunk, or suppressed: nothing written") {
    CHECK(rb.BulkRoom(OutputBuffer::kChunkSize) == nullptr);
    rb.SetSuppressed(true);
    CHECK(rb.BulkRoom(1) == nullptr);
    CHECK(Drain(out) == "+OK\r\n");
  }
  SECTION("an emptied buffer starts a chunk for it") {
    CHECK(Drain(out) == "+OK\r\n");
    std::memcpy(rb.BulkRoom(2), "hi", 2);
    rb.CommitBulk();
    CHECK(Drain(out) == "$2\r\nhi\r\n");
  }
}
