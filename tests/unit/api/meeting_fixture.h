#pragma once
// A service test with table t1's meeting helpers: open, check in, submit,
// decide, show, each as a named user who logs in (again) as needed.

#include <map>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "tests/unit/api/service_fixture.h"

namespace hubtable::api {

inline constexpr std::int64_t kHourUs = 60 * kMinuteUs;
inline constexpr const char* kNarrative =
    "A 16-year-old in Grade 10 has missed most of the term, was found intoxicated twice last "
    "week and told a teacher she has nowhere safe to sleep.";

inline std::int64_t utc(int y, int mo, int d, int h, int mi) {
  return absl::ToUnixMicros(
      absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone()));
}

class MeetingTest : public ServiceTest {
 protected:
  // Tuesday 24 November 2026, 08:00 in Toronto: two hours before the
  // scheduled 10:00 meeting of table t1.
  explicit MeetingTest(std::int64_t start = utc(2026, 11, 24, 13, 0), const Tune& tune = {})
      : ServiceTest(start, tune) {}

  // Calls as `user`, logging in again when the clock has moved past the
  // session's idle timeout.
  v1::Response as(const std::string& user, const v1::Request& r) {
    auto& token = tokens_[user];
    if (token.empty()) token = first_login(user);
    auto response = call(user, token, r);
    if (response.status().code() != v1::UNAUTHENTICATED) return response;
    const bool totp = std::filesystem::exists(dep_.profile(user) / "totp-uri");
    auto again = login(user, kNewPassword, totp ? code(user) : "");
    EXPECT_EQ(again.status().code(), v1::OK) << again.status().message();
    token = again.login().session_token();
    return call(user, token, r);
  }

  v1::Response open(const std::string& user = "chair.one", bool unscheduled = false) {
    v1::Request r;
    r.mutable_open_meeting()->set_unscheduled(unscheduled);
    return as(user, r);
  }
  v1::Response close(const std::string& user = "chair.one") {
    v1::Request r;
    r.mutable_close_meeting();
    return as(user, r);
  }
  v1::Response check_in(const std::string& user, const std::string& meeting = "") {
    v1::Request r;
    r.mutable_check_in()->mutable_ref()->set_meeting(meeting);
    return as(user, r);
  }
  v1::Response agenda(const std::string& user = "chair.one") {
    v1::Request r;
    r.mutable_agenda();
    return as(user, r);
  }

  static v1::SubmitSituationRequest submission(const std::string& narrative = kNarrative) {
    v1::SubmitSituationRequest s;
    s.set_situation_type("PERSON");
    s.set_age_band("16-17");
    s.set_gender("F");
    s.add_risk_factors("MEN-SUSP");
    s.add_risk_factors("ALC-ABUSE");
    s.add_protective_factors("FAMILY_SUPPORT");
    s.add_study_flags("OPIOIDS");
    s.set_narrative(narrative);
    s.set_filter1_attested(true);
    return s;
  }
  v1::Response submit(const std::string& user, const v1::SubmitSituationRequest& s) {
    v1::Request r;
    *r.mutable_submit_situation() = s;
    return as(user, r);
  }
  std::string submit_ok(const std::string& user = "rep.police") {
    auto r = submit(user, submission());
    EXPECT_EQ(r.status().code(), v1::OK) << r.status().message();
    return r.submit_situation().situation().id();
  }
  v1::Response decide(const std::string& id, bool accept, const std::string& reason = "NOT_AER",
                      const std::string& user = "chair.one") {
    v1::Request r;
    r.mutable_decide_situation()->set_id(id);
    if (accept) {
      r.mutable_decide_situation()->set_accept(true);
    } else {
      r.mutable_decide_situation()->set_reject_reason(reason);
    }
    return as(user, r);
  }
  v1::Response show(const std::string& user, const std::string& id) {
    v1::Request r;
    r.mutable_show_situation()->set_id(id);
    return as(user, r);
  }
  v1::Response list(const std::string& user, const std::string& table = "") {
    v1::Request r;
    r.mutable_list_situations()->set_table(table);
    return as(user, r);
  }
  v1::Response withdraw(const std::string& user, const std::string& id) {
    v1::Request r;
    r.mutable_withdraw_situation()->set_id(id);
    return as(user, r);
  }

  std::vector<std::string> agenda_ids(const v1::Agenda& a) {
    std::vector<std::string> out;
    for (const auto& i : a.items()) {
      out.push_back(i.situation() + ":" + v1::AgendaSection_Name(i.section()) +
                    (i.late() ? ":late" : ""));
    }
    return out;
  }

  std::map<std::string, std::string> tokens_;
};

}  // namespace hubtable::api
