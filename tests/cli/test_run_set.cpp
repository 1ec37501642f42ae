// `repsim run --set KEY=VALUE`, `--format json` and `-` (standard input).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_util.h"

using repsim::test::ReadFile;
using repsim::test::RunRepsim;
using repsim::test::TempDir;

namespace {

const std::string kScenario = "scenarios/t5-base-token-crisis.toml";

// A mixture scenario with two sources, written to `dir`.
std::string MixtureScenario(const TempDir& dir) {
  std::string path = dir.str() + "/mix.toml";
  std::ofstream(path) << R"([scenario]
name = "mix"
[model]
params = "1B"
[[data.source]]
name = "web"
unique_tokens = "10B"
weight = 0.75
[[data.source]]
name = "code"
unique_tokens = "2B"
weight = 0.25
[training]
tokens = "40B"
[output]
plots = false
)";
  return path;
}

// Replaces the first "key = old" line of `text` with "key = value".
std::string Edit(std::string text, const std::string& old_line, const std::string& new_line) {
  const size_t at = text.find(old_line);
  REQUIRE(at != std::string::npos);
  return text.replace(at, old_line.size(), new_line);
}

}  // namespace

TEST_CASE("run --set equals editing the file", "[cli][set]") {
  TempDir dir;
  const std::string original = ReadFile(std::string(REPSIM_SOURCE_DIR) + "/" + kScenario);
  const std::string edited_path = dir.str() + "/edited.toml";
  // The file follows the default law: the edit adds a [law] table.
  std::ofstream(edited_path) << Edit(
      original, "[model]\nparams = 2.5e8",
      "[law]\npreset = \"chinchilla2022\"\n\n[model]\nparams = \"7B\"");
  const auto by_set = RunRepsim("run " + kScenario +
                                " --set law.preset=chinchilla2022 --set model.params=7B --out '" +
                                dir.str() + "/a' --quiet");
  const auto by_file = RunRepsim("run '" + edited_path + "' --out '" + dir.str() + "/b' --quiet");
  REQUIRE(by_file.code == 0);
  REQUIRE(by_set.code == 0);
  const std::string name = "/t5-base-token-crisis/summary.csv";
  CHECK(ReadFile(dir.str() + "/a" + name) == ReadFile(dir.str() + "/b" + name));
  CHECK_THAT(ReadFile(dir.str() + "/a" + name), Catch::Contains("chinchilla2022"));
}

TEST_CASE("run --set: a later set wins, a training basis replaces the file's", "[cli][set]") {
  TempDir dir;
  const auto r = RunRepsim("run " + kScenario + " --set training.epochs=4 --set training.epochs=8" +
                           " --format json --quiet --out '" + dir.str() + "'");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("\"epochs\": 8,"));
}

TEST_CASE("run --set of a mixture source", "[cli][set]") {
  TempDir dir;
  const std::string mix = MixtureScenario(dir);
  const auto ok = RunRepsim("run '" + mix + "' --set data.source.code.unique_tokens=4B " +
                            "--format json --quiet --out '" + dir.str() + "/out'");
  REQUIRE(ok.code == 0);
  CHECK_THAT(ok.out, Catch::Contains("\"unique_tokens\": 14000000000"));
  const auto typo = RunRepsim("check '" + mix + "' --set data.source.cod.weight=0.5");
  CHECK(typo.code == 2);
  CHECK_THAT(typo.err,
             Catch::Contains("--set data.source.cod.weight=0.5: error: no [[data.source]] "
                             "named 'cod', did you mean 'code'? (sources: web, code)"));
  const auto plain = RunRepsim("check " + kScenario + " --set data.source.web.weight=0.5");
  CHECK(plain.code == 2);
  CHECK_THAT(plain.err, Catch::Contains("has no [[data.source]] mixture"));
}

TEST_CASE("run --set is validated like the file, the diagnostic naming the --set", "[cli][set]") {
  // `at`: where in the assignment the caret goes (0-based), counted by hand:
  // the value for a bad value, the key part for a bad key.
  struct Case {
    std::string set, message;
    size_t at;
  };
  for (const Case& c : {
           Case{"training.epochs=-3",
                "--set training.epochs=-3: error: training.epochs = -3: "
                "must be > 0",
                16},
           Case{"training.epoch=3",
                "--set training.epoch=3: error: unknown key "
                "'training.epoch', did you mean 'epochs'?",
                9},
           Case{"law.preset=chinch",
                "--set law.preset=chinch: error: law.preset = \"chinch\": "
                "must be one of",
                11},
           Case{"model.params=7Q", "--set model.params=7Q: error: model.params = \"7Q\"", 13},
           Case{"model.objective=true",
                "--set model.objective=true: error: model.objective = "
                "true",
                16},
           Case{"nokey", "--set nokey: error: expected KEY=VALUE", 0},
           Case{"a..b=1", "--set a..b=1: error: 'a..b' is not a key", 2},
           Case{"model.params.x=1", "--set model.params.x=1: error: model.params is not a table",
                13},
       }) {
    INFO(c.set);
    TempDir dir;
    const auto r =
        RunRepsim("run " + kScenario + " --set '" + c.set + "' --out '" + dir.str() + "/out'");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith(kScenario + ": "));
    CHECK_THAT(r.err, Catch::Contains(c.message));
    // The same shape as an error in the file: the offending text, a caret
    // under the bad part ("--set " is 6 characters).
    CHECK_THAT(r.err, Catch::Contains("\n      | --set " + c.set + "\n      | " +
                                      std::string(6 + c.at, ' ') + "^\n"));
    CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));
  }
}

TEST_CASE("run --format json prints summary.json, several files an array", "[cli][json]") {
  TempDir dir;
  const auto one = RunRepsim("run " + kScenario + " --format json --out '" + dir.str() + "'");
  REQUIRE(one.code == 0);
  CHECK(one.out == ReadFile(dir.path() / "t5-base-token-crisis" / "summary.json"));
  CHECK_THAT(one.err, Catch::Contains("results written to"));  // notes go to stderr
  const auto two = RunRepsim("run " + kScenario +
                             " scenarios/muennighoff-4-epochs.toml --format json --quiet --out '" +
                             dir.str() + "'");
  REQUIRE(two.code == 0);
  CHECK_THAT(two.out, Catch::StartsWith("[\n{"));
  CHECK_THAT(two.out, Catch::EndsWith("}\n]\n"));
  CHECK(two.err.empty());
  const auto bad = RunRepsim("run " + kScenario + " --format yaml");
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--format = 'yaml': unknown format"));
}

TEST_CASE("run - reads the scenario from standard input", "[cli][stdin]") {
  TempDir dir;
  const auto piped = RunRepsim("run - --quiet --out '" + dir.str() + "/a' < " + kScenario);
  const auto file = RunRepsim("run " + kScenario + " --quiet --out '" + dir.str() + "/b'");
  REQUIRE(file.code == 0);
  CHECK(piped.code == 0);
  const std::string name = "/t5-base-token-crisis/summary.csv";
  CHECK(ReadFile(dir.str() + "/a" + name) == ReadFile(dir.str() + "/b" + name));
  const std::string bad_path = dir.str() + "/bad.toml";
  std::ofstream(bad_path) << "[scenario]\nname = 3\n";
  const auto bad = RunRepsim("check - < '" + bad_path + "'");
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::StartsWith("<stdin>:"));
  const auto twice = RunRepsim("check - - < " + kScenario);
  CHECK(twice.code == 2);
  CHECK_THAT(twice.err, Catch::Contains("'-' (standard input) given more than once"));
}
