// A pack: a small collection stored as one byte string inside its entry, like Redis's
// listpack. Layout: varint element count, then for each element a varint length and
// its bytes. Packs are rebuilt on change (they only hold up to the configured
// *-max-listpack-* limits of elements).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace larder {

class PackReader {
 public:
  explicit PackReader(std::string_view pack);
  size_t count() const { return count_; }
  bool Done() const { return pos_ >= pack_.size(); }
  // Returns the next element. REQUIRES: !Done().
  std::string_view Next();
  // Byte offset of the next element (for splicing).
  size_t offset() const { return pos_; }

 private:
  std::string_view pack_;
  size_t pos_ = 0;
  size_t count_ = 0;
};

class PackWriter {
 public:
  PackWriter() = default;
  void Reserve(size_t bytes) { body_.reserve(bytes); }
  void Add(std::string_view element);
  // Appends raw encoded elements (a range of another pack's body) holding `n` elements.
  void AddRaw(std::string_view encoded, size_t n);
  size_t count() const { return count_; }
  // The finished pack.
  std::string Finish() const;

 private:
  std::string body_;
  size_t count_ = 0;
};

// A few pack bytes (varints and encoded elements) put together for an in-place edit of
// a pack (Entry::SpliceBlob); on the stack unless they outgrow kInline bytes.
class PackBytes {
 public:
  PackBytes() = default;
  PackBytes(const PackBytes&) = delete;
  PackBytes& operator=(const PackBytes&) = delete;

  void AddVarint(uint64_t v);
  // One element: its varint length, then its bytes.
  void AddElement(std::string_view element);
  std::string_view view() const { return {heap_.empty() ? inline_ : heap_.data(), len_}; }

 private:
  static constexpr size_t kInline = 128;
  void AddRaw(const char* bytes, size_t n);
  char inline_[kInline];
  size_t len_ = 0;
  std::string heap_;  // all the bytes, once there are more than kInline
};

// Number of elements of a pack.
size_t PackCount(std::string_view pack);
// A pack with no elements.
std::string EmptyPack();
// The encoding of one element (varint length + bytes).
std::string EncodeElement(std::string_view element);
// Appends one encoded element to a pack held in a string (the count is not updated).
void AppendElement(std::string* pack, std::string_view element);
// Rewrites a pack's element count (its varint header may change size).
void SetPackCount(std::string* pack, size_t count);

}  // namespace larder
