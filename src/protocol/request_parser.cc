#include "protocol/request_parser.h"

#include <algorithm>
#include <cstring>

#include "common/errors.h"
#include "common/numbers.h"

namespace larder {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Fast path for a length header: at `from` a canonical number ("0", or 1-9 then up to
// 17 more digits) directly followed by '\r' and one more byte. Sets the value and the
// position of the '\r'. Anything else (signs, junk, incomplete) returns false and goes
// through the strict general path, so both give the same results.
bool FastLength(std::string_view s, size_t from, int64_t* value, size_t* cr_at) {
  size_t i = from;
  if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  int64_t v = s[i] - '0';
  ++i;
  if (v != 0) {
    const size_t end = std::min(s.size(), from + 18);
    while (i < end && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0');
  }
  if (i + 1 >= s.size() || s[i] != '\r') return false;
  *value = v;
  *cr_at = i;
  return true;
}

// FastLength over raw pointers: digits at q (at most 18), then '\r' and one more byte
// before `end`. On success *q is past the two line-end bytes.
inline bool SmallLine(const char** q, const char* end, int64_t* value) {
  const char* s = *q;
  if (s >= end || unsigned(*s - '0') > 9) return false;
  int64_t v = *s++ - '0';
  if (v != 0) {
    const char* lim = end - s > 17 ? s + 17 : end;
    while (s < lim && unsigned(*s - '0') <= 9) v = v * 10 + (*s++ - '0');
  }
  if (end - s < 2 || *s != '\r') return false;
  *value = v;
  *q = s + 2;
  return true;
}

}  // namespace

bool SplitInlineArgs(std::string_view line, std::string* storage,
                     std::vector<std::pair<size_t, size_t>>* spans) {
  // Redis splits a C string: a NUL byte ends the line.
  if (const void* nul = std::memchr(line.data(), '\0', line.size())) {
    line = line.substr(0, size_t(static_cast<const char*>(nul) - line.data()));
  }
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    while (i < n && IsSpace(line[i])) ++i;
    if (i >= n) return true;
    size_t start = storage->size();
    bool in_double = false, in_single = false, done = false;
    while (!done) {
      if (in_double) {
        if (i >= n) return false;  // unterminated quotes
        if (line[i] == '\\' && i + 3 < n && line[i + 1] == 'x' && HexValue(line[i + 2]) >= 0 &&
            HexValue(line[i + 3]) >= 0) {
          storage->push_back(char(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 3;
        } else if (line[i] == '\\' && i + 1 < n) {
          ++i;
          char c = line[i];
          switch (c) {
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'b': c = '\b'; break;
            case 'a': c = '\a'; break;
            default: break;
          }
          storage->push_back(c);
        } else if (line[i] == '"') {
          // The closing quote must be followed by a space or the end.
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          storage->push_back(line[i]);
        }
      } else if (in_single) {
        if (i >= n) return false;
        if (line[i] == '\\' && i + 1 < n && line[i + 1] == '\'') {
          ++i;
          storage->push_back('\'');
        } else if (line[i] == '\'') {
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          storage->push_back(line[i]);
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        switch (line[i]) {
          case ' ': case '\n': case '\r': case '\t': case '\0':
            done = true;
            break;
          case '"':
            in_double = true;
            break;
          case '\'':
            in_single = true;
            break;
          default:
            storage->push_back(line[i]);
            break;
        }
      }
      if (i < n) ++i;
    }
    spans->emplace_back(start, storage->size() - start);
  }
}

void RequestParser::Reset() {
  in_multibulk_ = false;
  remaining_ = 0;
  bulk_len_ = -1;
  pos_ = 0;
  spans_.clear();
}

RequestParser::Status RequestParser::Fail(std::string_view msg) {
  error_.assign(msg);
  Reset();
  return Status::kError;
}

RequestParser::Status RequestParser::Feed(std::string_view pending, const ParserLimits& limits) {
  args_.clear();
  consumed_ = 0;
  if (pending.empty()) return Status::kIncomplete;
  if (in_multibulk_ || pending[0] == '*') return FeedMultibulk(pending, limits);
  return FeedInline(pending);
}

RequestParser::Status RequestParser::FeedInline(std::string_view pending) {
  const void* nl = std::memchr(pending.data(), '\n', pending.size());
  // Redis looks for the newline with strchr, which stops at a NUL byte: a line with a
  // NUL before its newline never completes (and hits the inline size limit).
  const void* nul = std::memchr(pending.data(), '\0', pending.size());
  if (nul != nullptr && (nl == nullptr || nul < nl)) nl = nullptr;
  if (nl == nullptr) {
    if (pending.size() > kInlineMax) return Fail(errors::kProtoBigInline);
    return Status::kIncomplete;
  }
  size_t line_len = size_t(static_cast<const char*>(nl) - pending.data());
  consumed_ = line_len + 1;
  if (line_len > 0 && pending[line_len - 1] == '\r') --line_len;
  inline_storage_.clear();
  inline_storage_.reserve(line_len);
  std::vector<std::pair<size_t, size_t>> spans;
  if (!SplitInlineArgs(pending.substr(0, line_len), &inline_storage_, &spans)) {
    return Fail(errors::kProtoUnbalanced);
  }
  if (spans.empty()) return Status::kEmpty;
  for (auto [off, len] : spans) args_.emplace_back(inline_storage_.data() + off, len);
  return Status::kComplete;
}

bool RequestParser::FeedWhole(std::string_view p, const ParserLimits& limits) {
  const char* q = p.data() + 1;
  const char* const end = p.data() + p.size();
  int64_t count = 0;
  if (!SmallLine(&q, end, &count) || count <= 0 || count > 10) return false;
  for (int64_t i = 0; i < count; ++i) {
    int64_t len = 0;
    if (q >= end || *q != '$') break;
    ++q;
    if (!SmallLine(&q, end, &len) || len > limits.max_bulk_len ||
        (len > 16384 && limits.auth_required) || end - q < len + 2) {
      break;
    }
    args_.emplace_back(q, size_t(len));
    q += len + 2;
  }
  if (args_.size() != size_t(count)) {
    args_.clear();
    return false;
  }
  consumed_ = size_t(q - p.data());
  return true;
}

RequestParser::Status RequestParser::FeedMultibulk(std::string_view p, const ParserLimits& limits) {
  if (!in_multibulk_ && FeedWhole(p, limits)) return Status::kComplete;
  if (!in_multibulk_) {
    int64_t fast_count = 0;
    size_t fast_cr = 0;
    if (FastLength(p, 1, &fast_count, &fast_cr) && fast_count > 0 && fast_count <= 10) {
      pos_ = fast_cr + 2;
      in_multibulk_ = true;
      remaining_ = fast_count;
      bulk_len_ = -1;
      spans_.clear();
    }
  }
  if (!in_multibulk_) {
    const void* cr = std::memchr(p.data(), '\r', p.size());
    if (cr == nullptr) {
      if (p.size() > kInlineMax) return Fail(errors::kProtoBigMbulkCount);
      return Status::kIncomplete;
    }
    size_t cr_at = size_t(static_cast<const char*>(cr) - p.data());
    if (cr_at + 2 > p.size()) return Status::kIncomplete;
    auto count = ParseInt64(p.substr(1, cr_at - 1));
    if (!count || *count > INT32_MAX) return Fail(errors::kProtoMultibulkLen);
    if (*count > 10 && limits.auth_required) return Fail(errors::kProtoUnauthMultibulk);
    pos_ = cr_at + 2;
    if (*count <= 0) {
      consumed_ = pos_;
      Reset();
      return Status::kEmpty;
    }
    in_multibulk_ = true;
    remaining_ = *count;
    bulk_len_ = -1;
    spans_.clear();
  }
  while (remaining_ > 0) {
    if (bulk_len_ < 0) {
      int64_t fast_len = 0;
      size_t fast_cr = 0;
      if (pos_ < p.size() && p[pos_] == '$' && FastLength(p, pos_ + 1, &fast_len, &fast_cr) &&
          fast_len <= limits.max_bulk_len && (fast_len <= 16384 || !limits.auth_required)) {
        bulk_len_ = fast_len;
        pos_ = fast_cr + 2;
      }
    }
    if (bulk_len_ < 0) {
      std::string_view rest = p.substr(pos_);
      const void* cr = std::memchr(rest.data(), '\r', rest.size());
      if (cr == nullptr) {
        if (rest.size() > kInlineMax) return Fail(errors::kProtoBigBulkCount);
        return Status::kIncomplete;
      }
      size_t cr_at = size_t(static_cast<const char*>(cr) - rest.data());
      if (cr_at + 2 > rest.size()) return Status::kIncomplete;
      if (rest[0] != '$') {
        std::string msg = "ERR Protocol error: expected '$', got '";
        msg.push_back(rest[0]);
        msg.push_back('\'');
        return Fail(msg);
      }
      auto len = ParseInt64(rest.substr(1, cr_at - 1));
      if (!len || *len < 0 || *len > limits.max_bulk_len) return Fail(errors::kProtoBulkLen);
      if (*len > 16384 && limits.auth_required) return Fail(errors::kProtoUnauthBulk);
      bulk_len_ = *len;
      pos_ += cr_at + 2;
    }
    if (p.size() - pos_ < size_t(bulk_len_) + 2) return Status::kIncomplete;
    spans_.push_back({pos_, size_t(bulk_len_)});
    pos_ += size_t(bulk_len_) + 2;
    bulk_len_ = -1;
    --remaining_;
  }
  consumed_ = pos_;
  args_.reserve(spans_.size());
  for (const Span& s : spans_) args_.emplace_back(p.data() + s.offset, s.length);
  Reset();
  return Status::kComplete;
}

}  // namespace larder
