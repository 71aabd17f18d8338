// `deid check`: scan a draft for likely direct identifiers before it is
// submitted. Nothing is stored but the audit event, which records that a check
// happened, never the text or where the findings were.

#include <spdlog/spdlog.h>

#include "api/service.h"
#include "domain/deid_scanner.h"
#include "store/transaction.h"
#include "store/vocabulary.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;

namespace {
/// Drafts longer than this are refused; a narrative is limited to 1,000 characters.
constexpr std::size_t kMaxDeidCheckBytes = std::size_t{16} * 1024;

// Code points in text[0, byte): offsets a person can count.
std::uint32_t char_offset(std::string_view text, std::size_t byte) {
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
  }
  return n;
}
}  // namespace

v1::Response Service::deid_check(const RequestContext& ctx, const Principal& p,
                                 const v1::DeidCheckRequest& req) {
  const std::vector<std::string> tables = p.table_codes();
  if (tables.empty()) {
    return refuse(ctx, &p, "deid.check",
                  domain::Decision::deny(domain::Refusal::kPermissionDenied, "deid.no_table_role",
                                         "only members of a table check case text"));
  }
  if (req.text().size() > kMaxDeidCheckBytes) {
    return refuse(ctx, &p, "deid.check",
                  domain::Decision::deny(domain::Refusal::kInvalidArgument, "deid.text_too_long",
                                         "text must be at most 16384 bytes"));
  }
  auto allowed =
      db_.read([&](store::Connection& c) { return store::deid_allowed_phrases(c, tables); });
  if (!allowed.ok()) {
    spdlog::error("deid allow list failed: {}", allowed.status().ToString());
    return unavailable_response();
  }
  const auto findings =
      domain::scan_for_identifiers(req.text(), domain::DeidAllowList{std::move(*allowed)});

  auto audited = db_.write([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    if (auto s = append_ok(c, ctx, p, "deid.check", "deid.check"); !s.ok()) return s;
    return tx.commit();
  });
  if (!audited.ok()) {
    spdlog::error("deid check audit failed: {}", audited.ToString());
    return unavailable_response();
  }
  v1::Response r;
  r.mutable_status()->set_code(v1::OK);
  auto* out = r.mutable_deid_check();
  out->set_clean(findings.empty());
  for (const auto& f : findings) {
    auto* finding = out->add_findings();
    finding->set_category(std::string(domain::category_name(f.category)));
    finding->set_begin(char_offset(req.text(), f.begin));
    finding->set_end(char_offset(req.text(), f.end));
  }
  return r;
}

}  // namespace hubtable::api
