#include "protocol/reply_builder.h"

#include <charconv>
#include <cstring>

#include "common/numbers.h"

namespace larder {
namespace {

constexpr size_t kHeaderMax = 23;  // kind, at most 20 digits, CRLF

// Writes "<kind><n>\r\n" at w (room for kHeaderMax bytes); returns its end.
char* PutHeader(char* w, char kind, uint64_t n) {
  *w++ = kind;
  w = std::to_chars(w, w + 20, n).ptr;
  *w++ = '\r';
  *w++ = '\n';
  return w;
}

}  // namespace

void ReplyBuilder::Header(char kind, uint64_t n) {
  if (suppressed_) return;
  if (char* const start = out_->TailSpace(kHeaderMax)) {
    out_->Commit(size_t(PutHeader(start, kind, n) - start));
    return;
  }
  char buf[kHeaderMax];
  out_->Append(buf, size_t(PutHeader(buf, kind, n) - buf));
}

void ReplyBuilder::SimpleString(std::string_view s) {
  if (suppressed_) return;
  out_->AppendByte('+');
  out_->Append(s);
  out_->Append("\r\n", 2);
}

void ReplyBuilder::Error(std::string_view msg) {
  ++error_count_;
  size_t space = msg.find(' ');
  size_t plen = std::min(space == std::string_view::npos ? msg.size() : space, sizeof last_prefix_);
  std::memcpy(last_prefix_, msg.data(), plen);
  last_prefix_len_ = plen;
  if (suppressed_) return;
  out_->AppendByte('-');
  if (msg.find_first_of("\r\n") == std::string_view::npos) {
    out_->Append(msg);
  } else {
    std::string clean(msg);
    for (char& c : clean) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    out_->Append(clean);
  }
  out_->Append("\r\n", 2);
}

void ReplyBuilder::Integer(int64_t v) {
  if (suppressed_) return;
  char buf[32];
  buf[0] = ':';
  size_t n = FormatInt(buf + 1, v);
  buf[n + 1] = '\r';
  buf[n + 2] = '\n';
  out_->Append(buf, n + 3);
}

void ReplyBuilder::Bulk(std::string_view s) {
  if (suppressed_) return;
  // One pass into the tail chunk when it has room: "$<len>\r\n<bytes>\r\n".
  if (char* const w = BulkRoom(s.size())) {
    if (!s.empty()) std::memcpy(w, s.data(), s.size());
    CommitBulk();
    return;
  }
  Header('$', s.size());
  out_->Append(s);
  out_->Append("\r\n", 2);
}

char* ReplyBuilder::BulkRoom(size_t n) {
  if (suppressed_) return nullptr;
  char* const start = out_->TailSpace(kHeaderMax + n + 2);
  if (start == nullptr) return nullptr;
  char* const w = PutHeader(start, '$', n);
  room_size_ = size_t(w - start) + n;
  return w;
}

void ReplyBuilder::CommitBulk() {
  char* const start = out_->TailSpace(room_size_ + 2);
  start[room_size_] = '\r';
  start[room_size_ + 1] = '\n';
  out_->Commit(room_size_ + 2);
}

void ReplyBuilder::NullBulk() {
  if (suppressed_) return;
  if (resp3_) out_->Append("_\r\n", 3);
  else out_->Append("$-1\r\n", 5);
}

void ReplyBuilder::NullArray() {
  if (suppressed_) return;
  if (resp3_) out_->Append("_\r\n", 3);
  else out_->Append("*-1\r\n", 5);
}

void ReplyBuilder::ArrayHeader(size_t n) { Header('*', n); }
void ReplyBuilder::MapHeader(size_t n) { resp3_ ? Header('%', n) : Header('*', 2 * n); }
void ReplyBuilder::SetHeader(size_t n) { Header(resp3_ ? '~' : '*', n); }
void ReplyBuilder::PushHeader(size_t n) { Header(resp3_ ? '>' : '*', n); }

void ReplyBuilder::Double(double v) {
  if (suppressed_) return;
  std::string s = FormatDouble(v);
  if (resp3_) {
    out_->AppendByte(',');
    out_->Append(s);
    out_->Append("\r\n", 2);
  } else {
    Bulk(s);
  }
}

void ReplyBuilder::Bool(bool v) {
  if (suppressed_) return;
  if (resp3_) out_->Append(v ? "#t\r\n" : "#f\r\n", 4);
  else Integer(v ? 1 : 0);
}

void ReplyBuilder::BigNumber(std::string_view digits) {
  if (suppressed_) return;
  if (!resp3_) {
    Bulk(digits);
    return;
  }
  out_->AppendByte('(');
  out_->Append(digits);
  out_->Append("\r\n", 2);
}

void ReplyBuilder::Verbatim(std::string_view text, std::string_view format) {
  if (suppressed_) return;
  if (!resp3_) {
    Bulk(text);
    return;
  }
  Header('=', text.size() + format.size() + 1);
  out_->Append(format);
  out_->AppendByte(':');
  out_->Append(text);
  out_->Append("\r\n", 2);
}

ReplyBuilder::Deferred ReplyBuilder::Begin(char kind) {
  if (suppressed_) return {0, kind};
  return {out_->Reserve(), kind};
}

void ReplyBuilder::End(Deferred d, size_t n) {
  if (suppressed_) return;
  char kind = d.kind;
  if (kind == '%' && !resp3_) {
    kind = '*';
    n *= 2;
  }
  char buf[32];
  buf[0] = kind;
  auto r = std::to_chars(buf + 1, buf + 30, n);
  r.ptr[0] = '\r';
  r.ptr[1] = '\n';
  out_->FillReserved(d.handle, std::string_view(buf, size_t(r.ptr + 2 - buf)));
}

}  // namespace larder
