#pragma once
// The public version of a summary (open data): small counts withheld, and
// enough others withheld that no withheld count can be worked out from
// what is shown (domain/report_rules.h: the relations an attacker knows).

#include <functional>
#include <map>
#include <string>

#include "hubtable/v1/report.pb.h"

namespace hubtable::report {

/// Withholds the summary's small counts and their complements; withheld
/// counts read 0 and are marked. `category_of` maps each risk factor to
/// its category.
void suppress(hubtable::v1::ReportSummary& s,
              const std::map<std::string, std::string, std::less<>>& category_of);

}  // namespace hubtable::report
