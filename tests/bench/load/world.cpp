#include "tests/bench/load/world.h"

#include <fmt/format.h>

namespace hubtable::bench {

namespace v1 = hubtable::v1;

namespace {

constexpr std::array<const char*, 2> kAgencies = {"police", "mh"};

absl::Status refused(const char* what, const absl::StatusOr<v1::Response>& r) {
  if (!r.ok()) return r.status();
  if (r->status().code() == v1::OK) return absl::OkStatus();
  return absl::InternalError(fmt::format("{}: {}", what, r->status().message()));
}

std::string load_users_toml(int users) {
  std::string text = testing::kTestTable;
  for (int i = 0; i < users; ++i) {
    text += fmt::format(
        "\n[[user]]\nusername = \"load.{:04}\"\nname = \"Load Rep {}\"\nagency = \"{}\"\n"
        "roles = [{{ table = \"t1\", role = \"REP\" }}]\nconfidentiality_signed = 2025-01-02\n",
        i, i, kAgencies[static_cast<std::size_t>(i) % kAgencies.size()]);
  }
  return text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<World>> World::create(const WorldOptions& options) {
  std::unique_ptr<World> w(new World(options));
  w->server_.deployment().apply_text(load_users_toml(options.users));
  w->server_.start();

  w->chair_ = w->server_.connect("chair.one");
  if (w->chair_ == nullptr) return absl::UnavailableError("the chair cannot connect");
  if (auto s = refused("chair login",
                       absl::StatusOr<v1::Response>(w->server_.login(*w->chair_, "chair.one")));
      !s.ok()) {
    return s;
  }
  v1::Request open;
  open.mutable_open_meeting()->set_unscheduled(true);
  if (auto s = refused("open meeting", w->chair_->call(open)); !s.ok()) return s;

  for (int i = 0; i < options.users; ++i) {
    if (auto s = w->log_in(fmt::format("load.{:04}", i), static_cast<std::size_t>(i) % 2);
        !s.ok()) {
      return s;
    }
  }
  for (std::size_t a = 0; a < kAgencies.size(); ++a) {
    if (auto s = w->seed(a, options.situations_per_agency); !s.ok()) return s;
  }
  return w;
}

absl::Status World::log_in(const std::string& username, std::size_t agency) {
  auto conn = server_.connect(username);
  if (conn == nullptr) return absl::UnavailableError(username + " cannot connect");
  auto r = server_.login(*conn, username);
  if (r.status().code() != v1::OK) {
    return absl::InternalError(username + " login: " + r.status().message());
  }
  v1::Request check_in;
  check_in.mutable_check_in();
  conn->set_session_token(r.login().session_token());
  if (auto s = refused("check in", conn->call(check_in)); !s.ok()) return s;
  users_.push_back({username, server_.profile(username), r.login().session_token(), agency});
  return absl::OkStatus();
}

// The agency's first rep submits; the chair accepts; the rep identifies
// every other one.
absl::Status World::seed(std::size_t agency, int situations) {
  const LoadUser& rep = users_.at(agency);
  auto conn = client::Connection::open(rep.profile);
  if (!conn.ok()) return conn.status();
  (*conn)->set_session_token(rep.token);
  for (int n = 0; n < situations; ++n) {
    auto submitted = (*conn)->call(testing::submission(n));
    if (auto s = refused("submit", submitted); !s.ok()) return s;
    const std::string id = submitted->submit_situation().situation().id();
    pools_[agency].situations.push_back(id);
    if (n % 2 != 0) continue;
    if (auto s = refused("decide", chair_->call(testing::decision(id))); !s.ok()) return s;
    auto identified =
        (*conn)->call(testing::identification(id, fmt::format("Load Person {} {}", agency, n)));
    if (auto s = refused("identify", identified); !s.ok()) return s;
    pools_[agency].identified.push_back(id);
  }
  return absl::OkStatus();
}

}  // namespace hubtable::bench
