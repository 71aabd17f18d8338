#pragma once
// The request table: one row per request kind, the one place a kind is
// declared (DESIGN.md, "One request, end to end"). A row names the
// Envelope case, the policy's action, whether the request reads or writes,
// the subject the dispatcher loads and authorizes, and the handler. Special
// cases are visible in their rows: login runs before there is a session,
// a break-glass reveal writes, reading the plan is its own action, a
// report's summary for open data is its own action, and the audit
// checkpoint signs what waits before it reads.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "api/request_context.h"
#include "api/subject.h"
#include "api/work.h"
#include "domain/authorize.h"
#include "hubtable/v1/envelope.pb.h"

namespace hubtable::api {

enum class Run {
  kRead,          // a short read: on the writer, with its OK event, in a group that
                  // commits together (store::Database::write_together), on the writer's
                  // page cache (a reader's is emptied by every commit); it may not write
  kReadAside,     // a long read (reports, the audit log, a scan of free text): on a
                  // reader beside the writer; the answer leaves once its OK event is
                  // committed
  kWrite,         // on the writer; the change and its OK event commit together
  kReadSigned,    // kReadAside, after signing the events waiting for a checkpoint
  kBeforeSession  // login: no session yet; the handler audits its own steps
};

/// How a row applies to one request, when the request chooses.
struct Variant {
  domain::Action action;
  Run run;
  bool break_glass = false;
};

struct Route {
  using Kind = hubtable::v1::Request::KindCase;
  /// A row whose request picks its action or its run.
  using Refine = Variant (*)(const hubtable::v1::Request&);
  /// Login's handler: it answers on its own.
  using Unauthenticated =
      std::function<hubtable::v1::Response(const RequestContext&, const hubtable::v1::Request&)>;

  Kind kind;
  std::optional<domain::Action> action;  // none for login, which has no session to act in
  Run run;
  Subject subject;
  std::uint32_t stage;  // the filter the request works at, for its audit event (0: none)
  Handler handler;
  Refine refine = nullptr;
  Unauthenticated before_session = nullptr;

  /// The action and run for `request`.
  Variant variant(const hubtable::v1::Request& request) const {
    return refine != nullptr ? refine(request) : Variant{*action, run, false};
  }
};

class SessionHandlers;
class ReferenceHandlers;
class MeetingHandlers;
class SituationHandlers;
class DecisionHandlers;
class FilterThree;
class FilterFour;
class AuditHandlers;
class AccessStatement;
class AlertHandlers;
class ReportHandlers;
class AdminHandlers;
class TaskHandlers;
class Login;

/// The handler groups the table binds (each outlives it).
struct HandlerGroups {
  Login& login;
  SessionHandlers& session;
  ReferenceHandlers& reference;
  MeetingHandlers& meetings;
  SituationHandlers& situations;
  DecisionHandlers& decisions;
  FilterThree& filter3;
  FilterFour& filter4;
  AuditHandlers& audit;
  AccessStatement& access_statement;
  AlertHandlers& alerts;
  ReportHandlers& reports;
  AdminHandlers& admin;
  TaskHandlers& tasks;
};

class RequestTable {
 public:
  explicit RequestTable(const HandlerGroups& g);
  /// The row for `kind`; null for a kind no row declares.
  const Route* find(Route::Kind kind) const;
  const std::vector<Route>& rows() const { return rows_; }

 private:
  std::vector<Route> rows_;
  std::vector<const Route*> by_kind_;  // indexed by the oneof's field number
};

}  // namespace hubtable::api
