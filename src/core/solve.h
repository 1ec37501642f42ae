// Internal: the bracketed solver behind equivalent tokens and parameters,
// shared by the engine (engine.cpp) and the sweep's fast path (sweep.cpp) so
// that both take the same iterates and give the same bits.
#pragma once

#include <algorithm>
#include <cmath>
#include <exception>
#include <optional>

#include <boost/math/tools/toms748_solve.hpp>

#include "repsim/engine.h"
#include "repsim/law.h"

namespace repsim::internal {

// Solves g(y) = target for y = log x with x in (hi·1e-30, hi], where g (the
// fresh-data loss at x = e^y) decreases in y and g_hi is its value at hi.
// TOMS 748 (Boost.Math) to an absolute 1e-13 in y, i.e. 1e-13 relative in x.
// `guess`: a closed-form estimate of x; when the root lies within ±1e-10 of
// it in log space, that tight bracket is used (two to three iterations
// instead of ten or more), else the whole range. Nothing when there is no
// sign change or no convergence.
template <class G>
std::optional<double> SolveDecreasingLog(G g, double target, double hi, double g_hi,
                                         std::optional<double> guess) {
  // No repetition cost: the run is its own equivalent (exactly, not to rounding).
  if (target <= g_hi) return hi;
  auto f = [&](double y) { return g(y) - target; };
  auto tol = [](double a, double b) { return std::fabs(b - a) <= kSolveRelTol * 0.1; };
  const double yhi = std::log(hi);
  try {
    if (guess && std::isfinite(*guess) && *guess > 0) {
      constexpr double kHalfWidth = 1e-10;
      const double yg = std::log(*guess);
      const double a = yg - kHalfWidth, b = std::min(yg + kHalfWidth, yhi);
      if (a < b) {
        const double fa = f(a), fb = f(b);
        if (fa > 0 && fb < 0) {
          boost::uintmax_t iters = 200;
          auto r = boost::math::tools::toms748_solve(f, a, b, fa, fb, tol, iters);
          if (iters < 200) return std::exp(0.5 * (r.first + r.second));
        }
      }
    }
    const double ylo = yhi - 69.0;  // 1e-30 · hi
    const double flo = f(ylo);
    const double fhi = f(yhi);
    if (fhi >= 0) return hi;
    if (!(flo > 0)) return std::nullopt;
    boost::uintmax_t iters = 200;
    auto r = boost::math::tools::toms748_solve(f, ylo, yhi, flo, fhi, tol, iters);
    if (iters >= 200) return std::nullopt;
    return std::exp(0.5 * (r.first + r.second));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Closed-form inverses of the Chinchilla form L = E + A/N^alpha + B/D^beta,
// exact when the model is no larger than compute-optimal (else only guesses):
// the raw token count x with L(params, kbar x) = target, and the params n
// with L(n, tokens_law) = target. Nothing for the Kaplan form or when the
// target is at or below the asymptote.
inline std::optional<double> TokensGuess(const Law& law, double params, double target,
                                         double kbar) {
  if (law.form != LawForm::kChinchilla) return std::nullopt;
  const double rest = target - law.e - law.a * std::pow(params, -law.alpha);
  if (!(rest > 0)) return std::nullopt;
  return std::pow(law.b / rest, 1.0 / law.beta) / kbar;
}

inline std::optional<double> ParamsGuess(const Law& law, double tokens_law, double target) {
  if (law.form != LawForm::kChinchilla) return std::nullopt;
  const double rest = target - law.e - law.b * std::pow(tokens_law, -law.beta);
  if (!(rest > 0)) return std::nullopt;
  return std::pow(law.a / rest, 1.0 / law.alpha);
}

}  // namespace repsim::internal
