// All registered commands, looked up case-insensitively. Built once at start-up by
// the families' Register functions, then read-only (thread-safe to read).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
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
  // Open-addressing index of top-level names (linear probing, a power-of-two size at
  // most a quarter full), looked up on every request. A slot keeps the name's first 16
  // bytes ASCII-lowercased as two words and its length, so a lookup is a few word
  // operations and no pointer chase; longer names are then compared in full.
  struct Key {
    uint64_t w0 = 0, w1 = 0;
    uint32_t len = 0;
  };
  struct Slot {
    Key key;
    const CommandSpec* spec = nullptr;
  };
  static Key KeyOf(std::string_view name);
  size_t SlotOf(const Key& k) const;
  void Index(const CommandSpec* spec);

  std::vector<std::unique_ptr<CommandSpec>> commands_;
  std::vector<Slot> slots_;
  std::vector<const CommandSpec*> by_id_;
};

// Lowercases ASCII into `out` (returns false if longer than out_size).
bool LowerName(std::string_view name, char* out, size_t out_size);

}  // namespace larder
