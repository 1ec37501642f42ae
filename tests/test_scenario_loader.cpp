// Scenario files: what loads, and the exact diagnostics for what does not
// (SCENARIO.md; STYLE.md "test the numbers and the messages").
#include <catch2/catch.hpp>
#include <string>

#include "io/scenario_loader.h"
#include "repsim/scenario_keys.h"

using repsim::io::LoadScenarioText;

namespace {

const char* kHead = R"([scenario]
name = "t"
[model]
params = 1e9
[data]
unique_tokens = "25B"
)";

// The first line of the formatted diagnostics ("t.toml:L:C: error: ...").
std::string FirstError(const std::string& text) {
  auto r = LoadScenarioText(text, "t.toml");
  REQUIRE_FALSE(r.scenario);
  REQUIRE_FALSE(r.errors.empty());
  const std::string all = r.FormatErrors();
  return all.substr(0, all.find('\n'));
}

std::string Good(const std::string& tail) { return std::string(kHead) + tail; }

}  // namespace

TEST_CASE("a minimal scenario loads with its defaults", "[loader]") {
  auto r = LoadScenarioText(Good("[training]\nepochs = 4\n"), "t.toml");
  REQUIRE(r.scenario);
  const repsim::Scenario& s = *r.scenario;
  CHECK(s.name == "t");
  CHECK(s.base.law.preset == repsim::LawPreset::kRatio2026);  // issue 25: the default law
  CHECK(s.base.params == 1e9);
  CHECK(s.base.sources.at(0).unique_tokens == 25e9);
  CHECK(s.base.basis == repsim::TrainingBasis::kEpochs);
  CHECK(s.output.trajectory_points == 64);
  auto run = repsim::Resolve(s.base);
  REQUIRE(run.ok());
  CHECK(run->tokens == 100e9);
}

TEST_CASE("quantities accept suffixes, case-insensitive", "[loader]") {
  CHECK(*repsim::ParseQuantity("25B") == 25e9);
  CHECK(*repsim::ParseQuantity("1.5t") == 1.5e12);
  CHECK(*repsim::ParseQuantity("400M") == 400e6);
  CHECK(*repsim::ParseQuantity("7k") == 7e3);
  CHECK(*repsim::ParseQuantity("2e9") == 2e9);
  CHECK_FALSE(repsim::ParseQuantity("25Q"));
  CHECK_FALSE(repsim::ParseQuantity("B"));
  CHECK_FALSE(repsim::ParseQuantity(""));
}

TEST_CASE("compute and compute_optimal resolve", "[loader]") {
  auto r = LoadScenarioText(R"([scenario]
name = "t"
[model]
params = "compute_optimal"
[data]
unique_tokens = 1e12
[training]
compute = 1e22
)",
                            "t.toml");
  REQUIRE(r.scenario);
  auto run = repsim::Resolve(r.scenario->base);
  REQUIRE(run.ok());
  const auto alloc = repsim::ComputeOptimal(run->law, 1e22);
  CHECK(run->params == Approx(alloc.params).epsilon(1e-12));
  CHECK(6.0 * run->params * run->tokens == Approx(1e22).epsilon(1e-12));
}

