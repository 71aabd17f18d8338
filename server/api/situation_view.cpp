#include "api/situation_view.h"

#include "store/identity_vault.h"

#include <algorithm>

#include "domain/routing.h"

namespace hubtable::api {

namespace {

void fill_follow_up(const store::SituationRecord& s, const CaseFacts& f, std::int64_t now_us,
                    v1::Situation& out) {
  for (const auto& a : f.joined_agencies()) out.add_joined_agencies(a);
  out.set_lead_agency(s.lead_agency);
  for (const auto& a : f.agencies_with_role("ASSISTING")) out.add_assisting_agencies(a);
  out.set_identified(f.identified);
  out.set_assigned_us(s.assigned_us.value_or(0));
  out.set_ack_due_us(s.ack_due_us.value_or(0));
  out.set_acked_us(s.acked_us.value_or(0));
  out.set_intervention_due_us(s.intervention_due_us.value_or(0));
  out.set_intervened_us(s.intervened_us.value_or(0));
  out.set_closed_us(s.closed_us.value_or(0));
  out.set_closure_reason(s.closure_reason);
  out.set_purge_due_us(s.purge_due_us.value_or(0));
  out.set_purged_us(s.purged_us.value_or(0));
  domain::FollowUpFacts facts;
  facts.accepted_us = s.decided_us.value_or(0);
  facts.ack_due_us = s.ack_due_us.value_or(0);
  facts.acked_us = s.acked_us.value_or(0);
  facts.intervention_due_us = s.intervention_due_us.value_or(0);
  facts.intervened_us = s.intervened_us.value_or(0);
  facts.last_update_us = s.last_update_us.value_or(0);
  facts.open = domain::is_open_case(s.state);
  const auto state = domain::follow_up_state(facts, now_us);
  out.set_ack_overdue(state.ack_overdue);
  out.set_intervention_overdue(state.intervention_overdue);
  out.set_stale(state.stale);
}

}  // namespace

std::vector<std::string> CaseFacts::agencies_with_role(const char* role) const {
  std::vector<std::string> out;
  for (const auto& p : participants) {
    if (p.role == role) out.push_back(p.agency);
  }
  return out;
}

std::vector<std::string> CaseFacts::joined_agencies() const {
  std::vector<std::string> out;
  out.reserve(participants.size());
  for (const auto& p : participants) out.push_back(p.agency);
  return out;
}

absl::StatusOr<CaseFacts> load_case_facts(store::Connection& c, const store::SituationRecord& s) {
  CaseFacts f;
  if (!domain::was_accepted(s.state)) return f;
  auto participants = store::list_participants(c, s.id);
  if (!participants.ok()) return participants.status();
  f.participants = std::move(*participants);
  auto identity = store::find_identity(c, s.id);
  if (!identity.ok()) return identity.status();
  f.identified = identity->has_value() && !(*identity)->purged_us;
  auto intervention = store::find_intervention(c, s.id);
  if (!intervention.ok()) return intervention.status();
  f.intervention = std::move(*intervention);
  auto updates = store::list_status_updates(c, s.id);
  if (!updates.ok()) return updates.status();
  f.updates = std::move(*updates);
  if (s.state == domain::SituationState::kClosed) {
    auto closure = store::find_closure(c, s.id);
    if (!closure.ok()) return closure.status();
    f.closure = std::move(*closure);
  }
  return f;
}

v1::SituationState to_wire(domain::SituationState s) {
  switch (s) {
    case domain::SituationState::kAwaitingDecision:
      return v1::AWAITING_DECISION;
    case domain::SituationState::kAccepted:
      return v1::ACCEPTED;
    case domain::SituationState::kRejected:
      return v1::REJECTED;
    case domain::SituationState::kWithdrawn:
      return v1::WITHDRAWN;
    case domain::SituationState::kClosed:
      return v1::CLOSED;
  }
  return v1::SITUATION_STATE_UNSPECIFIED;
}

std::optional<domain::SituationState> from_wire(int wire) {
  for (auto s : domain::all_states()) {
    if (static_cast<int>(to_wire(s)) == wire) return s;
  }
  return std::nullopt;
}

std::vector<std::string> view_elements(domain::RecordView view) {
  std::vector<std::string> out = {"situation_type", "originating_agency", "state"};
  if (view == domain::RecordView::kAgendaLine) return out;
  for (const char* f : {"submitted_us", "decided_us", "decided_meeting", "rejection_reason",
                        "participants", "deadlines", "closure_reason"}) {
    out.emplace_back(f);
  }
  if (view == domain::RecordView::kMetadata) return out;
  for (const char* f :
       {"age_band", "gender", "risk_factors", "protective_factors", "study_flags", "narrative",
        "decision_note", "status_updates", "intervention", "closure_codes"}) {
    out.emplace_back(f);
  }
  return out;
}

void fill_situation(const store::SituationRecord& s, domain::RecordView view,
                    const CaseFacts* facts, std::int64_t now_us, v1::Situation& out) {
  out.set_id(s.id);
  out.set_table(s.table_code);
  out.set_state(to_wire(s.state));
  out.set_situation_type(s.situation_type);
  out.set_originating_agency(s.originating_agency);
  switch (view) {
    case domain::RecordView::kNone:
      return;
    case domain::RecordView::kAgendaLine:
      out.set_view(v1::AGENDA_LINE);
      return;
    case domain::RecordView::kMetadata:
      out.set_view(v1::METADATA);
      break;
    case domain::RecordView::kDeidentified:
      out.set_view(v1::DEIDENTIFIED);
      out.set_age_band(s.age_band);
      out.set_gender(s.gender);
      for (const auto& c : s.risk_factors) out.add_risk_factors(c);
      for (const auto& c : s.protective_factors) out.add_protective_factors(c);
      for (const auto& c : s.study_flags) out.add_study_flags(c);
      out.set_narrative(s.narrative);
      out.set_decision_note(s.decision_note);
      if (facts != nullptr) {
        const std::size_t total = facts->updates.size();
        const std::size_t end = total - std::min<std::size_t>(facts->earlier_updates, total);
        const std::size_t begin = end > kUpdatesShown ? end - kUpdatesShown : 0;
        out.set_updates_total(static_cast<std::uint32_t>(total));
        for (std::size_t i = begin; i < end; ++i) {
          const auto& u = facts->updates[i];
          auto* x = out.add_updates();
          x->set_agency(u.agency);
          x->set_meeting(u.meeting);
          x->set_time_us(u.created_us);
          x->set_text(u.text);
        }
        if (facts->intervention) {
          auto* i = out.mutable_intervention();
          i->set_occurred_us(facts->intervention->occurred_us);
          i->set_outcome(facts->intervention->outcome);
          for (const auto& a : facts->intervention->agencies) i->add_agencies_present(a);
          i->set_recorded_us(facts->intervention->recorded_us);
          i->set_amended_us(facts->intervention->amended_us.value_or(0));
          i->set_amendments(static_cast<std::uint32_t>(facts->intervention->amendments));
        }
        for (const auto& c : facts->closure.services) out.add_services_mobilized(c);
        for (const auto& c : facts->closure.protective_factors) {
          out.add_closure_protective_factors(c);
        }
      }
      break;
  }
  out.set_submitted_us(s.submitted_us);
  out.set_decided_us(s.decided_us.value_or(0));
  out.set_decided_meeting(s.decided_meeting);
  out.set_rejection_reason(s.rejection_reason);
  out.set_filter_stage(domain::filter_stage(s.state, !s.lead_agency.empty()));
  if (facts != nullptr) fill_follow_up(s, *facts, now_us, out);
}

std::string normalise_situation_id(const std::string& in) {
  if (in.size() != kSituationIdChars + 1 || in[kSituationIdChars / 2] != '-') return {};
  std::string out;
  for (char ch : in) {
    const char up = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
    if (up != '-' && std::string_view(kSituationIdAlphabet).find(up) == std::string_view::npos) {
      return {};
    }
    out += up;
  }
  return out;
}

absl::StatusOr<domain::Decision> load_situation(store::Connection& c, const std::string& raw_id,
                                                store::SituationRecord& out) {
  const std::string id = normalise_situation_id(raw_id);
  if (id.empty()) {
    return domain::Decision::deny(domain::Refusal::kInvalidArgument, "situation.bad_id",
                                  "a situation id looks like 7K2M9-X4Q1D");
  }
  auto s = store::find_situation(c, id);
  if (!s.ok()) return s.status();
  if (!*s) {
    return domain::Decision::deny(domain::Refusal::kNotFound, "situation.not_found",
                                  "no such situation");
  }
  out = std::move(**s);
  return domain::Decision::allow("situation.found");
}

}  // namespace hubtable::api
