#pragma once
// Live events for clients that sent WatchRequest. A subscriber is a
// connection's sink plus who is on it (user, agency, roles); an event names
// its audience (the table, the agencies whose reps should hear it, whether
// the chair should), and is delivered only to matching subscribers. Sinks
// are held weakly: a closed connection simply stops receiving.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "api/request_sink.h"
#include "hubtable/v1/envelope.pb.h"
#include "store/accounts.h"

namespace hubtable::api {

struct Audience {
  std::string table;
  std::vector<std::string> agencies;  // reps of these agencies at the table
  bool chairs = false;                // the table's chairs
  bool all_reps = false;              // every rep at the table
  bool privacy_officers = false;      // the table's privacy officers
  bool every_table = false;           // the roles above at any table, not just `table`
  std::int64_t except_user = 0;       // never this person (the one an alert is about)
};

/// Thread-safe.
class EventHub {
 public:
  struct Subscriber {
    std::int64_t user_id = 0;
    std::string agency;
    std::vector<store::RoleGrantRecord> roles;
    std::weak_ptr<EventSink> sink;
  };

  void subscribe(Subscriber s);
  /// Delivers `event` to every live subscriber in `audience`; returns how many.
  int publish(const hubtable::v1::Event& event, const Audience& audience);
  /// The last kept event (Event.seq) delivered live to `user_id` since the
  /// cursors were last taken (0: none).
  std::int64_t delivered_to(std::int64_t user_id);
  /// Every user's last event delivered live, and forgets them (the caller
  /// stores them as watch cursors).
  std::map<std::int64_t, std::int64_t> take_delivered();
  /// Subscribers still connected (for tests and metrics).
  std::size_t live_subscribers();

 private:
  std::mutex mutex_;
  std::vector<Subscriber> subscribers_ ABSL_GUARDED_BY(mutex_);
  std::map<std::int64_t, std::int64_t> delivered_ ABSL_GUARDED_BY(mutex_);
};

/// Whether a subscriber with these roles and agency is in `audience`.
bool in_audience(const std::vector<store::RoleGrantRecord>& roles, const std::string& agency,
                 const Audience& audience);

}  // namespace hubtable::api
