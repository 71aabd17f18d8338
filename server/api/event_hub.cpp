#include "api/event_hub.h"

#include <algorithm>
#include <utility>

namespace hubtable::api {

bool in_audience(const std::vector<store::RoleGrantRecord>& roles, const std::string& agency,
                 const Audience& audience) {
  for (const auto& g : roles) {
    if (g.table_code.empty() || (!audience.every_table && g.table_code != audience.table)) continue;
    if (g.role == "CHAIR" && audience.chairs) return true;
    if (g.role == "PRIVACY_OFFICER" && audience.privacy_officers) return true;
    if (g.role == "REP" && audience.all_reps) return true;
    if (g.role == "REP" && !agency.empty() &&
        std::find(audience.agencies.begin(), audience.agencies.end(), agency) !=
            audience.agencies.end()) {
      return true;
    }
  }
  return false;
}

void EventHub::subscribe(Subscriber s) {
  std::lock_guard<std::mutex> lock(mutex_);
  subscribers_.push_back(std::move(s));
}

int EventHub::publish(const hubtable::v1::Event& event, const Audience& audience) {
  std::vector<std::pair<std::int64_t, std::shared_ptr<EventSink>>> targets;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::erase_if(subscribers_, [](const Subscriber& s) { return s.sink.expired(); });
    for (const auto& s : subscribers_) {
      if (audience.except_user != 0 && s.user_id == audience.except_user) continue;
      if (!in_audience(s.roles, s.agency, audience)) continue;
      if (auto sink = s.sink.lock()) targets.emplace_back(s.user_id, std::move(sink));
    }
  }
  // Delivered outside the lock: a sink may take its own.
  std::vector<std::int64_t> reached;
  for (const auto& [user, sink] : targets) {
    if (sink->deliver(event)) reached.push_back(user);
  }
  // Who received it live will not have it replayed.
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto user : reached) {
    auto& last = delivered_[user];
    last = std::max<std::int64_t>(last, static_cast<std::int64_t>(event.seq()));
  }
  return static_cast<int>(reached.size());
}

std::int64_t EventHub::delivered_to(std::int64_t user_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = delivered_.find(user_id);
  return it == delivered_.end() ? 0 : it->second;
}

std::map<std::int64_t, std::int64_t> EventHub::take_delivered() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(delivered_, {});
}

std::size_t EventHub::live_subscribers() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::erase_if(subscribers_, [](const Subscriber& s) { return s.sink.expired(); });
  return subscribers_.size();
}

}  // namespace hubtable::api
