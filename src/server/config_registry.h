// Every configuration parameter: its type, default, limits and current value, read
// from a redis.conf-syntax file and the command line at start, then served to CONFIG
// GET / SET / REWRITE. Values are kept in canonical text form (what CONFIG GET shows);
// the server registers apply hooks that push values into the running objects.
//
// Thread-safety: all methods lock an internal mutex (CONFIG SET may run on any worker).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"

namespace larder {

enum class ParamKind {
  kBool,     // yes / no
  kInt,      // integer in [min, max]
  kMemory,   // integer with units (1k = 1000, 1kb = 1024, m, mb, g, gb)
  kEnum,     // one of `choices`
  kString,   // any single argument
  kSave,     // "<seconds> <changes> ..." pairs, or ""
  kWords,    // several arguments, kept space-separated (bind, oom-score-adj-values)
  kOctal,    // file mode such as 700
  kOutputLimit,  // client-output-buffer-limit <class> <hard> <soft> <seconds> ...
};

enum ParamFlag : uint32_t {
  kParamImmutable = 1 << 0,  // only from the file / command line
  kParamInert = 1 << 1,      // accepted and reported; no effect in this version
  kParamProtected = 1 << 2,  // CONFIG SET only as enable-protected-configs allows
};

struct ParamDef {
  std::string_view name;
  ParamKind kind;
  std::string_view default_value;
  uint32_t flags = 0;
  int64_t min = 0;
  int64_t max = INT64_MAX;
  std::string_view choices;   // kEnum: space separated
  std::string_view alias_of;  // set for an alias (its value is the target's)
};

// The built-in parameter table (config_table.cc).
std::span<const ParamDef> ConfigParams();

class ConfigRegistry {
 public:
  using ApplyFn = std::function<Status(const std::string& value)>;

  ConfigRegistry();

  // Start-up parsing. The error text names the file, the line and the directive.
  Status LoadFile(const std::string& path);
  // Command-line directives ("--port", "6380", "--save", "", ...), after the file.
  Status LoadArgs(const std::vector<std::string>& argv);

  // Apply hooks run under the registry's lock: they must not call back into it.
  // Pushes every current value through its apply hook (once, after the hooks are set).
  Status ApplyAll();
  void OnApply(std::string_view name, ApplyFn fn);

  // CONFIG GET: exact names are echoed as given, patterns match case-insensitively.
  std::vector<std::pair<std::string, std::string>> Get(std::span<const std::string_view> patterns);
  // CONFIG SET name value [name value ...]: all applied or none. Error texts are Redis's.
  // `allow_protected`: whether kParamProtected parameters may be set by this caller.
  Status Set(std::span<const std::string_view> pairs, bool allow_protected = true);
  // CONFIG REWRITE: rewrites the config file in place (temp file + rename).
  Status Rewrite();

  std::string Value(std::string_view name) const;
  int64_t Int(std::string_view name) const;
  bool Bool(std::string_view name) const;
  const std::string& config_file() const { return config_file_; }

  // Parses a memory amount as redis.conf does; false on bad syntax.
  static bool ParseMemory(std::string_view s, int64_t* out);

 private:
  struct Param {
    const ParamDef* def;
    std::string value;
    bool seen_in_load = false;  // kSave / kOutputLimit: first line replaces defaults
    ApplyFn apply;
  };

  // Index of a parameter by name (aliases have entries of their own), or -1.
  int Find(std::string_view name) const;
  // The parameter holding the value of entry i (itself, or its alias target).
  int Target(int i) const { return target_[size_t(i)]; }
  // Normalises arguments into the canonical value (or returns the reason text).
  Result<std::string> Normalize(const Param& p, std::span<const std::string> args,
                                bool loading) const;
  Status LoadLine(Param& p, std::span<const std::string> args) REQUIRES(mu_);
  Status LoadFileAt(const std::string& path, int depth) REQUIRES(mu_);

  mutable Mutex mu_;
  std::vector<Param> params_ GUARDED_BY(mu_);
  std::map<std::string, int, std::less<>> index_;  // lowercase name -> entry
  std::vector<int> target_;                        // entry -> entry holding the value
  std::string config_file_;
};

}  // namespace larder
