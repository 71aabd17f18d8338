#include "tests/bench/province.h"

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "crypto/random.h"
#include "domain/clock.h"
#include "provision/apply_file.h"
#include "provision/provisioner.h"
#include "store/transaction.h"
#include "tests/support/report_seed.h"

namespace hubtable::bench {

namespace {

constexpr std::int64_t kHourUs = std::int64_t{3600} * 1000 * 1000;
constexpr int kBatch = 20000;

const char* const kSectors[] = {"POLICE",     "MENTAL_HEALTH",   "ADDICTIONS",    "CHILD_WELFARE",
                                "EDUCATION",  "HOUSING",         "HEALTH",        "INCOME_SUPPORT",
                                "PROBATION",  "VICTIM_SERVICES", "COUNSELLING",   "INDIGENOUS",
                                "SENIORS",    "SHELTER",         "YOUTH_JUSTICE", "DEVELOPMENTAL",
                                "EMPLOYMENT", "BYLAW",           "FIRE",          "OTHER"};
constexpr int kAgencies = 20;
constexpr int kMembers = 10;  // agencies per table

const char* const kFactors[] = {"ALC-USE",      "ALC-ABUSE",    "DRG-USE",      "DRG-OVERDOSE",
                                "CRI-ASSAULT",  "CRI-PROPERTY", "MEN-DIAG",     "MEN-SUSP",
                                "HOU-HOMELESS", "SUI-RISK",     "PAR-CONFLICT", "SCH-TRUANCY",
                                "EMV-VICTIM",   "PHV-VICTIM",   "ANB-PERSON",   "CVI-ASSAULT"};
const char* const kTypes[] = {"PERSON", "PERSON", "PERSON", "FAMILY", "GROUP", "DWELLING"};
const char* const kAges[] = {"12-15", "16-17", "18-24", "25-29", "30-39", "40-59", "60+"};
const char* const kGenders[] = {"F", "M", "X", "U"};
const char* const kRejections[] = {"NOT_AER", "SINGLE_AGENCY", "ALREADY_SERVED", "OTHER_TABLE"};
const char* const kOutcomes[] = {"CONSENTED", "CONSENTED", "CONSENTED", "REFUSED",
                                 "UNABLE_TO_LOCATE"};
const char* const kClosures[] = {"LOWERED_CONNECTED", "LOWERED_INFORMED", "LOWERED_ALREADY",
                                 "STILL_REFUSED", "STILL_UNLOCATED"};
const char* const kServices[] = {"MENTAL_HEALTH", "ADDICTIONS",  "HOUSING",
                                 "INCOME",        "COUNSELLING", "YOUTH"};
const char* const kProtective[] = {"FAMILY_SUPPORT", "SOCIAL_SUPPORT", "SCHOOL_ENGAGED",
                                   "EMPLOYED"};

template <class T, std::size_t N>
const T& pick(std::mt19937_64& rng, const T (&items)[N]) {
  return items[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

std::string apply_text(const ProvinceShape& shape) {
  std::string t;
  for (int a = 0; a < kAgencies; ++a) {
    absl::StrAppend(&t, "[[agency]]\ncode = \"a", a, "\"\nname = \"Agency ", a, "\"\nsector = \"",
                    kSectors[a], "\"\nisa_signed = 2016-01-01\nisa_expires = 2036-01-01\n\n");
  }
  for (int i = 0; i < shape.tables; ++i) {
    absl::StrAppend(&t, "[[table]]\ncode = \"t", i, "\"\nname = \"Table ", i,
                    "\"\ntime_zone = \"America/Toronto\"\nagencies = [");
    for (int m = 0; m < kMembers; ++m) {
      absl::StrAppend(&t, m ? ", " : "", "\"a", (i + m) % kAgencies, "\"");
    }
    t += "]\n\n";
  }
  // A rep per agency (situations need a submitter), at the first table the
  // agency sits at; agencies at no table submit nothing.
  for (int a = 0; a < kAgencies; ++a) {
    for (int i = 0; i < shape.tables; ++i) {
      if (((a - i) % kAgencies + kAgencies) % kAgencies >= kMembers) continue;
      absl::StrAppend(&t, "[[user]]\nusername = \"rep.a", a, "\"\nname = \"Rep ", a,
                      "\"\nagency = \"a", a, "\"\nroles = [{ table = \"t", i,
                      "\", role = \"REP\" }]\n\n");
      break;
    }
  }
  return t;
}

// One situation of table `table` submitted at `at`, at a stage that depends
// on its age: recent ones may still await a decision or be open.
testing::SeedSituation situation(std::mt19937_64& rng, int table, std::int64_t table_id,
                                 std::int64_t serial, std::int64_t at, std::int64_t end,
                                 const std::vector<std::int64_t>& agency_ids,
                                 const std::vector<std::int64_t>& user_ids) {
  testing::SeedSituation s;
  s.id = absl::StrCat("p", table, "-", serial);
  s.table_id = table_id;
  const int member = std::uniform_int_distribution<int>(0, kMembers - 1)(rng);
  const int agency = (table + member) % kAgencies;
  s.originating_agency_id = agency_ids[static_cast<std::size_t>(agency)];
  s.submitted_by = user_ids[static_cast<std::size_t>(agency)];
  s.submitted_us = at;
  s.situation_type = pick(rng, kTypes);
  s.age_band = pick(rng, kAges);
  s.gender = pick(rng, kGenders);
  // About 600 bytes of de-identified narrative, as tables write them.
  s.narrative.assign(600, 'n');
  const int roll = std::uniform_int_distribution<int>(0, 99)(rng);
  const bool recent = end - at < kHourUs * 24 * 7;
  if (recent && roll < 50) {
    s.state = "AWAITING_DECISION";
  } else if (roll < 5) {
    s.state = "WITHDRAWN";
  } else if (roll < 30) {
    s.state = "REJECTED";
    s.decided_us = at + 48 * kHourUs;
    s.rejection_reason = pick(rng, kRejections);
  } else {
    s.state = "ACCEPTED";
    s.decided_us = at + 48 * kHourUs;
  }
  if (s.state != "ACCEPTED") return s;
  const int factors = std::uniform_int_distribution<int>(1, 4)(rng);
  for (int f = 0; f < factors; ++f) {
    std::string code = pick(rng, kFactors);
    if (std::find(s.risk_factors.begin(), s.risk_factors.end(), code) == s.risk_factors.end()) {
      s.risk_factors.push_back(std::move(code));
    }
  }
  if (roll % 3 == 0) s.protective_factors.push_back(pick(rng, kProtective));
  if (roll % 10 == 0) s.study_flags.emplace_back("OPIOIDS");
  const int lead = (table + std::uniform_int_distribution<int>(0, kMembers - 1)(rng)) % kAgencies;
  s.lead_agency_id = agency_ids[static_cast<std::size_t>(lead)];
  const int assisting = (lead + 1 + table) % kAgencies;
  if (assisting != lead) s.assisting.push_back(agency_ids[static_cast<std::size_t>(assisting)]);
  const std::int64_t decided = *s.decided_us;
  s.ack_due_us = decided + 4 * kHourUs;
  s.acked_us = decided + std::uniform_int_distribution<std::int64_t>(0, 6)(rng) * kHourUs;
  s.intervention_due_us = decided + 48 * kHourUs;
  std::lognormal_distribution<double> hours(3.2, 0.7);  // median about 25 h
  const auto elapsed = static_cast<std::int64_t>(hours(rng) * static_cast<double>(kHourUs));
  if (decided + elapsed < end) {
    s.intervened_us = decided + elapsed;
    s.outcome = pick(rng, kOutcomes);
  }
  const std::int64_t closed = decided + kHourUs * 24 * 30;
  if (s.intervened_us && closed < end) {
    s.state = "CLOSED";
    s.closed_us = closed;
    s.closure_reason = pick(rng, kClosures);
    s.services = {pick(rng, kServices)};
  }
  return s;
}

}  // namespace

absl::Status seed_province(const std::filesystem::path& dir, const ProvinceShape& shape) {
  domain::SystemClock clock;
  provision::InitOptions o;
  o.dir = dir;
  o.listen_port = 0;
  if (auto s = provision::init_deployment(o, clock, crypto::system_random()); !s.ok()) return s;
  auto file = provision::parse_apply_text(apply_text(shape));
  if (!file.ok()) return file.status();
  auto d = provision::open_deployment(province_config(dir));
  if (!d.ok()) return d.status();
  auto applied = provision::apply(*d, *file, dir / "profiles", clock, crypto::system_random());
  if (!applied.ok()) return applied.status();

  std::vector<std::int64_t> agency_ids;
  std::vector<std::int64_t> user_ids;
  std::vector<std::int64_t> table_ids;
  auto ids = d->db->write([&](store::Connection& c) -> absl::Status {
    for (int a = 0; a < kAgencies; ++a) {
      agency_ids.push_back(testing::id_of(c, "agencies", absl::StrCat("a", a)));
      user_ids.push_back(testing::id_of(c, "users", absl::StrCat("rep.a", a)));
    }
    for (int t = 0; t < shape.tables; ++t) {
      table_ids.push_back(testing::id_of(c, "situation_tables", absl::StrCat("t", t)));
    }
    return absl::OkStatus();
  });
  if (!ids.ok()) return ids;

  const std::int64_t start = absl::ToUnixMicros(
      absl::FromCivil(absl::CivilDay(shape.first_year, 1, 1), absl::UTCTimeZone()));
  const std::int64_t end = absl::ToUnixMicros(
      absl::FromCivil(absl::CivilDay(shape.first_year + shape.years, 1, 1), absl::UTCTimeZone()));
  const std::int64_t per_table = std::int64_t{shape.per_table_per_year} * shape.years;
  const std::int64_t step = (end - start) / per_table;
  std::mt19937_64 rng(20261202);
  // Situations go in by time across the tables, as a province makes them.
  std::int64_t serial = 0;
  while (serial < per_table) {
    auto st = d->db->write([&](store::Connection& c) -> absl::Status {
      store::Transaction tx(c, store::Transaction::Kind::kWrite);
      if (!tx.status().ok()) return tx.status();
      auto seeder = testing::Seeder::create(c);
      if (!seeder.ok()) return seeder.status();
      for (int n = 0; n < kBatch && serial < per_table; ++serial) {
        const std::int64_t at = start + serial * step;
        for (int t = 0; t < shape.tables; ++t, ++n) {
          auto s = situation(rng, t, table_ids[static_cast<std::size_t>(t)], serial,
                             at + std::int64_t{t} * 60'000'000, end, agency_ids, user_ids);
          if (auto r = seeder->insert(s); !r.ok()) return r;
        }
      }
      return tx.commit();
    });
    if (!st.ok()) return st;
  }
  std::ofstream out(dir / "province.txt");
  out << shape.tables << ' ' << shape.years << ' ' << shape.per_table_per_year << ' '
      << shape.first_year << '\n';
  return out ? absl::OkStatus() : absl::InternalError("cannot write province.txt");
}

absl::StatusOr<ProvinceShape> province_shape(const std::filesystem::path& dir) {
  std::ifstream in(dir / "province.txt");
  ProvinceShape shape;
  if (!(in >> shape.tables >> shape.years >> shape.per_table_per_year >> shape.first_year)) {
    return absl::NotFoundError(dir.string() + " holds no seeded province");
  }
  return shape;
}

}  // namespace hubtable::bench
