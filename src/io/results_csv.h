// A scenario's results as CSV: summary.csv, compare.csv, trajectory.csv,
// sources.csv and caveats.csv (pure functions, tested directly). The summary
// and compare columns are columns.h's.
#pragma once

#include <string>
#include <vector>

#include "repsim/engine.h"
#include "repsim/run.h"
#include "repsim/scenario_results.h"

namespace repsim::io {

std::string SummaryCsv(const Run& run, const Summary& s);
std::string CompareCsv(const std::vector<CompareRow>& rows);
std::string TrajectoryCsv(const std::vector<TrajectoryPoint>& t);
// One row per data source (one for a plain [data]): epochs, D'_i, marginal value.
std::string SourcesCsv(const Summary& s);
// One row per caveat (kind, assumption, value, range, the rows a flip
// concerns, threshold, text); written as caveats.csv when there are any.
std::string CaveatsCsv(const std::vector<Caveat>& caveats);

}  // namespace repsim::io
