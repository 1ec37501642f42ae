// The compute-optimal planners of `repsim plan` (include/repsim/plan.h).
#include "repsim/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>

#include "repsim/engine.h"

namespace repsim {
namespace {

// Hoffmann et al. 2022, Table 3, as published: parameters, FLOPs, tokens.
constexpr std::array<ChinchillaTableRow, 9> kChinchillaTable3 = {{
    {400e6, 1.92e19, 8.0e9},
    {1e9, 1.21e20, 20.2e9},
    {10e9, 1.23e22, 205.1e9},
    {67e9, 5.76e23, 1.5e12},
    {175e9, 3.85e24, 3.7e12},
    {280e9, 9.90e24, 5.9e12},
    {520e9, 3.43e25, 11.0e12},
    {1e12, 1.27e26, 21.2e12},
    {10e12, 1.30e28, 216.2e12},
}};
// The row whose FLOPs were set to Gopher's budget (see UsedInApproach1Fit).
constexpr double kGopherRowParams = 67e9;
// Two parameter counts are "the same row" within this relative difference.
constexpr double kSameRowRelTol = 1e-9;

// The allocation scan (AllocateCompute): points per decade of N, how far
// beyond the two anchors (ComputeOptimal and the size compute-optimal for U)
// the first scan reaches, and how it widens while the lowest point is at an end.
constexpr double kScanPointsPerDecade = 8.0;
constexpr double kScanHalfWidthDecades = 3.0;
constexpr double kScanWidenDecades = 3.0;
constexpr int kScanMaxWidenings = 10;
// Brent's method: half the mantissa is the most a minimiser can resolve
// (the loss is quadratic at its minimum); the iteration cap is never reached
// in practice.
constexpr int kBrentBits = std::numeric_limits<double>::digits / 2;
constexpr std::uintmax_t kMaxIterations = 200;
// Root finders: how far to search for a bracket, in powers of ten.
constexpr double kMaxLogTokens = 40.0 * 2.302585092994046;  // ln(1e40)
constexpr double kMinLogSize = 0.0;                         // ln(1): one token or parameter

std::optional<Error> CheckPositive(const char* name, double v) {
  if (std::isfinite(v) && v > 0) {
    return std::nullopt;
  }
  return Error{fmt::format("{} = {}: must be finite and > 0", name, v)};
}

std::optional<Error> CheckLaw(const Law& law) {
  if (auto err = Validate(law)) {
    return Error{fmt::format("law {}: {}", ToString(law.preset), *err)};
  }
  return std::nullopt;
}

PlanTableRow MakeTableRow(double n, double d) {
  PlanTableRow row;
  row.params = n;
  row.tokens = d;
  row.flops = kFlopsPerParamToken * n * d;
  row.gopher_units = row.flops / kGopherFlops;
  for (const ChinchillaTableRow& p : kChinchillaTable3) {
    if (std::fabs(n / p.params - 1.0) < kSameRowRelTol) {
      row.published = p;
      row.tokens_deviation = d / p.tokens - 1.0;
      row.flops_deviation = row.flops / p.flops - 1.0;
    }
  }
  return row;
}

// A root of f in [lo, hi] with f(lo), f(hi) of opposite signs (or one zero).
template <class F>
double Root(F f, double lo, double hi, double f_lo, double f_hi) {
  if (f_lo == 0) {
    return lo;
  }
  if (f_hi == 0) {
    return hi;
  }
  std::uintmax_t iters = kMaxIterations;
  boost::math::tools::eps_tolerance<double> tol(std::numeric_limits<double>::digits - 4);
  const auto r = boost::math::tools::toms748_solve(f, lo, hi, f_lo, f_hi, tol, iters);
  return 0.5 * (r.first + r.second);
}

// A root in x of a monotone f, starting from x0 and stepping `step` outwards
// (in the direction the signs say) within [x_min, x_max]. `increasing` says
// whether f rises with x. Empty when the sign never changes in range.
template <class F>
std::optional<double> MonotoneRoot(F f, double x0, double step, double x_min, double x_max,
                                   bool increasing) {
  double f0 = f(x0);
  if (f0 == 0) {
    return x0;
  }
  // Walk towards the root: up if f is below zero and rising, etc.
  const bool up = (f0 < 0) == increasing;
  double x1 = x0, f1 = f0;
  while (true) {
    const double x2 = up ? x1 + step : x1 - step;
    if (x2 > x_max || x2 < x_min) {
      return std::nullopt;
    }
    const double f2 = f(x2);
    if ((f2 < 0) != (f1 < 0) || f2 == 0) {
      return up ? Root(f, x1, x2, f1, f2) : Root(f, x2, x1, f2, f1);
    }
    x1 = x2;
    f1 = f2;
  }
}

}  // namespace

// --- 1. The compute-optimal table ---------------------------------------------

std::span<const ChinchillaTableRow> ChinchillaTable3() { return kChinchillaTable3; }

bool UsedInApproach1Fit(const ChinchillaTableRow& row) {
  return std::fabs(row.params / kGopherRowParams - 1.0) >= kSameRowRelTol;
}

double PowerLaw::operator()(double x) const { return coefficient * std::pow(x, exponent); }

Expected<PowerLaw> FitPowerLaw(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) {
    return Error{fmt::format("power-law fit: {} x values but {} y values", x.size(), y.size())};
  }
  if (x.size() < 2) {
    return Error{"power-law fit: needs at least 2 points"};
  }
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!(std::isfinite(x[i]) && x[i] > 0 && std::isfinite(y[i]) && y[i] > 0)) {
      return Error{fmt::format("power-law fit: point {} = ({}, {}): both must be finite and > 0", i,
                               x[i], y[i])};
    }
    mx += std::log(x[i]);
    my += std::log(y[i]);
  }
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(x.size());
  double sxx = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = std::log(x[i]) - mx;
    sxx += dx * dx;
    sxy += dx * (std::log(y[i]) - my);
  }
  if (sxx == 0) {
    return Error{"power-law fit: all x values are equal"};
  }
  PowerLaw law;
  law.exponent = sxy / sxx;
  law.coefficient = std::exp(my - law.exponent * mx);
  return law;
}

