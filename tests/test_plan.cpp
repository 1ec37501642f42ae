// The planners of include/repsim/plan.h. Reference values are typed in from the
// papers (Hoffmann et al. 2022 Tables 2 and 3, Kaplan et al. 2020, the preset
// constants of MODEL.md §1) or derived independently here from closed forms;
// none is pasted from the code's output.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "repsim/engine.h"
#include "repsim/law.h"
#include "repsim/plan.h"

using namespace repsim;

namespace {

// Hoffmann et al. 2022, Table 3, typed in from the paper: parameters, FLOPs,
// FLOPs in Gopher units, tokens.
struct PublishedRow {
  double params, flops, gopher_units, tokens;
};
constexpr PublishedRow kTable3[] = {
    {400e6, 1.92e19, 1.0 / 29968, 8.0e9}, {1e9, 1.21e20, 1.0 / 4761, 20.2e9},
    {10e9, 1.23e22, 1.0 / 46, 205.1e9},   {67e9, 5.76e23, 1.0, 1.5e12},
    {175e9, 3.85e24, 6.7, 3.7e12},        {280e9, 9.90e24, 17.2, 5.9e12},
    {520e9, 3.43e25, 59.5, 11.0e12},      {1e12, 1.27e26, 221.3, 21.2e12},
    {10e12, 1.30e28, 22515.9, 216.2e12},
};
// Issue 5: every row within 3 %, but the 67B row, which the paper rounds to
// Gopher's budget, within 10 %.
constexpr double kTableRelTol = 0.03;
constexpr double kGopherRowRelTol = 0.10;

constexpr double kClosedFormRelTol = 1e-12;  // only rounding separates the two sides
// The 1-D minimiser resolves log N to ~1e-8, but the loss is flat at its
// minimum, which limits the location to ~1e-7 relative; the issue asks 1e-6.
constexpr double kOptimumRelTol = 1e-6;
// Two numerical solutions of the same condition (Brent on the loss, a root of
// its finite-difference slope) agree to about the minimiser's resolution.
constexpr double kCrossCheckRelTol = 1e-5;

double RelDiff(double a, double b) { return std::fabs(a / b - 1.0); }

// Chinchilla-form compute-optimal D for N and N for D, derived by hand from the
// first-order condition alpha A N^-alpha = beta B D^-beta (Hoffmann et al. 2022 §3.3).
double FreshTokensForParams(double a, double b, double alpha, double beta, double n) {
  return std::pow(beta * b / (alpha * a) * std::pow(n, alpha), 1.0 / beta);
}
double FreshParamsForTokens(double a, double b, double alpha, double beta, double d) {
  return std::pow(alpha * a / (beta * b) * std::pow(d, beta), 1.0 / alpha);
}

// The loss on the iso-FLOP line 6 N D = c.
double IsoFlopLoss(const Law& law, double n, double c, double u) {
  return DataConstrainedLoss(law, n, c / (6.0 * n), u);
}

}  // namespace

// --- The compute-optimal table -------------------------------------------------

TEST_CASE("the table code holds Table 3 as published", "[plan]") {
  const auto rows = ChinchillaTable3();
  REQUIRE(rows.size() == std::size(kTable3));
  for (size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].params == kTable3[i].params);
    CHECK(rows[i].flops == kTable3[i].flops);
    CHECK(rows[i].tokens == kTable3[i].tokens);
  }
}

TEST_CASE("approach-1 table agrees with Hoffmann et al. 2022 Table 3", "[plan]") {
  std::vector<double> params;
  for (const PublishedRow& r : kTable3) {
    params.push_back(r.params);
  }
  const auto rows = ComputeOptimalTable(params);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == std::size(kTable3));
  for (size_t i = 0; i < rows->size(); ++i) {
    const PlanTableRow& row = (*rows)[i];
    const PublishedRow& pub = kTable3[i];
    INFO("params = " << pub.params);
    const double tol = pub.params == 67e9 ? kGopherRowRelTol : kTableRelTol;
    CHECK(row.params == pub.params);
    CHECK(RelDiff(row.tokens, pub.tokens) < tol);
    CHECK(RelDiff(row.flops, pub.flops) < tol);
    CHECK(RelDiff(row.gopher_units, pub.gopher_units) < tol);
    // FLOPs = 6 N D and Gopher units of 5.76e23 FLOPs, by definition.
    CHECK(row.flops == Approx(6.0 * pub.params * row.tokens).epsilon(kClosedFormRelTol));
    CHECK(row.gopher_units == Approx(row.flops / 5.76e23).epsilon(kClosedFormRelTol));
    // The deviations reported beside each row are what they say.
    REQUIRE(row.published.has_value());
    CHECK(row.tokens_deviation == Approx(row.tokens / pub.tokens - 1.0).margin(1e-15));
    CHECK(row.flops_deviation == Approx(row.flops / pub.flops - 1.0).margin(1e-15));
  }
}

