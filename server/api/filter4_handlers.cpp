#include "api/filter4_handlers.h"

#include <algorithm>
#include <limits>
#include <set>

#include "api/case_input.h"
#include "api/case_record.h"
#include "api/page.h"
#include "api/retention.h"
#include "domain/free_text.h"
#include "domain/limits.h"
#include "domain/routing.h"
#include "store/follow_up.h"
#include "store/identity_vault.h"
#include "store/participants.h"
#include "store/situations.h"
#include "store/vocabulary.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::failed;
using domain::invalid;

namespace {

using domain::kNotesPage;
using domain::kPlanMaxChars;
using domain::kUpdateMaxChars;
constexpr std::int64_t kClockSkewUs = std::int64_t{5} * 60 * 1'000'000;

std::string note_field(std::int64_t author_id, std::int64_t created_us) {
  return "planning_note/" + std::to_string(author_id) + "/" + std::to_string(created_us);
}

/// The lead suggestions: sector fit with the situation's risk categories,
/// then load.
absl::Status suggest_leads(store::Connection& c, const Loaded& k,
                           v1::AssignSituationResponse& out) {
  auto categories = store::risk_categories(c, k.situation.risk_factors, k.situation.table_code);
  if (!categories.ok()) return categories.status();
  auto loads = store::open_lead_counts(c, k.situation.table_id);
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
  for (const auto& sug : domain::rank_leads(*categories, candidates)) {
    auto* x = out.add_suggestions();
    x->set_agency(sug.agency);
    for (const auto& m : sug.matched_categories) x->add_matched_categories(m);
    x->set_open_leads(sug.open_leads);
    x->set_reason(sug.reason);
  }
  return absl::OkStatus();
}

/// The assisting agencies' ids: joined, none twice, not the lead.
absl::StatusOr<Decision> assisting_ids(const v1::AssignSituationRequest& req, const CaseFacts& f,
                                       std::vector<std::int64_t>& out) {
  std::set<std::string> seen;
  for (const auto& a : req.assisting_agencies()) {
    if (a == req.lead_agency()) {
      return invalid("assign.assisting_is_lead", "the lead is not also an assisting agency");
    }
    if (!seen.insert(a).second) {
      return invalid("assign.repeated_agency", "an assisting agency is repeated");
    }
    auto id = participant_id(f, a);
    if (!id) {
      return failed("assign.assisting_not_joined",
                    "assisting agencies must have joined the situation: the chair adds an agency "
                    "that has not");
    }
    out.push_back(*id);
  }
  return Decision::allow("assign.assisting");
}

/// The close request with its codes as the vocabularies spell them.
absl::StatusOr<v1::Request> canonical_closure(store::Connection& c, const v1::Request& request,
                                              const std::string& table) {
  v1::Request canonical = request;
  auto* asked = canonical.mutable_close_situation();
  auto reason = canonical_code(c, "closure_reason", asked->closure_reason(), table);
  if (!reason.ok()) return reason.status();
  asked->set_closure_reason(*reason);
  const std::pair<const char*, google::protobuf::RepeatedPtrField<std::string>*> code_lists[] = {
      {"service", asked->mutable_services_mobilized()},
      {"protective_factor", asked->mutable_protective_factors()}};
  for (const auto& [kind, codes] : code_lists) {
    for (auto& code : *codes) {
      auto known = canonical_code(c, kind, code, table);
      if (!known.ok()) return known.status();
      code = *known;
    }
  }
  return canonical;
}

}  // namespace

