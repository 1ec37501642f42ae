// Results out: every file of a scenario's results (summary.csv/.json,
// trajectory.csv, sources.csv, compare.csv, caveats.csv, report.md), written
// into a staging folder that replaces results/<name>/ only when everything
// was written (STYLE.md: nothing half-written). What they hold is computed
// in core (repsim/scenario_results.h); each output has its own renderer:
// results_csv.h, results_json.h, report_markdown.h, terminal_summary.h.
#pragma once

#include "io/staging.h"
#include "repsim/scenario_results.h"
#include "repsim/status.h"

namespace repsim::io {

// Writes every file the scenario asks for into `staging`.
MaybeError WriteResults(const ScenarioResults& r, const Staging& staging);

}  // namespace repsim::io