PowerLaw ChinchillaApproach1TokensForParams() {
  std::vector<double> n, d;
  for (const ChinchillaTableRow& row : kChinchillaTable3) {
    if (!UsedInApproach1Fit(row)) {
      continue;
    }
    n.push_back(row.params);
    d.push_back(row.tokens);
  }
  const Expected<PowerLaw> fit = FitPowerLaw(n, d);
  assert(fit.ok());  // the published rows are valid data
  return *fit;
}

Expected<std::vector<PlanTableRow>> ComputeOptimalTable(std::span<const double> params) {
  const PowerLaw fit = ChinchillaApproach1TokensForParams();
  std::vector<PlanTableRow> rows;
  for (double n : params) {
    if (auto err = CheckPositive("params", n)) {
      return *err;
    }
    const double d = fit(n);
    if (!std::isfinite(kFlopsPerParamToken * n * d)) {
      return Error{fmt::format("params = {}: too large, its FLOPs overflow", n)};
    }
    rows.push_back(MakeTableRow(n, d));
  }
  return rows;
}

double ComputeOptimalTokensForParams(const Law& law, double n) {
  // ComputeOptimal's N rises with C; solve log N_opt(C) = log n in log C.
  auto f = [&](double log_c) { return std::log(ComputeOptimal(law, std::exp(log_c)).params / n); };
  // Start from Chinchilla's rule of thumb, 20 tokens per parameter.
  const double x0 = std::log(kFlopsPerParamToken * 20.0) + 2.0 * std::log(n);
  const std::optional<double> log_c =
      MonotoneRoot(f, x0, std::log(100.0), -700.0, 700.0, /*increasing=*/true);
  if (!log_c) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return std::exp(*log_c) / (kFlopsPerParamToken * n);
}

Expected<std::vector<PlanTableRow>> ComputeOptimalTable(const Law& law,
                                                        std::span<const double> params) {
  if (auto err = CheckLaw(law)) {
    return *err;
  }
  std::vector<PlanTableRow> rows;
  for (double n : params) {
    if (auto err = CheckPositive("params", n)) {
      return *err;
    }
    const double d = ComputeOptimalTokensForParams(law, n);
    if (!std::isfinite(d) || !std::isfinite(kFlopsPerParamToken * n * d)) {
      return Error{
          fmt::format("params = {}: out of the range of {}'s allocation", n, ToString(law.preset))};
    }
    rows.push_back(MakeTableRow(n, d));
  }
  return rows;
}

// --- 2. Scaling -----------------------------------------------------------------

