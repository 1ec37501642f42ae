// Weight decay (weight_decay.h) and the caveats that travel with the numbers
// (results.h Caveat, issue 21 items 2-3). Expected values come from the
// published point (Lovelace et al. 2026: f(1.0) ~ 0.3, f(0.1) = 1 by
// definition) and from the terminal's own lines, never from the code's
// constants alone.

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "io/results_csv.h"
#include "io/results_json.h"
#include "io/scenario_loader.h"
#include "io/terminal_summary.h"
#include "repsim/assumptions.h"
#include "repsim/engine.h"
#include "repsim/law.h"
#include "repsim/plan.h"
#include "repsim/scenario.h"
#include "repsim/weight_decay.h"

namespace repsim {
namespace {

// Every line of `text` that starts with `prefix`, without it.
std::vector<std::string> LinesAfter(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    const std::string line = text.substr(pos, end == std::string::npos ? end : end - pos);
    if (line.rfind(prefix, 0) == 0) out.push_back(line.substr(prefix.size()));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return out;
}

ScenarioResults Evaluated(const std::string& text) {
  auto loaded = io::LoadScenarioText(text, "t.toml");
  INFO(loaded.FormatErrors());
  REQUIRE(loaded.scenario);
  auto r = EvaluateScenario("t.toml", *loaded.scenario);
  REQUIRE(r.ok());
  return *r;
}

// The Token-Crisis T1 setting with a dropout and a weight-decay variant.
const char* kDropoutVsWeightDecay = R"(
[scenario]
name = "t"
[model]
params = 2.5e8
objective = "span_corruption"
[data]
unique_tokens = 134217728
[training]
tokens = 34359738368
[output]
plots = false
[[compare]]
name = "dropout 0.1"
"training.dropout.schedule" = "constant"
"training.dropout.rate" = 0.1
[[compare]]
name = "weight decay 1.0"
"training.weight_decay" = 1.0
[[compare]]
name = "weight decay 0.5"
"training.weight_decay" = 0.5
)";

}  // namespace

TEST_CASE("weight decay's factor: 1 at 0.1, the measured 0.3 at 1.0, falling", "[weight_decay]") {
  for (double shape : {0.03, 0.3, 3.0}) {
    INFO("shape " << shape);
    CHECK(WeightDecayOverfitFactor(0.1, shape, 0.3) == 1.0);
    // Lovelace et al. 2026: lambda = 1.0 cuts the coefficient by ~70 %.
    CHECK(WeightDecayOverfitFactor(1.0, shape, 0.3) == Approx(0.3).epsilon(1e-12));
    double prev = std::numeric_limits<double>::infinity();
    for (double wd = 0.0; wd <= 10.0; wd += 0.05) {
      const double f = WeightDecayOverfitFactor(wd, shape, 0.3);
      CHECK(f > 0);
      CHECK(f <= prev);
      prev = f;
    }
    // No weight decay overfits more than the standard 0.1.
    CHECK(WeightDecayOverfitFactor(0.0, shape, 0.3) > 1.0);
  }
  // The shape decides the values away from the two points: that is the assumption.
  CHECK(WeightDecayOverfitFactor(3.0, 0.03, 0.3) > 2 * WeightDecayOverfitFactor(3.0, 3.0, 0.3));
}

TEST_CASE("weight decay scales the overfitting term and nothing else", "[weight_decay]") {
  RunSpec spec;
  spec.law = MakeLaw(LawPreset::kOverfit2026);
  spec.params = 2.5e8;
  spec.sources = {DataSource{"data", 134217728.0, 1.0, 1.0}};
  spec.basis = TrainingBasis::kEpochs;
  spec.training_value = 256;
  const Expected<Run> standard = Resolve(spec);
  REQUIRE(standard.ok());
  CHECK(standard->law.overfit_scale == 1.0);  // the default is the reference, exactly
  spec.weight_decay = 1.0;
  const Expected<Run> strong = Resolve(spec);
  REQUIRE(strong.ok());
  const Summary a = Evaluate(*standard), b = Evaluate(*strong);
  CHECK(b.loss_repeated < a.loss_repeated);
  CHECK(b.loss_unique == a.loss_unique);  // fresh data does not overfit
  // The penalty is z scaled by 0.3 (law.h OverfitLoss), checked from the formula.
  const Law& law = standard->law;
  const double z_std = OverfitExponent(law, 2e8, 134217728.0, 255.0);
  Law scaled = law;
  scaled.overfit_scale = 0.3;
  CHECK(OverfitExponent(scaled, 2e8, 134217728.0, 255.0) == Approx(0.3 * z_std).epsilon(1e-14));

  SECTION("a law without an overfitting term: no effect, and a warning says so") {
    spec.law = MakeLaw(LawPreset::kMuennighoff2023);
    spec.weight_decay = 0.1;
    const Summary m01 = Evaluate(*Resolve(spec));
    spec.weight_decay = 1.0;
    const Summary m1 = Evaluate(*Resolve(spec));
    CHECK(m1.loss_repeated == m01.loss_repeated);
    bool said = false;
    for (const std::string& w : m1.warnings) said |= w.find("has no effect") != std::string::npos;
    CHECK(said);
  }
  SECTION("out of range: an error at the key") {
    spec.weight_decay = -0.1;
    const Expected<Run> bad = Resolve(spec);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().find("training.weight_decay") != std::string::npos);
  }
}

