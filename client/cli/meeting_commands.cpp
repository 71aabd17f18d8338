// hubtable meeting {list,open,checkin,agenda,close,minutes}

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/output.h"
#include "cli/session.h"

namespace hubtable::cli {

namespace v1 = hubtable::v1;

namespace {

struct MeetingOptions {
  std::string table;
  std::string meeting;
  std::uint32_t upcoming = 0;
  std::uint32_t past = 0;
  bool unscheduled = false;
  std::string format = "markdown";
};

std::string state_word(v1::MeetingState s) {
  switch (s) {
    case v1::MEETING_SCHEDULED:
      return "scheduled";
    case v1::MEETING_OPEN:
      return "open";
    case v1::MEETING_CLOSED:
      return "closed";
    default:
      return "?";
  }
}

std::string section_word(v1::AgendaSection s) {
  switch (s) {
    case v1::NEW_SITUATION:
      return "new";
    case v1::RETURNING:
      return "returning";
    case v1::OVERDUE:
      return "overdue";
    default:
      return "?";
  }
}

std::string minutes_seconds(std::uint32_t seconds) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u:%02u", seconds / 60, seconds % 60);
  return buf;
}

void print_meeting_line(const v1::Meeting& m) {
  std::string extra;
  if (m.unscheduled()) extra += "  extra meeting";
  if (m.state() != v1::MEETING_SCHEDULED) extra += "  " + std::to_string(m.attendees()) + " in";
  std::printf("  %-22s %-9s  %s  %u min%s\n", m.id().c_str(), state_word(m.state()).c_str(),
              m.local_start().c_str(), m.duration_minutes(), extra.c_str());
}

void print_agenda(const v1::Agenda& a) {
  std::printf("Agenda of %s: %zu item(s), %s of %s minutes planned%s\n", a.meeting().c_str(),
              static_cast<std::size_t>(a.items_size()),
              minutes_seconds(a.planned_seconds()).c_str(),
              minutes_seconds(a.available_seconds()).c_str(),
              a.fits() ? "" : " (does not fit: items marked + may carry over)");
  if (a.items_size() == 0) return;
  std::printf("  %3s  %-7s %-6s %-10s %-12s %-10s %-12s %s\n", "#", "START", "BOX", "SECTION",
              "SITUATION", "TYPE", "AGENCY", "OUTCOME");
  for (const auto& i : a.items()) {
    std::string section = section_word(i.section()) + (i.late() ? "*" : "");
    std::printf("  %3u  +%-6s %-6s %-10s %-12s %-10s %-12s %s%s\n", i.position(),
                minutes_seconds(i.start_offset_seconds()).c_str(),
                minutes_seconds(i.time_box_seconds()).c_str(), section.c_str(),
                i.situation().c_str(), i.situation_type().c_str(), i.originating_agency().c_str(),
                i.outcome().empty() ? "-" : i.outcome().c_str(), i.beyond_time() ? "  +" : "");
  }
  const bool any_late =
      std::any_of(a.items().begin(), a.items().end(), [](const auto& i) { return i.late(); });
  if (any_late) std::printf("  (* added late)\n");
}

std::string outcome_words(const v1::MinutesItem& i) {
  if (i.outcome() == "ACCEPTED") return "Accepted: acutely elevated risk";
  if (i.outcome() == "REJECTED") return "Rejected (" + i.rejection_reason() + ")";
  if (i.outcome() == "WITHDRAWN") return "Withdrawn by the originating agency";
  return "Not reached: carried over";
}

v1::MeetingRef ref(const MeetingOptions& o) {
  v1::MeetingRef r;
  r.set_table(o.table);
  r.set_meeting(o.meeting);
  return r;
}

int run_list(const Globals& g, const MeetingOptions& o) {
  v1::Request req;
  auto* l = req.mutable_list_meetings();
  l->set_table(o.table);
  l->set_upcoming(o.upcoming);
  l->set_past(o.past);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  const auto& m = r.list_meetings();
  if (g.json) {
    print_json(m);
    return kExitOk;
  }
  std::printf("Upcoming%s\n", m.upcoming().empty() ? ": none scheduled" : "");
  for (const auto& u : m.upcoming()) print_meeting_line(u);
  std::printf("Past%s\n", m.past().empty() ? ": none yet" : "");
  for (const auto& p : m.past()) print_meeting_line(p);
  return kExitOk;
}

// A long agenda's further pages, asked for by meeting id.
bool next_agenda_page(const v1::Agenda& page, const std::string& table, v1::Request& more) {
  if (page.next_after_position() == 0) return false;
  auto* a = more.mutable_agenda();
  a->mutable_ref()->set_table(table);
  a->mutable_ref()->set_meeting(page.meeting());
  a->set_after_position(page.next_after_position());
  return true;
}

void merge_agenda(v1::Agenda& all, v1::Response& page) {
  for (auto& item : *page.mutable_agenda()->mutable_agenda()->mutable_items()) {
    *all.add_items() = std::move(item);
  }
  all.set_next_after_position(0);
}

int run_open(const Globals& g, const MeetingOptions& o) {
  v1::Request req;
  req.mutable_open_meeting()->set_table(o.table);
  req.mutable_open_meeting()->set_unscheduled(o.unscheduled);
  v1::Response r;
  const auto next = [&](const v1::Response& page, v1::Request& more) {
    return next_agenda_page(
        page.has_open_meeting() ? page.open_meeting().agenda() : page.agenda().agenda(), o.table,
        more);
  };
  const auto merge = [](v1::Response& all, v1::Response& page) {
    merge_agenda(*all.mutable_open_meeting()->mutable_agenda(), page);
  };
  if (int rc = call_pages(g, req, r, next, merge); rc != kExitOk) return rc;
  if (g.json) {
    print_json(r.open_meeting());
    return kExitOk;
  }
  const auto& m = r.open_meeting().meeting();
  std::printf("Opened %s (%s, %u min%s)\n", m.id().c_str(), m.local_start().c_str(),
              m.duration_minutes(), m.unscheduled() ? ", extra meeting" : "");
  print_agenda(r.open_meeting().agenda());
  return kExitOk;
}

int run_checkin(const Globals& g, const MeetingOptions& o) {
  v1::Request req;
  *req.mutable_check_in()->mutable_ref() = ref(o);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  const auto& c = r.check_in();
  if (g.json) {
    print_json(c);
    return kExitOk;
  }
  std::string as = v1::AttendanceRole_Name(c.attended_as());
  as = as.substr(as.rfind('_') + 1);
  if (c.attended_as() == v1::ATTENDED_AS_PRIVACY_OFFICER) as = "PRIVACY_OFFICER";
  std::printf("%s %s as %s%s\n", c.already_checked_in() ? "Already checked in to" : "Checked in to",
              c.meeting().id().c_str(), as.c_str(),
              c.agency().empty() ? "" : (" for " + c.agency()).c_str());
  return kExitOk;
}

int run_agenda(const Globals& g, const MeetingOptions& o) {
  v1::Request req;
  *req.mutable_agenda()->mutable_ref() = ref(o);
  v1::Response r;
  const auto next = [&](const v1::Response& page, v1::Request& more) {
    return next_agenda_page(page.agenda().agenda(), o.table, more);
  };
  const auto merge = [](v1::Response& all, v1::Response& page) {
    merge_agenda(*all.mutable_agenda()->mutable_agenda(), page);
  };
  if (int rc = call_pages(g, req, r, next, merge); rc != kExitOk) return rc;
  if (g.json) {
    print_json(r.agenda());
    return kExitOk;
  }
  print_agenda(r.agenda().agenda());
  return kExitOk;
}

int run_close(const Globals& g, const MeetingOptions& o) {
  v1::Request req;
  *req.mutable_close_meeting()->mutable_ref() = ref(o);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  const auto& c = r.close_meeting();
  if (g.json) {
    print_json(c);
    return kExitOk;
  }
  std::printf("Closed %s: %u decided, %u carried over to the next meeting",
              c.meeting().id().c_str(), c.decided(), c.carried_over());
  if (c.corrected() != 0) std::printf(", %u decision(s) corrected", c.corrected());
  if (c.rejections_erased() != 0) {
    std::printf("; the narratives of %u rejection(s) are erased now", c.rejections_erased());
  }
  std::printf("\n");
  return kExitOk;
}

int run_minutes(const Globals& g, const MeetingOptions& o) {
  v1::Request req;
  *req.mutable_minutes()->mutable_ref() = ref(o);
  v1::Response r;
  const auto next = [&](const v1::Response& page, v1::Request& more) {
    if (page.minutes().next_after_position() == 0) return false;
    auto* m = more.mutable_minutes();
    m->mutable_ref()->set_table(o.table);
    m->mutable_ref()->set_meeting(page.minutes().meeting().id());
    m->set_after_position(page.minutes().next_after_position());
    return true;
  };
  const auto merge = [](v1::Response& all, v1::Response& page) {
    auto* minutes = all.mutable_minutes();
    for (auto& item : *page.mutable_minutes()->mutable_items()) {
      *minutes->add_items() = std::move(item);
    }
    minutes->set_next_after_position(0);
  };
  if (int rc = call_pages(g, req, r, next, merge); rc != kExitOk) return rc;
  if (g.json || o.format == "json") {
    print_json(r.minutes());
  } else {
    std::fputs(minutes_markdown(r.minutes()).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace

std::string minutes_markdown(const v1::MinutesResponse& m) {
  std::string out = "# Minutes of " + m.meeting().id() + "\n\n";
  out += "- Table: " + m.meeting().table() + "\n";
  out += "- Scheduled: " + m.meeting().local_start() + ", " +
         std::to_string(m.meeting().duration_minutes()) + " minutes" +
         (m.meeting().unscheduled() ? " (extra meeting)" : "") + "\n";
  out += "- Opened " + format_time_us(m.meeting().opened_us()) + ", closed " +
         format_time_us(m.meeting().closed_us()) + "\n";
  out += std::string("- Chair present: ") + (m.chair_present() ? "yes" : "no") +
         "; privacy officers present: " + std::to_string(m.privacy_officers()) + "\n\n";
  out += "## Attendance by agency\n\n| Agency | Members | Guests |\n|---|---:|---:|\n";
  for (const auto& a : m.attendance()) {
    const std::string name =
        a.agency().empty() ? std::string("(no agency)") : a.agency() + " (" + a.agency_name() + ")";
    out += "| " + name + " | " + std::to_string(a.people()) + " | " + std::to_string(a.guests()) +
           " |\n";
  }
  if (!m.absent().empty()) {
    out += "\nAgencies absent: ";
    for (int k = 0; k < m.absent_size(); ++k) {
      out += (k == 0 ? "" : ", ") + m.absent(k).agency() + " (" + m.absent(k).agency_name() + ")";
    }
    out += "\n";
  }
  out += "\n## Situations\n\n";
  if (m.items().empty()) {
    out += "No situations were on the agenda.\n";
    return out;
  }
  out +=
      "| # | Situation | Section | Type | Originating agency | Decision | Lead | Assisting | "
      "Acknowledge by | Intervene by |\n";
  out += "|---:|---|---|---|---|---|---|---|---|---|\n";
  auto when = [](std::int64_t us) { return us == 0 ? std::string("-") : format_time_us(us); };
  std::string corrections;
  for (const auto& i : m.items()) {
    std::string assisting;
    for (const auto& a : i.assisting_agencies()) assisting += (assisting.empty() ? "" : ", ") + a;
    out += "| " + std::to_string(i.position()) + " | " + i.situation() + " | " +
           section_word(i.section()) + (i.late() ? " (late)" : "") + " | " + i.situation_type() +
           " | " + i.originating_agency() + " | " + outcome_words(i) + " | " +
           (i.lead_agency().empty() ? "-" : i.lead_agency()) + " | " +
           (assisting.empty() ? "-" : assisting) + " | " + when(i.ack_due_us()) + " | " +
           when(i.intervention_due_us()) + " |\n";
    for (const auto& k : i.corrections()) {
      auto side = [](const std::string& outcome, const std::string& reason) {
        std::string said = outcome;
        if (!reason.empty()) said.append(" (").append(reason).append(")");
        return said;
      };
      corrections.append("- ").append(i.situation()).append(": ");
      corrections.append(side(k.from_outcome(), k.from_reason())).append(" corrected to ");
      corrections.append(side(k.to_outcome(), k.to_reason())).append(" at ");
      corrections.append(format_time_us(k.time_us())).append("\n");
    }
  }
  if (!corrections.empty()) out += "\n## Decisions corrected at this meeting\n\n" + corrections;
  out += "\nDe-identified: no names, narratives, factors, ages or genders are recorded here.\n";
  return out;
}

void add_meeting_commands(CLI::App& app, Globals& g, Commands& commands) {
  // Shared with the runners, which outlive this call.
  auto opts = std::make_shared<MeetingOptions>();
  MeetingOptions& o = *opts;
  auto* meeting = app.add_subcommand("meeting", "the table's meetings");
  meeting->require_subcommand(1);
  auto table_option = [&](CLI::App* sub) {
    sub->add_option("--table", o.table, "table code (needed when you sit at several)");
  };
  auto* list = meeting->add_subcommand("list", "upcoming and past meetings");
  list->add_option("--upcoming", o.upcoming, "how many upcoming meetings (default 4)");
  list->add_option("--past", o.past, "how many past meetings (default 4)");
  auto* open = meeting->add_subcommand("open", "open the meeting scheduled now (chair)");
  open->add_flag("--unscheduled", o.unscheduled, "open an extra meeting outside the schedule");
  auto* checkin = meeting->add_subcommand("checkin", "check in to the open meeting");
  auto* agenda = meeting->add_subcommand("agenda", "the open (or a named) meeting's agenda");
  auto* close = meeting->add_subcommand("close", "close the open meeting (chair)");
  auto* minutes = meeting->add_subcommand("minutes", "de-identified minutes of a closed meeting");
  minutes->add_option("--format", o.format, "markdown (default) or json")
      ->check(CLI::IsMember({"markdown", "json"}));
  for (auto* sub : {checkin, agenda, close, minutes}) {
    sub->add_option("--meeting", o.meeting, "meeting id (default: the open or latest meeting)");
  }
  for (auto* sub : {list, open, checkin, agenda, close, minutes}) table_option(sub);
  commands.add(list, "hubtable meeting list --upcoming 2",
               [&g, opts] { return run_list(g, *opts); });
  commands.add(open, "hubtable meeting open", [&g, opts] { return run_open(g, *opts); });
  commands.add(checkin, "hubtable meeting checkin", [&g, opts] { return run_checkin(g, *opts); });
  commands.add(agenda, "hubtable meeting agenda", [&g, opts] { return run_agenda(g, *opts); });
  commands.add(close, "hubtable meeting close", [&g, opts] { return run_close(g, *opts); });
  commands.add(minutes, "hubtable meeting minutes > minutes.md",
               [&g, opts] { return run_minutes(g, *opts); });
}

}  // namespace hubtable::cli
