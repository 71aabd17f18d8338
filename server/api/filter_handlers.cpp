// Filters 3 and 4: need-to-know identification, lead routing, planning,
// intervention, follow-up, closure. Identifiers and planning notes are
// sealed with the situation's data key before they reach the store and
// opened only for a caller the policy allows; every disclosure is audited
// with its legal authority, and no audit event, log line or error carries a
// value.

#include <absl/time/clock.h>
#include <absl/time/time.h>

#include <algorithm>
#include <functional>
#include <set>

#include "api/handler_support.h"
#include "api/page.h"
#include "api/retention.h"
#include "api/service.h"
#include "api/situation_view.h"
#include "domain/free_text.h"
#include "domain/identity.h"
#include "domain/limits.h"
#include "domain/routing.h"
#include "store/case_work.h"
#include "store/situations.h"
#include "store/vocabulary.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::failed;
using domain::invalid;

namespace {

using domain::kJustificationMaxChars;
using domain::kJustificationMinChars;
using domain::kNotesPage;
using domain::kPlanMaxChars;
using domain::kUpdateMaxChars;
constexpr std::int64_t kRepeatWindowUs = 365 * domain::kMicrosPerDay;
constexpr std::int64_t kClockSkewUs = std::int64_t{5} * 60 * 1'000'000;

/// One situation request at Filter 3 or 4: the record, its participants and
/// follow-up, the caller's governance standing, and the policy's answer.
struct Case {
  store::SituationRecord s;
  CaseFacts facts;
  domain::Access access;
};

absl::StatusOr<Decision> begin_case(store::Connection& c, const Principal& p,
                                    const std::string& raw_id, domain::Action action,
                                    std::int64_t now_us, AuditScope& scope, Case& out,
                                    bool break_glass = false) {
  auto found = load_situation(c, raw_id, out.s);
  if (!found.ok() || !found->allowed()) return found;
  scope.table = out.s.table_code;
  scope.situation = out.s.id;
  scope.filter_stage =
      std::max<std::uint32_t>(domain::filter_stage(out.s.state, !out.s.lead_agency.empty()), 3);
  auto facts = load_case_facts(c, out.s);
  if (!facts.ok()) return facts.status();
  out.facts = std::move(*facts);
  auto gov = store::governance_of(c, p.user_id);
  if (!gov.ok()) return gov.status();
  domain::AccessFacts f;
  f.originating_agency = out.s.originating_agency;
  f.state = out.s.state;
  f.joined_agencies = out.facts.joined_agencies();
  f.lead_agency = out.s.lead_agency;
  f.assisting_agencies = out.facts.agencies_with_role("ASSISTING");
  f.agency_isa_current =
      domain::isa_current(gov->isa_signed_on, gov->isa_expires_on, utc_date(now_us));
  f.break_glass_justified = break_glass;
  out.access = authorize_in(scope, actor_at(p, out.s.table_code), action, f);
  return out.access.decision;
}

/// A required vocabulary code: present and known.
absl::StatusOr<Decision> check_vocabulary(store::Connection& c, const std::string& kind,
                                          const std::string& code, const std::string& table,
                                          const std::string& field) {
  if (code.empty()) return invalid(field + ".missing", field + " is required");
  return check_code(c, kind, code, table, field);
}

/// The situation's data key: the stored one, unwrapped, or a new one whose
/// wrapped form is stored now, in the caller's transaction.
absl::StatusOr<crypto::SecretBytes> data_key(store::Connection& c, const crypto::Vault& vault,
                                             crypto::RandomSource& random,
                                             const std::string& situation_id, std::int64_t now_us) {
  auto wrapped = store::find_wrapped_key(c, situation_id);
  if (!wrapped.ok()) return wrapped.status();
  if (*wrapped) return vault.unwrap(**wrapped, situation_id);
  crypto::SecretBytes dek = crypto::Vault::new_data_key(random);
  auto w = vault.wrap(dek, situation_id, random);
  if (!w.ok()) return w.status();
  if (auto st = store::insert_wrapped_key(c, situation_id, *w, now_us); !st.ok()) return st;
  return dek;
}

/// The agency id of a participant, by code; nullopt when it did not join.
std::optional<std::int64_t> participant_id(const CaseFacts& f, const std::string& agency) {
  for (const auto& p : f.participants) {
    if (p.agency == agency) return p.agency_id;
  }
  return std::nullopt;
}

std::string person_field(std::size_t person, std::string_view field) {
  return "person/" + std::to_string(person) + "/" + std::string(field);
}

std::string note_field(std::int64_t author_id, std::int64_t created_us) {
  return "planning_note/" + std::to_string(author_id) + "/" + std::to_string(created_us);
}

std::string join_aliases(const std::vector<std::string>& aliases) {
  std::string out;
  for (const auto& a : aliases) {
    if (!out.empty()) out.push_back('\n');
    out += a;
  }
  return out;
}

std::string as_string(const crypto::SecretBytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};  // NOLINT(*reinterpret-cast*)
}

