#include "protocol/arg_cursor.h"

#include "common/errors.h"
#include "common/numbers.h"

namespace larder {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x + 32);
    if (y >= 'A' && y <= 'Z') y = char(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::string_view ArgCursor::Next() {
  if (Done()) {
    Fail(errors::kSyntax);
    return {};
  }
  return args_[pos_++];
}

bool ArgCursor::NextIs(std::string_view kw) {
  if (Done() || !EqualsIgnoreCase(args_[pos_], kw)) return false;
  ++pos_;
  return true;
}

int64_t ArgCursor::NextInt(std::string_view error) {
  std::string_view s = Next();
  if (!ok()) return 0;
  auto v = ParseInt64(s);
  if (!v) {
    Fail(error);
    return 0;
  }
  return *v;
}

double ArgCursor::NextDouble(std::string_view error) {
  std::string_view s = Next();
  if (!ok()) return 0;
  auto v = ParseDouble(s);
  if (!v) {
    Fail(error);
    return 0;
  }
  return *v;
}

void ArgCursor::Fail(std::string_view error) {
  if (error_.empty()) error_.assign(error);
}

}  // namespace larder
