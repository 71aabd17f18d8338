#include "domain/agenda.h"

#include <algorithm>
#include <tuple>

namespace hubtable::domain {

namespace {
constexpr int kRoundSeconds = 30;

int nominal_seconds(AgendaSection s) {
  switch (s) {
    case AgendaSection::kNew:
      return 10 * 60;
    case AgendaSection::kOverdue:
      return 5 * 60;
    case AgendaSection::kReturning:
      return 3 * 60;
  }
  return 0;
}

int floor_seconds(AgendaSection s) {
  switch (s) {
    case AgendaSection::kNew:
      return 4 * 60;
    case AgendaSection::kOverdue:
      return 2 * 60;
    case AgendaSection::kReturning:
      return 60;
  }
  return 0;
}

int section_rank(AgendaSection s) {
  switch (s) {
    case AgendaSection::kNew:
      return 0;
    case AgendaSection::kReturning:
      return 1;
    case AgendaSection::kOverdue:
      return 2;
  }
  return 3;
}
}  // namespace

AgendaSection section_for_accepted(std::int64_t intervention_due_us,
                                   std::optional<std::int64_t> intervened_us, std::int64_t now_us) {
  if (!intervened_us && now_us > intervention_due_us) return AgendaSection::kOverdue;
  return AgendaSection::kReturning;
}

int available_seconds(int meeting_minutes) {
  // Opening and wrap-up take a tenth of the meeting, at least 5 minutes each.
  const int total = meeting_minutes * 60;
  const int reserve = std::max(10 * 60, total / 10);
  return std::max(0, total - reserve);
}

AgendaPlan plan_agenda(std::vector<AgendaEntry> entries, int meeting_minutes) {
  std::stable_sort(entries.begin(), entries.end(), [](const AgendaEntry& a, const AgendaEntry& b) {
    return std::make_tuple(section_rank(a.section), a.since_us) <
           std::make_tuple(section_rank(b.section), b.since_us);
  });
  AgendaPlan plan;
  plan.available_seconds = available_seconds(meeting_minutes);
  long nominal_total = 0;
  for (const auto& e : entries) nominal_total += nominal_seconds(e.section);
  // Scale factor in thousandths, so the arithmetic stays integral.
  const long scale = nominal_total <= plan.available_seconds
                         ? 1000
                         : (1000L * plan.available_seconds) / std::max(1L, nominal_total);
  int offset = 0;
  for (auto& e : entries) {
    PlannedItem item;
    item.situation_id = std::move(e.situation_id);
    item.section = e.section;
    long box = nominal_seconds(item.section) * scale / 1000;
    box -= box % kRoundSeconds;
    item.time_box_seconds = std::max(floor_seconds(item.section), static_cast<int>(box));
    item.start_offset_seconds = offset;
    item.beyond_time = offset + item.time_box_seconds > plan.available_seconds;
    offset += item.time_box_seconds;
    plan.items.push_back(std::move(item));
  }
  plan.planned_seconds = offset;
  plan.fits = offset <= plan.available_seconds;
  return plan;
}

PlannedItem plan_late_addition(const AgendaEntry& entry, int after_offset_seconds,
                               int available_seconds) {
  PlannedItem item;
  item.situation_id = entry.situation_id;
  item.section = entry.section;
  item.time_box_seconds = nominal_seconds(entry.section);
  item.start_offset_seconds = after_offset_seconds;
  item.late = true;
  item.beyond_time = after_offset_seconds + item.time_box_seconds > available_seconds;
  return item;
}

}  // namespace hubtable::domain
