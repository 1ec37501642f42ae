#include "repsim/calibrate.h"

#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>

#include "repsim/engine.h"
#include "repsim/run.h"

namespace repsim {
namespace {

// The Token-Crisis T1 run (MODEL.md §4) under the default law, no dropout.
Run T1Run() {
  Run run;
  run.law = MakeLaw(kDefaultLawPreset);
  run.params = kT1Params;
  run.active_params = kT1Params;
  run.sources = {DataSource{"c4", kT1UniqueTokens, 1.0, 1.0}};
  run.tokens = kT1Tokens;
  run.modifiers.c_drop = kDefaultCDrop;
  run.modifiers.eta = kDefaultEta;
  run.modifiers.size_gamma = kDefaultSizeGamma;
  return run;
}

// The Hernandez et al. 2022 run (calibration.h, H1) under the default law, no
// dropout, displacement strength `lambda`.
Run H1Run(double lambda) {
  Run run;
  run.law = MakeLaw(kDefaultLawPreset);
  run.params = kH1Params;
  run.active_params = kH1Params;
  run.sources = {DataSource{"fresh", kH1FreshUniqueTokens, kH1FreshWeight, 1.0},
                 DataSource{"repeated", kH1RepeatedUniqueTokens, kH1RepeatedWeight, 1.0}};
  run.tokens = kH1Tokens;
  run.modifiers.memorization_capacity = kDefaultMemorizationCapacity;
  run.modifiers.displacement = lambda;
  return run;
}

double Gap(const Run& run) { return Evaluate(run).delta; }

template <class F>
Expected<double> Bracketed(F f, double lo, double hi, const char* what) {
  const double flo = f(lo), fhi = f(hi);
  if (!(flo * fhi < 0)) return Error{std::string(what) + ": target not bracketed"};
  boost::uintmax_t iters = 200;
  auto tol = [](double a, double b) { return std::fabs(b - a) <= 1e-15 * std::fabs(b); };
  auto r = boost::math::tools::toms748_solve(f, lo, hi, flo, fhi, tol, iters);
  return 0.5 * (r.first + r.second);
}

}  // namespace

Expected<Calibration> SolveCalibration() {
  // T3: span corruption's gap is 2.5/2.9 of UL2's (m_ul2 = 1), no dropout.
  Run ul2 = T1Run();
  ul2.objective = Objective::kUl2;
  ul2.modifiers.objective_multiplier = kObjectiveMultiplierUl2;
  const double gap_ul2 = Gap(ul2);
  auto t3 = [&](double log_m) {
    Run span = T1Run();
    span.objective = Objective::kSpanCorruption;
    span.modifiers.objective_multiplier = std::exp(log_m);
    return Gap(span) / gap_ul2 - kT3SpanOverUl2Gap;
  };
  Expected<double> log_m = Bracketed(t3, 0.0, std::log(100.0), "T3 (m_span_corruption)");
  if (!log_m) return Error{log_m.error()};
  const double m_span = std::exp(*log_m);

  // T2: with span corruption, constant p = 0.1 removes 1.3/2.9 of the gap.
  Run base = T1Run();
  base.objective = Objective::kSpanCorruption;
  base.modifiers.objective_multiplier = m_span;
  const double gap_none = Gap(base);
  auto t2 = [&](double g0) {
    Run r = base;
    r.dropout = Dropout{DropoutSchedule::kConstant, kT2DropoutRate, 0.0, 0.0};
    r.modifiers.g0 = g0;
    return 1.0 - Gap(r) / gap_none - kT2GapRemoved;
  };
  Expected<double> g0 = Bracketed(t2, 0.0, 1e4, "T2 (g0)");
  if (!g0) return Error{g0.error()};

  // H1: the Hernandez mixture's equivalent model size is kH1EquivalentParams.
  // Within [0, 100] (Validate's range) the root is unique: the displaced share
  // rises with lambda, so equivalent_params falls.
  auto h1 = [](double lambda) {
    const std::optional<double> n_eq = Evaluate(H1Run(lambda)).equivalent_params;
    if (!n_eq) return -1.0;  // no equivalent: beyond the target (smaller than any model)
    return std::log(*n_eq / kH1EquivalentParams);
  };
  Expected<double> lambda = Bracketed(h1, 0.0, 100.0, "H1 (displacement)");
  if (!lambda) return Error{lambda.error()};
  return Calibration{m_span, *g0, *lambda};
}

}  // namespace repsim
