// The one Catch2 main of every test executable (compiled once). The tests write to
// sockets the server may close, so SIGPIPE is ignored (writes fail with EPIPE instead).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <csignal>

int main(int argc, char* argv[]) {
  std::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
