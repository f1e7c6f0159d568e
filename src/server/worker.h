// A worker thread: its own libuv loop, the connections pinned to it, and its
// dispatcher and statistics. Other threads talk to it only through its inbox
// (Adopt / Kill / Stop), which wakes the loop with uv_async_send; the callback drains
// the whole inbox because sends coalesce.
#pragma once

#include <uv.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "commands/command_stats.h"
#include "commands/dispatcher.h"
#include "commands/pubsub.h"
#include "common/mutex.h"
#include "protocol/request_parser.h"
#include "server/server_context.h"

namespace larder {

class Connection;

struct AcceptedSocket {
  int fd = -1;
  bool unix_socket = false;
  std::string addr;
  std::string laddr;
};

class Worker {
 public:
  Worker(int index, ServerContext* ctx);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void Start();
  void Join();

  // Thread-safe requests.
  void Adopt(AcceptedSocket s);
  void Kill(uint64_t client_id);
  // Hands a blocked client its reply (it was served on another thread).
  void Unblock(uint64_t client_id, std::string reply);
  // Hands a pub/sub message to a subscriber on this worker (thread-safe).
  void Push(uint64_t client_id, std::shared_ptr<const PushMessage> msg);
  // Stop reading, finish in-flight replies (bounded wait), close everything, end loop.
  void Stop();

  // Loop-thread only.
  uv_loop_t* loop() { return &loop_; }
  int index() const { return index_; }
  ServerContext& ctx() { return *ctx_; }
  Dispatcher& dispatcher() { return *dispatcher_; }
  // The parser Connection::ReadAhead uses (reset before each use).
  RequestParser& look_ahead_parser() { return look_ahead_parser_; }
  void ScheduleFlush(Connection* c);
  void Unschedule(Connection* c);
  void Closed(Connection* c);
  // Times the client out at deadline_ms (wall clock) if it is still blocked then.
  void AddBlockDeadline(int64_t deadline_ms, uint64_t client_id);

  // Read by INFO from any thread.
  CommandStats& stats() { return stats_; }
  std::atomic<uint64_t> net_input_bytes{0};
  std::atomic<uint64_t> net_output_bytes{0};
  std::atomic<uint64_t> reads_processed{0};
  std::atomic<uint64_t> writes_processed{0};
  std::atomic<uint64_t> max_input_buffer{0};
  std::atomic<uint64_t> max_output_buffer{0};

 private:
  struct Message {
    enum Kind { kAdopt, kKill, kStop, kUnblock, kPush } kind;
    AcceptedSocket socket;
    uint64_t client_id = 0;
    std::string reply;
    std::shared_ptr<const PushMessage> push;
  };
  void Post(Message m);
  void Run();
  void HandleMessages();
  void BeginStop();
  void MaybeFinishStop();

  static void OnAsync(uv_async_t* h);
  static void OnCheck(uv_check_t* h);
  static void OnTimer(uv_timer_t* h);
  static void OnBlockTimer(uv_timer_t* h);
  void ArmBlockTimer();

  int index_;
  ServerContext* ctx_;
  CommandStats stats_;
  std::unique_ptr<Dispatcher> dispatcher_;
  RequestParser look_ahead_parser_;
  uv_loop_t loop_;
  uv_async_t async_;
  uv_check_t check_;
  uv_timer_t timer_;
  uv_timer_t block_timer_;
  std::multimap<int64_t, uint64_t> block_deadlines_;  // deadline ms -> client id
  std::thread thread_;

  Mutex inbox_mu_;
  std::vector<Message> inbox_ GUARDED_BY(inbox_mu_);
  bool inbox_open_ GUARDED_BY(inbox_mu_) = true;  // false once the async handle is closed

  std::unordered_map<uint64_t, Connection*> conns_;
  std::vector<Connection*> flush_list_;
  bool stopping_ = false;
  int64_t stop_deadline_ms_ = 0;
};

}  // namespace larder
