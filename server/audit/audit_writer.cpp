#include "audit/audit_writer.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>

#include "audit/log_store.h"
#include "domain/alerts.h"

namespace hubtable::audit {

std::string serialize_event(const hubtable::v1::AuditEvent& event) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream raw(&out);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    event.SerializeToCodedStream(&coded);
  }
  return out;
}

bool refuses_access(const hubtable::v1::AuditEvent& event) {
  return event.outcome() == hubtable::v1::AUDIT_DENIED &&
         domain::is_access_refusal(event.status_code());
}

namespace {

absl::StatusOr<std::uint64_t> last_sequence(store::Connection& conn) {
  auto last = conn.prepare("SELECT COALESCE(MAX(seq), 0) FROM audit_events");
  if (!last.ok()) return last.status();
  auto row = last->step();
  if (!row.ok()) return row.status();
  return static_cast<std::uint64_t>(last->integer(0));
}

absl::StatusOr<std::uint64_t> append_at(store::Connection& conn, std::uint64_t seq,
                                        hubtable::v1::AuditEvent event);

}  // namespace

absl::StatusOr<std::optional<std::string>> removed_tail(store::Connection& conn) {
  auto last = last_sequence(conn);
  if (!last.ok()) return last.status();
  auto tree = tree_size(conn);
  if (!tree.ok()) return tree.status();
  if (*tree <= *last) return std::optional<std::string>();
  return std::optional<std::string>("events " + std::to_string(*last + 1) + ".." +
                                    std::to_string(*tree) +
                                    " are missing from the log's end (its tree still holds them)");
}

absl::StatusOr<std::uint64_t> append(store::Connection& conn, hubtable::v1::AuditEvent event) {
  if (event.action().empty()) return absl::InvalidArgumentError("audit: action required");
  if (event.time_us() <= 0) return absl::InvalidArgumentError("audit: time required");
  auto last = last_sequence(conn);
  if (!last.ok()) return last.status();
  auto tree = tree_size(conn);
  if (!tree.ok()) return tree.status();
  if (*tree > *last) {
    auto damage = removed_tail(conn);
    if (!damage.ok()) return damage.status();
    return absl::DataLossError("audit log damaged: " + damage->value_or("the tree is ahead"));
  }
  return append_at(conn, *last + 1, std::move(event));
}

absl::StatusOr<std::uint64_t> append_after_damage(store::Connection& conn,
                                                  hubtable::v1::AuditEvent event) {
  auto tree = tree_size(conn);
  if (!tree.ok()) return tree.status();
  auto last = last_sequence(conn);
  if (!last.ok()) return last.status();
  const std::uint64_t seq = std::max(*tree, *last) + 1;
  // The tree must hold every position before this one: the removed events'
  // leaves are still there, so it does.
  return append_at(conn, seq, std::move(event));
}

namespace {

absl::StatusOr<std::uint64_t> append_at(store::Connection& conn, std::uint64_t seq,
                                        hubtable::v1::AuditEvent event) {
  event.set_sequence(seq);
  const std::string bytes = serialize_event(event);

  auto ins = conn.prepare(
      "INSERT INTO audit_events (seq, time_us, action, outcome, user_id, table_code, situation, "
      "event, access_refusal) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)");
  if (!ins.ok()) return ins.status();
  ins->bind(1, static_cast<std::int64_t>(seq)).bind(2, event.time_us()).bind(3, event.action());
  ins->bind(4, static_cast<std::int64_t>(event.outcome()));
  if (event.actor().user_id() != 0) {
    ins->bind(5, event.actor().user_id());
  } else {
    ins->bind(5, std::nullopt);
  }
  ins->bind(6, event.table()).bind(7, event.situation());
  ins->bind(8, crypto::as_bytes(bytes));
  ins->bind(9, std::int64_t{refuses_access(event) ? 1 : 0});
  if (auto s = ins->run(); !s.ok()) return s;
  if (auto s = add_leaf(conn, seq, crypto::as_bytes(bytes)); !s.ok()) return s;
  return seq;
}

}  // namespace

hubtable::v1::AuditEvent server_event(std::int64_t time_us, const std::string& action,
                                      const std::string& rule) {
  hubtable::v1::AuditEvent e;
  e.set_time_us(time_us);
  e.set_action(action);
  e.set_outcome(hubtable::v1::AUDIT_OK);
  e.set_rule(rule);
  e.set_status_code("OK");
  e.mutable_actor()->set_username("(hubtabled)");
  e.mutable_actor()->set_remote_address("local");
  return e;
}

}  // namespace hubtable::audit
