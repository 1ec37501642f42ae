// Results out: summary.csv/.json, trajectory.csv, compare.csv, report.md,
// written into a staging folder that replaces results/<name>/ only when
// everything was written (STYLE.md: nothing half-written).
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/staging.h"
#include "repsim/engine.h"
#include "repsim/scenario.h"
#include "repsim/status.h"

namespace repsim::io {

struct CompareRow {
  std::string name;
  Run run;
  Summary summary;
  bool is_base = false;  // the base scenario, ranked with its variants
};

// The name of the base scenario's row in a comparison.
inline constexpr const char* kBaseRowName = "base scenario";

// A dropout schedule in words, with its positions as points of the run:
// "dropout 0.1 from the first repeat (token 2e+11 of 1.4e+12)".
std::string DropoutInWords(const Run& run);

// One caveat of a scenario's numbers (issue 21): an assumption the runs
// depend on, or a ranking of two [[compare]] rows that flips inside an
// assumption's stated range or under some of the law's bootstrap refits.
// `text` is the line the terminal prints after "assumption: ".
struct Caveat {
  enum class Kind { kAssumption, kRankingFlip, kBootstrapFlip };
  Kind kind = Kind::kAssumption;
  std::string assumption;               // its key ("c_drop"); "" for kBootstrapFlip
  double value = 0;                     // the assumed value
  double lo = 0, hi = 0;                // its stated range
  size_t runs_depending = 0, runs = 0;  // kAssumption: of the scenario's runs
  // Flips: `winner` ranks above `loser` at the assumed value (kRankingFlip)
  // or with the law's own constants (kBootstrapFlip).
  std::string winner, loser;
  double threshold = 0;   // kRankingFlip: the value where the order reverses,
  std::string direction;  // "<" or ">": winner wins unless assumption DIRECTION threshold
  int refits_reversed = 0, refits = 0;  // kBootstrapFlip
  std::string text;
  // Whether a verdict (a ranking) flips inside the stated range / the band.
  bool verdict_flips() const { return kind != Kind::kAssumption; }
};
std::string_view ToString(Caveat::Kind kind);  // "assumption" | "ranking_flip" | "bootstrap_flip"

// Everything `repsim run` computed for one scenario file.
struct ScenarioResults {
  std::string source_path;
  Scenario scenario;
  Run run;
  Summary summary;
  std::vector<TrajectoryPoint> trajectory;
  std::vector<CompareRow> compare;  // ranked by loss_repeated, best first
  std::string sweep_markdown;       // filled by the sweep writer, "" if no sweep
  // What the assumed constants decide (assumptions.h): which rows depend on
  // them, and where a ranking flips inside their stated ranges (and, with
  // bands, under the bootstrap); `text` is one line each.
  std::vector<Caveat> caveats;
};

// What `repsim run` evaluates before writing: the base, its trajectory and
// its [[compare]] variants ranked by loss_repeated together with the base
// (kBaseRowName), and the assumption notes (the sweep is RunSweep's).
// Error: a run does not resolve (the loader resolved it already, so a bug).
Expected<ScenarioResults> EvaluateScenario(const std::string& source_path,
                                           const Scenario& scenario);

// The file contents (pure functions, tested directly).
std::string SummaryCsv(const Run& run, const Summary& s);
std::string SummaryJson(const ScenarioResults& r);
std::string TrajectoryCsv(const std::vector<TrajectoryPoint>& t);
// One row per data source (one for a plain [data]): epochs, D'_i, marginal value.
std::string SourcesCsv(const Summary& s);
std::string CompareCsv(const std::vector<CompareRow>& rows);
// One row per caveat (kind, assumption, value, range, the rows a flip
// concerns, threshold, text); written as caveats.csv when there are any.
std::string CaveatsCsv(const std::vector<Caveat>& caveats);
// The caveats as a JSON array (summary.json's "caveats", /api/run, Python).
std::string CaveatsJson(const std::vector<Caveat>& caveats, std::string_view indent = "  ");
// The assumption caveats of `r` (its base and [[compare]] runs, ranked):
// what EvaluateScenario puts in r.caveats before the bootstrap flips, for a
// caller that builds ScenarioResults itself (the Python module's evaluate()).
std::vector<Caveat> ScenarioCaveats(const ScenarioResults& r);
// The verdicts that flip inside a stated range or under the bootstrap
// (`run --strict-verdicts`): their texts.
std::vector<std::string> FlippingVerdicts(const ScenarioResults& r);
std::string ReportMarkdown(const ScenarioResults& r);
// The aligned table `repsim run` prints.
// `width`: the terminal's columns (0: unknown; lines are then not wrapped).
std::string TerminalSummary(const ScenarioResults& r, size_t width = 0);

// Writes every file the scenario asks for into `staging`.
MaybeError WriteResults(const ScenarioResults& r, const Staging& staging);

}  // namespace repsim::io
