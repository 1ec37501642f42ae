// One CLI toolkit (src/cli/flags.h): every subcommand parses, abbreviates,
// suggests, reads numbers, fails and documents its exit codes the same way.
// Each inconsistency issue 11 found is a case here, run on the real binary.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"

using repsim::test::ReadFile;
using repsim::test::RunRepsim;
using repsim::test::TempDir;

namespace {

const std::string kScenario = "scenarios/t5-base-token-crisis.toml";
const std::string kFitRuns =
    std::string(REPSIM_SOURCE_DIR) + "/tests/data/fit/chinchilla2022_synthetic.csv";

// Every subcommand, as `repsim --help` and `repsim plan --help` list them
// ("run", ..., "plan table", ...): a new command is covered without being
// named here. A flag error stops a command before it looks at its other
// arguments, so none are needed.
std::vector<std::string> Commands() {
  std::vector<std::string> out;
  auto listed = [](const std::string& help, const std::string& heading) {
    std::vector<std::string> names;
    std::istringstream in(help.substr(help.find(heading + "\n") + heading.size() + 1));
    for (std::string line; std::getline(in, line) && line.rfind("  ", 0) == 0;) {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
    return names;
  };
  for (const std::string& c : listed(RunRepsim("--help").out, "Commands:")) {
    if (c != "plan") out.push_back(c);
  }
  for (const std::string& p : listed(RunRepsim("plan --help").out, "Planners:")) {
    out.push_back("plan " + p);
  }
  return out;
}

std::string Write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.str() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace

TEST_CASE("one abbreviation rule: none, everywhere, a prefix gets a suggestion", "[cli][toolkit]") {
  // Before issue 11, `check F --hel` printed the help and `plan table --hel` was an error.
  const std::vector<std::string> commands = Commands();
  REQUIRE(commands.size() >= 12);  // 8 commands besides plan, 4 planners when this was written
  for (const std::string& c : commands) {
    INFO("repsim " << c);
    const auto r = RunRepsim(c + " --hel");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("repsim " + c +
                                        ": error: unknown flag '--hel', did you mean '--help'?\n"));
    CHECK_THAT(r.err, Catch::Contains("Run 'repsim " + c + " --help' for usage."));
  }
}

TEST_CASE("one error shape: repsim CMD: error: ...", "[cli][toolkit]") {
  for (const std::string& c : Commands()) {
    INFO("repsim " << c);
    const auto r = RunRepsim(c + " --no-such-flag");
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::StartsWith("repsim " + c + ": error: unknown flag '--no-such-flag'"));
  }
  // Errors found after parsing have the same shape.
  for (const std::string& args :
       {std::string("run ") + kScenario + " --shard 9/8",
        std::string("run ") + kScenario + " --threads many", std::string("laws --format xml"),
        std::string("plan tabel"), std::string("merge /nonexistent --out /tmp/x"),
        std::string("fit /nonexistent.csv")}) {
    INFO("repsim " << args);
    const auto r = RunRepsim(args);
    CHECK(r.code == 2);
    const std::string command = args.substr(0, args.find(' '));
    CHECK_THAT(r.err, Catch::StartsWith("repsim " + command + ": error: "));
  }
  const auto u = RunRepsim("rnu");
  CHECK(u.code == 2);
  CHECK_THAT(u.err, Catch::StartsWith("repsim: error: unknown command 'rnu'"));
}

TEST_CASE("every --help says the same exit codes and exits 0", "[cli][toolkit]") {
  const std::string codes =
      "Exit codes: 0 success, 1 internal failure, 2 bad input or usage, or output that\n"
      "cannot be written.";
  std::vector<std::string> commands = Commands();
  commands.insert(commands.end(), {"", "plan"});
  for (const std::string& c : commands) {
    INFO("repsim " << c << " --help");
    const auto r = RunRepsim(c + " --help");
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK_THAT(r.out, Catch::Contains(codes));
    // No command documents other codes for the same cases.
    CHECK_THAT(r.out, !Catch::Contains("2 bad input or usage.\n"));
  }
  for (const std::string& c : Commands()) {
    INFO("repsim " << c << " -h");
    CHECK(RunRepsim(c + " -h").code == 0);
  }
}

TEST_CASE("one spell-checker: plan --law chinch suggests as a scenario does", "[cli][toolkit]") {
  const auto plan = RunRepsim("plan table --law chinch");
  CHECK(plan.code == 2);
  CHECK_THAT(plan.err, Catch::Contains("--law = 'chinch': unknown preset, did you mean "
                                       "'chinchilla2022'?"));
  const auto scenario = RunRepsim("check " + kScenario + " --set law.preset=chinch");
  CHECK(scenario.code == 2);
  CHECK_THAT(scenario.err, Catch::Contains("did you mean 'chinchilla2022'?"));
  for (const std::string planner :
       {"scale --factor 10", "allocate --compute 1e22 --unique-tokens 1B"}) {
    const auto r = RunRepsim("plan " + planner + " --law muenighoff2023");
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains("did you mean 'muennighoff2023'?"));
  }
}