void fill_case(const Case& k, std::int64_t now_us, v1::Situation& out) {
  fill_situation(k.s, domain::RecordView::kDeidentified, &k.facts, now_us, out);
}

/// Reloads the situation after a change and fills `out` from it.
absl::Status refill(store::Connection& c, Case& k, std::int64_t now_us, v1::Situation& out) {
  auto s = store::find_situation(c, k.s.id);
  if (!s.ok()) return s.status();
  if (!*s) return absl::InternalError("situation vanished");
  k.s = std::move(**s);
  auto facts = load_case_facts(c, k.s);
  if (!facts.ok()) return facts.status();
  k.facts = std::move(*facts);
  fill_case(k, now_us, out);
  return absl::OkStatus();
}

/// The shape of most Filter 3-4 changes: load and authorize the case,
/// require it open (rules `<verb>.closed`, `<verb>.not_accepted`), make the
/// change, then answer with the situation as it now stands.
using CaseChange = std::function<absl::StatusOr<Decision>(store::Connection&, Case&)>;
absl::StatusOr<Decision> change_case(store::Connection& c, const Principal& p,
                                     const std::string& raw_id, domain::Action action,
                                     std::string_view verb, std::int64_t now, AuditScope& scope,
                                     v1::Situation& out, const CaseChange& change) {
  Case k;
  auto begun = begin_case(c, p, raw_id, action, now, scope, k);
  if (!begun.ok() || !begun->allowed()) return begun;
  const auto move =
      action == domain::Action::kSituationClose ? domain::Move::kClose : domain::Move::kCaseWork;
  if (auto open = domain::allow_move(k.s.state, move, verb); !open.allowed()) return open;
  auto changed = change(c, k);
  if (!changed.ok() || !changed->allowed()) return changed;
  if (auto st = refill(c, k, now, out); !st.ok()) return st;
  return k.access.decision;
}

}  // namespace

v1::Response Service::join_situation(const RequestContext& ctx, const Principal& p,
                                     const v1::JoinSituationRequest& req) {
  return run_write(
      ctx, p, domain::Action::kSituationJoin,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        const std::int64_t now = clock_.now_us();
        auto* out = r.mutable_join_situation();
        scope.data_elements = {"joined_agencies"};
        return change_case(
            c, p, req.id(), domain::Action::kSituationJoin, "join", now, scope,
            *out->mutable_situation(),
            [&](store::Connection&, Case& k) -> absl::StatusOr<Decision> {
              scope.filter_stage = 3;
              if (participant_id(k.facts, p.agency_code)) {
                out->set_already_joined(true);
                return Decision::allow("join.already_joined");
              }
              if (!k.s.lead_agency.empty()) {
                return failed("join.lead_assigned",
                              "the chair already assigned the lead; ask the chair to add your "
                              "agency");
              }
              auto agency = store::find_agency_id(c, p.agency_code);
              if (!agency.ok()) return agency.status();
              if (!*agency) return absl::InternalError("a rep's agency is missing");
              if (auto st = store::add_participant(c, k.s.id, **agency, p.user_id, now); !st.ok()) {
                return st;
              }
              return Decision::allow("join.added");
            });
      });
}

