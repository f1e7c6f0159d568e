// Larder's embeddable engine: the sharded keyspace and the Redis command set, without
// sockets. Link larder_engine and include this header only.
//
//   larder::Engine engine;
//   auto session = engine.NewSession();
//   std::string reply = session->Execute({"SET", "k", "v"});   // "+OK\r\n"
//   std::optional<std::string> v = engine.Get("k");            // "v"
//
// Thread-safety: Engine's methods are thread-safe. A Session is one client (its
// selected database, protocol version, ...): use each Session from one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace larder {

struct EngineOptions {
  // Logical databases (SELECT 0..databases-1).
  int databases = 16;
  // The keyspace is split into 2^shard_bits independently locked shards.
  int shard_bits = 8;
  // Wall-clock time in ms since the epoch; defaults to the system clock. Tests inject
  // a manual clock here to move time without sleeping.
  std::function<int64_t()> now_ms;
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // One client of the engine.
  class Session {
   public:
    virtual ~Session() = default;
    // Runs one command (args[0] is its name) and returns the reply in RESP (RESP2, or
    // RESP3 after HELLO 3).
    virtual std::string Execute(std::span<const std::string_view> args) = 0;
    std::string Execute(std::initializer_list<std::string_view> args) {
      return Execute(std::span<const std::string_view>(args.begin(), args.size()));
    }
  };
  std::unique_ptr<Session> NewSession();

  // Typed shortcuts on database 0.
  // The string value of `key`; nullopt if the key is missing or holds another type.
  std::optional<std::string> Get(std::string_view key);
  // The same into a caller's buffer: true and *value the value, or false and *value
  // empty. Its capacity is kept, so a buffer reused across calls allocates only when
  // a value outgrows it (the optional form allocates for every value over 15 bytes).
  bool Get(std::string_view key, std::string* value);
  // Sets a string value; ttl of zero or less means no expiry.
  void Set(std::string_view key, std::string_view value,
           std::chrono::milliseconds ttl = std::chrono::milliseconds(0));
  bool Del(std::string_view key);
  uint64_t DbSize(int db = 0);

  // Runs one bounded active-expiry pass (the server does this on a timer; an embedder
  // calls it from its own).
  void ExpireCycle(std::chrono::microseconds budget);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace larder