TEST_CASE("one number parser: \" 7B\" is accepted by plan as by a scenario", "[cli][toolkit]") {
  // The scenario side: model.params = " 7B" is a valid value.
  const auto scenario = RunRepsim("check " + kScenario + " --set 'model.params=\" 7B\"'");
  CHECK(scenario.code == 0);
  // The same text in plan, where it was "not a number" before issue 11.
  const auto spaced = RunRepsim("plan allocate --compute 1e22 --unique-tokens ' 7B' --format csv");
  const auto plain = RunRepsim("plan allocate --compute 1e22 --unique-tokens 7e9 --format csv");
  REQUIRE(plain.code == 0);
  CHECK(spaced.code == 0);
  CHECK(spaced.out == plain.out);
  const auto table = RunRepsim("plan table --params ' 7B' --format csv");
  CHECK(table.code == 0);
  CHECK(table.out == RunRepsim("plan table --params 7000000000 --format csv").out);
  // Compute takes suffixes as training.compute does.
  CHECK(RunRepsim("plan allocate --compute 10000000000T --unique-tokens 7B --format csv").out ==
        RunRepsim("plan allocate --compute 1e22 --unique-tokens 7B --format csv").out);
  // What the core refuses, every command refuses.
  const auto hex = RunRepsim("plan allocate --compute 0x10 --unique-tokens 7B");
  CHECK(hex.code == 2);
  CHECK_THAT(hex.err, Catch::Contains("--compute = '0x10': not a number"));
  const auto inner = RunRepsim("plan table --params '7 B'");
  CHECK(inner.code == 2);
  CHECK_THAT(inner.err, Catch::Contains("--params = '7 B': not a number"));
}

TEST_CASE("one number parser: fit reads 1B in its CSV as a scenario would", "[cli][toolkit][fit]") {
  // The synthetic runs with every count rewritten with a suffix (100000000 -> 100M).
  std::istringstream in(ReadFile(kFitRuns));
  std::string line, suffixed;
  std::getline(in, line);
  suffixed += line + "\n";
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream cs(line);
    for (std::string c; std::getline(cs, c, ',');) cells.push_back(c);
    for (size_t i : {size_t{1}, size_t{2}}) {  // params, tokens: exact multiples of 1e6
      const double v = std::stod(cells[i]);
      cells[i] = v >= 1e9 && std::fmod(v, 1e9) == 0
                     ? std::to_string(static_cast<long>(v / 1e9)) + "B"
                     : std::to_string(static_cast<long>(v / 1e6)) + "m";
    }
    std::string row;
    for (size_t i = 0; i < cells.size(); ++i) row += (i ? "," : "") + cells[i];
    suffixed += row + "\n";
  }
  REQUIRE_THAT(suffixed, Catch::Contains("100m,2B,"));
  TempDir dir;
  const std::string path = Write(dir, "runs.csv", suffixed);
  const auto a = RunRepsim("fit '" + path + "' --starts 300 --format csv");
  const auto b = RunRepsim("fit '" + kFitRuns + "' --starts 300 --format csv");
  REQUIRE(b.code == 0);
  CHECK(a.code == 0);
  CHECK(a.out == b.out);
  const auto bad =
      RunRepsim("fit '" + Write(dir, "bad.csv", "params,tokens,loss\n1B,2Q,3\n") + "'");
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("column 'tokens' = '2Q': not a number"));
}

TEST_CASE("a flag given twice is an error unless repeatable", "[cli][toolkit]") {
  const auto r = RunRepsim("plan scale --factor 10 --factor 20");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("--factor given more than once"));
  // Repeatable ones say so in --help.
  CHECK_THAT(RunRepsim("run --help").out, Catch::Contains("(repeatable)"));
  CHECK(RunRepsim("plan table --params 1B --params 2B --format csv").code == 0);
}

TEST_CASE("flag syntax: --name=value, -x value, -xVALUE, --, negative values", "[cli][toolkit]") {
  CHECK(RunRepsim("plan scale --factor=10 --format=csv").out ==
        RunRepsim("plan scale --factor 10 --format csv").out);
  CHECK(RunRepsim("laws -f csv").out == RunRepsim("laws --format=csv").out);
  CHECK(RunRepsim("laws -fcsv").out == RunRepsim("laws --format csv").out);
  // A value that looks like a flag still reaches the range check.
  const auto neg = RunRepsim("plan scale --factor -10");
  CHECK(neg.code == 2);
  CHECK_THAT(neg.err, Catch::Contains("--factor = '-10': must be a finite number > 0"));
  const auto missing = RunRepsim("plan scale --factor");
  CHECK(missing.code == 2);
  CHECK_THAT(missing.err, Catch::Contains("--factor needs a value (K)"));
  const auto sw = RunRepsim("plan scale --factor 10 --compare=yes");
  CHECK(sw.code == 2);
  CHECK_THAT(sw.err, Catch::Contains("--compare takes no value"));
  const auto extra = RunRepsim("laws extra");
  CHECK(extra.code == 2);
  CHECK_THAT(extra.err, Catch::Contains("unexpected argument 'extra'"));
}
