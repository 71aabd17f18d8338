// hubtable tasks: what is due for me and my agency; hubtable watch: what
// happens as it happens, after what was pushed while I was away.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "cli/output.h"
#include "cli/session.h"

namespace hubtable::cli {

namespace v1 = hubtable::v1;

namespace {

struct WorkOptions {
  std::string table;
  int count = 0;
  int timeout_seconds = 0;
  bool no_replay = false;
};

const char* task_text(v1::TaskKind k) {
  switch (k) {
    case v1::TASK_ACKNOWLEDGE:
      return "acknowledge the lead assignment";
    case v1::TASK_INTERVENE:
      return "record the intervention";
    case v1::TASK_UPDATE:
      return "give a status update (stale)";
    case v1::TASK_ASSIGN_LEAD:
      return "name a lead agency";
    case v1::TASK_DECISION:
      return "the table decides it at its next meeting";
    case v1::TASK_ASSIST:
      return "assist the lead: the intervention is due";
    default:
      return "-";
  }
}

/// The command that does the task.
const char* task_command(v1::TaskKind k) {
  switch (k) {
    case v1::TASK_ACKNOWLEDGE:
      return "situation ack";
    case v1::TASK_INTERVENE:
      return "situation intervene";
    case v1::TASK_UPDATE:
      return "situation update";
    case v1::TASK_ASSIGN_LEAD:
      return "situation assign";
    case v1::TASK_ASSIST:
      return "situation plan";
    default:
      return "situation show";
  }
}

int run_tasks(const Globals& g, const WorkOptions& o) {
  v1::Request req;
  req.mutable_tasks()->set_table(o.table);
  v1::Response r;
  if (int rc = call(g, req, r); rc != kExitOk) return rc;
  const auto& out = r.tasks();
  if (g.json) {
    print_json(out);
    return kExitOk;
  }
  if (out.tasks().empty()) {
    std::printf("Nothing is due for you\n");
    return kExitOk;
  }
  std::printf("%-9s %-25s %-12s %-10s %s\n", "", "DUE", "SITUATION", "TYPE", "TO DO");
  for (const auto& t : out.tasks()) {
    std::printf("%-9s %-25s %-12s %-10s %s (hubtable %s %s)\n", t.overdue() ? "OVERDUE" : "",
                t.due_us() == 0 ? "-" : format_time_us(t.due_us()).c_str(), t.situation().c_str(),
                t.situation_type().c_str(), task_text(t.kind()), task_command(t.kind()),
                t.situation().c_str());
  }
  if (out.more()) std::printf("(more are due than one answer holds: name a --table)\n");
  return kExitOk;
}

void print_event(const Globals& g, v1::Event& e) {
  if (g.json) {
    print_json(e);
    return;
  }
  make_terminal_safe(e);
  std::printf("%s  %-32s %s  %s%s%s%s\n", format_time_us(e.time_us()).c_str(), e.kind().c_str(),
              e.situation().c_str(), e.message().c_str(),
              e.agency().empty() ? "" : "  agency: ", e.agency().c_str(),
              e.replayed() ? "  (while you were away)" : "");
}

int run_watch(const Globals& g, const WorkOptions& o) {
  Session s;
  if (int rc = open_session(g, s, true); rc != kExitOk) return rc;
  v1::Request req;
  req.mutable_watch()->set_replay(!o.no_replay);
  v1::Response r;
  if (int rc = call_in(s, req, r); rc != kExitOk) return rc;
  int seen = 0;
  for (auto& e : *r.mutable_watch()->mutable_missed()) {
    print_event(g, e);
    ++seen;
  }
  if (r.watch().more_missed() && !g.json) {
    std::printf("(more happened while you were away: run watch again to see the rest)\n");
  }
  if (!g.json) std::fprintf(stderr, "Watching for events (Ctrl-C to stop)\n");
  std::fflush(stdout);
  s.connection->set_timeout(o.timeout_seconds > 0 ? std::chrono::seconds(o.timeout_seconds)
                                                  : std::chrono::hours(24));
  for (; o.count == 0 || seen < o.count; ++seen) {
    auto e = s.connection->next_event();
    if (!e.ok()) {
      if (e.status().code() == absl::StatusCode::kDeadlineExceeded) return kExitOk;
      return transport_failure(e.status());
    }
    print_event(g, *e);
    std::fflush(stdout);
  }
  return kExitOk;
}

}  // namespace

void add_work_commands(CLI::App& app, Globals& g, Commands& commands) {
  auto opts = std::make_shared<WorkOptions>();
  WorkOptions& o = *opts;
  auto* tasks = app.add_subcommand("tasks", "what is due for you and your agency, soonest first");
  tasks->add_option("--table", o.table, "one table only");
  auto* watch = app.add_subcommand(
      "watch", "events for you as they happen, after those you missed while away");
  watch->add_option("--count", o.count, "stop after this many events");
  watch->add_option("--timeout", o.timeout_seconds, "stop after this many quiet seconds");
  watch->add_flag("--no-replay", o.no_replay, "only what happens from now on");
  commands.add(tasks, "hubtable tasks", [&g, opts] { return run_tasks(g, *opts); });
  commands.add(watch, "hubtable watch --no-replay", [&g, opts] { return run_watch(g, *opts); });
}

}  // namespace hubtable::cli
