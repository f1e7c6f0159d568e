#include "commands/pubsub.h"

#include <algorithm>

#include "common/glob.h"

namespace larder {
namespace {

void AppendBulk(std::string* out, std::string_view s) {
  out->append("$").append(std::to_string(s.size())).append("\r\n");
  out->append(s).append("\r\n");
}

// ["message", channel, payload] / ["pmessage", pattern, channel, payload] /
// ["smessage", channel, payload], as a RESP2 array and a RESP3 push.
std::shared_ptr<const PushMessage> Encode(std::string_view kind, std::string_view pattern,
                                          std::string_view channel, std::string_view payload) {
  std::string body;
  AppendBulk(&body, kind);
  if (kind == "pmessage") AppendBulk(&body, pattern);
  AppendBulk(&body, channel);
  AppendBulk(&body, payload);
  const std::string n = std::to_string(kind == "pmessage" ? 4 : 3);
  auto m = std::make_shared<PushMessage>();
  m->resp2 = "*" + n + "\r\n" + body;
  m->resp3 = ">" + n + "\r\n" + body;
  return m;
}

}  // namespace

PubSub::SubMap& PubSub::MapOf(SubKind kind) {
  switch (kind) {
    case SubKind::kChannel: return channels_;
    case SubKind::kPattern: return patterns_;
    case SubKind::kShard: return shard_channels_;
  }
  return channels_;
}

bool PubSub::Subscribe(SubKind kind, std::string_view name, uint64_t client_id, int worker) {
  MutexLock lock(&mu_);
  SubMap& m = MapOf(kind);
  auto it = m.find(name);
  if (it == m.end()) it = m.emplace(std::string(name), std::vector<Sub>{}).first;
  for (const Sub& s : it->second) {
    if (s.client_id == client_id) return false;
  }
  it->second.push_back({client_id, worker});
  return true;
}

bool PubSub::Unsubscribe(SubKind kind, std::string_view name, uint64_t client_id) {
  MutexLock lock(&mu_);
  SubMap& m = MapOf(kind);
  auto it = m.find(name);
  if (it == m.end()) return false;
  auto& v = it->second;
  auto pos = std::find_if(v.begin(), v.end(), [&](const Sub& s) { return s.client_id == client_id; });
  if (pos == v.end()) return false;
  v.erase(pos);
  if (v.empty()) m.erase(it);
  return true;
}

int64_t PubSub::Publish(std::string_view channel, std::string_view message, bool shard) {
  MutexLock lock(&mu_);
  int64_t receivers = 0;
  SubMap& direct = shard ? shard_channels_ : channels_;
  if (auto it = direct.find(channel); it != direct.end()) {
    auto msg = Encode(shard ? "smessage" : "message", {}, channel, message);
    for (const Sub& s : it->second) sink_->Push(s.worker, s.client_id, msg);
    receivers += int64_t(it->second.size());
  }
  if (shard) return receivers;
  for (const auto& [pattern, subs] : patterns_) {
    if (!GlobMatch(pattern, channel, false)) continue;
    auto msg = Encode("pmessage", pattern, channel, message);
    for (const Sub& s : subs) sink_->Push(s.worker, s.client_id, msg);
    receivers += int64_t(subs.size());
  }
  return receivers;
}

std::vector<std::string> PubSub::Channels(bool shard, std::string_view pattern) {
  MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& [name, subs] : shard ? shard_channels_ : channels_) {
    if (pattern.empty() || GlobMatch(pattern, name, false)) out.push_back(name);
  }
  return out;
}

int64_t PubSub::NumSub(bool shard, std::string_view channel) {
  MutexLock lock(&mu_);
  SubMap& m = shard ? shard_channels_ : channels_;
  auto it = m.find(channel);
  return it == m.end() ? 0 : int64_t(it->second.size());
}

int64_t PubSub::NumPat() {
  MutexLock lock(&mu_);
  return int64_t(patterns_.size());
}

int64_t PubSub::NumChannels(bool shard) {
  MutexLock lock(&mu_);
  return int64_t((shard ? shard_channels_ : channels_).size());
}

}  // namespace larder
