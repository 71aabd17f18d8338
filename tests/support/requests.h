#pragma once
// Requests the harnesses send again and again (the crash harness, the
// storage-fault harness, the integration tests): a de-identified
// submission, a chair's decision, an identification, a reveal.

#include <string>

#include "hubtable/v1/envelope.pb.h"

namespace hubtable::testing {

/// A de-identified submission to t1, numbered `n` in its narrative.
inline hubtable::v1::Request submission(int n) {
  hubtable::v1::Request r;
  auto* s = r.mutable_submit_situation();
  s->set_situation_type("PERSON");
  s->set_age_band("16-17");
  s->set_gender("F");
  s->add_risk_factors("MEN-SUSP");
  s->set_narrative("Situation " + std::to_string(n) + ": missed most of the term.");
  s->set_filter1_attested(true);
  return r;
}

/// The chair accepts (or rejects as not acutely elevated risk).
inline hubtable::v1::Request decision(const std::string& id, bool accept = true) {
  hubtable::v1::Request r;
  r.mutable_decide_situation()->set_id(id);
  if (accept) {
    r.mutable_decide_situation()->set_accept(true);
  } else {
    r.mutable_decide_situation()->set_reject_reason("NOT_AER");
  }
  return r;
}

/// The originating agency's identification of one person named `name`.
inline hubtable::v1::Request identification(const std::string& id, const std::string& name) {
  hubtable::v1::Request r;
  auto* i = r.mutable_identify_situation();
  i->set_id(id);
  i->set_legal_authority("ON-MFIPPA-32-H");
  auto* p = i->add_people();
  p->set_name(name);
  p->set_date_of_birth("2010-05-17");
  p->set_address("1 Harness Road");
  return r;
}

inline hubtable::v1::Request reveal(const std::string& id) {
  hubtable::v1::Request r;
  r.mutable_reveal_situation()->set_id(id);
  return r;
}

}  // namespace hubtable::testing
