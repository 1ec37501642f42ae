// MODEL.md §3: the novelty-budget timeline, against closed forms derived by
// hand for each kind of segment, and mixtures against per-source closed forms.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "repsim/engine.h"

using namespace repsim;

namespace {

constexpr double kRdStar = 15.387756;
constexpr double kClosedRelTol = 1e-12;  // closed form vs closed form: rounding only
// The Gauss-Kronrod integration of ramps is asked for kIntegrateRelTol; allow
// a few times that for the sums around it.
constexpr double kNumericRelTol = 10 * kIntegrateRelTol;

Run BaseRun(double params, double unique, double epochs) {
  Run run;
  run.law = MakeLaw(LawPreset::kMuennighoff2023);
  run.params = params;
  run.active_params = params;
  run.sources = {DataSource{"data", unique, 1.0, 1.0}};
  run.tokens = unique * epochs;
  return run;
}

}  // namespace

TEST_CASE("no dropout: the timeline is the closed form at every trajectory point", "[timeline]") {
  const Run run = BaseRun(2.5e8, 134217728.0, 256);
  const auto traj = EvaluateTrajectory(run, 200);
  REQUIRE(traj.size() == 200);
  for (const TrajectoryPoint& p : traj) {
    INFO("epochs " << p.epochs);
    CHECK(p.effective_tokens ==
          Approx(EffectiveTokensClosedForm(p.tokens, 134217728.0, kRdStar)).epsilon(kClosedRelTol));
    CHECK(
        p.loss_repeated ==
        Approx(DataConstrainedLoss(run.law, 2.5e8, p.tokens, 134217728.0)).epsilon(kClosedRelTol));
    CHECK(p.marginal_value ==
          Approx(p.epochs <= 1 ? 1.0 : std::exp(-(p.epochs - 1) / kRdStar)).epsilon(kClosedRelTol));
    CHECK(p.dropout_rate == 0.0);
  }
  // Log-spaced in tokens, ending at the run itself.
  CHECK(traj.back().tokens == run.tokens);
  CHECK(traj.back().loss_repeated == Evaluate(run).loss_repeated);
  const double r0 = traj[1].tokens / traj[0].tokens, r1 = traj[100].tokens / traj[99].tokens;
  CHECK(r0 == Approx(r1).epsilon(1e-9));
}

TEST_CASE("dropout rate of each schedule", "[timeline]") {
  Dropout d{DropoutSchedule::kStep, 0.1, 4.0, 0.0};
  CHECK(DropoutRateAt(d, 3.99) == 0.0);
  CHECK(DropoutRateAt(d, 4.0) == 0.1);
  d = Dropout{DropoutSchedule::kLinear, 0.2, 2.0, 6.0};
  CHECK(DropoutRateAt(d, 1.0) == 0.0);
  CHECK(DropoutRateAt(d, 4.0) == Approx(0.1));
  CHECK(DropoutRateAt(d, 10.0) == 0.2);
  d = Dropout{DropoutSchedule::kEarly, 0.1, 0.0, 8.0};
  CHECK(DropoutRateAt(d, 7.9) == 0.1);
  CHECK(DropoutRateAt(d, 8.0) == 0.0);
  d = Dropout{DropoutSchedule::kConstant, 0.05, 0.0, 0.0};
  CHECK(DropoutRateAt(d, 123.0) == 0.05);
}

