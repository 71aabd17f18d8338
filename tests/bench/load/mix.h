#pragma once
// The load generator's request mix: which kinds of request, how often each,
// and the requests themselves.

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "hubtable/v1/envelope.pb.h"

namespace hubtable::bench {

enum class Kind : std::uint8_t { kCheckIn, kSubmit, kShow, kAgenda, kList, kReveal, kWhoami };
inline constexpr std::size_t kKinds = 7;
inline constexpr std::array<std::string_view, kKinds> kKindNames = {
    "checkin", "submit", "show", "agenda", "list", "reveal", "whoami"};

inline constexpr std::string_view kDefaultMix =
    "checkin=1,submit=1,show=4,agenda=2,list=2,reveal=1";

/// Weights per kind, from "kind=weight,kind=weight".
class Mix {
 public:
  static absl::StatusOr<Mix> parse(std::string_view text);
  Kind pick(std::mt19937_64& rng) const;
  std::string text() const;

 private:
  std::array<std::uint32_t, kKinds> weights_{};
  std::uint32_t total_ = 0;
};

/// What the requests refer to: one agency's situations, seeded before the
/// run (every one shown by its agency's reps; the identified ones revealed).
struct AgencyPool {
  std::vector<std::string> situations;
  std::vector<std::string> identified;
};

/// The request of `kind` from a rep whose agency's pool is `pool`; `serial`
/// numbers submissions.
hubtable::v1::Request build_request(Kind kind, const AgencyPool& pool, std::uint64_t serial,
                                    std::mt19937_64& rng);

}  // namespace hubtable::bench
