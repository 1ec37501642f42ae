// Running a scenario from a front end other than the CLI (the Python module):
// the one io header python/_repsim.cpp includes besides include/repsim. It
// brings what such a front end needs — the loader (scenario_loader.h), the
// output columns (columns.h), the results' field tables (result_fields.h) and
// fit's report (fit_report.h), the file contents
// (results_csv.h, results_json.h), the runs files of `fit` / `validate` (runs_csv.h) — and declares
// WriteScenario.
//
// WriteScenario: one scenario written exactly as `repsim run` writes it: the
// results of EvaluateScenario (repsim/scenario_results.h), then the sweep and every file into a
// staging folder that replaces DIR/<name>/ only when all of it was written.
// The same steps, in the same order, as `repsim run` without --strict
// (src/cli/cmd_run.cpp, which interleaves its --strict checks); the Python
// module's Result.write() uses it, and python/tests/test_cli_equality.py
// checks that both write the same bytes for every shipped scenario.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "io/columns.h"
#include "io/fit_report.h"
#include "io/plots.h"
#include "io/result_fields.h"
#include "io/results_csv.h"
#include "io/results_json.h"
#include "io/runs_csv.h"
#include "io/scenario_loader.h"
#include "io/sweep_writer.h"
#include "repsim/scenario.h"
#include "repsim/scenario_results.h"

namespace repsim::io {

struct WriteOutcome {
  // Set on failure: the message for the user ("error: ...", or the interrupt
  // notice), to follow "FILE: ", and the process exit code
  // `repsim run` returns (2 bad output folder or sweep, 1 internal, 128 + signal).
  MaybeError error;
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
