#include "server/client_registry.h"

namespace larder {

void ClientRegistry::Add(std::shared_ptr<ClientInfo> info) {
  MutexLock lock(&mu_);
  uint64_t id = info->id;
  clients_.emplace(id, std::move(info));
  count_.store(clients_.size(), std::memory_order_relaxed);
}

void ClientRegistry::Remove(uint64_t id) {
  MutexLock lock(&mu_);
  clients_.erase(id);
  count_.store(clients_.size(), std::memory_order_relaxed);
}

void ClientRegistry::ForEach(const std::function<void(const ClientInfo&)>& fn) const {
  MutexLock lock(&mu_);
  for (const auto& [id, info] : clients_) fn(*info);
}

}  // namespace larder