TEST_CASE("bad inputs: exact diagnostics", "[loader]") {
  struct Case {
    const char* what;
    std::string text;
    std::string first_line;
  };
  const Case cases[] = {
      {"malformed TOML", "[scenario\nname = \"t\"\n",
       "t.toml:1:10: error: malformed TOML: Error while parsing table header: expected ']', saw "
       "'\\n'"},
      {"negative epochs", Good("[training]\nepochs = -3\n"),
       "t.toml:8:10: error: training.epochs = -3: must be > 0 and <= 1e+07"},
      {"zero tokens", Good("[training]\ntokens = 0\n"),
       "t.toml:8:10: error: training.tokens = 0: must be >= 1e-30 and <= 1e+30"},
      {"nan epochs", Good("[training]\nepochs = nan\n"),
       "t.toml:8:10: error: training.epochs = nan: must be > 0 and <= 1e+07"},
      {"infinite params",
       std::string("[scenario]\nname = \"t\"\n[model]\nparams = inf\n[data]\n"
                   "unique_tokens = 1e9\n[training]\nepochs = 2\n"),
       "t.toml:4:10: error: model.params = inf: must be >= 1e-30 and <= 1e+30"},
      {"absurd unique tokens",
       std::string("[scenario]\nname = \"t\"\n[model]\nparams = 1e9\n"
                   "[data]\nunique_tokens = 1e300\n[training]\nepochs = 2\n"),
       "t.toml:6:17: error: data.unique_tokens = 1e+300: must be >= 1e-30 and <= 1e+30"},
      {"unknown key with suggestion", Good("[training]\nepochs = 4\nepoch = 5\n"),
       "t.toml:9:1: error: unknown key 'training.epoch', did you mean 'epochs'? (allowed here: "
       "tokens, epochs, compute, weight_decay, dropout)"},
      {"unknown top-level table", Good("[training]\nepochs = 4\n[modifers]\nc_drop = 0.5\n"),
       "t.toml:9:2: error: unknown key 'modifers', did you mean 'modifiers'? (allowed here: "
       "scenario, law, model, data, training, modifiers, output, sweep, compare)"},
      {"both tokens and epochs", Good("[training]\ntokens = 1e9\nepochs = 4\n"),
       "t.toml:9:10: error: training.tokens and training.epochs are both given: give exactly one "
       "of tokens | epochs | compute"},
      {"no training length", Good("[training]\n"),
       "t.toml:7:1: error: training: give exactly one of tokens | epochs | compute"},
      {"wrong type", Good("[training]\nepochs = true\n"),
       "t.toml:8:10: error: training.epochs = true: must be a number"},
      {"unknown objective",
       std::string("[scenario]\nname = \"t\"\n[model]\nparams = 1e9\n"
                   "objective = \"gpt\"\n[data]\nunique_tokens = 1e9\n"
                   "[training]\nepochs = 2\n"),
       "t.toml:5:13: error: model.objective = \"gpt\": must be one of causal | span_corruption | "
       "ul2 | diffusion"},
      {"bad scenario name",
       std::string("[scenario]\nname = \"My Run\"\n[model]\nparams = 1e9\n"
                   "[data]\nunique_tokens = 1e9\n[training]\nepochs = 2\n"),
       "t.toml:2:8: error: scenario.name = \"My Run\": must be 1 to 100 characters of a-z 0-9 . _ "
       "- (it names the results folder)"},
      {"missing model",
       "[scenario]\nname = \"t\"\n[data]\nunique_tokens = 1e9\n[training]\n"
       "epochs = 2\n",
       "t.toml:1:1: error: [model]: required (with params)"},
      {"unknown law preset", Good("[training]\nepochs = 4\n[law]\npreset = \"chinchila2022\"\n"),
       "t.toml:10:10: error: law.preset = \"chinchila2022\": must be one of chinchilla2022 | "
       "besiroglu2024 | muennighoff2023 | kaplan2020 | overfit2026 | ratio2026, did you mean "
       "'chinchilla2022'?"},
      {"kaplan constant on a chinchilla law", Good("[training]\nepochs = 4\n[law]\nn_c = 5\n"),
       "t.toml:10:7: error: law.n_c: not a constant of the ratio2026 law (its constants: E, "
       "A, B, alpha, beta, rd_star, rn_star, overfit_w, overfit_a, overfit_c, overfit_k, "
       "overfit_height, overfit_w2, overfit_a2, overfit_c2, overfit_k2)"},
      {"dropout rate out of range",
       Good("[training]\nepochs = 4\n[training.dropout]\nschedule = \"constant\"\nrate = 1.5\n"),
       "t.toml:11:8: error: training.dropout.rate = 1.5: must be in [0, 1)"},
      {"dropout key the schedule does not use",
       Good("[training]\nepochs = 4\n[training.dropout]\nschedule = \"constant\"\nrate = 0.1\n"
            "start_epoch = 2\n"),
       "t.toml:12:15: error: training.dropout.start_epoch: not used by schedule = \"constant\" "
       "(remove it, or choose a schedule that uses it)"},
      {"step without start",
       Good("[training]\nepochs = 4\n[training.dropout]\nschedule = \"step\"\nrate = 0.1\n"),
       "t.toml:10:12: error: training.dropout.start_epoch: required when schedule = \"step\""},
      {"mixture weights do not sum to 1",
       std::string(
           "[scenario]\nname = \"t\"\n[model]\nparams = 1e9\n[[data.source]]\nname = \"a\"\n"
           "unique_tokens = 1e9\nweight = 0.5\n[[data.source]]\nname = \"b\"\n"
           "unique_tokens = 1e9\nweight = 0.4\n[training]\nepochs = 2\n"),
       "t.toml:5:1: error: data.source weights sum to 0.9: must sum to 1 (within 1e-9)"},
      {"both unique_tokens and sources",
       Good("[[data.source]]\nname = \"a\"\nunique_tokens = 1e9\nweight = 1\n[training]\nepochs = "
            "2\n"),
       "t.toml:7:1: error: data: give either unique_tokens or [[data.source]], not both (a "
       "mixture's sources carry their own unique_tokens)"},
      {"sweep axis on an unknown key",
       Good("[training]\nepochs = 4\n[[sweep.axis]]\nkey = \"training.epoch\"\nvalues = [1, 2]\n"),
       "t.toml:10:7: error: sweep.axis.key = \"training.epoch\": not a numeric scenario key, did "
       "you mean 'training.epochs'?"},
      {"sweep axis value out of range",
       Good(
           "[training]\nepochs = 4\n[[sweep.axis]]\nkey = \"training.epochs\"\nvalues = [1, -2]\n"),
       "t.toml:11:14: error: sweep axis value: training.epochs = -2: must be > 0 and <= 1e+07"},
      {"empty sweep values",
       Good("[training]\nepochs = 4\n[[sweep.axis]]\nkey = \"training.epochs\"\nvalues = []\n"),
       "t.toml:11:10: error: sweep axis 'training.epochs': values must be a non-empty array"},
      {"a sweep of 10^9 points",
       Good("[training]\nepochs = 4\n[[sweep.axis]]\nkey = \"training.epochs\"\n"
            "range = { from = 1, to = 100, steps = 100000 }\n[[sweep.axis]]\n"
            "key = \"data.unique_tokens\"\nrange = { from = 1e9, to = 1e12, steps = 10000 }\n"),
       "t.toml:9:1: error: sweep: the grid has 1e+09 points; at most 1e+08 are accepted (split "
       "it into several scenario files)"},
      {"compare with an unknown key",
       Good("[training]\nepochs = 4\n[[compare]]\nname = \"a\"\n\"training.dropout.rat\" = 0.1\n"),
       "t.toml:11:1: error: compare 'a': unknown key 'training.dropout.rat', did you mean "
       "'training.dropout.rate'?"},
      {"trajectory points", Good("[training]\nepochs = 4\n[output]\ntrajectory_points = 1\n"),
       "t.toml:10:21: error: output.trajectory_points = 1: must be a whole number from 2 to "
       "100000"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    CHECK(FirstError(c.text) == c.first_line);
  }
}

TEST_CASE("diagnostics show the line and a caret under the column", "[loader]") {
  auto r = LoadScenarioText(Good("[training]\nepochs = -3\n"), "t.toml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.FormatErrors() ==
        "t.toml:8:10: error: training.epochs = -3: must be > 0 and <= 1e+07\n"
        "    8 | epochs = -3\n"
        "      |          ^\n");
}

TEST_CASE("several independent mistakes are all reported", "[loader]") {
  auto r = LoadScenarioText(R"([scenario]
name = "t"
[model]
parms = 1e9
objective = "ul3"
[data]
unique_tokens = "25Q"
[training]
epochs = 4
)",
                            "t.toml");
  REQUIRE(r.errors.size() == 4);
  CHECK(r.errors[0].message.find("unknown key 'model.parms', did you mean 'params'?") == 0);
  CHECK(r.errors[1].message.find("model.params: required") == 0);
  CHECK(r.errors[2].message.find("did you mean 'ul2'?") != std::string::npos);
  CHECK(r.errors[3].message.find("data.unique_tokens = \"25Q\"") == 0);
}

