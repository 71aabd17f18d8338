// The de-identification scanner's cost per KiB on the inputs that made
// std::regex backtrack (long runs of letters, digits and dots), beside
// ordinary prose: linear means the same per KiB at every size. And a
// narrative checked against a table's allow list, kept or made per scan.
//
//   build/release/tests/bench/deid_bench

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "domain/deid_scanner.h"
#include "schema/vocabularies.h"

namespace hubtable::bench {
namespace {

std::string repeat(const std::string& unit, std::size_t bytes) {
  std::string out;
  while (out.size() + unit.size() <= bytes) out += unit;
  return out;
}

const char* const kProse =
    "A 16-year-old in Grade 10 has missed most of the term, was found intoxicated twice last "
    "week and told a teacher she has nowhere safe to sleep. Police attended the home twice. ";

void scan(benchmark::State& state, const std::string& unit) {
  const std::string text = repeat(unit, static_cast<std::size_t>(state.range(0)));
  while (state.KeepRunning()) {
    auto findings = domain::scan_for_identifiers(text);
    benchmark::DoNotOptimize(findings);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
}

void BM_ScanDottedLetters(benchmark::State& s) { scan(s, "a."); }  // the review's input
void BM_ScanDigits(benchmark::State& s) { scan(s, "1"); }
void BM_ScanDottedDigits(benchmark::State& s) { scan(s, "1."); }
void BM_ScanCapitalisedWords(benchmark::State& s) { scan(s, "Aa "); }
void BM_ScanAtSigns(benchmark::State& s) { scan(s, "a.1@"); }
void BM_ScanProse(benchmark::State& s) { scan(s, kProse); }

// A narrative checked as a submission's is, against an allow list of every
// default vocabulary label (what a table with no entries of its own is
// checked against): the list made once and kept, as each server connection
// keeps it, or made again for every scan, as the scanner normalised every
// phrase for every text before it kept them normalised.
std::vector<std::string> default_labels() {
  std::vector<std::string> out;
  for (const auto& e : schema::default_vocabularies()) out.emplace_back(e.label);
  return out;
}

void BM_ScanNarrativeAllowListKept(benchmark::State& state) {
  const std::string text = repeat(kProse, 512);
  const domain::DeidAllowList allow(default_labels());
  while (state.KeepRunning()) {
    auto findings = domain::scan_for_identifiers(text, allow);
    benchmark::DoNotOptimize(findings);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
void BM_ScanNarrativeAllowListMadePerScan(benchmark::State& state) {
  const std::string text = repeat(kProse, 512);
  const std::vector<std::string> labels = default_labels();
  while (state.KeepRunning()) {
    auto findings = domain::scan_for_identifiers(text, domain::DeidAllowList(labels));
    benchmark::DoNotOptimize(findings);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ScanNarrativeAllowListKept);
BENCHMARK(BM_ScanNarrativeAllowListMadePerScan);

#define HUBTABLE_SIZES RangeMultiplier(4)->Range(1024, std::int64_t{16} * 1024)
BENCHMARK(BM_ScanDottedLetters)->HUBTABLE_SIZES;
BENCHMARK(BM_ScanDigits)->HUBTABLE_SIZES;
BENCHMARK(BM_ScanDottedDigits)->HUBTABLE_SIZES;
BENCHMARK(BM_ScanCapitalisedWords)->HUBTABLE_SIZES;
BENCHMARK(BM_ScanAtSigns)->HUBTABLE_SIZES;
BENCHMARK(BM_ScanProse)->HUBTABLE_SIZES;

}  // namespace
}  // namespace hubtable::bench

BENCHMARK_MAIN();
