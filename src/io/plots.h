// Plots out: gnuplot scripts (always) and their renderings (when gnuplot is
// installed): trajectory, effective tokens, comparison bars, sweep heatmap.
#pragma once

#include <optional>
#include <string>

#include "io/results.h"

namespace repsim::io {

struct PlotOptions {
  bool png = false;  // also render .png
};

// Writes the .gp scripts (and their data, if not already there) into
// `staging` and renders them when gnuplot is on PATH.
std::optional<std::string> WritePlots(const ScenarioResults& results, const PlotOptions& options,
                                      const Staging& staging);

}  // namespace repsim::io