TEST_CASE("unreadable files are reported without a position", "[loader]") {
  auto r = repsim::io::LoadScenarioFile("/nonexistent/x.toml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.FormatErrors() ==
        "/nonexistent/x.toml: error: cannot read the file: No such file or directory\n");
}

namespace {

const char* kMixture = R"([scenario]
name = "mix"
[model]
params = "7B"
[[data.source]]
name = "web"
unique_tokens = "2T"
weight = 0.8
[[data.source]]
name = "code"
unique_tokens = "50B"
weight = 0.2
[training]
tokens = "1.4T"
)";

}  // namespace

TEST_CASE("a mixture's sources can be swept and compared by name", "[loader]") {
  auto r = LoadScenarioText(std::string(kMixture) + R"([[sweep.axis]]
key = "data.source.code.weight"
values = [0.05, 0.5]
[[compare]]
name = "more code"
"data.source.code.unique_tokens" = "100B"
"data.source.web.quality" = 0.9
)",
                            "mix.toml");
  INFO(r.FormatErrors());
  REQUIRE(r.scenario);
  const repsim::Scenario& s = *r.scenario;
  REQUIRE(s.sweep.size() == 1);
  CHECK(s.sweep[0].key == "data.source.code.weight");
  // Setting one weight keeps the others' proportions: web gets the rest.
  repsim::RunSpec spec = s.base;
  REQUIRE_FALSE(repsim::SetNumber(spec, "data.source.code.weight", 0.05));
  auto run = repsim::Resolve(spec);
  REQUIRE(run);
  CHECK(run.value().sources[0].name == "web");
  CHECK(run.value().sources[0].weight == Approx(0.95).epsilon(1e-15));
  CHECK(run.value().sources[1].weight == 0.05);
  CHECK(*repsim::GetNumber(spec, "data.source.code.weight") == 0.05);
  REQUIRE(s.compare.size() == 1);
  CHECK(s.compare[0].spec.sources[1].unique_tokens == 100e9);
  CHECK(s.compare[0].spec.sources[0].quality == 0.9);
  CHECK(s.compare[0].spec.sources[0].unique_tokens == 2e12);  // untouched
}