TEST_CASE("approach-1 fit lies within Hoffmann et al.'s approach-1 intervals", "[plan]") {
  // Hoffmann et al. 2022 Table 2, approach 1: N_opt ∝ C^a, a = 0.50 (0.488, 0.502);
  // D_opt ∝ C^b, b = 0.50 (0.501, 0.512).
  const ScalingExponents e = AllocationExponents(ChinchillaApproach1TokensForParams());
  CHECK(e.params > 0.488);
  CHECK(e.params < 0.502);
  CHECK(e.tokens > 0.501);
  CHECK(e.tokens < 0.512);
  CHECK(e.params + e.tokens == Approx(1.0).epsilon(kClosedFormRelTol));
  // About 20 tokens per parameter, the paper's rule of thumb.
  CHECK(ChinchillaApproach1TokensForParams()(1e9) / 1e9 == Approx(20.0).epsilon(0.05));
}

TEST_CASE("sizes not in Table 3 carry no published row", "[plan]") {
  const std::vector<double> params = {7e9, 70e9};
  const auto rows = ComputeOptimalTable(params);
  REQUIRE(rows.ok());
  for (const PlanTableRow& r : *rows) {
    CHECK_FALSE(r.published.has_value());
  }
}

TEST_CASE("FitPowerLaw recovers an exact power law and rejects bad data", "[plan]") {
  const std::vector<double> x = {1.0, 10.0, 100.0, 1e4};
  std::vector<double> y;
  y.reserve(x.size());
  for (double v : x) {
    y.push_back(3.0 * std::pow(v, 0.7));
  }
  const auto fit = FitPowerLaw(x, y);
  REQUIRE(fit.ok());
  CHECK(fit->coefficient == Approx(3.0).epsilon(1e-12));
  CHECK(fit->exponent == Approx(0.7).epsilon(1e-12));

  CHECK_FALSE(FitPowerLaw(std::vector<double>{1.0}, std::vector<double>{1.0}).ok());
  CHECK_FALSE(FitPowerLaw(std::vector<double>{1.0, 2.0}, std::vector<double>{1.0}).ok());
  CHECK_FALSE(FitPowerLaw(std::vector<double>{2.0, 2.0}, std::vector<double>{1.0, 3.0}).ok());
  CHECK_FALSE(FitPowerLaw(std::vector<double>{1.0, -2.0}, std::vector<double>{1.0, 3.0}).ok());
  CHECK_FALSE(FitPowerLaw(std::vector<double>{1.0, NAN}, std::vector<double>{1.0, 3.0}).ok());
}

TEST_CASE("table under a preset is that preset's compute-optimal allocation", "[plan]") {
  // chinchilla2022 constants typed from Hoffmann et al. 2022 eq. 10.
  const double a = 406.4, b = 410.7, alpha = 0.34, beta = 0.28;
  const Law law = MakeLaw(LawPreset::kChinchilla2022);
  const std::vector<double> params = {1e9, 67e9, 1e12};
  const auto rows = ComputeOptimalTable(law, params);
  REQUIRE(rows.ok());
  for (const PlanTableRow& r : *rows) {
    INFO("params = " << r.params);
    CHECK(r.tokens == Approx(FreshTokensForParams(a, b, alpha, beta, r.params)).epsilon(1e-10));
    const Allocation opt = ComputeOptimal(law, r.flops);
    CHECK(opt.params == Approx(r.params).epsilon(1e-10));
    CHECK(opt.tokens == Approx(r.tokens).epsilon(1e-10));
  }
  // Kaplan form: the closed form of law.h's own first-order condition, inverted.
  const Law kaplan = MakeLaw(LawPreset::kKaplan2020);
  for (double n : {1e8, 1e10}) {
    const double d = ComputeOptimalTokensForParams(kaplan, n);
    CHECK(ComputeOptimalParamsForTokens(kaplan, d) == Approx(n).epsilon(1e-10));
  }
  CHECK_FALSE(ComputeOptimalTable(law, std::vector<double>{1e9, -1.0}).ok());
  CHECK_FALSE(ComputeOptimalTable(std::vector<double>{0.0}).ok());
}

