// The administrator's governance records, and the server's periodic upkeep
// (retention purges and deadline events).

#include <absl/time/civil_time.h>
#include <spdlog/spdlog.h>

#include "api/handler_support.h"
#include "api/retention.h"
#include "api/service.h"
#include "api/situation_view.h"
#include "domain/routing.h"
#include "store/case_work.h"
#include "store/situations.h"
#include "store/transaction.h"

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

v1::Response Service::set_governance(const RequestContext& ctx, const Principal& p,
                                     const v1::SetGovernanceRequest& req) {
  return run_write(
      ctx, p, domain::Action::kAdminGovernance,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        auto access = authorize_in(scope, actor_at(p, ""), domain::Action::kAdminGovernance);
        if (!access.allowed()) return access.decision;
        if (!req.signed_on().empty() && !is_date(req.signed_on())) {
          return invalid("governance.bad_date", "signed_on must be a date written YYYY-MM-DD");
        }
        r.mutable_set_governance();
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
          scope.target = req.agency();
          scope.data_elements = {"isa_signed_on", "isa_expires_on"};
          return access.decision;
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
          scope.target = req.user();
          scope.data_elements = {"confidentiality_signed_on"};
          return access.decision;
        }
        return invalid("governance.missing_target", "name an agency or a user");
      });
}

void Service::erase_old_copies() {
  erasure_pending_ = true;
  if (auto s = db_.truncate_wal(); !s.ok()) {
    spdlog::warn("erased rows may survive in the WAL until the next sweep: {}", s.ToString());
    return;
  }
  erasure_pending_ = false;
}

absl::StatusOr<int> Service::sweep() {
  const std::int64_t now = clock_.now_us();
  if (erasure_pending_) erase_old_copies();
  auto purged = purge_expired(db_, now, false);
  if (!purged.ok()) return purged.status();
  if (!purged->empty()) spdlog::info("retention: purged {} situation(s)", purged->size());

  // Deadline events, each pushed once per process.
  struct Due {
    std::string kind, table, situation, agency, message;
    Audience audience;
  };
  auto due = db_.read([&](store::Connection& c) -> absl::StatusOr<std::vector<Due>> {
    store::Transaction tx(c, store::Transaction::Kind::kRead);
    if (!tx.status().ok()) return tx.status();
    auto ids = store::open_situation_ids(c);
    if (!ids.ok()) return ids.status();
    std::vector<Due> out;
    for (const auto& id : *ids) {
      auto s = store::find_situation(c, id);
      if (!s.ok()) return s.status();
      if (!*s) continue;
      auto facts = load_case_facts(c, **s);
      if (!facts.ok()) return facts.status();
      v1::Situation view;
      fill_situation(**s, domain::RecordView::kMetadata, &*facts, now, view);
      std::vector<std::string> lead;
      if (!view.lead_agency().empty()) lead.push_back(view.lead_agency());
      if (view.ack_overdue()) {
        out.push_back({"situation.ack_due",
                       view.table(),
                       id,
                       view.lead_agency(),
                       "the lead has not acknowledged the assignment",
                       {view.table(), lead, true, false}});
      }
      if (view.intervention_overdue()) {
        out.push_back({"situation.intervention_overdue",
                       view.table(),
                       id,
                       view.lead_agency(),
                       "no intervention recorded by the table's deadline",
                       {view.table(), lead, true, false}});
      }
      if (view.stale()) {
        out.push_back({"situation.stale",
                       view.table(),
                       id,
                       view.lead_agency(),
                       "open 90 days without a status update",
                       {view.table(), {}, true, false}});
      }
    }
    return out;
  });
  if (!due.ok()) return due.status();
  for (const auto& d : *due) {
    {
      std::lock_guard<std::mutex> lock(notified_mutex_);
      if (!notified_.insert(d.kind + "/" + d.situation).second) continue;
    }
    publish(d.kind, d.table, d.situation, d.agency, d.message, d.audience);
  }
  return static_cast<int>(purged->size());
}

void Service::schedule_sweep() {
  if (!pool_.try_submit([this] {
        auto s = sweep();
        if (!s.ok()) spdlog::error("upkeep sweep failed: {}", s.status().ToString());
      })) {
    spdlog::warn("upkeep sweep skipped: worker queue full");
  }
}

}  // namespace hubtable::api
