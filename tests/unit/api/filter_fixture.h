#pragma once
// Filters 3 and 4 through the service: a situation accepted at t1's meeting,
// and helpers to identify, join, reveal, assign, plan and close as named users.

#include <filesystem>
#include <string>
#include <vector>

#include "tests/unit/api/meeting_fixture.h"

namespace hubtable::api {

inline constexpr const char* kCanaryName = "Qzvorak Canarywell";
inline constexpr const char* kCanaryAddress = "77 Canaryvale Crescent";
inline constexpr std::int64_t kDayUs = 24 * kHourUs;

class FilterTest : public MeetingTest {
 protected:
  explicit FilterTest(const Tune& tune = {}) : MeetingTest(utc(2026, 11, 24, 13, 0), tune) {}

  // A situation from police, accepted at the scheduled meeting (09:45).
  std::string accepted() {
    clock_.advance_us(105 * kMinuteUs);
    EXPECT_EQ(open().status().code(), v1::OK);
    std::string id = submit_ok();
    EXPECT_EQ(check_in("rep.police").status().code(), v1::OK);
    EXPECT_EQ(decide(id, true).status().code(), v1::OK);
    return id;
  }

  static v1::Person person(const std::string& name, const std::string& dob = "2010-03-14") {
    v1::Person p;
    p.set_name(name);
    p.set_date_of_birth(dob);
    p.set_address(kCanaryAddress);
    p.add_aliases("Q.C.");
    return p;
  }
  v1::Response identify(const std::string& id, std::vector<v1::Person> people,
                        const std::string& user = "rep.police",
                        const std::string& authority = "ON-MFIPPA-32-H") {
    v1::Request r;
    r.mutable_identify_situation()->set_id(id);
    r.mutable_identify_situation()->set_legal_authority(authority);
    for (auto& p : people) *r.mutable_identify_situation()->add_people() = std::move(p);
    return as(user, r);
  }
  v1::Response simple(const std::string& user, const std::string& id, int kind) {
    v1::Request r;
    switch (kind) {
      case 0:
        r.mutable_join_situation()->set_id(id);
        break;
      case 1:
        r.mutable_reveal_situation()->set_id(id);
        break;
      default:
        r.mutable_ack_situation()->set_id(id);
        break;
    }
    return as(user, r);
  }
  /// `user` asks for the live events meant for them (with `replay`, those
  /// kept since they last watched too).
  v1::Response watch(const std::string& user, bool replay = false) {
    v1::Request r;
    r.mutable_watch()->set_replay(replay);
    return as(user, r);
  }
  v1::Response join(const std::string& user, const std::string& id) { return simple(user, id, 0); }
  v1::Response reveal(const std::string& user, const std::string& id) {
    return simple(user, id, 1);
  }
  v1::Response ack(const std::string& user, const std::string& id) { return simple(user, id, 2); }
  v1::Response assign(const std::string& id, const std::string& lead,
                      const std::vector<std::string>& assisting = {}, bool suggest = false,
                      const std::string& user = "chair.one") {
    v1::Request r;
    auto* a = r.mutable_assign_situation();
    a->set_id(id);
    a->set_lead_agency(lead);
    for (const auto& x : assisting) a->add_assisting_agencies(x);
    a->set_suggest_only(suggest);
    return as(user, r);
  }
  v1::Response plan(const std::string& user, const std::string& id, const std::string& note) {
    v1::Request r;
    r.mutable_plan_situation()->set_id(id);
    r.mutable_plan_situation()->set_note(note);
    return as(user, r);
  }
  v1::Response intervene(const std::string& user, const std::string& id) {
    v1::Request r;
    auto* i = r.mutable_intervene_situation();
    i->set_id(id);
    i->set_occurred_us(clock_.now_us());
    i->set_outcome("CONSENTED");
    i->add_agencies_present("police");
    return as(user, r);
  }
  v1::Response close_case(const std::string& id, const std::string& reason,
                          const std::string& user = "chair.one") {
    v1::Request r;
    r.mutable_close_situation()->set_id(id);
    r.mutable_close_situation()->set_closure_reason(reason);
    r.mutable_close_situation()->add_services_mobilized("MENTAL_HEALTH");
    return as(user, r);
  }
  v1::Response governance(const std::string& agency, const std::string& user,
                          const std::string& signed_on, const std::string& expires_on = "") {
    v1::Request r;
    auto* g = r.mutable_set_governance();
    if (!agency.empty()) g->set_agency(agency);
    if (!user.empty()) g->set_user(user);
    g->set_signed_on(signed_on);
    g->set_expires_on(expires_on);
    return as("admin", r);
  }

  int denied_with(const std::string& rule) {
    int n = 0;
    for (const auto& e : audit_events()) {
      if (e.outcome() == v1::AUDIT_DENIED && e.rule() == rule) ++n;
    }
    return n;
  }

  /// A second privacy officer at t1, with a signed confidentiality agreement.
  void add_second_privacy_officer() {
    dep_.apply_text(std::string(hubtable::testing::kTestTable) + R"toml(
[[user]]
username = "po.two"
name = "Privacy Officer Two"
roles = [{ table = "t1", role = "PRIVACY_OFFICER" }]
confidentiality_signed = 2025-01-02
)toml");
  }

  /// Every byte of the deployment's data directory (database, WAL, key store).
  std::string data_bytes() {
    std::string all;
    for (const auto& f : std::filesystem::directory_iterator(dep_.root() / "data")) {
      all += read_file(f.path());
    }
    return all;
  }
};

inline void expect_refused(const v1::Response& r, v1::Code code, const std::string& rule) {
  EXPECT_EQ(r.status().code(), code) << rule << ": " << r.status().message();
  EXPECT_EQ(r.status().rule(), rule);
  EXPECT_EQ(r.status().message().find("Canary"), std::string::npos) << r.status().message();
}

}  // namespace hubtable::api