// --- Scaling --------------------------------------------------------------------

TEST_CASE("Kaplan: 10x compute gives 10^0.73 x params and 10^0.27 x tokens", "[plan]") {
  // Kaplan et al. 2020 eq. 1.7: N ∝ C^0.73, D = B S ∝ C^(0.24 + 0.03).
  const auto s = Scale(AllocationExponents(MakeLaw(LawPreset::kKaplan2020)), 10.0);
  REQUIRE(s.ok());
  CHECK(s->params_factor == Approx(std::pow(10.0, 0.73)).epsilon(kClosedFormRelTol));
  CHECK(s->tokens_factor == Approx(std::pow(10.0, 0.24 + 0.03)).epsilon(kClosedFormRelTol));
  // MODEL.md rounds these to 5.5x and 1.8x.
  CHECK(s->params_factor == Approx(5.5).epsilon(0.03));
  CHECK(s->tokens_factor == Approx(1.8).epsilon(0.04));
}

TEST_CASE("Chinchilla form: exponents beta/(alpha+beta) and alpha/(alpha+beta)", "[plan]") {
  struct Case {
    LawPreset preset;
    double alpha, beta;  // typed from MODEL.md §1
  };
  for (const Case& c : {Case{LawPreset::kChinchilla2022, 0.34, 0.28},
                        Case{LawPreset::kBesiroglu2024, 0.34781, 0.36585},
                        Case{LawPreset::kMuennighoff2023, 0.3526596, 0.3526596}}) {
    INFO(ToString(c.preset));
    const ScalingExponents e = AllocationExponents(MakeLaw(c.preset));
    CHECK(e.params == Approx(c.beta / (c.alpha + c.beta)).epsilon(kClosedFormRelTol));
    CHECK(e.tokens == Approx(c.alpha / (c.alpha + c.beta)).epsilon(kClosedFormRelTol));
  }
  // Hoffmann et al. 2022 Table 2, approach 3: a = 0.46, b = 0.54.
  const ScalingExponents chin = AllocationExponents(MakeLaw(LawPreset::kChinchilla2022));
  CHECK(chin.params == Approx(0.46).margin(0.01));
  CHECK(chin.tokens == Approx(0.54).margin(0.01));
  // alpha = beta: 10x compute -> sqrt(10) ≈ 3.2x each.
  const auto s = Scale(AllocationExponents(MakeLaw(LawPreset::kMuennighoff2023)), 10.0);
  REQUIRE(s.ok());
  CHECK(s->params_factor == Approx(std::sqrt(10.0)).epsilon(kClosedFormRelTol));
  CHECK(s->tokens_factor == Approx(std::sqrt(10.0)).epsilon(kClosedFormRelTol));
}

TEST_CASE("Scale rejects a factor that is not finite and > 0", "[plan]") {
  const ScalingExponents e{0.5, 0.5};
  for (double k : {0.0, -10.0, std::nan(""), HUGE_VAL}) {
    const auto s = Scale(e, k);
    CHECK_FALSE(s.ok());
  }
  CHECK(Scale(e, 0.1).ok());
}

// --- Allocation with limited unique data ---------------------------------------

