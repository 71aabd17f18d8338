// seed_reports DIR [TABLES YEARS PER_TABLE_PER_YEAR]: writes a deployment in
// DIR holding a province's situations (default 100 x 10 x 1,000: a million),
// for report benchmarks and for trying reports by hand.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/bench/province.h"

int main(int argc, char** argv) {
  if (argc != 2 && argc != 5) {
    std::fprintf(stderr, "usage: seed_reports DIR [TABLES YEARS PER_TABLE_PER_YEAR]\n");
    return 2;
  }
  hubtable::bench::ProvinceShape shape;
  if (argc == 5) {
    shape.tables = std::atoi(argv[2]);
    shape.years = std::atoi(argv[3]);
    shape.per_table_per_year = std::atoi(argv[4]);
    if (shape.tables < 1 || shape.years < 1 || shape.per_table_per_year < 1) {
      std::fprintf(stderr, "seed_reports: the sizes must be positive\n");
      return 2;
    }
  }
  if (auto s = hubtable::bench::seed_province(argv[1], shape); !s.ok()) {
    std::fprintf(stderr, "seed_reports: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  std::printf("Seeded %s: %d tables x %d years x %d situations\n", argv[1], shape.tables,
              shape.years, shape.per_table_per_year);
  return 0;
}
