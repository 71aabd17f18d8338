#pragma once
// Building alert events (the rules themselves are Service::alerts_for, in
// alerts.cpp).

#include <cstdint>
#include <string>
#include <string_view>

#include "hubtable/v1/audit.pb.h"

namespace hubtable::api {

/// "The audit log failed verification": `problem_class` is one of
/// crypto::problem_class words; `subject` is whoever reported
/// it (empty, with id 0, when the server's own check found it).
hubtable::v1::AuditEvent verification_alert(std::int64_t now_us, std::uint64_t first_bad,
                                            std::uint64_t last_bad, std::string_view problem_class,
                                            std::uint64_t tree_size, std::int64_t subject_user_id,
                                            const std::string& subject);

}  // namespace hubtable::api
