#pragma once
// What the load generator runs against: a real hubtabled (the harness's
// deployment in a temp dir, real TLS) with a table of load reps, an open
// meeting they are checked in to, and situations seeded for them to show
// and reveal.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/profile.h"
#include "tests/bench/load/mix.h"
#include "tests/integration/harness.h"

namespace hubtable::bench {

struct LoadUser {
  std::string username;
  client::Profile profile;
  std::string token;   // logged in once; every connection of the user shares it
  std::size_t agency;  // index into World::pools()
};

struct WorldOptions {
  int users = 16;
  int situations_per_agency = 20;  // half of them identified
  std::string server_config;       // appended to hubtabled.toml
};

class World {
 public:
  static absl::StatusOr<std::unique_ptr<World>> create(const WorldOptions& options);

  testing::RunningServer& server() { return server_; }
  const std::vector<LoadUser>& users() const { return users_; }
  const AgencyPool& pool(std::size_t agency) const { return pools_[agency]; }

 private:
  explicit World(const WorldOptions& options) : server_(options.server_config) {}
  absl::Status log_in(const std::string& username, std::size_t agency);
  absl::Status seed(std::size_t agency, int situations);

  testing::RunningServer server_;
  std::unique_ptr<client::Connection> chair_;
  std::vector<LoadUser> users_;
  std::vector<AgencyPool> pools_{2};
};

}  // namespace hubtable::bench
