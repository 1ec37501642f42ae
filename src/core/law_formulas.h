// repsim: the law's formulas, written once (MODEL.md §1, §2, §2b).
//
// Templated on the number type, like a Ceres cost functor: double for the
// engine, sweep, planners, validate and the solver; ceres::Jet for the
// fitters' automatic derivatives. Every place that evaluates effective data,
// effective params, the fresh Chinchilla loss or the overfitting term calls
// these; src/core/grid_kernel.cpp is the one vectorised copy, tested against
// them (tests/test_sweep.cpp, tests/test_law_formulas.cpp).
//
// Branches compare values only (Jets compare their value), so a function is
// piecewise smooth in its arguments exactly as the closed forms are.
#pragma once

#include <cmath>

namespace repsim::formulas {

// MODEL.md §1: E + A N^-alpha + B D^-beta (the Chinchilla form).
template <typename T, typename C, typename N, typename D>
T ChinchillaLoss(const C& e, const C& a, const C& b, const C& alpha, const C& beta, const N& n,
                 const D& d) {
  using std::pow;
  return T(e + a * pow(n, -alpha) + b * pow(d, -beta));
}

// MODEL.md §2: D' = U + U R_D* (1 - e^-(D/U - 1)/R_D*) past one epoch, D up
// to it. `repetitions` = D/U - 1.
template <typename T, typename R>
T EffectiveTokens(double tokens, double unique_tokens, const R& rd_star) {
  using std::expm1;
  if (tokens <= unique_tokens) return T(tokens);
  const double rd = tokens / unique_tokens - 1.0;
  return T(unique_tokens) + unique_tokens * rd_star * (-expm1(-rd / rd_star));
}

// MODEL.md §2: N' = U_N + U_N R_N* (1 - e^-R_N/R_N*) with U_N = min(N, N_opt),
// R_N = N/U_N - 1; N itself when N <= N_opt. `n_opt` is N_opt for the unique
// tokens seen.
template <typename T, typename P, typename O, typename R>
T EffectiveParams(const P& params, const O& n_opt, const R& rn_star) {
  using std::expm1;
  if (params <= n_opt) return T(params);
  const O rn = params / n_opt - 1.0;
  return T(n_opt + n_opt * rn_star * (-expm1(-rn / rn_star)));
}

inline constexpr double kLn1e9 = 20.72326583694641;  // log(1e9): N' and U are in units of 1e9

// MODEL.md §2b: log z = w + a log(N'/1e9) - c log(U/1e9) + k log R (R > 0).
template <typename T, typename P, typename U>
T OverfitLogExponent(const T& w, const T& a, const T& c, const T& k, const P& ln_effective_params,
                     const U& ln_unique_tokens, double ln_repetitions) {
  return w + a * (ln_effective_params - kLn1e9) - c * (ln_unique_tokens - kLn1e9) +
         k * ln_repetitions;
}

// MODEL.md §2b: ratio2026's early term e^w2 (N'/1e9)^a2 (U/1e9)^-c2 ((1 + R)^k2 - 1),
// R > 0; 0 when k2 = 0 (no early term).
template <typename T, typename P>
T EarlyOverfitExponent(const T& w2, const T& a2, const T& c2, const T& k2,
                       const P& ln_effective_params, double ln_unique_tokens, double repetitions) {
  using std::exp;
  using std::expm1;
  if (!(k2 > 0.0)) return T(0.0);
  return exp(w2 + a2 * (ln_effective_params - kLn1e9) - c2 * (ln_unique_tokens - kLn1e9)) *
         expm1(k2 * std::log1p(repetitions));
}

// MODEL.md §2b: z = e^(log z of the first term) + the early term, R > 0.
template <typename T, typename P>
T OverfitExponent(const T& w, const T& a, const T& c, const T& k, const T& w2, const T& a2,
                  const T& c2, const T& k2, const P& ln_effective_params, double ln_unique_tokens,
                  double repetitions) {
  using std::exp;
  T z = exp(
      OverfitLogExponent(w, a, c, k, ln_effective_params, ln_unique_tokens, std::log(repetitions)));
  if (k2 > 0.0) {
    z += EarlyOverfitExponent(w2, a2, c2, k2, ln_effective_params, ln_unique_tokens, repetitions);
  }
  return z;
}

// MODEL.md §2b: the loss L_M = L(N', D') raised by the overfitting term with
// exponent z. Two shapes:
//   height > 0 (ratio2026):   L = L_M + height (1 - e^-z)
//   height == 0 (overfit2026): L = L_M + max(cap - L_M, 0) (1 - e^-z)
// `multiplier` scales z (1: the law as fitted; weight decay's f(lambda) of
// MODEL.md §2b, 0: no overfitting).
template <typename T, typename H>
T Overfit(const T& loss_m, const T& z, double multiplier, double cap, const H& height) {
  using std::expm1;
  const T grown = -expm1(-multiplier * z);
  if (height > 0.0) return loss_m + height * grown;
  if (!(loss_m < cap)) return loss_m;
  return loss_m + (cap - loss_m) * grown;
}

}  // namespace repsim::formulas

namespace repsim::formulas {

// A Chinchilla-form law's constants in the number type T (MODEL.md §1, §2,
// §2b): what RepeatedLoss needs. `cap` is not fitted, so it stays a double.
template <typename T>
struct LawTerms {
  T e, a, b, alpha, beta;  // §1
  T rd_star, rn_star;      // §2
  bool overfit = false;    // §2b
  T w, ka, kc, k;          // z = e^w (N'/1e9)^ka (U/1e9)^-kc R^k
  double cap = 0;          // capped shape (height == 0)
  T height;                // bounded-height shape (> 0)
  T w2, a2, c2, k2;        // the early term (k2 = 0: none)
};

// log N_opt for `ln_tokens` (MODEL.md §2's U_N before the min with N): the
// first-order condition alpha A N^-alpha = beta B D^-beta.
template <typename T>
T LogOptimalParams(const LawTerms<T>& l, double ln_tokens) {
  using std::log;
  return (log(l.alpha * l.a / (l.beta * l.b)) + l.beta * ln_tokens) / l.alpha;
}

// L of a single-source run without a schedule (MODEL.md §2, §2b): N params,
// D tokens, U unique tokens; the fresh loss when D <= U. As the engine's
// DataConstrainedLoss (law.h) for a Chinchilla-form law.
template <typename T>
T RepeatedLoss(const LawTerms<T>& l, double n, double d, double u) {
  using std::exp;
  using std::log;
  const double seen = d < u ? d : u;
  const T n_opt = exp(LogOptimalParams(l, std::log(seen)));
  const T np = EffectiveParams<T>(n, n_opt, l.rn_star);
  const T dp = EffectiveTokens<T>(d, u, l.rd_star);
  T lm = ChinchillaLoss<T>(l.e, l.a, l.b, l.alpha, l.beta, np, dp);
  if (!l.overfit || d <= u) return lm;
  const T z = OverfitExponent(l.w, l.ka, l.kc, l.k, l.w2, l.a2, l.c2, l.k2, log(np), std::log(seen),
                              d / u - 1.0);
  return Overfit(lm, z, 1.0, l.cap, l.height);
}

}  // namespace repsim::formulas
