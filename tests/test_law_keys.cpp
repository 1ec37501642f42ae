// The [law] keys of a scenario come from one list, LawConstants() (law.h):
// every constant of every form and term is a key of the presets that have it,
// and only of those, in the file, in --set (SetNumber) and in the loader's
// list of allowed keys.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <limits>
#include <string>

#include "io/scenario_loader.h"
#include "repsim/law.h"
#include "repsim/scenario.h"
#include "repsim/scenario_keys.h"

using namespace repsim;
using repsim::io::LoadScenarioText;

namespace {

std::string WithLaw(std::string_view preset, std::string_view key, double value) {
  return fmt::format(R"([scenario]
name = "t"
[law]
preset = "{}"
{} = {}
[model]
params = 1e9
[data]
unique_tokens = "25B"
[training]
epochs = 4
)",
                     preset, key, value);
}

}  // namespace

TEST_CASE("every law constant is a [law] key of the presets that have it, and only of those",
          "[loader][laws]") {
  int accepted = 0, refused = 0;
  for (const LawConstant& c : LawConstants()) {
    for (LawPreset p : AllLawPresets()) {
      const Law published = MakeLaw(p);
      // 1% off the preset's value stays inside every range Validate() checks
      // (overfit2026: a = 3.60 <= c + k = 4.13).
      const double value = HasConstant(published, c) ? published.*c.field * 1.01 : 1.0;
      INFO(fmt::format("{} on {}", c.name, ToString(p)));
      auto r = LoadScenarioText(WithLaw(ToString(p), c.name, value), "t.toml");
      if (HasConstant(published, c)) {
        REQUIRE(r.scenario);
        CHECK(r.scenario->base.law.*c.field == value);
        CHECK(GetNumber(r.scenario->base, fmt::format("law.{}", c.name)) == value);
        ++accepted;
      } else {
        REQUIRE_FALSE(r.scenario);
        CHECK(r.FormatErrors().find(fmt::format("law.{}: not a constant of the {} law", c.name,
                                                ToString(p))) != std::string::npos);
        ++refused;
      }
    }
  }
  // 5 Chinchilla-form presets' E..beta; Kaplan's 4 on kaplan2020 only;
  // rd_star, rn_star on all 6; the capped overfitting 5 on overfit2026
  // (w, a, c, k, loss_cap); ratio2026's 9 (w, a, c, k, overfit_height and the
  // early term's w2, a2, c2, k2).
  CHECK(accepted == 5 * 5 + 4 + 6 * 2 + 5 + 9);
  CHECK(refused == static_cast<int>(LawConstants().size()) * 6 - accepted);
}

TEST_CASE("law keys: --set and sweep axes reach every constant, a refusal names what the law has",
          "[loader][laws][set]") {
  RunSpec spec;
  spec.law = MakeLaw(LawPreset::kOverfit2026);
  for (const LawConstant& c : LawConstants()) {
    const std::string key = fmt::format("law.{}", c.name);
    INFO(key);
    REQUIRE(FindKey(key));
    CHECK(FindKey(key)->kind == KeyKind::kNumber);
  }
  REQUIRE_FALSE(SetNumber(spec, "law.loss_cap", 9.5));
  CHECK(spec.law.loss_cap == 9.5);
  REQUIRE_FALSE(SetNumber(spec, "law.overfit_k", 1.25));
  CHECK(*GetNumber(spec, "law.overfit_k") == 1.25);

  const auto e = SetNumber(spec, "law.n_c", 5);
  REQUIRE(e);
  CHECK(*e ==
        "law.n_c: not a constant of the overfit2026 law (its constants: E, A, B, alpha, beta, "
        "rd_star, rn_star, overfit_w, overfit_a, overfit_c, overfit_k, loss_cap)");
  spec.law = MakeLaw(LawPreset::kKaplan2020);
  CHECK(*SetNumber(spec, "law.E", 1) ==
        "law.E: not a constant of the kaplan2020 law (its constants: alpha_n, n_c, alpha_d, d_c, "
        "rd_star, rn_star)");
  CHECK(SetNumber(spec, "law.overfit_w", 1)->find("belong to ratio2026 and overfit2026") !=
        std::string::npos);

  // The loader's list of allowed [law] keys holds every constant.
  auto r = LoadScenarioText(WithLaw("muennighoff2023", "loss_capp", 1), "t.toml");
  REQUIRE_FALSE(r.scenario);
  const std::string message = r.FormatErrors();
  CHECK(message.find("unknown key 'law.loss_capp', did you mean 'loss_cap'?") != std::string::npos);
  for (const LawConstant& c : LawConstants()) {
    CHECK(message.find(fmt::format(" {},", c.name)) != std::string::npos);
  }
}

TEST_CASE("every law constant's range is its row's: Validate rejects just outside, accepts inside",
          "[law]") {
  // For each preset and each constant it has, the row's bounds (law.h) decide:
  // lo itself is allowed unless lo_exclusive, hi is allowed, 2x beyond either
  // bound (or NaN) is not. The bounds are the design's (generous, overflow-safe).
  for (LawPreset p : AllLawPresets()) {
    const Law base = MakeLaw(p);
    REQUIRE_FALSE(Validate(base));
    for (const LawConstant& c : LawConstants()) {
      if (!HasConstant(base, c)) continue;
      INFO(ToString(p) << " " << c.name);
      const auto with = [&](double v) {
        Law l = base;
        l.*c.field = v;
        return Validate(l);
      };
      // Alone at a bound, a constant can break a cross-constraint (overfit_a <=
      // overfit_c + overfit_k); only the range message is checked here.
      const auto range_error = [&](double v) {
        const MaybeError e = with(v);
        return e && e->rfind(fmt::format("{} = ", c.name), 0) == 0 &&
               e->find(fmt::format("and <= {:g}", c.hi)) != std::string::npos;
      };
      CHECK(range_error(c.hi > 0 ? c.hi * 2 : c.hi + 1));
      CHECK(range_error(c.lo < 0 ? c.lo * 2 : c.lo - 1));
      CHECK(range_error(std::numeric_limits<double>::quiet_NaN()));
      CHECK(range_error(c.lo) == c.lo_exclusive);
      CHECK_FALSE(range_error(c.hi));
    }
  }
}
