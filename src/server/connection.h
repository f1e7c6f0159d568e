// One client connection on its worker's loop: reads bytes, parses commands, runs them
// through the worker's dispatcher and writes the replies of each read batch with one
// write. Loop-thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "commands/client_state.h"
#include "commands/pubsub.h"
#include "protocol/input_buffer.h"
#include "protocol/output_buffer.h"
#include "protocol/reply_builder.h"
#include "protocol/request_parser.h"
#include "server/client_registry.h"

namespace larder {

class Worker;

class Connection {
 public:
  // Stops reading a client whose pending replies exceed this, until they drain below
  // the low mark (a client that does not read cannot grow the server's memory).
  static constexpr size_t kOutputHighWater = 16 * 1024 * 1024;
  static constexpr size_t kOutputLowWater = 4 * 1024 * 1024;

  // Takes ownership of `fd` (a connected, non-blocking socket). Returns nullptr (and
  // closes fd) if libuv refuses it.
  static Connection* Open(Worker* worker, int fd, bool unix_socket,
                          std::shared_ptr<ClientInfo> info);

  uint64_t id() const { return state_.id; }
  const std::shared_ptr<ClientInfo>& info() const { return info_; }
  bool closing() const { return closing_; }
  int64_t last_interaction_ms() const { return last_interaction_ms_; }
  // For the idle timeout: counts progress of a long write still in flight (libuv only
  // reports a write when all of it is done) as activity at `now_ms`.
  void NoteWriteProgress(int64_t now_ms);

  // Writes pending replies (called once per loop iteration by the worker).
  void Flush();
  // Closes now; the object is deleted once libuv is done with it.
  void Close();
  // Graceful stop: no more reading; close once pending replies are written.
  void Drain();
  // A blocking command's reply arrived (served by another thread): send it and go on.
  void Unblocked(std::string reply);
  // The blocked command's deadline passed.
  void BlockTimedOut(int64_t now_ms);
  // A pub/sub message for this subscriber (sent in the connection's protocol).
  void Push(const PushMessage& msg);

 private:
  Connection(Worker* worker, std::shared_ptr<ClientInfo> info);
  // client-output-buffer-limit of the client's class (pubsub when subscribed): true if
  // the pending output is over the hard limit, or over the soft one for too long.
  bool OverOutputLimit();
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&handle_); }

  static void OnAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnClose(uv_handle_t* h);

  void ProcessInput();
  // Called with the command about to run (`current`) when more input follows it
  // (`rest`): parses up to kReadAhead - 1 further commands from `rest` with the worker's
  // look-ahead parser, without running them, and has the dispatcher prefetch the keys of
  // all of them. Returns how many commands that covers, `current` included.
  static constexpr uint32_t kReadAhead = 32;
  uint32_t ReadAhead(std::span<const std::string_view> current, std::string_view rest,
                     const ParserLimits& limits);
  // After a command blocked the client: arm its timeout.
  void StartBlocking();
  void PauseReading();
  void ResumeReading();
  void Publish();

  Worker* worker_;
  std::shared_ptr<ClientInfo> info_;
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle_;
  uv_write_t write_req_;
  size_t write_bytes_ = 0;
  size_t last_write_queue_ = 0;  // write_queue_size at the previous progress check
  bool write_in_flight_ = false;
  bool reading_ = false;
  bool paused_ = false;   // back-pressure
  bool closing_ = false;
  bool draining_ = false;
  bool protocol_error_ = false;
  uint32_t read_ahead_left_ = 0;  // commands left that ReadAhead has seen
  int64_t last_interaction_ms_ = 0;
  int64_t soft_limit_since_ms_ = 0;  // when output first exceeded the soft limit (0: not)

  ClientState state_;
  InputBuffer in_;
  OutputBuffer out_;
  ReplyBuilder reply_{&out_};
  RequestParser parser_;

 public:
  bool flush_pending = false;  // in the worker's flush list
};

}  // namespace larder
