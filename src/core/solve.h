// Internal: the bracketed solver behind equivalent tokens and parameters,
// shared by the engine (engine.cpp) and the sweep's fast path (sweep.cpp) so
// that both take the same iterates and give the same bits.
#pragma once

#include <algorithm>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <exception>
#include <optional>

#include "repsim/law.h"

namespace repsim::internal {

// What the closed forms below know of a root x: either the root itself
// (`exact`), or an interval [lo, hi] that holds it (both 0 when unknown).
struct RootGuess {
  double x = 0;
  bool exact = false;
  double lo = 0, hi = 0;
};

// Solves g(y) = target for y = log x with x in (hi·1e-30, hi], where g (the
// fresh-data loss at x = e^y) decreases in y and g_hi is its value at hi.
// An exact guess inside that range is the answer: its error, a few ulps
// amplified by the conditioning of the equation, is no more than a solver's
// working on the same rounded g. Otherwise TOMS 748 (Boost.Math) to an
// absolute 1e-13 in y, i.e. 1e-13 relative in x, on the guess's interval
// when it has one and the signs confirm it, else on the whole range. Nothing
// when there is no sign change or no convergence.
template <class G>
std::optional<double> SolveDecreasingLog(G g, double target, double hi, double g_hi,
                                         std::optional<RootGuess> guess) {
  // No repetition cost: the run is its own equivalent (exactly, not to rounding).
  if (target <= g_hi) return hi;
  const double floor = hi * 1e-30;
  if (guess && guess->exact && std::isfinite(guess->x) && guess->x > floor) {
    return std::min(guess->x, hi);
  }
  auto f = [&](double y) { return g(y) - target; };
  auto tol = [](double a, double b) { return std::fabs(b - a) <= kSolveRelTol * 0.1; };
  auto solve = [&](double a, double b, double fa, double fb) -> std::optional<double> {
    boost::uintmax_t iters = 200;
    auto r = boost::math::tools::toms748_solve(f, a, b, fa, fb, tol, iters);
    if (iters >= 200) return std::nullopt;
    return std::exp(0.5 * (r.first + r.second));
  };
  const double yhi = std::log(hi);
  try {
    if (guess && std::isfinite(guess->lo) && std::isfinite(guess->hi) && guess->lo > floor &&
        guess->lo < guess->hi) {
      // Widened by 1e-9 in log space: the bounds are closed forms, rounded.
      const double a = std::log(guess->lo) - 1e-9, b = std::min(std::log(guess->hi) + 1e-9, yhi);
      if (a < b) {
        const double fa = f(a), fb = f(b);
        if (fa > 0 && fb < 0) return solve(a, b, fa, fb);
      }
    }
    const double ylo = yhi - 69.0;  // 1e-30 · hi
    const double flo = f(ylo);
    const double fhi = f(yhi);
    if (fhi >= 0) return hi;
    if (!(flo > 0)) return std::nullopt;
    return solve(ylo, yhi, flo, fhi);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Closed forms for the roots of the Chinchilla form's fresh-data loss
// (MODEL.md §1 with §2's excess-parameter decay, law.h FreshLoss):
//     L(N, D) = E + A / N'^alpha + B / D^beta,
//     N' = N when N <= N_opt(D), else N_opt (1 + R_N* (1 - exp(-(N/N_opt - 1)/R_N*))).
// Nothing for the Kaplan form or a target at or below the asymptote.
//
// kOversizeMargin: a model counts as within compute-optimal (N' = N) or
// beyond it only by this relative margin, far above rounding; in between,
// the solver decides.
inline constexpr double kOversizeMargin = 1e-9;

// The raw token count x with L(params, kbar x) = target. Exact when the model
// is within compute-optimal for kbar x. Otherwise N' lies between N_opt(D)
// and N, and with A N_opt(D)^-alpha = (beta/alpha) B D^-beta (the optimum's
// first-order condition) the root lies between the inverses of
//     E + A N^-alpha + B D^-beta   and   E + (1 + beta/alpha) B D^-beta.
// `a_term` = A params^-alpha and `optimal_for` (D -> N_opt(D)) are passed in
// by callers that have them at hand (the sweep's fast path); the values are
// those the plain overload computes, so the answer is the same to the bit.
template <class OptimalFor>
std::optional<RootGuess> TokensGuess(const Law& law, double a_term, double params, double target,
                                     double kbar, OptimalFor optimal_for) {
  if (law.form != LawForm::kChinchilla) return std::nullopt;
  const double rest = target - law.e - a_term;
  if (!(rest > 0)) return std::nullopt;
  RootGuess g;
  g.x = std::pow(law.b / rest, 1.0 / law.beta) / kbar;
  g.exact = params * (1.0 + kOversizeMargin) < optimal_for(kbar * g.x);
  if (!g.exact) {
    const double upper =
        std::pow((1.0 + law.beta / law.alpha) * law.b / (target - law.e), 1.0 / law.beta) / kbar;
    g.lo = g.x;
    g.hi = std::max(upper, g.x);
  }
  return g;
}

inline std::optional<RootGuess> TokensGuess(const Law& law, double params, double target,
                                            double kbar) {
  if (law.form != LawForm::kChinchilla) return std::nullopt;
  return TokensGuess(law, law.a * std::pow(params, -law.alpha), params, target, kbar,
                     [&](double d) { return ComputeOptimalParamsForTokens(law, d); });
}

// The params n with L(n, tokens_law) = target, exact everywhere: with D fixed
// the target fixes N' = (A / (target - E - B D^-beta))^(1/alpha); that is n
// itself within compute-optimal, else the decay above inverted:
//     n = N_opt (1 - R_N* log(1 - (N'/N_opt - 1) / R_N*)).
// Only when N' falls within kOversizeMargin of N_opt is the answer left to
// the solver, with N' and the inverse as its interval.
// `b_term` = B tokens_law^-beta and `optimal` = N_opt(tokens_law), as the
// plain overload computes them.
inline std::optional<RootGuess> ParamsGuess(const Law& law, double b_term, double optimal,
                                            double target) {
  if (law.form != LawForm::kChinchilla) return std::nullopt;
  const double rest = target - law.e - b_term;
  if (!(rest > 0)) return std::nullopt;
  const double n_eff = std::pow(law.a / rest, 1.0 / law.alpha);
  RootGuess g;
  g.x = n_eff;
  if (n_eff * (1.0 + kOversizeMargin) < optimal) {
    g.exact = true;
    return g;
  }
  const double excess = (n_eff / optimal - 1.0) / law.rn_star;  // in [0, 1) when reachable
  if (!(excess < 1.0)) return g;  // no model this good on these tokens: the solver says so
  const double n = optimal * (1.0 - law.rn_star * std::log1p(-std::max(excess, 0.0)));
  if (n_eff > optimal * (1.0 + kOversizeMargin)) {
    g.x = n;
    g.exact = true;
  } else {
    g.lo = n_eff;
    g.hi = std::max(n, n_eff);
  }
  return g;
}

inline std::optional<RootGuess> ParamsGuess(const Law& law, double tokens_law, double target) {
  if (law.form != LawForm::kChinchilla) return std::nullopt;
  return ParamsGuess(law, law.b * std::pow(tokens_law, -law.beta),
                     ComputeOptimalParamsForTokens(law, tokens_law), target);
}

}  // namespace repsim::internal