v1::Response Service::identify_situation(const RequestContext& ctx, const Principal& p,
                                         const v1::IdentifySituationRequest& req) {
  std::vector<std::string> repeats;
  Audience joined;
  auto response = run_write(
      ctx, p, domain::Action::kSituationIdentify,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        const std::int64_t now = clock_.now_us();
        Case k;
        auto begun = begin_case(c, p, req.id(), domain::Action::kSituationIdentify, now, scope, k);
        if (!begun.ok() || !begun->allowed()) return begun;
        auto existing = store::find_identity(c, k.s.id);
        if (!existing.ok()) return existing.status();
        if (*existing) {
          return failed("identify.already_identified",
                        "identifiers were already entered for this situation");
        }
        std::vector<domain::Person> people;
        for (const auto& in : req.people()) {
          people.push_back({in.name(),
                            in.date_of_birth(),
                            in.address(),
                            in.phone(),
                            {in.aliases().begin(), in.aliases().end()}});
        }
        if (auto d = domain::validate_people(people, utc_date(now)); !d.allowed()) return d;
        auto known = check_vocabulary(c, "legal_authority", req.legal_authority(), k.s.table_code,
                                      "legal_authority");
        if (!known.ok() || !known->allowed()) return known;

        // The data key: the one planning notes already use, or a new one.
        auto key = data_key(c, vault_, random_, k.s.id, now);
        if (!key.ok()) return key.status();
        const crypto::SecretBytes& dek = *key;
        store::NewIdentity n;
        n.situation_id = k.s.id;
        n.table_id = k.s.table_id;
        n.record = {static_cast<int>(people.size()), req.legal_authority(), now, p.user_id, {}};
        std::set<std::string> elements;
        for (std::size_t i = 0; i < people.size(); ++i) {
          const auto& person = people[i];
          const std::pair<const char*, std::string> values[] = {
              {"name", person.name},
              {"date_of_birth", person.date_of_birth},
              {"address", person.address},
              {"phone", person.phone},
              {"aliases", join_aliases(person.aliases)}};
          for (const auto& [field, value] : values) {
            if (value.empty()) continue;
            auto sealed = crypto::seal_field(dek, k.s.id, person_field(i, field),
                                             crypto::as_bytes(value), random_);
            if (!sealed.ok()) return sealed.status();
            n.fields.push_back({static_cast<int>(i), field, std::move(*sealed)});
            elements.insert(field);
          }
          n.blind_indexes.push_back(vault_.blind_index(domain::identity_key(person)));
        }
        auto matches =
            store::repeat_matches(c, k.s.table_id, n.blind_indexes, now - kRepeatWindowUs, k.s.id);
        if (!matches.ok()) return matches.status();
        if (auto st = store::insert_identity(c, n); !st.ok()) return st;
        scope.data_elements.assign(elements.begin(), elements.end());
        scope.legal_authority = req.legal_authority();
        scope.purpose = "filter3.identification";
        auto* out = r.mutable_identify_situation();
        for (const auto& id : *matches) out->add_repeat_situations(id);
        if (auto st = refill(c, k, now, *out->mutable_situation()); !st.ok()) return st;
        repeats = *matches;
        joined = {k.s.table_code, k.facts.joined_agencies(), false, false};
        return k.access.decision;
      });
  if (response.status().code() == v1::OK && !repeats.empty()) {
    publish("situation.repeat_found", joined.table, response.identify_situation().situation().id(),
            "",
            "the person was in " + std::to_string(repeats.size()) +
                " other situation(s) at this table in the last 12 months; reveal to see which",
            joined);
  }
  return response;
}

