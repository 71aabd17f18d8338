#pragma once
// The administrator's view of the accounts on the server host: which are in
// use, which the clock disabled for non-use, whose one-time password is
// waiting or expired (`hubtabled accounts`), and re-enabling an account the
// clock disabled (`hubtabled enable-account`).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/clock.h"
#include "provision/provisioner.h"
#include "store/accounts.h"

namespace hubtable::provision {

/// Every account, by username.
absl::StatusOr<std::vector<store::AccountUse>> list_accounts(Deployment& d);

/// How an account stands at `now_us`, in a few words ("active", "disabled:
/// unused", "one-time password expired 2026-11-02"...).
std::string account_state(const store::AccountUse& a, std::int64_t now_us);

/// Re-enables `username`, which the clock disabled for non-use; audited
/// (admin.account_enabled). Its sessions stay ended: the person logs in
/// again. Refused for an account the deployment file disabled (edit the
/// file and apply) or one that is not disabled.
absl::Status enable_account(Deployment& d, const std::string& username, const domain::Clock& clock);

}  // namespace hubtable::provision
