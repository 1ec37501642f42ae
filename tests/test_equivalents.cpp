// Equivalent tokens and parameters (MODEL.md §5) against plain bisection of
// the fresh-data loss: an independent route to the same roots, unlike the
// closed forms and the bracketed solver of core/solve.h that Evaluate() uses.
// Cases cover models within compute-optimal for their tokens (closed forms),
// over-sized ones (the excess-parameter decay: N_eq by the inverted decay, D_eq
// by the solver), and Kaplan's law (solver only).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <functional>

#include "repsim/engine.h"
#include "repsim/law.h"
#include "repsim/run.h"

using namespace repsim;

namespace {

// x in [lo, hi] with f(x) = target, f decreasing, by 200 halvings in log x.
double Bisect(const std::function<double(double)>& f, double target, double lo, double hi) {
  double a = std::log(lo), b = std::log(hi);
  for (int i = 0; i < 200; ++i) {
    const double m = 0.5 * (a + b);
    if (f(std::exp(m)) > target) {
      a = m;
    } else {
      b = m;
    }
  }
  return std::exp(0.5 * (a + b));
}

}  // namespace

TEST_CASE("equivalent tokens and parameters agree with bisection of the fresh loss",
          "[equivalents]") {
  int over_sized = 0, compared = 0;
  for (LawPreset preset : AllLawPresets()) {
    const Law law = MakeLaw(preset);
    for (double params : {1e7, 1e9, 3e10, 1e12}) {
      for (double unique : {1e7, 1e9, 1e11}) {
        for (double epochs : {1.5, 4.0, 40.0, 400.0}) {
          Run run;
          run.law = law;
          run.params = run.active_params = params;
          run.sources = {DataSource{"d", unique, 1.0, 1.0}};
          run.tokens = epochs * unique;
          const Summary s = Evaluate(run);
          INFO(fmt::format("{} N={} U={} epochs={}", ToString(preset), params, unique, epochs));
          if (s.effective_params < params) ++over_sized;
          REQUIRE(s.equivalent_unique_tokens);
          REQUIRE(s.equivalent_params);
          const double d_eq = Bisect([&](double d) { return FreshLoss(law, params, d); },
                                     s.loss_repeated, run.tokens * 1e-30, run.tokens);
          const double n_eq = Bisect([&](double n) { return FreshLoss(law, n, run.tokens); },
                                     s.loss_repeated, params * 1e-30, params);
          // Both are conditioned by the loss's flatness: a relative error eps in the
          // loss moves D_eq by eps L / (beta B D^-beta); 1e-9 is far above that here.
          CHECK(*s.equivalent_unique_tokens == Approx(d_eq).epsilon(1e-9));
          CHECK(*s.equivalent_params == Approx(n_eq).epsilon(1e-9));
          ++compared;
        }
      }
    }
  }
  CHECK(compared == static_cast<int>(AllLawPresets().size()) * 4 * 3 * 4);
  CHECK(over_sized > 10);  // the decay branch is exercised, not only the closed forms
}
