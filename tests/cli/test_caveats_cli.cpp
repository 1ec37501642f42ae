// Issue 21 at the command line: caveats in every output of `repsim run`
// (summary.json, caveats.csv, the terminal), --strict-verdicts, and
// `plan allocate` with the data limit and with --weight-decay.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_util.h"

using repsim::test::ReadFile;
using repsim::test::RunRepsim;
using repsim::test::TempDir;
namespace fs = std::filesystem;

namespace {

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const char* kScenario = "scenarios/weight-decay/token-crisis-dropout-vs-weight-decay.toml";

}  // namespace

TEST_CASE("run: every assumption line is in summary.json and caveats.csv", "[caveats][cli]") {
  TempDir out;
  auto r =
      RunRepsim(std::string("run ") + kScenario + " --wide --out '" + out.path().string() + "'");
  INFO(r.err);
  REQUIRE(r.code == 0);
  const fs::path dir = out.path() / "token-crisis-dropout-vs-weight-decay";
  const std::string json = ReadFile(dir / "summary.json");
  const std::string csv = ReadFile(dir / "caveats.csv");
  size_t lines = 0;
  for (size_t p = r.out.find("assumption: "); p != std::string::npos;
       p = r.out.find("assumption: ", p + 1)) {
    const size_t end = r.out.find('\n', p);
    const std::string text = r.out.substr(p + 12, end - p - 12);
    INFO(text);
    CHECK(Contains(json, "\"text\": \"" + text + "\""));
    CHECK(Contains(csv, text));
    ++lines;
  }
  CHECK(lines >= 4);
  CHECK(Contains(json, "\"kind\": \"ranking_flip\""));
  CHECK(Contains(json, "\"threshold\": "));
  CHECK(Contains(json, "\"range\": [0, 1]"));
}

TEST_CASE("run --strict-verdicts: exit 3 and nothing written when a ranking flips",
          "[caveats][cli]") {
  TempDir out;
  auto r = RunRepsim(std::string("run ") + kScenario + " --strict-verdicts --out '" +
                     out.path().string() + "'");
  CHECK(r.code == 3);
  CHECK(Contains(r.err, "--strict-verdicts"));
  CHECK(Contains(r.err, "ranking can flip"));
  CHECK_FALSE(fs::exists(out.path() / "token-crisis-dropout-vs-weight-decay"));
  // A scenario with no [[compare]] has no verdict to flip.
  auto ok = RunRepsim("run scenarios/t5-base-token-crisis.toml --strict-verdicts --quiet --out '" +
                      out.path().string() + "'");
  INFO(ok.err);
  CHECK(ok.code == 0);
}

TEST_CASE("plan allocate: the issue's commands say where compute stops helping", "[plan][cli]") {
  auto r = RunRepsim("plan allocate --compute 1e26 --unique-tokens 50B --wide");
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(Contains(r.err, "more compute does not lower the loss on 50B unique tokens"));
  CHECK(Contains(r.out, "unused_flops"));
  // Without --wide the note wraps at 100 columns like the tables.
  auto narrow = RunRepsim("plan allocate --compute 1e26 --unique-tokens 50B");
  CHECK(narrow.code == 0);
  for (size_t at = 0, end; at < narrow.err.size(); at = end + 1) {
    end = narrow.err.find('\n', at);
    if (end == std::string::npos) end = narrow.err.size();
    INFO(narrow.err.substr(at, end - at));
    CHECK(end - at <= 100);
  }
  auto csv = RunRepsim("plan allocate --compute 1e26 --unique-tokens 50B --format csv");
  CHECK(Contains(csv.out, "unused_flops,unused_because"));
  auto help = RunRepsim("plan allocate --help");
  CHECK_FALSE(Contains(help.out, "has no overfitting term, so its loss keeps falling"));
  auto wd = RunRepsim("plan allocate --compute 1e24 --unique-tokens 50B --weight-decay 1.0");
  CHECK(wd.code == 0);
  CHECK(Contains(wd.out, "weight decay 1 (overfitting x0.3)"));
  auto none = RunRepsim(
      "plan allocate --compute 1e24 --unique-tokens 50B --weight-decay 1 --law muennighoff2023");
  CHECK(Contains(none.err, "has no effect"));
  auto bad = RunRepsim("plan allocate --compute 1e24 --unique-tokens 50B --weight-decay -1");
  CHECK(bad.code == 2);
}

TEST_CASE("weight decay by --set, and data_constrained_optimal past what U can use",
          "[weight_decay][cli]") {
  TempDir out;
  // --set training.weight_decay keeps the file's training length (it is no basis).
  auto r = RunRepsim(
      "run scenarios/t5-base-token-crisis.toml --quiet --set "
      "training.weight_decay=1 --out '" +
      out.path().string() + "'");
  INFO(r.err);
  REQUIRE(r.code == 0);
  const std::string json = ReadFile(out.path() / "t5-base-token-crisis" / "summary.json");
  CHECK(Contains(json, "\"weight_decay\": 1,"));
  CHECK(Contains(json, "\"epochs\": 256,"));
  CHECK(Contains(json, "\"assumption\": \"weight_decay_factor\""));
  // 1e26 FLOPs on 50B unique tokens: the run trains the best plan within the
  // budget (the default law stops at ~2e23) and says what it leaves unused.
  const fs::path toml = out.path() / "dc.toml";
  {
    std::ofstream f(toml);
    f << "[scenario]\nname = \"dc\"\n[model]\nparams = \"data_constrained_optimal\"\n"
         "[data]\nunique_tokens = \"50B\"\n[training]\ncompute = 1e26\n[output]\nplots = false\n";
  }
  auto dc = RunRepsim("run '" + toml.string() + "' --out '" + out.path().string() + "'");
  INFO(dc.out << dc.err);
  REQUIRE(dc.code == 0);
  CHECK(Contains(dc.out, "more compute does not lower the loss"));
  const std::string dcj = ReadFile(out.path() / "dc" / "summary.json");
  CHECK(Contains(dcj, "FLOPs unused"));
  CHECK_FALSE(Contains(dcj, "\"compute\": 1e+26"));
}
