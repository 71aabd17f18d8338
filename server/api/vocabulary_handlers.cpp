// Vocabulary listing. Vocabularies are not case data: any signed-in member may
// read the defaults and the entries of the tables they sit at.

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/service.h"
#include "store/vocabulary.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;

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

v1::Response Service::list_vocabulary(const RequestContext& ctx, const Principal& p,
                                      const v1::ListVocabularyRequest& req) {
  if (!req.kind().empty() && !store::is_vocabulary_kind(req.kind())) {
    return refuse(
        ctx, &p, "vocabulary.list",
        domain::Decision::deny(domain::Refusal::kInvalidArgument, "vocabulary.unknown_kind",
                               "kind must be one of " + store::vocabulary_kinds_text()));
  }
  const bool admin =
      std::any_of(p.roles.begin(), p.roles.end(), [](const auto& g) { return g.role == "ADMIN"; });
  store::VocabularyQuery q;
  q.kind = req.kind();
  q.include_retired = req.include_retired();
  q.table_codes = p.table_codes();
  if (!req.table().empty()) {
    const bool member =
        std::find(q.table_codes.begin(), q.table_codes.end(), req.table()) != q.table_codes.end();
    if (!member && !admin) {
      return refuse(
          ctx, &p, "vocabulary.list",
          domain::Decision::deny(domain::Refusal::kPermissionDenied, "vocabulary.not_at_table",
                                 "you do not sit at table '" + req.table() + "'"));
    }
    q.table_codes = {req.table()};
  } else if (admin) {
    q.all_tables = true;
  }
  auto rows = db_.read([&](store::Connection& c) { return store::list_vocabulary(c, q); });
  if (!rows.ok()) {
    spdlog::error("vocabulary listing failed: {}", rows.status().ToString());
    return unavailable_response();
  }
  v1::Response r;
  r.mutable_status()->set_code(v1::OK);
  auto* out = r.mutable_list_vocabulary();
  for (const auto& row : *rows) {
    if (!req.table().empty() && !row.table_code.empty() && row.table_code != req.table()) continue;
    auto* e = out->add_entries();
    e->set_kind(row.kind);
    e->set_code(row.code);
    e->set_label(row.label);
    e->set_parent(row.parent);
    e->set_table(row.table_code);
    e->set_retired(row.retired);
    split_details(row.details, *e);
  }
  return r;
}

}  // namespace hubtable::api
