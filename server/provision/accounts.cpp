#include "provision/accounts.h"

#include "absl/time/time.h"
#include "audit/audit_writer.h"
#include "store/transaction.h"

namespace hubtable::provision {

namespace {
std::string day(std::int64_t us) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixMicros(us), absl::UTCTimeZone());
}
}  // namespace

absl::StatusOr<std::vector<store::AccountUse>> list_accounts(Deployment& d) {
  return d.db->read([](store::Connection& c) { return store::list_account_use(c); });
}

std::string account_state(const store::AccountUse& a, std::int64_t now_us) {
  if (a.disabled_us) {
    return a.disabled_unused ? "disabled " + day(*a.disabled_us) + ": unused"
                             : "disabled by the deployment file";
  }
  if (a.one_time_password && a.password_expires_us) {
    return (*a.password_expires_us <= now_us ? "one-time password expired "
                                             : "one-time password valid until ") +
           day(*a.password_expires_us);
  }
  return "active";
}

absl::Status enable_account(Deployment& d, const std::string& username,
                            const domain::Clock& clock) {
  return d.db->write([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    auto user = store::find_user_by_username(c, username);
    if (!user.ok()) return user.status();
    if (!*user) return absl::NotFoundError("no user named " + username);
    auto enabled = store::enable_unused_account(c, (*user)->id);
    if (!enabled.ok()) return enabled.status();
    if (!*enabled) {
      return absl::FailedPreconditionError(
          (*user)->disabled_us
              ? username + " was disabled by the deployment file: set it enabled there and apply"
              : username + " is not disabled");
    }
    hubtable::v1::AuditEvent e =
        local_event(clock, "admin.account_enabled", "admin.enable_account");
    e.set_target(username);
    auto seq = audit::append(c, std::move(e));
    if (!seq.ok()) return seq.status();
    return tx.commit();
  });
}

}  // namespace hubtable::provision