TEST_CASE("allocate with ample unique data returns the unconstrained optimum", "[plan]") {
  for (LawPreset preset : AllLawPresets()) {
    const Law law = MakeLaw(preset);
    for (double c : {1e18, 1e21, 1e24}) {
      INFO(ToString(preset) << ", C = " << c);
      const Allocation opt = ComputeOptimal(law, c);
      for (double u_over_d : {1.0001, 10.0}) {
        const auto plan = AllocateCompute(law, c, u_over_d * opt.tokens);
        REQUIRE(plan.ok());
        const PlanPoint& p = plan->optimum;
        CHECK(RelDiff(p.params, opt.params) < kOptimumRelTol);
        CHECK(RelDiff(p.tokens, opt.tokens) < kOptimumRelTol);
        CHECK(p.epochs <= 1.0);
        CHECK(p.flops == Approx(c).epsilon(kClosedFormRelTol));
        // With U >= D and N no larger than optimal the data-constrained law is
        // the plain law.
        CHECK(p.loss == Approx(Loss(law, opt.params, opt.tokens)).epsilon(1e-12));
        CHECK(plan->compute_optimal.params == opt.params);
        CHECK(plan->compute_optimal.tokens == opt.tokens);
      }
    }
  }
}

TEST_CASE("allocate with scarce data: smaller model, several epochs (Muennighoff)", "[plan]") {
  // Muennighoff et al. 2023 §5 / Figure 3: on the data-constrained efficient
  // frontier, compute goes to more epochs and fewer parameters than Chinchilla's.
  const Law law = MakeLaw(LawPreset::kMuennighoff2023);
  const double c = 1e22, u = 25e9;
  const auto plan = AllocateCompute(law, c, u);
  REQUIRE(plan.ok());
  const PlanPoint& best = plan->optimum;
  const PlanPoint& chin = plan->compute_optimal;
  CHECK(best.params < chin.params);
  CHECK(best.tokens > chin.tokens);
  CHECK(chin.epochs > 4.0);          // Chinchilla's D is already several epochs of U...
  CHECK(best.epochs > chin.epochs);  // ...and the data-constrained optimum repeats more
  CHECK(best.loss < chin.loss);
  CHECK(best.loss > best.fresh_loss);  // the data limit costs something
  CHECK(best.loss > plan->loss_floor);
  // The less unique data, the smaller the model relative to Chinchilla's.
  const auto scarcer = AllocateCompute(law, c, u / 10);
  REQUIRE(scarcer.ok());
  CHECK(scarcer->optimum.params / chin.params < best.params / chin.params);
  CHECK(scarcer->optimum.epochs > best.epochs);
}

TEST_CASE("allocate returns a minimum along the iso-FLOP line", "[plan]") {
  struct Case {
    LawPreset preset;
    double c, u;
  };
  for (const Case& k :
       {Case{LawPreset::kMuennighoff2023, 1e22, 25e9},
        Case{LawPreset::kMuennighoff2023, 1e20, 25e9},
        Case{LawPreset::kMuennighoff2023, 4e21, 25e9},
        Case{LawPreset::kMuennighoff2023, 1e24, 100e9},
        Case{LawPreset::kChinchilla2022, 1e22, 25e9}, Case{LawPreset::kBesiroglu2024, 1e23, 50e9},
        Case{LawPreset::kKaplan2020, 1e22, 25e9}}) {
    const Law law = MakeLaw(k.preset);
    INFO(ToString(k.preset) << ", C = " << k.c << ", U = " << k.u);
    const auto plan = AllocateCompute(law, k.c, k.u);
    REQUIRE(plan.ok());
    const double n = plan->optimum.params;
    const double l = IsoFlopLoss(law, n, k.c, k.u);
    CHECK(plan->optimum.loss == l);
    CHECK(IsoFlopLoss(law, n * (1 + 1e-3), k.c, k.u) > l);
    CHECK(IsoFlopLoss(law, n * (1 - 1e-3), k.c, k.u) > l);
    // No better point anywhere on a wide log grid either.
    for (double f = 1e-3; f <= 1e3; f *= 1.1) {
      CHECK(IsoFlopLoss(law, n * f, k.c, k.u) >= l);
    }
  }
}

