// The output columns (io/columns.h): one definition of each column, used by
// every file, the terminal and README.md; law columns for every law form;
// numbers written as they were typed. Expected values come from the papers
// (Kaplan et al. 2020, Table 2) or are derived here by hand.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "io/columns.h"
#include "io/sweep_writer.h"
#include "io/table.h"
#include "repsim/engine.h"
#include "repsim/scenario.h"

using namespace repsim;
namespace fs = std::filesystem;
using repsim::test::ReadFile;
using repsim::test::RunRepsim;
using repsim::test::TempDir;

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

// Row `row` (1 = the first after the header) of a CSV file, by column name.
std::map<std::string, std::string> CsvRow(const std::string& text, size_t row) {
  const auto lines = Lines(text);
  REQUIRE(lines.size() > row);
  const auto header = io::SplitCsvLine(lines[0]);
  const auto cells = io::SplitCsvLine(lines[row]);
  REQUIRE(header.size() == cells.size());
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < header.size(); ++i) out[header[i]] = cells[i];
  return out;
}

std::vector<std::string> RegistryNames() {
  std::vector<std::string> names;
  for (const io::Column* c : io::DefaultColumns()) names.push_back(c->name);
  return names;
}

// Runs `repsim run` on `toml` into `dir`; the scenario's result folder.
fs::path RunScenario(const TempDir& dir, const std::string& name, const std::string& toml) {
  const fs::path file = dir.path() / (name + ".toml");
  {
    std::ofstream f(file);
    f << toml;
  }
  const auto r =
      RunRepsim(fmt::format("run --quiet --columns all --out '{}' '{}'", dir.str(), file.string()));
  INFO(r.err);
  REQUIRE(r.code == 0);
  return dir.path() / name;
}

}  // namespace

TEST_CASE("every column is defined once, with a meaning and exactly one accessor", "[columns]") {
  std::set<std::string> seen;
  for (const io::Column& c : io::AllColumns()) {
    INFO(c.name);
    CHECK(seen.insert(c.name).second);
    CHECK_FALSE(c.meaning.empty());
    const int accessors = (c.number != nullptr) + (c.optional != nullptr) + (c.name_of != nullptr) +
                          (c.text != nullptr) + (c.law_constant != nullptr) + (c.key != nullptr);
    CHECK(accessors == 1);
    switch (c.type) {
      case io::ColumnType::kNumber:
        CHECK((c.number || (c.key && c.key->resolved)));
        break;
      case io::ColumnType::kOptional:
        CHECK((c.optional || c.law_constant));
        break;
      case io::ColumnType::kName:
        CHECK((c.name_of || (c.key && c.key->resolved_name)));
        break;
      case io::ColumnType::kText:
        CHECK(c.text);
        break;
    }
    CHECK(io::FindColumn(c.name) == &c);
  }
  CHECK(io::FindColumn("no_such_column") == nullptr);
  // Results first, then inputs: report.md's summary table is the results.
  bool inputs = false;
  for (const io::Column& c : io::AllColumns()) {
    if (c.role == io::ColumnRole::kInput) inputs = true;
    CHECK((c.role == io::ColumnRole::kInput) == inputs);
  }
}

TEST_CASE("summary, compare, sweep and json carry the registry's columns in its order",
          "[columns]") {
  TempDir tmp;
  const fs::path out = RunScenario(tmp, "cols", R"([scenario]
name = "cols"
[model]
params = "1B"
[data]
unique_tokens = "10B"
[training]
epochs = 4
[output]
plots = false
[[compare]]
name = "more epochs"
"training.epochs" = 8
[[sweep.axis]]
key = "training.epochs"
values = [2, 4]
)");
  const std::vector<std::string> names = RegistryNames();
  CHECK(io::SplitCsvLine(Lines(ReadFile(out / "summary.csv"))[0]) == names);
  std::vector<std::string> compare = {"name"};
  compare.insert(compare.end(), names.begin(), names.end());
  CHECK(io::SplitCsvLine(Lines(ReadFile(out / "compare.csv"))[0]) == compare);
  std::vector<std::string> sweep = {"training.epochs", "status"};
  sweep.insert(sweep.end(), names.begin(), names.end());
  CHECK(io::SplitCsvLine(Lines(ReadFile(out / "sweep.csv"))[0]) == sweep);
  const std::string json = ReadFile(out / "summary.json");
  size_t at = 0;
  for (const std::string& n : names) {  // every key, in order
    const size_t found = json.find("\"" + n + "\":", at);
    INFO(n);
    REQUIRE(found != std::string::npos);
    at = found;
  }
}

