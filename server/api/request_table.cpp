#include "api/request_table.h"

#include "api/access_statement.h"
#include "api/admin_handlers.h"
#include "api/alert_handlers.h"
#include "api/audit_handlers.h"
#include "api/decision_handlers.h"
#include "api/filter3_handlers.h"
#include "api/filter4_handlers.h"
#include "api/login.h"
#include "api/meeting_handlers.h"
#include "api/reference_handlers.h"
#include "api/report_handlers.h"
#include "api/session_handlers.h"
#include "api/situation_handlers.h"
#include "api/tasks.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;

namespace {

using A = domain::Action;
using K = v1::Request;
using S = Subject;

// A privacy officer's break-glass reveal writes its sealed justification.
Variant reveal(const v1::Request& r) {
  return r.reveal_situation().break_glass_justification().empty()
             ? Variant{A::kSituationReveal, Run::kRead}
             : Variant{A::kSituationReveal, Run::kWrite, true};
}

// A plan request with no note reads the plan: its own action.
Variant plan(const v1::Request& r) {
  return r.plan_situation().note().empty() ? Variant{A::kSituationPlanRead, Run::kRead}
                                           : Variant{A::kSituationPlan, Run::kWrite};
}

// The open-data version of a summary is its own action.
Variant summary(const v1::Request& r) {
  return Variant{r.report_summary().public_view() ? A::kReportPublic : A::kReportSummary,
                 Run::kReadAside};
}

}  // namespace

