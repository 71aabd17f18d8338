#include "tests/bench/load/mix.h"

#include <charconv>

#include "absl/strings/str_split.h"
#include "tests/support/requests.h"

namespace hubtable::bench {

namespace v1 = hubtable::v1;

absl::StatusOr<Mix> Mix::parse(std::string_view text) {
  Mix mix;
  for (absl::string_view piece :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ',', absl::SkipWhitespace())) {
    const std::string_view part(piece.data(), piece.size());
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      return absl::InvalidArgumentError("mix: expected kind=weight, got \"" + std::string(part) +
                                        "\"");
    }
    const std::string_view name = part.substr(0, eq);
    const std::string_view number = part.substr(eq + 1);
    std::size_t k = 0;
    while (k < kKinds && kKindNames[k] != name) ++k;
    if (k == kKinds)
      return absl::InvalidArgumentError("mix: unknown kind \"" + std::string(name) + "\"");
    std::uint32_t weight = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), weight);
    if (ec != std::errc() || end != number.data() + number.size() || weight > 1000) {
      return absl::InvalidArgumentError("mix: weight of " + std::string(name) +
                                        " must be 0 to 1000");
    }
    mix.weights_[k] = weight;
  }
  for (auto w : mix.weights_) mix.total_ += w;
  if (mix.total_ == 0) return absl::InvalidArgumentError("mix: every weight is 0");
  return mix;
}

Kind Mix::pick(std::mt19937_64& rng) const {
  auto roll = std::uniform_int_distribution<std::uint32_t>(0, total_ - 1)(rng);
  std::size_t k = 0;
  while (roll >= weights_[k]) roll -= weights_[k++];
  return static_cast<Kind>(k);
}

std::string Mix::text() const {
  std::string out;
  for (std::size_t k = 0; k < kKinds; ++k) {
    if (weights_[k] == 0) continue;
    if (!out.empty()) out += ',';
    out += std::string(kKindNames[k]) + "=" + std::to_string(weights_[k]);
  }
  return out;
}

namespace {

const std::string& any_of(const std::vector<std::string>& ids, std::mt19937_64& rng) {
  return ids[std::uniform_int_distribution<std::size_t>(0, ids.size() - 1)(rng)];
}

}  // namespace

v1::Request build_request(Kind kind, const AgencyPool& pool, std::uint64_t serial,
                          std::mt19937_64& rng) {
  v1::Request r;
  switch (kind) {
    case Kind::kCheckIn:
      r.mutable_check_in();
      break;
    case Kind::kSubmit:
      r = testing::submission(static_cast<int>(serial % 1'000'000'000));
      break;
    case Kind::kShow:
      r.mutable_show_situation()->set_id(any_of(pool.situations, rng));
      break;
    case Kind::kAgenda:
      r.mutable_agenda();
      break;
    case Kind::kList:
      r.mutable_list_situations()->set_table("t1");
      r.mutable_list_situations()->set_page_size(25);
      break;
    case Kind::kReveal:
      r = testing::reveal(any_of(pool.identified, rng));
      break;
    case Kind::kWhoami:
      r.mutable_whoami();
      break;
  }
  return r;
}

}  // namespace hubtable::bench
