// Vocabulary listing. Vocabularies are not case data: any signed-in member may
// read the defaults and the entries of the tables they sit at.

#include "api/handler_support.h"
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
  return run_read(ctx, p, domain::Action::kVocabularyList,
                  [&](store::Connection& c, AuditScope& scope,
                      v1::Response& r) -> absl::StatusOr<domain::Decision> {
                    scope.table = req.table();
                    if (!req.kind().empty() && !store::is_vocabulary_kind(req.kind())) {
                      return domain::Decision::deny(
                          domain::Refusal::kInvalidArgument, "vocabulary.unknown_kind",
                          "kind must be one of " + store::vocabulary_kinds_text());
                    }
                    const domain::Actor actor = actor_anywhere(p, req.table());
                    const domain::Access access =
                        authorize_in(scope, actor, domain::Action::kVocabularyList);
                    if (!access.allowed()) return access.decision;
                    store::VocabularyQuery q;
                    q.kind = req.kind();
                    q.include_retired = req.include_retired();
                    if (!req.table().empty()) {
                      q.table_codes = {req.table()};
                    } else if (actor.admin) {
                      q.all_tables = true;
                    } else {
                      q.table_codes = p.table_codes();
                    }
                    auto rows = store::list_vocabulary(c, q);
                    if (!rows.ok()) return rows.status();
                    auto* out = r.mutable_list_vocabulary();
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
                    return access.decision;
                  });
}

}  // namespace hubtable::api