v1::Response Service::reveal_situation(const RequestContext& ctx, const Principal& p,
                                       const v1::RevealSituationRequest& req) {
  // Break-glass writes its sealed justification, so it runs on the writer;
  // the alert it raises commits with its audit event.
  const std::string& why = req.break_glass_justification();
  const bool break_glass = !why.empty();
  const Body body = [&](store::Connection& c, AuditScope& scope,
                        v1::Response& r) -> absl::StatusOr<Decision> {
    const std::int64_t now = clock_.now_us();
    Case k;
    auto begun =
        begin_case(c, p, req.id(), domain::Action::kSituationReveal, now, scope, k, break_glass);
    // Filter 3, or 4 once the lead is named (begin_case).
    if (!begun.ok() || !begun->allowed()) return begun;
    if (break_glass) {
      const std::size_t n = char_count(why);
      if (n < kJustificationMinChars || n > kJustificationMaxChars) {
        return invalid("break_glass.justification_length",
                       "the break-glass justification must be " +
                           std::to_string(kJustificationMinChars) + " to " +
                           std::to_string(kJustificationMaxChars) + " characters");
      }
      if (auto bad = domain::check_free_text("the break-glass justification", why)) return *bad;
    }
    auto identity = store::find_identity(c, k.s.id);
    if (!identity.ok()) return identity.status();
    auto wrapped = store::find_wrapped_key(c, k.s.id);
    if (!wrapped.ok()) return wrapped.status();
    if (!*identity || (*identity)->purged_us || !*wrapped) {
      return failed("reveal.not_identified",
                    "the originating agency has not entered identifiers for this situation");
    }
    auto dek = vault_.unwrap(**wrapped, k.s.id);
    if (!dek.ok()) return dek.status();
    auto fields = store::list_sealed_fields(c, k.s.id);
    if (!fields.ok()) return fields.status();
    auto* out = r.mutable_reveal_situation();
    out->set_id(k.s.id);
    out->set_legal_authority((*identity)->legal_authority);
    out->set_originating_agency(k.s.originating_agency);
    for (int i = 0; i < (*identity)->people; ++i) out->add_people();
    std::set<std::string> elements;
    for (const auto& f : *fields) {
      if (f.person < 0 || f.person >= out->people_size()) {
        return absl::DataLossError("a sealed field names a person out of range");
      }
      auto plain = crypto::open_field(
          *dek, k.s.id, person_field(static_cast<std::size_t>(f.person), f.field), f.sealed);
      if (!plain.ok()) return plain.status();
      auto* person = out->mutable_people(f.person);
      const std::string value = as_string(*plain);
      if (f.field == "name") person->set_name(value);
      if (f.field == "date_of_birth") person->set_date_of_birth(value);
      if (f.field == "address") person->set_address(value);
      if (f.field == "phone") person->set_phone(value);
      if (f.field == "aliases") {
        std::size_t start = 0;
        while (start <= value.size()) {
          const auto end = value.find('\n', start);
          person->add_aliases(value.substr(start, end - start));
          if (end == std::string::npos) break;
          start = end + 1;
        }
      }
      elements.insert(f.field);
    }
    auto digests = store::blind_indexes_of(c, k.s.id);
    if (!digests.ok()) return digests.status();
    auto matches = store::repeat_matches(c, k.s.table_id, *digests, now - kRepeatWindowUs, k.s.id);
    if (!matches.ok()) return matches.status();
    for (const auto& id : *matches) out->add_repeat_situations(id);
    if (break_glass) {  // last: a refusal above must not name a justification
      store::BreakGlass b{0, k.s.id, p.user_id, now, {}};
      auto sealed = vault_.seal_justification(store::break_glass_context(k.s.id, p.user_id, now),
                                              crypto::as_bytes(why), random_);
      if (!sealed.ok()) return sealed.status();
      b.sealed = std::move(*sealed);
      auto id = store::insert_break_glass(c, b);
      if (!id.ok()) return id.status();
      scope.break_glass_id = static_cast<std::uint64_t>(*id);
    }
    // The disclosure record: who received which elements under which authority.
    scope.data_elements.assign(elements.begin(), elements.end());
    scope.legal_authority = (*identity)->legal_authority;
    scope.purpose = break_glass ? "break_glass" : "filter3.need_to_know";
    return k.access.decision;
  };
  return break_glass ? run_write(ctx, p, domain::Action::kSituationReveal, body)
                     : run_read(ctx, p, domain::Action::kSituationReveal, body);
}

