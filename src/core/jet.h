// Scalar helpers generic over double and ceres::Jet, shared by the fitter
// (fit.cpp) and the pair-penalty fit of the overfit form (validate.cpp).
#pragma once

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

}  // namespace repsim::detail
