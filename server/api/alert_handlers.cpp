#include "api/alert_handlers.h"

#include <algorithm>

#include "api/alerts.h"
#include "api/audit_paging.h"
#include "api/page.h"
#include "crypto/log_verifier.h"
#include "domain/alerts.h"
#include "domain/limits.h"
#include "store/identity_vault.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::kDefaultQueryPage;
using domain::Refusal;

absl::StatusOr<Decision> AlertHandlers::alerts(Work& w) {
  const auto& req = w.request.audit_alerts();
  const auto& kinds = domain::alert_kinds();
  if (!req.kind().empty() && std::find(kinds.begin(), kinds.end(), req.kind()) == kinds.end()) {
    return Decision::deny(Refusal::kInvalidArgument, "audit.unknown_alert_kind",
                          "kind must be break_glass, mass_disclosure, after_hours, "
                          "repeated_denials or verification_failed");
  }
  if (auto bad = check_page(req.limit(), req.from_us(), req.to_us(), "alerts")) return *bad;
  w.scope.data_elements = {"audit_alerts"};
  const domain::AuditReader reader = domain::audit_reader(w.subject.actor, w.subject.table);
  const std::uint32_t limit = req.limit() == 0 ? kDefaultQueryPage : req.limit();
  auto s = w.c.prepare(
      "SELECT seq, event FROM audit_events WHERE action >= ?1 AND action < ?2 AND "
      "seq > ?3 AND time_us >= ?4 AND time_us < ?5 ORDER BY seq LIMIT ?6");
  if (!s.ok()) return s.status();
  const std::string low = req.kind().empty() ? "alert." : "alert." + req.kind();
  const std::string high = req.kind().empty() ? "alert/" : low + '\x01';
  s->bind(1, low)
      .bind(2, high)
      .bind(3, static_cast<std::int64_t>(req.after_sequence()))
      .bind(4, req.from_us())
      .bind(5, req.to_us() == 0 ? std::numeric_limits<std::int64_t>::max() : req.to_us())
      .bind(6, kQueryScan);
  auto* out = w.response.mutable_audit_alerts();
  Page page(limit, Page::byte_budget(limits_));
  bool justified = false;
  auto next = page_through_events(*s, reader, page, [&](v1::AuditEvent& e) -> absl::StatusOr<bool> {
    v1::AlertEntry entry;
    // The chair sees that break-glass happened, not why (DESIGN.md).
    const bool with_justification = reader.justifications && e.break_glass_id() != 0;
    if (with_justification) {
      auto b = store::find_break_glass(w.c, static_cast<std::int64_t>(e.break_glass_id()));
      if (!b.ok()) return b.status();
      if (!*b) return absl::DataLossError("a break-glass justification is missing");
      auto text = vault_.open_justification(
          store::break_glass_context((*b)->situation_id, (*b)->user_id, (*b)->created_us),
          (*b)->sealed);
      if (!text.ok()) return text.status();
      entry.set_justification(std::string(text->view().begin(), text->view().end()));
    }
    *entry.mutable_event() = std::move(e);
    if (!page.take(entry.ByteSizeLong())) return false;
    justified = justified || with_justification;
    *out->add_alerts() = std::move(entry);
    return true;
  });
  if (!next.ok()) return next.status();
  if (justified) w.scope.data_elements.push_back("break_glass_justification");
  out->set_next_after(*next);
  return w.access().decision;
}

absl::StatusOr<Decision> AlertHandlers::report_failure(Work& w) {
  const auto& req = w.request.audit_report_failure();
  if (!crypto::is_problem_class(req.problem())) {
    return Decision::deny(Refusal::kInvalidArgument, "audit.unknown_problem",
                          "problem must be one of the classes audit verify reports "
                          "(changed, missing, out of order, moved, rewritten, unsigned, "
                          "unreadable, other)");
  }
  if (req.first_bad() == 0 || req.last_bad() < req.first_bad()) {
    return Decision::deny(Refusal::kInvalidArgument, "audit.bad_positions",
                          "first_bad must be at least 1 and not after last_bad");
  }
  w.scope.data_elements = {"verification_report"};
  w.response.mutable_audit_report_failure();
  // The alert is written once the report is on the record, in its own
  // transaction (the report is a read).
  w.after.then = [this, req, now = w.now_us, user = w.p.user_id,
                  name = w.p.username](v1::Response& r) -> absl::Status {
    auto seq = audited_.raise_alert(verification_alert(now, req.first_bad(), req.last_bad(),
                                                       req.problem(), req.tree_size(), user, name));
    if (!seq.ok()) return seq.status();
    r.mutable_audit_report_failure()->set_alert_sequence(*seq);
    return absl::OkStatus();
  };
  return w.access().decision;
}

}  // namespace hubtable::api
