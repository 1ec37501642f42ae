// Inputs no law could mean (include/repsim/plausibility.h): unit slips and
// losses above the cap are located errors with a suggestion, allowed on
// request; contradictions are errors always. Thresholds from the papers'
// smallest runs (law_domain.cpp): Muennighoff et al. 2023's 7.099e6-param
// model, 1e8 tokens; Kaplan et al. 2020's 22e6-token data sets.
#include <catch2/catch.hpp>
#include <string>

#include "io/scenario_loader.h"

using repsim::io::LoadOptions;
using repsim::io::LoadScenarioText;

namespace {

std::string Scenario(const std::string& model, const std::string& data,
                     const std::string& training) {
  return "[scenario]\nname = \"p\"\n[model]\n" + model + "\n[data]\n" + data + "\n[training]\n" +
         training + "\n";
}

// The first line of the diagnostics, or "" when the file loads.
std::string FirstError(const std::string& text, bool allow = false) {
  auto r = LoadScenarioText(text, "p.toml", {}, LoadOptions{allow});
  if (r.scenario) return "";
  const std::string all = r.FormatErrors();
  return all.substr(0, all.find('\n'));
}

}  // namespace

TEST_CASE("a unit slip in params is an error naming the suffix", "[plausibility]") {
  const std::string text = Scenario("params = 7", "unique_tokens = \"200B\"", "tokens = \"1.4T\"");
  const std::string e = FirstError(text);
  CHECK(e.rfind("p.toml:4:10: error: model.params = 7: ", 0) == 0);
  CHECK(e.find("did you mean params = \"7B\"?") != std::string::npos);
  CHECK(e.find("--allow-implausible") != std::string::npos);
  CHECK(FirstError(text, true).empty());
}

TEST_CASE("unit slips in unique_tokens and tokens name their suffix", "[plausibility]") {
  std::string e = FirstError(Scenario("params = \"1B\"", "unique_tokens = 50", "epochs = 4"));
  CHECK(e.rfind("p.toml:6:17: error: data.unique_tokens = 50: ", 0) == 0);
  CHECK(e.find("did you mean unique_tokens = \"50B\"?") != std::string::npos);
  e = FirstError(Scenario("params = \"1B\"", "unique_tokens = \"10B\"", "tokens = 2"));
  CHECK(e.rfind("p.toml:8:10: error: training.tokens = 2: ", 0) == 0);
  CHECK(e.find("did you mean tokens = \"2B\"?") != std::string::npos);
}

TEST_CASE("inputs small but within 1000x of measured runs still load", "[plausibility]") {
  // 7.1e3 params is 1000x below the smallest fitted model: the boundary.
  CHECK(FirstError(Scenario("params = 2e7", "unique_tokens = 1e8", "epochs = 4")).empty());
  CHECK(FirstError(Scenario("params = \"7B\"", "unique_tokens = \"200B\"", "tokens = \"1.4T\""))
            .empty());
}

TEST_CASE("a loss above the law's cap is an error", "[plausibility]") {
  // N = 1e5 (71x below the smallest model: no unit slip) on D = U = 1e6:
  // L = 1.87 + 521 / 1e5^0.3527 + 1488 / 1e6^0.3527 ~ 22 nats > loss_cap = 11
  // (Muennighoff et al. 2023's constants, which overfit2026 keeps for L(N, D)).
  const std::string text = Scenario("params = 1e5", "unique_tokens = 1e6", "tokens = 1e6");
  const std::string e = FirstError(text);
  CHECK(e.rfind("p.toml:4:10: error: loss_unique = ", 0) == 0);
  CHECK(e.find("above 11, the loss") != std::string::npos);
  CHECK(FirstError(text, true).empty());
  // The file can say it means it.
  std::string allowed = text;
  allowed.insert(allowed.find("[model]"), "allow_implausible = true\n");
  CHECK(FirstError(allowed).empty());
}

TEST_CASE("a dropout window outside the run is an error, allowed or not", "[plausibility]") {
  const std::string step =
      Scenario("params = \"7B\"", "unique_tokens = \"10B\"",
               "epochs = 4\n[training.dropout]\nschedule = \"step\"\nrate = 0.1\nstart_epoch = 10");
  const std::string e = FirstError(step);
  CHECK(e ==
        "p.toml:12:15: error: training.dropout.start_epoch = 10: the run ends at epoch 4, so "
        "dropout never starts (must be < 4)");
  CHECK(FirstError(step, true) == e);
  const std::string early =
      Scenario("params = \"7B\"", "unique_tokens = \"10B\"",
               "epochs = 4\n[training.dropout]\nschedule = \"early\"\nrate = 0.1\nend_epoch = 6");
  CHECK(FirstError(early).find("training.dropout.end_epoch = 6: the run ends at epoch 4, so "
                               "early dropout never ends") != std::string::npos);
  // Inside the run: fine.
  CHECK(FirstError(Scenario("params = \"7B\"", "unique_tokens = \"10B\"",
                            "epochs = 4\n[training.dropout]\nschedule = \"step\"\nrate = "
                            "0.1\nstart_epoch = 3.5"))
            .empty());
}

TEST_CASE("active_params above params is an error unless allowed", "[plausibility]") {
  const std::string text = Scenario("params = \"7B\"\nactive_params = \"13B\"",
                                    "unique_tokens = \"200B\"", "epochs = 4");
  const std::string e = FirstError(text);
  CHECK(e.rfind("p.toml:5:17: error: model.active_params = 1.3e+10: above model.params = 7e+09",
                0) == 0);
  CHECK(FirstError(text, true).empty());
}

TEST_CASE("a [[compare]] variant is checked too", "[plausibility]") {
  const std::string text = Scenario("params = \"7B\"", "unique_tokens = \"200B\"", "epochs = 4") +
                           "[[compare]]\nname = \"slip\"\n\"model.params\" = 7\n";
  CHECK(FirstError(text).find("error: compare 'slip': model.params = 7: ") != std::string::npos);
}