ScalingExponents AllocationExponents(const Law& law) {
  if (law.form == LawForm::kKaplan) {
    return {kKaplanParamsExponent, kKaplanTokensExponent};
  }
  // Hoffmann et al. 2022 eq. 4: N_opt ∝ C^(beta/(alpha+beta)), D_opt ∝ C^(alpha/(alpha+beta)).
  const double s = law.alpha + law.beta;
  return {law.beta / s, law.alpha / s};
}

ScalingExponents AllocationExponents(const PowerLaw& tokens_for_params) {
  const double p = 1.0 + tokens_for_params.exponent;
  return {1.0 / p, tokens_for_params.exponent / p};
}

Expected<ScaleResult> Scale(const ScalingExponents& exponents, double compute_factor) {
  if (auto err = CheckPositive("compute factor", compute_factor)) {
    return *err;
  }
  ScaleResult r;
  r.exponents = exponents;
  r.compute_factor = compute_factor;
  r.params_factor = std::pow(compute_factor, exponents.params);
  r.tokens_factor = std::pow(compute_factor, exponents.tokens);
  return r;
}

// --- 3. Allocation with limited unique data ------------------------------------

PlanPoint EvaluatePlanPoint(const Law& law, double n, double d, double u) {
  PlanPoint p;
  p.params = n;
  p.tokens = d;
  p.unique_tokens = u;
  p.epochs = d / u;
  p.flops = kFlopsPerParamToken * n * d;
  p.loss = DataConstrainedLoss(law, n, d, u);
  p.fresh_loss = FreshLoss(law, n, d);
  return p;
}

double IsoFlopSlope(const Law& law, double n, double d, double u) {
  // L(N', D') by the chain rule. N' and D' are the engine's (MODEL.md §2);
  // their log-derivatives are differentiated by hand here, so that slopes far
  // below the loss's rounding (a model many times too large for U, thousands
  // of epochs) stay exact instead of vanishing in a difference of losses.
  const double seen = std::min(d, u);
  const double un = ComputeOptimalParamsForTokens(law, seen);
  double n_eff = n, dlogneff_dlogn = 1.0, dlogneff_dlogd = 0.0;
  if (n > un) {
    // N' = U_N (1 + R_N* (1 - e^-x)), x = (N/U_N - 1) / R_N*:
    //   dN'/dN = e^-x,  dN'/dU_N = 1 + R_N* (1 - e^-x) - (N/U_N) e^-x.
    const double x = (n / un - 1.0) / law.rn_star;
    const double ex = std::exp(-x);
    n_eff = EffectiveParams(law, n, seen, law.rn_star);
    dlogneff_dlogn = n * ex / n_eff;
    if (d < u) {  // U_N grows with the unique tokens seen, here all D of them
      // U_N is a power law in the tokens seen (law.h): its log-slope, exact
      // up to rounding from two points.
      constexpr double kH = 1e-3;
      const double p = std::log(ComputeOptimalParamsForTokens(law, seen * std::exp(kH)) /
                                ComputeOptimalParamsForTokens(law, seen * std::exp(-kH))) /
                       (2 * kH);
      const double dneff_dun = 1.0 + law.rn_star * (-std::expm1(-x)) - (n / un) * ex;
      dlogneff_dlogd = un * dneff_dun / n_eff * p;
    }
  }
  double d_eff = d, dlogdeff_dlogd = 1.0;
  if (d > u) {
    // D' = U + U R_D* (1 - e^-(D/U - 1)/R_D*):  dD'/dD = e^-(D/U - 1)/R_D*.
    d_eff = EffectiveTokensClosedForm(d, u, law.rd_star);
    dlogdeff_dlogd = d * std::exp(-(d / u - 1.0) / law.rd_star) / d_eff;
  }
  // The law itself is smooth: central differences in log N' and log D'.
  const double h = kStationarityLogStep;
  const double up = std::exp(h), down = std::exp(-h);
  const double dl_dlogneff =
      (Loss(law, n_eff * up, d_eff) - Loss(law, n_eff * down, d_eff)) / (2 * h);
  const double dl_dlogdeff =
      (Loss(law, n_eff, d_eff * up) - Loss(law, n_eff, d_eff * down)) / (2 * h);
  double dl_dlogn = dl_dlogneff * dlogneff_dlogn;
  double dl_dlogd = dl_dlogdeff * dlogdeff_dlogd + dl_dlogneff * dlogneff_dlogd;
  // Overfitting (MODEL.md §2b): L = L_M + (cap - L_M)(1 - e^-z) while L_M < cap,
  // so dL = e^-z dL_M + (cap - L_M) e^-z z dlog z, with
  // dlog z = a dlog N' + k R'/R dlog D (R = D/U - 1, only when D > U).
  const double rd = d / u - 1.0;
  const double z = OverfitExponent(law, n_eff, seen, rd);
  const double lm = Loss(law, n_eff, d_eff);
  if (z > 0 && lm < law.loss_cap) {
    const double ez = std::exp(-z);
    const double w = (law.loss_cap - lm) * ez * z;
    const double dlogz_dlogn = law.overfit_a * dlogneff_dlogn;
    const double dlogz_dlogd = law.overfit_a * dlogneff_dlogd + law.overfit_k * (d / u) / rd;
    dl_dlogn = ez * dl_dlogn + w * dlogz_dlogn;
    dl_dlogd = ez * dl_dlogd + w * dlogz_dlogd;
  }
  return dl_dlogn - dl_dlogd;
}

