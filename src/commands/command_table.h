// All registered commands, looked up case-insensitively. Built once at start-up by
// the families' Register functions, then read-only (thread-safe to read).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "commands/command_spec.h"

namespace larder {

class CommandTable {
 public:
  CommandTable() = default;
  CommandTable(const CommandTable&) = delete;
  CommandTable& operator=(const CommandTable&) = delete;

  void Add(Cmd cmd);

  // Top-level command by name (any case), or nullptr.
  const CommandSpec* Find(std::string_view name) const;
  // Subcommand of a container by name (any case), or nullptr.
  static const CommandSpec* FindSub(const CommandSpec& container, std::string_view name);

  // Every command and subcommand, indexed by CommandSpec::id.
  const std::vector<const CommandSpec*>& all() const { return by_id_; }
  // Top-level commands in registration order.
  const std::vector<std::unique_ptr<CommandSpec>>& top_level() const { return commands_; }
  size_t size() const { return commands_.size(); }

 private:
  std::vector<std::unique_ptr<CommandSpec>> commands_;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, const CommandSpec*, NameHash, std::equal_to<>> by_name_;
  std::vector<const CommandSpec*> by_id_;
};

// Lowercases ASCII into `out` (returns false if longer than out_size).
bool LowerName(std::string_view name, char* out, size_t out_size);

}  // namespace larder
