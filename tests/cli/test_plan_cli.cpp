// `repsim plan` end to end: the real binary (REPSIM_BINARY), its exit codes,
// its error messages and its machine-readable output.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Result {
  int code = -1;
  std::string out, err;
};

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `repsim plan ARGS` (ARGS already shell-quoted where needed).
Result Plan(const std::string& args) {
  static int counter = 0;
  const auto dir = std::filesystem::temp_directory_path();
  const std::string stem =
      "repsim_plan_cli_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  const auto out = dir / (stem + ".out"), err = dir / (stem + ".err");
  const std::string cmd = std::string("'") + REPSIM_BINARY + "' plan " + args + " >'" +
                          out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(out);
  r.err = Slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

std::vector<std::vector<std::string>> Csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::stringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    std::stringstream cs(line);
    std::string cell;
    while (std::getline(cs, cell, ',')) {
      cells.push_back(cell);
    }
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace

TEST_CASE("plan: bad numbers name the flag, the value and the range", "[plan][cli]") {
  struct Case {
    std::string args, flag, value;
  };
  for (const Case& c : {
           Case{"allocate --compute -1 --unique-tokens 25B", "--compute", "'-1'"},
           Case{"allocate --compute=0 --unique-tokens 25B", "--compute", "'0'"},
           Case{"allocate --compute nan --unique-tokens 25B", "--compute", "'nan'"},
           Case{"allocate --compute inf --unique-tokens 25B", "--compute", "'inf'"},
           Case{"allocate --compute 1e999 --unique-tokens 25B", "--compute", "'1e999'"},
           Case{"allocate --compute 1e22 --unique-tokens 0", "--unique-tokens", "'0'"},
           Case{"allocate --compute 1e22 --unique-tokens -5B", "--unique-tokens", "'-5B'"},
           Case{"allocate --compute 1e22 --unique-tokens 25X", "--unique-tokens", "'25X'"},
           Case{"allocate --params 0 --unique-tokens 25B", "--params", "'0'"},
           Case{"scale --factor -10", "--factor", "'-10'"},
           Case{"table --params 1B,,7B", "--params", "''"},
           Case{"kaplan --loss 0", "--loss", "'0'"},
       }) {
    INFO(c.args);
    const Result r = Plan(c.args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains(c.flag + " = " + c.value));
    CHECK_THAT(r.err, Catch::Contains("> 0"));
  }
}

TEST_CASE("plan: usage errors", "[plan][cli]") {
  struct Case {
    std::string args, message;
  };
  for (const Case& c : {
           Case{"allocate --compute 1e22 --unique-tokens 25B --law chinchila2022",
                "--law = 'chinchila2022': unknown preset, did you mean 'chinchilla2022'?"},
           Case{"allocate --compute 1e22", "missing --unique-tokens"},
           Case{"allocate --unique-tokens 25B", "missing --compute"},
           Case{"allocate --compute 1e22 --params 1B --tokens 20B --unique-tokens 25B",
                "give at most two"},
           Case{"scale", "missing --factor"},
           Case{"scale --factr 10", "unknown flag '--factr', did you mean '--factor'?"},
           Case{"scale --factor 10 --compare --law kaplan2020", "--compare"},
           Case{"tabel", "unknown planner 'tabel', did you mean 'table'?"},
           Case{"table --format xml", "--format = 'xml': unknown format"},
           Case{"table extra", "unexpected argument 'extra'"},
           Case{"kaplan", "missing --loss"},
           Case{"kaplan --steps 1e5", "--steps needs --params"},
       }) {
    INFO(c.args);
    const Result r = Plan(c.args);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
  }
  CHECK(Plan("").code == 2);
}

TEST_CASE("plan: every planner explains itself", "[plan][cli]") {
  struct Case {
    std::string planner, phrase;
  };
  for (const Case& c : {Case{"table", "least"}, Case{"table", "67B"}, Case{"scale", "0.73"},
                        Case{"allocate", "brent_find_minima"}, Case{"allocate", "--params N"},
                        Case{"kaplan", "eq. 4.4"}}) {
    const Result r = Plan(c.planner + " --help");
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains(c.phrase));
  }
  const Result top = Plan("--help");
  CHECK(top.code == 0);
  CHECK_THAT(top.out, Catch::Contains("allocate"));
}

TEST_CASE("plan table --format csv reproduces Table 3", "[plan][cli]") {
  const Result r = Plan("table --format csv");
  REQUIRE(r.code == 0);
  const auto rows = Csv(r.out);
  REQUIRE(rows.size() == 10);  // header + the 9 published rows
  const auto& head = rows[0];
  const auto col = [&](const std::string& name) {
    return static_cast<size_t>(std::find(head.begin(), head.end(), name) - head.begin());
  };
  REQUIRE(col("tokens_off_pct") < head.size());
  REQUIRE(col("flops_off_pct") < head.size());
  for (size_t i = 1; i < rows.size(); ++i) {
    const double n = std::stod(rows[i][col("params")]);
    const double tol = n == 67e9 ? 10.0 : 3.0;  // percent, issue 5
    CHECK(std::fabs(std::stod(rows[i][col("tokens_off_pct")])) < tol);
    CHECK(std::fabs(std::stod(rows[i][col("flops_off_pct")])) < tol);
  }
}

TEST_CASE("plan: suffixes K/M/B/T in any case equal plain numbers", "[plan][cli]") {
  const Result a = Plan("allocate --compute 1e22 --unique-tokens 25B --format csv");
  const Result b = Plan("allocate --compute 1e22 --unique-tokens 2.5e10 --format csv");
  const Result c = Plan("allocate --compute 1e22 --unique-tokens 0.025t --format csv");
  REQUIRE(a.code == 0);
  CHECK(a.out == b.out);
  CHECK(a.out == c.out);
  const Result t1 = Plan("table --params 400m,1.5T --format json");
  const Result t2 = Plan("table --params 4e8 --params 1.5e12 --format json");
  REQUIRE(t1.code == 0);
  CHECK(t1.out == t2.out);
  CHECK(t1.out.rfind('[', 0) == 0);
}

TEST_CASE("plan allocate --format csv: the optimum beside the fresh-data allocation",
          "[plan][cli]") {
  // Muennighoff et al.'s finding (their law): with data constrained, spend on
  // epochs rather than parameters. (overfit2026, with R_N* = 75, picks 9.9B
  // params over the fresh-data 9.2B here: its excess parameters barely decay.)
  const Result r =
      Plan("allocate --compute 1e22 --unique-tokens 25B --law muennighoff2023 --format csv");
  REQUIRE(r.code == 0);
  const auto rows = Csv(r.out);
  REQUIRE(rows.size() == 4);  // header, optimum, fresh-data optimum, floor
  CHECK(rows[0][0] == "plan");
  // Cells by column name, so that a new field (io::PlanPointFields) moves nothing here.
  const auto col = [&](const std::string& name) {
    const auto at = std::find(rows[0].begin(), rows[0].end(), name);
    REQUIRE(at != rows[0].end());
    return static_cast<size_t>(at - rows[0].begin());
  };
  const double n_best = std::stod(rows[1][col("params")]);
  const double n_fresh = std::stod(rows[2][col("params")]);
  const double loss_best = std::stod(rows[1][col("loss")]);
  const double loss_fresh = std::stod(rows[2][col("loss")]);
  CHECK(n_best < n_fresh);
  CHECK(loss_best < loss_fresh);
}