TEST_CASE("the loss floor is the law's limit with U unique tokens", "[plan]") {
  // muennighoff2023, typed from MODEL.md §1-2: the floor is
  // L(U_N (1 + R_N*), U (1 + R_D*)), U_N from the first-order condition.
  const double e = std::exp(0.6254804), a = std::exp(6.255414), b = std::exp(7.3049974);
  const double alpha = 0.3526596, beta = 0.3526596, rd = 15.387756, rn = 5.309743;
  const double u = 25e9;
  const double un = FreshParamsForTokens(a, b, alpha, beta, u);
  const double floor = e + a * std::pow(un * (1 + rn), -alpha) + b * std::pow(u * (1 + rd), -beta);
  const Law law = MakeLaw(LawPreset::kMuennighoff2023);
  const auto plan = AllocateCompute(law, 1e22, u);
  REQUIRE(plan.ok());
  CHECK(plan->loss_floor == Approx(floor).epsilon(1e-10));
  // Far more compute than U can use: the optimum sits on the floor.
  const auto saturated = AllocateCompute(law, 1e30, u);
  REQUIRE(saturated.ok());
  CHECK(saturated->optimum.loss - saturated->loss_floor < kSaturatedLossGap);
  CHECK(saturated->optimum.loss >= saturated->loss_floor);
}

TEST_CASE("fixed model or token budget: the data-constrained frontier", "[plan]") {
  // muennighoff2023 constants typed from MODEL.md §1.
  const double a = std::exp(6.255414), b = std::exp(7.3049974), alpha = 0.3526596, beta = 0.3526596;
  const Law law = MakeLaw(LawPreset::kMuennighoff2023);

  SECTION("with ample data they are Chinchilla's D for N and N for D") {
    const double n = 7e9;
    const double d_expected = FreshTokensForParams(a, b, alpha, beta, n);
    const auto for_n = BestTokensForParams(law, n, 10 * d_expected);
    REQUIRE(for_n.ok());
    CHECK(RelDiff(for_n->optimum.tokens, d_expected) < kOptimumRelTol);
    CHECK(for_n->optimum.params == n);

    const double d = 1e12;
    const double n_expected = FreshParamsForTokens(a, b, alpha, beta, d);
    const auto for_d = BestParamsForTokens(law, d, 2 * d);
    REQUIRE(for_d.ok());
    CHECK(RelDiff(for_d->optimum.params, n_expected) < kOptimumRelTol);
    CHECK(for_d->optimum.tokens == d);
  }

  SECTION("with scarce data: more epochs for N, a smaller N for D") {
    const double n = 7e9, u = 25e9;
    const auto for_n = BestTokensForParams(law, n, u);
    REQUIRE(for_n.ok());
    CHECK(for_n->optimum.tokens > for_n->compute_optimal.tokens);
    CHECK(for_n->optimum.epochs > 1.0);
    CHECK(for_n->loss_floor < for_n->optimum.loss);
    // The same point is the iso-FLOP minimum at its compute.
    const auto at_c = AllocateCompute(law, for_n->optimum.flops, u);
    REQUIRE(at_c.ok());
    CHECK(RelDiff(at_c->optimum.params, n) < kCrossCheckRelTol);

    const double d = 1e12, u2 = 250e9;
    const auto for_d = BestParamsForTokens(law, d, u2);
    REQUIRE(for_d.ok());
    CHECK(for_d->optimum.params < for_d->compute_optimal.params);
    const auto at_c2 = AllocateCompute(law, for_d->optimum.flops, u2);
    REQUIRE(at_c2.ok());
    CHECK(RelDiff(at_c2->optimum.tokens, d) < kCrossCheckRelTol);
  }
}

TEST_CASE("IsoFlopSlope is the derivative of the loss along the iso-FLOP line", "[plan]") {
  // Away from the kinks of MODEL.md §2, a plain central difference of
  // DataConstrainedLoss along 6 N D = const checks the chain rule by hand.
  constexpr double kH = 1e-4;  // truncation ~1e-8, rounding ~1e-11 relative
  for (LawPreset preset : AllLawPresets()) {
    const Law law = MakeLaw(preset);
    struct Point {
      double n, d, u;
    };
    for (const Point& p : {Point{7e9, 150e9, 25e9},       // repeated data, excess params
                           Point{1e9, 1e10, 25e9},        // fresh data, model too large for D
                           Point{1e8, 1e11, 25e9},        // repeated data, small model
                           Point{7e10, 3.8e12, 25e9}}) {  // 150 epochs
      INFO(ToString(preset) << " at N = " << p.n << ", D = " << p.d);
      const double fd = (DataConstrainedLoss(law, p.n * std::exp(kH), p.d * std::exp(-kH), p.u) -
                         DataConstrainedLoss(law, p.n * std::exp(-kH), p.d * std::exp(kH), p.u)) /
                        (2 * kH);
      CHECK(IsoFlopSlope(law, p.n, p.d, p.u) == Approx(fd).epsilon(1e-5).margin(1e-10));
    }
  }
}

