// MODEL.md §2: Muennighoff et al. 2023's effective data and parameters, pinned
// to the values of the datablations reference code and to closed forms.
#include <catch2/catch.hpp>
#include <cmath>

#include "repsim/engine.h"
#include "repsim/law.h"

using namespace repsim;

namespace {
constexpr double kRelTol = 1e-12;  // closed forms: only rounding separates them
constexpr double kRdStar = 15.387756;

Run PlainRun(double params, double tokens, double unique) {
  Run run;
  run.law = MakeLaw(LawPreset::kMuennighoff2023);
  run.params = params;
  run.active_params = params;
  run.sources = {DataSource{"data", unique, 1.0, 1.0}};
  run.tokens = tokens;
  return run;
}
}  // namespace

TEST_CASE("datablations reference loss L(6.34e9, 242e9, 25e9)", "[repetition]") {
  const Law law = MakeLaw(LawPreset::kMuennighoff2023);
  // MODEL.md §2, from huggingface/datablations' reference function.
  CHECK(DataConstrainedLoss(law, 6.34e9, 242e9, 25e9) ==
        Approx(2.2256440889984477).epsilon(kRelTol));
  // The engine's timeline gives the same number.
  CHECK(Evaluate(PlainRun(6.34e9, 242e9, 25e9)).loss_repeated ==
        Approx(2.2256440889984477).epsilon(kRelTol));
}

TEST_CASE("effective data fraction D'/D at 4, 16, 40 epochs", "[repetition]") {
  // D'/D = (1 + R (1 - exp(-(e-1)/R))) / e, derived by hand from MODEL.md §2;
  // MODEL.md rounds these to 0.9314, 0.6614, 0.3792.
  for (auto [epochs, rounded] : {std::pair{4.0, 0.9314}, {16.0, 0.6614}, {40.0, 0.3792}}) {
    const double expected = (1.0 + kRdStar * (1.0 - std::exp(-(epochs - 1.0) / kRdStar))) / epochs;
    const Summary s = Evaluate(PlainRun(1e9, epochs * 1e9, 1e9));
    CHECK(s.effective_fraction == Approx(expected).epsilon(kRelTol));
    CHECK(s.effective_fraction == Approx(rounded).margin(5e-5));
    CHECK(EffectiveTokensClosedForm(epochs * 1e9, 1e9, kRdStar) / (epochs * 1e9) ==
          Approx(expected).epsilon(kRelTol));
  }
}

TEST_CASE("marginal value of the k-th epoch is exp(-(k-1)/R_D*)", "[repetition]") {
  for (auto [epochs, rounded] : {std::pair{4.0, 0.82}, {16.0, 0.38}, {40.0, 0.08}}) {
    const Summary s = Evaluate(PlainRun(1e9, epochs * 1e9, 1e9));
    CHECK(s.marginal_value_last == Approx(std::exp(-(epochs - 1.0) / kRdStar)).epsilon(kRelTol));
    CHECK(s.marginal_value_last == Approx(rounded).margin(0.005));
  }
}

TEST_CASE("no repetition at or below one epoch", "[repetition]") {
  for (double epochs : {1.0, 0.5, 0.01}) {
    // Includes a model far larger than compute-optimal for its data.
    for (double params : {1e8, 1e9, 1e11}) {
      const Summary s = Evaluate(PlainRun(params, epochs * 1e10, 1e10));
      CHECK(s.effective_tokens == Approx(s.tokens).epsilon(kRelTol));
      CHECK(s.loss_repeated == Approx(s.loss_unique).epsilon(kRelTol));
      CHECK(s.delta == Approx(0.0).margin(1e-12));
    }
  }
}

TEST_CASE("D' never exceeds U (1 + R_D*)", "[repetition]") {
  const Summary s = Evaluate(PlainRun(1e9, 1e6 * 1e9, 1e9));
  CHECK(s.effective_tokens <= 1e9 * (1.0 + kRdStar) * (1 + 1e-15));
  CHECK(s.effective_tokens == Approx(1e9 * (1.0 + kRdStar)).epsilon(1e-12));
}

TEST_CASE("epochs where the marginal value falls below 1/2 and 1/10", "[repetition]") {
  const Summary s = Evaluate(PlainRun(1e9, 4e9, 1e9));
  REQUIRE(s.epochs_value_below_half);
  REQUIRE(s.epochs_value_below_tenth);
  CHECK(*s.epochs_value_below_half == Approx(1.0 + kRdStar * std::log(2.0)).epsilon(1e-12));
  CHECK(*s.epochs_value_below_tenth == Approx(1.0 + kRdStar * std::log(10.0)).epsilon(1e-12));
}

TEST_CASE("equivalent tokens and params solve their equations", "[repetition]") {
  const Law law = MakeLaw(LawPreset::kMuennighoff2023);
  // A model smaller than compute-optimal for every token count involved, so
  // "fresh" is the plain Chinchilla form and its inverses are closed forms:
  // B / D_eq^beta = L - E - A / N^alpha, and A / N_eq^alpha = L - E - B / D^beta.
  const double n = 1e8, d = 4e10;
  const Summary s = Evaluate(PlainRun(n, d, 1e10));
  REQUIRE(s.equivalent_unique_tokens);
  REQUIRE(s.equivalent_params);
  const double d_eq =
      std::pow(law.b / (s.loss_repeated - law.e - law.a * std::pow(n, -law.alpha)), 1.0 / law.beta);
  const double n_eq =
      std::pow(law.a / (s.loss_repeated - law.e - law.b * std::pow(d, -law.beta)), 1.0 / law.alpha);
  REQUIRE(ComputeOptimalParamsForTokens(law, d_eq) > n);  // the regime assumed above
  CHECK(*s.equivalent_unique_tokens == Approx(d_eq).epsilon(1e-10));
  CHECK(*s.equivalent_params == Approx(n_eq).epsilon(1e-10));
  CHECK(*s.wasted_compute == Approx(1.0 - d_eq / d).epsilon(1e-10));
}

TEST_CASE("equivalent tokens of an over-sized model solve the fresh-data equation",
          "[repetition]") {
  const Law law = MakeLaw(LawPreset::kMuennighoff2023);
  const Summary s = Evaluate(PlainRun(2.5e8, 34359738368.0, 134217728.0));
  REQUIRE(s.equivalent_unique_tokens);
  REQUIRE(s.equivalent_params);
  CHECK(FreshLoss(law, 2.5e8, *s.equivalent_unique_tokens) ==
        Approx(s.loss_repeated).epsilon(1e-12));
  CHECK(FreshLoss(law, *s.equivalent_params, 34359738368.0) ==
        Approx(s.loss_repeated).epsilon(1e-12));
  CHECK(*s.equivalent_unique_tokens < s.tokens);
  CHECK(*s.equivalent_params < s.params);
}
