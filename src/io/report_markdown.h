// A scenario's results as report.md: inputs, summary, bands, sources,
// comparison, caveats, the sweep's section and where the numbers come from.
#pragma once

#include <string>

#include "repsim/scenario_results.h"

namespace repsim::io {

std::string ReportMarkdown(const ScenarioResults& r);

}  // namespace repsim::io
