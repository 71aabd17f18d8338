// The minutes of a closed meeting: who attended and for which agency, the
// agencies absent, each agenda line's outcome, who now leads and assists
// an accepted situation and by when, and the decisions corrected. De-identified
// by construction: ids, codes, counts and times.

#include <map>

#include "api/agenda_lines.h"
#include "api/meeting_handlers.h"
#include "api/page.h"
#include "domain/limits.h"
#include "store/decisions.h"
#include "store/participants.h"
#include "store/situations.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::failed;

namespace {

/// An accepted situation's lead, assisting agencies and deadlines, as they
/// stand when the minutes are read.
absl::Status fill_follow_up(store::Connection& c, const std::string& id, v1::MinutesItem& item) {
  auto s = store::find_situation(c, id);
  if (!s.ok()) return s.status();
  if (!*s || !domain::was_accepted((*s)->state)) return absl::OkStatus();
  item.set_lead_agency((*s)->lead_agency);
  item.set_ack_due_us((*s)->ack_due_us.value_or(0));
  item.set_intervention_due_us((*s)->intervention_due_us.value_or(0));
  auto parts = store::list_participants(c, id);
  if (!parts.ok()) return parts.status();
  for (const auto& p : *parts) {
    if (p.role == "ASSISTING") item.add_assisting_agencies(p.agency);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Decision> MeetingHandlers::minutes(Work& w) {
  const auto& req = w.request.minutes();
  store::MeetingRecord& m = w.subject.meeting;
  if (w.subject.named_meeting) {
    m = *w.subject.named_meeting;
  } else {
    auto last = store::list_held_meetings(w.c, w.subject.meeting_table->table.id, 1);
    if (!last.ok()) return last.status();
    if (last->empty()) return failed("minutes.none_held", "no meeting of this table was held");
    m = last->front();
  }
  w.scope.meeting = m.id;
  if (!m.closed_us) {
    return failed("minutes.meeting_open", "minutes are produced once the meeting is closed");
  }
  w.scope.data_elements = {"attendance",         "agenda_line", "decision",           "lead_agency",
                           "assisting_agencies", "deadlines",   "decision_correction"};
  auto* out = w.response.mutable_minutes();
  fill_meeting(m, *w.subject.meeting_table->schedule, *out->mutable_meeting());
  v1::Attendance attendance;
  if (auto st = fill_attendance(w.c, m.id, attendance); !st.ok()) return st;
  out->mutable_attendance()->Swap(attendance.mutable_present());
  out->mutable_absent()->Swap(attendance.mutable_absent());
  out->set_chair_present(attendance.chair_present());
  out->set_privacy_officers(attendance.privacy_officers());
  auto corrections = store::list_corrections(w.c, m.id);
  if (!corrections.ok()) return corrections.status();
  std::multimap<std::string, const store::Correction*> corrected;
  for (const auto& k : *corrections) corrected.emplace(k.situation_id, &k);
  auto items = store::list_agenda(w.c, m.id, position_arg(req.after_position()),
                                  static_cast<std::int64_t>(domain::kAgendaPage) + 1);
  if (!items.ok()) return items.status();
  Page page = Page(domain::kAgendaPage, Page::byte_budget(limits_));
  std::uint32_t last = 0;
  for (const auto& i : *items) {
    const auto position = static_cast<std::uint32_t>(i.position);
    v1::MinutesItem item;
    item.set_position(position);
    item.set_situation(i.situation_id);
    item.set_section(section_proto(i.section));
    item.set_situation_type(i.situation_type);
    item.set_originating_agency(i.originating_agency);
    item.set_late(i.late);
    item.set_outcome(outcome_text(i));
    if (i.outcome == domain::SituationState::kRejected) {
      item.set_rejection_reason(i.rejection_reason);
    }
    if (i.outcome == domain::SituationState::kAccepted || i.section != "NEW") {
      if (auto st = fill_follow_up(w.c, i.situation_id, item); !st.ok()) return st;
    }
    auto [from, to] = corrected.equal_range(i.situation_id);
    for (auto it = from; it != to; ++it) {
      const store::Correction& k = *it->second;
      auto* x = item.add_corrections();
      x->set_from_outcome(std::string(domain::state_name(k.from)));
      x->set_from_reason(k.from_reason);
      x->set_to_outcome(std::string(domain::state_name(k.to)));
      x->set_to_reason(k.to_reason);
      x->set_time_us(k.corrected_us);
    }
    if (!page.take(item.ByteSizeLong())) break;
    last = position;
    *out->add_items() = std::move(item);
  }
  if (page.full()) out->set_next_after_position(last);
  return w.access().decision;
}

}  // namespace hubtable::api
