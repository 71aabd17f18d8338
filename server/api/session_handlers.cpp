#include "api/session_handlers.h"

#include "store/accounts.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;

namespace {

v1::Role role_from_text(const std::string& role) {
  v1::Role r = v1::ROLE_UNSPECIFIED;
  return v1::Role_Parse(role, &r) ? r : v1::ROLE_UNSPECIFIED;
}

std::int64_t us(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

}  // namespace

absl::StatusOr<Decision> SessionHandlers::logout(Work& w) {
  if (auto st = store::revoke_session(w.c, w.p.token_hash, w.now_us, "logout"); !st.ok()) {
    return st;
  }
  w.response.mutable_logout();
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
  }
  out->set_certificate_thumbprint(w.ctx.thumbprint);
  out->set_session_idle_expires_at_us(p.session_last_seen_us + us(limits_.session_idle_timeout));
  out->set_session_absolute_expires_at_us(p.session_created_us +
                                          us(limits_.session_absolute_timeout));
  return w.access().decision;
}

absl::StatusOr<Decision> SessionHandlers::watch(Work& w) {
  if (w.ctx.events.expired()) {
    return domain::failed("watch.unsupported", "this connection cannot receive events");
  }
  events_.subscribe({w.p.user_id, w.p.agency_code, w.p.roles, w.ctx.events});
  w.scope.purpose = "events";
  w.response.mutable_watch();
  return w.access().decision;
}

}  // namespace hubtable::api
