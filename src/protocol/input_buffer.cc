#include "protocol/input_buffer.h"

#include <algorithm>
#include <cstring>

namespace larder {

char* InputBuffer::WritableTail(size_t* avail) {
  if (cap_ - end_ < kMinFree) {
    size_t pending = end_ - begin_;
    if (begin_ > 0 && cap_ - pending >= kMinFree && begin_ >= pending) {
      std::memmove(data_.get(), data_.get() + begin_, pending);  // compact in place
    } else {
      size_t want = std::max(pending * 2 + kMinFree, kIdleCapacity);
      auto grown = std::make_unique_for_overwrite<char[]>(want);
      if (pending > 0) std::memcpy(grown.get(), data_.get() + begin_, pending);
      data_ = std::move(grown);
      cap_ = want;
    }
    begin_ = 0;
    end_ = pending;
  }
  *avail = cap_ - end_;
  return data_.get() + end_;
}

void InputBuffer::Consume(size_t n) {
  begin_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
}

void InputBuffer::ShrinkIfIdle() {
  if (begin_ == end_ && cap_ > 4 * kIdleCapacity) {
    data_.reset();
    cap_ = begin_ = end_ = 0;
  }
}

}  // namespace larder
