// In-process command harness: Run({"SET","k","v"}) returns the raw RESP reply, with
// time on a manual clock (tests move it instead of sleeping).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "larder/engine.h"

namespace larder::testing {

class Harness {
 public:
  explicit Harness(int databases = 16) {
    EngineOptions o;
    o.databases = databases;
    o.shard_bits = 4;
    o.now_ms = [this] { return now_ms_.load(); };
    engine_ = std::make_unique<Engine>(std::move(o));
    session_ = engine_->NewSession();
  }

  std::string Run(std::initializer_list<std::string_view> args) { return session_->Execute(args); }
  std::unique_ptr<Engine::Session> NewSession() { return engine_->NewSession(); }
  void AdvanceMs(int64_t ms) { now_ms_ += ms; }
  int64_t NowMs() const { return now_ms_.load(); }
  Engine& engine() { return *engine_; }

 private:
  std::atomic<int64_t> now_ms_{1'700'000'000'000};
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Engine::Session> session_;
};

}  // namespace larder::testing
