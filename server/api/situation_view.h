#pragma once
// How a situation record is loaded and shown, shared by the Filter 1-2 and
// Filter 3-4 handlers. What a caller sees is the policy's RecordView; no
// identifying value is ever part of a Situation message.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/authorize.h"
#include "domain/limits.h"
#include "hubtable/v1/situation.pb.h"
#include "store/follow_up.h"
#include "store/participants.h"
#include "store/situations.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;

/// Situation ids: Crockford base32, 10 characters, read aloud as two groups.
inline constexpr const char* kSituationIdAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
inline constexpr std::size_t kSituationIdChars = 10;

/// Status updates a record carries at most: domain::kUpdatesShown
/// (Situation.updates_total counts all).
using domain::kUpdatesShown;

/// Everything about a situation beyond its de-identified record.
struct CaseFacts {
  std::vector<store::Participant> participants;
  bool identified = false;
  std::optional<store::Intervention> intervention;
  std::vector<store::StatusUpdate> updates;
  store::Closure closure;
  /// Status updates shown: the kUpdatesShown most recent after skipping
  /// this many of the newest (a long history is read page by page).
  std::uint32_t earlier_updates = 0;

  std::vector<std::string> agencies_with_role(const char* role) const;
  std::vector<std::string> joined_agencies() const;
};

absl::StatusOr<CaseFacts> load_case_facts(store::Connection& c, const store::SituationRecord& s);

/// Fills `out` with what `view` allows; `facts` may be null before Filter 3.
void fill_situation(const store::SituationRecord& s, domain::RecordView view,
                    const CaseFacts* facts, std::int64_t now_us, v1::Situation& out);

/// The names of the fields a view shows (for the audit event).
std::vector<std::string> view_elements(domain::RecordView view);

/// Upper-cases an id typed by a person; empty when it cannot be one.
std::string normalise_situation_id(const std::string& in);

/// Loads the situation a request names, or refuses (bad id, not found).
absl::StatusOr<domain::Decision> load_situation(store::Connection& c, const std::string& raw_id,
                                                store::SituationRecord& out);

/// A situation state on the wire, and back (nothing for UNSPECIFIED or a
/// number that is not a state).
hubtable::v1::SituationState to_wire(domain::SituationState s);
std::optional<domain::SituationState> from_wire(int wire);

}  // namespace hubtable::api