TEST_CASE("a kaplan2020 run writes its own law constants, not the Chinchilla form's zeros",
          "[columns]") {
  // Kaplan et al. 2020, Table 2: alpha_N = 0.076, N_c = 8.8e13 (non-embedding
  // parameters), alpha_D = 0.095, D_c = 5.4e13 tokens; R_D*, R_N* are
  // Muennighoff et al. 2023's, carried by every preset.
  TempDir tmp;
  const fs::path out = RunScenario(tmp, "kaplan", R"([scenario]
name = "kaplan"
[law]
preset = "kaplan2020"
[model]
params = "1B"
[data]
unique_tokens = "10B"
[training]
epochs = 4
[output]
plots = false
[[compare]]
name = "n_c overridden"
"law.n_c" = 9e13
[[sweep.axis]]
key = "training.epochs"
values = [2, 4]
)");
  auto check = [](const std::map<std::string, std::string>& row, std::string_view n_c) {
    CHECK(row.at("law") ==
          (n_c == "88000000000000" ? "kaplan2020" : "custom (from kaplan2020, overridden: n_c)"));
    CHECK(row.at("law_alpha_n") == "0.076");
    CHECK(row.at("law_n_c") == n_c);
    CHECK(row.at("law_alpha_d") == "0.095");
    CHECK(row.at("law_d_c") == "54000000000000");
    CHECK(row.at("law_rd_star") == "15.387756");
    CHECK(row.at("law_rn_star") == "5.309743");
    for (const char* chinchilla : {"law_E", "law_A", "law_B", "law_alpha", "law_beta"}) {
      INFO(chinchilla);
      CHECK(row.at(chinchilla).empty());  // not of this form: no value, not 0
    }
  };
  check(CsvRow(ReadFile(out / "summary.csv"), 1), "88000000000000");
  check(CsvRow(ReadFile(out / "sweep.csv"), 1), "88000000000000");
  check(CsvRow(ReadFile(out / "sweep.csv"), 2), "88000000000000");
  const std::string compare = ReadFile(out / "compare.csv");  // the base is ranked too
  const auto first = CsvRow(compare, 1), second = CsvRow(compare, 2);
  check(first.at("name") == "n_c overridden" ? first : second, "90000000000000");
  check(first.at("name") == "n_c overridden" ? second : first, "88000000000000");
  const std::string json = ReadFile(out / "summary.json");
  CHECK(json.find("\"law_n_c\": 88000000000000,") != std::string::npos);
  CHECK(json.find("\"law_E\": null,") != std::string::npos);

  // And a Chinchilla-form run leaves Kaplan's constants empty.
  TempDir tmp2;
  const fs::path chin = RunScenario(tmp2, "chin", R"([scenario]
name = "chin"
[law]
preset = "chinchilla2022"
[model]
params = "1B"
[data]
unique_tokens = "10B"
[training]
epochs = 4
[output]
plots = false
)");
  const auto row = CsvRow(ReadFile(chin / "summary.csv"), 1);
  CHECK(row.at("law_E") == "1.69");  // Hoffmann et al. 2022, eq. 10
  CHECK(row.at("law_A") == "406.4");
  CHECK(row.at("law_alpha") == "0.34");
  for (const char* kaplan : {"law_alpha_n", "law_n_c", "law_alpha_d", "law_d_c"}) {
    CHECK(row.at(kaplan).empty());
  }
}

