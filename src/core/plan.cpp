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
#include <optional>
#include <string>
#include <vector>

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
    double x2 = up ? x1 + step : x1 - step;
    if (x2 > x_max || x2 < x_min) {
      // One last try at the bound itself, then give up.
      if (up ? x1 == x_max : x1 == x_min) {
        return std::nullopt;
      }
      x2 = up ? x_max : x_min;
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
    rows.back().extrapolation = Extrapolation(FittedDomain(LawPreset::kChinchilla2022), n, d, d);
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
    rows.back().extrapolation = Extrapolation(FittedDomain(law.preset), n, d, d);
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

ScaleRelation ScaleRelationOf(const Law& law) {
  if (law.form == LawForm::kKaplan) {
    return {std::string(ToString(law.preset)), AllocationExponents(law),
            "Kaplan et al. 2020 eq. 1.7: N ∝ C^0.73, D = B S ∝ C^0.24+0.03"};
  }
  return {std::string(ToString(law.preset)), AllocationExponents(law),
          fmt::format("Hoffmann et al. 2022 eq. 4: beta/(alpha+beta), alpha/(alpha+beta) "
                      "with alpha = {}, beta = {}",
                      law.alpha, law.beta)};
}

ScaleRelation Table3FitScaleRelation() {
  const PowerLaw fit = ChinchillaApproach1TokensForParams();
  return {"table3-approach1-fit", AllocationExponents(fit),
          fmt::format("Hoffmann et al. 2022 Table 3 fitted as D = {:.4g} N^{:.5f} "
                      "(repsim plan table)",
                      fit.coefficient, fit.exponent)};
}

std::vector<ScaleRelation> AllScaleRelations() {
  std::vector<ScaleRelation> out = {ScaleRelationOf(MakeLaw(LawPreset::kKaplan2020))};
  for (LawPreset preset : AllLawPresets()) {
    if (preset != LawPreset::kKaplan2020) out.push_back(ScaleRelationOf(MakeLaw(preset)));
  }
  out.push_back(Table3FitScaleRelation());
  return out;
}

Expected<ScaleRow> ScaleBy(const ScaleRelation& relation, double compute_factor) {
  Expected<ScaleResult> r = Scale(relation.exponents, compute_factor);
  if (!r) return Error{r.error()};
  return ScaleRow{relation, *r};
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
  // The bounded-height shape (ratio2026): L = L_M + H (1 - e^-z), so
  // dL = dL_M + H e^-z z dlog z.
  // With the early term z = z1 + z2, z2 = e^w2 (N'/1e9)^a2 (U/1e9)^-c2 (e^k2 - 1)
  // (e = D/U epochs): dz = z1 dlog z1 + z2 a2 dlog N' + k2 e^k2 (z2 / (e^k2 - 1)) dlog D.
  const bool height = law.overfit_height > 0;
  if (z > 0 && (height || lm < law.loss_cap)) {
    const double ez = std::exp(-z);
    const double scale = (height ? law.overfit_height : law.loss_cap - lm) * ez;
    const double keep = height ? 1.0 : ez;
    const double z2 = EarlyOverfitExponent(law, n_eff, seen, rd);
    const double z1 = z - z2;
    const double dz2_dlogd = z2 > 0 ? law.overfit_k2 * std::pow(d / u, law.overfit_k2) * z2 /
                                          std::expm1(law.overfit_k2 * std::log(d / u))
                                    : 0.0;
    const double dz_dlogn = (z1 * law.overfit_a + z2 * law.overfit_a2) * dlogneff_dlogn;
    const double dz_dlogd = z1 * (law.overfit_a * dlogneff_dlogd + law.overfit_k * (d / u) / rd) +
                            z2 * law.overfit_a2 * dlogneff_dlogd + dz2_dlogd;
    dl_dlogn = keep * dl_dlogn + scale * dz_dlogn;
    dl_dlogd = keep * dl_dlogd + scale * dz_dlogd;
  }
  return dl_dlogn - dl_dlogd;
}

bool LossCanRiseWithCompute(const Law& law) { return law.overfit; }

std::string ImplausiblePlan(const Law& law, const PlanPoint& p) {
  const double un = ComputeOptimalParamsForTokens(law, p.unique_tokens);
  if (!(std::isfinite(p.loss) && std::isfinite(p.params) && std::isfinite(p.tokens))) {
    return "its loss is not finite";
  }
  // The limits hold with a last-bit margin: the corner of the plausible box
  // (PlausibleComputeMax) is computed, not typed.
  constexpr double kEdge = 1.0 + 1e-12;
  if (p.params > kMaxParamsOverComputeOptimalForU * un * kEdge) {
    return fmt::format(
        "{:.3g} parameters is {:.3g}x the size compute-optimal for U ({:.3g}); "
        "at most {:g}x is planned",
        p.params, p.params / un, un, kMaxParamsOverComputeOptimalForU);
  }
  if (p.epochs > kMaxPlanEpochs * kEdge) {
    return fmt::format("{:.3g} epochs is more than {:g}", p.epochs, kMaxPlanEpochs);
  }
  // Saturated through overfitting (repeated data; a loss near a cap on fresh
  // data is a tiny model, not a saturated penalty): the term can add no more.
  if (law.overfit && p.epochs > 1) {
    const double seen = std::min(p.tokens, p.unique_tokens);
    const double z =
        OverfitExponent(law, EffectiveParams(law, p.params, seen, law.rn_star), seen, p.epochs - 1);
    if (OverfitRoom(law, p.loss, z) <= kCapMargin) {
      return fmt::format(
          "its loss {:.6g} is within {:g} nats of the most the law's overfitting term allows: "
          "the penalty has saturated",
          p.loss, kCapMargin);
    }
  }
  return {};
}

namespace {

// The lowest loss on the iso-FLOP line 6 N D = flops among plausible N.
struct LineBest {
  double params = 0;
  double loss = 0;
};

// AllocateCompute's search on one line (plan.h): scan, widen, Brent, inside
// the plausible range of N (ImplausiblePlan's size and epoch limits). Empty
// when no N on the line is plausible.
std::optional<LineBest> BestOnLine(const Law& law, double flops, double u) {
  // Search in t = log(N / N_opt(C)), so that Brent's relative-plus-absolute
  // tolerance acts on a number near zero.
  const Allocation fresh = ComputeOptimal(law, flops);
  auto params_at = [&](double t) { return fresh.params * std::exp(t); };
  auto loss_at = [&](double t) {
    const double n = params_at(t);
    return DataConstrainedLoss(law, n, flops / (kFlopsPerParamToken * n), u);
  };
  const double un = ComputeOptimalParamsForTokens(law, u);
  // Plausible: N <= kMax U_N, and D = C / (6 N) <= kMaxPlanEpochs U.
  const double t_max = std::log(kMaxParamsOverComputeOptimalForU * un / fresh.params);
  const double t_min = std::log(flops / (kFlopsPerParamToken * kMaxPlanEpochs * u) / fresh.params);
  if (!(t_min <= t_max)) return std::nullopt;

  // Bracket: scan log N around both anchors, widening while the lowest point is
  // at an end of the scan (and not at an end of the plausible range).
  const double ln10 = std::log(10.0);
  const double t_u = std::log(un / fresh.params);
  double lo = std::min(0.0, t_u) - kScanHalfWidthDecades * ln10;
  double hi = std::max(0.0, t_u) + kScanHalfWidthDecades * ln10;
  lo = std::max(lo, t_min);
  hi = std::min(hi, t_max);
  if (!(lo < hi)) {  // both anchors beyond one end: scan what is plausible
    lo = t_min;
    hi = t_max;
  }
  if (!(lo < hi)) {  // a single plausible point
    return LineBest{params_at(lo), loss_at(lo)};
  }
  const double step = ln10 / kScanPointsPerDecade;
  double a = lo, b = hi;
  for (int widenings = 0;; ++widenings) {
    const int points = std::max(static_cast<int>(std::ceil((hi - lo) / step)) + 1, 2);
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
    if (widenings < kScanMaxWidenings && best == 0 && lo > t_min) {
      lo = std::max(lo - kScanWidenDecades * ln10, t_min);
      continue;
    }
    if (widenings < kScanMaxWidenings && best == points - 1 && hi < t_max) {
      hi = std::min(hi + kScanWidenDecades * ln10, t_max);
      continue;
    }
    a = lo + std::max(best - 1, 0) * h;
    b = lo + std::min(best + 1, points - 1) * h;
    break;
  }
  std::uintmax_t iters = kMaxIterations;
  const auto [t_best, loss_best] =
      boost::math::tools::brent_find_minima(loss_at, a, b, kBrentBits, iters);
  (void)loss_best;
  const double n = params_at(t_best);
  return LineBest{n, DataConstrainedLoss(law, n, flops / (kFlopsPerParamToken * n), u)};
}

// The plausible line minimum at `flops` as a plan point, or empty.
std::optional<PlanPoint> PlausibleOnLine(const Law& law, double flops, double u) {
  const std::optional<LineBest> line = BestOnLine(law, flops, u);
  if (!line) return std::nullopt;
  PlanPoint p =
      EvaluatePlanPoint(law, line->params, flops / (kFlopsPerParamToken * line->params), u);
  if (!ImplausiblePlan(law, p).empty()) return std::nullopt;
  return p;
}

// The largest compute with a plausible plan on U: the corner N = kMax U_N,
// D = kMaxPlanEpochs U of the plausible box.
double PlausibleComputeMax(const Law& law, double u) {
  return kFlopsPerParamToken * kMaxParamsOverComputeOptimalForU *
         ComputeOptimalParamsForTokens(law, u) * kMaxPlanEpochs * u;
}

// Two losses closer than this are a tie, which goes to the larger budget (a
// plan is only cut short for a real gain; noise of the line search is ~1e-15).
constexpr double kLossTieNats = 1e-12;

struct BudgetBest {
  PlanPoint point;
  BudgetLimit limit = BudgetLimit::kNone;
};

// The best plausible plan with 6 N D <= flops (plan.h AllocateCompute).
std::optional<BudgetBest> BestWithinBudget(const Law& law, double flops, double u) {
  const std::optional<PlanPoint> at_budget = PlausibleOnLine(law, flops, u);
  if (!LossCanRiseWithCompute(law)) {
    // The loss never rises with N or D: the best plan spends all it can.
    if (at_budget) return BudgetBest{*at_budget, BudgetLimit::kNone};
    const double c_max = PlausibleComputeMax(law, u);
    if (!(c_max < flops)) return std::nullopt;
    // The line at c_max holds one plausible point: the box's corner.
    const PlanPoint corner = EvaluatePlanPoint(
        law, kMaxParamsOverComputeOptimalForU * ComputeOptimalParamsForTokens(law, u),
        kMaxPlanEpochs * u, u);
    if (!ImplausiblePlan(law, corner).empty()) return std::nullopt;
    return BudgetBest{corner, BudgetLimit::kImplausible};
  }
  // The loss along the budget's edge, as a function of log C (+inf: nothing plausible).
  auto g = [&](double log_c) {
    const std::optional<PlanPoint> p = PlausibleOnLine(law, std::exp(log_c), u);
    return p ? p->loss : std::numeric_limits<double>::infinity();
  };
  const double ln10 = std::log(10.0);
  const double log_c = std::log(flops);
  // Grid at fixed positions (k / kBudgetGridPerDecade decades), so that a
  // larger budget sees every grid point a smaller one saw.
  const auto k_hi = static_cast<long>(std::floor(std::log10(flops) * kBudgetGridPerDecade));
  const auto k_lo =
      static_cast<long>(std::ceil((std::log10(flops) - kBudgetGridDecades) * kBudgetGridPerDecade));
  std::vector<double> xs, gs;
  for (long k = k_lo; k <= k_hi; ++k) {
    const double x = static_cast<double>(k) / kBudgetGridPerDecade * ln10;
    if (x >= log_c) break;
    xs.push_back(x);
    gs.push_back(g(x));
  }
  xs.push_back(log_c);
  gs.push_back(at_budget ? at_budget->loss : std::numeric_limits<double>::infinity());
  size_t best = xs.size() - 1;
  for (size_t i = 0; i + 1 < xs.size(); ++i) {
    if (gs[i] < gs[best] - kLossTieNats) best = i;
  }
  if (!std::isfinite(gs[best])) return std::nullopt;
  // Refine between the grid neighbours of the best point.
  const double a = xs[best > 0 ? best - 1 : 0];
  const double b = xs[std::min(best + 1, xs.size() - 1)];
  double x_best = xs[best], g_best = gs[best];
  if (a < b) {
    std::uintmax_t iters = kMaxIterations;
    const auto [x_r, g_r] = boost::math::tools::brent_find_minima(g, a, b, kBrentBits, iters);
    if (g_r < g_best - kLossTieNats) {
      x_best = x_r;
      g_best = g_r;
    }
  }
  if (x_best == log_c) return BudgetBest{*at_budget, BudgetLimit::kNone};
  const std::optional<PlanPoint> p = PlausibleOnLine(law, std::exp(x_best), u);
  if (!p) return std::nullopt;
  // Nothing plausible at the budget itself (no N on its line): the box ends;
  // else the loss on the budget's edge is higher (or at the cap).
  const bool line_empty = !BestOnLine(law, flops, u).has_value();
  return BudgetBest{*p, line_empty ? BudgetLimit::kImplausible : BudgetLimit::kLossRises};
}

// The best plan on U with unlimited compute (the floor of a law with an
// overfitting term): the best within the largest plausible budget.
std::optional<PlanPoint> BestPlanOnU(const Law& law, double u) {
  const std::optional<BudgetBest> b = BestWithinBudget(law, PlausibleComputeMax(law, u), u);
  if (!b) return std::nullopt;
  return b->point;
}

// The x in [lo, hi] minimising f: a scan of kScanPointsPerDecade points per
// decade (x in natural log units), then Brent's method between the best
// point's neighbours.
template <class F>
double ScanMinimum(F f, double lo, double hi) {
  const double step = std::log(10.0) / kScanPointsPerDecade;
  const int points = std::max(static_cast<int>(std::ceil((hi - lo) / step)) + 1, 2);
  const double h = (hi - lo) / (points - 1);
  int best = 0;
  double best_f = std::numeric_limits<double>::infinity();
  for (int i = 0; i < points; ++i) {
    const double v = f(lo + i * h);
    if (v < best_f) {
      best_f = v;
      best = i;
    }
  }
  const double a = lo + std::max(best - 1, 0) * h;
  const double b = lo + std::min(best + 1, points - 1) * h;
  std::uintmax_t iters = kMaxIterations;
  const auto [x, fx] = boost::math::tools::brent_find_minima(f, a, b, kBrentBits, iters);
  return fx <= best_f ? x : lo + best * h;
}

// Whether (n, d) on U is the best plan for its own budget 6 n d: AllocateCompute's
// optimum has the same n (kBestSizeRelTol) and spends the whole budget.
bool IsBestForItsBudget(const Law& law, double n, double d, double u) {
  const std::optional<BudgetBest> b = BestWithinBudget(law, kFlopsPerParamToken * n * d, u);
  return b && b->limit == BudgetLimit::kNone &&
         std::fabs(b->point.params / n - 1.0) < kBestSizeRelTol;
}

std::string Short3(double v) { return fmt::format("{:.3g}", v); }

}  // namespace

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
  const std::optional<BudgetBest> best = BestWithinBudget(law, flops, u);
  if (!best) {
    return Error{fmt::format(
        "compute = {:.4g}, unique tokens = {:.4g}: no plausible plan within the budget (every "
        "plan has a model more than {:g}x the size compute-optimal for U, more than {:g} "
        "epochs, or a saturated overfitting penalty)",
        flops, u, kMaxParamsOverComputeOptimalForU, kMaxPlanEpochs)};
  }
  DataConstrainedPlan plan;
  plan.optimum = best->point;
  plan.budget = flops;
  plan.limit = best->limit;
  plan.unused_flops = best->limit == BudgetLimit::kNone ? 0.0 : flops - best->point.flops;
  const Allocation fresh = ComputeOptimal(law, flops);
  plan.compute_optimal = EvaluatePlanPoint(law, fresh.params, fresh.tokens, u);
  // A plan that spends the budget says the budget: 6 N (C / 6N) rounds to
  // 1.0000000000000001e+24 for C = 1e24, a number nobody typed.
  if (best->limit == BudgetLimit::kNone) plan.optimum.flops = flops;
  plan.compute_optimal.flops = flops;
  if (LossCanRiseWithCompute(law)) {
    const std::optional<PlanPoint> floor = BestPlanOnU(law, u);
    plan.loss_floor = floor ? std::min(floor->loss, plan.optimum.loss) : plan.optimum.loss;
  } else {
    // N -> inf with U seen: N' -> U_N (1 + R_N*); D -> inf: D' -> U (1 + R_D*).
    plan.loss_floor = Loss(law, ComputeOptimalParamsForTokens(law, u) * (1.0 + law.rn_star),
                           u * (1.0 + law.rd_star));
  }
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
  const bool rises = LossCanRiseWithCompute(law);
  // The largest D worth searching: the plausible epochs, and with an
  // overfitting term the budget of the best plan on U (no larger budget has
  // a better plan, so no N is its best size beyond it).
  double d_max = kMaxPlanEpochs * u;
  std::optional<PlanPoint> best_on_u;
  if (rises) {
    best_on_u = BestPlanOnU(law, u);
    if (best_on_u) d_max = std::min(d_max, best_on_u->flops / (kFlopsPerParamToken * n));
  }
  // N trained for its best token count (the floor with an overfitting term).
  PlanPoint n_best_d;
  if (rises) {
    auto loss_at = [&](double log_d) { return DataConstrainedLoss(law, n, std::exp(log_d), u); };
    const double log_d = ScanMinimum(loss_at, std::log(u), std::log(kMaxPlanEpochs * u));
    n_best_d = EvaluatePlanPoint(law, n, std::exp(log_d), u);
  }
  auto none = [&](const std::string& why) {
    std::string msg = fmt::format(
        "params = {}, unique tokens = {}: no token count makes this model the best use of its "
        "compute on U: {}",
        Short3(n), Short3(u), why);
    if (rises) {
      msg += fmt::format(
          "; trained for its lowest loss this model needs D = {} tokens ({} epochs, loss {:.6g})",
          Short3(n_best_d.tokens), Short3(n_best_d.epochs), n_best_d.loss);
    }
    return Error{msg};
  };
  if (rises && best_on_u && n > best_on_u->params * (1.0 + kBestSizeRelTol)) {
    return none(fmt::format(
        "the best plan on U with unlimited compute is a {}-parameter model on {} tokens ({} "
        "FLOPs, loss {:.6g}); more compute does not lower the loss beyond it, so a larger "
        "model is the best size for no budget",
        Short3(best_on_u->params), Short3(best_on_u->tokens), Short3(best_on_u->flops),
        best_on_u->loss));
  }
  // The slope falls with D: more tokens are worth less and less.
  auto f = [&](double log_d) { return IsoFlopSlope(law, n, std::exp(log_d), u); };
  const double x_max = std::min(kMaxLogTokens, std::log(d_max));
  const std::optional<double> log_d =
      MonotoneRoot(f, std::min(std::log(d_fresh), x_max), std::log(10.0), kMinLogSize, x_max,
                   /*increasing=*/false);
  if (!log_d) {
    return none(fmt::format("no token count up to {} ({:g} epochs{}) makes it compute-optimal",
                            Short3(d_max), d_max / u,
                            rises ? ", the budget of the best plan on U" : ""));
  }
  const double d = std::exp(*log_d);
  DataConstrainedPlan plan;
  plan.optimum = EvaluatePlanPoint(law, n, d, u);
  if (const std::string why = ImplausiblePlan(law, plan.optimum); !why.empty()) {
    return none(fmt::format("at D = {} the plan is implausible: {}", Short3(d), why));
  }
  if (!IsBestForItsBudget(law, n, d, u)) {
    return none(fmt::format(
        "at D = {} the loss is stationary along the budget's edge but another plan within "
        "its {} FLOPs is better",
        Short3(d), Short3(plan.optimum.flops)));
  }
  plan.compute_optimal = EvaluatePlanPoint(law, n, d_fresh, u);
  plan.budget = plan.optimum.flops;
  if (rises) {
    plan.loss_floor = std::min(n_best_d.loss, plan.optimum.loss);
  } else {
    // D -> inf with N fixed: U seen, D' -> U (1 + R_D*).
    plan.loss_floor = Loss(law, EffectiveParams(law, n, u, law.rn_star), u * (1.0 + law.rd_star));
  }
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
  const double un = ComputeOptimalParamsForTokens(law, u);
  const bool rises = LossCanRiseWithCompute(law);
  double n_max = kMaxParamsOverComputeOptimalForU * un;
  std::optional<PlanPoint> best_on_u;
  if (rises) {
    best_on_u = BestPlanOnU(law, u);
    if (best_on_u) n_max = std::min(n_max, best_on_u->flops / (kFlopsPerParamToken * d));
  }
  auto none = [&](const std::string& why) {
    return Error{fmt::format(
        "tokens = {}, unique tokens = {}: no model size makes this token count the best use of "
        "its compute on U: {}",
        Short3(d), Short3(u), why)};
  };
  if (d / u > kMaxPlanEpochs) {
    return none(fmt::format("{:.3g} epochs is more than {:g}", d / u, kMaxPlanEpochs));
  }
  if (rises && best_on_u && d > best_on_u->tokens * (1.0 + kBestSizeRelTol)) {
    return none(fmt::format(
        "the best plan on U with unlimited compute trains a {}-parameter model on {} tokens "
        "({:.3g} epochs, {} FLOPs, loss {:.6g}); more tokens than that are the best count for "
        "no budget",
        Short3(best_on_u->params), Short3(best_on_u->tokens), best_on_u->epochs,
        Short3(best_on_u->flops), best_on_u->loss));
  }
  // The slope rises with N: more parameters are worth less and less.
  auto f = [&](double log_n) { return IsoFlopSlope(law, std::exp(log_n), d, u); };
  const double x_max = std::min(kMaxLogTokens, std::log(n_max));
  const std::optional<double> log_n =
      MonotoneRoot(f, std::min(std::log(n_fresh), x_max), std::log(10.0), kMinLogSize, x_max,
                   /*increasing=*/true);
  if (!log_n) {
    return none(fmt::format(
        "no model size up to {} parameters makes it compute-optimal (at {:.3g} epochs more "
        "tokens no longer pay)",
        Short3(n_max), d / u));
  }
  const double n = std::exp(*log_n);
  DataConstrainedPlan plan;
  plan.optimum = EvaluatePlanPoint(law, n, d, u);
  if (const std::string why = ImplausiblePlan(law, plan.optimum); !why.empty()) {
    return none(fmt::format("at N = {} the plan is implausible: {}", Short3(n), why));
  }
  if (!IsBestForItsBudget(law, n, d, u)) {
    return none(fmt::format(
        "at N = {} the loss is stationary along the budget's edge but another plan within its "
        "{} FLOPs is better",
        Short3(n), Short3(plan.optimum.flops)));
  }
  plan.compute_optimal = EvaluatePlanPoint(law, n_fresh, d, u);
  plan.budget = plan.optimum.flops;
  if (rises) {
    // D with the best model for it, over the plausible sizes.
    auto loss_at = [&](double log_n) { return DataConstrainedLoss(law, std::exp(log_n), d, u); };
    const double log_best = ScanMinimum(loss_at, std::log(un) - 3.0 * std::log(10.0),
                                        std::log(kMaxParamsOverComputeOptimalForU * un));
    plan.loss_floor =
        std::min(DataConstrainedLoss(law, std::exp(log_best), d, u), plan.optimum.loss);
  } else {
    // N -> inf with D fixed: N' -> U_N (1 + R_N*) for the min(D, U) unique tokens seen.
    plan.loss_floor =
        Loss(law, ComputeOptimalParamsForTokens(law, std::min(d, u)) * (1.0 + law.rn_star),
             EffectiveTokensClosedForm(d, u, law.rd_star));
  }
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
