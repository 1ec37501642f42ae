// End-to-end: the real binary's run / check / laws, exit codes, and that a
// failure writes nothing (issue: foundation; STYLE.md "nothing half-written").
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "cli_util.h"

using repsim::test::ReadFile;
using repsim::test::RunRepsim;
using repsim::test::TempDir;
namespace fs = std::filesystem;

namespace {

void WriteText(const fs::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
}

const char* kGood = R"([scenario]
name = "good"
[model]
params = "1B"
[data]
unique_tokens = "10B"
[training]
epochs = 8
[output]
trajectory_points = 16
plots = false
)";

const char* kBad = R"([scenario]
name = "bad"
[model]
params = "1B"
[data]
unique_tokens = "10B"
[training]
epochs = -8
)";

}  // namespace

TEST_CASE("version, help and unknown commands", "[cli]") {
  auto v = RunRepsim("--version");
  CHECK(v.code == 0);
  CHECK(v.out.rfind("repsim ", 0) == 0);
  auto h = RunRepsim("--help");
  CHECK(h.code == 0);
  for (auto cmd : {"run", "check", "laws", "plan", "fit", "merge", "calibrate"}) {
    CHECK(h.out.find(std::string("  ") + cmd) != std::string::npos);
  }
  CHECK(RunRepsim("").code == 2);
  auto u = RunRepsim("rn x.toml");
  CHECK(u.code == 2);
  CHECK(u.err.find("unknown command 'rn', did you mean 'run'?") != std::string::npos);
  auto rh = RunRepsim("run --help");
  CHECK(rh.code == 0);
  CHECK(rh.out.find("--out") != std::string::npos);
  CHECK(RunRepsim("check --help").code == 0);
  CHECK(RunRepsim("laws --help").code == 0);
}

TEST_CASE("laws lists every preset with its source", "[cli]") {
  auto r = RunRepsim("laws");
  CHECK(r.code == 0);
  for (auto p : {"chinchilla2022", "besiroglu2024", "muennighoff2023", "kaplan2020"}) {
    CHECK(r.out.find(p) != std::string::npos);
  }
  CHECK(r.out.find("Hoffmann") != std::string::npos);  // (wrapped to 100 columns)
  CHECK(RunRepsim("laws --wide").out.find("Hoffmann et al. 2022") != std::string::npos);
  auto csv = RunRepsim("laws --format csv");
  CHECK(csv.code == 0);
  CHECK(csv.out.rfind("preset,form,E,A,B,alpha,beta,", 0) == 0);
  CHECK(csv.out.find("chinchilla2022,E + A/N^alpha + B/D^beta,1.69,406.4,410.7,0.34,0.28") !=
        std::string::npos);
  // Every law constant (LawConstants()), overfit2026's term included; empty
  // where a preset lacks one (MODEL.md §2b: L_cap = 11 nats).
  CHECK(csv.out.find(",rd_star,rn_star,overfit_w,overfit_a,overfit_c,overfit_k,loss_cap,"
                     "overfit_height,overfit_w2,overfit_a2,overfit_c2,overfit_k2,source,") !=
        std::string::npos);
  CHECK(csv.out.find(",5.309743,,,,,,,,,,,\"Muennighoff et al. 2023") != std::string::npos);
  CHECK(csv.out.find(",11,,,,,,\"repsim 2026") != std::string::npos);
  CHECK(RunRepsim("laws --format yaml").code == 2);
}

TEST_CASE("check validates every shipped scenario", "[cli]") {
  auto r = RunRepsim("check $(find scenarios -name '*.toml' | sort)");
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
}

TEST_CASE("run writes the results files with every summary key", "[cli]") {
  TempDir tmp;
  WriteText(tmp.path() / "good.toml", kGood);
  auto r = RunRepsim("run good.toml --out out", tmp.str());
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("loss_repeated") != std::string::npos);
  const fs::path dir = tmp.path() / "out" / "good";
  for (auto f : {"summary.csv", "summary.json", "trajectory.csv", "report.md"}) {
    CHECK(fs::exists(dir / f));
  }
  const std::string json = ReadFile(dir / "summary.json");
  for (auto k : {"params",
                 "active_params",
                 "tokens",
                 "unique_tokens",
                 "epochs",
                 "compute",
                 "effective_tokens",
                 "effective_fraction",
                 "effective_params",
                 "loss_repeated",
                 "loss_unique",
                 "delta",
                 "delta_pct",
                 "equivalent_unique_tokens",
                 "wasted_compute",
                 "equivalent_params",
                 "marginal_value_last",
                 "epochs_value_below_half",
                 "epochs_value_below_tenth",
                 "law"}) {
    CHECK(json.find(std::string("\"") + k + "\": ") != std::string::npos);
  }
  CHECK(json.find("\"law\": \"ratio2026\"") != std::string::npos);  // the default law
  CHECK(json.find("\"epochs\": 8,") != std::string::npos);
  const std::string traj = ReadFile(dir / "trajectory.csv");
  CHECK(std::count(traj.begin(), traj.end(), '\n') == 17);  // header + 16 points
  CHECK(traj.rfind("tokens,epochs,effective_tokens,", 0) == 0);
  // No temporary folder is left behind.
  for (auto& e : fs::directory_iterator(tmp.path() / "out")) {
    CHECK(e.path().filename().string()[0] != '.');
  }
}

