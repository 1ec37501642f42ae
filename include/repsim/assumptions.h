// repsim: the assumed constants (MODEL.md §3-4) and what they decide.
//
// c_drop and eta are our assumptions, not measurements (calibration.h). An
// output that depends on one says so; a comparison whose order changes as an
// assumption moves across its stated range says where.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "repsim/run.h"

namespace repsim {

enum class AssumptionKind {
  kCDrop,
  kEta,
  kMemorizationCapacity,
  kWeightDecayShape,
  kWeightDecayFactor
};

struct Assumption {
  AssumptionKind kind;
  std::string_view name;  // the scenario key under [modifiers]
  double lo, hi;          // the stated range of plausible values
  std::string_view meaning;
  // How the caveat names it: "an assumption, not a measurement" (ours), or
  // for a rough published value read with a range, what it is.
  std::string_view status = "an assumption, not a measurement";
};

// Every assumed constant, with its stated range: c_drop in [0, 1] (dropout p
// costs from nothing to p of learning efficiency), eta in [0, 1] (dropout's
// benefit from independent of model size to falling as 1/N), memorization_capacity
// in [0.1, 1.8] tokens per parameter (a memorised token costing 36 down to 2 bits
// at Morris et al.'s 3.6 bits per parameter; calibration.h),
// weight_decay_shape in [0.03, 3] and weight_decay_factor in [0.2, 0.4]
// (weight_decay.h: the shape of weight decay's factor on overfitting, and
// Lovelace et al.'s "approximately 70 %" read as 60-80 %).
std::span<const Assumption> Assumptions();

// The value `run` uses.
double AssumedValue(const Run& run, const Assumption& a);
// `run` with the assumption set to `value` (g0 stays as calibrated).
Run WithAssumption(const Run& run, const Assumption& a, double value);
// Whether any output of `run` changes with the assumption: c_drop and eta
// act through dropout only, memorization_capacity through capacity displaced
// by repeated mixture sources (capacity_lost > 0), the weight-decay ones
// through a law's overfitting term when the weight decay is not the
// reference 0.1 (the shape not at 1.0 either, where the factor is measured).
bool DependsOn(const Run& run, const Assumption& a);

// The value of the assumption inside its stated range at which `a` and `b`
// reach the same loss_repeated, when their order at the assumed values is
// reversed somewhere in the range; empty when it never is. Both runs must
// use the same assumed value. Scanned on a grid, then bisected to 1e-6.
std::optional<double> RankingFlip(const Run& a, const Run& b, const Assumption& as);

}  // namespace repsim
