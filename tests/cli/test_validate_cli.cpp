// `repsim validate` and `repsim fit --form overfit` end to end: the real
// binary, exit codes, messages, formats and the --out files.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "cli_util.h"

using repsim::test::ReadFile;
using repsim::test::RunRepsim;
using repsim::test::TempDir;

namespace {
const std::string kRuns =
    " '" + std::string(REPSIM_SOURCE_DIR) + "/tests/data/fit/muennighoff2023_all_runs.csv'";
}  // namespace

TEST_CASE("repsim validate --help states the pairing rule and the evaluations", "[validate-cli]") {
  const auto r = RunRepsim("validate --help");
  CHECK(r.code == 0);
  for (const char* s : {"--group-by", "--law", "--form", "--folds", "--seed", "--format", "--out",
                        "seed repeats", "unique_tokens >= tokens", "86 pairs", "cv:"}) {
    CHECK_THAT(r.out, Catch::Contains(s));
  }
}

TEST_CASE("repsim validate: one table with the issue's keys, fixed presets in-sample",
          "[validate-cli]") {
  const auto r = RunRepsim("validate" + kRuns +
                           " --group-by dedup --law muennighoff2023 --law chinchilla2022 "
                           "--format csv");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("candidate,evaluation,pairs,median_abs_error_pp,"
                                      "mean_abs_error_pp,max_abs_error_pp\n"));
  CHECK_THAT(r.out, Catch::Contains("muennighoff2023,in-sample,86,2.98407,21.8734,263.161"));
  CHECK_THAT(r.out, Catch::Contains("chinchilla2022,in-sample,86,"));
}

TEST_CASE("repsim validate --out writes residuals, the table and the parity plot",
          "[validate-cli]") {
  TempDir dir;
  const std::string out = dir.str() + "/v";
  const auto r =
      RunRepsim("validate" + kRuns +
                " --group-by dedup --law muennighoff2023 --folds 3 --seed 4 --out '" + out + "'");
  REQUIRE(r.code == 0);
  const std::string residuals = ReadFile(out + "/residuals.csv");
  CHECK_THAT(residuals, Catch::StartsWith("candidate,evaluation,dedup,params,tokens,"));
  CHECK_THAT(residuals, Catch::Contains("muennighoff2023,cv:3-fold,0,"));
  const std::string gp = ReadFile(out + "/parity.gp");
  CHECK_THAT(gp, Catch::Contains("set logscale xy"));
  CHECK_THAT(gp, Catch::Contains("y = x"));
  CHECK(std::filesystem::exists(out + "/validation.csv"));
}

TEST_CASE("repsim validate: bad input exits 2 naming the flag or column", "[validate-cli]") {
  struct Bad {
    std::string args, message;
  };
  for (const Bad& b : std::vector<Bad>{
           {"validate", "no runs file given"},
           {"validate" + kRuns + " --law muenighoff2023", "did you mean 'muennighoff2023'?"},
           {"validate" + kRuns + " --form chinchilla", "unknown form"},
           {"validate" + kRuns + " --folds param", "did you mean 'params'?"},
           {"validate" + kRuns + " --folds 1", "K must be from 2"},
           {"validate" + kRuns + " --group-by dedupe", "--group-by dedupe: no such column"},
           {"validate" + kRuns + " --format xml", "unknown format"},
           {"validate /nonexistent.csv", "cannot open"},
       }) {
    const auto r = RunRepsim(b.args);
    INFO(b.args);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(b.message));
  }
}

TEST_CASE("repsim fit --form overfit gives overfit2026's constants as a [law] table",
          "[validate-cli]") {
  const auto r = RunRepsim("fit" + kRuns + " --form overfit --group-by dedup --format toml");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("preset = \"overfit2026\""));
  CHECK_THAT(r.out, Catch::Contains("rd_star = 20.4436"));
  CHECK_THAT(r.out, Catch::Contains("overfit_k = 1.1399"));
}
