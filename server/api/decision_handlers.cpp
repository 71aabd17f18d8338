#include "api/decision_handlers.h"

#include <optional>

#include "api/agenda_lines.h"
#include "api/case_input.h"
#include "api/situation_view.h"
#include "domain/limits.h"
#include "store/decisions.h"
#include "store/identity_vault.h"
#include "store/situations.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::failed;
using domain::invalid;
using domain::SituationState;
using domain::Verdict;

namespace {

using domain::kNoteMaxChars;

std::optional<Verdict> verdict_of(const v1::DecideSituationRequest& req) {
  switch (req.decision_case()) {
    case v1::DecideSituationRequest::kAccept:
      return req.accept() ? std::optional(Verdict::kAccept) : std::nullopt;
    case v1::DecideSituationRequest::kRejectReason:
      return Verdict::kReject;
    case v1::DecideSituationRequest::kUndecided:
      return req.undecided() ? std::optional(Verdict::kUndecided) : std::nullopt;
    case v1::DecideSituationRequest::DECISION_NOT_SET:
      break;
  }
  return std::nullopt;
}

/// The request's own consistency, before anything is loaded.
Decision check_request(const v1::DecideSituationRequest& req, std::optional<Verdict> v) {
  if (!v) return invalid("decide.missing", "decide: accept, or reject with a reason");
  if (*v == Verdict::kUndecided && !req.correct()) {
    return invalid("decide.undecided_not_correction",
                   "only a correction returns a situation to awaiting a decision");
  }
  if (req.erase_now() && *v != Verdict::kReject) {
    return invalid("decide.erase_without_rejection", "only a rejection's content is erased");
  }
  if (!req.note().empty() && *v != Verdict::kAccept) {
    return invalid("decide.note_on_rejection", "a rejection keeps no note: only its reason");
  }
  return Decision::allow("decide.request");
}

/// The verdict's own input: an acceptance's note (scanned), a rejection's
/// reason (a code of the table's).
absl::StatusOr<Decision> check_verdict(store::Connection& c, const v1::DecideSituationRequest& req,
                                       Verdict v, const std::string& table) {
  if (v == Verdict::kAccept && !req.note().empty()) {
    return check_case_text_at(c, table, "note", req.note(), kNoteMaxChars);
  }
  if (v == Verdict::kReject) {
    return check_code(c, "rejection_reason", req.reject_reason(), table, "reject_reason");
  }
  return Decision::allow("decide.input");
}

std::string reason_of(const store::SituationRecord& s) {
  return s.state == SituationState::kRejected ? s.rejection_reason : "";
}

/// "ACCEPTED -> REJECTED (not_acute)": what a correction changed, in codes.
std::string correction_text(const store::Correction& k) {
  auto side = [](SituationState st, const std::string& reason) {
    std::string out(domain::state_name(st));
    if (!reason.empty()) out += " (" + reason + ")";
    return out;
  };
  return side(k.from, k.from_reason) + " -> " + side(k.to, k.to_reason);
}

}  // namespace

absl::StatusOr<Decision> DecisionHandlers::decide(Work& w) {
  const auto& asked = w.request.decide_situation();
  if (asked.decision_case() != v1::DecideSituationRequest::kRejectReason) return record(w);
  // Codes are case-insensitive: the work reads the request with the code as
  // the vocabulary spells it.
  auto code = canonical_code(w.c, "rejection_reason", asked.reject_reason(),
                             w.subject.situation.table_code);
  if (!code.ok()) return code.status();
  if (*code == asked.reject_reason()) return record(w);
  v1::Request canonical = w.request;
  canonical.mutable_decide_situation()->set_reject_reason(*code);
  Work same = w.with_request(canonical);
  return record(same);
}

absl::StatusOr<Decision> DecisionHandlers::record(Work& w) {
  const auto& req = w.request.decide_situation();
  const store::SituationRecord& s = w.subject.situation;
  store::Connection& c = w.c;
  const std::optional<Verdict> verdict = verdict_of(req);
  if (auto d = check_request(req, verdict); !d.allowed()) return d;
  if (auto move = domain::allow_move(
          s.state, req.correct() ? domain::Move::kCorrect : domain::Move::kDecide);
      !move.allowed()) {
    return move;
  }
  auto open = store::find_open_meeting(c, s.table_id);
  if (!open.ok()) return open.status();
  if (!*open) {
    return failed("decide.no_open_meeting", "the table decides only at an open meeting");
  }
  const store::MeetingRecord& meeting = **open;
  w.scope.meeting = meeting.id;
  auto present = store::agency_present(c, meeting.id, s.originating_agency_id);
  if (!present.ok()) return present.status();
  if (!*present) {
    return failed("decide.originator_absent", "a rep of the originating agency (" +
                                                  s.originating_agency +
                                                  ") must be checked in to this meeting");
  }
  auto input = check_verdict(c, req, *verdict, s.table_code);
  if (!input.ok() || !input->allowed()) return input;
  absl::StatusOr<Decision> done =
      req.correct() ? correct(w, *verdict, meeting) : first_decision(w, *verdict, meeting);
  if (!done.ok() || !done->allowed()) return done;
  if (auto st = store::set_agenda_outcome(c, meeting.id, s.id, domain::verdict_state(*verdict));
      !st.ok()) {
    return st;
  }
  auto stored = store::find_situation(c, s.id);
  if (!stored.ok()) return stored.status();
  // Only the chair decides, and the chair sees the de-identified record.
  auto facts = load_case_facts(c, **stored);
  if (!facts.ok()) return facts.status();
  fill_situation(**stored, domain::RecordView::kDeidentified, &*facts, w.now_us,
                 *w.response.mutable_decide_situation()->mutable_situation());
  return w.access().decision;
}

