// The extrapolation column beyond summary/compare/sweep (issue 14): every
// trajectory.csv row and every row of `repsim plan table` / `plan allocate`
// (text, CSV, JSON) says which fitted ranges it is outside of. Expected
// factors by hand from the domains MODEL.md §8 states (muennighoff2023:
// params <= 8.67e9, tokens 1e8 to 9e11, unique tokens <= 1.78e11, <= 10.96
// params per unique token; chinchilla2022: 70M-16B params, 5B-500B tokens).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"

using repsim::test::ReadFile;
using repsim::test::RunRepsim;
using repsim::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string LastCell(const std::string& line) {  // the last CSV cell, unquoted
  if (!line.empty() && line.back() == '"') {
    const size_t open = line.rfind(",\"");
    return line.substr(open + 2, line.size() - open - 3);
  }
  return line.substr(line.rfind(',') + 1);
}

}  // namespace

TEST_CASE("trajectory.csv says which rows are extrapolations", "[trust][cli]") {
  TempDir tmp;
  std::ofstream(tmp.path() / "big.toml") << R"([scenario]
name = "big"
[law]
preset = "muennighoff2023"
[model]
params = "100B"
[data]
unique_tokens = "1B"
[training]
tokens = "10B"
[output]
trajectory_points = 5
)";
  auto r = RunRepsim("run '" + tmp.str() + "/big.toml' --quiet --out '" + tmp.str() + "'");
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto rows = Lines(ReadFile(tmp.path() / "big/trajectory.csv"));
  REQUIRE(rows.size() == 6);
  CHECK(rows[0].substr(rows[0].rfind(',') + 1) == "extrapolation");
  // 1e11 / 8.67e9 = 11.5; 100 params per unique token / 10.96 = 9.12; the
  // first point (1e7 tokens) is also 10x below the smallest token count.
  CHECK(LastCell(rows[1]) ==
        "params 11.5x above 8.67e+09; tokens 10x below 1e+08; params_per_unique_token 9.12x "
        "above 11");
  CHECK(LastCell(rows[5]) == "params 11.5x above 8.67e+09; params_per_unique_token 9.12x above 11");
  // The last row is the run itself: the same text as summary.csv's column.
  const auto summary = Lines(ReadFile(tmp.path() / "big/summary.csv"));
  CHECK(summary[1].find(LastCell(rows[5])) != std::string::npos);

  // Inside the domain: empty cells.
  std::ofstream(tmp.path() / "small.toml") << R"([scenario]
name = "small"
[law]
preset = "muennighoff2023"
[model]
params = "1B"
[data]
unique_tokens = "10B"
[training]
tokens = "40B"
[output]
trajectory_points = 3
)";
  REQUIRE(RunRepsim("run '" + tmp.str() + "/small.toml' --quiet --out '" + tmp.str() + "'").code ==
          0);
  const auto small = Lines(ReadFile(tmp.path() / "small/trajectory.csv"));
  REQUIRE(small.size() == 4);
  CHECK(small[3].back() == ',');  // 40B tokens: inside, empty last cell
}

TEST_CASE("plan table and plan allocate carry an extrapolation column", "[trust][plan][cli]") {
  // Table 3's 1T row under chinchilla2022's domain: 1e12 / 1.6e10 = 62.5,
  // 21.2T tokens / 5e11 = 42.5.
  auto table = RunRepsim("plan table --format csv");
  REQUIRE(table.code == 0);
  const auto rows = Lines(table.out);
  CHECK(LastCell(rows[0]) == "extrapolation");
  CHECK(LastCell(rows[1]).empty());  // 400M on 8B tokens: inside
  bool found = false;
  for (const std::string& l : rows) {
    if (l.rfind("1000000000000,", 0) == 0) {
      found = true;
      CHECK(LastCell(l) == "params 62.5x above 1.6e+10; tokens 42.5x above 5e+11");
    }
  }
  CHECK(found);
  auto text = RunRepsim("plan table --law muennighoff2023 --params 100M,100B");
  REQUIRE(text.code == 0);
  CHECK_THAT(text.out, Catch::Contains("params 11.5x above 8.67e+09"));

  // plan allocate: every plan row, the floor row none (it is no run).
  auto json = RunRepsim(
      "plan allocate --compute 1e24 --unique-tokens 300B --law muennighoff2023 --format json");
  INFO(json.err);
  REQUIRE(json.code == 0);
  const auto j = Lines(json.out);
  REQUIRE(j.size() == 5);
  CHECK_THAT(j[1], Catch::Contains("\"extrapolation\": \"params "));
  CHECK_THAT(j[2], Catch::Contains("\"extrapolation\": \"params "));
  CHECK_THAT(j[3], Catch::Contains("\"extrapolation\": \"\""));
  // 300B unique tokens / 1.78e11 = 1.69 in every plan row.
  CHECK_THAT(j[1], Catch::Contains("unique_tokens 1.69x above 1.78e+11"));
  auto csv = RunRepsim(
      "plan allocate --compute 1e24 --unique-tokens 300B --law muennighoff2023 --format csv");
  REQUIRE(csv.code == 0);
  CHECK(LastCell(Lines(csv.out)[0]) == "extrapolation");
  auto txt = RunRepsim("plan allocate --compute 1e24 --unique-tokens 300B --law muennighoff2023");
  REQUIRE(txt.code == 0);
  CHECK_THAT(txt.out, Catch::Contains("extrapolation"));
}
