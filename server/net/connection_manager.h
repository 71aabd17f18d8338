#pragma once
// Owns the set of live connections and enforces connection caps.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"

namespace hubtable::net {

class Connection;

/// Thread-safe. Connections register on admission and unregister in their
/// destructor, so counts stay right however a connection ends.
class ConnectionManager {
 public:
  ConnectionManager(int max_total, int max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  /// Reserves a slot for `address`; false when a cap is reached.
  bool try_admit(const std::string& address);
  /// Records the live connection for an admitted slot.
  void attach(const std::shared_ptr<Connection>& connection);
  /// Releases the slot (called from the connection's destructor).
  void release(Connection* connection, const std::string& address);
  /// Asks every live connection to finish its work and close.
  void drain_all();
  std::size_t size() const;
  /// The most connections open at once since the last call (or since
  /// construction); the count restarts from those open now.
  std::size_t take_peak();

 private:
  const int max_total_;
  const int max_per_address_;
  mutable std::mutex mutex_;
  int total_ ABSL_GUARDED_BY(mutex_) = 0;
  int peak_ ABSL_GUARDED_BY(mutex_) = 0;
  std::unordered_map<std::string, int> per_address_ ABSL_GUARDED_BY(mutex_);
  std::unordered_map<Connection*, std::weak_ptr<Connection>> live_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace hubtable::net
