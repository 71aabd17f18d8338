// Reports over a province: a year of one busy table must be instant, ten
// years of a hundred tables (a million situations) a matter of seconds.
//
//   build/release/tests/bench/report_bench [--province DIR]
//
// The province (100 tables x 10 years x 1,000 situations, seeded by
// tests/bench/province.cpp, also runnable alone as `seed_reports DIR`) is
// made once and kept in DIR (default $TMPDIR/hubtable-report-province),
// since seeding it takes a few minutes.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "provision/provisioner.h"
#include "report/report.h"
#include "store/meetings.h"
#include "store/transaction.h"
#include "tests/bench/province.h"

namespace hubtable::bench {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<provision::Deployment> g_province;
ProvinceShape g_shape;

std::int64_t jan1(std::int64_t year) {
  return absl::ToUnixMicros(absl::FromCivil(absl::CivilDay(year, 1, 1), absl::UTCTimeZone()));
}

report::ReportQuery query(store::Connection& c, int tables, std::int64_t from_year,
                          std::int64_t to_year, bool public_view) {
  report::ReportQuery q;
  for (int i = 0; i < tables; ++i) {
    auto t = store::find_table(c, absl::StrCat("t", i));
    if (t.ok() && *t) q.tables.push_back({(*t)->id, (*t)->code, (*t)->time_zone, 48});
  }
  q.from_us = jan1(from_year);
  q.to_us = jan1(to_year);
  q.now_us = q.to_us;
  q.public_view = public_view;
  return q;
}

void run_summary(benchmark::State& state, int tables, std::int64_t from_year, bool public_view) {
  std::uint64_t situations = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    auto s = g_province->db->read([&](store::Connection& c) -> absl::StatusOr<std::uint64_t> {
      store::Transaction tx(c, store::Transaction::Kind::kRead);
      auto q = query(c, tables, from_year, g_shape.first_year + g_shape.years, public_view);
      auto summary = report::build_summary(c, q);
      if (!summary.ok()) return summary.status();
      return summary->breakdowns(0).base();
    });
    if (!s.ok()) {
      state.SkipWithError(std::string(s.status().message()).c_str());
      return;
    }
    situations = *s;
    benchmark::DoNotOptimize(situations);
  }
  state.counters["situations"] = static_cast<double>(situations);
  state.counters["situations/s"] =
      benchmark::Counter(static_cast<double>(situations) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

// A busy table's last year: what a chair runs before a partners' meeting.
void BM_SummaryOneTableOneYear(benchmark::State& state) {
  run_summary(state, 1, g_shape.first_year + g_shape.years - 1, false);
}
BENCHMARK(BM_SummaryOneTableOneYear)->Unit(benchmark::kMillisecond)->UseRealTime();

// The province: every table, every year.
void BM_SummaryProvinceAllYears(benchmark::State& state) {
  run_summary(state, g_shape.tables, g_shape.first_year, false);
}
BENCHMARK(BM_SummaryProvinceAllYears)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same, published: small-count suppression included.
void BM_PublicProvinceAllYears(benchmark::State& state) {
  run_summary(state, g_shape.tables, g_shape.first_year, true);
}
BENCHMARK(BM_PublicProvinceAllYears)->Unit(benchmark::kMillisecond)->UseRealTime();

// One page (5,000 rows) of a table's provincial export.
void BM_ExportPage(benchmark::State& state) {
  std::size_t rows = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    auto s = g_province->db->read([&](store::Connection& c) -> absl::StatusOr<std::size_t> {
      store::Transaction tx(c, store::Transaction::Kind::kRead);
      auto q = query(c, 1, g_shape.first_year, g_shape.first_year + g_shape.years, false);
      bool more = false;
      auto page = report::build_export_page(c, q, g_province->vault, 0, 5000, more);
      if (!page.ok()) return page.status();
      return page->size();
    });
    if (!s.ok()) {
      state.SkipWithError(std::string(s.status().message()).c_str());
      return;
    }
    rows = *s;
  }
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ExportPage)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace hubtable::bench

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using hubtable::bench::g_province;
  using hubtable::bench::g_shape;
  fs::path dir = fs::temp_directory_path() / "hubtable-report-province";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--province") dir = argv[i + 1];
  }
  if (!fs::exists(dir / "province.txt")) {
    fs::remove_all(dir);  // a seeding cut short
    std::fprintf(stderr, "Seeding %s (%d tables x %d years x %d situations)...\n", dir.c_str(),
                 g_shape.tables, g_shape.years, g_shape.per_table_per_year);
    if (auto s = hubtable::bench::seed_province(dir, g_shape); !s.ok()) {
      std::fprintf(stderr, "seeding failed: %s\n", std::string(s.message()).c_str());
      return 1;
    }
  }
  auto shape = hubtable::bench::province_shape(dir);
  if (!shape.ok()) {
    std::fprintf(stderr, "%s\n", std::string(shape.status().message()).c_str());
    return 1;
  }
  g_shape = *shape;
  auto d = hubtable::provision::open_deployment(hubtable::bench::province_config(dir));
  if (!d.ok()) {
    std::fprintf(stderr, "cannot open %s: %s\n", dir.c_str(),
                 std::string(d.status().message()).c_str());
    return 1;
  }
  g_province = std::make_unique<hubtable::provision::Deployment>(std::move(*d));
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  g_province.reset();
  return 0;
}