v1::Response Service::assign_situation(const RequestContext& ctx, const Principal& p,
                                       const v1::AssignSituationRequest& req) {
  Audience told;
  std::string lead;
  auto response = run_write(
      ctx, p, domain::Action::kSituationAssign,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        const std::int64_t now = clock_.now_us();
        Case k;
        auto begun = begin_case(c, p, req.id(), domain::Action::kSituationAssign, now, scope, k);
        if (!begun.ok() || !begun->allowed()) return begun;
        if (auto open = domain::allow_move(k.s.state, domain::Move::kCaseWork, "assign");
            !open.allowed()) {
          return open;
        }
        if (k.s.intervened_us) {
          return failed("assign.intervention_recorded",
                        "the intervention is recorded: the lead can no longer change");
        }
        // Suggestions: sector fit with the situation's risk categories, then load.
        auto categories = store::risk_categories(c, k.s.risk_factors, k.s.table_code);
        if (!categories.ok()) return categories.status();
        auto loads = store::open_lead_counts(c, k.s.table_id);
        if (!loads.ok()) return loads.status();
        std::vector<domain::LeadCandidate> candidates;
        for (const auto& part : k.facts.participants) {
          domain::LeadCandidate cand{part.agency, part.sector, {}, 0};
          auto cats = store::sector_categories(c, part.sector);
          if (!cats.ok()) return cats.status();
          cand.sector_categories = std::move(*cats);
          for (const auto& [agency_id, n] : *loads) {
            // The current lead's own count includes this situation.
            if (agency_id == part.agency_id) cand.open_leads = n - (part.role == "LEAD" ? 1 : 0);
          }
          candidates.push_back(std::move(cand));
        }
        auto* out = r.mutable_assign_situation();
        for (const auto& sug : domain::rank_leads(*categories, candidates)) {
          auto* x = out->add_suggestions();
          x->set_agency(sug.agency);
          for (const auto& m : sug.matched_categories) x->add_matched_categories(m);
          x->set_open_leads(sug.open_leads);
          x->set_reason(sug.reason);
        }
        scope.data_elements = {"joined_agencies", "risk_factors"};
        if (req.suggest_only()) {
          scope.purpose = "lead.suggestion";
          fill_case(k, now, *out->mutable_situation());
          return k.access.decision;
        }
        if (req.lead_agency().empty()) {
          return invalid("assign.missing_lead", "name the lead agency");
        }
        auto lead_id = participant_id(k.facts, req.lead_agency());
        if (!lead_id) {
          return failed("assign.lead_not_joined",
                        "the lead must be an agency that joined the situation (situation join)");
        }
        std::vector<std::int64_t> assisting;
        std::set<std::string> seen;
        for (const auto& a : req.assisting_agencies()) {
          if (a == req.lead_agency()) {
            return invalid("assign.assisting_is_lead", "the lead is not also an assisting agency");
          }
          if (!seen.insert(a).second) {
            return invalid("assign.repeated_agency", "an assisting agency is repeated");
          }
          auto id = participant_id(k.facts, a);
          if (!id) {
            return failed("assign.assisting_not_joined",
                          "assisting agencies must have joined the situation (situation join)");
          }
          assisting.push_back(*id);
        }
        auto table = store::find_table(c, k.s.table_code);
        if (!table.ok()) return table.status();
        if (!*table) return absl::InternalError("a situation refers to a missing table");
        const std::int64_t ack_due = now + (*table)->follow_up.ack_hours * domain::kMicrosPerHour;
        if (auto st = store::assign_lead(c, k.s.id, *lead_id, assisting, p.user_id, now, ack_due);
            !st.ok()) {
          return st;
        }
        scope.filter_stage = 4;
        scope.data_elements = {"lead_agency", "assisting_agencies"};
        if (auto st = refill(c, k, now, *out->mutable_situation()); !st.ok()) return st;
        told = Audience{k.s.table_code,
                        {req.assisting_agencies().begin(), req.assisting_agencies().end()},
                        false,
                        false};
        told.agencies.push_back(req.lead_agency());
        lead = req.lead_agency();
        return k.access.decision;
      });
  if (response.status().code() == v1::OK && !lead.empty()) {
    publish("situation.assigned", told.table, response.assign_situation().situation().id(), lead,
            "lead: " + lead + "; the lead agency acknowledges the assignment", told);
  }
  return response;
}

