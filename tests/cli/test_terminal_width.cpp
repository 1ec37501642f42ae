// Text output fits a 100-column terminal (io/table.h kTerminalWidth): every
// subcommand's default output and every --help, with no line wider than 100
// columns; --wide lifts the limit. Columns are counted in code points (the
// output has "—", "·", "↓").
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "cli_util.h"

using repsim::test::RunRepsim;
using repsim::test::TempDir;

namespace {

size_t Columns(const std::string& line) {
  size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

// The widest line of `text`, as "columns: line".
std::pair<size_t, std::string> Widest(const std::string& text) {
  std::pair<size_t, std::string> widest{0, ""};
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (Columns(line) > widest.first) widest = {Columns(line), line};
    start = end + 1;
  }
  return widest;
}

const std::string kSource = REPSIM_SOURCE_DIR;

}  // namespace

TEST_CASE("every command's text output fits 100 columns", "[cli][width]") {
  TempDir dir;
  {
    std::ofstream f(dir.path() / "emb.csv");
    f << "id,a,b,c\n";
    for (int i = 0; i < 40; ++i)
      f << "ex" << i << "," << 1 + i % 7 << "," << 1 + i % 5 << "," << 1 + i % 3 << "\n";
  }
  int outs = 0;  // a fresh --out folder per command
  auto out_dir = [&] { return " --out '" + dir.str() + "/out" + std::to_string(outs++) + "'"; };
  const std::string runs = " '" + kSource + "/tests/data/fit/muennighoff2023_all_runs.csv'";
  const std::vector<std::string> commands = {
      "--help",
      "run scenarios/t5-base-token-crisis.toml" + out_dir(),
      "run scenarios/mixture-code-share.toml" + out_dir(),
      "run scenarios/epochs-vs-dataset-size.toml" + out_dir(),
      "run scenarios/t5-base-token-crisis.toml --intervals" + out_dir(),
      "check scenarios/t5-base-token-crisis.toml",
      "laws",
      "columns",
      "calibrate",
      "plan table",
      "plan scale --factor 10 --compare",
      "plan allocate --compute 1e24 --unique-tokens 300B",
      "plan allocate --tokens 1.4T --unique-tokens 200B --law muennighoff2023",
      "plan kaplan --loss 3",
      "fit" + runs + " --form chinchilla",
      "validate" + runs + " --group-by dedup --law muennighoff2023" + out_dir(),
      "select '" + dir.str() + "/emb.csv' --count 5" + out_dir(),
      // (`repsim slurm` prints an sbatch file, whose absolute paths are as
      // long as they are: not checked.)
  };
  std::vector<std::string> all = commands;
  for (const char* c : {"run", "check", "laws", "plan", "plan table", "plan scale", "plan allocate",
                        "plan kaplan", "fit", "fit --form overfit", "validate", "merge",
                        "calibrate", "serve", "select", "columns", "slurm"}) {
    all.push_back(std::string(c) + " --help");
  }
  for (const std::string& c : all) {
    const auto r = RunRepsim(c);
    INFO("repsim " << c << "\n" << r.err);
    CHECK(r.code == 0);
    const auto [width, line] = Widest(r.out);
    INFO("widest line (" << width << "): " << line);
    CHECK(width <= 100);
  }
}

TEST_CASE("fit --form overfit|ratio --help says (repeatable) once per flag", "[cli][width]") {
  for (const char* form : {"overfit", "ratio"}) {
    const auto r = RunRepsim(std::string("fit --form ") + form + " --help");
    INFO(form);
    CHECK(r.code == 0);
    CHECK(r.out.find("(repeatable) (repeatable)") == std::string::npos);
    CHECK(r.out.find("(repeatable)") != std::string::npos);
  }
}

TEST_CASE("with --wide, tables are as wide as their content, machine formats never wrap",
          "[cli][width]") {
  const auto narrow = RunRepsim("laws");
  const auto wide = RunRepsim("laws --wide");
  REQUIRE(narrow.code == 0);
  REQUIRE(wide.code == 0);
  CHECK(Widest(narrow.out).first <= 100);
  CHECK(Widest(wide.out).first > 100);
  // One column per law (in blocks) when narrow; one row per law when wide.
  CHECK(narrow.out.rfind("preset", 0) == 0);
  CHECK(narrow.out.find("chinchilla2022") < narrow.out.find('\n'));
  const auto csv = RunRepsim("laws --format csv");
  const auto csv_wide = RunRepsim("laws --format csv --wide");
  CHECK(csv.out == csv_wide.out);
  CHECK(Widest(csv.out).first > 100);  // a CSV row per law, unwrapped
  const auto plan = RunRepsim("plan allocate --compute 1e24 --unique-tokens 300B --format csv");
  CHECK(plan.out.find('\n') < plan.out.size());
  CHECK(plan.out.find("\n ") == std::string::npos);  // no continuation lines
}
