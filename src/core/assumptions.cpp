// The assumed constants and where they flip a comparison (repsim/assumptions.h).
#include "repsim/assumptions.h"

#include <array>
#include <cmath>

#include "repsim/engine.h"

namespace repsim {
namespace {

const std::array<Assumption, 5> kAssumptions = {{
    {AssumptionKind::kCDrop, "c_drop", 0.0, 1.0,
     "dropout p costs c_drop p of learning efficiency on every token"},
    {AssumptionKind::kEta, "eta", 0.0, 1.0, "dropout's benefit scales as (N/1e9)^-eta"},
    {AssumptionKind::kMemorizationCapacity, "memorization_capacity", 0.1, 1.8,
     "tokens a parameter can memorise, which sets the capacity repeated sources displace "
     "(lambda stays as calibrated)"},
    {AssumptionKind::kWeightDecayShape, "weight_decay_shape", 0.03, 3.0,
     "weight decay's factor on overfitting between and beyond the measured points 0.1 and 1.0 "
     "follows ((1 + wd/s) / (1 + 0.1/s))^-k, s the shape"},
    {AssumptionKind::kWeightDecayFactor, "weight_decay_factor", 0.2, 0.4,
     "weight decay 1.0 multiplies the overfitting term by this (Lovelace et al. 2026: "
     "approximately 70 % smaller)",
     "one published point, its 'approximately' read as a range"},
}};

// Grid points over the stated range before bisecting: fine enough that a
// flip and flip back (a crossing pair) inside one cell is not expected.
constexpr int kScanPoints = 21;
constexpr double kBisectTol = 1e-6;

double Gap(const Run& a, const Run& b, const Assumption& as, double x) {
  return Evaluate(WithAssumption(a, as, x)).loss_repeated -
         Evaluate(WithAssumption(b, as, x)).loss_repeated;
}

}  // namespace

std::span<const Assumption> Assumptions() { return kAssumptions; }

static double* Field(Run& run, const Assumption& a) {
  switch (a.kind) {
    case AssumptionKind::kCDrop:
      return &run.modifiers.c_drop;
    case AssumptionKind::kEta:
      return &run.modifiers.eta;
    case AssumptionKind::kMemorizationCapacity:
      return &run.modifiers.memorization_capacity;
    case AssumptionKind::kWeightDecayShape:
      return &run.modifiers.weight_decay_shape;
    case AssumptionKind::kWeightDecayFactor:
      return &run.modifiers.weight_decay_factor;
  }
  return &run.modifiers.c_drop;
}

double AssumedValue(const Run& run, const Assumption& a) {
  Run copy = run;
  return *Field(copy, a);
}

Run WithAssumption(const Run& run, const Assumption& a, double value) {
  Run r = run;
  *Field(r, a) = value;
  r.law.overfit_scale = WeightDecayFactor(r);  // the weight-decay assumptions act through it
  return r;
}

bool DependsOn(const Run& run, const Assumption& a) {
  if (a.kind == AssumptionKind::kMemorizationCapacity) {
    return run.modifiers.displacement > 0 && Evaluate(run).capacity_lost > 0;
  }
  if (a.kind == AssumptionKind::kWeightDecayFactor) {
    return run.law.overfit && run.weight_decay != kDefaultWeightDecay;
  }
  if (a.kind == AssumptionKind::kWeightDecayShape) {
    return run.law.overfit && run.weight_decay != kDefaultWeightDecay &&
           run.weight_decay != kStrongWeightDecay;
  }
  return run.dropout.schedule != DropoutSchedule::kNone && run.dropout.rate > 0;
}

std::optional<double> RankingFlip(const Run& a, const Run& b, const Assumption& as) {
  if (!DependsOn(a, as) && !DependsOn(b, as)) return std::nullopt;
  const double x0 = AssumedValue(a, as);
  const double g0 = Gap(a, b, as, x0);
  if (g0 == 0) return std::nullopt;
  // The crossing nearest the assumed value, on either side.
  std::optional<double> best;
  for (int side : {-1, 1}) {
    double prev_x = x0;
    for (int i = 1; i < kScanPoints; ++i) {
      const double x = side < 0 ? x0 - (x0 - as.lo) * i / (kScanPoints - 1)
                                : x0 + (as.hi - x0) * i / (kScanPoints - 1);
      if (x == prev_x) break;
      const double g = Gap(a, b, as, x);
      if ((g < 0) != (g0 < 0) || g == 0) {
        double lo = prev_x, hi = x;  // the sign changes between them
        while (std::fabs(hi - lo) > kBisectTol) {
          const double mid = 0.5 * (lo + hi);
          if ((Gap(a, b, as, mid) < 0) == (g0 < 0)) {
            lo = mid;
          } else {
            hi = mid;
          }
        }
        const double at = 0.5 * (lo + hi);
        if (!best || std::fabs(at - x0) < std::fabs(*best - x0)) best = at;
        break;
      }
      prev_x = x;
    }
  }
  return best;
}

}  // namespace repsim
