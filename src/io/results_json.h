// A scenario's results as JSON: summary.json (also /api/run's and the Python
// module's) and its "caveats" array (pure functions, tested directly).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "repsim/scenario_results.h"

namespace repsim::io {

std::string SummaryJson(const ScenarioResults& r);
// The caveats as a JSON array (summary.json's "caveats", /api/run, Python).
std::string CaveatsJson(const std::vector<Caveat>& caveats, std::string_view indent = "  ");

}  // namespace repsim::io
