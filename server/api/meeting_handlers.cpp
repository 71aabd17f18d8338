#include <algorithm>
#include <map>

#include <limits>

#include "api/meeting_handlers.h"

#include "api/agenda_lines.h"
#include "api/page.h"
#include "domain/limits.h"
#include "domain/routing.h"
#include "store/decisions.h"
#include "store/situations.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::failed;
using domain::Refusal;

namespace {

using domain::kDefaultMeetingsListed;
using domain::kMaxMeetingsPast;
using domain::kMaxMeetingsUpcoming;

/// Agenda and minutes lines per page (fewer when they would not fit).
using domain::kAgendaPage;

/// The agenda's lines after `after_position`, a page at a time (`page`).
absl::Status fill_agenda(store::Connection& c, const store::MeetingRecord& m,
                         std::uint32_t after_position, Page page, v1::Agenda& out) {
  // One more than a page holds: whether another follows.
  auto items = store::list_agenda(c, m.id, position_arg(after_position),
                                  static_cast<std::int64_t>(kAgendaPage) + 1);
  if (!items.ok()) return items.status();
  auto planned = store::agenda_planned_seconds(c, m.id);
  if (!planned.ok()) return planned.status();
  out.set_meeting(m.id);
  out.set_available_seconds(static_cast<std::uint32_t>(m.available_seconds));
  out.set_frozen_us(m.agenda_frozen_us);
  std::uint32_t last = 0;
  for (const auto& i : *items) {
    const auto position = static_cast<std::uint32_t>(i.position);
    v1::AgendaItem line;
    line.set_position(position);
    line.set_situation(i.situation_id);
    line.set_section(section_proto(i.section));
    line.set_situation_type(i.situation_type);
    line.set_originating_agency(i.originating_agency);
    line.set_time_box_seconds(static_cast<std::uint32_t>(i.time_box_seconds));
    line.set_start_offset_seconds(static_cast<std::uint32_t>(i.start_offset_seconds));
    line.set_late(i.late);
    line.set_beyond_time(i.beyond_time);
    line.set_outcome(outcome_text(i));
    if (!page.take(line.ByteSizeLong())) break;
    last = position;
    *out.add_items() = std::move(line);
  }
  if (page.full()) out.set_next_after_position(last);
  const int planned_seconds = *planned;
  out.set_planned_seconds(static_cast<std::uint32_t>(planned_seconds));
  out.set_fits(planned_seconds <= m.available_seconds);
  return absl::OkStatus();
}

std::string attendance_role(const domain::Actor& a) {
  auto has = [&](domain::TableRole r) {
    return std::find(a.roles.begin(), a.roles.end(), r) != a.roles.end();
  };
  if (has(domain::TableRole::kChair)) return "CHAIR";
  if (has(domain::TableRole::kRep)) return "REP";
  if (has(domain::TableRole::kPrivacyOfficer)) return "PRIVACY_OFFICER";
  return "GUEST";
}

v1::AttendanceRole attendance_proto(const std::string& role) {
  if (role == "CHAIR") return v1::ATTENDED_AS_CHAIR;
  if (role == "REP") return v1::ATTENDED_AS_REP;
  if (role == "PRIVACY_OFFICER") return v1::ATTENDED_AS_PRIVACY_OFFICER;
  return v1::ATTENDED_AS_GUEST;
}

/// Plans the agenda from the table's waiting and accepted situations.
absl::StatusOr<domain::AgendaPlan> plan_for(store::Connection& c, std::int64_t table_id,
                                            int minutes, std::int64_t now_us) {
  std::vector<domain::SituationState> waiting;
  for (auto s : domain::all_states()) {
    if (domain::before_the_table(s)) waiting.push_back(s);
  }
  auto situations = store::list_situations(c, table_id, waiting, {}, store::kAllRows);
  if (!situations.ok()) return situations.status();
  std::vector<domain::AgendaEntry> entries;
  for (const auto& s : *situations) {
    if (!domain::was_accepted(s.state)) {
      entries.push_back({s.id, domain::AgendaSection::kNew, s.submitted_us});
    } else {
      const std::int64_t decided = s.decided_us.value_or(s.submitted_us);
      const std::int64_t due =
          s.intervention_due_us.value_or(decided + 48 * domain::kMicrosPerHour);
      entries.push_back(
          {s.id, domain::section_for_accepted(due, s.intervened_us, now_us), decided});
    }
  }
  return domain::plan_agenda(std::move(entries), minutes);
}

}  // namespace

