// Free text is data, never control: every free-text field refuses the
// characters that would drive another person's terminal or reorder what it
// shows, says which and where, and changes nothing.

#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

struct Bad {
  std::string text;
  std::string named;  // what the refusal must name
};

// Each hides its character after 12 ordinary characters.
std::vector<Bad> bad_texts() {
  const std::string lead = "Youth seen: ";
  return {
      {lead + "\x1b[2J twice", "U+001B (escape) at character 13"},
      {lead + std::string("\0hidden", 7), "U+0000 (NUL) at character 13"},
      {lead + "\x1b]0;title\x07", "U+001B (escape) at character 13"},
      {lead + "\xc2\x9b"
              "31m red",
       "U+009B (control sequence introducer) at character 13"},
      {lead + "\xe2\x80\xae"
              "desrever",
       "U+202E (right-to-left override) at character 13"},
      {lead + "\xe2\x81\xa6"
              "isolated",
       "U+2066 (left-to-right isolate) at character 13"},
      {lead + "\rover", "U+000D (carriage return) at character 13"},
      {lead + "\x7f", "U+007F (delete) at character 13"},
  };
}

void expect_control_refusal(const v1::Response& r, const Bad& b, const std::string& field) {
  EXPECT_EQ(r.status().code(), v1::INVALID_ARGUMENT) << field << ": " << r.status().message();
  EXPECT_EQ(r.status().rule(), "text.control_character") << field;
  EXPECT_NE(r.status().message().find(field + " holds " + b.named), std::string::npos)
      << r.status().message();
  EXPECT_EQ(r.status().message().find("Youth"), std::string::npos) << "the text is never echoed";
}

TEST_F(FilterTest, EveryFreeTextFieldRefusesControlCharactersAndChangesNothing) {
  clock_.advance_us(105 * kMinuteUs);
  ASSERT_EQ(open().status().code(), v1::OK);
  ASSERT_EQ(check_in("rep.police").status().code(), v1::OK);
  const std::size_t situations_before = list("chair.one").list_situations().situations_size();
  for (const auto& b : bad_texts()) {
    v1::Request check;
    check.mutable_deid_check()->set_text(b.text);
    expect_control_refusal(as("rep.police", check), b, "text");
    expect_control_refusal(submit("rep.police", submission(b.text)), b, "narrative");
  }
  EXPECT_EQ(list("chair.one").list_situations().situations_size(), situations_before);
  // Newlines and tabs are text.
  const std::string id =
      submit("rep.police", submission("Missed school for weeks.\n\tFound intoxicated twice."))
          .submit_situation()
          .situation()
          .id();
  ASSERT_FALSE(id.empty());

  for (const auto& b : bad_texts()) {
    v1::Request r;
    r.mutable_decide_situation()->set_id(id);
    r.mutable_decide_situation()->set_accept(true);
    r.mutable_decide_situation()->set_note(b.text);
    expect_control_refusal(as("chair.one", r), b, "note");
  }
  EXPECT_EQ(show("chair.one", id).show_situation().situation().state(), v1::AWAITING_DECISION);
  ASSERT_EQ(decide(id, true).status().code(), v1::OK);

  for (const auto& b : bad_texts()) {
    auto p = person(kCanaryName);
    p.set_address(b.text);
    expect_control_refusal(identify(id, {p}), b, "people[0].address");
  }
  // A name is one line: a newline or tab there is refused too.
  auto tabbed = person("Qzvorak\tCanarywell");
  const auto r = identify(id, {tabbed});
  EXPECT_EQ(r.status().rule(), "text.control_character");
  EXPECT_NE(r.status().message().find("people[0].name holds U+0009 (tab) at character 8"),
            std::string::npos)
      << r.status().message();
  EXPECT_FALSE(show("chair.one", id).show_situation().situation().identified());

  ASSERT_EQ(join("rep.police", id).status().code(), v1::OK);
  ASSERT_EQ(assign(id, "police").status().code(), v1::OK);
  ASSERT_EQ(governance("", "po.one", "2025-01-02").status().code(), v1::OK);
  for (const auto& b : bad_texts()) {
    expect_control_refusal(plan("rep.police", id, b.text), b, "note");
    v1::Request u;
    u.mutable_update_situation()->set_id(id);
    u.mutable_update_situation()->set_text(b.text);
    expect_control_refusal(as("rep.police", u), b, "text");
    v1::Request g;
    g.mutable_reveal_situation()->set_id(id);
    g.mutable_reveal_situation()->set_break_glass_justification(
        "Complaint review 2026-117 needs it. " + b.text);
    const auto refused = as("po.one", g);
    EXPECT_EQ(refused.status().rule(), "text.control_character") << refused.status().message();
  }
  const auto shown = show("rep.police", id).show_situation().situation();
  EXPECT_EQ(shown.updates_size(), 0);
  v1::Request notes;
  notes.mutable_plan_situation()->set_id(id);
  EXPECT_EQ(as("rep.police", notes).plan_situation().notes_size(), 0);
  for (const auto& e : audit_events()) EXPECT_NE(e.action(), "alert.break_glass");
}

}  // namespace
}  // namespace hubtable::api
