// report.md's cells for people: an empty text cell is "—" (not "not found",
// which means a solve that found nothing), and an extrapolation factor never
// reads "1x" (the point is outside the fitted domain, however little).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/cli_util.h"
#include "repsim/law.h"

using namespace repsim;
using repsim::test::ReadFile;
using repsim::test::RunRepsim;
using repsim::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("an extrapolation factor has the digits that tell it from 1", "[extrapolation]") {
  // muennighoff2023's largest model: 8.67e9 parameters (MODEL.md §8). Tokens,
  // unique tokens, epochs (10) and params per unique token inside the domain.
  const LawDomain& d = FittedDomain(LawPreset::kMuennighoff2023);
  REQUIRE(d.params_max == 8.67e9);
  // 8.7 / 8.67 = 1.00346...: three digits would print "1x".
  CHECK(Extrapolation(d, 8.7e9, 1e11, 1e10) == "params 1.003x above 8.67e+09");
  // 1 + 1e-7 needs eight digits.
  CHECK(Extrapolation(d, 8.67e9 * (1 + 1e-7), 1e11, 1e10) == "params 1.0000001x above 8.67e+09");
  // Away from 1, three digits as before: 1e11 / 8.67e9 = 11.534...
  CHECK(Extrapolation(d, 1e11, 1e11, 1e10) == "params 11.5x above 8.67e+09");
  // On the bound is inside.
  CHECK(Extrapolation(d, 8.67e9, 1e11, 1e10).empty());
}

TEST_CASE("report.md: an empty text cell is a dash, an unsolved number 'not found'",
          "[extrapolation][cli]") {
  TempDir tmp;
  auto run = [&](const std::string& name, const std::string& params) {
    const fs::path file = tmp.path() / (name + ".toml");
    std::ofstream(file) << "[scenario]\nname = \"" << name
                        << "\"\n[law]\npreset = \"muennighoff2023\"\n[model]\nparams = " << params
                        << "\n[data]\nunique_tokens = 1e10\n[training]\nepochs = 10\n"
                           "[output]\nplots = false\n";
    const auto r = RunRepsim("run --quiet --out '" + tmp.str() + "' '" + file.string() + "'");
    INFO(r.err);
    REQUIRE(r.code == 0);
    return ReadFile(tmp.path() / name / "report.md");
  };
  const std::string inside = run("inside", "1e9");
  CHECK(inside.find("| extrapolation | — |") != std::string::npos);
  CHECK(inside.find("not found") == std::string::npos);
  const std::string outside = run("just-outside", "8.7e9");
  CHECK(outside.find("| extrapolation | params 1.003x above 8.67e+09 |") != std::string::npos);
}
