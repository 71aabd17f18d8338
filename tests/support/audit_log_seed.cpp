#include "tests/support/audit_log_seed.h"

#include <algorithm>

#include "audit/audit_writer.h"
#include "store/transaction.h"

namespace hubtable::testing {

namespace v1 = hubtable::v1;

namespace {
constexpr std::int64_t kStartUs = 1'790'000'000'000'000;
}  // namespace

v1::AuditEvent sample_audit_event(std::int64_t i, const std::string& table) {
  v1::AuditEvent e;
  e.set_time_us(kStartUs + i);
  e.set_action("situation.show");
  e.set_outcome(v1::AUDIT_OK);
  e.set_rule("record.deidentified");
  e.set_table(table);
  e.set_meeting(table + "-2026-11-19");
  e.set_situation("7K2M9-X4Q1D");
  e.set_filter_stage(2);
  e.add_data_elements("narrative");
  e.add_data_elements("risk_factors");
  e.set_request_id(static_cast<std::uint64_t>(i));
  auto* a = e.mutable_actor();
  a->set_user_id(12);
  a->set_username("rep.rps.okafor");
  a->set_agency("rps");
  a->set_role(v1::REP);
  a->set_certificate_thumbprint(std::string(64, 'a'));
  a->set_remote_address("192.0.2.10");
  return e;
}

absl::Status append_sample_events(store::Database& db, const audit::Checkpointer& checkpointer,
                                  std::int64_t first, std::int64_t n, std::int64_t batch,
                                  const std::function<std::string(std::int64_t)>& table_of) {
  const std::int64_t end = first + n;
  for (std::int64_t from = first; from < end; from += batch) {
    const std::int64_t to = std::min(from + batch, end);
    auto s = db.write([&](store::Connection& c) -> absl::Status {
      store::Transaction tx(c, store::Transaction::Kind::kWrite);
      for (std::int64_t i = from; i < to; ++i) {
        auto seq = audit::append(c, sample_audit_event(i, table_of ? table_of(i) : "riverside"));
        if (!seq.ok()) return seq.status();
      }
      return tx.commit();
    });
    if (!s.ok()) return s;
    auto cp = checkpointer.checkpoint(db, kStartUs + to, audit::Checkpointer::kEveryEvents - 1);
    if (!cp.ok()) return cp.status();
  }
  return absl::OkStatus();
}

}  // namespace hubtable::testing