RequestTable::RequestTable(const HandlerGroups& g) {
  Login& login = g.login;
  // clang-format off
  rows_ = {
    // kind                  action                   run             subject        stage handler, [refinement]
    {K::kLogin,              std::nullopt,            Run::kBeforeSession, S::kCaller,   0, nullptr, nullptr,
     [&login](const RequestContext& ctx, const v1::Request& r) { return login.handle(ctx, r.login()); }},
    {K::kLogout,             A::kLogout,              Run::kWrite,    S::kCaller,        0, on(g.session, &SessionHandlers::logout)},
    {K::kWhoami,             A::kWhoAmI,              Run::kRead,     S::kCaller,        0, on(g.session, &SessionHandlers::whoami)},
    {K::kWatch,              A::kWatch,               Run::kWrite,    S::kCaller,        0, on(g.session, &SessionHandlers::watch)},
    {K::kTasks,              A::kTasksList,           Run::kRead,     S::kCallerTables,  0, on(g.tasks, &TaskHandlers::tasks)},
    {K::kListVocabulary,     A::kVocabularyList,      Run::kRead,     S::kCallerTables,  0, on(g.reference, &ReferenceHandlers::vocabulary)},
    {K::kDeidCheck,          A::kDeidCheck,           Run::kReadAside, S::kCallerTables,  0, on(g.reference, &ReferenceHandlers::deid_check)},
    {K::kListMeetings,       A::kMeetingList,         Run::kRead,     S::kTable,         0, on(g.meetings, &MeetingHandlers::list)},
    {K::kOpenMeeting,        A::kMeetingOpen,         Run::kWrite,    S::kTable,         0, on(g.meetings, &MeetingHandlers::open)},
    {K::kCheckIn,            A::kMeetingCheckIn,      Run::kWrite,    S::kOpenMeeting,   0, on(g.meetings, &MeetingHandlers::check_in)},
    {K::kAgenda,             A::kMeetingAgenda,       Run::kRead,     S::kMeeting,       0, on(g.meetings, &MeetingHandlers::agenda)},
    {K::kCloseMeeting,       A::kMeetingClose,        Run::kWrite,    S::kOpenMeeting,   0, on(g.meetings, &MeetingHandlers::close)},
    {K::kMinutes,            A::kMeetingMinutes,      Run::kReadAside, S::kMeetingTable,  0, on(g.meetings, &MeetingHandlers::minutes)},
    {K::kSubmitSituation,    A::kSituationSubmit,     Run::kWrite,    S::kTable,         2, on(g.situations, &SituationHandlers::submit)},
    {K::kListSituations,     A::kSituationList,       Run::kRead,     S::kTable,         2, on(g.situations, &SituationHandlers::list)},
    {K::kShowSituation,      A::kSituationShow,       Run::kRead,     S::kSituation,     2, on(g.situations, &SituationHandlers::show)},
    {K::kDecideSituation,    A::kSituationDecide,     Run::kWrite,    S::kSituation,     2, on(g.decisions, &DecisionHandlers::decide)},
    {K::kWithdrawSituation,  A::kSituationWithdraw,   Run::kWrite,    S::kSituation,     2, on(g.situations, &SituationHandlers::withdraw)},
    {K::kAmendSituation,     A::kSituationAmend,      Run::kWrite,    S::kSituation,     2, on(g.situations, &SituationHandlers::amend)},
    {K::kJoinSituation,      A::kSituationJoin,       Run::kWrite,    S::kCase,          3, on(g.filter3, &FilterThree::join)},
    {K::kIdentifySituation,  A::kSituationIdentify,   Run::kWrite,    S::kCase,          3, on(g.filter3, &FilterThree::identify)},
    {K::kRevealSituation,    A::kSituationReveal,     Run::kRead,     S::kCase,          3, on(g.filter3, &FilterThree::reveal), reveal},
    {K::kAssignSituation,    A::kSituationAssign,     Run::kWrite,    S::kCase,          3, on(g.filter4, &FilterFour::assign)},
    {K::kAddAgency,          A::kSituationAddAgency,  Run::kWrite,    S::kCase,          3, on(g.filter3, &FilterThree::add_agency)},
    {K::kAckSituation,       A::kSituationAck,        Run::kWrite,    S::kCase,          3, on(g.filter4, &FilterFour::ack)},
    {K::kPlanSituation,      A::kSituationPlan,       Run::kWrite,    S::kCase,          3, on(g.filter4, &FilterFour::plan), plan},
    {K::kInterveneSituation, A::kSituationIntervene,  Run::kWrite,    S::kCase,          3, on(g.filter4, &FilterFour::intervene)},
    {K::kUpdateSituation,    A::kSituationUpdate,     Run::kWrite,    S::kCase,          3, on(g.filter4, &FilterFour::update)},
    {K::kCloseSituation,     A::kSituationClose,      Run::kWrite,    S::kCase,          3, on(g.filter4, &FilterFour::close)},
    {K::kSetGovernance,      A::kAdminGovernance,     Run::kWrite,    S::kCaller,        0, on(g.admin, &AdminHandlers::governance)},
    {K::kAuditCheckpoint,    A::kAuditIntegrity,      Run::kReadSigned, S::kAuditTable,  0, on(g.audit, &AuditHandlers::checkpoint)},
    {K::kAuditLog,           A::kAuditIntegrity,      Run::kReadAside, S::kAuditTable,    0, on(g.audit, &AuditHandlers::log)},
    {K::kAuditProof,         A::kAuditIntegrity,      Run::kReadAside, S::kAuditTable,    0, on(g.audit, &AuditHandlers::proof)},
    {K::kAuditQuery,         A::kAuditRead,           Run::kReadAside, S::kAuditTable,    0, on(g.audit, &AuditHandlers::query)},
    {K::kAuditDisclosures,   A::kAuditRead,           Run::kReadAside, S::kAuditSituation, 0, on(g.audit, &AuditHandlers::disclosures)},
    {K::kAuditAlerts,        A::kAuditRead,           Run::kReadAside, S::kAuditTable,    0, on(g.alerts, &AlertHandlers::alerts)},
    {K::kAuditReportFailure, A::kAuditIntegrity,      Run::kReadAside, S::kAuditTable,    0, on(g.alerts, &AlertHandlers::report_failure)},
    {K::kAuditAccessStatement, A::kAuditAccessStatement, Run::kWrite, S::kAuditTable,    0, on(g.access_statement, &AccessStatement::statement)},
    {K::kReportSummary,      A::kReportSummary,       Run::kReadAside, S::kReportTables,  0, on(g.reports, &ReportHandlers::summary), summary},
    {K::kReportExport,       A::kReportExport,        Run::kReadAside, S::kReportTables,  0, on(g.reports, &ReportHandlers::export_rows)},
  };
  // clang-format on
  for (const auto& r : rows_) {
    const auto n = static_cast<std::size_t>(r.kind);
    if (by_kind_.size() <= n) by_kind_.resize(n + 1, nullptr);
    by_kind_[n] = &r;
  }
}

const Route* RequestTable::find(Route::Kind kind) const {
  const auto n = static_cast<std::size_t>(kind);
  return n < by_kind_.size() ? by_kind_[n] : nullptr;
}

}  // namespace hubtable::api