v1::Response Service::ack_situation(const RequestContext& ctx, const Principal& p,
                                    const v1::AckSituationRequest& req) {
  return run_write(
      ctx, p, domain::Action::kSituationAck,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        const std::int64_t now = clock_.now_us();
        scope.data_elements = {"acknowledged"};
        return change_case(
            c, p, req.id(), domain::Action::kSituationAck, "ack", now, scope,
            *r.mutable_ack_situation()->mutable_situation(),
            [&](store::Connection&, Case& k) -> absl::StatusOr<Decision> {
              if (k.s.acked_us) {
                return failed("ack.already_acknowledged", "the lead already acknowledged");
              }
              if (auto st = store::acknowledge_lead(c, k.s.id, p.user_id, now); !st.ok()) return st;
              return Decision::allow("ack.recorded");
            });
      });
}

v1::Response Service::plan_situation(const RequestContext& ctx, const Principal& p,
                                     const v1::PlanSituationRequest& req) {
  const bool reading = req.note().empty();
  const auto action = reading ? domain::Action::kSituationPlanRead : domain::Action::kSituationPlan;
  Body body = [&](store::Connection& c, AuditScope& scope,
                  v1::Response& r) -> absl::StatusOr<Decision> {
    const std::int64_t now = clock_.now_us();
    Case k;
    auto begun = begin_case(c, p, req.id(), action, now, scope, k);
    if (!begun.ok() || !begun->allowed()) return begun;
    scope.filter_stage = 4;
    scope.data_elements = {"planning_notes"};
    scope.purpose = "filter4.planning";
    auto* out = r.mutable_plan_situation();
    if (reading) {
      auto wrapped = store::find_wrapped_key(c, k.s.id);
      if (!wrapped.ok()) return wrapped.status();
      if (!*wrapped) return k.access.decision;  // no notes yet
      auto dek = vault_.unwrap(**wrapped, k.s.id);
      if (!dek.ok()) return dek.status();
      if (req.after_note() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return invalid("plan.bad_page", "after_note is not a note of this situation");
      }
      // A page: one more than it holds, to know whether another follows.
      auto notes = store::list_planning_notes(
          c, k.s.id, static_cast<std::int64_t>(req.after_note()), kNotesPage + 1);
      if (!notes.ok()) return notes.status();
      Page page(kNotesPage, Page::byte_budget(limits_));
      std::int64_t last = 0;
      for (const auto& n : *notes) {
        auto plain =
            crypto::open_field(*dek, k.s.id, note_field(n.author_id, n.created_us), n.sealed);
        if (!plain.ok()) return plain.status();
        v1::PlanningNote x;
        x.set_agency(n.agency);
        x.set_author(n.author);
        x.set_time_us(n.created_us);
        x.set_note(as_string(*plain));
        if (!page.take(x.ByteSizeLong())) break;
        last = n.id;
        *out->add_notes() = std::move(x);
      }
      if (page.full()) out->set_next_after_note(static_cast<std::uint64_t>(last));
      return k.access.decision;
    }
    if (char_count(req.note()) > kPlanMaxChars) {
      return invalid("plan.too_long",
                     "note must be at most " + std::to_string(kPlanMaxChars) + " characters");
    }
    if (auto bad = domain::check_free_text("note", req.note())) return *bad;
    auto dek = data_key(c, vault_, random_, k.s.id, now);
    if (!dek.ok()) return dek.status();
    auto agency = store::find_agency_id(c, p.agency_code);
    if (!agency.ok()) return agency.status();
    if (!*agency) return absl::InternalError("a rep's agency is missing");
    auto sealed = crypto::seal_field(*dek, k.s.id, note_field(p.user_id, now),
                                     crypto::as_bytes(req.note()), random_);
    if (!sealed.ok()) return sealed.status();
    auto id = store::insert_planning_note(c, k.s.id, **agency, p.user_id, now, *sealed);
    if (!id.ok()) return id.status();
    auto* x = out->add_notes();
    x->set_agency(p.agency_code);
    x->set_author(p.username);
    x->set_time_us(now);
    x->set_note(req.note());
    return k.access.decision;
  };
  return reading ? run_read(ctx, p, action, body) : run_write(ctx, p, action, body);
}

