// `repsim fit` end to end: the real binary, its exit codes, its messages and
// its output formats. tests/data/fit/chinchilla2022_synthetic.csv holds 16
// noise-free runs of the chinchilla2022 preset (see its README.md).
#include <toml++/toml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_util.h"
#include "repsim/law.h"

using repsim::test::RunRepsim;
using repsim::test::TempDir;

namespace {

const std::string kSynthetic =
    std::string(REPSIM_SOURCE_DIR) + "/tests/data/fit/chinchilla2022_synthetic.csv";
// A slice of the grid keeps each run of the binary well under a second.
const std::string kQuick = " --starts 600";

std::string Write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.str() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace

TEST_CASE("repsim fit --help explains the command", "[fit]") {
  const auto r = RunRepsim("fit --help");
  CHECK(r.code == 0);
  for (const char* s : {"--form", "--fix", "--fix-preset", "--huber-delta", "--drop-highest",
                        "--starts", "--bootstrap", "--seed", "--format", "unique_tokens",
                        "muennighoff2023", "4500", "Exit codes"}) {
    CHECK_THAT(r.out, Catch::Contains(s));
  }
}

TEST_CASE("repsim fit: bad flags exit 2 and name the flag", "[fit]") {
  struct Bad {
    std::string args;
    std::string message;
  };
  const std::string f = " '" + kSynthetic + "'";
  const std::vector<Bad> cases = {
      {"", "no runs file given"},
      {f + f, "one runs file expected, got 2"},
      {f + " --frm chinchilla", "unknown flag '--frm', did you mean '--form'?"},
      {f + " --form chinchila", "--form = 'chinchila': unknown form, did you mean 'chinchilla'?"},
      {f + " --fix E", "--fix = 'E': expected NAME=VALUE"},
      {f + " --fix Q=1", "--fix Q=1: unknown constant 'Q'"},
      {f + " --fix alhpa=0.3", "unknown constant 'alhpa', did you mean 'alpha'?"},
      {f + " --fix E=abc", "--fix E=abc: 'abc' is not a number"},
      {f + " --fix E=-1", "--fix E=-1: E must be finite and > 0"},
      {f + " --fix E=inf", "--fix E=inf: E must be finite and > 0"},
      {f + " --fix E=1 --fix E=2", "--fix E=2: E is fixed twice"},
      {f + " --fix rd_star=15", "rd_star is a constant of the data-constrained form only"},
      {f + " --fix-preset kaplan2020", "--fix-preset = 'kaplan2020': not a Chinchilla-form preset"},
      {f + " --fix-preset chinchila2022", "unknown preset, did you mean 'chinchilla2022'?"},
      {f + " --huber-delta 0", "--huber-delta = 0: must be finite and > 0"},
      {f + " --huber-delta x", "--huber-delta = 'x': not a number"},
      {f + " --drop-highest -1", "--drop-highest = -1: must be from 0"},
      {f + " --drop-highest 16", "--drop-highest = 16:"},
      {f + " --starts 0", "--starts = 0: must be from 1"},
      {f + " --starts many",
       "--starts = 'many': must be an integer from 1 to 1073741824 (or 'grid'"},
      {f + " --starts 5000", "--starts = 5000: the start grid has only 4500 points"},
      {f + " --bootstrap -3", "--bootstrap = -3: must be from 0"},
      {f + " --seed -1", "--seed = '-1': must be an integer from 0"},
      {f + " --threads 5000", "--threads = 5000: must be from 0 to 1024"},
      {f + " --threads two", "--threads = 'two': must be an integer from 0 to 1024"},
      {f + " --bootstrap 2000000", "--bootstrap = 2000000: must be from 0 to 1000000"},
      {f + " --bootstrap 1.5", "--bootstrap = '1.5': must be an integer from 0 to 1000000"},
      {f + " --huber-delta -1e-3", "--huber-delta = -1e-3: must be finite and > 0"},
      {f + " --fix E=", "--fix E=: '' is not a number"},
      {" /tmp", "/tmp: is a directory"},
      {f + " --format xml", "--format = 'xml': unknown format"},
      {f + " --format json --format csv", "--format given more than once"},
      {" /nonexistent/runs.csv", "/nonexistent/runs.csv: cannot open the file"},
      {f + " --form data-constrained",
       "chinchilla2022_synthetic.csv:1: missing column 'unique_tokens'"},
  };
  for (const Bad& b : cases) {
    INFO("repsim fit" << b.args);
    const auto r = RunRepsim("fit" + b.args);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(b.message));
    CHECK(r.out.empty());
  }
}