TEST_CASE("step dropout: two closed-form segments after the fresh epoch", "[timeline]") {
  Run run = BaseRun(1e9, 1e9, 64);
  run.dropout = Dropout{DropoutSchedule::kStep, 0.1, 4.0, 0.0};
  const double g = run.modifiers.g0 * std::pow(1e9 / 1e9, -run.modifiers.eta);
  const double q = 1.0 - run.modifiers.c_drop * 0.1;
  const double r1 = kRdStar * (1.0 + g * 0.1);
  // Epoch 1 fresh; epochs 1-4 decay with R_D*; then q and the stretched scale.
  const double expected = 1e9 * (1.0 + kRdStar * (1.0 - std::exp(-3.0 / kRdStar)) +
                                 q * std::exp(-3.0 / kRdStar) * r1 * (1.0 - std::exp(-60.0 / r1)));
  const Summary s = Evaluate(run);
  CHECK(s.effective_tokens == Approx(expected).epsilon(kClosedRelTol));
  CHECK(s.marginal_value_last ==
        Approx(q * std::exp(-3.0 / kRdStar - 60.0 / r1)).epsilon(kClosedRelTol));
  // ρ: D' over the same run's D' without dropout (MODEL.md §3), at least 1.
  const double plain = 1e9 * (1.0 + kRdStar * (1.0 - std::exp(-63.0 / kRdStar)));
  CHECK(s.dropout_data_gain == Approx(std::max(1.0, expected / plain)).epsilon(kClosedRelTol));
  // N' of §2 with U_N = min(N, N_opt(ρ U)) and the law's own R_N*.
  const double un =
      std::min(1e9, ComputeOptimalParamsForTokens(run.law, 1e9 * s.dropout_data_gain));
  const double rn = run.law.rn_star;
  const double n_eff = un + un * rn * (1.0 - std::exp(-(1e9 / un - 1.0) / rn));
  CHECK(s.dropout_data_gain > 1.0);
  CHECK(s.effective_params == Approx(n_eff).epsilon(kClosedRelTol));
}

TEST_CASE("linear ramp, c_drop = 0: numerical integral vs power-law closed form", "[timeline]") {
  // With q = 1 and p rising linearly at slope m from 0, R(x) = R0 (1 + g m (x - x0)),
  // so exp(-Λ) = (1 + a t)^(-κ) with a = g m, κ = 1 / (R0 g m), whose integral over
  // [0, h] is ((1 + a h)^(1-κ) - 1) / (a (1 - κ)).
  Run run = BaseRun(1e9, 1e9, 50);
  run.modifiers.c_drop = 0.0;
  run.dropout = Dropout{DropoutSchedule::kLinear, 0.2, 1.0, 50.0};
  const double g = run.modifiers.g0;
  const double m = 0.2 / 49.0;
  const double a = g * m, kappa = 1.0 / (kRdStar * a), h = 49.0;
  const double expected = 1e9 * (1.0 + (std::pow(1 + a * h, 1 - kappa) - 1) / (a * (1 - kappa)));
  CHECK(Evaluate(run).effective_tokens == Approx(expected).epsilon(kNumericRelTol));
}

TEST_CASE("linear ramp, g0 = 0: numerical integral vs exponential closed form", "[timeline]") {
  // q = 1 - c (m t), R = R0: ∫0^h (1 - c m t) e^(-t/R0) dt
  //   = R0 (1 - e^(-h/R0)) - c m (R0^2 - e^(-h/R0) (h R0 + R0^2)).
  Run run = BaseRun(1e9, 1e9, 30);
  run.modifiers.g0 = 0.0;
  run.dropout = Dropout{DropoutSchedule::kLinear, 0.3, 1.0, 30.0};
  const double c = run.modifiers.c_drop, m = 0.3 / 29.0, h = 29.0, r = kRdStar;
  const double e = std::exp(-h / r);
  const double expected = 1e9 * (1.0 + r * (1 - e) - c * m * (r * r - e * (h * r + r * r)));
  CHECK(Evaluate(run).effective_tokens == Approx(expected).epsilon(kNumericRelTol));
}

TEST_CASE("early dropout: on during the fresh epoch and the first repeats, then off",
          "[timeline]") {
  Run run = BaseRun(1e9, 1e9, 20);
  run.dropout = Dropout{DropoutSchedule::kEarly, 0.1, 0.0, 5.0};
  const double q = 1.0 - run.modifiers.c_drop * 0.1;
  const double r1 = kRdStar * (1.0 + run.modifiers.g0 * 0.1);
  const double expected = 1e9 * (q * 1.0 + q * r1 * (1.0 - std::exp(-4.0 / r1)) +
                                 std::exp(-4.0 / r1) * kRdStar * (1.0 - std::exp(-15.0 / kRdStar)));
  const Summary s = Evaluate(run);
  CHECK(s.effective_tokens == Approx(expected).epsilon(kClosedRelTol));
  CHECK(s.marginal_value_last ==
        Approx(std::exp(-4.0 / r1 - 15.0 / kRdStar)).epsilon(kClosedRelTol));
}

