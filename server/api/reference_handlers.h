#pragma once
// What a member consults that is not case data: the vocabularies, and the
// de-identification check of a draft.

#include "api/work.h"

namespace hubtable::api {

class ReferenceHandlers {
 public:
  /// The default vocabularies and those of the tables the caller sits at.
  absl::StatusOr<domain::Decision> vocabulary(Work& w);
  /// Scans a draft for likely direct identifiers. Nothing is stored but the
  /// audit event, which records that a check happened, never the text or
  /// where the findings were.
  absl::StatusOr<domain::Decision> deid_check(Work& w);
};

}  // namespace hubtable::api
