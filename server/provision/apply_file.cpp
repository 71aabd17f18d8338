#include "provision/apply_file.h"

#include "wire/toml_document.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "absl/time/time.h"
#include "domain/free_text.h"
#include "domain/login_policy.h"

namespace hubtable::provision {

namespace {
const std::regex kCodePattern("^[a-z0-9][a-z0-9_-]{0,31}$");
const std::regex kUsernamePattern("^[a-z0-9][a-z0-9._-]{0,63}$");
const std::regex kSectorPattern("^[A-Z][A-Z_]{0,31}$");
const std::regex kVocabularyCodePattern("^[A-Z0-9][A-Z0-9_+-]{0,39}$");
const std::regex kTimePattern("^([01][0-9]|2[0-3]):([0-5][0-9])$");

absl::Status bad(const std::string& where, const std::string& what) {
  return absl::InvalidArgumentError(where + ": " + what);
}

absl::StatusOr<std::string> required_string(const toml::table& t, const char* key,
                                            const std::string& where) {
  auto v = t[key].value<std::string>();
  if (!v || v->empty()) return bad(where + "." + key, "required (a non-empty string)");
  // Names are shown on everyone's screens: one line of printable text.
  if (auto b = domain::check_free_text(where + "." + key, *v, domain::Lines::kSingleLine)) {
    return absl::InvalidArgumentError(b->message);
  }
  return *v;
}

// Accepts a TOML date or a "YYYY-MM-DD" string; returns the ISO string or "".
absl::StatusOr<std::string> optional_date(const toml::table& t, const char* key,
                                          const std::string& where) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::string();
  std::string text;
  if (auto d = node->value<toml::date>()) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(d->year),
                  static_cast<int>(d->month), static_cast<int>(d->day));
    text = buf;
  } else if (auto s = node->value<std::string>()) {
    text = *s;
  } else {
    return bad(where + "." + key, "must be a date (YYYY-MM-DD)");
  }
  absl::Time parsed;
  std::string err;
  if (!absl::ParseTime("%Y-%m-%d", text, &parsed, &err) || text.size() != 10) {
    return bad(where + "." + key, "must be a date (YYYY-MM-DD)");
  }
  return text;
}

absl::StatusOr<int> weekday_number(const std::string& day) {
  static const std::map<std::string, int> kDays = {{"mon", 1}, {"tue", 2}, {"wed", 3}, {"thu", 4},
                                                   {"fri", 5}, {"sat", 6}, {"sun", 7}};
  auto it = kDays.find(day);
  if (it == kDays.end()) return absl::InvalidArgumentError("unknown weekday");
  return it->second;
}

absl::Status parse_agency(const toml::table& t, const std::string& where, store::AgencyRow& a) {
  auto code = required_string(t, "code", where);
  if (!code.ok()) return code.status();
  if (!std::regex_match(*code, kCodePattern)) {
    return bad(where + ".code", "must be 1-32 of a-z, 0-9, '_' or '-'");
  }
  a.code = *code;
  auto name = required_string(t, "name", where);
  if (!name.ok()) return name.status();
  a.name = *name;
  auto sector = required_string(t, "sector", where);
  if (!sector.ok()) return sector.status();
  if (!std::regex_match(*sector, kSectorPattern)) {
    return bad(where + ".sector", "must be a sector code such as POLICE or MENTAL_HEALTH");
  }
  a.sector = *sector;
  auto signed_on = optional_date(t, "isa_signed", where);
  if (!signed_on.ok()) return signed_on.status();
  auto expires_on = optional_date(t, "isa_expires", where);
  if (!expires_on.ok()) return expires_on.status();
  if (signed_on->empty() != expires_on->empty()) {
    return bad(where, "isa_signed and isa_expires go together");
  }
  if (!signed_on->empty() && *expires_on <= *signed_on) {
    return bad(where + ".isa_expires", "must be after isa_signed");
  }
  a.isa_signed_on = *signed_on;
  a.isa_expires_on = *expires_on;
  a.isa_stated = !signed_on->empty();
  return absl::OkStatus();
}