TEST_CASE("plan allocate with weight decay: a stronger one never plans a worse loss",
          "[weight_decay][plan]") {
  Law law = MakeLaw(LawPreset::kOverfit2026);
  const auto standard = AllocateCompute(law, 1e24, 50e9);
  law.overfit_scale = WeightDecayOverfitFactor(1.0, kDefaultWeightDecayShape, 0.3);
  const auto strong = AllocateCompute(law, 1e24, 50e9);
  REQUIRE(standard.ok());
  REQUIRE(strong.ok());
  CHECK(strong->optimum.loss <= standard->optimum.loss);
  // Less overfitting: U carries more compute before the loss stops falling.
  CHECK(strong->optimum.flops >= standard->optimum.flops);
}

TEST_CASE("summary.json carries every assumption line of the terminal, structured", "[caveats]") {
  const ScenarioResults r = Evaluated(kDropoutVsWeightDecay);
  const std::vector<std::string> lines = LinesAfter(io::TerminalSummary(r), "assumption: ");
  REQUIRE_FALSE(lines.empty());
  REQUIRE(lines.size() == r.caveats.size());
  const std::string json = io::SummaryJson(r);
  for (size_t i = 0; i < lines.size(); ++i) {
    INFO(lines[i]);
    CHECK(r.caveats[i].text == lines[i]);
    // JSON escapes only quotes and backslashes of these lines (none here but ').
    CHECK(json.find("\"text\": \"" + lines[i] + "\"") != std::string::npos);
  }
  // The structure: each assumption the runs depend on, with its value and range.
  bool saw_c_drop = false, saw_wd_factor = false, saw_flip = false;
  for (const Caveat& c : r.caveats) {
    if (c.kind == Caveat::Kind::kAssumption && c.assumption == "c_drop") {
      saw_c_drop = true;
      CHECK(c.lo == 0.0);
      CHECK(c.hi == 1.0);
    }
    if (c.kind == Caveat::Kind::kAssumption && c.assumption == "weight_decay_factor") {
      saw_wd_factor = true;
      CHECK(c.value == 0.3);
      CHECK(c.runs_depending == 2);  // the two weight-decay variants
    }
    if (c.kind == Caveat::Kind::kRankingFlip) {
      saw_flip = true;
      CHECK(c.threshold >= c.lo);
      CHECK(c.threshold <= c.hi);
      CHECK((c.direction == "<" || c.direction == ">"));
      CHECK(c.text.find("'" + c.winner + "' beats '" + c.loser + "'") != std::string::npos);
    }
  }
  CHECK(saw_c_drop);
  CHECK(saw_wd_factor);
  CHECK(saw_flip);
  CHECK(json.find("\"caveats\": [") != std::string::npos);
  CHECK_FALSE(FlippingVerdicts(r).empty());
  // caveats.csv: one row per caveat, after the header.
  const std::string csv = io::CaveatsCsv(r.caveats);
  CHECK(static_cast<size_t>(std::count(csv.begin(), csv.end(), '\n')) == r.caveats.size() + 1);
}

TEST_CASE("a scenario without assumptions has an empty caveats array", "[caveats]") {
  const ScenarioResults r = Evaluated(
      "[scenario]\nname = \"t\"\n[model]\nparams = 1e9\n[data]\nunique_tokens = 1e10\n"
      "[training]\nepochs = 4\n[output]\nplots = false\n");
  CHECK(r.caveats.empty());
  CHECK(io::SummaryJson(r).find("\"caveats\": [],") != std::string::npos);
}

}  // namespace repsim
