// Scalar helpers generic over double and ceres::Jet, and the common L-BFGS
// settings, shared by the fitter (fit.cpp) and the overfit and ratio forms'
// fits (validate.cpp).
#pragma once

#include <ceres/gradient_problem_solver.h>
#include <ceres/jet.h>

#include <cmath>

namespace repsim::detail {

// The value part of a scalar: itself for a double, .a for a Jet.
inline double Value(double x) { return x; }
template <int N>
double Value(const ceres::Jet<double, N>& x) {
  return x.a;
}

// Finite value and, for a Jet, finite derivatives: Ceres's line search
// aborts (CHECK) on a finite cost with a NaN gradient, which overflowing
// intermediate terms (e.g. exp(−∞)·∞) can produce far from the optimum.
inline bool AllFinite(double x) { return std::isfinite(x); }
template <int N>
bool AllFinite(const ceres::Jet<double, N>& x) {
  return std::isfinite(x.a) && x.v.allFinite();
}

// scipy.special.huber(delta, r): r²/2 inside ±delta, linear outside.
template <typename T>
T Huber(const T& r, double delta) {
  const double v = Value(r);
  if (std::abs(v) <= delta) return 0.5 * r * r;
  return delta * ((v < 0 ? -r : r) - 0.5 * delta);
}

// The L-BFGS settings every fitter starts from (Ceres GradientProblemSolver):
// L-BFGS directions, a Wolfe line search, no logging; the iteration cap and
// tolerances are each fitter's own.
inline ceres::GradientProblemSolver::Options LbfgsOptions(int max_iterations,
                                                          double function_tolerance,
                                                          double gradient_tolerance,
                                                          double parameter_tolerance) {
  ceres::GradientProblemSolver::Options o;
  o.line_search_direction_type = ceres::LBFGS;
  o.line_search_type = ceres::WOLFE;
  o.max_num_iterations = max_iterations;
  o.function_tolerance = function_tolerance;
  o.gradient_tolerance = gradient_tolerance;
  o.parameter_tolerance = parameter_tolerance;
  o.logging_type = ceres::SILENT;
  o.minimizer_progress_to_stdout = false;
  return o;
}

}  // namespace repsim::detail
