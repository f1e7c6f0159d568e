// A connection's query buffer: bytes read from the socket and not yet parsed.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

namespace larder {

// Growable byte buffer with a consumed prefix. Not thread-safe (one connection).
class InputBuffer {
 public:
  static constexpr size_t kMinFree = 16 * 1024;
  static constexpr size_t kIdleCapacity = 16 * 1024;

  // Returns at least kMinFree writable bytes at the tail. Growth is geometric in what
  // has actually arrived (capacity <= 2 * pending + 64 KiB), so a declared length never
  // allocates ahead of the data.
  char* WritableTail(size_t* avail);
  void Commit(size_t n) { end_ += n; }

  std::string_view Pending() const { return {data_.get() + begin_, end_ - begin_}; }
  size_t PendingSize() const { return end_ - begin_; }
  void Consume(size_t n);
  size_t Capacity() const { return cap_; }
  // Frees a large buffer once it holds nothing (called after a batch).
  void ShrinkIfIdle();

 private:
  std::unique_ptr<char[]> data_;
  size_t cap_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace larder