Expected<DataConstrainedPlan> AllocateCompute(const Law& law, double flops, double unique_tokens) {
  if (auto err = CheckLaw(law)) {
    return *err;
  }
  if (auto err = CheckPositive("compute", flops)) {
    return *err;
  }
  if (auto err = CheckPositive("unique tokens", unique_tokens)) {
    return *err;
  }
  const double u = unique_tokens;

  // Search in t = log(N / N_opt(C)), so that Brent's relative-plus-absolute
  // tolerance acts on a number near zero.
  const Allocation fresh = ComputeOptimal(law, flops);
  auto params_at = [&](double t) { return fresh.params * std::exp(t); };
  auto loss_at = [&](double t) {
    const double n = params_at(t);
    return DataConstrainedLoss(law, n, flops / (kFlopsPerParamToken * n), u);
  };

  // Bracket: scan log N around both anchors, widening while the lowest point is
  // at an end of the scan.
  const double ln10 = std::log(10.0);
  const double t_u = std::log(ComputeOptimalParamsForTokens(law, u) / fresh.params);
  double lo = std::min(0.0, t_u) - kScanHalfWidthDecades * ln10;
  double hi = std::max(0.0, t_u) + kScanHalfWidthDecades * ln10;
  const double step = ln10 / kScanPointsPerDecade;
  double a = lo, b = hi;
  for (int widenings = 0;; ++widenings) {
    const int points = static_cast<int>(std::ceil((hi - lo) / step)) + 1;
    const double h = (hi - lo) / (points - 1);
    int best = 0;
    double best_loss = std::numeric_limits<double>::infinity();
    for (int i = 0; i < points; ++i) {
      const double l = loss_at(lo + i * h);
      if (l < best_loss) {
        best_loss = l;
        best = i;
      }
    }
    if (widenings < kScanMaxWidenings && best == 0) {
      lo -= kScanWidenDecades * ln10;
      continue;
    }
    if (widenings < kScanMaxWidenings && best == points - 1) {
      hi += kScanWidenDecades * ln10;
      continue;
    }
    a = lo + std::max(best - 1, 0) * h;
    b = lo + std::min(best + 1, points - 1) * h;
    break;
  }
  std::uintmax_t iters = kMaxIterations;
  const auto [t_min, loss_min] =
      boost::math::tools::brent_find_minima(loss_at, a, b, kBrentBits, iters);
  (void)loss_min;

  DataConstrainedPlan plan;
  const double n = params_at(t_min);
  plan.optimum = EvaluatePlanPoint(law, n, flops / (kFlopsPerParamToken * n), u);
  plan.compute_optimal = EvaluatePlanPoint(law, fresh.params, fresh.tokens, u);
  // N -> inf with U seen: N' -> U_N (1 + R_N*); D -> inf: D' -> U (1 + R_D*).
  plan.loss_floor = Loss(law, ComputeOptimalParamsForTokens(law, u) * (1.0 + law.rn_star),
                         u * (1.0 + law.rd_star));
  return plan;
}

