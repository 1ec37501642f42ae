// Implausible fits and too little data (issue 22 items 8 and 10, issue 21
// item 4): warnings that travel with a fit, and data errors (fit.h,
// validate.h). Expected values are stated by hand.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "repsim/fit.h"
#include "repsim/validate.h"

using namespace repsim;

TEST_CASE("bootstrap failures above 10 % are warned about", "[fit-plausibility]") {
  CHECK_FALSE(BootstrapFailureWarning(10, 100));  // exactly 10 %: not above
  REQUIRE(BootstrapFailureWarning(11, 100));
  CHECK_THAT(*BootstrapFailureWarning(42, 100), Catch::StartsWith("42 of 100 bootstrap refits"));
  CHECK_FALSE(BootstrapFailureWarning(0, 0));
}

TEST_CASE("implausible constants: negative or huge exponents, vanished scales",
          "[fit-plausibility]") {
  FitOptions o;
  FitConstants c{1.69, 406.4, 410.7, 0.34, 0.28, 0, 0};  // chinchilla2022: plausible
  CHECK(ImplausibleFit(c, o).empty());
  c.alpha = -748;  // issue 22's `repsim fit` on 1e308 values
  c.a = 0;
  const std::vector<std::string> w = ImplausibleFit(c, o);
  REQUIRE(w.size() == 2);
  CHECK_THAT(w[0], Catch::StartsWith("alpha = -748: a negative exponent"));
  CHECK_THAT(w[1], Catch::StartsWith("A = 0:"));
  o.fixed[static_cast<int>(FitParam::kAlpha)] = 0.34;  // a fixed constant is not judged
  CHECK(ImplausibleFit(c, o).size() == 1);
  Law law = MakeLaw(LawPreset::kOverfit2026);
  CHECK(ImplausibleOverfitConstants(law).empty());
  law.overfit_a = 18.5;  // issue 21's fit on 14 pairs
  law.overfit_k = 13.4;
  CHECK(ImplausibleOverfitConstants(law).size() == 2);
}

TEST_CASE("runs at fewer distinct points than free constants are too little data",
          "[fit-plausibility]") {
  const std::vector<FitRun> same(5, FitRun{1e308, 1e308, 1e308, 1e308});
  CHECK(DistinctPoints(same, FitForm::kChinchilla) == 1);
  auto r = Fit(same, FitOptions{});
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error(), Catch::Contains("5 runs at 1 distinct (params, tokens) point"));
}

TEST_CASE("the overfit form holds what the pairs cannot identify", "[fit-plausibility]") {
  // Two pairs at one params value, one unique_tokens value, two epoch values:
  // overfit_a, overfit_c and overfit_k are held by the rules, leaving rd_star,
  // rn_star, overfit_w: three free constants for two pairs, so rn_star is held too.
  const std::vector<PenaltyPair> pairs = {{1e8, 4e9, 1e9, 3.3, 3.0, 1, 1, {}},
                                          {1e8, 8e9, 1e9, 3.2, 2.8, 1, 1, {}}};
  const OverfitIdentifiable id = IdentifiableOverfitParams(pairs);
  CHECK(id.held == std::array<bool, kNumOverfitParams>{false, true, false, true, true, true});
  CHECK(id.Free() == 2);
  OverfitFitOptions o;
  o.base = MakeLaw(LawPreset::kOverfit2026);
  std::vector<std::string> reasons;
  auto fit = FitOverfitIdentifiable(pairs, o, &reasons);
  REQUIRE(fit);
  CHECK(fit->law.overfit_a == o.base.overfit_a);
  CHECK(fit->law.overfit_c == o.base.overfit_c);
  CHECK_FALSE(reasons.empty());
  auto none = FitOverfitIdentifiable({}, o, &reasons);
  REQUIRE_FALSE(none);
  CHECK(none.error_key() == kDataErrorKey);
}
