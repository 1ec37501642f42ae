// Token-Crisis findings 2-10 (Xue et al. 2023), one shipped scenario each
// (scenarios/token-crisis/): the direction of every finding, and its size
// where the paper gives a number (MODEL.md §3-4).
#include <boost/math/tools/toms748_solve.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "io/scenario_loader.h"
#include "repsim/calibration.h"
#include "repsim/engine.h"

using namespace repsim;

namespace {

// The summaries of a shipped scenario's comparison variants, by name.
// With `preset`, every variant is evaluated under that law instead.
std::map<std::string, Summary> Variants(const std::string& file,
                                        std::optional<LawPreset> preset = std::nullopt) {
  auto r = io::LoadScenarioFile(std::string(REPSIM_SOURCE_DIR) + "/scenarios/token-crisis/" + file);
  INFO(r.FormatErrors());
  REQUIRE(r.scenario);
  std::map<std::string, Summary> out;
  for (const CompareVariant& v : r.scenario->compare) {
    RunSpec spec = v.spec;
    if (preset) spec.law = MakeLaw(*preset);
    Expected<Run> run = Resolve(spec);
    REQUIRE(run.ok());
    out[v.name] = Evaluate(*run);
  }
  return out;
}

}  // namespace

TEST_CASE("finding 2: at fixed tokens the gap grows with epochs", "[findings]") {
  auto v = Variants("finding-02-repetition-degrades.toml");
  const char* order[] = {"2^35 unique, 1 epoch", "2^33 unique, 4 epochs", "2^31 unique, 16 epochs",
                         "2^29 unique, 64 epochs", "2^27 unique, 256 epochs"};
  CHECK(v.at(order[0]).delta == Approx(0.0).margin(1e-12));
  for (int i = 1; i < 5; ++i) CHECK(v.at(order[i]).delta > v.at(order[i - 1]).delta);
}

TEST_CASE("finding 3: at equal epochs a larger unique set has a smaller gap", "[findings]") {
  auto v = Variants("finding-03-larger-datasets.toml");
  const char* order[] = {"2^27 unique", "2^29 unique", "2^31 unique", "2^33 unique"};
  for (int i = 1; i < 4; ++i) {
    CHECK(v.at(order[i]).delta < v.at(order[i - 1]).delta);
    CHECK(v.at(order[i]).epochs == Approx(16.0));
  }
}

TEST_CASE("finding 4: quality lowers both losses, D'/D unchanged at every epoch count",
          "[findings]") {
  auto v = Variants("finding-04-quality.toml");
  CHECK(v.at("quality 2").loss_repeated < v.at("quality 1").loss_repeated);
  CHECK(v.at("quality 2").loss_unique < v.at("quality 1").loss_unique);
  CHECK(v.at("quality 4").effective_fraction == v.at("quality 1").effective_fraction);
  for (double epochs : {0.5, 1.0, 2.0, 4.0, 16.0, 64.0, 256.0, 4096.0}) {
    Run run;
    run.law = MakeLaw(kDefaultLawPreset);
    run.params = run.active_params = 2.5e8;
    run.sources = {DataSource{"c4", kT1UniqueTokens, 1.0, 1.0}};
    run.tokens = epochs * kT1UniqueTokens;
    const double base = Evaluate(run).effective_fraction;
    for (double k : {0.5, 2.0, 10.0}) {
      run.sources[0].quality = k;
      CHECK(Evaluate(run).effective_fraction == base);
    }
  }
}

TEST_CASE("finding 5: parameters, not FLOPs, drive the gap", "[findings]") {
  auto v = Variants("finding-05-params-not-flops.toml");
  const Summary& dense = v.at("dense (2.5e8)");
  const Summary& moe = v.at("MoE (5e8 total, 2.5e8 active)");
  const Summary& share = v.at("ParamShare (1.25e8 distinct, 2.5e8 active)");
  CHECK(moe.compute == dense.compute);
  CHECK(share.compute == dense.compute);
  CHECK(moe.delta > dense.delta);
  CHECK(share.delta < dense.delta);
}

TEST_CASE("finding 6: small models at small compute show the same trend", "[findings]") {
  auto v = Variants("finding-06-small-compute.toml");
  CHECK(v.at("1 epoch").compute < 1e17);
  CHECK(v.at("4 epochs").delta > v.at("1 epoch").delta);
  CHECK(v.at("16 epochs").delta > v.at("4 epochs").delta);
  CHECK(v.at("64 epochs").delta > v.at("16 epochs").delta);
}