Expected<DataConstrainedPlan> BestTokensForParams(const Law& law, double params,
                                                  double unique_tokens) {
  if (auto err = CheckLaw(law)) {
    return *err;
  }
  if (auto err = CheckPositive("params", params)) {
    return *err;
  }
  if (auto err = CheckPositive("unique tokens", unique_tokens)) {
    return *err;
  }
  const double n = params, u = unique_tokens;
  const double d_fresh = ComputeOptimalTokensForParams(law, n);
  if (!std::isfinite(d_fresh)) {
    return Error{
        fmt::format("params = {}: out of the range of {}'s allocation", n, ToString(law.preset))};
  }
  // The slope falls with D: more tokens are worth less and less.
  auto f = [&](double log_d) { return IsoFlopSlope(law, n, std::exp(log_d), u); };
  const std::optional<double> log_d =
      MonotoneRoot(f, std::log(d_fresh), std::log(10.0), kMinLogSize, kMaxLogTokens,
                   /*increasing=*/false);
  if (!log_d) {
    return Error{fmt::format(
        "params = {}, unique tokens = {}: no token count between 1 and 1e40 makes this model "
        "compute-optimal under the data-constrained law",
        n, u)};
  }
  DataConstrainedPlan plan;
  plan.optimum = EvaluatePlanPoint(law, n, std::exp(*log_d), u);
  plan.compute_optimal = EvaluatePlanPoint(law, n, d_fresh, u);
  // D -> inf with N fixed: U seen, D' -> U (1 + R_D*).
  plan.loss_floor = Loss(law, EffectiveParams(law, n, u, law.rn_star), u * (1.0 + law.rd_star));
  return plan;
}

Expected<DataConstrainedPlan> BestParamsForTokens(const Law& law, double tokens,
                                                  double unique_tokens) {
  if (auto err = CheckLaw(law)) {
    return *err;
  }
  if (auto err = CheckPositive("tokens", tokens)) {
    return *err;
  }
  if (auto err = CheckPositive("unique tokens", unique_tokens)) {
    return *err;
  }
  const double d = tokens, u = unique_tokens;
  const double n_fresh = ComputeOptimalParamsForTokens(law, d);
  // The slope rises with N: more parameters are worth less and less.
  auto f = [&](double log_n) { return IsoFlopSlope(law, std::exp(log_n), d, u); };
  const std::optional<double> log_n =
      MonotoneRoot(f, std::log(n_fresh), std::log(10.0), kMinLogSize, kMaxLogTokens,
                   /*increasing=*/true);
  if (!log_n) {
    return Error{fmt::format(
        "tokens = {}, unique tokens = {}: no model size between 1 and 1e40 parameters makes "
        "this token count compute-optimal under the data-constrained law (at {:.3g} epochs "
        "more tokens no longer lower the loss)",
        d, u, d / u)};
  }
  DataConstrainedPlan plan;
  plan.optimum = EvaluatePlanPoint(law, std::exp(*log_n), d, u);
  plan.compute_optimal = EvaluatePlanPoint(law, n_fresh, d, u);
  // N -> inf with D fixed: N' -> U_N (1 + R_N*) for the min(D, U) unique tokens seen.
  plan.loss_floor =
      Loss(law, ComputeOptimalParamsForTokens(law, std::min(d, u)) * (1.0 + law.rn_star),
           EffectiveTokensClosedForm(d, u, law.rd_star));
  return plan;
}

// --- 4. Kaplan et al. 2020 ---------------------------------------------------------

namespace {
const Law& KaplanLaw() {
  static const Law law = MakeLaw(LawPreset::kKaplan2020);
  return law;
}
}  // namespace

double KaplanCriticalBatch(double loss) {
  return kKaplanBStar / std::pow(loss, 1.0 / kKaplanAlphaB);
}

double KaplanLossForParams(double params) {
  return std::pow(KaplanLaw().n_c / params, KaplanLaw().alpha_n);
}

double KaplanParamsForLoss(double loss) {
  return KaplanLaw().n_c * std::pow(loss, -1.0 / KaplanLaw().alpha_n);
}

double KaplanTokensForLoss(double loss) {
  return KaplanLaw().d_c * std::pow(loss, -1.0 / KaplanLaw().alpha_d);
}

double KaplanLossForParamsSteps(double params, double steps_min) {
  return KaplanLossForParams(params) + std::pow(kKaplanSc / steps_min, kKaplanAlphaS);
}

double KaplanLossForCompute(double flops) {
  return std::pow(kKaplanCcPetaflopDays / (flops / kFlopsPerPetaflopDay), kKaplanAlphaC);
}

double KaplanComputeForLoss(double loss) {
  return kKaplanCcPetaflopDays * std::pow(loss, -1.0 / kKaplanAlphaC) * kFlopsPerPetaflopDay;
}

double KaplanTokensToAvoidOverfitting(double params) {
  return kKaplanOverfitCoefficient * std::pow(params, kKaplanOverfitExponent);
}

}  // namespace repsim