TEST_CASE("bad input: exit 2, nothing written, old results untouched", "[cli]") {
  TempDir tmp;
  WriteText(tmp.path() / "good.toml", kGood);
  WriteText(tmp.path() / "bad.toml", kBad);
  fs::create_directories(tmp.path() / "out" / "good");
  WriteText(tmp.path() / "out" / "good" / "marker", "previous results");

  auto r = RunRepsim("run good.toml bad.toml --out out", tmp.str());
  CHECK(r.code == 2);
  CHECK(r.err.find("bad.toml:8:10: error: training.epochs = -8: must be > 0") == 0);
  CHECK(r.err.find("    8 | epochs = -8\n") != std::string::npos);
  CHECK(r.out.empty());
  // The good file was not run either: every file is checked first.
  CHECK(ReadFile(tmp.path() / "out" / "good" / "marker") == "previous results");
  CHECK_FALSE(fs::exists(tmp.path() / "out" / "good" / "summary.csv"));
  CHECK_FALSE(fs::exists(tmp.path() / "out" / "bad"));

  auto c = RunRepsim("check bad.toml", tmp.str());
  CHECK(c.code == 2);
  CHECK(c.err.find("bad.toml:8:10:") == 0);
  CHECK(RunRepsim("check missing.toml", tmp.str()).code == 2);
  CHECK(RunRepsim("run", tmp.str()).code == 2);
  CHECK(RunRepsim("run good.toml --bogus", tmp.str()).code == 2);
}

TEST_CASE("a results path that is a file is an error", "[cli]") {
  TempDir tmp;
  WriteText(tmp.path() / "good.toml", kGood);
  WriteText(tmp.path() / "out", "not a folder");
  auto r = RunRepsim("run good.toml --out out", tmp.str());
  CHECK(r.code == 2);
  CHECK(r.err.find("out: exists and is not a folder") != std::string::npos);
  CHECK(ReadFile(tmp.path() / "out") == "not a folder");
}

TEST_CASE("a rerun replaces the results folder whole", "[cli]") {
  TempDir tmp;
  WriteText(tmp.path() / "good.toml", kGood);
  REQUIRE(RunRepsim("run good.toml --out out -q", tmp.str()).code == 0);
  WriteText(tmp.path() / "out" / "good" / "stale", "x");
  REQUIRE(RunRepsim("run good.toml --out out -q", tmp.str()).code == 0);
  CHECK_FALSE(fs::exists(tmp.path() / "out" / "good" / "stale"));
  CHECK(fs::exists(tmp.path() / "out" / "good" / "summary.csv"));
}

TEST_CASE("the committed results are those of the shipped scenarios", "[cli][results]") {
  // `make results` regenerates results/; this fails when someone changed the
  // model or a scenario and did not. Images are left out (they depend on the
  // installed gnuplot's version); their scripts are compared.
  TempDir tmp;
  auto r =
      RunRepsim("run --quiet --out '" + tmp.str() + "' $(find scenarios -name '*.toml' | sort)");
  INFO(r.err);
  REQUIRE(r.code == 0);
  const fs::path committed = fs::path(REPSIM_SOURCE_DIR) / "results";
  size_t compared = 0;
  for (auto& e : fs::recursive_directory_iterator(tmp.path())) {
    if (!e.is_regular_file()) continue;
    const std::string ext = e.path().extension().string();
    if (ext == ".svg" || ext == ".png") continue;
    const fs::path rel = fs::relative(e.path(), tmp.path());
    INFO("results/" << rel.string() << " is stale or missing: run `make results`");
    REQUIRE(fs::exists(committed / rel));
    CHECK(ReadFile(committed / rel) == ReadFile(e.path()));
    ++compared;
  }
  CHECK(compared > 20);
  // And nothing committed is left over from a scenario that no longer exists.
  for (auto& e : fs::directory_iterator(committed)) {
    if (!e.is_directory()) continue;
    INFO("results/" << e.path().filename().string() << " has no scenario: remove it");
    CHECK(fs::exists(tmp.path() / e.path().filename()));
  }
}
