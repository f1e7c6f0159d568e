#include "commands/command_table.h"

#include <cstdio>
#include <cstdlib>

namespace larder {

bool LowerName(std::string_view name, char* out, size_t out_size) {
  if (name.size() > out_size) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    out[i] = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
  }
  return true;
}

void CommandTable::Add(Cmd cmd) {
  auto spec = std::make_unique<CommandSpec>(std::move(cmd).Build());
  if (by_name_.count(spec->name)) {
    std::fprintf(stderr, "command '%s' registered twice\n", spec->name.c_str());
    std::abort();
  }
  spec->id = int(by_id_.size());
  by_id_.push_back(spec.get());
  for (CommandSpec& sub : spec->subcommands) {
    sub.id = int(by_id_.size());
    by_id_.push_back(&sub);
  }
  by_name_.emplace(spec->name, spec.get());
  commands_.push_back(std::move(spec));
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  if (name.empty() || name.size() > 64) return nullptr;
  char buf[64] = {};
  if (!LowerName(name, buf, sizeof buf)) return nullptr;
  auto it = by_name_.find(std::string_view(buf, name.size()));
  return it == by_name_.end() ? nullptr : it->second;
}

const CommandSpec* CommandTable::FindSub(const CommandSpec& container, std::string_view name) {
  char buf[64];
  if (!LowerName(name, buf, sizeof buf)) return nullptr;
  std::string_view lower(buf, name.size());
  for (const CommandSpec& sub : container.subcommands) {
    std::string_view full = sub.name;
    size_t bar = full.find('|');
    if (full.substr(bar + 1) == lower) return &sub;
  }
  return nullptr;
}

}  // namespace larder