absl::StatusOr<Decision> FilterFour::assign(Work& w) {
  const auto& req = w.request.assign_situation();
  const store::SituationRecord& s = w.subject.situation;
  if (auto open = domain::allow_move(s.state, domain::Move::kCaseWork, "assign"); !open.allowed()) {
    return open;
  }
  if (s.intervened_us) {
    return failed("assign.intervention_recorded",
                  "the intervention is recorded: the lead can no longer change");
  }
  auto* out = w.response.mutable_assign_situation();
  if (auto st = suggest_leads(w.c, w.subject, *out); !st.ok()) return st;
  w.scope.data_elements = {"joined_agencies", "risk_factors"};
  if (req.suggest_only()) {
    w.scope.purpose = "lead.suggestion";
    fill_situation(s, domain::RecordView::kDeidentified, &w.subject.facts, w.now_us,
                   *out->mutable_situation());
    return w.access().decision;
  }
  if (req.lead_agency().empty()) {
    return invalid("assign.missing_lead", "name the lead agency");
  }
  auto lead_id = participant_id(w.subject.facts, req.lead_agency());
  if (!lead_id) {
    return failed("assign.lead_not_joined", "the lead must be an agency that joined the situation");
  }
  std::vector<std::int64_t> assisting;
  auto ok = assisting_ids(req, w.subject.facts, assisting);
  if (!ok.ok() || !ok->allowed()) return ok;
  auto table = store::find_table(w.c, s.table_code);
  if (!table.ok()) return table.status();
  if (!*table) return absl::InternalError("a situation refers to a missing table");
  const std::int64_t ack_due = w.now_us + (*table)->follow_up.ack_hours * domain::kMicrosPerHour;
  if (auto st = store::assign_lead(w.c, s.id, *lead_id, assisting, w.p.user_id, w.now_us, ack_due);
      !st.ok()) {
    return st;
  }
  w.scope.filter_stage = 4;
  w.scope.data_elements = {"lead_agency", "assisting_agencies"};
  if (auto st = refill(w, *out->mutable_situation()); !st.ok()) return st;
  const std::string& table_code = w.subject.situation.table_code;
  Audience told{
      table_code, {req.assisting_agencies().begin(), req.assisting_agencies().end()}, false, false};
  told.agencies.push_back(req.lead_agency());
  w.tell("situation.assigned", table_code, w.subject.situation.id, req.lead_agency(),
         "lead: " + req.lead_agency() + "; the lead agency acknowledges the assignment", told);
  return w.access().decision;
}

absl::StatusOr<Decision> FilterFour::ack(Work& w) {
  w.scope.data_elements = {"acknowledged"};
  return change_case(
      w, "ack", domain::Move::kCaseWork, *w.response.mutable_ack_situation()->mutable_situation(),
      [&](const Loaded& k) -> absl::StatusOr<Decision> {
        if (k.situation.acked_us) {
          return failed("ack.already_acknowledged", "the lead already acknowledged");
        }
        if (auto st = store::acknowledge_lead(w.c, k.situation.id, w.p.user_id, w.now_us);
            !st.ok()) {
          return st;
        }
        return Decision::allow("ack.recorded");
      });
}

