// The only writer of RESP. Handlers describe replies (bulk, integer, map, ...) and the
// builder encodes them for the connection's protocol: RESP2 or RESP3 (after HELLO 3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/output_buffer.h"

namespace larder {

class ReplyBuilder {
 public:
  explicit ReplyBuilder(OutputBuffer* out) : out_(out) {}

  void SetResp3(bool on) { resp3_ = on; }
  bool resp3() const { return resp3_; }

  // While suppressed (CLIENT REPLY OFF/SKIP) nothing is written.
  void SetSuppressed(bool on) { suppressed_ = on; }
  bool suppressed() const { return suppressed_; }

  void Ok() { SimpleString("OK"); }
  void SimpleString(std::string_view s);
  // `msg` is the full error text without '-' (e.g. "ERR syntax error"). CR/LF in it are
  // replaced by spaces so the protocol stays intact.
  void Error(std::string_view msg);
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  void NullBulk();   // RESP2 $-1, RESP3 _
  // A bulk reply whose bytes are written in place: BulkRoom(n) writes the header into
  // the output's tail, uncommitted, and returns where the n bytes go; CommitBulk() then
  // ends the reply. nullptr (nothing written): no room in the tail chunk, or replies
  // are suppressed; use Bulk. A reply begun and never committed is not output, and a
  // second BulkRoom starts over. No other call may come between BulkRoom and CommitBulk.
  char* BulkRoom(size_t n);
  void CommitBulk();
  void NullArray();  // RESP2 *-1, RESP3 _
  void ArrayHeader(size_t n);
  void MapHeader(size_t n);   // RESP2: array of 2n
  void SetHeader(size_t n);   // RESP2: array
  void PushHeader(size_t n);  // RESP2: array
  void Double(double v);      // RESP2: bulk string
  void Bool(bool v);          // RESP2: integer 0/1
  void BigNumber(std::string_view digits);  // RESP2: bulk string
  void Verbatim(std::string_view text, std::string_view format = "txt");  // RESP2: bulk
  void EmptyArray() { ArrayHeader(0); }

  // Aggregates whose length is known only after the elements are written.
  struct Deferred {
    size_t handle;
    char kind;
  };
  Deferred BeginArray() { return Begin('*'); }
  Deferred BeginMap() { return Begin('%'); }
  // `n` is the element count (pairs for a map).
  void End(Deferred d, size_t n);

  // Error accounting for INFO errorstats: count and prefix of the last error.
  uint64_t error_count() const { return error_count_; }
  std::string_view last_error_prefix() const { return {last_prefix_, last_prefix_len_}; }

 private:
  void Header(char kind, uint64_t n);
  Deferred Begin(char kind);

  OutputBuffer* out_;
  bool resp3_ = false;
  bool suppressed_ = false;
  size_t room_size_ = 0;  // header and bytes of the reply BulkRoom began
  uint64_t error_count_ = 0;
  char last_prefix_[32] = {};
  size_t last_prefix_len_ = 0;
};

}  // namespace larder
