#pragma once
// What a request handler receives: the request, the caller, the open
// transaction, and the subject the dispatcher loaded and the policy allowed
// (api/subject.h). A handler does only its own work: it validates, reads or
// changes, fills the response and the audit scope, and returns the
// decision. What must wait for the commit (live events, erasing old copies,
// a follow-up of its own) it leaves in `after`.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/audited_work.h"
#include "api/event_hub.h"
#include "api/principal.h"
#include "api/request_context.h"
#include "api/subject.h"
#include "domain/authorize.h"
#include "domain/decision.h"
#include "hubtable/v1/envelope.pb.h"
#include "store/database.h"

namespace hubtable::api {

/// What happens once a request's transaction commits, and only then.
struct AfterCommit {
  struct Told {
    std::string kind, table, situation, agency, message;
    Audience audience;
  };
  std::vector<Told> told;  // live events to push
  /// A write's live events, kept for replay in its own transaction (so they
  /// commit with it, in its group): pushed as they are once it commits.
  std::vector<AuditedWork::LiveEvent> kept;
  bool erased = false;  // something was erased: truncate the WAL's older copies
  /// A step of its own (may fail: the caller then gets UNAVAILABLE).
  std::function<absl::Status(hubtable::v1::Response&)> then;
};

struct Work {
  const RequestContext& ctx;
  const Principal& p;
  const hubtable::v1::Request& request;
  domain::Action action;  // the row's action for this request
  store::Connection& c;
  AuditScope& scope;
  hubtable::v1::Response& response;
  std::int64_t now_us;
  AfterCommit& after;
  /// The subject, as its row's Subject loaded it, and the policy's answer.
  Loaded subject;

  const domain::Access& access() const { return subject.access; }
  /// The same work on `other` in place of the request (e.g. with its codes
  /// spelled as the vocabularies spell them); `other` must outlive it.
  Work with_request(const hubtable::v1::Request& other) const {
    return Work{ctx, p, other, action, c, scope, response, now_us, after, subject};
  }
  /// Tells `audience` once the transaction commits.
  void tell(std::string kind, std::string table, std::string situation, std::string agency,
            std::string message, Audience audience) const {
    after.told.push_back({std::move(kind), std::move(table), std::move(situation),
                          std::move(agency), std::move(message), std::move(audience)});
  }
};

/// A handler: its work inside the request's transaction.
using Handler = std::function<absl::StatusOr<domain::Decision>(Work&)>;

/// `g.*f` as a Handler; `g` must outlive it.
template <class Group>
Handler on(Group& g, absl::StatusOr<domain::Decision> (Group::*f)(Work&)) {
  return [&g, f](Work& w) { return (g.*f)(w); };
}

}  // namespace hubtable::api
