#include "server/config_registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <climits>
#include <cstdlib>

#include <fmt/format.h>
#include <set>
#include <sstream>

#include "commands/notify.h"
#include "common/glob.h"
#include "common/numbers.h"
#include "common/version.h"
#include "protocol/arg_cursor.h"
#include "protocol/request_parser.h"

namespace larder {
namespace {

std::vector<std::string_view> SplitWords(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string Join(std::span<const std::string> args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) out.push_back(' ');
    out += args[i];
  }
  return out;
}

std::string RangeError(int64_t min, int64_t max) {
  return "argument must be between " + std::to_string(min) + " and " + std::to_string(max) +
         " inclusive";
}

// Splits a config line with redis.conf quoting rules.
bool SplitLine(std::string_view line, std::vector<std::string>* out) {
  std::string storage;
  std::vector<std::pair<size_t, size_t>> spans;
  if (!SplitInlineArgs(line, &storage, &spans)) return false;
  out->clear();
  for (auto [off, len] : spans) out->push_back(storage.substr(off, len));
  return true;
}

// Quotes a value for a config file when it needs it.
std::string QuoteValue(std::string_view v) {
  bool plain = !v.empty();
  for (char c : v) {
    if (c <= ' ' || c == '"' || c == '\'' || c == '\\' || c > '~') plain = false;
  }
  if (plain) return std::string(v);
  std::string out = "\"";
  for (unsigned char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < ' ' || c > '~') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(char(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

// Parameters whose file form takes several arguments (kept space-separated).
bool TakesWords(ParamKind k) {
  return k == ParamKind::kWords || k == ParamKind::kSave || k == ParamKind::kOutputLimit;
}

}  // namespace

bool ConfigRegistry::ParseMemory(std::string_view s, int64_t* out) {
  size_t digits = 0;
  const size_t start = 0;
  while (start + digits < s.size() && std::isdigit(static_cast<unsigned char>(s[start + digits]))) {
    ++digits;
  }
  if (digits == 0) return false;
  std::string unit = AsciiLower(s.substr(start + digits));
  int64_t mul = 1;
  if (unit.empty() || unit == "b") mul = 1;
  else if (unit == "k") mul = 1000;
  else if (unit == "kb") mul = 1024;
  else if (unit == "m") mul = 1000 * 1000;
  else if (unit == "mb") mul = 1024 * 1024;
  else if (unit == "g") mul = 1000LL * 1000 * 1000;
  else if (unit == "gb") mul = 1024LL * 1024 * 1024;
  else return false;
  auto v = ParseUint64(s.substr(start, digits));
  if (!v || *v > uint64_t(INT64_MAX) / uint64_t(mul)) return false;
  *out = int64_t(*v) * mul;
  return true;
}

ConfigRegistry::ConfigRegistry() {
  MutexLock lock(&mu_);
  for (const ParamDef& d : ConfigParams()) {
    Param p;
    p.def = &d;
    p.value = std::string(d.default_value);
    if (d.name == "dir") {
      char cwd[PATH_MAX];
      if (getcwd(cwd, sizeof cwd) != nullptr) p.value = cwd;
    }
    index_.emplace(std::string(d.name), int(params_.size()));
    params_.push_back(std::move(p));
  }
  target_.resize(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    const ParamDef* d = params_[i].def;
    target_[i] = d->alias_of.empty() ? int(i) : index_.at(std::string(d->alias_of));
  }
}

int ConfigRegistry::Find(std::string_view name) const {
  auto it = index_.find(AsciiLower(name));
  return it == index_.end() ? -1 : it->second;
}

Result<std::string> ConfigRegistry::Normalize(const Param& p, std::span<const std::string> args,
                                              bool loading) const {
  const ParamDef& d = *p.def;
  const std::string joined = Join(args);
  switch (d.kind) {
    case ParamKind::kBool:
      if (EqualsIgnoreCase(joined, "yes")) return std::string("yes");
      if (EqualsIgnoreCase(joined, "no")) return std::string("no");
      return Status::Error("argument must be 'yes' or 'no'");
    case ParamKind::kInt:
    case ParamKind::kMemory: {
      int64_t v = 0;
      if (d.kind == ParamKind::kInt) {
        auto parsed = ParseInt64(joined);
        if (!parsed) return Status::Error("argument couldn't be parsed into an integer");
        v = *parsed;
      } else if (!ParseMemory(joined, &v)) {
        return Status::Error("argument must be a memory value");
      }
      if (d.name == "hz") v = std::clamp<int64_t>(v, 1, 500);  // Redis clamps hz silently
      if (v < d.min || v > d.max) return Status::Error(RangeError(d.min, d.max));
      return std::to_string(v);
    }
    case ParamKind::kEnum: {
      for (std::string_view c : SplitWords(d.choices)) {
        if (EqualsIgnoreCase(joined, c)) return std::string(c);
      }
      std::string list;
      for (std::string_view c : SplitWords(d.choices)) {
        if (!list.empty()) list += ", ";
        list += c;
      }
      return Status::Error("argument(s) must be one of the following: " + list);
    }
    case ParamKind::kString:
      if (args.size() != 1) return Status::Error("wrong number of arguments");
      if (d.name == "dir") {
        // Stored as an absolute path (what CONFIG GET dir shows); it must exist.
        char resolved[PATH_MAX];
        if (realpath(args[0].c_str(), resolved) == nullptr) return Status::Error(std::strerror(errno));
        return std::string(resolved);
      }
      if (d.name == "maxmemory-clients") {  // bytes (with units) or a percentage
        const std::string& a = args[0];
        if (!a.empty() && a.back() == '%') {
          auto pct = ParseInt64(std::string_view(a).substr(0, a.size() - 1));
          if (!pct || *pct < 0) return Status::Error("argument must be a memory or percent value");
          if (*pct > 100) return Status::Error("percentage argument must be less or equal to 100");
          return std::to_string(*pct) + "%";
        }
        int64_t bytes = 0;
        if (!ParseMemory(a, &bytes) || bytes < 0) {
          return Status::Error("argument must be a memory or percent value");
        }
        return std::to_string(bytes);
      }
      if (d.name == "notify-keyspace-events") {
        auto flags = ParseNotifyFlags(args[0]);
        if (!flags) return Status::Error("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
        return FormatNotifyFlags(*flags);
      }
      return args[0];
    case ParamKind::kWords:
      return joined;
    case ParamKind::kOctal: {
      if (joined.empty()) return Status::Error("argument couldn't be parsed into an integer");
      char* end = nullptr;
      long v = std::strtol(joined.c_str(), &end, 8);
      if (*end != '\0' || v < 0 || v > 0777) return Status::Error("Invalid socket file permissions");
      char buf[16];
      std::snprintf(buf, sizeof buf, "%lo", v);
      return std::string(buf);
    }
    case ParamKind::kSave: {
      auto words = SplitWords(joined);
      if (words.size() % 2 != 0) return Status::Error("Invalid save parameters");
      std::string out;
      for (auto w : words) {
        auto v = ParseInt64(w);
        if (!v || *v < 0) return Status::Error("Invalid save parameters");
        if (!out.empty()) out.push_back(' ');
        out += std::to_string(*v);
      }
      // While loading, a "save" line adds to the earlier ones of the same source.
      if (loading && p.seen_in_load && !out.empty() && !p.value.empty()) {
        return p.value + " " + out;
      }
      return out;
    }
    case ParamKind::kOutputLimit: {
      auto words = SplitWords(joined);
      if (words.empty() || words.size() % 4 != 0) {
        return Status::Error("Wrong number of arguments in buffer limit configuration.");
      }
      // Start from the current classes and replace the ones given.
      std::map<std::string, std::string> classes;
      std::vector<std::string> order = {"normal", "slave", "pubsub"};
      auto cur = SplitWords(p.value);
      for (size_t i = 0; i + 3 < cur.size(); i += 4) {
        classes[std::string(cur[i])] = std::string(cur[i + 1]) + " " + std::string(cur[i + 2]) +
                                       " " + std::string(cur[i + 3]);
      }
      for (size_t i = 0; i < words.size(); i += 4) {
        std::string cls = AsciiLower(words[i]);
        if (cls == "replica") cls = "slave";
        if (cls != "normal" && cls != "slave" && cls != "pubsub") {
          return Status::Error("Invalid client class specified in buffer limit configuration.");
        }
        int64_t hard = 0, soft = 0;
        auto secs = ParseInt64(words[i + 3]);
        if (!ParseMemory(words[i + 1], &hard) || !ParseMemory(words[i + 2], &soft) || !secs ||
            hard < 0 || soft < 0 || *secs < 0) {
          return Status::Error(
              "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
        }
        classes[cls] = std::to_string(hard) + " " + std::to_string(soft) + " " + std::to_string(*secs);
      }
      std::string out;
      for (const std::string& cls : order) {
        if (!out.empty()) out.push_back(' ');
        out += cls + " " + classes[cls];
      }
      return out;
    }
  }
  return Status::Error("unsupported parameter");
}

Status ConfigRegistry::LoadLine(Param& entry, std::span<const std::string> args) {
  Param& p = params_[size_t(Target(int(&entry - params_.data())))];
  auto v = Normalize(p, args, true);
  if (!v.ok()) return v.status();
  p.value = *v;
  p.seen_in_load = true;
  return Status::Ok();
}

Status ConfigRegistry::LoadFileAt(const std::string& path, int depth) {
  if (depth > 16) return Status::Error("Too many nested 'include' directives in '" + path + "'");
  std::ifstream in(path);
  if (!in) {
    return Status::Error("Fatal error, can't open config file '" + path + "': " +
                         std::strerror(errno));
  }
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    auto fail = [&](std::string_view reason) {
      return Status::Error(fmt::format(
          "\n*** FATAL CONFIG FILE ERROR (Larder {}) ***\nReading the configuration file {}, at "
          "line {}\n>>> '{}'\n{}",
          kLarderVersion, path, lineno, line, reason));
    };
    std::string_view trimmed = line;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) {
      trimmed.remove_prefix(1);
    }
    if (trimmed.empty() || trimmed[0] == '#') continue;
    std::vector<std::string> args;
    if (!SplitLine(trimmed, &args)) return fail("Unbalanced quotes in configuration line");
    if (args.empty()) continue;
    std::string name = AsciiLower(args[0]);
    if (name == "include" && args.size() == 2) {
      Status s = LoadFileAt(args[1], depth + 1);
      if (!s.ok()) return s;
      continue;
    }
    int idx = Find(name);
    const bool multi = idx >= 0 && TakesWords(params_[size_t(idx)].def->kind);
    if (idx < 0 || args.size() < 2 || (!multi && args.size() != 2)) {
      return fail("Bad directive or wrong number of arguments");
    }
    Status s = LoadLine(params_[size_t(idx)], std::span<const std::string>(args).subspan(1));
    if (!s.ok()) return fail(s.message());
  }
  return Status::Ok();
}

Status ConfigRegistry::LoadFile(const std::string& path) {
  MutexLock lock(&mu_);
  char resolved[4096];
  config_file_ = realpath(path.c_str(), resolved) ? resolved : path;
  Status s = LoadFileAt(path, 0);
  for (Param& p : params_) p.seen_in_load = false;  // the command line starts afresh
  return s;
}

Status ConfigRegistry::LoadArgs(const std::vector<std::string>& argv) {
  MutexLock lock(&mu_);
  size_t i = 0;
  while (i < argv.size()) {
    const std::string& opt = argv[i];
    if (opt.size() < 3 || opt.compare(0, 2, "--") != 0) {
      return Status::Error("Invalid option '" + opt + "': directives are given as --name value");
    }
    std::vector<std::string> args;
    size_t j = i + 1;
    while (j < argv.size() && argv[j].compare(0, 2, "--") != 0) args.push_back(argv[j++]);
    // "--save" with an empty value list means save "" (no save points), as in Redis.
    std::string name = AsciiLower(std::string_view(opt).substr(2));
    int idx = Find(name);
    auto fail = [&](std::string_view reason) {
      std::string line = opt;
      for (const auto& a : args) line += " " + QuoteValue(a);
      return Status::Error(fmt::format(
          "\n*** FATAL CONFIG FILE ERROR (Larder {}) ***\nReading the command line, option "
          "'{}'\n>>> '{}'\n{}",
          kLarderVersion, name, line, reason));
    };
    if (idx >= 0 && args.empty() && params_[size_t(idx)].def->kind == ParamKind::kSave) {
      args.emplace_back("");
    }
    const bool multi = idx >= 0 && TakesWords(params_[size_t(idx)].def->kind);
    if (idx < 0 || args.empty() || (!multi && args.size() != 1)) {
      return fail("Bad directive or wrong number of arguments");
    }
    Status s = LoadLine(params_[size_t(idx)], args);
    if (!s.ok()) return fail(s.message());
    i = j;
  }
  return Status::Ok();
}

void ConfigRegistry::OnApply(std::string_view name, ApplyFn fn) {
  MutexLock lock(&mu_);
  int idx = Find(name);
  if (idx >= 0) params_[size_t(Target(idx))].apply = std::move(fn);
}

Status ConfigRegistry::ApplyAll() {
  MutexLock lock(&mu_);
  for (size_t i = 0; i < params_.size(); ++i) {
    if (Target(int(i)) != int(i) || !params_[i].apply) continue;
    Status s = params_[i].apply(params_[i].value);
    if (!s.ok()) {
      return Status::Error(fmt::format("Invalid value for '{}': {}", params_[i].def->name,
                                       s.message()));
    }
  }
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> ConfigRegistry::Get(
    std::span<const std::string_view> patterns) {
  MutexLock lock(&mu_);
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string, std::less<>> seen;
  for (std::string_view pattern : patterns) {
    if (pattern.find_first_of("[*?") == std::string_view::npos) {
      int idx = Find(pattern);
      if (idx >= 0 && seen.insert(std::string(pattern)).second) {
        out.emplace_back(std::string(pattern), params_[size_t(Target(idx))].value);
      }
      continue;
    }
    for (size_t i = 0; i < params_.size(); ++i) {
      std::string_view name = params_[i].def->name;
      if (!GlobMatch(pattern, name, true) || seen.count(name)) continue;
      seen.insert(std::string(name));
      out.emplace_back(std::string(name), params_[size_t(Target(int(i)))].value);
    }
  }
  return out;
}

Status ConfigRegistry::Set(std::span<const std::string_view> pairs, bool allow_protected) {
  MutexLock lock(&mu_);
  auto failed = [](std::string_view name, std::string_view why) {
    return Status::Error(fmt::format("ERR CONFIG SET failed (possibly related to argument '{}') - {}",
                                     name, why));
  };
  std::vector<std::pair<int, std::string>> updates;
  std::set<int> targets;
  for (size_t i = 0; i < pairs.size(); i += 2) {
    int idx = Find(pairs[i]);
    if (idx < 0) {
      return Status::Error(fmt::format(
          "ERR Unknown option or number of arguments for CONFIG SET - '{}'", pairs[i]));
    }
    if (!targets.insert(Target(idx)).second) return failed(pairs[i], "duplicate parameter");
    Param& p = params_[size_t(Target(idx))];
    if (p.def->flags & kParamImmutable) return failed(pairs[i], "can't set immutable config");
    if ((p.def->flags & kParamProtected) && !allow_protected) {
      return failed(pairs[i], "can't set protected config");
    }
    std::vector<std::string> args{std::string(pairs[i + 1])};
    auto v = Normalize(p, args, false);
    if (!v.ok()) return failed(pairs[i], v.status().message());
    updates.emplace_back(Target(idx), *v);
  }
  // Apply in order; on a failure restore what was applied so far.
  std::vector<std::pair<int, std::string>> applied;
  for (size_t u = 0; u < updates.size(); ++u) {
    auto& [idx, value] = updates[u];
    Param& p = params_[size_t(idx)];
    if (p.apply) {
      Status s = p.apply(value);
      if (!s.ok()) {
        for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
          Param& q = params_[size_t(it->first)];
          if (q.apply) (void)q.apply(it->second);
          q.value = it->second;
        }
        return failed(pairs[2 * u], s.message());
      }
    }
    applied.emplace_back(idx, p.value);
    p.value = value;
  }
  return Status::Ok();
}

std::string ConfigRegistry::Value(std::string_view name) const {
  MutexLock lock(&mu_);
  int idx = Find(name);
  return idx < 0 ? std::string() : params_[size_t(Target(idx))].value;
}

int64_t ConfigRegistry::Int(std::string_view name) const {
  auto v = ParseInt64(Value(name));
  return v ? *v : 0;
}

bool ConfigRegistry::Bool(std::string_view name) const { return Value(name) == "yes"; }

Status ConfigRegistry::Rewrite() {
  MutexLock lock(&mu_);
  if (config_file_.empty()) return Status::Error("ERR The server is running without a config file");
  std::vector<std::string> lines;
  {
    std::ifstream in(config_file_);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
  }
  // Renders the directive lines for one parameter's current value.
  auto render = [&](const Param& p) {
    std::vector<std::string> out;
    std::string_view name = p.def->name;
    auto words = SplitWords(p.value);
    if (p.def->kind == ParamKind::kSave) {
      if (words.empty()) out.push_back("save \"\"");
      for (size_t i = 0; i + 1 < words.size(); i += 2) {
        out.push_back(fmt::format("save {} {}", words[i], words[i + 1]));
      }
    } else if (p.def->kind == ParamKind::kOutputLimit) {
      for (size_t i = 0; i + 3 < words.size(); i += 4) {
        out.push_back(fmt::format("{} {} {} {} {}", name, words[i], words[i + 1], words[i + 2],
                                  words[i + 3]));
      }
    } else if (p.def->kind == ParamKind::kWords && !words.empty()) {
      std::string l(name);
      for (auto w : words) l += " " + QuoteValue(w);
      out.push_back(l);
    } else {
      out.push_back(std::string(name) + " " + QuoteValue(p.value));
    }
    return out;
  };
  std::set<int> written;
  std::vector<std::string> result;
  for (const std::string& line : lines) {
    std::vector<std::string> args;
    std::string_view t = line;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    if (t.empty() || t[0] == '#' || !SplitLine(t, &args) || args.empty()) {
      result.push_back(line);
      continue;
    }
    int idx = Find(args[0]);
    if (idx < 0) {
      result.push_back(line);  // include and anything we do not manage stay as written
      continue;
    }
    int target = Target(idx);
    if (written.count(target)) continue;  // later lines of a multi-line directive
    written.insert(target);
    for (std::string& l : render(params_[size_t(target)])) result.push_back(std::move(l));
  }
  bool header = false;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    if (Target(int(i)) != int(i) || written.count(int(i)) || p.value == p.def->default_value) continue;
    if (!header) {
      result.push_back("# Generated by CONFIG REWRITE");
      header = true;
    }
    for (std::string& l : render(p)) result.push_back(std::move(l));
  }
  std::string tmp = config_file_ + ".tmp-" + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Error(std::string("ERR Rewriting config file: ") + std::strerror(errno));
  std::string text;
  for (const std::string& l : result) text += l + "\n";
  bool ok = write(fd, text.data(), text.size()) == ssize_t(text.size()) && fsync(fd) == 0;
  int err = errno;
  close(fd);
  if (!ok || rename(tmp.c_str(), config_file_.c_str()) != 0) {
    if (ok) err = errno;
    unlink(tmp.c_str());
    return Status::Error(std::string("ERR Rewriting config file: ") + std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace larder