v1::Response Service::intervene_situation(const RequestContext& ctx, const Principal& p,
                                          const v1::InterveneSituationRequest& req) {
  return run_write(
      ctx, p, domain::Action::kSituationIntervene,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        const std::int64_t now = clock_.now_us();
        scope.data_elements = {"intervention"};
        return change_case(
            c, p, req.id(), domain::Action::kSituationIntervene, "intervene", now, scope,
            *r.mutable_intervene_situation()->mutable_situation(),
            [&](store::Connection&, Case& k) -> absl::StatusOr<Decision> {
              if (k.facts.intervention) {
                return failed("intervene.already_recorded",
                              "the intervention is already recorded; give a status update instead");
              }
              if (req.occurred_us() <= 0) {
                return invalid("intervene.missing_time",
                               "when the intervention happened is required");
              }
              if (req.occurred_us() > now + kClockSkewUs) {
                return invalid("intervene.bad_time", "the intervention time is in the future");
              }
              if (req.occurred_us() < k.s.decided_us.value_or(0)) {
                return invalid("intervene.bad_time",
                               "the intervention time is before the table accepted the situation");
              }
              auto known = check_vocabulary(c, "intervention_outcome", req.outcome(),
                                            k.s.table_code, "outcome");
              if (!known.ok() || !known->allowed()) return known;
              std::vector<std::int64_t> present;
              std::set<std::string> seen;
              for (const auto& a : req.agencies_present()) {
                auto id = participant_id(k.facts, a);
                if (!id) {
                  return failed("intervene.agency_not_joined",
                                "agencies present must have joined the situation");
                }
                if (seen.insert(a).second) present.push_back(*id);
              }
              if (seen.insert(k.s.lead_agency).second) {
                if (auto id = participant_id(k.facts, k.s.lead_agency)) present.push_back(*id);
              }
              if (auto st = store::record_intervention(c, k.s.id, req.occurred_us(), req.outcome(),
                                                       present, p.user_id, now);
                  !st.ok()) {
                return st;
              }
              return Decision::allow("intervene.recorded");
            });
      });
}

v1::Response Service::update_situation(const RequestContext& ctx, const Principal& p,
                                       const v1::UpdateSituationRequest& req) {
  return run_write(
      ctx, p, domain::Action::kSituationUpdate,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        const std::int64_t now = clock_.now_us();
        scope.data_elements = {"status_update"};
        return change_case(c, p, req.id(), domain::Action::kSituationUpdate, "update", now, scope,
                           *r.mutable_update_situation()->mutable_situation(),
                           [&](store::Connection&, Case& k) -> absl::StatusOr<Decision> {
                             if (req.text().empty())
                               return invalid("update.missing_text", "the update text is required");
                             auto allowed = store::deid_allowed_phrases(c, {k.s.table_code});
                             if (!allowed.ok()) return allowed.status();
                             auto clean =
                                 check_case_text("text", req.text(), kUpdateMaxChars,
                                                 domain::DeidAllowList{std::move(*allowed)});
                             if (!clean.allowed()) return clean;
                             auto agency = store::find_agency_id(c, p.agency_code);
                             if (!agency.ok()) return agency.status();
                             if (!*agency) return absl::InternalError("a rep's agency is missing");
                             auto open = store::find_open_meeting(c, k.s.table_id);
                             if (!open.ok()) return open.status();
                             const std::string meeting = *open ? (*open)->id : "";
                             scope.meeting = meeting;
                             if (auto st = store::add_status_update(c, k.s.id, **agency, p.user_id,
                                                                    meeting, now, req.text());
                                 !st.ok()) {
                               return st;
                             }
                             return Decision::allow("update.recorded");
                           });
      });
}

