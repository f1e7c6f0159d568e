// Reclaimer: retired memory outlives every read in flight when it was retired, and is
// freed once those reads end.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/reclaimer.h"

namespace {

std::atomic<int> freed{0};
void CountFree(void*) { freed.fetch_add(1); }

// Frees anything this thread still holds back, and starts counting from zero.
void StartCounting() {
  larder::Reclaimer::Drain();
  freed = 0;
}

// Retires n distinct (never dereferenced) addresses with CountFree.
void RetireN(int n) {
  static char cookies[1];
  for (int i = 0; i < n; ++i) larder::Reclaimer::Retire(cookies, CountFree, 8);
}

// Another thread inside a Reclaimer read from construction until Leave returns.
// Every wait is bounded.
class ReadInFlight {
 public:
  ReadInFlight()
      : thread_([this] {
          larder::ReclaimGuard reading;
          inside_ = reading.ok();
          for (int i = 0; i < 10'000'000 && !leave_.load(); ++i) std::this_thread::yield();
        }) {
    for (int i = 0; i < 10'000'000 && !inside_.load(); ++i) std::this_thread::yield();
  }
  ~ReadInFlight() { Leave(); }
  bool inside() const { return inside_.load(); }
  void Leave() {
    leave_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> inside_{false}, leave_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("retired memory is not freed while a read that began before is running",
          "[reclaimer][concurrency]") {
  StartCounting();
  ReadInFlight read;
  REQUIRE(read.inside());
  // Many batches: each one tries to advance the epoch and free what is two epochs old.
  RetireN(20 * int(larder::Reclaimer::kBatch));
  CHECK(freed.load() == 0);
  read.Leave();
  larder::Reclaimer::Drain();
  CHECK(freed.load() == 20 * int(larder::Reclaimer::kBatch));
}

TEST_CASE("with no read running, retired memory is freed at once", "[reclaimer]") {
  StartCounting();
  RetireN(3);
  CHECK(freed.load() == 3);
}

TEST_CASE("memory held back by a read goes with the next retirement after it ends",
          "[reclaimer][concurrency]") {
  StartCounting();
  ReadInFlight read;
  REQUIRE(read.inside());
  RetireN(5);
  CHECK(freed.load() == 0);
  read.Leave();
  CHECK(freed.load() == 0);  // nothing retired since: nothing looked
  RetireN(1);
  CHECK(freed.load() == 6);
}

TEST_CASE("a thread's retired memory is freed when it exits", "[reclaimer]") {
  freed = 0;
  ReadInFlight read;  // holds the memory back at retirement
  REQUIRE(read.inside());
  std::thread t([] { RetireN(3); });  // at exit, waits for the read, then frees
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(freed.load() == 0);
  read.Leave();
  t.join();
  CHECK(freed.load() == 3);
}