absl::StatusOr<Decision> MeetingHandlers::list(Work& w) {
  const auto& req = w.request.list_meetings();
  if (req.upcoming() > kMaxMeetingsUpcoming || req.past() > kMaxMeetingsPast) {
    return Decision::deny(Refusal::kInvalidArgument, "meeting.list_too_long",
                          "at most " + std::to_string(kMaxMeetingsUpcoming) + " upcoming and " +
                              std::to_string(kMaxMeetingsPast) + " past meetings");
  }
  auto t = load_table(w.c, w.subject.table);
  if (!t.ok()) return t.status();
  const auto& sched = *t->schedule;
  auto* out = w.response.mutable_list_meetings();
  auto held = store::list_held_meetings(w.c, t->table.id, static_cast<int>(kMaxMeetingsPast) + 1);
  if (!held.ok()) return held.status();
  std::map<std::string, const store::MeetingRecord*> by_id;
  for (const auto& m : *held) {
    by_id[m.id] = &m;
    if (!m.closed_us) fill_meeting(m, sched, *out->add_upcoming());
  }
  const int upcoming =
      static_cast<int>(req.upcoming() == 0 ? kDefaultMeetingsListed : req.upcoming());
  for (const auto& o : sched.upcoming(w.now_us, upcoming)) {
    const std::string id = domain::meeting_id(t->table.code, o);
    if (by_id.count(id) != 0) continue;  // already opened (listed above) or held
    auto* m = out->add_upcoming();
    m->set_id(id);
    m->set_table(t->table.code);
    m->set_state(v1::MEETING_SCHEDULED);
    m->set_scheduled_start_us(o.start_us);
    m->set_local_start(o.local_start);
    m->set_time_zone(sched.time_zone());
    m->set_duration_minutes(static_cast<std::uint32_t>(o.duration_minutes));
  }
  const std::uint32_t past = req.past() == 0 ? kDefaultMeetingsListed : req.past();
  for (const auto& m : *held) {
    if (!m.closed_us) continue;
    if (static_cast<std::uint32_t>(out->past_size()) == past) break;
    fill_meeting(m, sched, *out->add_past());
  }
  return w.access().decision;
}

absl::StatusOr<Decision> MeetingHandlers::open(Work& w) {
  const auto& req = w.request.open_meeting();
  auto t = load_table(w.c, w.subject.table);
  if (!t.ok()) return t.status();
  const auto& sched = *t->schedule;
  auto open = store::find_open_meeting(w.c, t->table.id);
  if (!open.ok()) return open.status();
  if (*open) {
    w.scope.meeting = (*open)->id;
    return failed("meeting.already_open",
                  "meeting " + (*open)->id + " is already open; close it first");
  }
  const std::int64_t now = w.now_us;
  domain::Occurrence occurrence;
  if (req.unscheduled()) {
    occurrence = sched.extra(now);
  } else if (auto o = sched.openable(now)) {
    occurrence = std::move(*o);
  } else {
    const auto next = sched.upcoming(now, 1);
    return failed("meeting.not_scheduled_now",
                  "no meeting of this table is scheduled now (the next starts " +
                      (next.empty() ? std::string("later") : next.front().local_start) +
                      "); an extra (unscheduled) meeting can be opened instead");
  }
  store::MeetingRecord m;
  m.id = domain::meeting_id(t->table.code, occurrence);
  w.scope.meeting = m.id;
  auto existing = store::find_meeting(w.c, m.id);
  if (!existing.ok()) return existing.status();
  if (*existing) {
    return failed(
        "meeting.already_held",
        "meeting " + m.id + " was already held; " +
            (req.unscheduled() ? std::string("wait a minute to open another")
                               : std::string("an extra (unscheduled) one can be opened instead")));
  }
  m.table_id = t->table.id;
  m.table_code = t->table.code;
  m.scheduled_start_us = occurrence.start_us;
  m.duration_minutes = occurrence.duration_minutes;
  m.unscheduled = req.unscheduled();
  m.opened_us = now;
  m.opened_by = w.p.user_id;
  m.agenda_frozen_us = now;
  auto plan = plan_for(w.c, t->table.id, occurrence.duration_minutes, now);
  if (!plan.ok()) return plan.status();
  m.available_seconds = plan->available_seconds;
  if (auto st = store::insert_meeting(w.c, m); !st.ok()) return st;
  int position = 0;
  for (const auto& item : plan->items) {
    store::AgendaItemRecord rec;
    rec.meeting_id = m.id;
    rec.position = ++position;
    rec.situation_id = item.situation_id;
    rec.section = section_text(item.section);
    rec.time_box_seconds = item.time_box_seconds;
    rec.start_offset_seconds = item.start_offset_seconds;
    rec.beyond_time = item.beyond_time;
    if (auto st = store::add_agenda_item(w.c, rec); !st.ok()) return st;
  }
  auto* out = w.response.mutable_open_meeting();
  fill_meeting(m, sched, *out->mutable_meeting());
  if (auto st = fill_agenda(w.c, m, 0, Page(kAgendaPage, Page::byte_budget(limits_)),
                            *out->mutable_agenda());
      !st.ok())
    return st;
  return w.access().decision;
}

