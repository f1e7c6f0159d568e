// Composition root: command line + config file -> ConfigRegistry -> Server::Run.
//
//   larder-server [config-file] [--directive value ...]
//
// As with redis-server, directives given on the command line override the file.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/version.h"
#include "server/config_registry.h"
#include "server/process.h"
#include "server/server.h"

int main(int argc, char** argv) {
  using namespace larder;
  CLI::App app{"Larder: a Redis-compatible, multi-threaded in-memory cache server.\nUsage: larder-server [config-file] [--directive value ...]"};
  app.footer(
      "Every directive of the config file (redis.conf syntax) can also be given on the\n"
      "command line as --name value ...; those override the file. Examples:\n"
      "  larder-server conf/larder.conf\n"
      "  larder-server --port 6380 --threads 2\n"
      "  larder-server /etc/larder.conf --unixsocket /run/larder.sock --port 0\n"
      "  larder-server --bind 127.0.0.1 ::1 --maxclients 1000 --save \"\"");
  std::string config_file;
  app.add_option("config-file", config_file, "Configuration file (redis.conf syntax)");
  app.set_version_flag("-v,--version", std::string("Larder ") + kLarderVersion +
                                           " (compatible with Redis " + kRedisCompatVersion + ")");
  // CLI11 sees the options it owns and the config file; everything from the first other
  // "--directive" on is a directive list (redis-server's syntax, values may be empty).
  int split = 1;
  while (split < argc) {
    std::string_view a = argv[split];
    bool own = a == "-h" || a == "--help" || a == "-v" || a == "--version";
    if (a.rfind("--", 0) == 0 && !own) break;
    ++split;
  }
  std::vector<std::string> directives(argv + split, argv + argc);
  CLI11_PARSE(app, split, argv);

  ConfigRegistry config;
  if (!config_file.empty()) {
    Status s = config.LoadFile(config_file);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      return 1;
    }
  }
  Status s = config.LoadArgs(directives);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }

  LogLevel level;
  ParseLogLevel(config.Value("loglevel"), &level);
  SetLogLevel(level);
  bool daemonize = config.Bool("daemonize");
  std::string logfile = config.Value("logfile");
  if (!logfile.empty() && !SetLogFile(logfile)) {
    std::fprintf(stderr, "Can't open the log file: %s\n", logfile.c_str());
    return 1;
  }
  if (daemonize) Daemonize();  // before any thread exists
  std::signal(SIGPIPE, SIG_IGN);

  LARDER_LOG(kNotice, "oO0OoO0OoO0Oo Larder is starting oO0OoO0OoO0Oo");
  LARDER_LOG(kNotice, "Larder version={} (Redis {} compatible), bits={}, pid={}, just started",
             kLarderVersion, kRedisCompatVersion, sizeof(void*) * 8, getpid());
  if (config_file.empty()) {
    LARDER_LOG(kWarning, "No config file specified, using the default config. In order to "
               "specify a config file use larder-server /path/to/larder.conf");
  } else {
    LARDER_LOG(kNotice, "Configuration loaded from {}", config.config_file());
  }
  Server server(&config);
  return server.Run();
}
