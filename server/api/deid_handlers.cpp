// `deid check`: scan a draft for likely direct identifiers before it is
// submitted. Nothing is stored but the audit event, which records that a check
// happened, never the text or where the findings were.

#include "api/handler_support.h"
#include "api/service.h"
#include "domain/deid_scanner.h"
#include "domain/free_text.h"
#include "domain/limits.h"
#include "store/vocabulary.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;

namespace {
/// Drafts longer than this are refused; a narrative is limited to 1,000 characters.
using domain::kMaxDeidCheckBytes;

}  // namespace

v1::Response Service::deid_check(const RequestContext& ctx, const Principal& p,
                                 const v1::DeidCheckRequest& req) {
  return run_read(ctx, p, domain::Action::kDeidCheck,
                  [&](store::Connection& c, AuditScope& scope,
                      v1::Response& r) -> absl::StatusOr<domain::Decision> {
                    const domain::Access access =
                        authorize_in(scope, actor_anywhere(p, ""), domain::Action::kDeidCheck);
                    if (!access.allowed()) return access.decision;
                    if (req.text().size() > kMaxDeidCheckBytes) {
                      return domain::Decision::deny(
                          domain::Refusal::kInvalidArgument, "deid.text_too_long",
                          "text must be at most " + std::to_string(kMaxDeidCheckBytes) + " bytes");
                    }
                    // What submit would refuse, a check says first.
                    if (auto bad = domain::check_free_text("text", req.text())) return *bad;
                    auto allowed = store::deid_allowed_phrases(c, p.table_codes());
                    if (!allowed.ok()) return allowed.status();
                    const auto findings = domain::scan_for_identifiers(
                        req.text(), domain::DeidAllowList{std::move(*allowed)});
                    auto* out = r.mutable_deid_check();
                    out->set_clean(findings.empty());
                    for (const auto& f : findings) {
                      auto* finding = out->add_findings();
                      finding->set_category(std::string(domain::category_name(f.category)));
                      finding->set_begin(char_offset(req.text(), f.begin));
                      finding->set_end(char_offset(req.text(), f.end));
                    }
                    return access.decision;
                  });
}

}  // namespace hubtable::api
