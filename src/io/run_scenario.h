// One scenario written exactly as `repsim run` writes it: the results of
// EvaluateScenario (io/results.h), then the sweep and every file into a
// staging folder that replaces DIR/<name>/ only when all of it was written.
// Shared by the CLI and the Python module (python/), so that both write the
// same bytes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "io/plots.h"
#include "io/results.h"
#include "io/sweep_writer.h"
#include "repsim/scenario.h"

namespace repsim::io {

struct WriteOutcome {
  // Set on failure: the message for the user ("error: ...", or the interrupt
  // notice), to follow "FILE: ", and the process exit code
  // `repsim run` returns (2 bad output folder or sweep, 1 internal, 128 + signal).
  std::optional<std::string> error;
  int exit_code = 0;
  std::vector<std::string> warnings;  // e.g. a plot that gnuplot failed to render
  SweepReport sweep;                  // when the scenario has a sweep
  std::filesystem::path dir;          // the results folder, DIR/<name>
};

// Runs the sweep (when the scenario has one) and writes every file of
// `results` into `out_dir`/<name>/, through a staging folder (nothing is
// half-written). `results.sweep_markdown` is filled from the sweep.
WriteOutcome WriteScenario(ScenarioResults& results, const std::filesystem::path& out_dir,
                           const SweepOptions& sweep, const PlotOptions& plots);

}  // namespace repsim::io
