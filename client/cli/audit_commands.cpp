// hubtable audit {query,access-report,disclosures}: who saw what, when, under
// which authority; {checkpoint,verify,prove}: the privacy officer's proof that
// the audit log was not altered, deleted, reordered or rolled back; and
// alerts: what the server flagged for the privacy officers.
//
// Nothing here trusts the server: signatures are checked with the audit key
// pinned in the profile (audit-signing.pub, or --key), followed through the
// log's key rotations (crypto/key_chain.h); consistency proofs and the tree
// are recomputed here.

#include <absl/time/civil_time.h>
#include <absl/time/time.h>
#include <google/protobuf/struct.pb.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "absl/strings/ascii.h"

#include "cli/output.h"
#include "cli/session.h"
#include "crypto/checkpoint.h"
#include "crypto/key_chain.h"
#include "crypto/log_verifier.h"
#include "crypto/merkle.h"
#include "lib/log_pages.h"
#include "wire/alert_text.h"
#include "wire/audit_leaf.h"
#include "wire/checkpoint_wire.h"

namespace hubtable::cli {

namespace v1 = hubtable::v1;
namespace fs = std::filesystem;

namespace {

struct AuditOptions {
  std::string table;
  std::string user;
  std::string agency;
  std::string situation;
  std::string meeting;
  std::string action;
  std::string outcome;
  std::string from;
  std::string to;
  int limit = 0;
  bool all = false;
  std::uint64_t sequence = 0;
  std::string checkpoint_file;
  std::string save;
  std::string since;
  std::string key;
  std::string kind;
  bool no_report = false;
  std::string people_file;
  std::string reason_file;
};

// Verification failed: the log cannot be trusted. Exit 1, as a refusal.
int verification_failure(const std::string& what) {
  std::fprintf(stderr, "hubtable: audit log FAILED verification: %s\n", what.c_str());
  return kExitRefused;
}

absl::StatusOr<crypto::CheckpointVerifier> load_key(const AuditOptions& o, const Session& s) {
  const fs::path path = o.key.empty() ? s.profile.dir / "audit-signing.pub" : fs::path(o.key);
  auto pem = read_text(path.string());
  if (!pem.ok()) {
    return absl::InvalidArgumentError("no audit public key: " + path.string() +
                                      " is missing (pass --key FILE)");
  }
  return crypto::CheckpointVerifier::from_public_pem(*pem);
}

using wire::from_wire;

// The audit keys, followed from the pinned one through the rotations the
// server lists; a rotation that does not verify leaves a chain that names
// the problem and verifies nothing.
absl::StatusOr<crypto::AuditKeyChain> follow_keys(
    const crypto::CheckpointVerifier& pinned,
    const google::protobuf::RepeatedPtrField<v1::SignedCheckpoint>& rotations) {
  std::vector<crypto::SignedCheckpoint> list;
  for (const auto& r : rotations) {
    auto cp = from_wire(r);
    if (!cp.ok()) return cp.status();
    list.push_back(std::move(*cp));
  }
  return crypto::AuditKeyChain::follow(pinned, std::move(list));
}

// The same, with a problem in the chain as the error.
absl::StatusOr<crypto::AuditKeyChain> trusted_keys(
    const crypto::CheckpointVerifier& pinned,
    const google::protobuf::RepeatedPtrField<v1::SignedCheckpoint>& rotations) {
  auto keys = follow_keys(pinned, rotations);
  if (keys.ok() && keys->problem()) return absl::DataLossError(keys->problem()->what);
  return keys;
}

// Says so when checkpoints are no longer signed by the pinned key.
void print_rotations(const crypto::AuditKeyChain& keys, const crypto::CheckpointVerifier& pinned) {
  const auto sizes = keys.rotation_sizes();
  if (sizes.empty() || keys.current().public_key() == pinned.public_key()) return;
  std::printf(
      "The audit key was rotated at tree size %llu; followed from the key you pinned to the one "
      "that signs now (%s)\n",
      static_cast<unsigned long long>(sizes.back()), keys.current().fingerprint().c_str());
}

absl::StatusOr<std::optional<crypto::SignedCheckpoint>> read_saved(const std::string& path) {
  if (path.empty()) return std::nullopt;
  auto text = read_text(path);
  if (!text.ok()) return text.status();
  auto parsed = crypto::parse_note(*text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(path + ": " + std::string(parsed.status().message()));
  }
  return std::optional<crypto::SignedCheckpoint>(std::move(*parsed));
}

// Writes `text` beside `path` and renames it over, so a saved checkpoint is
// never half-written.
absl::Status write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
    out << text;
    if (!out) return absl::InternalError("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return absl::InternalError("cannot write " + path + ": " + ec.message());
  return absl::OkStatus();
}

std::string hex_prefix(const crypto::Digest& d) { return crypto::to_hex(d).substr(0, 16); }

int run_checkpoint(const Globals& g, const AuditOptions& o) {
  Session s;
  if (int rc = open_session(g, s, true); rc != kExitOk) return rc;
  auto key = load_key(o, s);
  if (!key.ok()) return usage_failure(key.status());
  // The one saved before, if the file exists: the new one must extend it.
  std::optional<crypto::SignedCheckpoint> previous;
  if (!o.save.empty() && fs::exists(o.save)) {
    auto saved = read_saved(o.save);
    if (!saved.ok()) return usage_failure(saved.status());
    previous = std::move(*saved);
  }
  v1::Request req;
  auto* c = req.mutable_audit_checkpoint();
  c->set_table(o.table);
  if (previous) c->set_from_size(previous->checkpoint.tree_size);
  v1::Response r;
  if (int rc = call_in(s, req, r); rc != kExitOk) return rc;
  auto latest = from_wire(r.audit_checkpoint().checkpoint());
  if (!latest.ok()) return verification_failure(std::string(latest.status().message()));
  auto keys = trusted_keys(*key, r.audit_checkpoint().key_rotations());
  if (!keys.ok()) return verification_failure(std::string(keys.status().message()));
  if (previous && !keys->verify(*previous)) {
    return verification_failure(o.save + " is not signed by this audit key");
  }
  if (!keys->verify(*latest)) {
    return verification_failure("the latest checkpoint is not signed by the audit key");
  }
  if (previous) {
    std::vector<crypto::Digest> proof;
    for (const auto& h : r.audit_checkpoint().consistency_proof()) {
      auto d = crypto::to_array<32>(h);
      if (!d) return verification_failure("malformed proof");
      proof.push_back(*d);
    }
    if (!crypto::merkle::verify_consistency(previous->checkpoint.tree_size,
                                            latest->checkpoint.tree_size, previous->checkpoint.root,
                                            latest->checkpoint.root, proof)) {
      return verification_failure("the log of " + std::to_string(latest->checkpoint.tree_size) +
                                  " events does not extend the saved checkpoint of " +
                                  std::to_string(previous->checkpoint.tree_size) +
                                  ": it was rewritten or rolled back");
    }
  }
  if (!o.save.empty()) {
    if (auto st = write_atomically(o.save, crypto::to_note(*latest)); !st.ok()) {
      return usage_failure(st);
    }
  }
  if (g.json) {
    print_json(r.audit_checkpoint());
    return kExitOk;
  }
  std::printf("Checkpoint: %llu events, root %s…, signed %s by %s\n",
              static_cast<unsigned long long>(latest->checkpoint.tree_size),
              hex_prefix(latest->checkpoint.root).c_str(),
              format_time_seconds(latest->checkpoint.time_us).c_str(),
              latest->checkpoint.origin.c_str());
  if (previous) {
    std::printf("Consistent with the saved checkpoint of %llu events\n",
                static_cast<unsigned long long>(previous->checkpoint.tree_size));
  }
  print_rotations(*keys, *key);
  if (!o.save.empty()) std::printf("Saved to %s\n", o.save.c_str());
  return kExitOk;
}

void print_event_line(const v1::AuditEvent& e);

// One event's inclusion in a signed checkpoint, proved here.
int run_prove(const Globals& g, const AuditOptions& o) {
  Session s;
  if (int rc = open_session(g, s, true); rc != kExitOk) return rc;
  auto key = load_key(o, s);
  if (!key.ok()) return usage_failure(key.status());
  auto pinned = read_saved(o.checkpoint_file);
  if (!pinned.ok()) return usage_failure(pinned.status());
  v1::Request req;
  auto* p = req.mutable_audit_proof();
  p->set_table(o.table);
  p->set_sequence(o.sequence);
  if (*pinned) p->set_tree_size((*pinned)->checkpoint.tree_size);
  v1::Response r;
  if (int rc = call_in(s, req, r); rc != kExitOk) return rc;
  const auto& proof = r.audit_proof();
  auto cp = from_wire(proof.checkpoint());
  if (!cp.ok()) return verification_failure(std::string(cp.status().message()));
  auto keys = trusted_keys(*key, proof.key_rotations());
  if (!keys.ok()) return verification_failure(std::string(keys.status().message()));
  if (!keys->verify(*cp)) {
    return verification_failure("the checkpoint is not signed by the audit key");
  }
  if (*pinned && cp->checkpoint.root != (*pinned)->checkpoint.root) {
    return verification_failure("the server's checkpoint differs from " + o.checkpoint_file);
  }
  auto leaf = crypto::to_array<32>(proof.leaf_hash());
  if (!leaf) return verification_failure("malformed leaf hash");
  if (!proof.event().empty()) {
    if (auto problem =
            wire::audit_event_problem(o.sequence, proof.event().data(), proof.event().size())) {
      return verification_failure(*problem);
    }
    if (crypto::merkle::leaf_hash(crypto::as_bytes(proof.event())) != *leaf) {
      return verification_failure("the event does not match its leaf hash");
    }
  }
  std::vector<crypto::Digest> path;
  for (const auto& h : proof.inclusion_proof()) {
    auto d = crypto::to_array<32>(h);
    if (!d) return verification_failure("malformed proof");
    path.push_back(*d);
  }
  if (!crypto::merkle::verify_inclusion(o.sequence - 1, cp->checkpoint.tree_size, *leaf, path,
                                        cp->checkpoint.root)) {
    return verification_failure("event " + std::to_string(o.sequence) +
                                " is not in the log the checkpoint signs");
  }
  if (g.json) {
    print_json(proof);
    return kExitOk;
  }
  std::printf("Event %llu is in the log of %llu events signed %s (proof of %d hashes)\n",
              static_cast<unsigned long long>(o.sequence),
              static_cast<unsigned long long>(cp->checkpoint.tree_size),
              format_time_seconds(cp->checkpoint.time_us).c_str(), proof.inclusion_proof_size());
  if (!proof.event().empty()) {
    v1::AuditEvent e;
    e.ParseFromString(proof.event());
    print_event_line(e);
  }
  return kExitOk;
}

// Tells the server the log failed here, so the other privacy officers are
// alerted (a log rolled back whole looks consistent to the server itself).
// Only the problem's class and positions are sent. Best effort: the failure
// is reported to the person either way.
void report_failure(Session& s, const AuditOptions& o, const crypto::LogVerifier::Problem& p,
                    std::uint64_t size) {
  if (o.no_report) return;
  v1::Request req;
  auto* rep = req.mutable_audit_report_failure();
  rep->set_table(o.table);
  rep->set_first_bad(p.first);
  rep->set_last_bad(p.last);
  rep->set_problem(std::string(crypto::problem_class(p.what)));
  rep->set_tree_size(size);
  v1::Response r;
  if (call_in(s, req, r) == kExitOk) {
    std::fprintf(stderr, "hubtable: reported to the server (alert %llu)\n",
                 static_cast<unsigned long long>(r.audit_report_failure().alert_sequence()));
  }
}

int run_verify(const Globals& g, const AuditOptions& o) {
  Session s;
  if (int rc = open_session(g, s, true); rc != kExitOk) return rc;
  auto key = load_key(o, s);
  if (!key.ok()) return usage_failure(key.status());
  auto saved = read_saved(o.since);
  if (!saved.ok()) return usage_failure(saved.status());
  // Made once the first page has named the key rotations to follow.
  std::optional<crypto::LogVerifier> verifier;
  std::uint64_t readable = 0;
  client::LogPages pages(*s.connection, o.table);
  for (bool last = false; !last && (!verifier || verifier->ok());) {
    const auto r = pages.next();
    if (int rc = take_answer(s, r); rc != kExitOk) return rc;
    const auto& log = r->audit_log();
    if (!verifier) {
      auto keys = follow_keys(*key, log.key_rotations());
      if (!keys.ok()) return verification_failure(std::string(keys.status().message()));
      verifier.emplace(std::move(*keys), *saved);
      if (!verifier->ok()) break;
    }
    last = log.last_page() || log.entries().empty();
    for (const auto& c : log.checkpoints()) {
      auto cp = from_wire(c);
      if (!cp.ok()) return verification_failure(std::string(cp.status().message()));
      verifier->add_checkpoint(std::move(*cp));
    }
    for (const auto& e : log.entries()) {
      crypto::Digest leaf{};
      if (!e.event().empty()) {
        if (auto problem =
                wire::audit_event_problem(e.sequence(), e.event().data(), e.event().size())) {
          verifier->fail(e.sequence(), e.sequence(), *problem);
          break;
        }
        leaf = crypto::merkle::leaf_hash(crypto::as_bytes(e.event()));
        ++readable;
      } else if (auto given = crypto::to_array<32>(e.leaf_hash())) {
        leaf = *given;
      } else {
        verifier->fail(e.sequence(), e.sequence(),
                       "the server sent neither the event nor its hash");
        break;
      }
      if (!verifier->add(e.sequence(), leaf)) break;
    }
  }
  crypto::LogVerifier& v = *verifier;
  v.finish();
  if (g.json) {
    google::protobuf::Struct out;
    auto& f = *out.mutable_fields();
    f["verified"].set_bool_value(v.ok());
    f["events"].set_number_value(static_cast<double>(v.size()));
    f["readable_events"].set_number_value(static_cast<double>(readable));
    f["checkpoints_verified"].set_number_value(static_cast<double>(v.checkpoints_verified()));
    f["signed_size"].set_number_value(static_cast<double>(v.signed_size()));
    f["saved_checkpoint_checked"].set_bool_value(v.saved_checked());
    f["key_rotations_followed"].set_number_value(static_cast<double>(v.rotations_verified()));
    if (const auto& p = v.problem()) {
      report_failure(s, o, *p, v.size());
      f["first_bad"].set_number_value(static_cast<double>(p->first));
      f["last_bad"].set_number_value(static_cast<double>(p->last));
      f["problem"].set_string_value(p->what);
    }
    print_json(out);
    return v.ok() ? kExitOk : kExitRefused;
  }
  if (const auto& p = v.problem()) {
    report_failure(s, o, *p, v.size());
    return verification_failure(crypto::describe_positions(*p) + ": " + p->what);
  }
  std::printf(
      "Verified %llu events (%llu readable by you, the rest by hash), %llu signed "
      "checkpoints\n",
      static_cast<unsigned long long>(v.size()), static_cast<unsigned long long>(readable),
      static_cast<unsigned long long>(v.checkpoints_verified()));
  if (v.rotations_verified() > 0) {
    std::printf("Followed %llu rotation(s) of the audit key, each signed by both keys\n",
                static_cast<unsigned long long>(v.rotations_verified()));
  }
  if (v.signed_size() < v.size()) {
    std::printf("%llu event(s) after the last checkpoint are not signed yet\n",
                static_cast<unsigned long long>(v.size() - v.signed_size()));
  }
  if (*saved) {
    std::printf("Consistent with the saved checkpoint of %llu events\n",
                static_cast<unsigned long long>((*saved)->checkpoint.tree_size));
  }
  return kExitOk;
}

// --from and --to, as microseconds (0: open-ended).
absl::StatusOr<std::pair<std::int64_t, std::int64_t>> parse_range(const Globals& g,
                                                                  const AuditOptions& o) {
  auto from = parse_bound(g, o.from, "--from");
  if (!from.ok()) return from.status();
  auto to = parse_bound(g, o.to, "--to");
  if (!to.ok()) return to.status();
  return std::make_pair(*from, *to);
}

std::string outcome_name(v1::AuditOutcome o) {
  switch (o) {
    case v1::AUDIT_OK:
      return "ok";
    case v1::AUDIT_DENIED:
      return "DENIED";
    case v1::AUDIT_ERROR:
      return "ERROR";
    case v1::AUDIT_INCOMPLETE:
      return "step";
    default:
      return "?";
  }
}

std::string joined(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

void print_event_line(const v1::AuditEvent& e) {
  std::string who = e.actor().username().empty() ? "(server)" : e.actor().username();
  if (!e.actor().agency().empty()) who += "/" + e.actor().agency();
  std::string what = e.situation().empty() ? e.meeting() : e.situation();
  if (!e.target().empty()) what += (what.empty() ? "" : " ") + std::string("→ ") + e.target();
  std::printf("%7llu  %s  %-24s %-28s %-7s %-32s %s", static_cast<unsigned long long>(e.sequence()),
              format_time_seconds(e.time_us()).c_str(), who.c_str(), e.action().c_str(),
              outcome_name(e.outcome()).c_str(), e.rule().c_str(), what.c_str());
  if (e.data_elements_size() > 0) std::printf("  [%s]", joined(e.data_elements()).c_str());
  if (!e.legal_authority().empty()) std::printf("  authority %s", e.legal_authority().c_str());
  std::printf("\n");
}

// Pages through the query; every page when `all`, else the first.
int run_query(const Globals& g, const AuditOptions& o, bool report) {
  auto range = parse_range(g, o);
  if (!range.ok()) return usage_failure(range.status());
  const auto [from, to] = *range;
  v1::AuditOutcome outcome = v1::AUDIT_OUTCOME_UNSPECIFIED;
  if (!o.outcome.empty()) {
    const std::string upper = "AUDIT_" + absl::AsciiStrToUpper(o.outcome);
    if (!v1::AuditOutcome_Parse(upper, &outcome)) {
      return usage_failure(
          absl::InvalidArgumentError("--outcome is ok, denied, error or incomplete"));
    }
  }
  Session s;
  if (int rc = open_session(g, s, true); rc != kExitOk) return rc;
  v1::AuditQueryResponse all;
  std::uint64_t after = 0;
  do {
    v1::Request req;
    auto* q = req.mutable_audit_query();
    q->set_table(o.table);
    q->set_user(o.user);
    q->set_agency(o.agency);
    q->set_situation(o.situation);
    q->set_meeting(o.meeting);
    q->set_action(o.action);
    q->set_outcome(outcome);
    q->set_from_us(from);
    q->set_to_us(to);
    q->set_after_sequence(after);
    q->set_limit(static_cast<std::uint32_t>(o.limit));
    v1::Response r;
    if (int rc = call_in(s, req, r); rc != kExitOk) return rc;
    for (auto& e : *r.mutable_audit_query()->mutable_events()) *all.add_events() = std::move(e);
    after = r.audit_query().next_after();
    all.set_next_after(after);
  } while ((o.all || report) && after != 0);
  if (g.json) {
    print_json(all);
    return kExitOk;
  }
  if (report) {
    std::printf("Access report for %s%s%s%s%s: %d event(s)\n", o.user.c_str(),
                o.from.empty() ? "" : " from ", o.from.c_str(), o.to.empty() ? "" : " to ",
                o.to.c_str(), all.events_size());
    std::map<std::string, int> by_action;
    for (const auto& e : all.events()) {
      ++by_action[e.action() + (e.outcome() == v1::AUDIT_OK ? "" : " (refused)")];
    }
    for (const auto& [action, n] : by_action) std::printf("  %5d  %s\n", n, action.c_str());
    std::printf("\n");
  }
  for (const auto& e : all.events()) print_event_line(e);
  if (all.next_after() != 0) {
    std::printf("(more: add --all, or continue after sequence %llu)\n",
                static_cast<unsigned long long>(all.next_after()));
  }
  return kExitOk;
}

void print_disclosure(const v1::Disclosure& x) {
  std::printf("%7llu  %s  %s/%s (%s)  %s  filter %u  authority %s  [%s]\n",
              static_cast<unsigned long long>(x.sequence()),
              format_time_seconds(x.time_us()).c_str(), x.recipient().username().c_str(),
              x.recipient().agency().c_str(), v1::Role_Name(x.recipient().role()).c_str(),
              x.action().c_str(), x.filter_stage(), x.legal_authority().c_str(),
              joined(x.data_elements()).c_str());
}

int run_disclosures(const Globals& g, const AuditOptions& o) {
  v1::Request req;
  req.mutable_audit_disclosures()->set_situation(o.situation);
  req.mutable_audit_disclosures()->set_limit(1000);
  v1::Response r;
  const auto next = [&](const v1::Response& page, v1::Request& more) {
    if (page.audit_disclosures().next_after() == 0) return false;
    more = req;
    more.mutable_audit_disclosures()->set_after_sequence(page.audit_disclosures().next_after());
    return true;
  };
  const auto merge = [](v1::Response& all, v1::Response& page) {
    auto* d = all.mutable_audit_disclosures();
    for (auto& x : *page.mutable_audit_disclosures()->mutable_disclosures()) {
      *d->add_disclosures() = std::move(x);
    }
    d->set_next_after(0);
  };
  if (int rc = call_pages(g, req, r, next, merge); rc != kExitOk) return rc;
  const auto& d = r.audit_disclosures();
  if (g.json) {
    print_json(d);
    return kExitOk;
  }
  std::printf("Disclosure register of %s: %d disclosure(s)\n", d.situation().c_str(),
              d.disclosures_size());
  for (const auto& x : d.disclosures()) print_disclosure(x);
  return kExitOk;
}

// A person's request for access: which of the table's situations hold them
// and who received what about them. The names and date of birth come from a
// file, never the command line (where the shell's history would keep them).
int run_access_request(const Globals& g, const AuditOptions& o) {
  auto people = read_people(o.people_file);
  if (!people.ok()) return usage_failure(people.status());
  auto reason = read_free_text(o.reason_file);
  if (!reason.ok()) return usage_failure(reason.status());
  while (!reason->empty() && (reason->back() == '\n' || reason->back() == ' ')) reason->pop_back();
  v1::Request req;
  auto* a = req.mutable_audit_access_statement();
  a->set_table(o.table);
  for (const auto& p : *people) {
    auto* person = a->add_people();
    person->set_name(p.name());
    person->set_date_of_birth(p.date_of_birth());
  }
  a->set_reason(*reason);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  const auto& s = r.audit_access_statement();
  if (g.json) {
    print_json(s);
    return kExitOk;
  }
  if (s.situations().empty()) {
    std::printf(
        "No situation at table %s holds a person of that name and date of birth. (A situation "
        "whose identifiers were shredded when its retention ended can no longer be found.)\n",
        s.table().c_str());
    return kExitOk;
  }
  std::printf("Access request statement, table %s: %d situation(s) hold the person\n",
              s.table().c_str(), s.situations_size());
  for (const auto& x : s.situations()) {
    std::printf("\nSituation %s, submitted %s: %d disclosure(s)\n", x.situation().c_str(),
                format_time_seconds(x.submitted_us()).c_str(), x.disclosures_size());
    for (const auto& d : x.disclosures()) print_disclosure(d);
  }
  if (!s.complete()) {
    std::printf(
        "\nThe registers did not all fit one answer: `hubtable audit disclosures ID` lists a "
        "situation's whole register.\n");
  }
  return kExitOk;
}

int run_alerts(const Globals& g, const AuditOptions& o) {
  auto range = parse_range(g, o);
  if (!range.ok()) return usage_failure(range.status());
  const auto [from, to] = *range;
  Session s;
  if (int rc = open_session(g, s, true); rc != kExitOk) return rc;
  v1::AuditAlertsResponse all;
  std::uint64_t after = 0;
  do {
    v1::Request req;
    auto* q = req.mutable_audit_alerts();
    q->set_table(o.table);
    q->set_kind(o.kind);
    q->set_from_us(from);
    q->set_to_us(to);
    q->set_after_sequence(after);
    q->set_limit(static_cast<std::uint32_t>(o.limit));
    v1::Response r;
    if (int rc = call_in(s, req, r); rc != kExitOk) return rc;
    for (auto& a : *r.mutable_audit_alerts()->mutable_alerts()) *all.add_alerts() = std::move(a);
    after = r.audit_alerts().next_after();
    all.set_next_after(after);
  } while (o.all && after != 0);
  if (g.json) {
    print_json(all);
    return kExitOk;
  }
  if (all.alerts().empty()) std::printf("No alerts.\n");
  for (const auto& a : all.alerts()) {
    const auto& e = a.event();
    std::printf("%7llu  %s  %-19s %s\n", static_cast<unsigned long long>(e.sequence()),
                format_time_seconds(e.time_us()).c_str(), e.alert().kind().c_str(),
                wire::alert_text(e).c_str());
    if (!a.justification().empty()) {
      std::printf("         justification: %s\n", a.justification().c_str());
    }
  }
  if (all.next_after() != 0) {
    std::printf("(more: add --all, or continue after sequence %llu)\n",
                static_cast<unsigned long long>(all.next_after()));
  }
  return kExitOk;
}

}  // namespace

void add_audit_commands(CLI::App& app, Globals& g, Commands& commands) {
  auto opts = std::make_shared<AuditOptions>();
  AuditOptions& o = *opts;
  auto* audit = app.add_subcommand("audit", "the audit log (privacy officers, chairs)");
  audit->require_subcommand(1);
  auto* checkpoint = audit->add_subcommand(
      "checkpoint",
      "fetch the latest signed checkpoint; with --save, keep it (and prove the "
      "log extends the one kept before)");
  checkpoint->add_option("--save", o.save, "file to keep the checkpoint in");
  auto* verify = audit->add_subcommand(
      "verify", "recompute the whole log's tree and check every signed checkpoint");
  verify->add_option("--since", o.since, "a checkpoint kept earlier with `checkpoint --save`")
      ->check(CLI::ExistingFile);
  verify->add_flag("--no-report", o.no_report,
                   "on failure, do not alert the other privacy officers through the server");
  auto* prove = audit->add_subcommand(
      "prove", "prove that one event is in the signed log (RFC 6962 inclusion proof)");
  prove->add_option("sequence", o.sequence, "the event's sequence number")
      ->required()
      ->check(CLI::PositiveNumber);
  prove
      ->add_option("--checkpoint", o.checkpoint_file,
                   "prove against this saved checkpoint (default: the latest)")
      ->check(CLI::ExistingFile);
  for (auto* sub : {checkpoint, verify, prove}) {
    sub->add_option("--table", o.table, "table code (when you sit at several)");
    sub->add_option("--key", o.key,
                    "the audit public key (default: audit-signing.pub in the profile)");
  }
  auto* query = audit->add_subcommand("query", "audit events, filtered, oldest first");
  query->add_option("--user", o.user, "the actor's username");
  query->add_option("--agency", o.agency, "the actor's agency");
  query->add_option("--situation", o.situation, "situation id");
  query->add_option("--meeting", o.meeting, "meeting id");
  query->add_option("--action", o.action, "an action, or a prefix ending in '.' (situation.)");
  query->add_option("--outcome", o.outcome, "ok, denied or error");
  query->add_option("--limit", o.limit, "events per page (at most 1000)");
  query->add_flag("--all", o.all, "every page, not just the first");
  auto* report = audit->add_subcommand("access-report",
                                       "everything one person did (investigations, staff leaving)");
  report->add_option("--user", o.user, "username")->required();
  auto* alerts = audit->add_subcommand(
      "alerts",
      "break-glass, mass disclosure, after-hours use, repeated refusals, failed verification");
  alerts->add_option("--kind", o.kind, "one kind of alert")
      ->check(CLI::IsMember({"break_glass", "mass_disclosure", "after_hours", "repeated_denials",
                             "verification_failed", "access_statement"}));
  alerts->add_flag("--all", o.all, "every page, not just the first");
  alerts->add_option("--limit", o.limit, "alerts per page (at most 1000)");
  for (auto* sub : {query, report, alerts}) {
    sub->add_option("--from", o.from,
                    "from this date or time, in the table's zone (inclusive): 2026-12-01, monday, "
                    "\"yesterday 16:30\"");
    sub->add_option("--to", o.to, "until this date or time (exclusive)");
    sub->add_option("--table", o.table, "table code (when you sit at several)");
  }
  commands.add(alerts, "hubtable audit alerts --since 2026-11-01",
               [&g, opts] { return run_alerts(g, *opts); });
  auto* disclosures = audit->add_subcommand(
      "disclosures", "who received which identifying elements of a situation, and why");
  disclosures->add_option("id", o.situation, "situation id")->required();
  commands.add(query, "hubtable audit query --situation 7K2M9-X4Q1D",
               [&g, opts] { return run_query(g, *opts, false); });
  commands.add(report, "hubtable audit access-report --user rep.rps.tremblay",
               [&g, opts] { return run_query(g, *opts, true); });
  commands.add(disclosures, "hubtable audit disclosures 7K2M9-X4Q1D",
               [&g, opts] { return run_disclosures(g, *opts); });
  auto* access = audit->add_subcommand(
      "access-request",
      "a person's request for access: the table's situations that hold them (found by name and "
      "date of birth) and who received what about them, when, under which authority");
  access
      ->add_option("--person-file", o.people_file,
                   "a people file: one [[person]] per name the person has used, each with "
                   "name and date_of_birth")
      ->required();
  access
      ->add_option("--reason-file", o.reason_file,
                   "the request's reference and why (sealed; the other privacy officers and "
                   "the chairs are alerted)")
      ->required();
  access->add_option("--table", o.table, "table code (when you sit at several)");
  commands.add(access,
               "hubtable audit access-request --person-file person.toml --reason-file request.txt",
               [&g, opts] { return run_access_request(g, *opts); });
  commands.add(checkpoint, "hubtable audit checkpoint --save riverside.checkpoint",
               [&g, opts] { return run_checkpoint(g, *opts); });
  commands.add(verify, "hubtable audit verify --since riverside.checkpoint",
               [&g, opts] { return run_verify(g, *opts); });
  commands.add(prove, "hubtable audit prove --since riverside.checkpoint",
               [&g, opts] { return run_prove(g, *opts); });
}

}  // namespace hubtable::cli
