#include "api/admin_handlers.h"

#include <absl/time/civil_time.h>

#include "store/governance.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::invalid;
using domain::Refusal;

namespace {

bool is_date(const std::string& s) {
  absl::CivilDay day;
  return s.size() == 10 && absl::ParseCivilTime(absl::string_view(s.data(), s.size()), &day) &&
         absl::FormatCivilTime(day) == s;
}

}  // namespace

absl::StatusOr<Decision> AdminHandlers::governance(Work& w) {
  const auto& req = w.request.set_governance();
  store::Connection& c = w.c;
  if (!req.signed_on().empty() && !is_date(req.signed_on())) {
    return invalid("governance.bad_date", "signed_on must be a date written YYYY-MM-DD");
  }
  w.response.mutable_set_governance();
  if (req.target_case() == v1::SetGovernanceRequest::kAgency) {
    if (!req.expires_on().empty() && !is_date(req.expires_on())) {
      return invalid("governance.bad_date", "expires_on must be a date written YYYY-MM-DD");
    }
    if (req.signed_on().empty() != req.expires_on().empty()) {
      return invalid("governance.isa_dates",
                     "an information-sharing agreement has both a signed and an expiry date");
    }
    if (!req.signed_on().empty() && req.expires_on() <= req.signed_on()) {
      return invalid("governance.isa_dates", "expires_on must be after signed_on");
    }
    auto found = store::set_agency_isa(c, req.agency(), req.signed_on(), req.expires_on());
    if (!found.ok()) return found.status();
    if (!*found) {
      return Decision::deny(Refusal::kNotFound, "governance.no_agency", "no such agency");
    }
    w.scope.target = req.agency();
    w.scope.data_elements = {"isa_signed_on", "isa_expires_on"};
    return w.access().decision;
  }
  if (req.target_case() == v1::SetGovernanceRequest::kUser) {
    if (!req.expires_on().empty()) {
      return invalid("governance.user_expiry",
                     "a confidentiality agreement has no expiry date here");
    }
    auto found = store::set_user_confidentiality(c, req.user(), req.signed_on());
    if (!found.ok()) return found.status();
    if (!*found) {
      return Decision::deny(Refusal::kNotFound, "governance.no_user", "no such account");
    }
    w.scope.target = req.user();
    w.scope.data_elements = {"confidentiality_signed_on"};
    return w.access().decision;
  }
  return invalid("governance.missing_target", "name an agency or a user");
}

}  // namespace hubtable::api
