// Typed, forward-only reader over a command's arguments. The first failure is latched
// (later reads return defaults and do not overwrite it), so a handler parses all its
// options and checks ok() once.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace larder {

// Case-insensitive ASCII comparison.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// `s` with ASCII letters lowercased.
std::string AsciiLower(std::string_view s);

class ArgCursor {
 public:
  ArgCursor(std::span<const std::string_view> args, size_t start = 1)
      : args_(args), pos_(start) {}

  bool Done() const { return pos_ >= args_.size(); }
  size_t Remaining() const { return Done() ? 0 : args_.size() - pos_; }
  size_t Position() const { return pos_; }

  // Peeks without consuming; empty when done.
  std::string_view Peek() const { return Done() ? std::string_view() : args_[pos_]; }
  // Consumes one argument; on end of input latches "ERR syntax error".
  std::string_view Next();
  // Consumes the next argument if it equals kw (case-insensitive).
  bool NextIs(std::string_view kw);
  // Consumes an int64 (Redis strict syntax); latches `error` on failure.
  int64_t NextInt(std::string_view error);
  // Consumes a double; latches `error` on failure.
  double NextDouble(std::string_view error);

  void Fail(std::string_view error);
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  std::span<const std::string_view> args_;
  size_t pos_;
  std::string error_;
};

}  // namespace larder
