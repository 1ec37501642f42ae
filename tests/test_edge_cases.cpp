// Numbers across the whole valid range (issue: reliability): epochs 1e-6..1e6,
// params 1e6..1e14, unique tokens 1e6..1e15, every preset. Every reported
// number is finite, D' <= D, repetition never lowers the loss (no dropout),
// and D_eq / N_eq solve their equations or are reported as not found.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "repsim/engine.h"

using namespace repsim;

namespace {

// The fresh-data loss at the solved D_eq / N_eq must match loss_repeated to
// within what a 1e-13 relative step in the unknown can move it.
constexpr double kResidualRelTol = 1e-9;

std::vector<double> LogGrid(double lo, double hi, int n) {
  std::vector<double> v;
  v.reserve(n);
  for (int i = 0; i < n; ++i) v.push_back(lo * std::pow(hi / lo, i / double(n - 1)));
  return v;
}

}  // namespace

TEST_CASE("every number is finite and consistent across the valid range", "[edge]") {
  int checked = 0, eq_tokens_missing = 0, eq_params_missing = 0;
  for (LawPreset preset : AllLawPresets()) {
    for (double epochs : LogGrid(1e-6, 1e6, 7)) {
      for (double params : LogGrid(1e6, 1e14, 5)) {
        for (double unique : LogGrid(1e6, 1e15, 6)) {
          Run run;
          run.law = MakeLaw(preset);
          run.params = run.active_params = params;
          run.sources = {DataSource{"d", unique, 1.0, 1.0}};
          run.tokens = epochs * unique;
          REQUIRE_FALSE(Validate(run));
          const Summary s = Evaluate(run);
          INFO(fmt::format("{} epochs={} N={} U={}", ToString(preset), epochs, params, unique));
          for (double v : {s.effective_tokens, s.effective_fraction, s.effective_params,
                           s.loss_repeated, s.loss_unique, s.delta, s.delta_pct,
                           s.marginal_value_last, s.rd_star_effective, s.dropout_data_gain}) {
            REQUIRE(std::isfinite(v));
          }
          CHECK(s.effective_tokens <= s.tokens);  // exactly: D' never exceeds D
          CHECK(s.effective_fraction <= 1.0);
          CHECK(s.effective_params <= s.params * (1 + 1e-12));
          CHECK(s.loss_repeated >= s.loss_unique * (1 - 1e-12));
          CHECK(s.marginal_value_last >= 0);
          CHECK(s.marginal_value_last <= 1);
          if (s.equivalent_unique_tokens) {
            const double d = *s.equivalent_unique_tokens;
            REQUIRE(std::isfinite(d));
            CHECK(d <= s.tokens * (1 + 1e-12));
            CHECK(FreshLoss(run.law, params, d) ==
                  Approx(s.loss_repeated).epsilon(kResidualRelTol));
            CHECK(std::isfinite(*s.wasted_compute));
          } else {
            ++eq_tokens_missing;
            CHECK_FALSE(s.warnings.empty());
          }
          if (s.equivalent_params) {
            const double n = *s.equivalent_params;
            REQUIRE(std::isfinite(n));
            CHECK(n <= params * (1 + 1e-12));
            CHECK(FreshLoss(run.law, n, s.tokens) ==
                  Approx(s.loss_repeated).epsilon(kResidualRelTol));
          } else {
            ++eq_params_missing;
            CHECK_FALSE(s.warnings.empty());
          }
          for (auto e : {s.epochs_value_below_half, s.epochs_value_below_tenth}) {
            if (e) CHECK(std::isfinite(*e));
          }
          ++checked;
        }
      }
    }
  }
  CHECK(checked == static_cast<int>(AllLawPresets().size()) * 7 * 5 * 6);
  WARN(fmt::format("edge grid: D_eq not found at {} points, N_eq at {}", eq_tokens_missing,
                   eq_params_missing));
}

TEST_CASE("trajectories are finite at the extremes", "[edge]") {
  for (double epochs : {1e-6, 1.0, 1e6}) {
    Run run;
    run.law = MakeLaw(LawPreset::kMuennighoff2023);
    run.params = run.active_params = 1e14;
    run.sources = {DataSource{"d", 1e6, 1.0, 1.0}};
    run.tokens = epochs * 1e6;
    run.dropout = Dropout{DropoutSchedule::kLinear, 0.5, 0.0, epochs};
    for (const TrajectoryPoint& p : EvaluateTrajectory(run, 32)) {
      CHECK(std::isfinite(p.loss_repeated));
      CHECK(std::isfinite(p.effective_tokens));
      CHECK(p.effective_tokens <= p.tokens);
    }
  }
}
