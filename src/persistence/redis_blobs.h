// Redis's compact encodings as they appear inside RDB strings: listpack (written and
// read), ziplist and zipmap (read: older files), intset (written and read). Decoders
// validate the whole blob (header, every entry's bounds, back-lengths, terminator)
// before returning anything; on failure they return false and set *why.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace larder::rdb {

// Builds a Redis listpack: integers in canonical decimal form are stored as integers,
// as Redis does.
class ListpackBuilder {
 public:
  ListpackBuilder();
  void Add(std::string_view element);
  size_t count() const { return count_; }
  // Total bytes of the finished listpack so far (header and terminator included).
  size_t bytes() const { return body_.size() + 1; }
  std::string Finish() const;

 private:
  std::string body_;  // header placeholder + entries
  size_t count_ = 0;
};

// Elements of a listpack / ziplist (integers as their decimal strings).
bool DecodeListpack(std::string_view blob, std::vector<std::string>* out, std::string* why);
bool DecodeZiplist(std::string_view blob, std::vector<std::string>* out, std::string* why);
// Field, value, field, value, ... of a zipmap.
bool DecodeZipmap(std::string_view blob, std::vector<std::string>* out, std::string* why);

// Redis's intset: 4-byte width (2, 4, 8), 4-byte count, members ascending, all LE.
std::string EncodeIntset(const std::vector<int64_t>& sorted_members);
// Requires strictly ascending members.
bool DecodeIntset(std::string_view blob, std::vector<int64_t>* out, std::string* why);

}  // namespace larder::rdb
