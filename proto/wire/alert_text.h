#pragma once
// One readable line for an alert event ("alert.*"), the same on the server
// (pushed to `watch`) and in `hubtable audit alerts`. Built from the alert's
// fields only: names of accounts, situation ids and counts, never case data.

#include <cstdint>
#include <string>

#include "hubtable/v1/audit.pb.h"

namespace hubtable::wire {

inline std::string alert_text(const hubtable::v1::AuditEvent& e) {
  const auto& a = e.alert();
  const std::string who = a.subject().empty() ? "an unknown account" : a.subject();
  const std::string minutes = std::to_string(a.window_us() / 60'000'000);
  const std::string count = std::to_string(a.count());
  if (a.kind() == "break_glass") {
    return who + " used break-glass to reveal the identifiers of situation " + e.situation();
  }
  if (a.kind() == "access_statement") {
    return who + " searched table " + e.table() +
           " by a person's name and date of birth to answer their access request";
  }
  if (a.kind() == "mass_disclosure") {
    return who + " revealed the identifiers of " + count + " situations within " + minutes +
           " minutes";
  }
  if (a.kind() == "after_hours") {
    return who + " used case data of table " + e.table() + " outside working hours (event " +
           std::to_string(a.trigger_sequence()) + ")";
  }
  if (a.kind() == "repeated_denials") {
    return who + " was refused " + count + " times within " + minutes + " minutes";
  }
  if (a.kind() == "verification_failed") {
    const std::string where =
        a.first_bad() == a.last_bad()
            ? "event " + std::to_string(a.first_bad())
            : "events " + std::to_string(a.first_bad()) + ".." + std::to_string(a.last_bad());
    return "the audit log of " + std::to_string(a.tree_size()) + " events failed verification at " +
           where + " (" + a.problem() + "), " +
           (a.subject().empty() ? std::string("found by the server") : "reported by " + who);
  }
  return "alert " + a.kind();
}

}  // namespace hubtable::wire
