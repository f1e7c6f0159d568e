// Listening sockets (TCP per bind address, and a unix socket) polled on the main loop.
// Accepted sockets are handed to a callback that assigns them to workers.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace larder {

struct ListenConfig {
  std::vector<std::string> bind;  // "-" prefix: optional address
  int port = 6379;                // 0: no TCP
  int backlog = 511;
  std::string unixsocket;
  int unixsocketperm = 0;         // 0: leave the umask's mode
};

struct Accepted {
  int fd;
  bool unix_socket;
  bool loopback;  // TCP from 127.0.0.0/8 or ::1 (protected mode)
  std::string addr;
  std::string laddr;
};

class Listener {
 public:
  using AcceptFn = std::function<void(Accepted)>;

  // Binds and listens; a required address that cannot be bound is an error.
  static Result<std::unique_ptr<Listener>> Open(uv_loop_t* loop, const ListenConfig& cfg,
                                                AcceptFn on_accept);
  ~Listener();

  // Stops accepting and closes the sockets (removing the unix socket file).
  void Close();

 private:
  struct Socket {
    Listener* owner;
    int fd;
    bool unix_socket;
    std::string laddr;
    uv_poll_t poll;
  };
  Listener() = default;
  static void OnReadable(uv_poll_t* p, int status, int events);
  Status Watch(uv_loop_t* loop, int fd, bool unix_socket, std::string laddr);

  AcceptFn on_accept_;
  std::vector<std::unique_ptr<Socket>> sockets_;
  std::string unix_path_;
  bool closed_ = false;
};

// "ip:port" as Redis prints addresses (IPv6 without brackets).
std::string FormatSockAddr(const struct sockaddr* sa);

}  // namespace larder