TEST_CASE("an overfit2026 run writes its overfitting constants, other laws leave them empty",
          "[columns]") {
  // MODEL.md §2b (table of the fitted constants): w = -9.607, a = 3.566,
  // c = 2.990, k = 1.140, L_cap = 11 nats, to the digits it prints them.
  TempDir tmp;
  const fs::path out = RunScenario(tmp, "overfit", R"([scenario]
name = "overfit"
[law]
preset = "overfit2026"
[model]
params = "1B"
[data]
unique_tokens = "10B"
[training]
epochs = 4
[output]
plots = false
[[compare]]
name = "k overridden"
"law.overfit_k" = 1.5
[[sweep.axis]]
key = "training.epochs"
values = [2, 4]
)");
  const auto near = [](const std::string& cell, double expected) {
    INFO(cell);
    REQUIRE_FALSE(cell.empty());
    CHECK(std::abs(std::strtod(cell.c_str(), nullptr) - expected) <= 5e-4);
  };
  auto check = [&](const std::map<std::string, std::string>& row, bool overridden) {
    near(row.at("law_overfit_w"), -9.607);
    near(row.at("law_overfit_a"), 3.566);
    near(row.at("law_overfit_c"), 2.990);
    if (overridden) {
      CHECK(row.at("law_overfit_k") == "1.5");
      CHECK(row.at("law") == "custom (from overfit2026, overridden: overfit_k)");
    } else {
      near(row.at("law_overfit_k"), 1.140);
      CHECK(row.at("law") == "overfit2026");
    }
    CHECK(row.at("law_loss_cap") == "11");
  };
  check(CsvRow(ReadFile(out / "summary.csv"), 1), false);
  check(CsvRow(ReadFile(out / "sweep.csv"), 1), false);
  check(CsvRow(ReadFile(out / "sweep.csv"), 2), false);
  const std::string compare = ReadFile(out / "compare.csv");
  const auto first = CsvRow(compare, 1), second = CsvRow(compare, 2);
  check(first.at("name") == "k overridden" ? first : second, true);
  check(first.at("name") == "k overridden" ? second : first, false);
  const std::string json = ReadFile(out / "summary.json");
  CHECK(json.find("\"law_loss_cap\": 11,") != std::string::npos);
  // report.md lists them among the constants in force.
  const std::string report = ReadFile(out / "report.md");
  for (const char* name : {"overfit_w", "overfit_a", "overfit_c", "overfit_k", "loss_cap"}) {
    INFO(name);
    CHECK(report.find(fmt::format("| {} | ", name)) != std::string::npos);
  }

  // A law without the term (muennighoff2023, the same form) leaves them empty.
  TempDir tmp2;
  const fs::path plain = RunScenario(tmp2, "plain", R"([scenario]
name = "plain"
[law]
preset = "muennighoff2023"
[model]
params = "1B"
[data]
unique_tokens = "10B"
[training]
epochs = 4
[output]
plots = false
)");
  const auto row = CsvRow(ReadFile(plain / "summary.csv"), 1);
  for (const char* c :
       {"law_overfit_w", "law_overfit_a", "law_overfit_c", "law_overfit_k", "law_loss_cap"}) {
    INFO(c);
    CHECK(row.at(c).empty());
  }
  CHECK(ReadFile(plain / "summary.json").find("\"law_loss_cap\": null") != std::string::npos);
}

TEST_CASE("quality is one definition: the token-weighted mean, the same in every file",
          "[columns]") {
  // Weights 1/4, 3/4 and qualities 2, 1/2 (exact in binary): Σ w k = 0.875;
  // the compare variant sets web's quality to 1: 0.25 * 2 + 0.75 = 1.25;
  // the sweep sets code's quality to 1 and 4: 0.25 + 0.375 = 0.625, 1 + 0.375 = 1.375.
  TempDir tmp;
  const fs::path out = RunScenario(tmp, "mix", R"([scenario]
name = "mix"
[model]
params = "1B"
[[data.source]]
name = "code"
unique_tokens = "2B"
weight = 0.25
quality = 2
[[data.source]]
name = "web"
unique_tokens = "20B"
weight = 0.75
quality = 0.5
[training]
tokens = "40B"
[output]
plots = false
[[compare]]
name = "web at quality 1"
"data.source.web.quality" = 1
[[sweep.axis]]
key = "data.source.code.quality"
values = [1, 4]
)");
  CHECK(CsvRow(ReadFile(out / "summary.csv"), 1).at("quality") == "0.875");
  CHECK(ReadFile(out / "summary.json").find("\"quality\": 0.875,") != std::string::npos);
  const std::string compare = ReadFile(out / "compare.csv");  // the base is ranked too
  const std::set<std::string> qualities = {CsvRow(compare, 1).at("quality"),
                                           CsvRow(compare, 2).at("quality")};
  CHECK(qualities == std::set<std::string>{"0.875", "1.25"});
  const std::string sweep = ReadFile(out / "sweep.csv");
  CHECK(CsvRow(sweep, 1).at("quality") == "0.625");
  CHECK(CsvRow(sweep, 2).at("quality") == "1.375");
}