TEST_CASE("planners reject values that are not finite and > 0", "[plan]") {
  const Law law = MakeLaw(LawPreset::kMuennighoff2023);
  for (double bad : {0.0, -1e22, std::nan(""), HUGE_VAL}) {
    const auto c = AllocateCompute(law, bad, 25e9);
    REQUIRE_FALSE(c.ok());
    CHECK_THAT(c.error(), Catch::Contains("compute") && Catch::Contains("> 0"));
    const auto u = AllocateCompute(law, 1e22, bad);
    REQUIRE_FALSE(u.ok());
    CHECK_THAT(u.error(), Catch::Contains("unique tokens"));
    CHECK_FALSE(BestTokensForParams(law, bad, 25e9).ok());
    CHECK_FALSE(BestParamsForTokens(law, bad, 25e9).ok());
  }
  Law broken = law;
  broken.alpha = -1;
  CHECK_FALSE(AllocateCompute(broken, 1e22, 25e9).ok());
}

// --- Kaplan et al. 2020 -----------------------------------------------------------

TEST_CASE("Kaplan relations", "[plan]") {
  // Constants typed from Kaplan et al. 2020 (MODEL.md §1).
  const double b_star = 2.1e8, alpha_b = 0.21;
  const double n_c = 8.8e13, alpha_n = 0.076, d_c = 5.4e13, alpha_d = 0.095;
  const double s_c = 2.1e3, alpha_s = 0.76, c_c = 3.1e8 * 8.64e19, alpha_c = 0.050;

  for (double l : {1.5, 2.5, 4.0}) {
    CHECK(KaplanCriticalBatch(l) == Approx(b_star / std::pow(l, 1 / alpha_b)).epsilon(1e-12));
    CHECK(KaplanParamsForLoss(l) == Approx(n_c * std::pow(l, -1 / alpha_n)).epsilon(1e-12));
    CHECK(KaplanTokensForLoss(l) == Approx(d_c * std::pow(l, -1 / alpha_d)).epsilon(1e-12));
    CHECK(KaplanComputeForLoss(l) == Approx(c_c * std::pow(l, -1 / alpha_c)).epsilon(1e-12));
    // Inverses really are inverses.
    CHECK(KaplanLossForParams(KaplanParamsForLoss(l)) == Approx(l).epsilon(1e-12));
    CHECK(KaplanLossForCompute(KaplanComputeForLoss(l)) == Approx(l).epsilon(1e-12));
  }
  CHECK(KaplanCriticalBatch(1.0) == Approx(b_star).epsilon(1e-15));
  CHECK(KaplanLossForParams(n_c) == Approx(1.0).epsilon(1e-15));
  CHECK(KaplanLossForCompute(c_c) == Approx(1.0).epsilon(1e-12));
  // L(N, S): the steps term adds (S_c/S)^alpha_S and vanishes with many steps.
  CHECK(KaplanLossForParamsSteps(1e9, s_c) ==
        Approx(KaplanLossForParams(1e9) + 1.0).epsilon(1e-12));
  CHECK(KaplanLossForParamsSteps(1e9, 1e5) ==
        Approx(std::pow(n_c / 1e9, alpha_n) + std::pow(s_c / 1e5, alpha_s)).epsilon(1e-12));
  // eq. 4.4: D >~ 5e3 N^0.74.
  CHECK(KaplanTokensToAvoidOverfitting(1e9) == Approx(5e3 * std::pow(1e9, 0.74)).epsilon(1e-12));
}