TEST_CASE("source keys: exact diagnostics", "[loader]") {
  // kMixture is 14 lines: the axis table is line 15, its key line 16, its values line 17.
  const std::string mix(kMixture);
  auto err = [](const std::string& text) {
    auto r = LoadScenarioText(text, "t.toml");
    REQUIRE_FALSE(r.scenario);
    const std::string all = r.FormatErrors();
    return all.substr(0, all.find('\n'));
  };
  CHECK(err(mix + "[[sweep.axis]]\nkey = \"data.source.cod.weight\"\nvalues = [0.1]\n") ==
        "t.toml:16:7: error: sweep.axis.key = \"data.source.cod.weight\": no data source named "
        "'cod' (sources: web, code), did you mean 'data.source.code.weight'?");
  CHECK(err(mix + "[[sweep.axis]]\nkey = \"data.source.code.weigth\"\nvalues = [0.1]\n") ==
        "t.toml:16:7: error: sweep.axis.key = \"data.source.code.weigth\": not a numeric scenario "
        "key, did you mean 'data.source.code.weight'?");
  CHECK(err(mix + "[[sweep.axis]]\nkey = \"data.source.code.weight\"\nvalues = [1.0]\n") ==
        "t.toml:17:11: error: data.source.code.weight = 1: must be in (0, 1): the other sources "
        "keep a share");
  CHECK(err(mix + "[[compare]]\nname = \"x\"\n\"data.source.wbe.quality\" = 2\n") ==
        "t.toml:17:1: error: compare 'x': no data source named 'wbe' (sources: web, code), did you "
        "mean 'data.source.web.quality'?");
  // One weight per point: setting one rescales the others, so a second would undo it.
  CHECK(
      err(mix + "[[sweep.axis]]\nkey = \"data.source.code.weight\"\nvalues = [0.1]\n"
                "[[sweep.axis]]\nkey = \"data.source.web.weight\"\nvalues = [0.5]\n") ==
      "t.toml:19:7: error: sweep.axis.key = \"data.source.web.weight\": another axis already sets "
      "a source's weight (data.source.code.weight); set one weight, the others follow in "
      "proportion");
  CHECK(err(mix + "[[compare]]\nname = \"x\"\n\"data.source.code.weight\" = 0.3\n"
                  "\"data.source.web.weight\" = 0.7\n") ==
        "t.toml:18:1: error: compare 'x': sets two sources' weights (data.source.code.weight and "
        "data.source.web.weight); set one, the others follow in proportion");
  // kHead's data is one source: the source keys do not apply (line 10: the axis key).
  CHECK(err(Good("[training]\nepochs = 4\n[[sweep.axis]]\nkey = \"data.source.web.weight\"\n"
                 "values = [0.5]\n")) ==
        "t.toml:10:7: error: sweep.axis.key = \"data.source.web.weight\": this scenario's data is "
        "one source (data.unique_tokens), not a mixture of [[data.source]]");
}

TEST_CASE("range axes hold the decimal values a user means", "[loader]") {
  auto r = LoadScenarioText(Good(R"([training]
epochs = 4
[[sweep.axis]]
key = "training.epochs"
range = { from = 0.05, to = 0.6, steps = 12, scale = "linear" }
[[sweep.axis]]
key = "data.unique_tokens"
range = { from = 1e8, to = 1e13, steps = 6, scale = "log" }
)"),
                            "t.toml");
  INFO(r.FormatErrors());
  REQUIRE(r.scenario);
  const auto& axes = r.scenario->sweep;
  REQUIRE(axes.size() == 2);
  const std::vector<double> linear = {0.05, 0.1, 0.15, 0.2, 0.25, 0.3,
                                      0.35, 0.4, 0.45, 0.5, 0.55, 0.6};
  const std::vector<double> decades = {1e8, 1e9, 1e10, 1e11, 1e12, 1e13};
  CHECK(axes[0].values == linear);   // exactly: not 0.19999999999999996
  CHECK(axes[1].values == decades);  // exactly: not 999999999.9999998
}

TEST_CASE("[[compare]] variants are capped at 1000 (issue 22)", "[loader]") {
  std::string many = Good("[training]\nepochs = 4\n");
  for (int i = 0; i < 1001; ++i) many += "[[compare]]\nname = \"v" + std::to_string(i) + "\"\n";
  CHECK(FirstError(many).find("1001 [[compare]] variants: at most 1000 are accepted") !=
        std::string::npos);
  CHECK(FirstError(many).rfind("t.toml:", 0) == 0);
}
