#include "api/filter3_handlers.h"

#include <set>

#include "api/case_input.h"
#include "api/case_record.h"
#include "api/subject.h"
#include "domain/free_text.h"
#include "domain/identity.h"
#include "domain/limits.h"
#include "store/identity_vault.h"
#include "store/participants.h"
#include "store/situations.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::failed;
using domain::invalid;

namespace {

using domain::kJustificationMaxChars;
using domain::kJustificationMinChars;
// How far back a person's earlier situations at the table are found.
constexpr std::int64_t kRepeatWindowUs = 365 * domain::kMicrosPerDay;

std::string join_aliases(const std::vector<std::string>& aliases) {
  std::string out;
  for (const auto& a : aliases) {
    if (!out.empty()) out.push_back('\n');
    out += a;
  }
  return out;
}

/// Opens the sealed identifiers into `out`; `elements` receives the names
/// of the fields disclosed.
absl::Status open_people(store::Connection& c, const crypto::SecretBytes& dek,
                         const std::string& situation_id, v1::RevealSituationResponse& out,
                         std::set<std::string>& elements) {
  auto fields = store::list_sealed_fields(c, situation_id);
  if (!fields.ok()) return fields.status();
  for (const auto& f : *fields) {
    if (f.person < 0 || f.person >= out.people_size()) {
      return absl::DataLossError("a sealed field names a person out of range");
    }
    auto plain = crypto::open_field(
        dek, situation_id, store::person_field(static_cast<std::size_t>(f.person), f.field),
        f.sealed);
    if (!plain.ok()) return plain.status();
    auto* person = out.mutable_people(f.person);
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
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Decision> FilterThree::join(Work& w) {
  auto* out = w.response.mutable_join_situation();
  w.scope.data_elements = {"joined_agencies"};
  return change_case(
      w, "join", domain::Move::kCaseWork, *out->mutable_situation(),
      [&](const Loaded& k) -> absl::StatusOr<Decision> {
        w.scope.filter_stage = 3;
        if (participant_id(k.facts, w.p.agency_code)) {
          out->set_already_joined(true);
          return Decision::allow("join.already_joined");
        }
        if (!k.situation.lead_agency.empty()) {
          return failed("join.lead_assigned",
                        "the chair already assigned the lead: the chair adds a partner agency now");
        }
        auto agency = store::find_agency_id(w.c, w.p.agency_code);
        if (!agency.ok()) return agency.status();
        if (!*agency) return absl::InternalError("a rep's agency is missing");
        if (auto st = store::add_participant(w.c, k.situation.id, **agency, w.p.user_id, w.now_us);
            !st.ok()) {
          return st;
        }
        // The chair's meeting room shows who joined, to name the lead.
        w.tell("situation.joined", k.situation.table_code, k.situation.id, w.p.agency_code,
               "joined by " + w.p.agency_code, Audience{k.situation.table_code, {}, true, false});
        return Decision::allow("join.added");
      });
}

absl::StatusOr<Decision> FilterThree::add_agency(Work& w) {
  const auto& req = w.request.add_agency();
  auto* out = w.response.mutable_add_agency();
  w.scope.data_elements = {"joined_agencies", "assisting_agencies"};
  return change_case(
      w, "add_agency", domain::Move::kCaseWork, *out->mutable_situation(),
      [&](const Loaded& k) -> absl::StatusOr<Decision> {
        if (req.agency().empty()) return invalid("add_agency.missing", "name the agency to add");
        auto standing = store::agency_standing(w.c, req.agency(), k.situation.table_id);
        if (!standing.ok()) return standing.status();
        if (!*standing) {
          return invalid("add_agency.unknown_agency", "there is no agency with that code");
        }
        if (!(*standing)->rep_at_table) {
          return failed("add_agency.not_at_table",
                        "the agency has no rep at this table: the administrator adds one first");
        }
        if (!domain::isa_current((*standing)->isa_signed_on, (*standing)->isa_expires_on,
                                 utc_date(w.now_us))) {
          return failed("add_agency.isa_not_current",
                        "the agency has no current information-sharing agreement");
        }
        if (req.agency() == k.situation.lead_agency) {
          return failed("add_agency.is_lead", "the agency already leads this situation");
        }
        // With a lead named, a partner assists; before, it joins and the
        // chair names roles when assigning the lead.
        const bool assists = !k.situation.lead_agency.empty();
        const char* role = assists ? "ASSISTING" : "JOINED";
        w.scope.target = req.agency() + (assists ? " as assisting" : " as joined");
        if (participant_id(k.facts, req.agency())) {
          if (!assists || domain::contains(k.facts.agencies_with_role("ASSISTING"), req.agency())) {
            out->set_already(true);
            return Decision::allow("add_agency.already");
          }
          if (auto st = store::set_participant_role(w.c, k.situation.id, (*standing)->id, role);
              !st.ok()) {
            return st;
          }
        } else if (auto st = store::add_participant(w.c, k.situation.id, (*standing)->id,
                                                    w.p.user_id, w.now_us, role);
                   !st.ok()) {
          return st;
        }
        Audience told{k.situation.table_code, {req.agency()}, false, false};
        if (!k.situation.lead_agency.empty()) told.agencies.push_back(k.situation.lead_agency);
        w.tell("situation.agency_added", k.situation.table_code, k.situation.id, req.agency(),
               assists ? "added by the chair as an assisting agency"
                       : "added by the chair as a joined agency",
               told);
        return Decision::allow("add_agency.added");
      });
}

absl::StatusOr<Decision> FilterThree::identify(Work& w) {
  const auto& req = w.request.identify_situation();
  const store::SituationRecord& s = w.subject.situation;
  auto existing = store::find_identity(w.c, s.id);
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
  if (auto d = domain::validate_people(people, utc_date(w.now_us)); !d.allowed()) return d;
  auto known = check_required_code(w.c, "legal_authority", req.legal_authority(), s.table_code,
                                   "legal_authority");
  if (!known.ok() || !known->allowed()) return known;

  // The data key: the one planning notes already use, or a new one.
  auto dek = data_key(w.c, vault_, random_, s.id, w.now_us);
  if (!dek.ok()) return dek.status();
  store::NewIdentity n;
  n.situation_id = s.id;
  n.table_id = s.table_id;
  n.record = {static_cast<int>(people.size()), req.legal_authority(), w.now_us, w.p.user_id, {}};
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
      auto sealed = crypto::seal_field(*dek, s.id, store::person_field(i, field),
                                       crypto::as_bytes(value), random_);
      if (!sealed.ok()) return sealed.status();
      n.fields.push_back({static_cast<int>(i), field, std::move(*sealed)});
      elements.insert(field);
    }
    n.blind_indexes.push_back(vault_.blind_index(domain::identity_key(person)));
  }
  auto matches =
      store::repeat_matches(w.c, s.table_id, n.blind_indexes, w.now_us - kRepeatWindowUs, s.id);
  if (!matches.ok()) return matches.status();
  if (auto st = store::insert_identity(w.c, n); !st.ok()) return st;
  w.scope.data_elements.assign(elements.begin(), elements.end());
  w.scope.legal_authority = req.legal_authority();
  w.scope.purpose = "filter3.identification";
  auto* out = w.response.mutable_identify_situation();
  for (const auto& id : *matches) out->add_repeat_situations(id);
  if (auto st = refill(w, *out->mutable_situation()); !st.ok()) return st;
  if (!matches->empty()) {
    const auto& k = w.subject;
    w.tell("situation.repeat_found", k.situation.table_code, k.situation.id, "",
           "the person was in " + std::to_string(matches->size()) +
               " other situation(s) at this table in the last 12 months; reveal to see which",
           Audience{k.situation.table_code, k.facts.joined_agencies(), false, false});
  }
  return w.access().decision;
}

absl::StatusOr<Decision> FilterThree::reveal(Work& w) {
  // Filter 3, or 4 once the lead is named (the subject's stage).
  const std::string& why = w.request.reveal_situation().break_glass_justification();
  const bool break_glass = !why.empty();
  const store::SituationRecord& s = w.subject.situation;
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
  auto identity = store::find_identity(w.c, s.id);
  if (!identity.ok()) return identity.status();
  auto wrapped = store::find_wrapped_key(w.c, s.id);
  if (!wrapped.ok()) return wrapped.status();
  if (!*identity || (*identity)->purged_us || !*wrapped) {
    return failed("reveal.not_identified",
                  "the originating agency has not entered identifiers for this situation");
  }
  auto dek = vault_.unwrap(**wrapped, s.id);
  if (!dek.ok()) return dek.status();
  auto* out = w.response.mutable_reveal_situation();
  out->set_id(s.id);
  out->set_legal_authority((*identity)->legal_authority);
  out->set_originating_agency(s.originating_agency);
  for (int i = 0; i < (*identity)->people; ++i) out->add_people();
  std::set<std::string> elements;
  if (auto st = open_people(w.c, *dek, s.id, *out, elements); !st.ok()) return st;
  auto digests = store::blind_indexes_of(w.c, s.id);
  if (!digests.ok()) return digests.status();
  auto matches = store::repeat_matches(w.c, s.table_id, *digests, w.now_us - kRepeatWindowUs, s.id);
  if (!matches.ok()) return matches.status();
  for (const auto& id : *matches) out->add_repeat_situations(id);
  if (break_glass) {  // last: a refusal above must not name a justification
    store::BreakGlass b{0, s.id, w.p.user_id, w.now_us, {}};
    auto sealed = vault_.seal_justification(store::break_glass_context(s.id, w.p.user_id, w.now_us),
                                            crypto::as_bytes(why), random_);
    if (!sealed.ok()) return sealed.status();
    b.sealed = std::move(*sealed);
    auto id = store::insert_break_glass(w.c, b);
    if (!id.ok()) return id.status();
    w.scope.break_glass_id = static_cast<std::uint64_t>(*id);
  }
  // The disclosure record: who received which elements under which authority.
  w.scope.data_elements.assign(elements.begin(), elements.end());
  w.scope.legal_authority = (*identity)->legal_authority;
  w.scope.purpose = break_glass ? "break_glass" : "filter3.need_to_know";
  return w.access().decision;
}

}  // namespace hubtable::api
