// Filter 3 identifiers (validation, the blind index's normalisation) and
// lead routing and follow-up deadlines.

#include <gtest/gtest.h>

#include "domain/identity.h"
#include "domain/routing.h"

namespace hubtable::domain {
namespace {

Person valid() { return {"Jane Roe", "2010-03-14", "1 Main Street", "", {}}; }

std::string rule_of(const std::vector<Person>& people) {
  const Decision d = validate_people(people, "2026-11-22");
  if (!d.allowed()) {
    EXPECT_EQ(d.refusal, Refusal::kInvalidArgument);
  }
  return d.allowed() ? "ok" : d.rule;
}

TEST(Identity, PeopleAreValidatedWithoutEchoingValues) {
  EXPECT_EQ(rule_of({valid()}), "ok");
  EXPECT_EQ(rule_of({}), "identify.no_people");
  EXPECT_EQ(rule_of(std::vector<Person>(11, valid())), "identify.too_many_people");
  Person p = valid();
  p.name.clear();
  EXPECT_EQ(rule_of({p}), "identify.missing_field");
  p = valid();
  p.name = "...";
  EXPECT_EQ(rule_of({p}), "identify.missing_field");
  p = valid();
  p.address.clear();
  EXPECT_EQ(rule_of({p}), "identify.missing_field");
  for (const char* dob :
       {"", "2010-3-14", "2010-02-30", "14/03/2010", "2026-11-23", "1890-01-01"}) {
    p = valid();
    p.date_of_birth = dob;
    EXPECT_EQ(rule_of({p}), "identify.bad_date") << dob;
  }
  p = valid();
  p.name = std::string(201, 'a');
  EXPECT_EQ(rule_of({p}), "identify.too_long");
  p = valid();
  p.address = "1 Main\nStreet";
  EXPECT_EQ(rule_of({p}), "text.control_character");
  p = valid();
  p.aliases = std::vector<std::string>(6, "JR");
  EXPECT_EQ(rule_of({p}), "identify.too_many_aliases");
  // The message names the person and the field, never the value.
  p = valid();
  p.date_of_birth = "2099-01-01";
  const Decision d = validate_people({valid(), p}, "2026-11-22");
  EXPECT_NE(d.message.find("people[1].date_of_birth"), std::string::npos) << d.message;
  EXPECT_EQ(d.message.find("2099"), std::string::npos) << d.message;
}

TEST(Identity, NamesNormaliseAcrossOrderCaseAccentsAndPunctuation) {
  EXPECT_EQ(normalise_name("O'Brien, Marie-Ève"), "eve marie obrien");
  EXPECT_EQ(normalise_name("marie eve OBRIEN"), "eve marie obrien");
  EXPECT_EQ(normalise_name("  José   Núñez "), "jose nunez");
  EXPECT_NE(normalise_name("Jon Roe"), normalise_name("John Roe"));
  EXPECT_EQ(identity_key(valid()), "jane roe|2010-03-14");
}

TEST(Routing, TheBestSectorFitLeadsThenTheLighterLoad) {
  const std::vector<LeadCandidate> candidates = {
      {"police", "POLICE", {"CRI", "PHV"}, 0},
      {"mh", "MENTAL_HEALTH", {"MEN", "SUI", "SLF"}, 3},
      {"cmh", "MENTAL_HEALTH", {"MEN", "SUI", "SLF"}, 1},
      {"school", "EDUCATION", {"SCH"}, 0},
  };
  const auto ranked = rank_leads({"MEN", "SUI", "CRI", "MEN"}, candidates);
  ASSERT_EQ(ranked.size(), 4u);
  EXPECT_EQ(ranked[0].agency, "cmh");  // two categories, one open lead
  EXPECT_EQ(ranked[1].agency, "mh");   // two categories, three open leads
  EXPECT_EQ(ranked[2].agency, "police");
  EXPECT_EQ(ranked[3].agency, "school");
  EXPECT_EQ(ranked[0].reason,
            "MENTAL_HEALTH leads on 2 of 3 risk categories (MEN, SUI); 1 open lead at this table");
  EXPECT_EQ(ranked[3].reason,
            "EDUCATION leads on 0 of 3 risk categories; 0 open leads at this table");
}

TEST(Routing, FollowUpDeadlines) {
  const std::int64_t h = kMicrosPerHour;
  FollowUpFacts f;
  f.open = true;
  f.accepted_us = 0;
  f.ack_due_us = 4 * h;
  f.intervention_due_us = 48 * h;
  EXPECT_FALSE(follow_up_state(f, 4 * h).ack_overdue);
  EXPECT_TRUE(follow_up_state(f, 4 * h + 1).ack_overdue);
  f.acked_us = 3 * h;
  EXPECT_FALSE(follow_up_state(f, 5 * h).ack_overdue);
  EXPECT_TRUE(follow_up_state(f, 49 * h).intervention_overdue);
  f.intervened_us = 40 * h;
  EXPECT_FALSE(follow_up_state(f, 49 * h).intervention_overdue);
  EXPECT_FALSE(follow_up_state(f, kStaleAfterUs).stale);
  EXPECT_TRUE(follow_up_state(f, kStaleAfterUs + 1).stale);
  f.last_update_us = 80 * kMicrosPerDay;
  EXPECT_FALSE(follow_up_state(f, kStaleAfterUs + 1).stale);
  f.open = false;  // closed: nothing is overdue
  f.intervened_us = 0;
  EXPECT_FALSE(follow_up_state(f, 1000 * h).intervention_overdue);
}

}  // namespace
}  // namespace hubtable::domain
