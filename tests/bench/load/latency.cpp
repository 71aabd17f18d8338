#include "tests/bench/load/latency.h"

#include <algorithm>
#include <numeric>

namespace hubtable::bench {

hubtable::bench::load::Latency summarize(std::vector<double> ms, std::uint64_t errors) {
  hubtable::bench::load::Latency l;
  l.set_count(ms.size());
  l.set_errors(errors);
  if (ms.empty()) return l;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1,
                       static_cast<std::size_t>(q * static_cast<double>(ms.size())))];
  };
  l.set_p50_ms(at(0.50));
  l.set_p99_ms(at(0.99));
  l.set_p999_ms(at(0.999));
  l.set_max_ms(ms.back());
  l.set_mean_ms(std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size()));
  return l;
}

}  // namespace hubtable::bench
