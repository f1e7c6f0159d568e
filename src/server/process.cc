#include "server/process.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/log.h"

namespace larder {

void Daemonize() {
  pid_t pid = fork();
  if (pid < 0) {
    LARDER_LOG(kWarning, "fork() for daemonize failed: {}", std::strerror(errno));
    std::exit(1);
  }
  if (pid > 0) std::_Exit(0);
  setsid();
  int fd = open("/dev/null", O_RDWR);
  if (fd >= 0) {
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) close(fd);
  }
}

void WritePidFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    LARDER_LOG(kWarning, "Failed to write PID file {}: {}", path, std::strerror(errno));
    return;
  }
  std::fprintf(f, "%d\n", int(getpid()));
  std::fclose(f);
}

void NotifySupervisor(const std::string& supervised, const std::string& message) {
  const char* socket_path = std::getenv("NOTIFY_SOCKET");
  if (socket_path == nullptr || socket_path[0] == '\0') return;
  if (supervised != "systemd" && supervised != "auto") return;
  sockaddr_un addr{};
  size_t len = std::strlen(socket_path);
  if (len >= sizeof addr.sun_path) return;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path, len);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sendto(fd, message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr),
         socklen_t(offsetof(sockaddr_un, sun_path) + len));
  close(fd);
}

int64_t AdjustOpenFilesLimit(int64_t maxclients) {
  constexpr int64_t kReserved = 32;  // listeners, log, pipes, loops
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return maxclients;
  rlim_t want = rlim_t(maxclients + kReserved);
  if (lim.rlim_cur >= want) return maxclients;
  rlimit raised = lim;
  raised.rlim_cur = std::min(want, lim.rlim_max);
  if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  int64_t fits = int64_t(lim.rlim_cur) - kReserved;
  if (fits < maxclients) {
    if (fits < 1) fits = 1;
    LARDER_LOG(kWarning, "You requested maxclients of {} requiring at least {} max file "
               "descriptors; the limit allows {}, so maxclients is now {}.", maxclients,
               maxclients + kReserved, int64_t(lim.rlim_cur), fits);
    return fits;
  }
  return maxclients;
}

}  // namespace larder
