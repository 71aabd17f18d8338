#include <algorithm>
#include <set>

#include "api/situation_handlers.h"

#include "api/agenda_lines.h"
#include "api/case_input.h"
#include "api/page.h"
#include "api/situation_view.h"
#include "domain/limits.h"
#include "store/situations.h"
#include "store/vocabulary.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::failed;
using domain::invalid;

namespace {

using domain::kDefaultListPage;
using domain::kMaxListPage;
using domain::kNarrativeMaxChars;

// A page token names the last situation of a page: "submitted_us/ID".
std::string page_token(const store::SituationCursor& c) {
  return std::to_string(c.submitted_us) + "/" + c.id;
}

std::optional<store::SituationCursor> parse_page_token(const std::string& token) {
  if (token.empty()) return store::SituationCursor{};
  const auto slash = token.find('/');
  if (slash == std::string::npos || slash == 0 || slash > 18) return std::nullopt;
  store::SituationCursor c;
  for (std::size_t i = 0; i < slash; ++i) {
    if (token[i] < '0' || token[i] > '9') return std::nullopt;
    c.submitted_us = c.submitted_us * 10 + (token[i] - '0');
  }
  c.id = normalise_situation_id(token.substr(slash + 1));
  if (c.id.empty()) return std::nullopt;
  return c;
}
using domain::kMaxCodesPerKind;
constexpr const char* kIdAlphabet = kSituationIdAlphabet;
constexpr std::size_t kIdChars = kSituationIdChars;

/// "7K2M9-X4Q1D": 50 random bits, grouped for reading aloud at a meeting.
std::string new_situation_id(crypto::RandomSource& random) {
  std::array<std::uint8_t, kIdChars> bytes{};
  random.fill({bytes.data(), bytes.size()});
  std::string id;
  for (std::size_t i = 0; i < kIdChars; ++i) {
    if (i == kIdChars / 2) id += '-';
    id += kIdAlphabet[bytes[i] & 0x1F];
  }
  return id;
}

absl::StatusOr<Decision> check_codes(store::Connection& c, const std::string& kind,
                                     const google::protobuf::RepeatedPtrField<std::string>& codes,
                                     const std::string& table, std::string_view field) {
  if (codes.size() > kMaxCodesPerKind) {
    return invalid("situation.too_many_codes",
                   std::string(field) + ": at most " + std::to_string(kMaxCodesPerKind) + " codes");
  }
  std::set<std::string> seen;
  for (const auto& code : codes) {
    if (!seen.insert(code).second) {
      return invalid("situation.repeated_code", std::string(field) + ": a code is repeated");
    }
    auto d = check_code(c, kind, code, table, field);
    if (!d.ok() || !d->allowed()) return d;
  }
  return Decision::allow("vocabulary.known");
}

/// The request with its codes spelled as the vocabularies spell them
/// (codes are case-insensitive).
absl::Status canonicalise(store::Connection& c, v1::SubmitSituationRequest& req,
                          const std::string& table) {
  const std::pair<const char*, std::string*> singles[] = {
      {"situation_type", req.mutable_situation_type()},
      {"age_band", req.mutable_age_band()},
      {"gender", req.mutable_gender()}};
  for (const auto& [kind, value] : singles) {
    auto code = canonical_code(c, kind, *value, table);
    if (!code.ok()) return code.status();
    *value = std::move(*code);
  }
  const std::pair<const char*, google::protobuf::RepeatedPtrField<std::string>*> lists[] = {
      {"risk_factor", req.mutable_risk_factors()},
      {"protective_factor", req.mutable_protective_factors()},
      {"study_flag", req.mutable_study_flags()}};
  for (const auto& [kind, codes] : lists) {
    for (auto& value : *codes) {
      auto code = canonical_code(c, kind, value, table);
      if (!code.ok()) return code.status();
      value = std::move(*code);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Decision> validate_submission(store::Connection& c,
                                             const v1::SubmitSituationRequest& req,
                                             const std::string& table) {
  if (!req.filter1_attested()) {
    return failed("situation.filter1_not_attested",
                  "attest that your agency judged the situation acutely elevated risk and beyond "
                  "its own mandate (Filter 1)");
  }
  const std::pair<const char*, const std::string*> singles[] = {
      {"situation_type", &req.situation_type()},
      {"age_band", &req.age_band()},
      {"gender", &req.gender()},
  };
  // Every missing field at once: one round trip to fix them all.
  std::vector<std::string> missing;
  for (const auto& [kind, value] : singles) {
    if (value->empty()) missing.emplace_back(kind);
  }
  if (req.risk_factors().empty()) missing.emplace_back("risk_factors");
  if (req.narrative().empty()) missing.emplace_back("narrative");
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return invalid("situation.missing_field",
                   (missing.size() == 1 ? "required: " : "required, each: ") + list);
  }
  for (const auto& [kind, value] : singles) {
    auto d = check_code(c, kind, *value, table, kind);
    if (!d.ok() || !d->allowed()) return d;
  }
  const std::tuple<const char*, const char*, const google::protobuf::RepeatedPtrField<std::string>*>
      lists[] = {{"risk_factor", "risk_factors", &req.risk_factors()},
                 {"protective_factor", "protective_factors", &req.protective_factors()},
                 {"study_flag", "study_flags", &req.study_flags()}};
  for (const auto& [kind, field, codes] : lists) {
    auto d = check_codes(c, kind, *codes, table, field);
    if (!d.ok() || !d->allowed()) return d;
  }
  auto allowed = store::deid_allow_list(c, {table});
  if (!allowed.ok()) return allowed.status();
  return check_case_text("narrative", req.narrative(), kNarrativeMaxChars, **allowed);
}

}  // namespace

absl::StatusOr<Decision> SituationHandlers::submit(Work& w) {
  v1::SubmitSituationRequest req = w.request.submit_situation();
  if (auto st = canonicalise(w.c, req, w.subject.table); !st.ok()) return st;
  const Principal& p = w.p;
  store::Connection& c = w.c;
  const std::string& code = w.subject.table;
  auto valid = validate_submission(c, req, code);
  if (!valid.ok() || !valid->allowed()) return valid;
  auto table = store::find_table(c, code);
  if (!table.ok()) return table.status();
  if (!*table) return absl::InternalError("a role refers to a missing table");
  auto agency = store::find_agency_id(c, p.agency_code);
  if (!agency.ok()) return agency.status();
  if (!*agency) return absl::InternalError("a rep's agency is missing");
  const std::int64_t now = w.now_us;
  store::SituationRecord s;
  for (int attempt = 0; s.id.empty(); ++attempt) {
    if (attempt == 8) return absl::InternalError("could not draw a fresh situation id");
    std::string id = new_situation_id(random_);
    auto taken = store::situation_exists(c, id);
    if (!taken.ok()) return taken.status();
    if (!*taken) s.id = std::move(id);
  }
  s.table_id = (*table)->id;
  s.table_code = (*table)->code;
  s.originating_agency_id = **agency;
  s.originating_agency = p.agency_code;
  s.submitted_by = p.user_id;
  s.submitted_us = now;
  s.filter1_attested_us = now;
  s.state = domain::SituationState::kAwaitingDecision;
  s.situation_type = req.situation_type();
  s.age_band = req.age_band();
  s.gender = req.gender();
  s.narrative = req.narrative();
  s.risk_factors.assign(req.risk_factors().begin(), req.risk_factors().end());
  s.protective_factors.assign(req.protective_factors().begin(), req.protective_factors().end());
  s.study_flags.assign(req.study_flags().begin(), req.study_flags().end());
  if (auto st = store::insert_situation(c, s); !st.ok()) return st;
  w.scope.situation = s.id;
  w.scope.data_elements = view_elements(domain::RecordView::kDeidentified);
  auto* out = w.response.mutable_submit_situation();
  auto open = store::find_open_meeting(c, s.table_id);
  if (!open.ok()) return open.status();
  auto sched = schedule_of(**table);
  if (!sched.ok()) return sched.status();
  if (*open) {
    // The table is sitting: the situation joins today's agenda, marked late.
    if (auto st = append_late_item(c, **open, s.id, domain::AgendaSection::kNew); !st.ok()) {
      return st;
    }
    out->set_meeting((*open)->id);
    out->set_meeting_local_start(sched->local_label((*open)->scheduled_start_us));
    out->set_late_addition(true);
  } else if (auto next = sched->upcoming(now, 1); !next.empty()) {
    out->set_meeting(domain::meeting_id(s.table_code, next.front()));
    out->set_meeting_local_start(next.front().local_start);
  }
  fill_situation(s, domain::RecordView::kDeidentified, nullptr, now, *out->mutable_situation());
  return w.access().decision;
}

absl::StatusOr<Decision> SituationHandlers::list(Work& w) {
  const auto& req = w.request.list_situations();
  store::Connection& c = w.c;
  const domain::Access& access = w.access();
  std::vector<domain::SituationState> states;
  for (int s : req.states()) {
    auto state = from_wire(s);
    if (!state) return invalid("situation.bad_state", "unknown situation state");
    states.push_back(*state);
  }
  if (access.view == domain::RecordView::kAgendaLine) {
    // A guest sees what comes up at meetings, nothing that has left the table.
    std::vector<domain::SituationState> live;
    for (auto s : domain::all_states()) {
      if (domain::before_the_table(s) &&
          (states.empty() || std::find(states.begin(), states.end(), s) != states.end())) {
        live.push_back(s);
      }
    }
    if (live.empty()) return access.decision;
    states = std::move(live);
  }
  if (req.page_size() > kMaxListPage) {
    return invalid("situation.page_too_large",
                   "a page holds at most " + std::to_string(kMaxListPage) + " situations");
  }
  auto cursor = parse_page_token(req.page_token());
  if (!cursor) {
    return invalid("situation.bad_page_token",
                   "page_token is not one this server gave (start again without it)");
  }
  auto table = store::find_table(c, w.subject.table);
  if (!table.ok()) return table.status();
  if (!*table) return absl::InternalError("a role refers to a missing table");
  const std::size_t wanted = req.page_size() == 0 ? kDefaultListPage : req.page_size();
  // One more than asked: whether another page follows.
  auto rows = store::list_situations(c, (*table)->id, states, *cursor, wanted + 1);
  if (!rows.ok()) return rows.status();
  w.scope.data_elements = view_elements(access.view);
  auto* out = w.response.mutable_list_situations();
  const std::int64_t now = w.now_us;
  Page page(wanted, Page::byte_budget(limits_));
  for (const auto& s : *rows) {
    auto facts = load_case_facts(c, s);
    if (!facts.ok()) return facts.status();
    auto* line = out->add_situations();
    fill_situation(s, access.view, &*facts, now, *line);
    if (!page.take(line->ByteSizeLong())) {
      out->mutable_situations()->RemoveLast();
      const auto& last = (*rows)[page.rows() - 1];
      out->set_next_page_token(page_token({last.submitted_us, last.id}));
      break;
    }
  }
  return access.decision;
}

absl::StatusOr<Decision> SituationHandlers::show(Work& w) {
  const domain::RecordView view = w.access().view;
  w.scope.data_elements = view_elements(view);
  auto facts = load_case_facts(w.c, w.subject.situation);
  if (!facts.ok()) return facts.status();
  facts->earlier_updates = w.request.show_situation().earlier_updates();
  fill_situation(w.subject.situation, view, &*facts, w.now_us,
                 *w.response.mutable_show_situation()->mutable_situation());
  return w.access().decision;
}

absl::StatusOr<Decision> SituationHandlers::withdraw(Work& w) {
  const store::SituationRecord& s = w.subject.situation;
  store::Connection& c = w.c;
  if (auto move = domain::allow_move(s.state, domain::Move::kWithdraw); !move.allowed()) {
    return move;
  }
  const auto withdrawn = domain::after(s.state, domain::Move::kWithdraw);
  if (auto st = store::minimise_situation(c, s.id, withdrawn, "", "", w.p.user_id, w.now_us);
      !st.ok()) {
    return st;
  }
  auto open = store::find_open_meeting(c, s.table_id);
  if (!open.ok()) return open.status();
  if (*open) {
    w.scope.meeting = (*open)->id;
    // Shown on today's agenda as withdrawn when it was on it.
    auto listed = store::agenda_lists(c, (*open)->id, s.id);
    if (!listed.ok()) return listed.status();
    if (*listed) {
      if (auto st = store::set_agenda_outcome(c, (*open)->id, s.id, withdrawn); !st.ok()) {
        return st;
      }
    }
  }
  w.scope.data_elements = {"state"};
  auto stored = store::find_situation(c, s.id);
  if (!stored.ok()) return stored.status();
  fill_situation(**stored, domain::RecordView::kDeidentified, nullptr, w.now_us,
                 *w.response.mutable_withdraw_situation()->mutable_situation());
  w.after.erased = true;
  return w.access().decision;
}

absl::StatusOr<Decision> SituationHandlers::amend(Work& w) {
  const auto& req = w.request.amend_situation();
  store::SituationRecord s = w.subject.situation;
  if (auto move = domain::allow_move(s.state, domain::Move::kAmend); !move.allowed()) return move;
  // The record as amended, checked as a submission is.
  v1::SubmitSituationRequest merged;
  merged.set_filter1_attested(true);
  merged.set_situation_type(req.has_situation_type() ? req.situation_type() : s.situation_type);
  merged.set_age_band(req.has_age_band() ? req.age_band() : s.age_band);
  merged.set_gender(req.has_gender() ? req.gender() : s.gender);
  merged.set_narrative(req.has_narrative() ? req.narrative() : s.narrative);
  auto codes = [](const v1::CodeList* given, const std::vector<std::string>& kept,
                  google::protobuf::RepeatedPtrField<std::string>* out) {
    if (given != nullptr) {
      *out = given->codes();
    } else {
      out->Add(kept.begin(), kept.end());
    }
  };
  codes(req.has_risk_factors() ? &req.risk_factors() : nullptr, s.risk_factors,
        merged.mutable_risk_factors());
  codes(req.has_protective_factors() ? &req.protective_factors() : nullptr, s.protective_factors,
        merged.mutable_protective_factors());
  codes(req.has_study_flags() ? &req.study_flags() : nullptr, s.study_flags,
        merged.mutable_study_flags());
  if (auto st = canonicalise(w.c, merged, s.table_code); !st.ok()) return st;
  auto valid = validate_submission(w.c, merged, s.table_code);
  if (!valid.ok() || !valid->allowed()) return valid;
  // What changed, by field name: the audit keeps that, never a value.
  auto sorted = [](auto list) {
    std::vector<std::string> v(list.begin(), list.end());
    std::sort(v.begin(), v.end());
    return v;
  };
  std::vector<std::string> changed;
  auto* out = w.response.mutable_amend_situation();
  const std::tuple<const char*, bool> fields[] = {
      {"situation_type", merged.situation_type() != s.situation_type},
      {"age_band", merged.age_band() != s.age_band},
      {"gender", merged.gender() != s.gender},
      {"risk_factors", sorted(merged.risk_factors()) != sorted(s.risk_factors)},
      {"protective_factors", sorted(merged.protective_factors()) != sorted(s.protective_factors)},
      {"study_flags", sorted(merged.study_flags()) != sorted(s.study_flags)},
      {"narrative", merged.narrative() != s.narrative}};
  for (const auto& [name, differs] : fields) {
    if (differs) changed.emplace_back(name);
  }
  if (changed.empty()) return invalid("amend.unchanged", "the amendment changes nothing");
  s.situation_type = merged.situation_type();
  s.age_band = merged.age_band();
  s.gender = merged.gender();
  s.narrative = merged.narrative();
  s.risk_factors = sorted(merged.risk_factors());
  s.protective_factors = sorted(merged.protective_factors());
  s.study_flags = sorted(merged.study_flags());
  if (auto st = store::amend_situation(w.c, s, w.now_us); !st.ok()) return st;
  w.scope.data_elements = changed;
  w.scope.purpose = "situation.amendment";
  std::string target = "changed";
  for (const auto& f : changed) {
    target += " " + f;
    out->add_changed(f);
  }
  w.scope.target = target;
  fill_situation(s, domain::RecordView::kDeidentified, nullptr, w.now_us,
                 *out->mutable_situation());
  return w.access().decision;
}

}  // namespace hubtable::api
