// Small promises of the outputs (issue 24): numbers as typed, not float
// noise; each law constant credited to its true source; report.md's pivot
// says what it leaves out.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "cli_util.h"

using repsim::test::ReadFile;
using repsim::test::RunRepsim;
using repsim::test::TempDir;

TEST_CASE("plan allocate --compute 1e24 writes 1e+24, not 1.0000000000000001e+24",
          "[cli][numbers]") {
  for (const char* format : {"json", "csv"}) {
    const auto r = RunRepsim(
        std::string("plan allocate --compute 1e24 --unique-tokens 300B --format ") + format);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("1.0000000000000001e+24") == std::string::npos);
    CHECK(r.out.find("9.999999999999999e+23") == std::string::npos);
    CHECK(r.out.find("1e+24") != std::string::npos);
  }
}

TEST_CASE("a fitted Chinchilla-form law credits R_D* and R_N* to Muennighoff",
          "[cli][provenance]") {
  TempDir dir;
  {
    std::ofstream f(dir.path() / "fitted.toml");
    f << "[scenario]\nname = \"fitted\"\n[law]\npreset = \"chinchilla2022\"\nE = 1.8\nA = 400.0\n"
         "source = \"repsim fit to my runs\"\n[model]\nparams = \"1B\"\n[data]\nunique_tokens = "
         "\"10B\"\n[training]\nepochs = 4\n";
  }
  const auto r = RunRepsim("run '" + dir.str() + "/fitted.toml' --quiet --out '" + dir.str() + "'");
  REQUIRE(r.code == 0);
  const std::string summary = ReadFile(dir.path() / "fitted" / "summary.json");
  CHECK(summary.find("\"law_source\": \"E, A from repsim fit to my runs; B, alpha, beta and the "
                     "form from Hoffmann et al. 2022") != std::string::npos);
  CHECK(summary.find("; rd_star, rn_star from Muennighoff et al. 2023") != std::string::npos);
  // The published preset alone: Hoffmann for its own constants, Muennighoff for the decay.
  const auto plain = RunRepsim(
      "run scenarios/t5-base-token-crisis.toml --quiet --set "
      "law.preset=chinchilla2022 --out '" +
      dir.str() + "'");
  REQUIRE(plain.code == 0);
  const std::string s2 = ReadFile(dir.path() / "t5-base-token-crisis" / "summary.json");
  CHECK(s2.find("approach 3; rd_star, rn_star from Muennighoff et al. 2023") != std::string::npos);
}

TEST_CASE("report.md's pivot says how many rows and columns it shows", "[cli][report]") {
  TempDir dir;
  const auto r =
      RunRepsim("run scenarios/epochs-vs-dataset-size.toml --quiet --out '" + dir.str() + "'");
  REQUIRE(r.code == 0);
  const std::string report = ReadFile(dir.path() / "epochs-vs-dataset-size" / "report.md");
  CHECK(report.find("8 of 40 data.unique_tokens columns and 11 of 40 training.epochs rows "
                    "shown, spread evenly; every point is in sweep.csv.") != std::string::npos);
}