TEST_CASE("docs/SCENARIO.md's table of the columns is the registry's (make doc-tables)",
          "[columns]") {
  const std::string readme = ReadFile(fs::path(REPSIM_SOURCE_DIR) / "docs" / "SCENARIO.md");
  const std::string begin = "<!-- repsim:columns:begin";
  const std::string end = "<!-- repsim:columns:end -->";
  const size_t b = readme.find(begin);
  REQUIRE(b != std::string::npos);
  const size_t table = readme.find('\n', b) + 1;
  const size_t e = readme.find(end, table);
  REQUIRE(e != std::string::npos);
  INFO("docs/SCENARIO.md's columns table is stale: run `make doc-tables`");
  CHECK(readme.substr(table, e - table) == io::ColumnsMarkdown());
}

TEST_CASE("the terminal table shows the registry's meanings", "[columns]") {
  TempDir tmp;
  const fs::path file = tmp.path() / "t.toml";
  {
    std::ofstream f(file);
    f << "[scenario]\nname = \"t\"\n[model]\nparams = \"1B\"\n[data]\nunique_tokens = \"10B\"\n"
         "[training]\nepochs = 4\n[output]\nplots = false\n";
  }
  const auto r = RunRepsim(fmt::format("run --out '{}' '{}'", tmp.str(), file.string()));
  REQUIRE(r.code == 0);
  for (const io::Column* c : io::DefaultColumns()) {
    const bool shown = c->name == "params" || c->name == "delta" || c->name == "wasted_compute";
    const bool hidden = c->name == "active_params" || c->role == io::ColumnRole::kInput;
    if (shown || hidden) {
      INFO(c->name);
      CHECK((r.out.find(std::string(c->meaning)) != std::string::npos) == shown);
    }
  }
}