TEST_CASE("dropout marks the trajectory with the rate in force", "[timeline]") {
  Run run = BaseRun(1e9, 1e9, 64);
  run.dropout = Dropout{DropoutSchedule::kStep, 0.1, 4.0, 0.0};
  for (const TrajectoryPoint& p : EvaluateTrajectory(run, 50)) {
    CHECK(p.dropout_rate == (p.epochs > 4.0 ? 0.1 : 0.0));
  }
}

TEST_CASE("objective and size multipliers stretch R_D* only", "[timeline]") {
  Run run = BaseRun(1e9, 4e9, 16);
  run.modifiers.objective_multiplier = 2.0;
  run.modifiers.size_gamma = 0.5;
  const double r = kRdStar * 2.0 * std::pow(4e9 / 1e9, 0.5);
  const Summary s = Evaluate(run);
  CHECK(s.effective_tokens ==
        Approx(EffectiveTokensClosedForm(64e9, 4e9, r)).epsilon(kClosedRelTol));
  CHECK(s.dropout_data_gain == 1.0);
}

TEST_CASE("a one-source mixture equals the plain scenario exactly", "[mixture]") {
  Run plain = BaseRun(1e9, 5e9, 12);
  plain.dropout = Dropout{DropoutSchedule::kLinear, 0.1, 2.0, 10.0};
  Run mix = plain;
  mix.sources = {DataSource{"web", 5e9, 1.0, 1.0}};
  const Summary a = Evaluate(plain), b = Evaluate(mix);
  CHECK(a.effective_tokens == b.effective_tokens);
  CHECK(a.loss_repeated == b.loss_repeated);
  CHECK(a.loss_unique == b.loss_unique);
  CHECK(a.marginal_value_last == b.marginal_value_last);
}

TEST_CASE("mixture sources repeat at their own rates", "[mixture]") {
  Run run = BaseRun(1e9, 1.0, 1.0);
  run.sources = {DataSource{"web", 100e9, 0.8, 1.0}, DataSource{"code", 5e9, 0.2, 1.0}};
  run.tokens = 100e9;
  const Summary s = Evaluate(run);
  REQUIRE(s.sources.size() == 2);
  // web: 80B of 100B unique (0.8 epochs, all fresh); code: 20B of 5B (4 epochs).
  CHECK(s.sources[0].epochs == Approx(0.8));
  CHECK(s.sources[1].epochs == Approx(4.0));
  CHECK(s.sources[0].effective_tokens == Approx(80e9).epsilon(kClosedRelTol));
  CHECK(s.sources[1].effective_tokens ==
        Approx(EffectiveTokensClosedForm(20e9, 5e9, kRdStar)).epsilon(kClosedRelTol));
  CHECK(s.effective_tokens ==
        Approx(80e9 + EffectiveTokensClosedForm(20e9, 5e9, kRdStar)).epsilon(kClosedRelTol));
  CHECK(s.sources[1].marginal_value_last ==
        Approx(std::exp(-3.0 / kRdStar)).epsilon(kClosedRelTol));
  CHECK(s.marginal_value_last ==
        Approx(0.8 + 0.2 * std::exp(-3.0 / kRdStar)).epsilon(kClosedRelTol));
}

TEST_CASE("quality scales what the law sees, not the fraction that counts", "[mixture]") {
  Run a = BaseRun(1e9, 2e9, 32);
  Run b = a;
  b.sources[0].quality = 3.0;
  const Summary sa = Evaluate(a), sb = Evaluate(b);
  CHECK(sa.effective_fraction == sb.effective_fraction);
  CHECK(sb.loss_repeated < sa.loss_repeated);
  CHECK(sb.loss_unique < sa.loss_unique);
  // The law sees 3x the tokens: L(N', 3 D') with N' from 3 U.
  const double np = EffectiveParams(a.law, 1e9, 6e9, a.law.rn_star);
  CHECK(sb.loss_repeated ==
        Approx(Loss(a.law, np, 3.0 * sa.effective_tokens)).epsilon(kClosedRelTol));
}
