#pragma once
// The administrator's governance records: an agency's information-sharing
// agreement and a person's confidentiality agreement, with their dates.

#include "api/work.h"

namespace hubtable::api {

class AdminHandlers {
 public:
  absl::StatusOr<domain::Decision> governance(Work& w);
};

}  // namespace hubtable::api
