#pragma once
// Latencies summarised as the load report gives them: count, errors, p50,
// p99, p999, max and mean, in milliseconds.

#include <cstdint>
#include <vector>

#include "load_report.pb.h"

namespace hubtable::bench {

hubtable::bench::load::Latency summarize(std::vector<double> ms, std::uint64_t errors);

}  // namespace hubtable::bench
