// Incremental request parser: RESP multibulk ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and
// inline commands ("GET k\r\n"), with Redis's limits and exact protocol errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace larder {

struct ParserLimits {
  int64_t max_bulk_len = 512 * 1024 * 1024;  // proto-max-bulk-len
  bool auth_required = false;  // unauthenticated clients get tighter length limits
};

// Not thread-safe; one per connection. Feed() is given the unparsed bytes starting
// at the first byte of the current command; across kIncomplete results the caller
// may move the bytes (the parser keeps offsets) but must keep them and append only.
class RequestParser {
 public:
  static constexpr size_t kInlineMax = 64 * 1024;  // PROTO_INLINE_MAX_SIZE

  enum class Status {
    kComplete,    // a command is ready in args(); consumed() bytes belong to it
    kEmpty,       // consumed() bytes held no command (empty line, "*0")
    kIncomplete,  // need more bytes
    kError,       // protocol error: reply error() and close the connection
  };

  Status Feed(std::string_view pending, const ParserLimits& limits);

  size_t consumed() const { return consumed_; }
  // The command's arguments. Valid until the next Feed or until `pending` changes.
  const std::vector<std::string_view>& args() const { return args_; }
  const std::string& error() const { return error_; }
  // Forgets a partly parsed command: the next Feed starts at a command's first byte.
  void Reset();

 private:
  struct Span {
    size_t offset;
    size_t length;
  };

  Status FeedInline(std::string_view pending);
  Status FeedMultibulk(std::string_view pending, const ParserLimits& limits);
  // Parses a whole multibulk command of at most 10 arguments in one pass when all of it
  // is in `pending` and well formed; false (and nothing changed) otherwise, and the
  // incremental parser takes over.
  bool FeedWhole(std::string_view pending, const ParserLimits& limits);
  Status Fail(std::string_view msg);

  // Multibulk progress, kept across kIncomplete results.
  bool in_multibulk_ = false;
  int64_t remaining_ = 0;   // arguments still to read
  int64_t bulk_len_ = -1;   // length of the bulk being read, -1 while reading its header
  size_t pos_ = 0;          // parse position relative to the command start
  std::vector<Span> spans_;

  size_t consumed_ = 0;
  std::vector<std::string_view> args_;
  std::string inline_storage_;
  std::string error_;
};

// Splits an inline command line with Redis's rules (sdssplitargs): whitespace
// separated, "double quotes" with \n \r \t \b \a \\ \" \xHH escapes, 'single quotes'
// with \' only; a closing quote must be followed by a space or the end. Appends the
// unescaped arguments to *storage and their (offset, length) to *spans. Returns false
// on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, std::string* storage,
                     std::vector<std::pair<size_t, size_t>>* spans);

}  // namespace larder
