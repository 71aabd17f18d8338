#pragma once
// Reading the audit log a page at a time, as every audit read does: scans
// bounded per request, events the caller may not read passed over (the one
// reader policy, domain::audit_reader), and the page's own checks.

#include <cstdint>
#include <functional>
#include <optional>

#include "absl/status/statusor.h"
#include "api/page.h"
#include "domain/authorize.h"
#include "domain/decision.h"
#include "domain/limits.h"
#include "hubtable/v1/audit.pb.h"
#include "store/connection.h"

namespace hubtable::api {

/// Events examined per query request; the next page carries on from there.
inline constexpr std::int64_t kQueryScan = 20000;

/// Offered each event the caller may read, in order; adds what it wants to
/// the answer and returns true, or false when the page cannot take it (it
/// starts the next page).
using Offer = std::function<absl::StatusOr<bool>(hubtable::v1::AuditEvent& e)>;

/// Pages through what a scan statement yields (columns: sequence, event
/// bytes; at most kQueryScan rows): events `reader` may not read are passed
/// over, the others offered. Returns the answer's next_after: the last
/// event looked at when the page filled or the scan stopped short, else 0.
absl::StatusOr<std::uint64_t> page_through_events(store::Statement& s,
                                                  const domain::AuditReader& reader,
                                                  const Page& page, const Offer& offer);

/// A query page's size and time range [from, to) (0: open-ended), or the
/// refusal naming `items`.
std::optional<domain::Decision> check_page(std::uint32_t limit, std::int64_t from_us,
                                           std::int64_t to_us, const char* items);

}  // namespace hubtable::api
