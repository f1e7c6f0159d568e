#include "server/listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"

namespace larder {

std::string FormatSockAddr(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

namespace {

bool IsLoopback(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return in6->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

// Opens a listening TCP socket on host:port. Returns fd or -errno.
int ListenTcp(const std::string& host, int port, int backlog) {
  std::string h = host;
  if (h == "*") h = "0.0.0.0";
  if (h == "::*") h = "::";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  addrinfo* res = nullptr;
  std::string port_str = std::to_string(port);
  if (getaddrinfo(h.c_str(), port_str.c_str(), &hints, &res) != 0) {
    hints.ai_flags = AI_PASSIVE;  // a host name
    if (getaddrinfo(h.c_str(), port_str.c_str(), &hints, &res) != 0) return -EADDRNOTAVAIL;
  }
  int err = -EADDRNOTAVAIL;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      err = -errno;
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, backlog) == 0) {
      freeaddrinfo(res);
      return fd;
    }
    err = -errno;
    close(fd);
  }
  freeaddrinfo(res);
  return err;
}

}  // namespace

Status Listener::Watch(uv_loop_t* loop, int fd, bool unix_socket, std::string laddr) {
  auto s = std::make_unique<Socket>();
  s->owner = this;
  s->fd = fd;
  s->unix_socket = unix_socket;
  s->laddr = std::move(laddr);
  int rc = uv_poll_init(loop, &s->poll, fd);
  if (rc != 0) {
    close(fd);
    return Status::Error(uv_strerror(rc));
  }
  s->poll.data = s.get();
  uv_poll_start(&s->poll, UV_READABLE, OnReadable);
  sockets_.push_back(std::move(s));
  return Status::Ok();
}

Result<std::unique_ptr<Listener>> Listener::Open(uv_loop_t* loop, const ListenConfig& cfg,
                                                 AcceptFn on_accept) {
  std::unique_ptr<Listener> l(new Listener());
  l->on_accept_ = std::move(on_accept);
  if (cfg.port != 0) {
    for (const std::string& addr : cfg.bind) {
      bool optional = !addr.empty() && addr[0] == '-';
      std::string host = optional ? addr.substr(1) : addr;
      int fd = ListenTcp(host, cfg.port, cfg.backlog);
      if (fd < 0) {
        int err = -fd;
        if (optional && (err == EADDRNOTAVAIL || err == EAFNOSUPPORT || err == EPROTONOSUPPORT)) {
          LARDER_LOG(kVerbose, "Skipping optional bind address {}: {}", host, strerror(err));
          continue;
        }
        return Status::Error(fmt::format("Could not create server TCP listening socket {}:{}: {}",
                                         host, cfg.port, strerror(err)));
      }
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
      Status s = l->Watch(loop, fd, false, FormatSockAddr(reinterpret_cast<sockaddr*>(&ss)));
      if (!s.ok()) return s;
    }
    if (l->sockets_.empty()) {
      return Status::Error(fmt::format("Failed listening on port {} (tcp): no bind address worked",
                                       cfg.port));
    }
  }
  if (!cfg.unixsocket.empty()) {
    sockaddr_un un{};
    if (cfg.unixsocket.size() >= sizeof un.sun_path) {
      return Status::Error("Unix socket path too long: " + cfg.unixsocket);
    }
    un.sun_family = AF_UNIX;
    std::memcpy(un.sun_path, cfg.unixsocket.c_str(), cfg.unixsocket.size() + 1);
    unlink(cfg.unixsocket.c_str());  // a stale socket from an earlier run
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&un), sizeof un) != 0) {
      int err = errno;
      if (fd >= 0) close(fd);
      return Status::Error(fmt::format("Failed opening Unix socket {}: {}", cfg.unixsocket,
                                       strerror(err)));
    }
    // Permissions are set before listen(), so no client connects in between.
    if (cfg.unixsocketperm != 0 && chmod(cfg.unixsocket.c_str(), mode_t(cfg.unixsocketperm)) != 0) {
      int err = errno;
      close(fd);
      return Status::Error(fmt::format("chmod of Unix socket {} failed: {}", cfg.unixsocket,
                                       strerror(err)));
    }
    if (listen(fd, cfg.backlog) != 0) {
      int err = errno;
      close(fd);
      return Status::Error(fmt::format("Failed listening on Unix socket {}: {}", cfg.unixsocket,
                                       strerror(err)));
    }
    l->unix_path_ = cfg.unixsocket;
    Status s = l->Watch(loop, fd, true, cfg.unixsocket + ":0");
    if (!s.ok()) return s;
  }
  return l;
}

void Listener::OnReadable(uv_poll_t* p, int status, int) {
  auto* s = static_cast<Socket*>(p->data);
  if (status < 0) return;
  // Accept everything that is waiting (bounded per wake-up so timers still run).
  for (int i = 0; i < 1000; ++i) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int fd = accept4(s->fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        LARDER_LOG(kWarning, "Accepting client connection: {}", strerror(errno));
      }
      return;
    }
    Accepted a{fd, s->unix_socket, IsLoopback(reinterpret_cast<sockaddr*>(&ss)), {}, s->laddr};
    a.addr = s->unix_socket ? s->laddr : FormatSockAddr(reinterpret_cast<sockaddr*>(&ss));
    if (!s->unix_socket) {
      sockaddr_storage local{};
      socklen_t llen = sizeof local;
      if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) == 0) {
        a.laddr = FormatSockAddr(reinterpret_cast<sockaddr*>(&local));
      }
    }
    s->owner->on_accept_(std::move(a));
  }
}

void Listener::Close() {
  if (closed_) return;
  closed_ = true;
  for (auto& s : sockets_) {
    uv_poll_stop(&s->poll);
    // The Socket outlives the close callback: sockets_ is cleared in the destructor
    // after the loop has run the callbacks.
    uv_close(reinterpret_cast<uv_handle_t*>(&s->poll), nullptr);
    close(s->fd);
  }
  if (!unix_path_.empty()) unlink(unix_path_.c_str());
}

Listener::~Listener() { Close(); }

}  // namespace larder
