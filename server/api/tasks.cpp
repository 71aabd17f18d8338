#include "api/tasks.h"

#include <algorithm>

#include "api/page.h"
#include "domain/tasks.h"
#include "store/follow_up.h"
#include "store/meetings.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;

namespace {

// Situations read per table: far more than a table holds open at once.
constexpr std::int64_t kTaskRowsPerTable = 5000;

v1::TaskKind to_wire(domain::TaskKind k) {
  switch (k) {
    case domain::TaskKind::kAcknowledge:
      return v1::TASK_ACKNOWLEDGE;
    case domain::TaskKind::kIntervene:
      return v1::TASK_INTERVENE;
    case domain::TaskKind::kUpdate:
      return v1::TASK_UPDATE;
    case domain::TaskKind::kAssignLead:
      return v1::TASK_ASSIGN_LEAD;
    case domain::TaskKind::kDecision:
      return v1::TASK_DECISION;
    case domain::TaskKind::kAssist:
      return v1::TASK_ASSIST;
  }
  return v1::TASK_KIND_UNSPECIFIED;
}

domain::Part part_of(const std::string& role) {
  if (role == "LEAD") return domain::Part::kLead;
  if (role == "ASSISTING") return domain::Part::kAssisting;
  if (role == "JOINED") return domain::Part::kJoined;
  return domain::Part::kNone;
}

struct Due {
  domain::Task task;
  v1::Task wire;
};

/// The caller's tasks at one table.
absl::Status tasks_at(Work& w, const std::string& table, std::int64_t agency_id,
                      std::vector<Due>& out) {
  auto t = load_table(w.c, table);
  if (!t.ok()) return t.status();
  const domain::Actor actor = actor_at(w.p, table);
  const bool chair = std::find(actor.roles.begin(), actor.roles.end(), domain::TableRole::kChair) !=
                     actor.roles.end();
  std::int64_t next_meeting = 0;
  auto open = store::find_open_meeting(w.c, t->table.id);
  if (!open.ok()) return open.status();
  if (*open) {
    next_meeting = (*open)->scheduled_start_us;
  } else if (auto up = t->schedule->upcoming(w.now_us, 1); !up.empty()) {
    next_meeting = up.front().start_us;
  }
  auto rows = store::task_rows(w.c, t->table.id, agency_id, kTaskRowsPerTable);
  if (!rows.ok()) return rows.status();
  for (const auto& r : *rows) {
    domain::TaskFacts f;
    f.state = r.state;
    f.follow_up = {r.decided_us,
                   r.ack_due_us,
                   r.acked_us,
                   r.intervention_due_us,
                   r.intervened_us,
                   r.last_update_us,
                   domain::is_open_case(r.state)};
    f.lead_named = !r.lead_agency.empty();
    f.originated = !w.p.agency_code.empty() && r.originating_agency == w.p.agency_code;
    f.part = part_of(r.part);
    f.chair = chair;
    f.next_meeting_us = next_meeting;
    for (const auto& task : domain::tasks_for(f, w.now_us)) {
      v1::Task x;
      x.set_kind(to_wire(task.kind));
      x.set_situation(r.id);
      x.set_table(table);
      x.set_situation_type(r.situation_type);
      x.set_agency(task.kind == domain::TaskKind::kAssignLead ? "" : w.p.agency_code);
      x.set_due_us(task.due_us);
      x.set_overdue(task.overdue);
      if (task.due_us != 0) x.set_local_due(t->schedule->local_label(task.due_us));
      out.push_back({task, std::move(x)});
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Decision> TaskHandlers::tasks(Work& w) {
  const auto& req = w.request.tasks();
  std::vector<std::string> tables;
  if (!req.table().empty()) {
    tables.push_back(req.table());
  } else {
    tables = w.p.table_codes();
    std::sort(tables.begin(), tables.end());
    tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  }
  std::int64_t agency_id = 0;
  if (!w.p.agency_code.empty()) {
    auto agency = store::find_agency_id(w.c, w.p.agency_code);
    if (!agency.ok()) return agency.status();
    agency_id = agency->value_or(0);
  }
  std::vector<Due> due;
  for (const auto& table : tables) {
    // Each table on its own: a caller sees the work of the tables they sit at.
    const domain::Actor actor = actor_at(w.p, table);
    if (!domain::authorize(actor, w.action).allowed()) continue;
    if (auto st = tasks_at(w, table, agency_id, due); !st.ok()) return st;
  }
  std::stable_sort(due.begin(), due.end(),
                   [](const Due& a, const Due& b) { return domain::due_before(a.task, b.task); });
  w.scope.data_elements = {"deadlines", "lead_agency"};
  auto* out = w.response.mutable_tasks();
  Page page(domain::kMaxListPage, Page::byte_budget(limits_));
  for (auto& d : due) {
    if (!page.take(d.wire.ByteSizeLong())) break;
    *out->add_tasks() = std::move(d.wire);
  }
  out->set_more(static_cast<std::size_t>(out->tasks_size()) < due.size());
  return w.access().decision;
}

}  // namespace hubtable::api
