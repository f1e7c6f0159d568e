#include "common/reader_marks.h"

namespace larder {

ReaderMarks::Slot ReaderMarks::marks_[ReaderMarks::kMaxReaders];
std::atomic<size_t> ReaderMarks::claimed_{0};

// Claims a free mark for the thread that owns it and returns it at thread exit.
class ReaderMarkOwner {
 public:
  ReaderMarkOwner() {
    for (size_t i = 0; i < ReaderMarks::kMaxReaders; ++i) {
      bool expected = false;
      if (ReaderMarks::marks_[i].taken.compare_exchange_strong(expected, true)) {
        index_ = int(i);
        size_t seen = ReaderMarks::claimed_.load();
        while (seen < i + 1 && !ReaderMarks::claimed_.compare_exchange_weak(seen, i + 1)) {
        }
        return;
      }
    }
  }
  ~ReaderMarkOwner() {
    ReaderMarks::this_thread_ = -1;  // a later thread_local destructor reads unmarked
    if (index_ < 0) return;
    ReaderMarks::marks_[index_].reading.store(nullptr, std::memory_order_release);
    ReaderMarks::marks_[index_].taken.store(false, std::memory_order_release);
  }
  ReaderMarkOwner(const ReaderMarkOwner&) = delete;
  ReaderMarkOwner& operator=(const ReaderMarkOwner&) = delete;
  int index() const { return index_; }

 private:
  int index_ = -1;
};

int ReaderMarks::Claim() {
  thread_local ReaderMarkOwner owner;
  this_thread_ = owner.index();
  return this_thread_;
}

}  // namespace larder
