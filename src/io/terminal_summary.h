// The aligned table `repsim run` prints for a scenario (and /api/run's text).
#pragma once

#include <cstddef>
#include <string>

#include "repsim/scenario_results.h"

namespace repsim::io {

// `width`: the terminal's columns (0: unknown; lines are then not wrapped).
std::string TerminalSummary(const ScenarioResults& r, size_t width = 0);

}  // namespace repsim::io
