// repsim: one training run, resolved and validated (the engine's input).
//
// A `Run` is the physics of a scenario: the law, the model, the data, how many
// tokens are seen and the dropout schedule. Scenario files (scenario.h) are
// parsed into a `RunSpec`, which `Resolve` turns into a `Run`.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "repsim/law.h"
#include "repsim/status.h"
#include "repsim/weight_decay.h"

namespace repsim {

// The largest quantity of tokens, parameters or FLOPs accepted anywhere: far
// beyond any real run, small enough that 6·N·D and every power stays finite.
inline constexpr double kMaxQuantity = 1e30;
// The smallest: below it (subnormal numbers, 5e-324) powers of the law
// overflow and the engine's results are not finite.
inline constexpr double kMinQuantity = 1e-30;

// Training objective (Token-Crisis finding 7).
enum class Objective { kCausal, kSpanCorruption, kUl2, kDiffusion };
std::string_view ToString(Objective objective);
std::optional<Objective> ObjectiveFromString(std::string_view name);
std::span<const std::string_view> ObjectiveNames();

// Dropout schedules (SCENARIO.md [training.dropout]). Positions are in epochs
// of the whole corpus (tokens seen / total unique tokens).
enum class DropoutSchedule {
  kNone,      // p = 0
  kConstant,  // p = rate throughout
  kStep,      // 0 before start_epoch, rate from start_epoch on
  kLinear,    // 0 before start_epoch, ramps to rate at end_epoch, rate after
  kEarly,     // rate before end_epoch, 0 from end_epoch on
};
std::string_view ToString(DropoutSchedule schedule);
std::optional<DropoutSchedule> DropoutScheduleFromString(std::string_view name);
std::span<const std::string_view> DropoutScheduleNames();

struct Dropout {
  DropoutSchedule schedule = DropoutSchedule::kNone;
  double rate = 0;         // in [0, 1)
  double start_epoch = 0;  // step, linear
  double end_epoch = 0;    // linear, early
  // end_epoch was not given and is the run's end, D / Σ U_i (Resolve): the
  // outputs then write Epochs(), the end as typed.
  bool ends_with_run = false;
};

// The dropout rate in force at `epoch` (right-continuous at switch points).
double DropoutRateAt(const Dropout& dropout, double epoch);

// The calibrated and assumed terms of MODEL.md §3 (defaults: calibration.h).
struct Modifiers {
  double c_drop;      // learning-efficiency cost of dropout: q = 1 - c_drop p
  double g0;          // dropout's stretch of the decay scales at N = 1e9
  double eta;         // g(N) = g0 (N / 1e9)^(-eta)
  double size_gamma;  // m_size(U) = (U / 1e9)^gamma
  std::optional<double> objective_multiplier;  // overrides m_objective when set
  // Capacity displacement by repeated mixture sources (displacement.h, MODEL.md §3b).
  double displacement = 0;           // λ: strength; 0 switches the term off
  double memorization_capacity = 0;  // c_mem: tokens a parameter can memorise
  // Weight decay's factor on overfitting (weight_decay.h): the assumed shape
  // scale s and the factor at lambda = 1.0 (measured ~0.3, a stated range).
  double weight_decay_shape = kDefaultWeightDecayShape;
  double weight_decay_factor = kDefaultWeightDecayFactor;
};
Modifiers DefaultModifiers();

// The multiplier of R_D* for an objective (MODEL.md §3-4).
double DefaultObjectiveMultiplier(Objective objective);

// One source of unique data. A plain `[data]` is a single source of weight 1.
struct DataSource {
  std::string name = "data";
  double unique_tokens = 0;  // U_i, tokens
  double weight = 1;         // fraction of the training tokens drawn from it
  double quality = 1;        // multiplies the value of every token from it
};

// A training length as the scenario typed it (training.compute = 1e24,
// training.epochs = 10) and what Resolve() turned it into.
struct TypedLength {
  double value = 0;   // FLOPs or epochs, as typed
  double tokens = 0;  // the tokens derived from it,
  double scale = 0;   // with this active_params (D = C / (6 scale)) or
                      // Σ U_i (D = epochs · scale)
};

struct Run {
  Law law;
  double params = 0;         // N, total parameters (the law sees these)
  double active_params = 0;  // parameters active per token (FLOPs use these)
  Objective objective = Objective::kCausal;
  std::vector<DataSource> sources;  // at least one; weights sum to 1
  double tokens = 0;                // D, training tokens seen
  Dropout dropout;
  // AdamW weight decay lambda (training.weight_decay): scales the overfitting
  // term by WeightDecayFactor(run), which Resolve() puts in law.overfit_scale.
  double weight_decay = kDefaultWeightDecay;
  Modifiers modifiers = DefaultModifiers();
  // Set by Resolve() when the scenario gave training.compute or
  // training.epochs (tokens derived from it). Compute() and Epochs() return
  // the typed value, so that outputs print 1e24 and 10 where recomputing
  // 6 · N · D or D / U from the derived tokens would print
  // 1.0000000000000001e+24 or 9.999999999999998. The physics follows `tokens`.
  std::optional<TypedLength> typed_compute, typed_epochs;
  // FLOPs of training.compute that params = "data_constrained_optimal"
  // leaves unused: its best plan within the budget stops short of it
  // (plan.h AllocateCompute). 0: the run spends what was typed.
  double unused_compute = 0;
};

// The warnings a resolved run carries into every output: compute that
// params = "data_constrained_optimal" leaves unused ("training.compute =
// 1e+26 ...: beyond 2.1e+23 FLOPs ..."), a weight decay that has no effect
// (the law has no overfitting term) or lies beyond every source.
std::vector<std::string> RunWarnings(const Run& run);

// weight_decay.h's factor for the run's weight decay and assumptions (1 at
// the default weight decay).
double WeightDecayFactor(const Run& run);

// Σ U_i, tokens.
double UniqueTokens(const Run& run);
// D / Σ U_i; run.typed_epochs' value instead while the run's tokens and
// unique tokens are those it was derived with.
double Epochs(const Run& run);
// 6 · active_params · tokens, FLOPs; run.typed_compute's value instead while
// the run's tokens and active_params are those it was derived with.
double Compute(const Run& run);
// D / Σ U_i always: the epochs the tokens make, which the engine runs to.
double TokenEpochs(const Run& run);

// Which ranges of the law's fitted domain (law.h FittedDomain) the run is
// outside of, and by what factor; empty inside. A law with overridden
// constants is judged on its preset's domain.
std::string Extrapolation(const Run& run);
// Whether Extrapolation(run) is not empty, without building its text.
bool IsExtrapolation(const Run& run);

// Empty when the run can be evaluated; else what is wrong, naming the field.
// Defined with the scenario-key registry (scenario_keys.cpp): the ranges of
// the dropout and modifier fields are its rows'.
MaybeError Validate(const Run& run);

}  // namespace repsim
