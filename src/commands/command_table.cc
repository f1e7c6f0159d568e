#include "commands/command_table.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "protocol/arg_cursor.h"

namespace larder {

bool LowerName(std::string_view name, char* out, size_t out_size) {
  if (name.size() > out_size) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    out[i] = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
  }
  return true;
}

namespace {

// ASCII lowercase of 8 bytes at once: bytes 'A'..'Z' get bit 5 set, every other byte
// (including non-ASCII) is left as it is.
inline uint64_t FoldWord(uint64_t w) {
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full, kHigh = 0x8080808080808080ull;
  const uint64_t b = w & kLow7;
  const uint64_t ge_a = b + 0x3F3F3F3F3F3F3F3Full;    // high bit set when byte >= 'A'
  const uint64_t gt_z = b + 0x2525252525252525ull;    // high bit set when byte > 'Z'
  const uint64_t upper = (ge_a & ~gt_z) & ~w & kHigh;  // 'A'..'Z', ASCII only
  return w | (upper >> 2);
}

}  // namespace

CommandTable::Key CommandTable::KeyOf(std::string_view name) {
  Key k;
  k.len = uint32_t(name.size());
  char buf[16] = {};
  std::memcpy(buf, name.data(), std::min(name.size(), sizeof buf));
  std::memcpy(&k.w0, buf, 8);
  std::memcpy(&k.w1, buf + 8, 8);
  k.w0 = FoldWord(k.w0);
  k.w1 = FoldWord(k.w1);
  return k;
}

size_t CommandTable::SlotOf(const Key& k) const {
  uint64_t h = (k.w0 * 0x9E3779B97F4A7C15ull) ^ (k.w1 * 0xC2B2AE3D27D4EB4Full) ^ k.len;
  return size_t(h ^ (h >> 32)) & (slots_.size() - 1);
}

void CommandTable::Index(const CommandSpec* spec) {
  if ((commands_.size() + 1) * 4 > slots_.size()) {  // keep the table at most 1/4 full
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 512 : old.size() * 2, Slot{});
    for (const Slot& s : old) {
      if (s.spec != nullptr) Index(s.spec);
    }
  }
  const Key k = KeyOf(spec->name);
  size_t i = SlotOf(k);
  while (slots_[i].spec != nullptr) i = (i + 1) & (slots_.size() - 1);
  slots_[i] = Slot{k, spec};
}

void CommandTable::Add(Cmd cmd) {
  auto spec = std::make_unique<CommandSpec>(std::move(cmd).Build());
  if (Find(spec->name) != nullptr) {
    std::fprintf(stderr, "command '%s' registered twice\n", spec->name.c_str());
    std::abort();
  }
  spec->id = int(by_id_.size());
  by_id_.push_back(spec.get());
  for (CommandSpec& sub : spec->subcommands) {
    sub.id = int(by_id_.size());
    by_id_.push_back(&sub);
  }
  Index(spec.get());
  commands_.push_back(std::move(spec));
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  if (name.empty() || name.size() > 64 || slots_.empty()) return nullptr;
  const Key k = KeyOf(name);
  for (size_t i = SlotOf(k); slots_[i].spec != nullptr; i = (i + 1) & (slots_.size() - 1)) {
    const Slot& s = slots_[i];
    if (s.key.w0 == k.w0 && s.key.w1 == k.w1 && s.key.len == k.len &&
        (k.len <= 16 || EqualsIgnoreCase(s.spec->name, name))) {
      return s.spec;
    }
  }
  return nullptr;
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