TEST_CASE("quantities are the decimal typed: suffixes move the exponent, not multiply",
          "[columns][quantity]") {
  // 0.017 x 1e12 = 17000000000.000002 in floating point; typed, it is 17e9.
  CHECK(ParseQuantity("0.017T") == 17e9);
  CHECK(ParseQuantity("0.134B") == 134e6);
  CHECK(ParseQuantity("0.067b") == 67e6);
  CHECK(ParseQuantity("1e12T") == 1e24);
  CHECK(io::Num(*ParseQuantity("1e12T")) == "1e+24");
  CHECK(ParseQuantity("1.5e3K") == 1.5e6);
  CHECK(ParseQuantity("2.5E-3M") == 2500);
  CHECK(ParseQuantity(" 7B ") == 7e9);
  CHECK(ParseQuantity("-2k") == -2000);
  CHECK(ParseQuantity("1e300T") == std::numeric_limits<double>::infinity());  // rejected later
  CHECK_FALSE(ParseQuantity("7 B"));
  CHECK_FALSE(ParseQuantity("B"));
  CHECK_FALSE(ParseQuantity("1e12eT"));
  // Every mantissa 0.001 .. 99.999 with every suffix: the double strtod
  // gives for the same decimal written with its exponent.
  size_t mismatches = 0;
  const std::pair<char, int> suffixes[] = {{'K', 3}, {'M', 6}, {'B', 9}, {'T', 12}};
  for (int i = 1; i < 100000; ++i) {
    const std::string mantissa = fmt::format("{}.{:03}", i / 1000, i % 1000);
    for (const auto& [suffix, exponent] : suffixes) {
      const double expected =
          std::strtod(fmt::format("{}e{}", mantissa, exponent).c_str(), nullptr);
      const auto got = ParseQuantity(mantissa + suffix);
      if (!got || *got != expected) {
        if (++mismatches < 5) FAIL_CHECK(mantissa << suffix);
      }
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("typed numbers print as typed and read back", "[columns][quantity]") {
  TempDir tmp;
  const fs::path out = RunScenario(tmp, "typed", R"([scenario]
name = "typed"
[model]
params = "0.067T"
[data]
unique_tokens = "0.134T"
[training]
tokens = "1e3B"
[output]
plots = false
)");
  const auto row = CsvRow(ReadFile(out / "summary.csv"), 1);
  CHECK(row.at("params") == "67000000000");
  CHECK(row.at("unique_tokens") == "134000000000");
  CHECK(row.at("tokens") == "1000000000000");
  for (const auto& [name, cell] : row) {  // every number reads back to itself
    double v = 0;
    const auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    if (ec == std::errc() && p == cell.data() + cell.size()) CHECK(io::Num(v) == cell);
  }
}

// Issue 11: "Numbers print without float noise where the value was typed
// (1e24, not 1.0000000000000001e+24)". The tokens are derived from the typed
// compute (D = C / 6N) or epochs (D = E U); recomputing C or E from them
// rounds, so the run carries the typed value (run.h TypedLength).
TEST_CASE("a typed compute or epochs prints as typed, reads back, and changes no other number",
          "[columns][quantity]") {
  // The issue's example: 6 * 67e9 * (1e24 / (6 * 67e9)) is not 1e24 in doubles.
  const double n = 67e9;
  REQUIRE(6.0 * n * (1e24 / (6.0 * n)) != 1e24);
  TempDir tmp;
  const fs::path out = RunScenario(tmp, "typed-compute", R"([scenario]
name = "typed-compute"
[model]
params = "0.067T"
[data]
unique_tokens = "100B"
[training]
compute = "1e24"
[output]
plots = false
)");
  const auto row = CsvRow(ReadFile(out / "summary.csv"), 1);
  CHECK(row.at("compute") == "1e+24");
  CHECK(std::strtod(row.at("compute").c_str(), nullptr) == 1e24);  // round trip
  CHECK(ReadFile(out / "summary.json").find("\"compute\": 1e+24,") != std::string::npos);

  // A sweep's epochs axis: 10 * U / U is 9.999999999999998 for this U (a value
  // of the shipped epochs-vs-dataset-size range axis).
  const double u = 119377664171.44;
  REQUIRE(10.0 * u / u != 10.0);
  TempDir tmp2;
  const fs::path sweep = RunScenario(tmp2, "typed-epochs", R"([scenario]
name = "typed-epochs"
[model]
params = 1e9
[data]
unique_tokens = 119377664171.44
[training]
epochs = 10
[output]
plots = false
[[sweep.axis]]
key = "training.epochs"
values = [10, 3]
)");
  const auto base = CsvRow(ReadFile(sweep / "summary.csv"), 1);
  CHECK(base.at("epochs") == "10");
  CHECK(base.at("dropout_end_epoch") == "10");  // the run's end, not given
  const auto point = CsvRow(ReadFile(sweep / "sweep.csv"), 1);
  CHECK(point.at("training.epochs") == "10");
  CHECK(point.at("epochs") == "10");
  CHECK(point.at("dropout_end_epoch") == "10");
  const auto traj = Lines(ReadFile(sweep / "trajectory.csv"));
  REQUIRE(traj.size() > 2);
  const auto header = io::SplitCsvLine(traj[0]);
  const auto last = io::SplitCsvLine(traj.back());
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "epochs") CHECK(last.at(i) == "10");
  }

  // The physics follows the tokens: a run without the typed value (built by
  // hand with the same tokens) gives the same numbers but epochs and compute.
  RunSpec spec;
  spec.law = MakeLaw(kDefaultLawPreset);
  spec.params = 1e9;
  spec.sources = {DataSource{}};
  spec.sources[0].unique_tokens = u;
  spec.basis = TrainingBasis::kEpochs;
  spec.training_value = 10;
  Run typed = Resolve(spec).value();
  REQUIRE(typed.typed_epochs);
  Run derived = typed;
  derived.typed_epochs.reset();
  derived.dropout.ends_with_run = false;
  CHECK(Epochs(typed) == 10);
  CHECK(Epochs(derived) == 10.0 * u / u);
  const Summary a = Evaluate(typed), b = Evaluate(derived);
  CHECK(a.epochs == 10);
  CHECK(a.loss_repeated == b.loss_repeated);
  CHECK(a.effective_tokens == b.effective_tokens);
  CHECK(a.equivalent_unique_tokens == b.equivalent_unique_tokens);
  // Changing the tokens (or the data) drops the typed value: it stands for
  // the tokens it gave, never for others.
  typed.tokens *= 2;
  CHECK(Epochs(typed) == typed.tokens / u);
  spec.basis = TrainingBasis::kCompute;
  spec.training_value = 1e24;
  Run c = Resolve(spec).value();
  CHECK(Compute(c) == 1e24);
  c.active_params *= 2;
  CHECK(Compute(c) == 6.0 * c.active_params * c.tokens);
}
