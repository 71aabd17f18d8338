// hubtable situation {join,identify,reveal,assign,ack,plan,intervene,update,close},
// situation add-agency, hubtable admin governance.
//
// Identifiers and planning notes are read from files (or stdin), never from
// arguments, which other users of the machine can see and shells remember.

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

#include "cli/output.h"
#include "cli/session.h"
#include "lib/session_store.h"

namespace hubtable::cli {

namespace v1 = hubtable::v1;

namespace {

struct FilterOptions {
  std::string id;
  std::string people_file;
  std::string authority;
  std::string lead;
  std::vector<std::string> assisting;
  bool suggest = false;
  std::string note_file;
  std::string break_glass_file;
  std::string at;
  std::vector<std::string> agencies;
  std::string outcome;
  std::string text_file;
  std::string reason;
  std::vector<std::string> services;
  std::vector<std::string> protective;
  bool amend = false;
  // admin governance
  std::string agency;
  std::string user;
  std::string signed_on;
  std::string expires_on;
};

std::string list_text(const google::protobuf::RepeatedPtrField<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? "-" : out;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

void print_follow_up(const v1::Situation& s) {
  std::printf("situation:  %s (%s, filter %u)\n", s.id().c_str(),
              v1::SituationState_Name(s.state()).c_str(), s.filter_stage());
  std::printf("joined:     %s\n", list_text(s.joined_agencies()).c_str());
  std::printf("lead:       %s\n", s.lead_agency().empty() ? "-" : s.lead_agency().c_str());
  std::printf("assisting:  %s\n", list_text(s.assisting_agencies()).c_str());
  if (s.ack_due_us() != 0) {
    std::printf("ack:        %s\n", s.acked_us() != 0
                                        ? ("acknowledged " + format_time_us(s.acked_us())).c_str()
                                        : ("due " + format_time_us(s.ack_due_us()) +
                                           (s.ack_overdue() ? " (OVERDUE)" : ""))
                                              .c_str());
  }
  if (s.intervention_due_us() != 0) {
    std::printf("intervene:  %s\n", s.intervened_us() != 0
                                        ? ("recorded " + format_time_us(s.intervened_us())).c_str()
                                        : ("due " + format_time_us(s.intervention_due_us()) +
                                           (s.intervention_overdue() ? " (OVERDUE)" : ""))
                                              .c_str());
  }
  if (s.closed_us() != 0) {
    std::printf("closed:     %s (%s)\n", format_time_us(s.closed_us()).c_str(),
                s.closure_reason().c_str());
    std::printf("purge:      %s\n",
                s.purged_us() != 0
                    ? ("identifiers destroyed " + format_time_us(s.purged_us())).c_str()
                    : ("identifiers destroyed after " + format_time_us(s.purge_due_us())).c_str());
  }
  if (s.stale()) std::printf("note:       open 90 days without a status update\n");
}

/// Sends and prints the situation of a response, or the JSON of the response.
int simple(const Globals& g, const v1::Request& req, const char* done,
           const v1::Situation& (*situation_of)(const v1::Response&),
           const google::protobuf::Message& (*message_of)(const v1::Response&)) {
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  if (g.json) {
    print_json(message_of(r));
    return kExitOk;
  }
  std::printf("%s\n", done);
  print_follow_up(situation_of(r));
  return kExitOk;
}

int run_identify(const Globals& g, const FilterOptions& o) {
  auto people = read_people(o.people_file);
  if (!people.ok()) return usage_failure(people.status());
  v1::Request req;
  auto* i = req.mutable_identify_situation();
  i->set_id(o.id);
  i->set_legal_authority(o.authority);
  for (auto& p : *people) *i->add_people() = std::move(p);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  const auto& out = r.identify_situation();
  if (g.json) {
    print_json(out);
    return kExitOk;
  }
  std::printf("Sealed the identifiers of %d person(s) for %s under %s\n", i->people_size(),
              out.situation().id().c_str(), o.authority.c_str());
  if (!out.repeat_situations().empty()) {
    std::printf("Seen at this table in the last 12 months: %s\n",
                list_text(out.repeat_situations()).c_str());
  }
  return kExitOk;
}

int run_reveal(const Globals& g, const FilterOptions& o) {
  v1::Request req;
  req.mutable_reveal_situation()->set_id(o.id);
  if (!o.break_glass_file.empty()) {
    auto why = read_free_text(o.break_glass_file);
    if (!why.ok()) return usage_failure(why.status());
    while (!why->empty() && (why->back() == '\n' || why->back() == '\r')) why->pop_back();
    req.mutable_reveal_situation()->set_break_glass_justification(*why);
  }
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  const auto& out = r.reveal_situation();
  if (g.json) {
    print_json(out);
    return kExitOk;
  }
  std::printf("Identifiers of %s (disclosed by %s under %s; this disclosure is recorded)\n",
              out.id().c_str(), out.originating_agency().c_str(), out.legal_authority().c_str());
  if (!o.break_glass_file.empty()) {
    std::printf("BREAK-GLASS: the other privacy officers and the chair have been alerted\n");
  }
  for (const auto& p : out.people()) {
    std::printf("- name:          %s\n", p.name().c_str());
    std::printf("  date of birth: %s\n", p.date_of_birth().c_str());
    std::printf("  address:       %s\n", p.address().c_str());
    if (!p.phone().empty()) std::printf("  phone:         %s\n", p.phone().c_str());
    if (!p.aliases().empty()) std::printf("  aliases:       %s\n", list_text(p.aliases()).c_str());
  }
  if (!out.repeat_situations().empty()) {
    std::printf("Seen at this table in the last 12 months: %s\n",
                list_text(out.repeat_situations()).c_str());
  }
  return kExitOk;
}

int run_assign(const Globals& g, const FilterOptions& o) {
  if (!o.suggest && o.lead.empty()) {
    return usage_failure(absl::InvalidArgumentError("give --lead AGENCY, or --suggest"));
  }
  v1::Request req;
  auto* a = req.mutable_assign_situation();
  a->set_id(o.id);
  a->set_lead_agency(o.lead);
  for (const auto& x : o.assisting) a->add_assisting_agencies(x);
  a->set_suggest_only(o.suggest);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  const auto& out = r.assign_situation();
  if (g.json) {
    print_json(out);
    return kExitOk;
  }
  if (o.suggest) {
    std::printf("Suggested leads for %s, best first:\n", o.id.c_str());
    for (const auto& s : out.suggestions()) {
      std::printf("  %-10s %s\n", s.agency().c_str(), s.reason().c_str());
    }
    return kExitOk;
  }
  std::printf("Assigned %s: lead %s\n", out.situation().id().c_str(), o.lead.c_str());
  print_follow_up(out.situation());
  return kExitOk;
}

int run_plan(const Globals& g, const FilterOptions& o) {
  v1::Request req;
  auto* p = req.mutable_plan_situation();
  p->set_id(o.id);
  if (!o.note_file.empty()) {
    auto note = read_free_text(o.note_file);
    if (!note.ok()) return usage_failure(note.status());
    p->set_note(trimmed(*note));
    if (p->note().empty()) return usage_failure(absl::InvalidArgumentError("the note is empty"));
  }
  v1::Response r;
  const auto next = [&](const v1::Response& page, v1::Request& more) {
    if (!p->note().empty() || page.plan_situation().next_after_note() == 0) return false;
    more = req;
    more.mutable_plan_situation()->set_after_note(page.plan_situation().next_after_note());
    return true;
  };
  const auto merge = [](v1::Response& all, v1::Response& page) {
    auto* notes = all.mutable_plan_situation();
    for (auto& n : *page.mutable_plan_situation()->mutable_notes())
      *notes->add_notes() = std::move(n);
    notes->set_next_after_note(0);
  };
  if (int rc = call_pages(g, req, r, next, merge); rc != kExitOk) return rc;
  const auto& out = r.plan_situation();
  if (g.json) {
    print_json(out);
    return kExitOk;
  }
  if (!o.note_file.empty()) {
    std::printf("Planning note sealed for %s\n", o.id.c_str());
    return kExitOk;
  }
  if (out.notes().empty()) std::printf("No planning notes\n");
  for (const auto& n : out.notes()) {
    std::printf("%s  %s (%s)\n  %s\n", format_time_us(n.time_us()).c_str(), n.author().c_str(),
                n.agency().c_str(), n.note().c_str());
  }
  return kExitOk;
}

int run_intervene(const Globals& g, const FilterOptions& o) {
  auto when = parse_when(g, o.at, "--at");
  if (!when.ok()) return usage_failure(when.status());
  v1::Request req;
  auto* i = req.mutable_intervene_situation();
  i->set_id(o.id);
  i->set_occurred_us(*when);
  i->set_outcome(o.outcome);
  i->set_amend(o.amend);
  for (const auto& a : o.agencies) i->add_agencies_present(a);
  return simple(
      g, req, o.amend ? "Intervention amended" : "Intervention recorded",
      [](const v1::Response& r) -> const v1::Situation& {
        return r.intervene_situation().situation();
      },
      [](const v1::Response& r) -> const google::protobuf::Message& {
        return r.intervene_situation();
      });
}

int run_add_agency(const Globals& g, const FilterOptions& o) {
  v1::Request req;
  req.mutable_add_agency()->set_id(o.id);
  req.mutable_add_agency()->set_agency(o.agency);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  if (g.json) {
    print_json(r.add_agency());
    return kExitOk;
  }
  std::printf(r.add_agency().already() ? "%s already takes part in %s\n" : "Added %s to %s\n",
              o.agency.c_str(), o.id.c_str());
  print_follow_up(r.add_agency().situation());
  return kExitOk;
}

int run_update(const Globals& g, const FilterOptions& o) {
  auto text = read_free_text(o.text_file);
  if (!text.ok()) return usage_failure(text.status());
  v1::Request req;
  req.mutable_update_situation()->set_id(o.id);
  req.mutable_update_situation()->set_text(trimmed(*text));
  return simple(
      g, req, "Status update recorded",
      [](const v1::Response& r) -> const v1::Situation& {
        return r.update_situation().situation();
      },
      [](const v1::Response& r) -> const google::protobuf::Message& {
        return r.update_situation();
      });
}

int run_close(const Globals& g, const FilterOptions& o) {
  v1::Request req;
  auto* c = req.mutable_close_situation();
  c->set_id(o.id);
  c->set_closure_reason(o.reason);
  for (const auto& s : o.services) c->add_services_mobilized(s);
  for (const auto& p : o.protective) c->add_protective_factors(p);
  return simple(
      g, req, "Closed",
      [](const v1::Response& r) -> const v1::Situation& { return r.close_situation().situation(); },
      [](const v1::Response& r) -> const google::protobuf::Message& {
        return r.close_situation();
      });
}

int run_governance(const Globals& g, const FilterOptions& o) {
  if (o.agency.empty() == o.user.empty()) {
    return usage_failure(absl::InvalidArgumentError("give exactly one of --agency or --user"));
  }
  v1::Request req;
  auto* s = req.mutable_set_governance();
  if (!o.agency.empty()) {
    s->set_agency(o.agency);
  } else {
    s->set_user(o.user);
  }
  s->set_signed_on(o.signed_on);
  s->set_expires_on(o.expires_on);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  if (g.json) {
    print_json(r.set_governance());
  } else {
    std::printf("Recorded the %s of %s\n",
                o.agency.empty() ? "confidentiality agreement" : "information-sharing agreement",
                o.agency.empty() ? o.user.c_str() : o.agency.c_str());
  }
  return kExitOk;
}

v1::Request id_request(const std::string& id, bool join) {
  v1::Request req;
  if (join) {
    req.mutable_join_situation()->set_id(id);
  } else {
    req.mutable_ack_situation()->set_id(id);
  }
  return req;
}

}  // namespace

void add_filter_commands(CLI::App& app, Globals& g, Commands& commands) {
  auto opts = std::make_shared<FilterOptions>();
  FilterOptions& o = *opts;
  CLI::App* situation = app.get_subcommand("situation");

  auto* join = situation->add_subcommand("join", "your agency has a role (Filter 3; rep)");
  auto* identify = situation->add_subcommand(
      "identify", "seal the identifiers of an accepted situation (originating agency)");
  identify
      ->add_option("--people-file", o.people_file,
                   "TOML with one [[person]] per person: name, date_of_birth, address, "
                   "optional phone and aliases ('-' for stdin)")
      ->required();
  identify->add_option("--authority", o.authority, "legal_authority code of the disclosure")
      ->required();
  auto* reveal = situation->add_subcommand(
      "reveal", "show the identifiers to a joined agency (recorded as a disclosure)");
  reveal->add_option("--break-glass-file", o.break_glass_file,
                     "privacy officers: your written justification, 20 to 2000 characters "
                     "('-' for stdin); stored sealed, and the other privacy officers and the "
                     "chair are alerted");
  auto* assign =
      situation->add_subcommand("assign", "name the lead and assisting agencies (chair)");
  assign->add_option("--lead", o.lead, "lead agency code (must have joined)");
  assign->add_option("--assisting", o.assisting, "assisting agency codes")->delimiter(',');
  assign->add_flag("--suggest", o.suggest, "rank the joined agencies as leads, change nothing");
  auto* ack = situation->add_subcommand("ack", "acknowledge the lead assignment (lead agency)");
  auto* plan = situation->add_subcommand(
      "plan", "add a sealed planning note, or list them (lead and assisting agencies)");
  plan->add_option("--note-file", o.note_file, "the note to add ('-' for stdin); omit to list");
  auto* intervene = situation->add_subcommand("intervene", "record the intervention (lead agency)");
  intervene
      ->add_option("--at", o.at,
                   "when, in the table's zone: now, 16:30, \"yesterday 16:30\", \"mon 9:15\", "
                   "\"2026-12-02 16:30\" (or RFC 3339 with an offset)")
      ->required();
  intervene->add_option("--agency", o.agencies, "agencies present (joined)")->delimiter(',');
  intervene->add_option("--outcome", o.outcome, "intervention_outcome code")->required();
  intervene->add_flag("--amend", o.amend,
                      "correct the intervention already recorded (time, agencies, outcome)");
  auto* add_agency = situation->add_subcommand(
      "add-agency", "add a partner agency, also after the lead is named (chair)");

  auto* update = situation->add_subcommand(
      "update", "a de-identified status update at a later meeting (lead agency)");
  update->add_option("--text-file", o.text_file, "the update, at most 500 characters ('-': stdin)")
      ->required();
  auto* close = situation->add_subcommand("close", "close with a reason (chair)");
  close->add_option("--reason", o.reason, "closure_reason code");
  close->add_option("--service", o.services, "service codes mobilized")->delimiter(',');
  close->add_option("--protective-factor", o.protective, "protective_factor codes")->delimiter(',');
  for (auto* sub :
       {join, identify, reveal, assign, ack, plan, intervene, update, close, add_agency}) {
    sub->add_option("id", o.id, "situation id, e.g. 7K2M9-X4Q1D")->required();
  }
  add_agency->add_option("agency", o.agency, "agency code, e.g. victim_services")->required();

  auto* admin = app.add_subcommand("admin", "deployment administration");
  admin->require_subcommand(1);
  auto* governance = admin->add_subcommand(
      "governance", "record an agency's ISA or a person's confidentiality agreement");
  governance->add_option("--agency", o.agency, "agency code (information-sharing agreement)");
  governance->add_option("--user", o.user, "username (confidentiality agreement)");
  governance->add_option("--signed", o.signed_on, "YYYY-MM-DD; omit to clear");
  governance->add_option("--expires", o.expires_on, "YYYY-MM-DD (agency only)");

  commands.add(join, "hubtable situation join 3", [&g, opts] {
    return simple(
        g, id_request(opts->id, true), "Joined",
        [](const v1::Response& r) -> const v1::Situation& {
          return r.join_situation().situation();
        },
        [](const v1::Response& r) -> const google::protobuf::Message& {
          return r.join_situation();
        });
  });
  commands.add(ack, "hubtable situation ack 7K2M9-X4Q1D", [&g, opts] {
    return simple(
        g, id_request(opts->id, false), "Acknowledged",
        [](const v1::Response& r) -> const v1::Situation& { return r.ack_situation().situation(); },
        [](const v1::Response& r) -> const google::protobuf::Message& {
          return r.ack_situation();
        });
  });
  commands.add(identify,
               "hubtable situation identify 3 --people-file people.toml --authority ON-MFIPPA-32-H",
               [&g, opts] { return run_identify(g, *opts); });
  commands.add(reveal, "hubtable situation reveal 7K2M9-X4Q1D",
               [&g, opts] { return run_reveal(g, *opts); });
  commands.add(assign, "hubtable situation assign 3 --lead rcmh --assisting rps",
               [&g, opts] { return run_assign(g, *opts); });
  commands.add(plan, "hubtable situation plan 7K2M9-X4Q1D --note-file plan.txt",
               [&g, opts] { return run_plan(g, *opts); });
  commands.add(
      intervene,
      "hubtable situation intervene 7K2M9-X4Q1D --at 16:30 --agency rps --outcome CONSENTED",
      [&g, opts] { return run_intervene(g, *opts); });
  commands.add(add_agency, "hubtable situation add-agency 7K2M9-X4Q1D victim_services",
               [&g, opts] { return run_add_agency(g, *opts); });
  commands.add(update, "hubtable situation update 7K2M9-X4Q1D --text-file update.txt",
               [&g, opts] { return run_update(g, *opts); });
  commands.add(
      close,
      "hubtable situation close 7K2M9-X4Q1D --reason LOWERED_CONNECTED --service MENTAL_HEALTH",
      [&g, opts] { return run_close(g, *opts); });
  commands.add(governance,
               "hubtable admin governance --agency rcmh --signed 2025-09-01 --expires 2027-08-31",
               [&g, opts] { return run_governance(g, *opts); });
}

}  // namespace hubtable::cli
