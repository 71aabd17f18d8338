#pragma once
// Reads back every stored audit event, in sequence order.

#include <vector>

#include "hubtable/v1/audit.pb.h"
#include "store/database.h"

namespace hubtable::testing {

inline std::vector<hubtable::v1::AuditEvent> read_audit_events(store::Database& db) {
  return db.read([](store::Connection& c) {
    std::vector<hubtable::v1::AuditEvent> out;
    auto s = c.prepare("SELECT event FROM audit_events ORDER BY seq");
    while (s.ok() && *s->step()) {
      const auto bytes = s->blob(0);
      hubtable::v1::AuditEvent e;
      e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
      out.push_back(std::move(e));
    }
    return out;
  });
}

}  // namespace hubtable::testing