absl::StatusOr<Decision> MeetingHandlers::check_in(Work& w) {
  const Principal& p = w.p;
  const domain::Actor& actor = w.subject.actor;
  store::MeetingRecord& m = w.subject.meeting;
  auto* out = w.response.mutable_check_in();
  auto existing = store::find_attendance(w.c, m.id, p.user_id);
  if (!existing.ok()) return existing.status();
  if (*existing) {
    out->set_already_checked_in(true);
    out->set_attended_as(attendance_proto((*existing)->role));
    out->set_agency((*existing)->agency_code);
  } else {
    store::AttendanceRecord a;
    a.user_id = p.user_id;
    a.role = attendance_role(actor);
    a.checked_in_us = w.now_us;
    if (!p.agency_code.empty()) {
      auto agency = store::find_agency_id(w.c, p.agency_code);
      if (!agency.ok()) return agency.status();
      a.agency_id = *agency;
    }
    a.presents_for_agency =
        a.agency_id.has_value() && std::find(actor.roles.begin(), actor.roles.end(),
                                             domain::TableRole::kRep) != actor.roles.end();
    if (auto st = store::add_attendance(w.c, m.id, a); !st.ok()) return st;
    ++m.attendees;
    out->set_attended_as(attendance_proto(a.role));
    out->set_agency(p.agency_code);
  }
  fill_meeting(m, *w.subject.meeting_table->schedule, *out->mutable_meeting());
  return w.access().decision;
}

absl::StatusOr<Decision> MeetingHandlers::agenda(Work& w) {
  const auto& req = w.request.agenda();
  const store::MeetingRecord& m = w.subject.meeting;
  w.scope.filter_stage = 2;
  w.scope.data_elements = {"agenda_line"};
  auto* out = w.response.mutable_agenda();
  fill_meeting(m, *w.subject.meeting_table->schedule, *out->mutable_meeting());
  if (auto st = fill_agenda(w.c, m, req.after_position(),
                            Page(kAgendaPage, Page::byte_budget(limits_)), *out->mutable_agenda());
      !st.ok()) {
    return st;
  }
  if (req.with_attendance()) {
    w.scope.data_elements.push_back("attendance");
    if (auto st = fill_attendance(w.c, m.id, *out->mutable_attendance()); !st.ok()) return st;
  }
  return w.access().decision;
}

absl::StatusOr<Decision> MeetingHandlers::close(Work& w) {
  store::MeetingRecord& m = w.subject.meeting;
  if (auto st = store::close_meeting(w.c, m.id, w.p.user_id, w.now_us); !st.ok()) return st;
  m.closed_us = w.now_us;
  auto* out = w.response.mutable_close_meeting();
  // Its decisions are final now: the rejections' held content goes.
  auto erased = store::erase_held_rejections(w.c, m.id);
  if (!erased.ok()) return erased.status();
  out->set_rejections_erased(static_cast<std::uint32_t>(*erased));
  if (*erased > 0) {
    w.after.erased = true;  // and their older copies in the WAL
    w.scope.data_elements = {"narrative", "age_band", "gender", "factors"};
    w.scope.purpose = "rejection.erased";
  }
  auto corrections = store::list_corrections(w.c, m.id);
  if (!corrections.ok()) return corrections.status();
  out->set_corrected(static_cast<std::uint32_t>(corrections->size()));
  auto items = store::list_agenda(w.c, m.id);
  if (!items.ok()) return items.status();
  for (const auto& i : *items) {
    if (i.outcome) {
      out->set_decided(out->decided() + 1);
    } else if (i.section == "NEW") {
      out->set_carried_over(out->carried_over() + 1);
    }
  }
  fill_meeting(m, *w.subject.meeting_table->schedule, *out->mutable_meeting());
  return w.access().decision;
}

}  // namespace hubtable::api
