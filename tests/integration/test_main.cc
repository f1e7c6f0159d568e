// Catch2 main shared by integration_tests and concurrency_tests. The tests write to
// sockets the server may close, so SIGPIPE is ignored (writes fail with EPIPE instead).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <csignal>

int main(int argc, char* argv[]) {
  std::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
