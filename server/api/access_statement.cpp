#include "api/access_statement.h"

#include <algorithm>
#include <cstdint>

#include "api/case_input.h"
#include "api/page.h"
#include "api/subject.h"
#include "domain/free_text.h"
#include "domain/identity.h"
#include "domain/limits.h"
#include "store/identity_vault.h"
#include "store/meetings.h"
#include "store/situations.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;

namespace {

std::vector<domain::Person> people_of(const v1::AuditAccessStatementRequest& req) {
  std::vector<domain::Person> out;
  out.reserve(static_cast<std::size_t>(req.people_size()));
  for (const auto& p : req.people()) {
    domain::Person person;
    person.name = p.name();
    person.date_of_birth = p.date_of_birth();
    out.push_back(std::move(person));
  }
  return out;
}

// Every disclosure of one situation, oldest first, for as long as `page`
// takes them. False when it filled.
absl::StatusOr<bool> add_register(store::Connection& c, const std::string& situation, Page& page,
                                  v1::AccessStatementSituation& out) {
  auto s = c.prepare(
      "SELECT event FROM audit_events WHERE situation = ?1 AND outcome = ?2 AND action IN "
      "(?3, ?4) ORDER BY seq");
  if (!s.ok()) return s.status();
  s->bind(1, situation)
      .bind(2, std::int64_t{v1::AUDIT_OK})
      .bind(3, kDisclosureActions[0])
      .bind(4, kDisclosureActions[1]);
  for (;;) {
    auto row = s->step();
    if (!row.ok()) return row.status();
    if (!*row) return true;
    const crypto::Bytes bytes = s->blob(0);
    v1::AuditEvent e;
    if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::DataLossError("a disclosure's audit event does not parse");
    }
    v1::Disclosure d = disclosure_of(e);
    if (!page.take(d.ByteSizeLong())) return false;
    *out.add_disclosures() = std::move(d);
  }
}

}  // namespace

v1::Disclosure disclosure_of(const v1::AuditEvent& e) {
  v1::Disclosure d;
  d.set_sequence(e.sequence());
  d.set_time_us(e.time_us());
  *d.mutable_recipient() = e.actor();
  d.set_action(e.action());
  *d.mutable_data_elements() = e.data_elements();
  d.set_legal_authority(e.legal_authority());
  d.set_filter_stage(e.filter_stage());
  d.set_purpose(e.purpose());
  return d;
}

absl::StatusOr<Decision> AccessStatement::statement(Work& w) {
  const auto& req = w.request.audit_access_statement();
  const std::vector<domain::Person> people = people_of(req);
  if (auto d = domain::validate_lookup(people, utc_date(w.now_us)); !d.allowed()) return d;
  const std::size_t n = char_count(req.reason());
  if (n < domain::kJustificationMinChars || n > domain::kJustificationMaxChars) {
    return domain::invalid("access_statement.reason_length",
                           "the reason (the request's reference and why) must be " +
                               std::to_string(domain::kJustificationMinChars) + " to " +
                               std::to_string(domain::kJustificationMaxChars) + " characters");
  }
  if (auto bad = domain::check_free_text("the reason", req.reason())) return *bad;
  auto table = store::find_table(w.c, w.subject.table);
  if (!table.ok()) return table.status();
  if (!*table) return absl::InternalError("the audited table is gone");

  // The audit event names the fields searched with, never their values.
  w.scope.data_elements = {"name", "date_of_birth", "disclosure_register"};
  w.scope.purpose = "access_request";
  std::vector<crypto::Digest> digests;
  digests.reserve(people.size());
  for (const auto& p : people) digests.push_back(vault_.blind_index(domain::identity_key(p)));
  auto found = store::repeat_matches(w.c, (*table)->id, digests, 0, "");
  if (!found.ok()) return found.status();
  std::vector<store::SituationRecord> situations;
  for (const auto& id : *found) {
    auto s = store::find_situation(w.c, id);
    if (!s.ok()) return s.status();
    if (*s) situations.push_back(std::move(**s));
  }
  std::sort(situations.begin(), situations.end(), [](const auto& a, const auto& b) {
    return a.submitted_us != b.submitted_us ? a.submitted_us < b.submitted_us : a.id < b.id;
  });

  auto* out = w.response.mutable_audit_access_statement();
  out->set_table(w.subject.table);
  Page page(SIZE_MAX, Page::byte_budget(limits_));
  bool complete = true;
  for (const auto& s : situations) {
    auto* entry = out->add_situations();
    entry->set_situation(s.id);
    entry->set_submitted_us(s.submitted_us);
    if (!complete) continue;
    auto fitted = add_register(w.c, s.id, page, *entry);
    if (!fitted.ok()) return fitted.status();
    complete = *fitted;
  }
  out->set_complete(complete);

  // Last: a refusal above must not leave a sealed reason behind.
  store::BreakGlass b{0, "", w.p.user_id, w.now_us, {}};
  auto sealed = vault_.seal_justification(store::break_glass_context("", w.p.user_id, w.now_us),
                                          crypto::as_bytes(req.reason()), random_);
  if (!sealed.ok()) return sealed.status();
  b.sealed = std::move(*sealed);
  auto id = store::insert_break_glass(w.c, b);
  if (!id.ok()) return id.status();
  w.scope.break_glass_id = static_cast<std::uint64_t>(*id);
  return w.access().decision;
}

}  // namespace hubtable::api