v1::Response Service::close_situation(const RequestContext& ctx, const Principal& p,
                                      const v1::CloseSituationRequest& req) {
  auto response = run_write(
      ctx, p, domain::Action::kSituationClose,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        const std::int64_t now = clock_.now_us();
        scope.data_elements = {"state", "closure_reason", "closure_codes"};
        return change_case(
            c, p, req.id(), domain::Action::kSituationClose, "close", now, scope,
            *r.mutable_close_situation()->mutable_situation(),
            [&](store::Connection&, Case& k) -> absl::StatusOr<Decision> {
              if (req.closure_reason().empty()) {
                return invalid("close.missing_reason", "a closure reason is required");
              }
              auto known = check_vocabulary(c, "closure_reason", req.closure_reason(),
                                            k.s.table_code, "closure_reason");
              if (!known.ok() || !known->allowed()) return known;
              store::Closure closure{req.closure_reason(), {}, {}};
              const std::tuple<const char*, const char*,
                               const google::protobuf::RepeatedPtrField<std::string>*,
                               std::vector<std::string>*>
                  lists[] = {{"service", "services_mobilized", &req.services_mobilized(),
                              &closure.services},
                             {"protective_factor", "protective_factors", &req.protective_factors(),
                              &closure.protective_factors}};
              for (const auto& [kind, field, codes, into] : lists) {
                std::set<std::string> seen;
                for (const auto& code : *codes) {
                  auto ok = check_vocabulary(c, kind, code, k.s.table_code, field);
                  if (!ok.ok() || !ok->allowed()) return ok;
                  if (seen.insert(code).second) into->push_back(code);
                }
              }
              auto table = store::find_table(c, k.s.table_code);
              if (!table.ok()) return table.status();
              if (!*table) return absl::InternalError("a situation refers to a missing table");
              const std::int64_t purge_due =
                  now + (*table)->follow_up.retention_days * domain::kMicrosPerDay;
              if (auto st = store::close_situation(c, k.s.id, closure, p.user_id, now, purge_due);
                  !st.ok()) {
                return st;
              }
              if ((*table)->follow_up.retention_days == 0) {
                if (auto st = purge_in_transaction(c, k.s.table_code, k.s.id, now,
                                                   "retention.at_closure");
                    !st.ok()) {
                  return st;
                }
              }
              return Decision::allow("close.recorded");
            });
      });
  // Shredded at closure (retention 0): no older copy stays in the WAL.
  if (response.status().code() == v1::OK &&
      response.close_situation().situation().purged_us() > 0) {
    erase_old_copies();
  }
  return response;
}

v1::Response Service::watch(const RequestContext& ctx, const Principal& p) {
  return run_read(
      ctx, p, domain::Action::kWatch,
      [&](store::Connection&, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        auto d = authorize_in(scope, actor_at(p, ""), domain::Action::kWatch);
        if (!d.allowed()) return d.decision;
        if (ctx.events.expired()) {
          return failed("watch.unsupported", "this connection cannot receive events");
        }
        events_.subscribe({p.user_id, p.agency_code, p.roles, ctx.events});
        scope.purpose = "events";
        r.mutable_watch();
        return d.decision;
      });
}

void Service::publish(const std::string& kind, const std::string& table,
                      const std::string& situation, const std::string& agency,
                      const std::string& message, const Audience& audience) {
  v1::Event e;
  e.set_kind(kind);
  e.set_time_us(clock_.now_us());
  e.set_table(table);
  e.set_situation(situation);
  e.set_agency(agency);
  e.set_message(message);
  events_.publish(e, audience);
}

}  // namespace hubtable::api
