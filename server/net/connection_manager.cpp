#include "net/connection_manager.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "net/connection.h"

namespace hubtable::net {

bool ConnectionManager::try_admit(const std::string& address) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (total_ >= max_total_) return false;
  int& n = per_address_[address];
  if (n >= max_per_address_) return false;
  ++n;
  ++total_;
  peak_ = std::max(peak_, total_);
  return true;
}

void ConnectionManager::attach(const std::shared_ptr<Connection>& connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  live_[connection.get()] = connection;
}

void ConnectionManager::release(Connection* connection, const std::string& address) {
  std::lock_guard<std::mutex> lock(mutex_);
  live_.erase(connection);
  auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second <= 0) per_address_.erase(it);
  --total_;
}

void ConnectionManager::drain_all() {
  std::vector<std::shared_ptr<Connection>> connections;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [_, weak] : live_) {
      if (auto c = weak.lock()) connections.push_back(std::move(c));
    }
  }
  for (auto& c : connections) c->drain();
}

std::size_t ConnectionManager::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<std::size_t>(total_);
}

std::size_t ConnectionManager::take_peak() {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<std::size_t>(std::exchange(peak_, total_));
}

}  // namespace hubtable::net