absl::StatusOr<Decision> FilterFour::plan(Work& w) {
  const auto& req = w.request.plan_situation();
  const std::string& id = w.subject.situation.id;
  w.scope.filter_stage = 4;
  w.scope.data_elements = {"planning_notes"};
  w.scope.purpose = "filter4.planning";
  auto* out = w.response.mutable_plan_situation();
  if (req.note().empty()) {  // reading (its own action: the row's refinement)
    auto wrapped = store::find_wrapped_key(w.c, id);
    if (!wrapped.ok()) return wrapped.status();
    if (!*wrapped) return w.access().decision;  // no notes yet
    auto dek = vault_.unwrap(**wrapped, id);
    if (!dek.ok()) return dek.status();
    if (req.after_note() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return invalid("plan.bad_page", "after_note is not a note of this situation");
    }
    // A page: one more than it holds, to know whether another follows.
    auto notes = store::list_planning_notes(w.c, id, static_cast<std::int64_t>(req.after_note()),
                                            kNotesPage + 1);
    if (!notes.ok()) return notes.status();
    Page page(kNotesPage, Page::byte_budget(limits_));
    std::int64_t last = 0;
    for (const auto& n : *notes) {
      auto plain = crypto::open_field(*dek, id, note_field(n.author_id, n.created_us), n.sealed);
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
    return w.access().decision;
  }
  if (char_count(req.note()) > kPlanMaxChars) {
    return invalid("plan.too_long",
                   "note must be at most " + std::to_string(kPlanMaxChars) + " characters");
  }
  if (auto bad = domain::check_free_text("note", req.note())) return *bad;
  auto dek = data_key(w.c, vault_, random_, id, w.now_us);
  if (!dek.ok()) return dek.status();
  auto agency = store::find_agency_id(w.c, w.p.agency_code);
  if (!agency.ok()) return agency.status();
  if (!*agency) return absl::InternalError("a rep's agency is missing");
  auto sealed = crypto::seal_field(*dek, id, note_field(w.p.user_id, w.now_us),
                                   crypto::as_bytes(req.note()), random_);
  if (!sealed.ok()) return sealed.status();
  auto note = store::insert_planning_note(w.c, id, **agency, w.p.user_id, w.now_us, *sealed);
  if (!note.ok()) return note.status();
  auto* x = out->add_notes();
  x->set_agency(w.p.agency_code);
  x->set_author(w.p.username);
  x->set_time_us(w.now_us);
  x->set_note(req.note());
  return w.access().decision;
}

absl::StatusOr<Decision> FilterFour::intervene(Work& w) {
  // Codes are case-insensitive: the work reads the code as the vocabulary spells it.
  auto outcome =
      canonical_code(w.c, "intervention_outcome", w.request.intervene_situation().outcome(),
                     w.subject.situation.table_code);
  if (!outcome.ok()) return outcome.status();
  if (*outcome != w.request.intervene_situation().outcome()) {
    v1::Request canonical = w.request;
    canonical.mutable_intervene_situation()->set_outcome(*outcome);
    Work same = w.with_request(canonical);
    return intervene(same);
  }
  const auto& req = w.request.intervene_situation();
  w.scope.data_elements = {"intervention"};
  return change_case(
      w, "intervene", domain::Move::kCaseWork,
      *w.response.mutable_intervene_situation()->mutable_situation(),
      [&](const Loaded& k) -> absl::StatusOr<Decision> {
        if (k.facts.intervention && !req.amend()) {
          return failed("intervene.already_recorded",
                        "the intervention is already recorded; amend it, or give a status update");
        }
        if (!k.facts.intervention && req.amend()) {
          return failed("intervene.nothing_to_amend", "no intervention is recorded yet");
        }
        std::vector<std::int64_t> present;
        auto valid = check_intervention(w, k, present);
        if (!valid.ok() || !valid->allowed()) return valid;
        if (req.amend()) return amend_intervention(w, k, present);
        if (auto st = store::record_intervention(w.c, k.situation.id, req.occurred_us(),
                                                 req.outcome(), present, w.p.user_id, w.now_us);
            !st.ok()) {
          return st;
        }
        return Decision::allow("intervene.recorded");
      });
}

absl::StatusOr<Decision> FilterFour::check_intervention(Work& w, const Loaded& k,
                                                        std::vector<std::int64_t>& present) {
  const auto& req = w.request.intervene_situation();
  if (req.occurred_us() <= 0) {
    return invalid("intervene.missing_time", "when the intervention happened is required");
  }
  if (req.occurred_us() > w.now_us + kClockSkewUs) {
    return invalid("intervene.bad_time", "the intervention time is in the future");
  }
  if (req.occurred_us() < k.situation.decided_us.value_or(0)) {
    return invalid("intervene.bad_time",
                   "the intervention time is before the table accepted the situation");
  }
  auto known = check_required_code(w.c, "intervention_outcome", req.outcome(),
                                   k.situation.table_code, "outcome");
  if (!known.ok() || !known->allowed()) return known;
  std::set<std::string> seen;
  for (const auto& a : req.agencies_present()) {
    auto id = participant_id(k.facts, a);
    if (!id) {
      return failed("intervene.agency_not_joined",
                    "agencies present must have joined the situation");
    }
    if (seen.insert(a).second) present.push_back(*id);
  }
  if (seen.insert(k.situation.lead_agency).second) {
    if (auto id = participant_id(k.facts, k.situation.lead_agency)) present.push_back(*id);
  }
  return Decision::allow("intervene.valid");
}

absl::StatusOr<Decision> FilterFour::amend_intervention(Work& w, const Loaded& k,
                                                        const std::vector<std::int64_t>& present) {
  const auto& req = w.request.intervene_situation();
  const store::Intervention& was = *k.facts.intervention;
  std::set<std::string> now_present;
  for (const auto& p : k.facts.participants) {
    if (std::find(present.begin(), present.end(), p.agency_id) != present.end()) {
      now_present.insert(p.agency);
    }
  }
  // What changed, by field name: the audit keeps that, never a value.
  std::vector<std::string> changed;
  if (req.occurred_us() != was.occurred_us) changed.emplace_back("occurred_us");
  if (req.outcome() != was.outcome) changed.emplace_back("outcome");
  if (now_present != std::set<std::string>(was.agencies.begin(), was.agencies.end())) {
    changed.emplace_back("agencies_present");
  }
  if (changed.empty()) {
    return invalid("intervene.unchanged", "that is the intervention already recorded");
  }
  if (auto st = store::amend_intervention(w.c, k.situation.id, req.occurred_us(), req.outcome(),
                                          present, w.now_us);
      !st.ok()) {
    return st;
  }
  w.scope.purpose = "intervention.amendment";
  w.scope.data_elements = changed;
  std::string target = "amendment " + std::to_string(was.amendments + 1) + " of the record of " +
                       utc_date(was.recorded_us) + "; changed";
  for (const auto& f : changed) target += " " + f;
  w.scope.target = target;
  return Decision::allow("intervene.amended");
}

absl::StatusOr<Decision> FilterFour::update(Work& w) {
  const auto& req = w.request.update_situation();
  w.scope.data_elements = {"status_update"};
  return change_case(
      w, "update", domain::Move::kCaseWork,
      *w.response.mutable_update_situation()->mutable_situation(),
      [&](const Loaded& k) -> absl::StatusOr<Decision> {
        if (req.text().empty())
          return invalid("update.missing_text", "the update text is required");
        auto clean =
            check_case_text_at(w.c, k.situation.table_code, "text", req.text(), kUpdateMaxChars);
        if (!clean.ok() || !clean->allowed()) return clean;
        auto agency = store::find_agency_id(w.c, w.p.agency_code);
        if (!agency.ok()) return agency.status();
        if (!*agency) return absl::InternalError("a rep's agency is missing");
        auto open = store::find_open_meeting(w.c, k.situation.table_id);
        if (!open.ok()) return open.status();
        const std::string meeting = *open ? (*open)->id : "";
        w.scope.meeting = meeting;
        if (auto st = store::add_status_update(w.c, k.situation.id, **agency, w.p.user_id, meeting,
                                               w.now_us, req.text());
            !st.ok()) {
          return st;
        }
        return Decision::allow("update.recorded");
      });
}

absl::StatusOr<Decision> FilterFour::close(Work& w) {
  // Codes are case-insensitive: the work reads them as the vocabularies spell them.
  auto canonical = canonical_closure(w.c, w.request, w.subject.situation.table_code);
  if (!canonical.ok()) return canonical.status();
  if (canonical->SerializeAsString() != w.request.SerializeAsString()) {
    Work same = w.with_request(*canonical);
    return close(same);
  }
  const auto& req = w.request.close_situation();
  w.scope.data_elements = {"state", "closure_reason", "closure_codes"};
  return change_case(
      w, "close", domain::Move::kClose, *w.response.mutable_close_situation()->mutable_situation(),
      [&](const Loaded& k) -> absl::StatusOr<Decision> {
        const std::string& table_code = k.situation.table_code;
        if (req.closure_reason().empty()) {
          return invalid("close.missing_reason", "a closure reason is required");
        }
        auto known = check_required_code(w.c, "closure_reason", req.closure_reason(), table_code,
                                         "closure_reason");
        if (!known.ok() || !known->allowed()) return known;
        store::Closure closure{req.closure_reason(), {}, {}};
        const std::tuple<const char*, const char*,
                         const google::protobuf::RepeatedPtrField<std::string>*,
                         std::vector<std::string>*>
            lists[] = {
                {"service", "services_mobilized", &req.services_mobilized(), &closure.services},
                {"protective_factor", "protective_factors", &req.protective_factors(),
                 &closure.protective_factors}};
        for (const auto& [kind, field, codes, into] : lists) {
          std::set<std::string> seen;
          for (const auto& code : *codes) {
            auto ok = check_required_code(w.c, kind, code, table_code, field);
            if (!ok.ok() || !ok->allowed()) return ok;
            if (seen.insert(code).second) into->push_back(code);
          }
        }
        auto table = store::find_table(w.c, table_code);
        if (!table.ok()) return table.status();
        if (!*table) return absl::InternalError("a situation refers to a missing table");
        const int retention_days = (*table)->follow_up.retention_days;
        const std::int64_t purge_due = w.now_us + retention_days * domain::kMicrosPerDay;
        if (auto st = store::close_situation(w.c, k.situation.id, closure, w.p.user_id, w.now_us,
                                             purge_due);
            !st.ok()) {
          return st;
        }
        if (retention_days == 0) {
          // Shredded at closure: no older copy stays in the WAL either.
          if (auto st = purge_in_transaction(w.c, table_code, k.situation.id, w.now_us,
                                             "retention.at_closure");
              !st.ok()) {
            return st;
          }
          w.after.erased = true;
        }
        return Decision::allow("close.recorded");
      });
}

}  // namespace hubtable::api