absl::StatusOr<Decision> DecisionHandlers::first_decision(Work& w, Verdict v,
                                                          const store::MeetingRecord& meeting) {
  const store::SituationRecord& s = w.subject.situation;
  if (auto st = append_late_item(w.c, meeting, s.id, domain::AgendaSection::kNew); !st.ok()) {
    return st;
  }
  if (auto st = apply(w, v, meeting); !st.ok()) return st;
  const bool accept = v == Verdict::kAccept;
  w.scope.data_elements = {"state", accept ? "decision_note" : "rejection_reason"};
  // Told to the table's reps and chairs: every agency may need to act.
  w.tell("situation.decided", s.table_code, s.id, s.originating_agency,
         accept ? "accepted: agencies with a role may join"
                : "rejected (" + w.request.decide_situation().reject_reason() + ")",
         Audience{s.table_code, {}, true, true});
  return Decision::allow("decide.recorded");
}

absl::StatusOr<Decision> DecisionHandlers::correct(Work& w, Verdict v,
                                                   const store::MeetingRecord& meeting) {
  const auto& req = w.request.decide_situation();
  const store::SituationRecord& s = w.subject.situation;
  domain::CorrectionFacts f;
  f.state = s.state;
  f.decided_at_open_meeting = s.decided_meeting == meeting.id;
  auto held = store::rejection_held(w.c, s.id);
  if (!held.ok()) return held.status();
  f.rejection_held = *held;
  auto identity = store::find_identity(w.c, s.id);
  if (!identity.ok()) return identity.status();
  f.identified = identity->has_value();
  f.lead_named = !s.lead_agency.empty();
  if (auto d = domain::allow_correction(f, v); !d.allowed()) return d;
  const SituationState to = domain::verdict_state(v);
  const std::string to_reason = v == Verdict::kReject ? req.reject_reason() : "";
  if (to == s.state && to_reason == reason_of(s) &&
      (v != Verdict::kAccept || req.note() == s.decision_note) && !req.erase_now()) {
    return invalid("decide.unchanged", "that is the decision already recorded");
  }
  if (to == s.state) {
    auto st = v == Verdict::kAccept ? store::set_decision_note(w.c, s.id, req.note())
                                    : store::set_rejection_reason(w.c, s.id, to_reason);
    if (!st.ok()) return st;
    if (req.erase_now()) {
      if (auto e = store::erase_held_rejection(w.c, s.id); !e.ok()) return e;
    }
  } else {
    if (auto st = store::undecide_situation(w.c, s.id); !st.ok()) return st;
    if (v != Verdict::kUndecided) {
      if (auto st = apply(w, v, meeting); !st.ok()) return st;
    }
  }
  const store::Correction k{s.id, meeting.id, s.state,     reason_of(s),
                            to,   to_reason,  w.p.user_id, w.now_us};
  if (auto st = store::record_correction(w.c, k); !st.ok()) return st;
  w.scope.data_elements = {"state", "decision_correction"};
  w.scope.purpose = "decision.correction";
  w.scope.target = correction_text(k);
  // Agencies that joined an acceptance now withdrawn hear of it with the rest.
  w.tell("situation.decision_corrected", s.table_code, s.id, s.originating_agency,
         "decision corrected: " + correction_text(k), Audience{s.table_code, {}, true, true});
  return Decision::allow("decide.corrected");
}

absl::Status DecisionHandlers::apply(Work& w, Verdict v, const store::MeetingRecord& meeting) {
  const auto& req = w.request.decide_situation();
  const store::SituationRecord& s = w.subject.situation;
  if (v == Verdict::kAccept) {
    auto table = store::find_table(w.c, s.table_code);
    if (!table.ok()) return table.status();
    if (!*table) return absl::InternalError("a situation refers to a missing table");
    const std::int64_t due =
        w.now_us + (*table)->follow_up.intervention_hours * domain::kMicrosPerHour;
    return store::accept_situation(w.c, s.id, meeting.id, w.p.user_id, w.now_us, req.note(), due);
  }
  store::Rejection r{req.reject_reason(), meeting.id, w.p.user_id, w.now_us, !req.erase_now()};
  if (auto st = store::reject_situation(w.c, s.id, r); !st.ok()) return st;
  // Erased at once: the narrative's older copies go too, once committed.
  w.after.erased = req.erase_now();
  return absl::OkStatus();
}

}  // namespace hubtable::api
