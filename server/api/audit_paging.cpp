#include "api/audit_paging.h"

namespace hubtable::api {

using domain::Decision;
using domain::kMaxQueryPage;
using domain::Refusal;

absl::StatusOr<std::uint64_t> page_through_events(store::Statement& s,
                                                  const domain::AuditReader& reader,
                                                  const Page& page, const Offer& offer) {
  std::uint64_t last = 0;  // the last event looked at
  std::int64_t scanned = 0;
  for (;;) {
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const auto seq = static_cast<std::uint64_t>(s.integer(0));
    const crypto::Bytes bytes = s.blob(1);
    hubtable::v1::AuditEvent e;
    if (e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) && reader.reads(e.table())) {
      auto taken = offer(e);
      if (!taken.ok()) return taken.status();
      if (!*taken) break;
    }
    ++scanned;
    last = seq;
  }
  const bool more = page.full() || scanned >= kQueryScan;
  return more ? last : 0;
}

std::optional<Decision> check_page(std::uint32_t limit, std::int64_t from_us, std::int64_t to_us,
                                   const char* items) {
  if (limit > kMaxQueryPage) {
    return Decision::deny(Refusal::kInvalidArgument, "audit.page_too_large",
                          "a page holds at most " + std::to_string(kMaxQueryPage) + " " + items);
  }
  if (from_us < 0 || to_us < 0 || (to_us != 0 && to_us <= from_us)) {
    return Decision::deny(Refusal::kInvalidArgument, "audit.bad_time_range",
                          "the time range is empty or negative");
  }
  return std::nullopt;
}

}  // namespace hubtable::api