TEST_CASE("finding 7: UL2 degrades more than span corruption, diffusion far less", "[findings]") {
  auto v = Variants("finding-07-objectives.toml");
  // Table 3: UL2 loses 2.9 SQuAD EM points, span corruption 2.5.
  CHECK(v.at("ul2").delta / v.at("span corruption").delta == Approx(2.9 / 2.5).epsilon(0.01));
  CHECK(v.at("diffusion").delta < 0.6 * v.at("causal").delta);
  // T4: diffusion's data decays 32x more slowly. At 256 epochs that keeps
  // (1 + 32 R_D* (1 - e^(-255/(32 R_D*)))) / (1 + R_D* (1 - e^(-255/R_D*)))
  // times causal's effective tokens (MODEL.md §2): 12.2x under
  // muennighoff2023 (R_D* 15.39), 9.9x under overfit2026 (R_D* 20.44).
  const double rd = MakeLaw(kDefaultLawPreset).rd_star;
  auto kept = [](double r) { return 1.0 + r * (1.0 - std::exp(-255.0 / r)); };
  CHECK(v.at("diffusion").effective_fraction / v.at("causal").effective_fraction ==
        Approx(kept(32.0 * rd) / kept(rd)).epsilon(1e-9));
  // ratio2026 holds R_D* at 200, so effective tokens keep only 1.7x more here
  // (12.2x under muennighoff2023); diffusion's far smaller harm shows in the
  // gap, which the overfitting term (on the same stretched clock) dominates.
  INFO("delta: diffusion " << v.at("diffusion").delta << ", causal " << v.at("causal").delta);
  CHECK(v.at("diffusion").effective_fraction > 1.5 * v.at("causal").effective_fraction);
  CHECK(v.at("diffusion").delta < 0.5 * v.at("causal").delta);  // 0.23 vs 0.74 nats
}

TEST_CASE("finding 8: dropout shrinks the gap at many epochs, costs at one", "[findings]") {
  auto v = Variants("finding-08-dropout.toml");
  const double none = v.at("256 epochs, no dropout").delta;
  const double drop = v.at("256 epochs, dropout 0.1").delta;
  // Table 4: dropout recovers 1.3 of the 2.9 points.
  CHECK(1.0 - drop / none == Approx(0.45).margin(0.01));
  CHECK(v.at("1 epoch, dropout 0.1").loss_repeated > v.at("1 epoch, no dropout").loss_repeated);

  // Where it starts paying off: the epoch count at which dropout 0.1 and no
  // dropout predict the same loss (bracketed between 1 and 256 epochs).
  auto gain = [](double epochs) {
    Run run;
    run.law = MakeLaw(kDefaultLawPreset);
    run.params = run.active_params = kT1Params;
    run.objective = Objective::kSpanCorruption;
    run.sources = {DataSource{"c4", kT1UniqueTokens, 1.0, 1.0}};
    run.tokens = epochs * kT1UniqueTokens;
    const double plain = Evaluate(run).loss_repeated;
    run.dropout = Dropout{DropoutSchedule::kConstant, 0.1, 0.0, 0.0};
    return plain - Evaluate(run).loss_repeated;
  };
  REQUIRE(gain(1.0) < 0);
  REQUIRE(gain(256.0) > 0);
  boost::uintmax_t iters = 100;
  auto r = boost::math::tools::toms748_solve(
      gain, 1.0, 256.0, [](double a, double b) { return std::fabs(a - b) < 1e-6; }, iters);
  const double break_even = 0.5 * (r.first + r.second);
  WARN("finding 8: dropout 0.1 starts paying off after " << break_even << " epochs");
  CHECK(break_even > 1.0);
  CHECK(break_even < 16.0);
}

TEST_CASE("finding 9: dropout switched on late ends at least as well", "[findings]") {
  auto v = Variants("finding-09-late-dropout.toml");
  const double from_start = v.at("dropout 0.1 from the start").loss_repeated;
  CHECK(v.at("dropout 0.1 from epoch 1").loss_repeated <= from_start);
  // Every late start still beats no dropout at all.
  for (auto name :
       {"dropout 0.1 from epoch 1", "dropout 0.1 from epoch 4", "dropout 0.1 from epoch 16"}) {
    CHECK(v.at(name).loss_repeated < v.at("no dropout").loss_repeated);
  }
}

// eta (kDefaultEta) is our assumption for this finding: under ratio2026 it
// holds for eta > 0.57 (at 0.5 dropout would remove 49.5 % of the 2.8B gap and
// 44.8 % of the 250M one); the default is 0.7. Under overfit2026 it holds too.
TEST_CASE("finding 10: dropout removes less of the gap at 2.8B than at 250M", "[findings]") {
  for (const std::optional<LawPreset> preset :
       {std::optional<LawPreset>{}, std::optional<LawPreset>{LawPreset::kOverfit2026}}) {
    auto v = Variants("finding-10-scale.toml", preset);
    const double small = 1.0 - v.at("250M, dropout 0.1").delta / v.at("250M, no dropout").delta;
    const double large = 1.0 - v.at("2.8B, dropout 0.1").delta / v.at("2.8B, no dropout").delta;
    INFO((preset ? ToString(*preset) : "default law")
         << ": dropout removes " << small << " of the 250M gap, " << large << " of 2.8B's");
    CHECK(small > 0);
    CHECK(large > 0);
    CHECK(large < small);
  }
}