TEST_CASE("repsim fit: a bad row exits 2 naming file:line, column and value", "[fit]") {
  TempDir dir;
  const std::string path =
      Write(dir, "runs.csv", "params,tokens,loss\n1e8,2e9,3.4\n1e9,2e10,oops\n");
  const auto r = RunRepsim("fit '" + path + "'");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains(path + ":3: column 'loss' = 'oops': not a number"));

  const std::string few = Write(dir, "few.csv", "params,tokens,loss\n1e8,2e9,3.4\n1e9,2e10,3\n");
  const auto r2 = RunRepsim("fit '" + few + "'");
  CHECK(r2.code == 2);
  CHECK_THAT(r2.err, Catch::Contains("2 runs cannot determine 5 free constants"));
}

TEST_CASE("repsim fit --format toml writes a [law] table a scenario can paste", "[fit]") {
  const auto r = RunRepsim("fit '" + kSynthetic + "' --format toml" + kQuick);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("# Fitted by `repsim fit"));
  toml::table doc;
  REQUIRE_NOTHROW(doc = toml::parse(r.out));
  const toml::table* law = doc["law"].as_table();
  REQUIRE(law != nullptr);
  CHECK(doc["law"]["preset"].value<std::string>() == "chinchilla2022");
  CHECK(law->size() == 7);  // preset, source and the five constants
  // The source credits the fit (issue 14), and flows into the reports.
  CHECK_THAT(doc["law"]["source"].value<std::string>().value_or(""),
             Catch::StartsWith("repsim fit --form chinchilla to "));
  // Noise-free runs of chinchilla2022 give back its constants (Hoffmann et al.
  // eq. 10); the optimiser's tolerance only, hence 1e-5.
  const repsim::Law truth = repsim::MakeLaw(repsim::LawPreset::kChinchilla2022);
  for (auto [key, want] : {std::pair{"E", truth.e},
                           {"A", truth.a},
                           {"B", truth.b},
                           {"alpha", truth.alpha},
                           {"beta", truth.beta}}) {
    INFO(key);
    const std::optional<double> v = doc["law"][key].value<double>();
    REQUIRE(v);
    REQUIRE((*law)[key].is_floating_point());  // "1.0", never an integer "1"
    CHECK(*v == Approx(want).epsilon(1e-5));
  }
}

TEST_CASE("repsim fit: json, csv and table agree, threads do not matter", "[fit]") {
  const std::string base = "fit '" + kSynthetic + "'" + kQuick + " --bootstrap 16 --seed 3";
  const auto j1 = RunRepsim(base + " --format json --threads 1");
  const auto j2 = RunRepsim(base + " --format json --threads 2");
  REQUIRE(j1.code == 0);
  REQUIRE(j2.code == 0);
  CHECK(j1.out == j2.out);  // bootstrap and fit identical, to the last digit
  CHECK_THAT(j1.out, Catch::Contains("\"form\": \"chinchilla\""));
  CHECK_THAT(j1.out, Catch::Contains("\"resamples\": 16"));
  const auto j3 = RunRepsim(base + " --format json --seed 4");
  CHECK(j3.out != j1.out);

  const auto csv = RunRepsim(base + " --format csv");
  REQUIRE(csv.code == 0);
  CHECK_THAT(csv.out, Catch::StartsWith("quantity,value,fit,std_error,ci95_low,ci95_high\nE,"));
  CHECK_THAT(csv.out, Catch::Contains("\nexponent_a,"));
  CHECK_THAT(csv.out, Catch::Contains("\nobjective,"));

  const auto table = RunRepsim(base);
  REQUIRE(table.code == 0);
  CHECK_THAT(table.out, Catch::Contains("L = E + A/N^alpha + B/D^beta"));
  CHECK_THAT(table.out, Catch::Contains("std_error"));
  CHECK_THAT(table.out, Catch::Contains("starts reached it"));
}

TEST_CASE("repsim fit --fix-preset holds the five constants", "[fit]") {
  TempDir dir;
  // Two runs of the muennighoff2023 law are enough when only R_D*, R_N* are free.
  const std::string path = Write(dir, "rep.csv",
                                 "params,tokens,unique_tokens,loss\n"
                                 "1e9,4e10,1e10,2.5\n"
                                 "5e8,2e10,1e9,2.9\n");
  const auto r = RunRepsim("fit '" + path +
                           "' --form data-constrained --fix-preset muennighoff2023 --format toml");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("# Held fixed: E, A, B, alpha, beta (--fix-preset "
                                    "muennighoff2023)."));
  toml::table doc = toml::parse(r.out);
  CHECK(doc["law"]["preset"].value<std::string>() == "muennighoff2023");
  const repsim::Law m = repsim::MakeLaw(repsim::LawPreset::kMuennighoff2023);
  CHECK(doc["law"]["alpha"].value<double>() == m.alpha);  // 17 digits round-trip exactly
  CHECK(doc["law"]["E"].value<double>() == m.e);
  CHECK(doc["law"]["rd_star"].value<double>());
  CHECK(doc["law"]["rn_star"].value<double>());
}

