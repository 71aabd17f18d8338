#pragma once
// Filter 2's decision: the chair accepts or rejects a situation at an open
// meeting, and may correct that decision while the meeting is open. A
// rejection's content is held until the meeting closes (MeetingHandlers
// erases it then), unless the chair erases it at once.

#include "api/work.h"
#include "domain/lifecycle.h"
#include "store/meetings.h"

namespace hubtable::api {

class DecisionHandlers {
 public:
  absl::StatusOr<domain::Decision> decide(Work& w);

 private:
  /// The decision or its correction, its codes as the vocabulary spells them.
  absl::StatusOr<domain::Decision> record(Work& w);
  absl::StatusOr<domain::Decision> first_decision(Work& w, domain::Verdict v,
                                                  const store::MeetingRecord& meeting);
  absl::StatusOr<domain::Decision> correct(Work& w, domain::Verdict v,
                                           const store::MeetingRecord& meeting);
  /// Records verdict `v` on a situation awaiting a decision.
  absl::Status apply(Work& w, domain::Verdict v, const store::MeetingRecord& meeting);
};

}  // namespace hubtable::api
