// hubtable situation {submit,list,show,decide,withdraw,amend}

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "cli/output.h"
#include "cli/session.h"

namespace hubtable::cli {

namespace v1 = hubtable::v1;

namespace {

// Situations asked for per page of `situation list`.
constexpr std::uint32_t kListPage = 500;

struct SituationOptions {
  std::string table;
  std::string id;
  // submit
  std::string type;
  std::string age_band;
  std::string gender;
  std::vector<std::string> risk_factors;
  std::vector<std::string> protective_factors;
  std::vector<std::string> study_flags;
  std::string narrative_file;
  bool attest = false;
  // list
  std::vector<std::string> states;
  // show
  std::uint32_t earlier_updates = 0;
  // decide
  bool accept = false;
  std::string reject;
  std::string note_file;
  bool correct = false;
  bool undecided = false;
  bool erase_now = false;
};

std::string joined(const google::protobuf::RepeatedPtrField<std::string>& codes) {
  std::string out;
  for (const auto& c : codes) out += (out.empty() ? "" : ", ") + c;
  return out.empty() ? "-" : out;
}

/// The next thing due on an open situation: the lead's acknowledgement,
/// then the intervention ("-" when nothing is).
std::string next_deadline(const v1::Situation& s) {
  if (s.state() != v1::ACCEPTED) return "-";
  if (s.ack_due_us() != 0 && s.acked_us() == 0) {
    return "ack by " + format_time_us(s.ack_due_us()) + (s.ack_overdue() ? " OVERDUE" : "");
  }
  if (s.intervention_due_us() != 0 && s.intervened_us() == 0) {
    return "intervene by " + format_time_us(s.intervention_due_us()) +
           (s.intervention_overdue() ? " OVERDUE" : "");
  }
  return "-";
}

void print_situation(const v1::Situation& s) {
  std::printf("situation:   %s (%s)\n", s.id().c_str(), v1::SituationState_Name(s.state()).c_str());
  std::printf("table:       %s\n", s.table().c_str());
  std::printf("type:        %s, from %s\n", s.situation_type().c_str(),
              s.originating_agency().c_str());
  if (s.view() == v1::AGENDA_LINE) {
    std::printf("(agenda line only: your role does not see the record)\n");
    return;
  }
  std::printf("submitted:   %s\n", format_time_us(s.submitted_us()).c_str());
  if (s.decided_us() != 0) {
    std::printf("decided:     %s at %s\n", format_time_us(s.decided_us()).c_str(),
                s.decided_meeting().c_str());
  }
  if (!s.rejection_reason().empty()) {
    std::printf("rejected:    %s (only date, agency, type and reason are kept)\n",
                s.rejection_reason().c_str());
  }
  if (s.filter_stage() >= 3) {
    std::printf("joined:      %s\n", joined(s.joined_agencies()).c_str());
    std::printf("lead:        %s (assisting: %s)\n",
                s.lead_agency().empty() ? "-" : s.lead_agency().c_str(),
                joined(s.assisting_agencies()).c_str());
    std::printf("identified:  %s\n", s.purged_us() != 0 ? "identifiers destroyed"
                                     : s.identified()   ? "yes (sealed)"
                                                        : "no");
    if (s.ack_due_us() != 0) {
      std::printf("acknowledge: %s\n",
                  s.acked_us() != 0 ? ("acknowledged " + format_time_us(s.acked_us())).c_str()
                                    : ("by " + format_time_us(s.ack_due_us()) +
                                       (s.ack_overdue() ? " (OVERDUE)" : ""))
                                          .c_str());
    }
    if (s.intervened_us() != 0) {
      std::printf("intervened:  %s\n", format_time_us(s.intervened_us()).c_str());
    } else if (s.intervention_due_us() != 0) {
      std::printf("intervene:   by %s%s\n", format_time_us(s.intervention_due_us()).c_str(),
                  s.intervention_overdue() ? " (OVERDUE)" : "");
    }
    if (s.closed_us() != 0) {
      std::printf("closed:      %s (%s)\n", format_time_us(s.closed_us()).c_str(),
                  s.closure_reason().c_str());
    }
  }
  if (s.view() == v1::METADATA) {
    std::printf("(metadata only: your role does not see the de-identified record)\n");
    return;
  }
  if (s.state() == v1::REJECTED || s.state() == v1::WITHDRAWN) return;
  std::printf("age band:    %s\n", s.age_band().c_str());
  std::printf("gender:      %s\n", s.gender().c_str());
  std::printf("risk:        %s\n", joined(s.risk_factors()).c_str());
  std::printf("protective:  %s\n", joined(s.protective_factors()).c_str());
  std::printf("study flags: %s\n", joined(s.study_flags()).c_str());
  std::printf("narrative:\n  %s\n", s.narrative().c_str());
  if (!s.decision_note().empty()) std::printf("note:\n  %s\n", s.decision_note().c_str());
  if (static_cast<std::uint32_t>(s.updates_size()) < s.updates_total()) {
    std::printf("updates:     %d of %u shown (--earlier-updates N skips the N most recent)\n",
                s.updates_size(), s.updates_total());
  }
  for (const auto& u : s.updates()) {
    std::printf("update %s (%s):\n  %s\n", format_time_us(u.time_us()).c_str(), u.agency().c_str(),
                u.text().c_str());
  }
  if (s.has_intervention()) {
    std::printf("intervention: %s, outcome %s, agencies %s%s\n",
                format_time_us(s.intervention().occurred_us()).c_str(),
                s.intervention().outcome().c_str(),
                joined(s.intervention().agencies_present()).c_str(),
                s.intervention().amendments() == 0
                    ? ""
                    : (" (amended " + std::to_string(s.intervention().amendments()) +
                       " time(s), last " + format_time_us(s.intervention().amended_us()) + ")")
                          .c_str());
  }
  if (!s.services_mobilized().empty()) {
    std::printf("services:    %s\n", joined(s.services_mobilized()).c_str());
  }
}

int run_submit(const Globals& g, const SituationOptions& o) {
  auto narrative = read_free_text(o.narrative_file);
  if (!narrative.ok()) return usage_failure(narrative.status());
  while (!narrative->empty() && (narrative->back() == '\n' || narrative->back() == '\r')) {
    narrative->pop_back();
  }
  v1::Request req;
  auto* s = req.mutable_submit_situation();
  s->set_table(o.table);
  s->set_situation_type(o.type);
  s->set_age_band(o.age_band);
  s->set_gender(o.gender);
  for (const auto& c : o.risk_factors) s->add_risk_factors(c);
  for (const auto& c : o.protective_factors) s->add_protective_factors(c);
  for (const auto& c : o.study_flags) s->add_study_flags(c);
  s->set_narrative(*narrative);
  s->set_filter1_attested(o.attest);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  const auto& out = r.submit_situation();
  if (g.json) {
    print_json(out);
    return kExitOk;
  }
  std::printf("Submitted %s", out.situation().id().c_str());
  if (out.late_addition()) {
    std::printf(": added late to the agenda of the open meeting %s\n", out.meeting().c_str());
  } else if (!out.meeting().empty()) {
    std::printf(": it will be heard at %s (%s)\n", out.meeting().c_str(),
                out.meeting_local_start().c_str());
  } else {
    std::printf("\n");
  }
  return kExitOk;
}

int run_list(const Globals& g, const SituationOptions& o) {
  v1::Request req;
  auto* l = req.mutable_list_situations();
  l->set_table(o.table);
  for (const auto& s : o.states) {
    std::string upper;
    for (char ch : s) upper += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
    if (upper == "AWAITING") upper = "AWAITING_DECISION";
    v1::SituationState state{};
    if (!v1::SituationState_Parse(upper, &state) || state == v1::SITUATION_STATE_UNSPECIFIED) {
      return usage_failure(absl::InvalidArgumentError(
          "--state must be awaiting, accepted, rejected, withdrawn or closed"));
    }
    l->add_states(state);
  }
  l->set_page_size(kListPage);
  v1::Response r;
  const auto next = [&](const v1::Response& page, v1::Request& more) {
    if (page.list_situations().next_page_token().empty()) return false;
    more = req;
    more.mutable_list_situations()->set_page_token(page.list_situations().next_page_token());
    return true;
  };
  const auto merge = [](v1::Response& all, v1::Response& page) {
    auto* list = all.mutable_list_situations();
    for (auto& s : *page.mutable_list_situations()->mutable_situations()) {
      *list->add_situations() = std::move(s);
    }
    list->clear_next_page_token();
  };
  if (int rc = call_pages(g, req, r, next, merge); rc != kExitOk) return rc;
  const auto& list = r.list_situations();
  if (g.json) {
    print_json(list);
    return kExitOk;
  }
  if (list.situations().empty()) {
    std::printf("No situations\n");
    return kExitOk;
  }
  std::printf("%-12s %-18s %-10s %-12s %-10s %s\n", "SITUATION", "STATE", "TYPE", "AGENCY", "LEAD",
              "NEXT DEADLINE");
  for (const auto& s : list.situations()) {
    std::printf("%-12s %-18s %-10s %-12s %-10s %s\n", s.id().c_str(),
                v1::SituationState_Name(s.state()).c_str(), s.situation_type().c_str(),
                s.originating_agency().c_str(),
                s.lead_agency().empty() ? "-" : s.lead_agency().c_str(), next_deadline(s).c_str());
  }
  return kExitOk;
}

int run_show(const Globals& g, const SituationOptions& o) {
  v1::Request req;
  req.mutable_show_situation()->set_id(o.id);
  req.mutable_show_situation()->set_earlier_updates(o.earlier_updates);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  if (g.json) {
    print_json(r.show_situation());
  } else {
    print_situation(r.show_situation().situation());
  }
  return kExitOk;
}

int run_decide(const Globals& g, const SituationOptions& o) {
  if (static_cast<int>(o.accept) + static_cast<int>(!o.reject.empty()) +
          static_cast<int>(o.undecided) !=
      1) {
    return usage_failure(
        absl::InvalidArgumentError("give exactly one of --accept, --reject or --undecided"));
  }
  if (o.undecided && !o.correct) {
    return usage_failure(
        absl::InvalidArgumentError("--undecided withdraws a decision already made: add --correct"));
  }
  v1::Request req;
  auto* d = req.mutable_decide_situation();
  d->set_id(o.id);
  if (o.accept) {
    d->set_accept(true);
  } else if (o.undecided) {
    d->set_undecided(true);
  } else {
    d->set_reject_reason(o.reject);
  }
  d->set_correct(o.correct);
  d->set_erase_now(o.erase_now);
  if (!o.note_file.empty()) {
    auto note = read_free_text(o.note_file);
    if (!note.ok()) return usage_failure(note.status());
    while (!note->empty() && note->back() == '\n') note->pop_back();
    d->set_note(*note);
  }
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  const auto& s = r.decide_situation().situation();
  const char* corrected = o.correct ? " (corrected)" : "";
  if (g.json) {
    print_json(r.decide_situation());
  } else if (s.state() == v1::ACCEPTED) {
    std::printf("Accepted %s at %s%s: acutely elevated risk\n", s.id().c_str(),
                s.decided_meeting().c_str(), corrected);
  } else if (s.state() == v1::AWAITING_DECISION) {
    std::printf("Decision withdrawn: %s awaits the table's decision again\n", s.id().c_str());
  } else {
    std::printf("Rejected %s (%s)%s: %s\n", s.id().c_str(), s.rejection_reason().c_str(), corrected,
                o.erase_now ? "narrative and factors erased now"
                            : "narrative and factors are erased when the meeting closes; "
                              "until then the chair may correct it (--correct)");
  }
  return kExitOk;
}

int run_amend(const Globals& g, const SituationOptions& o, const CLI::App& cmd) {
  v1::Request req;
  auto* a = req.mutable_amend_situation();
  a->set_id(o.id);
  if (cmd.count("--type") != 0) a->set_situation_type(o.type);
  if (cmd.count("--age-band") != 0) a->set_age_band(o.age_band);
  if (cmd.count("--gender") != 0) a->set_gender(o.gender);
  // A list option given replaces the list; one not given keeps it.
  const std::tuple<const char*, const std::vector<std::string>*, v1::CodeList*> lists[] = {
      {"--risk-factor", &o.risk_factors, a->mutable_risk_factors()},
      {"--protective-factor", &o.protective_factors, a->mutable_protective_factors()},
      {"--study-flag", &o.study_flags, a->mutable_study_flags()}};
  for (const auto& [option, codes, out] : lists) {
    for (const auto& c : *codes) out->add_codes(c);
  }
  if (cmd.count("--risk-factor") == 0) a->clear_risk_factors();
  if (cmd.count("--protective-factor") == 0) a->clear_protective_factors();
  if (cmd.count("--study-flag") == 0) a->clear_study_flags();
  if (!o.narrative_file.empty()) {
    auto narrative = read_free_text(o.narrative_file);
    if (!narrative.ok()) return usage_failure(narrative.status());
    while (!narrative->empty() && (narrative->back() == '\n' || narrative->back() == '\r')) {
      narrative->pop_back();
    }
    a->set_narrative(*narrative);
  }
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  if (g.json) {
    print_json(r.amend_situation());
    return kExitOk;
  }
  std::string changed;
  for (const auto& f : r.amend_situation().changed()) changed += (changed.empty() ? "" : ", ") + f;
  std::printf("Amended %s: %s\n", o.id.c_str(), changed.c_str());
  return kExitOk;
}

int run_withdraw(const Globals& g, const SituationOptions& o) {
  v1::Request req;
  req.mutable_withdraw_situation()->set_id(o.id);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  if (g.json) {
    print_json(r.withdraw_situation());
  } else {
    std::printf("Withdrew %s: narrative and factors discarded\n",
                r.withdraw_situation().situation().id().c_str());
  }
  return kExitOk;
}

}  // namespace

void add_situation_commands(CLI::App& app, Globals& g, Commands& commands) {
  auto opts = std::make_shared<SituationOptions>();  // shared with the runners
  SituationOptions& o = *opts;
  auto* situation = app.add_subcommand("situation", "situations through the four filters");
  situation->require_subcommand(1);

  auto* submit = situation->add_subcommand("submit", "bring a situation to the table (rep)");
  submit->add_option("--type", o.type, "situation_type code")->required();
  submit->add_option("--age-band", o.age_band, "age_band code")->required();
  submit->add_option("--gender", o.gender, "gender code")->required();
  submit->add_option("--risk-factor", o.risk_factors, "risk_factor code (repeat or comma-separate)")
      ->required()
      ->delimiter(',');
  submit->add_option("--protective-factor", o.protective_factors, "protective_factor code")
      ->delimiter(',');
  submit->add_option("--study-flag", o.study_flags, "study_flag code")->delimiter(',');
  submit
      ->add_option("--narrative-file", o.narrative_file,
                   "the de-identified narrative, at most 1,000 characters ('-' for stdin)")
      ->required();
  submit->add_flag(
      "--attest", o.attest,
      "Filter 1: your agency judged this acutely elevated risk and beyond its mandate");

  auto* list = situation->add_subcommand("list", "the table's situations, as your role may see");
  list->add_option("--state", o.states, "awaiting, accepted, rejected, withdrawn or closed")
      ->delimiter(',');
  auto* show = situation->add_subcommand("show", "one situation, as your role may see it");
  show->add_option("--earlier-updates", o.earlier_updates,
                   "skip this many of the most recent status updates (100 are shown)");
  auto* decide =
      situation->add_subcommand("decide", "record the table's Filter-2 decision (chair)");
  decide->add_flag("--accept", o.accept, "the table agrees the risk is acute");
  decide->add_option("--reject", o.reject, "rejection_reason code");
  decide->add_option("--note-file", o.note_file, "a short de-identified note (accept only)");
  decide->add_flag("--correct", o.correct,
                   "change the decision this open meeting already made (audited and minuted)");
  decide->add_flag("--undecided", o.undecided,
                   "with --correct: withdraw the decision; the situation awaits one again");
  decide->add_flag("--erase-now", o.erase_now,
                   "with --reject: erase the narrative now, not when the meeting closes "
                   "(the rejection can then no longer be corrected)");
  auto* withdraw =
      situation->add_subcommand("withdraw", "withdraw before a decision (originating agency)");
  auto* amend = situation->add_subcommand(
      "amend", "correct your agency's situation before the table decides (originating agency)");
  amend->add_option("--type", o.type, "situation_type code");
  amend->add_option("--age-band", o.age_band, "age_band code");
  amend->add_option("--gender", o.gender, "gender code");
  amend->add_option("--risk-factor", o.risk_factors, "risk_factor codes: replace the list")
      ->delimiter(',');
  amend
      ->add_option("--protective-factor", o.protective_factors,
                   "protective_factor codes: replace the list")
      ->delimiter(',');
  amend->add_option("--study-flag", o.study_flags, "study_flag codes: replace the list")
      ->delimiter(',');
  amend->add_option("--narrative-file", o.narrative_file,
                    "the corrected narrative ('-' for stdin); scanned again");
  for (auto* sub : {show, decide, withdraw, amend}) {
    sub->add_option("id", o.id, "situation id, e.g. 7K2M9-X4Q1D")->required();
  }
  for (auto* sub : {submit, list}) sub->add_option("--table", o.table, "table code");

  commands.add(submit,
               "hubtable situation submit --type person --age-band 16-17 --gender f --risk-factor "
               "SUI-RISK,ALC-ABUSE --narrative-file draft.txt --attest",
               [&g, opts] { return run_submit(g, *opts); });
  commands.add(list, "hubtable situation list --state awaiting,accepted",
               [&g, opts] { return run_list(g, *opts); });
  commands.add(show, "hubtable situation show 3", [&g, opts] { return run_show(g, *opts); });
  commands.add(
      decide,
      "hubtable situation decide 3 --accept   (a slip: decide 3 --correct --reject NOT_AER)",
      [&g, opts] { return run_decide(g, *opts); });
  commands.add(withdraw, "hubtable situation withdraw 7K2M9-X4Q1D",
               [&g, opts] { return run_withdraw(g, *opts); });
  commands.add(amend, "hubtable situation amend 7K2M9-X4Q1D --narrative-file draft2.txt",
               [&g, opts, amend] { return run_amend(g, *opts, *amend); });
}

}  // namespace hubtable::cli
