// What `repsim run` computes for one scenario, before anything is written:
// the base run's summary and trajectory, its [[compare]] variants ranked
// together with it, and the caveats (the assumptions the numbers depend on
// and the rankings that flip inside their stated ranges or under the
// bootstrap). Pure compute; the files made from it are io's (results.h and
// the renderers it lists).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "repsim/engine.h"
#include "repsim/run.h"
#include "repsim/scenario.h"
#include "repsim/status.h"

namespace repsim {

struct CompareRow {
  std::string name;
  Run run;
  Summary summary;
  bool is_base = false;  // the base scenario, ranked with its variants
};

// The name of the base scenario's row in a comparison.
inline constexpr const char* kBaseRowName = "base scenario";

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

// The assumption caveats of `r` (its base and [[compare]] runs, ranked):
// what EvaluateScenario puts in r.caveats before the bootstrap flips, for a
// caller that builds ScenarioResults itself (the Python module's evaluate()).
std::vector<Caveat> ScenarioCaveats(const ScenarioResults& r);
// The verdicts that flip inside a stated range or under the bootstrap
// (`run --strict-verdicts`): their texts.
std::vector<std::string> FlippingVerdicts(const ScenarioResults& r);
// Whether any run of the scenario (base or [[compare]]) sets a weight decay
// (the weight-decay columns and report rows are then written).
bool SetsWeightDecay(const ScenarioResults& r);

}  // namespace repsim
