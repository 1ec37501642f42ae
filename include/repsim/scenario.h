// repsim: a scenario as the user wrote it (SCENARIO.md), before resolution.
//
// A `RunSpec` keeps the user's choices unresolved ("compute_optimal" params,
// training given as tokens, epochs or compute, dropout positions left to
// their defaults) so that a sweep axis or a comparison variant can change one
// key and resolve again. `Resolve` turns it into a validated `Run`.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "repsim/run.h"
#include "repsim/status.h"

namespace repsim {

enum class TrainingBasis { kTokens, kEpochs, kCompute };
std::string_view ToString(TrainingBasis basis);  // "tokens" | "epochs" | "compute"

struct DropoutSpec {
  DropoutSchedule schedule = DropoutSchedule::kNone;
  double rate = 0;
  std::optional<double> start_epoch;  // default 0 (linear); required for step
  std::optional<double> end_epoch;    // default: the run's epochs (linear); required for early
};

struct RunSpec {
  Law law;
  // Derive N from the tokens or compute: the fresh-data compute-optimal size
  // ("compute_optimal", law.h ComputeOptimal*) or, with params_data_constrained,
  // `repsim plan allocate`'s data-constrained optimum for the run's compute (or
  // tokens) and unique tokens ("data_constrained_optimal", plan.h).
  bool params_compute_optimal = false;
  bool params_data_constrained = false;
  double params = 0;
  std::optional<double> active_params;  // defaults to params
  Objective objective = Objective::kCausal;
  std::vector<DataSource> sources;  // one for a plain [data]
  bool mixture = false;             // given as [[data.source]]
  TrainingBasis basis = TrainingBasis::kTokens;
  double training_value = 0;  // tokens, epochs or FLOPs, per basis
  DropoutSpec dropout;
  double weight_decay = kDefaultWeightDecay;  // training.weight_decay
  Modifiers modifiers = DefaultModifiers();
};

// Validated run, or an error naming the key and what is allowed.
Expected<Run> Resolve(const RunSpec& spec);

// A numeric key's setter, bound once to its registry row (scenario_keys.h
// BindNumber): what a sweep axis calls per point.
using KeySetter = std::function<MaybeError(RunSpec&, double)>;

// The one number parser of repsim: scenario strings, command-line flags and
// CSV cells all read numbers through these two, so that a value accepted in
// one place is accepted everywhere.
// A decimal number ("2e9", ".5", "+3", " 7 "): blanks around it and one
// leading '+' allowed; hex, trailing text and "" refused. "inf" and "nan"
// parse (callers check the range).
std::optional<double> ParseNumber(std::string_view text);
// A number or a quantity with a suffix K, M, B, T (1e3 ... 1e12, any case):
// "25B", "1.5T", " 400M", "2e9", "7k".
// The result is the double nearest the decimal typed: "0.017T" is read as
// 17e9 (not 0.017 x 1e12 = 17000000000.000002), so that it prints as typed.
std::optional<double> ParseQuantity(std::string_view text);

// --- The whole file ----------------------------------------------------------

enum class AxisScale { kLog, kLinear };

struct SweepAxis {
  SweepAxis() = default;
  SweepAxis(std::string k, std::vector<double> v, KeySetter s = {})
      : key(std::move(k)), values(std::move(v)), set(std::move(s)) {}

  std::string key;
  std::vector<double> values;
  // The key's setter, bound at load (scenario_keys.h BindNumber); empty on an
  // axis made by hand: SweepEvaluator binds it then.
  KeySetter set;
};

struct CompareVariant {
  std::string name;
  RunSpec spec;
};

struct OutputOptions {
  int trajectory_points = 64;
  bool csv = true, json = true, md = true;
  bool plots = true;
  // The output column the sweep plot maps (a numeric column of io/columns.h;
  // the loader checks the name).
  std::string heatmap = "delta_pct";
  // Uncertainty bands (intervals.h): the <output>_lo/_hi and band_source
  // columns in every output (`run --intervals` sets it too).
  bool intervals = false;
};

struct Scenario {
  std::string name;
  std::string description;
  RunSpec base;
  // [law] source: where the base's overridden law constants come from (e.g.
  // what `repsim fit --format toml` writes); reported beside LawName().
  std::string law_source;
  OutputOptions output;
  std::vector<SweepAxis> sweep;         // empty: no sweep
  std::vector<CompareVariant> compare;  // empty: no comparison
};

// The largest sweep grid accepted (points), so that a typo cannot ask for
// 10^12 evaluations; larger grids must be split with --shard.
inline constexpr double kMaxSweepPoints = 1e8;

}  // namespace repsim