TEST_CASE("repsim fit: --fix overrides --fix-preset, values exactly as given", "[fit]") {
  // Every constant fixed: the command evaluates the objective at them.
  const auto r =
      RunRepsim("fit '" + kSynthetic + "' --fix-preset chinchilla2022 --fix E=2 --format csv");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("\nE,2,fixed\n"));
  CHECK_THAT(r.out, Catch::Contains("\nA,406.4,fixed\n"));  // Hoffmann et al. eq. 10
  CHECK_THAT(r.out, Catch::Contains("\nbeta,0.28,fixed\n"));
  CHECK_THAT(r.out, Catch::Contains(",evaluated"));
}

TEST_CASE("fit --form ratio: the domain of validity and the source, lines within 100 columns",
          "[fit]") {
  const std::string runs = std::string(REPSIM_SOURCE_DIR) + "/tests/data/fit/subset_40_seed3.csv";
  const auto table = RunRepsim("fit '" + runs + "' --form ratio --group-by dedup");
  REQUIRE(table.code == 0);
  CHECK_THAT(table.out, Catch::Contains("domain of validity (the runs' ranges): params "));
  size_t start = 0;
  while (start < table.out.size()) {
    const size_t end = table.out.find('\n', start);
    const std::string line = table.out.substr(start, end - start);
    INFO(line);
    CHECK(line.size() <= 100);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  const auto toml = RunRepsim("fit '" + runs + "' --form ratio --group-by dedup --format toml");
  REQUIRE(toml.code == 0);
  CHECK_THAT(toml.out, Catch::Contains("# domain of validity (the runs' ranges): params "));
  CHECK_THAT(toml.out, Catch::Contains("\nsource = \"repsim fit --form ratio to 40 runs from "));
}

TEST_CASE("fit --form overfit|ratio --samples writes the resamples in every format, toml too",
          "[fit]") {
  // A --samples file was silently not written with --format toml.
  const std::string runs = std::string(REPSIM_SOURCE_DIR) + "/tests/data/fit/subset_40_seed3.csv";
  for (const char* form : {"overfit", "ratio"}) {
    for (const char* format : {"toml", "json"}) {
      TempDir dir;
      const std::string path = (dir.path() / "samples.csv").string();
      std::string command = "fit '" + runs + "' --form ";
      command += form;
      command += " --group-by dedup --bootstrap 3 --format ";
      command += format;
      command += " --samples '" + path + "'";
      auto r = RunRepsim(command);
      INFO(form << " " << format << ": " << r.err);
      REQUIRE(r.code == 0);
      const std::string text = repsim::test::ReadFile(path);
      // A header and one row per refitted resample (at most 3; the ratio form's
      // 13 constants may refit none of 3 resamples of 40 runs).
      const auto lines = std::count(text.begin(), text.end(), '\n');
      CHECK(lines >= (std::string(form) == "overfit" ? 2 : 1));
      CHECK(lines <= 4);
      CHECK(text.rfind("rd_star,rn_star,overfit_w", 0) == 0);
    }
  }
}

TEST_CASE("fit --samples is written whole or not at all", "[fit]") {
  // io::WriteFileWhole: a temporary file renamed into place. A path that
  // cannot take the file (here a folder) fails with exit code 2, leaves the
  // folder as it was and no temporary file beside it.
  const std::string runs = std::string(REPSIM_SOURCE_DIR) + "/tests/data/fit/subset_40_seed3.csv";
  TempDir dir;
  const std::filesystem::path target = dir.path() / "samples.csv";
  std::filesystem::create_directory(target);
  for (const char* form : {"data-constrained --starts 5", "overfit --group-by dedup"}) {
    std::string command = "fit '" + runs + "' --form ";
    command += form;
    command += " --bootstrap 2 --samples '" + target.string() + "'";
    const auto r = RunRepsim(command);
    INFO(form << ": " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains("samples.csv: cannot write"));
    CHECK(std::filesystem::is_directory(target));
    size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path()))
      ++entries;
    CHECK(entries == 1);
  }
  // Written: the file is complete (a header and the full fit's row at least).
  const std::filesystem::path ok = dir.path() / "ok.csv";
  const auto r = RunRepsim("fit '" + runs +
                           "' --form data-constrained --starts 5 --bootstrap 2 "
                           "--samples '" +
                           ok.string() + "'");
  REQUIRE(r.code == 0);
  const std::string text = repsim::test::ReadFile(ok.string());
  CHECK(text.rfind("sample,E,A,B,alpha,beta,rd_star,rn_star\nfull,", 0) == 0);
}
