#include "api/session_handlers.h"

#include <algorithm>

#include "api/page.h"
#include "domain/limits.h"
#include "store/accounts.h"
#include "store/event_log.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;

namespace {

v1::Role role_from_text(const std::string& role) {
  v1::Role r = v1::ROLE_UNSPECIFIED;
  return v1::Role_Parse(role, &r) ? r : v1::ROLE_UNSPECIFIED;
}

// Missed events are read this many at a time.
constexpr std::int64_t kReplayBatch = 256;

std::int64_t us(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

}  // namespace

absl::StatusOr<Decision> SessionHandlers::logout(Work& w) {
  if (auto st = store::revoke_session(w.c, w.p.token_hash, w.now_us, "logout"); !st.ok()) {
    return st;
  }
  w.response.mutable_logout()->set_session_ended(true);
  return w.access().decision;
}

absl::StatusOr<Decision> SessionHandlers::whoami(Work& w) {
  const Principal& p = w.p;
  auto* out = w.response.mutable_whoami();
  out->set_username(p.username);
  out->set_display_name(p.display_name);
  out->set_agency(p.agency_code);
  out->set_agency_name(p.agency_name);
  for (const auto& g : p.roles) {
    auto* grant = out->add_roles();
    grant->set_role(role_from_text(g.role));
    grant->set_table(g.table_code);
    grant->set_table_name(g.table_name);
    grant->set_time_zone(g.time_zone);
  }
  auto zone = store::shown_time_zone(w.c, p.roles);
  if (!zone.ok()) return zone.status();
  out->set_time_zone(*zone);
  out->set_certificate_thumbprint(w.ctx.thumbprint);
  out->set_session_idle_expires_at_us(p.session_last_seen_us + us(limits_.session_idle_timeout));
  out->set_session_absolute_expires_at_us(p.session_created_us +
                                          us(limits_.session_absolute_timeout));
  out->set_session_idle_seconds(static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(limits_.session_idle_timeout).count()));
  return w.access().decision;
}

absl::StatusOr<Decision> SessionHandlers::watch(Work& w) {
  if (w.ctx.events.expired()) {
    return domain::failed("watch.unsupported", "this connection cannot receive events");
  }
  w.scope.purpose = "events";
  auto* out = w.response.mutable_watch();
  if (w.request.watch().replay()) {
    if (auto st = replay(w, *out); !st.ok()) return st;
  }
  events_.subscribe({w.p.user_id, w.p.agency_code, w.p.roles, w.ctx.events});
  return w.access().decision;
}

absl::Status SessionHandlers::replay(Work& w, v1::WatchResponse& out) {
  auto stored = store::watch_cursor(w.c, w.p.user_id);
  if (!stored.ok()) return stored.status();
  // What this person last received live counts too, stored or not yet.
  std::int64_t cursor = std::max(*stored, events_.delivered_to(w.p.user_id));
  const std::int64_t since = w.now_us - domain::kEventReplayWindowUs;
  Page page(domain::kReplayPage, Page::byte_budget(limits_));
  while (!page.full()) {
    auto batch = store::events_after(w.c, cursor, since, kReplayBatch);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) break;
    for (const auto& e : *batch) {
      const Audience audience{e.table,       e.agencies,   e.chairs, e.all_reps, e.privacy_officers,
                              e.every_table, e.except_user};
      if (e.except_user == w.p.user_id || !in_audience(w.p.roles, w.p.agency_code, audience)) {
        cursor = e.seq;  // not theirs: passed over
        continue;
      }
      v1::Event x;
      x.set_seq(static_cast<std::uint64_t>(e.seq));
      x.set_kind(e.kind);
      x.set_time_us(e.time_us);
      x.set_table(e.table);
      x.set_situation(e.situation);
      x.set_agency(e.agency);
      x.set_message(e.message);
      x.set_replayed(true);
      if (!page.take(x.ByteSizeLong())) break;
      cursor = e.seq;
      *out.add_missed() = std::move(x);
    }
  }
  out.set_more_missed(page.full());
  w.scope.data_elements = {"events"};
  return store::advance_watch_cursor(w.c, w.p.user_id, cursor);
}

}  // namespace hubtable::api
