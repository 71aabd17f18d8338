#include "api/reference_handlers.h"

#include "api/case_input.h"
#include "domain/deid_scanner.h"
#include "domain/free_text.h"
#include "domain/limits.h"
#include "store/vocabulary.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::invalid;

namespace {

void split_details(const std::string& details, v1::VocabularyEntry& out) {
  std::size_t start = 0;
  while (start < details.size()) {
    std::size_t end = details.find('\n', start);
    if (end == std::string::npos) end = details.size();
    const std::string line = details.substr(start, end - start);
    const auto eq = line.find('=');
    if (eq != std::string::npos) (*out.mutable_details())[line.substr(0, eq)] = line.substr(eq + 1);
    start = end + 1;
  }
}

}  // namespace

absl::StatusOr<Decision> ReferenceHandlers::vocabulary(Work& w) {
  const auto& req = w.request.list_vocabulary();
  if (!req.kind().empty() && !store::is_vocabulary_kind(req.kind())) {
    return invalid("vocabulary.unknown_kind",
                   "kind must be one of " + store::vocabulary_kinds_text());
  }
  store::VocabularyQuery q;
  q.kind = req.kind();
  q.include_retired = req.include_retired();
  if (!req.table().empty()) {
    q.table_codes = {req.table()};
  } else if (w.subject.actor.admin) {
    q.all_tables = true;
  } else {
    q.table_codes = w.p.table_codes();
  }
  auto rows = store::list_vocabulary(w.c, q);
  if (!rows.ok()) return rows.status();
  auto* out = w.response.mutable_list_vocabulary();
  for (const auto& row : *rows) {
    auto* e = out->add_entries();
    e->set_kind(row.kind);
    e->set_code(row.code);
    e->set_label(row.label);
    e->set_parent(row.parent);
    e->set_table(row.table_code);
    e->set_retired(row.retired);
    split_details(row.details, *e);
  }
  return w.access().decision;
}

absl::StatusOr<Decision> ReferenceHandlers::deid_check(Work& w) {
  using domain::kMaxDeidCheckBytes;
  const std::string& text = w.request.deid_check().text();
  if (text.size() > kMaxDeidCheckBytes) {
    return invalid("deid.text_too_long",
                   "text must be at most " + std::to_string(kMaxDeidCheckBytes) + " bytes");
  }
  // What submit would refuse, a check says first.
  if (auto bad = domain::check_free_text("text", text)) return *bad;
  auto allowed = store::deid_allow_list(w.c, w.p.table_codes());
  if (!allowed.ok()) return allowed.status();
  const auto findings = domain::scan_for_identifiers(text, **allowed);
  auto* out = w.response.mutable_deid_check();
  out->set_clean(findings.empty());
  for (const auto& f : findings) {
    auto* finding = out->add_findings();
    finding->set_category(std::string(domain::category_name(f.category)));
    finding->set_begin(char_offset(text, f.begin));
    finding->set_end(char_offset(text, f.end));
  }
  return w.access().decision;
}

}  // namespace hubtable::api
