#include "store/vocabulary.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>

#include "schema/vocabularies.h"

namespace hubtable::store {

const std::vector<std::string>& vocabulary_kinds() {
  static const std::vector<std::string> kKinds = {
      "situation_type",       "age_band",   "gender",         "risk_category",    "risk_factor",
      "protective_factor",    "study_flag", "sector",         "rejection_reason", "closure_reason",
      "intervention_outcome", "service",    "legal_authority"};
  return kKinds;
}

bool is_vocabulary_kind(const std::string& kind) {
  const auto& kinds = vocabulary_kinds();
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string vocabulary_kinds_text() {
  std::string out;
  for (const auto& k : vocabulary_kinds()) out += (out.empty() ? "" : ", ") + k;
  return out;
}

absl::StatusOr<int> sync_default_vocabularies(Connection& c) {
  struct Current {
    std::string label, parent, details;
    bool retired;
  };
  std::map<std::pair<std::string, std::string>, Current> current;
  auto s = c.prepare(
      "SELECT kind, code, label, parent, details, retired FROM vocabulary "
      "WHERE table_id IS NULL");
  if (!s.ok()) return s.status();
  auto read = s->for_each_row([&](const Statement& r) {
    current[{r.text(0), r.text(1)}] = {r.text(2), r.text(3), r.text(4), r.integer(5) != 0};
  });
  if (!read.ok()) return read;

  int changed = 0;
  std::set<std::pair<std::string, std::string>> shipped;
  for (const auto& e : schema::default_vocabularies()) {
    std::pair<std::string, std::string> key{std::string(e.kind), std::string(e.code)};
    shipped.insert(key);
    auto it = current.find(key);
    if (it != current.end() && it->second.label == e.label && it->second.parent == e.parent &&
        it->second.details == e.details && !it->second.retired) {
      continue;
    }
    auto w = c.prepare(it == current.end()
                           ? "INSERT INTO vocabulary (kind, code, label, parent, details) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)"
                           : "UPDATE vocabulary SET label = ?3, parent = ?4, details = ?5, "
                             "retired = 0 WHERE kind = ?1 AND code = ?2 AND table_id IS NULL");
    if (!w.ok()) return w.status();
    w->bind(1, e.kind).bind(2, e.code).bind(3, e.label).bind(4, e.parent).bind(5, e.details);
    if (auto st = w->run(); !st.ok()) return st;
    ++changed;
  }
  for (const auto& [key, value] : current) {
    if (value.retired || shipped.count(key) != 0) continue;
    auto w = c.prepare(
        "UPDATE vocabulary SET retired = 1 WHERE kind = ?1 AND code = ?2 AND table_id IS NULL");
    if (!w.ok()) return w.status();
    w->bind(1, key.first).bind(2, key.second);
    if (auto st = w->run(); !st.ok()) return st;
    ++changed;
  }
  return changed;
}

absl::StatusOr<std::vector<VocabularyRow>> list_vocabulary(Connection& c,
                                                           const VocabularyQuery& q) {
  // One kind is read through vocabulary_kind_code (schema 0012), not by
  // visiting every entry of every kind.
  static const std::string kRows =
      "SELECT v.kind, v.code, v.label, v.parent, v.details, COALESCE(t.code, ''), v.retired "
      "FROM vocabulary v LEFT JOIN situation_tables t ON t.id = v.table_id ";
  static const std::string kEveryKind =
      kRows + "WHERE ?1 = '' AND (?2 = 1 OR v.retired = 0) ORDER BY v.id";
  static const std::string kOneKind =
      kRows + "WHERE v.kind = ?1 AND (?2 = 1 OR v.retired = 0) ORDER BY v.id";
  auto s = c.prepare(q.kind.empty() ? kEveryKind : kOneKind);
  if (!s.ok()) return s.status();
  s->bind(1, q.kind).bind(2, std::int64_t{q.include_retired ? 1 : 0});
  const std::set<std::string> tables(q.table_codes.begin(), q.table_codes.end());
  std::vector<VocabularyRow> rows;
  auto st = s->for_each_row([&](const Statement& r) {
    VocabularyRow row{r.text(0), r.text(1), r.text(2),        r.text(3),
                      r.text(4), r.text(5), r.integer(6) != 0};
    if (!row.table_code.empty() && !q.all_tables && tables.count(row.table_code) == 0) return;
    rows.push_back(std::move(row));
  });
  if (!st.ok()) return st;
  // Group by kind in display order; within a kind, defaults first, as stored.
  const auto& kinds = vocabulary_kinds();
  auto rank = [&](const VocabularyRow& r) {
    return std::find(kinds.begin(), kinds.end(), r.kind) - kinds.begin();
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    return std::make_tuple(rank(a), !a.table_code.empty()) <
           std::make_tuple(rank(b), !b.table_code.empty());
  });
  return rows;
}

namespace {

// The reference data's token (schema 0012): a new random value whenever what
// a submission is checked against changes.
absl::StatusOr<std::int64_t> reference_token(Connection& c) {
  auto s = c.prepare("SELECT token FROM reference_version");
  if (!s.ok()) return s.status();
  auto row = s->step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::DataLossError("reference_version has no row");
  return s->integer(0);
}

// A live entry as VocabularyMemo holds it: kind and code length-prefixed, so
// that no two entries share a key whatever their codes hold; the table's
// code last ("" for a default).
std::string live_entry_key(std::string_view kind, std::string_view code, std::string_view table) {
  std::string key;
  key.reserve(kind.size() + code.size() + table.size() + 8);
  key.append(std::to_string(kind.size())).append(":").append(kind);
  key.append(std::to_string(code.size())).append(":").append(code);
  return key.append(table);
}

absl::StatusOr<std::vector<std::string>> read_allowed_phrases(
    Connection& c, const std::vector<std::string>& table_codes) {
  std::vector<std::string> out;
  for (const char* sql : {"SELECT name FROM agencies", "SELECT name FROM situation_tables"}) {
    auto s = c.prepare(sql);
    if (!s.ok()) return s.status();
    if (auto st = s->for_each_row([&](const Statement& r) { out.push_back(r.text(0)); });
        !st.ok()) {
      return st;
    }
  }
  VocabularyQuery q;
  q.table_codes = table_codes;
  auto rows = list_vocabulary(c, q);
  if (!rows.ok()) return rows.status();
  for (const auto& row : *rows) out.push_back(row.label);
  return out;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const domain::DeidAllowList>> deid_allow_list(
    Connection& c, const std::vector<std::string>& table_codes) {
  auto read_token = reference_token(c);
  if (!read_token.ok()) return read_token.status();
  const std::int64_t token = *read_token;
  Connection::PhraseMemo& memo = c.phrase_memo();
  if (memo.token != token || memo.by_tables.size() >= kPhraseMemoEntries) {
    memo.by_tables.clear();
    memo.token = token;
  }
  if (auto it = memo.by_tables.find(table_codes); it != memo.by_tables.end()) return it->second;
  auto read = read_allowed_phrases(c, table_codes);
  if (!read.ok()) return read.status();
  auto list = std::make_shared<const domain::DeidAllowList>(*read);
  memo.by_tables.emplace(table_codes, list);
  return list;
}

absl::StatusOr<bool> vocabulary_has(Connection& c, const std::string& kind, const std::string& code,
                                    const std::string& table_code) {
  auto token = reference_token(c);
  if (!token.ok()) return token.status();
  Connection::VocabularyMemo& memo = c.vocabulary_memo();
  if (memo.token != *token) {
    memo.live.clear();
    memo.token.reset();
    auto s = c.prepare(
        "SELECT v.kind, v.code, COALESCE(t.code, '') FROM vocabulary v "
        "LEFT JOIN situation_tables t ON t.id = v.table_id "
        "WHERE v.retired = 0 AND (v.table_id IS NULL OR t.id IS NOT NULL)");
    if (!s.ok()) return s.status();
    auto st = s->for_each_row([&](const Statement& r) {
      memo.live.insert(live_entry_key(r.text(0), r.text(1), r.text(2)));
    });
    if (!st.ok()) {
      memo.live.clear();
      return st;
    }
    memo.token = *token;
  }
  return memo.live.contains(live_entry_key(kind, code, "")) ||
         (!table_code.empty() && memo.live.contains(live_entry_key(kind, code, table_code)));
}

absl::StatusOr<Upsert> upsert_table_vocabulary(Connection& c, const std::string& table_code,
                                               const VocabularyRow& row) {
  auto is_default = c.prepare(
      "SELECT count(*) FROM vocabulary WHERE kind = ?1 AND code = ?2 AND table_id IS NULL");
  if (!is_default.ok()) return is_default.status();
  is_default->bind(1, row.kind).bind(2, row.code);
  if (auto r = is_default->step(); !r.ok()) return r.status();
  if (is_default->integer(0) > 0) {
    return absl::AlreadyExistsError(
        row.kind + " '" + row.code +
        "' is a default entry; a table may add codes, not redefine them");
  }
  auto table = c.prepare("SELECT id FROM situation_tables WHERE code = ?1");
  if (!table.ok()) return table.status();
  table->bind(1, table_code);
  auto found = table->step();
  if (!found.ok()) return found.status();
  if (!*found) return absl::NotFoundError("unknown table '" + table_code + "'");
  const std::int64_t table_id = table->integer(0);

  auto existing = c.prepare(
      "SELECT label, parent FROM vocabulary WHERE kind = ?1 AND code = ?2 AND table_id = ?3");
  if (!existing.ok()) return existing.status();
  existing->bind(1, row.kind).bind(2, row.code).bind(3, table_id);
  auto have = existing->step();
  if (!have.ok()) return have.status();
  if (*have && existing->text(0) == row.label && existing->text(1) == row.parent) {
    return Upsert::kUnchanged;
  }
  auto w = c.prepare(*have ? "UPDATE vocabulary SET label = ?4, parent = ?5 "
                             "WHERE kind = ?1 AND code = ?2 AND table_id = ?3"
                           : "INSERT INTO vocabulary (kind, code, table_id, label, parent) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!w.ok()) return w.status();
  w->bind(1, row.kind).bind(2, row.code).bind(3, table_id).bind(4, row.label).bind(5, row.parent);
  if (auto st = w->run(); !st.ok()) return st;
  return *have ? Upsert::kUpdated : Upsert::kCreated;
}

}  // namespace hubtable::store