absl::Status parse_table(const toml::table& t, const std::string& where,
                         const std::set<std::string>& agencies, store::TableRow& row) {
  auto code = required_string(t, "code", where);
  if (!code.ok()) return code.status();
  if (!std::regex_match(*code, kCodePattern)) {
    return bad(where + ".code", "must be 1-32 of a-z, 0-9, '_' or '-'");
  }
  row.code = *code;
  auto name = required_string(t, "name", where);
  if (!name.ok()) return name.status();
  row.name = *name;
  auto tz = required_string(t, "time_zone", where);
  if (!tz.ok()) return tz.status();
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(*tz, &zone)) {
    return bad(where + ".time_zone", "unknown IANA time zone (e.g. America/Toronto)");
  }
  row.time_zone = *tz;
  // Follow-up deadlines and retention.
  const std::tuple<const char*, int*, std::int64_t, std::int64_t> limits[] = {
      {"ack_hours", &row.ack_hours, 1, 168},
      {"intervention_hours", &row.intervention_hours, 1, 720},
      {"retention_days", &row.retention_days, 0, 3650}};
  for (const auto& [key, out, lo, hi] : limits) {
    if (!t[key]) continue;
    auto v = t[key].value<std::int64_t>();
    if (!v || *v < lo || *v > hi) {
      return bad(where + "." + key,
                 "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    *out = static_cast<int>(*v);
  }

  // Default schedule: Tuesday and Thursday, 10:00, 90 minutes.
  std::vector<std::string> days = {"tue", "thu"};
  std::string start = "10:00";
  std::int64_t minutes = 90;
  if (const toml::table* s = t["schedule"].as_table()) {
    if (const toml::array* d = (*s)["days"].as_array()) {
      days.clear();
      for (const auto& n : *d) {
        auto v = n.value<std::string>();
        if (!v) return bad(where + ".schedule.days", "must be weekday names (mon..sun)");
        days.push_back(*v);
      }
    }
    if (auto v = (*s)["start"].value<std::string>()) start = *v;
    if (auto v = (*s)["minutes"].value<std::int64_t>()) minutes = *v;
  }
  std::smatch m;
  if (!std::regex_match(start, m, kTimePattern)) {
    return bad(where + ".schedule.start", "must be HH:MM (24-hour local time)");
  }
  if (minutes < 15 || minutes > 480) {
    return bad(where + ".schedule.minutes", "must be 15 to 480");
  }
  if (days.empty()) return bad(where + ".schedule.days", "at least one day is required");
  std::set<int> seen;
  for (const auto& day : days) {
    auto wd = weekday_number(day);
    if (!wd.ok()) return bad(where + ".schedule.days", "unknown weekday '" + day + "'");
    if (!seen.insert(*wd).second) return bad(where + ".schedule.days", "'" + day + "' repeated");
    row.schedule.push_back(
        {*wd, std::stoi(m[1].str()) * 60 + std::stoi(m[2].str()), static_cast<int>(minutes)});
  }
  if (const toml::array* a = t["agencies"].as_array()) {
    for (const auto& n : *a) {
      auto v = n.value<std::string>();
      if (!v || agencies.count(*v) == 0) {
        return bad(where + ".agencies", "unknown agency '" + v.value_or("?") + "'");
      }
      row.agencies.push_back(*v);
    }
  }
  return absl::OkStatus();
}

absl::Status parse_user(const toml::table& t, const std::string& where,
                        const std::set<std::string>& agencies,
                        const std::map<std::string, std::set<std::string>>& table_agencies,
                        store::UserRow& u) {
  auto username = required_string(t, "username", where);
  if (!username.ok()) return username.status();
  if (!std::regex_match(*username, kUsernamePattern)) {
    return bad(where + ".username", "must be 1-64 of a-z, 0-9, '.', '_' or '-'");
  }
  u.username = *username;
  auto name = required_string(t, "name", where);
  if (!name.ok()) return name.status();
  u.display_name = *name;
  if (auto agency = t["agency"].value<std::string>()) {
    if (agencies.count(*agency) == 0)
      return bad(where + ".agency", "unknown agency '" + *agency + "'");
    u.agency_code = *agency;
  }
  u.totp_required = t["totp"].value_or(false);
  u.disabled = t["disabled"].value_or(false);
  auto conf = optional_date(t, "confidentiality_signed", where);
  if (!conf.ok()) return conf.status();
  u.confidentiality_signed_on = *conf;
  u.confidentiality_stated = !conf->empty();
  const toml::array* roles = t["roles"].as_array();
  if (roles == nullptr || roles->empty())
    return bad(where + ".roles", "at least one role is required");
  int i = 0;
  for (const auto& n : *roles) {
    const std::string rw = where + ".roles[" + std::to_string(i++) + "]";
    const toml::table* r = n.as_table();
    if (r == nullptr) return bad(rw, "must be { role = \"...\", table = \"...\" }");
    auto role = required_string(*r, "role", rw);
    if (!role.ok()) return role.status();
    static const std::set<std::string> kRoles = {"REP", "CHAIR", "PRIVACY_OFFICER", "GUEST",
                                                 "ADMIN"};
    if (kRoles.count(*role) == 0) {
      return bad(rw + ".role", "must be REP, CHAIR, PRIVACY_OFFICER, GUEST or ADMIN");
    }
    std::string table = (*r)["table"].value_or(std::string());
    if (*role == "ADMIN") {
      if (!table.empty()) return bad(rw + ".table", "ADMIN is deployment-wide: no table");
    } else {
      auto it = table_agencies.find(table);
      if (it == table_agencies.end()) return bad(rw + ".table", "unknown table '" + table + "'");
      if (*role == "REP") {
        if (u.agency_code.empty()) return bad(rw, "a REP must belong to an agency");
        if (it->second.count(u.agency_code) == 0) {
          return bad(rw, "agency '" + u.agency_code + "' is not a member of table '" + table + "'");
        }
      }
    }
    u.roles.push_back({*role, table});
    if (domain::role_requires_totp(*role)) u.totp_required = true;
  }
  return absl::OkStatus();
}
absl::Status parse_vocabulary(const toml::table& t, const std::string& where,
                              const std::map<std::string, std::set<std::string>>& tables,
                              store::VocabularyRow& v) {
  auto table = required_string(t, "table", where);
  if (!table.ok()) return table.status();
  if (tables.count(*table) == 0) return bad(where + ".table", "unknown table '" + *table + "'");
  v.table_code = *table;
  auto kind = required_string(t, "kind", where);
  if (!kind.ok()) return kind.status();
  if (!store::is_vocabulary_kind(*kind)) {
    return bad(where + ".kind", "must be one of " + store::vocabulary_kinds_text());
  }
  v.kind = *kind;
  auto code = required_string(t, "code", where);
  if (!code.ok()) return code.status();
  if (!std::regex_match(*code, kVocabularyCodePattern)) {
    return bad(where + ".code", "must be 1-40 of A-Z, 0-9, '_', '+' or '-'");
  }
  v.code = *code;
  auto label = required_string(t, "label", where);
  if (!label.ok()) return label.status();
  v.label = *label;
  v.parent = t["parent"].value_or(std::string());
  if (v.kind == "risk_factor" && v.parent.empty()) {
    return bad(where + ".parent", "a risk_factor needs its risk_category code");
  }
  if (v.kind != "risk_factor" && !v.parent.empty()) {
    return bad(where + ".parent", "only a risk_factor has a parent");
  }
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<ApplyFile> parse_apply_text(std::string_view text) {
  auto parsed = wire::parse_toml(text, "apply file");
  if (!parsed.ok()) return parsed.status();
  toml::table& root = *parsed;
  ApplyFile out;
  std::set<std::string> agency_codes;
  if (const toml::array* list = root["agency"].as_array()) {
    int i = 0;
    for (const auto& n : *list) {
      const std::string where = "agency[" + std::to_string(i++) + "]";
      const toml::table* t = n.as_table();
      if (t == nullptr) return bad(where, "must be a table");
      store::AgencyRow a;
      if (auto s = parse_agency(*t, where, a); !s.ok()) return s;
      if (!agency_codes.insert(a.code).second)
        return bad(where + ".code", "duplicate '" + a.code + "'");
      out.agencies.push_back(std::move(a));
    }
  }
  std::map<std::string, std::set<std::string>> table_agencies;
  if (const toml::array* list = root["table"].as_array()) {
    int i = 0;
    for (const auto& n : *list) {
      const std::string where = "table[" + std::to_string(i++) + "]";
      const toml::table* t = n.as_table();
      if (t == nullptr) return bad(where, "must be a table");
      store::TableRow row;
      if (auto s = parse_table(*t, where, agency_codes, row); !s.ok()) return s;
      if (table_agencies.count(row.code) != 0)
        return bad(where + ".code", "duplicate '" + row.code + "'");
      table_agencies[row.code] = std::set<std::string>(row.agencies.begin(), row.agencies.end());
      out.tables.push_back(std::move(row));
    }
  }
  if (const toml::array* list = root["vocabulary"].as_array()) {
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    int i = 0;
    for (const auto& n : *list) {
      const std::string where = "vocabulary[" + std::to_string(i++) + "]";
      const toml::table* t = n.as_table();
      if (t == nullptr) return bad(where, "must be a table");
      store::VocabularyRow v;
      if (auto s = parse_vocabulary(*t, where, table_agencies, v); !s.ok()) return s;
      if (!seen.emplace(v.table_code, v.kind, v.code).second) {
        return bad(where + ".code", "duplicate '" + v.code + "'");
      }
      out.vocabulary.push_back(std::move(v));
    }
  }
  if (const toml::array* list = root["user"].as_array()) {
    std::set<std::string> usernames;
    int i = 0;
    for (const auto& n : *list) {
      const std::string where = "user[" + std::to_string(i++) + "]";
      const toml::table* t = n.as_table();
      if (t == nullptr) return bad(where, "must be a table");
      store::UserRow u;
      if (auto s = parse_user(*t, where, agency_codes, table_agencies, u); !s.ok()) return s;
      if (!usernames.insert(u.username).second) {
        return bad(where + ".username", "duplicate '" + u.username + "'");
      }
      out.users.push_back(std::move(u));
    }
  }
  return out;
}

absl::StatusOr<ApplyFile> parse_apply_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  auto parsed = parse_apply_text(buf.str());
  if (!parsed.ok()) {
    std::string message(parsed.status().message());
    if (message.starts_with("apply file: ")) message.erase(0, 12);
    return absl::InvalidArgumentError(path.string() + ": " + message);
  }
  return parsed;
}

}  // namespace hubtable::provision
