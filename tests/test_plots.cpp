// Plots (io/plots.h): which scripts and data are written, that they name
// their data by relative file name, what the sweep plot chooses to show, and
// (when gnuplot is installed) that every script renders.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "cli/cli_util.h"
#include "io/plots.h"
#include "io/results.h"
#include "io/scenario_loader.h"
#include "io/sweep_digest.h"
#include "io/sweep_writer.h"
#include "repsim/scenario_keys.h"

using namespace repsim;
namespace fs = std::filesystem;
using repsim::test::ReadFile;
using repsim::test::TempDir;

namespace {

bool HaveGnuplot() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

const char* kScenario = R"([scenario]
name = "plots-test"
[model]
params = 2.5e8
[data]
unique_tokens = 134217728
[training]
epochs = 64
[output]
trajectory_points = 24
[[sweep.axis]]
key = "training.epochs"
range = { from = 1, to = 100, steps = 6, scale = "log" }
[[sweep.axis]]
key = "model.params"
values = [1e8, 1e9]
[[sweep.axis]]
key = "data.unique_tokens"
range = { from = 1e8, to = 1e11, steps = 5, scale = "log" }
[[compare]]
name = "no dropout"
[[compare]]
name = "dropout 0.1, \"quoted\""
"training.dropout.schedule" = "constant"
"training.dropout.rate" = 0.1
)";

// Everything `repsim run` does for a scenario, in-process, into `out`/<name>/.
fs::path RunAll(const std::string& text, const fs::path& out, bool png) {
  auto loaded = io::LoadScenarioText(text, "t.toml");
  INFO(loaded.FormatErrors());
  REQUIRE(loaded.scenario);
  const Scenario& sc = *loaded.scenario;
  ScenarioResults r;
  r.source_path = "t.toml";
  r.scenario = sc;
  r.run = *Resolve(sc.base);
  r.summary = Evaluate(r.run);
  r.trajectory = EvaluateTrajectory(r.run, sc.output.trajectory_points);
  for (const CompareVariant& v : sc.compare) {
    Run vr = *Resolve(v.spec);
    r.compare.push_back(CompareRow{v.name, vr, Evaluate(vr)});
  }
  Expected<io::Staging> staging = io::Staging::Create(out, sc.name);
  REQUIRE(staging);
  io::SweepReport sweep;
  if (!sc.sweep.empty()) REQUIRE_FALSE(io::RunSweep(sc, {}, *staging, &sweep));
  r.sweep_markdown = sweep.markdown;
  REQUIRE_FALSE(io::WriteResults(r, *staging));
  auto warning = io::WritePlots(r, io::PlotOptions{png}, *staging);
  INFO(warning.value_or(""));
  CHECK_FALSE(warning);
  REQUIRE_FALSE(staging->Commit());
  return out / sc.name;
}

}  // namespace

TEST_CASE("the sweep plot: epochs x unique tokens when the sweep has them", "[plots]") {
  std::vector<SweepAxis> axes = {{"model.params", {1e8, 1e9}},
                                 {"data.unique_tokens", {1e8, 1e9, 1e10}},
                                 {"data.quality", {1.0}},
                                 {"training.epochs", {1, 10, 100, 1000}}};
  io::SweepPlotPlan p = io::PlanSweepPlot(axes);
  CHECK(p.kind == io::SweepPlotPlan::Kind::kHeatmap);
  CHECK(p.x == 3);  // the training-length axis across
  CHECK(p.y == 1);  // unique tokens up
  CHECK(p.x_log);
  CHECK(p.y_log);
  CHECK(p.fixed == "model.params = 1e+08");  // the other varying axis, at its first value
  CHECK(io::SweepPlotDataFile(p) == "sweep_heatmap.dat");

  // Without those keys: the first two varying axes, in file order.
  axes = {{"data.quality", {0.5, 1, 2}}, {"law.rd_star", {5}}, {"modifiers.c_drop", {0, 0.5}}};
  p = io::PlanSweepPlot(axes);
  CHECK(p.kind == io::SweepPlotPlan::Kind::kHeatmap);
  CHECK(p.x == 0);
  CHECK(p.y == 2);
  CHECK_FALSE(p.x_log);
  CHECK(p.fixed.empty());

  // One varying axis: a line; none: no plot.
  p = io::PlanSweepPlot(
      std::vector<SweepAxis>{{"training.epochs", {1, 2, 4}}, {"data.quality", {1}}});
  CHECK(p.kind == io::SweepPlotPlan::Kind::kLine);
  CHECK(io::SweepPlotDataFile(p) == "sweep_delta.dat");
  CHECK(io::PlanSweepPlot(std::vector<SweepAxis>{{"data.quality", {1}}}).kind ==
        io::SweepPlotPlan::Kind::kNone);

  // Long axes are thinned to at most kSweepPlotMaxValues, both ends kept.
  SweepAxis many{"training.epochs", {}};
  for (int i = 0; i < 1000; ++i) many.values.push_back(1 + i);
  p = io::PlanSweepPlot(std::vector<SweepAxis>{many});
  CHECK(p.x_index.size() == io::kSweepPlotMaxValues);
  CHECK(p.x_index.front() == 0);
  CHECK(p.x_index.back() == 999);
  CHECK(p.XSlot(999) == static_cast<int>(io::kSweepPlotMaxValues) - 1);
  CHECK(p.XSlot(1) == -1);
}

TEST_CASE("run writes data and self-contained scripts, and gnuplot renders them", "[plots]") {
  TempDir tmp;
  const fs::path dir = RunAll(kScenario, tmp.path(), true);
  for (const char* f : {"trajectory.gp", "effective_tokens.gp", "compare.gp", "compare.dat",
                        "sweep_heatmap.gp", "sweep_heatmap.dat", "trajectory.csv"}) {
    INFO(f);
    CHECK(fs::exists(dir / f));
  }
  // Data by relative file name only, and a comment saying how to redraw.
  for (const char* f : {"trajectory.gp", "effective_tokens.gp", "compare.gp", "sweep_heatmap.gp"}) {
    const std::string gp = ReadFile(dir / f);
    INFO(f);
    CHECK(gp.find(dir.string()) == std::string::npos);
    CHECK(gp.find("plots-test") != std::string::npos);  // the title names the scenario
    CHECK(gp.find(std::string("gnuplot ") + f) != std::string::npos);
    CHECK(gp.find("set xlabel") != std::string::npos);
  }
  CHECK(ReadFile(dir / "trajectory.gp").find("\"trajectory.csv\"") != std::string::npos);
  CHECK(ReadFile(dir / "sweep_heatmap.gp").find("levels discrete 1, 5, 10") != std::string::npos);
  CHECK(ReadFile(dir / "sweep_heatmap.gp").find("model.params = 1e+08") != std::string::npos);
  // The heatmap data: 6 epochs x 5 unique-token blocks, at the first model size.
  const std::string dat = ReadFile(dir / "sweep_heatmap.dat");
  const std::string centres = dat.substr(0, dat.find("\n\n# index 1"));
  CHECK(std::count(centres.begin(), centres.end(), '\n') == 2 + 30 + 4);
  // The trajectory draws each [[compare]] variant: one block of
  // trajectory_variants.dat per variant (24 points each), one labelled line each.
  const std::string tv = ReadFile(dir / "trajectory_variants.dat");
  CHECK(std::count(tv.begin(), tv.end(), '\n') == 1 + 2 * (1 + 1 + 24) + 2);
  CHECK(tv.find("# variant: no dropout\ntokens,loss_repeated\n") != std::string::npos);
  const std::string tgp = ReadFile(dir / "trajectory.gp");
  CHECK(tgp.find("array variant_names[2]") != std::string::npos);
  CHECK(tgp.find("\"variant: no dropout\"") != std::string::npos);
  CHECK(tgp.find("\"variant: dropout 0.1, \\\"quoted\\\"\"") != std::string::npos);
  CHECK(tgp.find("for [i=1:2] \"trajectory_variants.dat\" index (i-1)") != std::string::npos);
  // Ranked variants, names quoted for gnuplot.
  const std::string cmp = ReadFile(dir / "compare.dat");
  CHECK(cmp.find("\"dropout 0.1, 'quoted'\"") != std::string::npos);

  if (!HaveGnuplot()) {
    WARN("gnuplot is not installed: rendering not tested");
    return;
  }
  for (const char* f : {"trajectory", "effective_tokens", "compare", "sweep_heatmap"}) {
    INFO(f);
    CHECK(fs::file_size(dir / (std::string(f) + ".svg")) > 1000);
    CHECK(fs::file_size(dir / (std::string(f) + ".png")) > 1000);
    CHECK(ReadFile(dir / (std::string(f) + ".svg")).find("<svg") != std::string::npos);
  }
  // A user redraws a plot from inside the folder.
  fs::remove(dir / "trajectory.svg");
  CHECK(std::system(("cd '" + dir.string() + "' && gnuplot trajectory.gp 2>/dev/null").c_str()) ==
        0);
  CHECK(fs::exists(dir / "trajectory.svg"));
}

TEST_CASE("a one-axis sweep gets a line plot", "[plots]") {
  TempDir tmp;
  const fs::path dir = RunAll(R"([scenario]
name = "line"
[model]
params = 1e9
[data]
unique_tokens = 1e9
[training]
epochs = 4
[output]
trajectory_points = 8
[[sweep.axis]]
key = "training.epochs"
values = [1, 2, 4, 8, 16, 32]
)",
                              tmp.path(), false);
  CHECK(fs::exists(dir / "sweep_delta.gp"));
  const std::string dat = ReadFile(dir / "sweep_delta.dat");
  CHECK(dat.find("\n1 0\n") != std::string::npos);  // one epoch: no cost
  CHECK_FALSE(fs::exists(dir / "compare.gp"));      // no variants, no comparison
  CHECK_FALSE(fs::exists(dir / "trajectory.png"));
  if (HaveGnuplot()) CHECK(fs::exists(dir / "sweep_delta.svg"));
}

TEST_CASE("a script gnuplot cannot draw is a warning, and leaves no image", "[plots]") {
  if (!HaveGnuplot()) return;
  TempDir tmp;
  {
    std::ofstream(tmp.path() / "good.gp") << "set terminal svg\nset output 'good.svg'\nplot x\n";
    std::ofstream(tmp.path() / "bad.gp")
        << "set terminal svg\nset output 'bad.svg'\nplot nosuchfunc(x)\n";
  }
  auto w = io::RenderScripts(tmp.path(), {"good.gp", "bad.gp"}, {});
  REQUIRE(w);
  CHECK(w->find("bad.gp (svg)") != std::string::npos);
  CHECK(w->find("good.gp") == std::string::npos);
  CHECK(fs::exists(tmp.path() / "good.svg"));
  CHECK_FALSE(fs::exists(tmp.path() / "bad.svg"));
}

TEST_CASE("heatmap cells are centred on their own grid point and coloured by it", "[plots]") {
  // Boundaries halfway between centres: geometric on a log axis (1 and 4 meet
  // at 2), arithmetic on a linear one; the ends half a step out.
  CHECK_THAT(io::CellBounds({1, 4, 16}, true),
             Catch::Matchers::Approx(std::vector<double>{0.5, 2, 8, 32}).epsilon(1e-12));
  CHECK_THAT(io::CellBounds({0.1, 0.2, 0.4}, false),
             Catch::Matchers::Approx(std::vector<double>{0.05, 0.15, 0.3, 0.5}).epsilon(1e-12));

  // The issue's case: 1-4 epochs at 1e9 unique tokens (muennighoff2023, the
  // law of the issue). The value at 1 epoch
  // is 0; under the old script pm3d coloured the cell between 1 and 4 epochs
  // with the mean of its corners (~1.5 %). Now the cell around 1 epoch
  // (from 0.5 to 2 epochs) carries 0, the one around 4 epochs its own value.
  TempDir tmp;
  const fs::path dir = RunAll(R"([scenario]
name = "cells"
[law]
preset = "muennighoff2023"
[model]
params = 1e9
[data]
unique_tokens = 1e9
[training]
epochs = 4
[output]
trajectory_points = 8
[[sweep.axis]]
key = "training.epochs"
values = [1, 4, 16, 64]
[[sweep.axis]]
key = "data.unique_tokens"
values = [1e9, 1e11]
)",
                              tmp.path(), false);
  const std::string dat = ReadFile(dir / "sweep_heatmap.dat");
  const size_t cells = dat.find("# index 1");
  REQUIRE(cells != std::string::npos);
  REQUIRE(dat.find("\n\n\n# index 1") != std::string::npos);  // two blank lines: a new index
  // The centres as before: (1 epoch, 1e9) is 0.
  CHECK(dat.substr(0, cells).find("\n1 1000000000 0\n") != std::string::npos);
  const std::string block = dat.substr(cells);
  CHECK(std::count(block.begin(), block.end(), '\n') == 1 + 15 + 2);  // 5 x 3 corners, 2 gaps
  // Corners at 0.5, 2, 8, 32, 128 epochs and 1e8, 1e10, 1e12 unique tokens; the lower-left
  // corner of the 1-epoch cell is zero, that of the 4-epoch cell is positive.
  CHECK(block.find("\n0.5 100000000 0\n") != std::string::npos);
  const size_t four = block.find("\n2 100000000 ");
  REQUIRE(four != std::string::npos);
  const double at4 = std::stod(block.substr(four + 13));
  CHECK(at4 > 1);
  CHECK(block.find("\n128 1000000000000 ") != std::string::npos);

  const std::string gp = ReadFile(dir / "sweep_heatmap.gp");
  CHECK(gp.find("corners2color c1") != std::string::npos);
  CHECK(gp.find("index 1 using 1:2:") != std::string::npos);  // the cells for the colour
  CHECK(gp.find("\"\" index 0 using 1:2:3 with lines") != std::string::npos);  // contours
  if (HaveGnuplot()) CHECK(fs::file_size(dir / "sweep_heatmap.svg") > 1000);
}

namespace {

// Runs `script` (in `dir`) with a line appended that prints VARS: what the
// script decided from the data (uselog, cbmin, cbmax), as gnuplot sees it.
std::string GnuplotVars(const fs::path& dir, const std::string& script, const std::string& vars) {
  const std::string probe = "probe_" + script;
  std::ofstream(dir / probe) << ReadFile(dir / script) << "\nset print \"probe.out\"\nprint "
                             << vars << "\n";
  const std::string cmd = "cd '" + dir.string() + "' && gnuplot " + probe + " 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) return "gnuplot failed";
  std::string out = ReadFile(dir / "probe.out");
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

TEST_CASE("[output] heatmap maps any numeric column, with its own label and scale", "[plots]") {
  // An iso-FLOP sweep: fixed compute, model size x unique tokens, coloured by
  // the predicted loss (under the old code only delta_pct could be mapped and
  // `heatmap` was an unknown key).
  const std::string iso = R"([scenario]
name = "iso"
[model]
params = 1e9
[data]
unique_tokens = 1e10
[training]
compute = 1e21
[output]
trajectory_points = 8
heatmap = "loss_repeated"
[[sweep.axis]]
key = "model.params"
values = [1e8, 1e9, 1e10]
[[sweep.axis]]
key = "data.unique_tokens"
values = [1e9, 1e11]
)";
  TempDir tmp;
  const fs::path dir = RunAll(iso, tmp.path(), false);
  const std::string dat = ReadFile(dir / "sweep_heatmap.dat");
  CHECK(dat.find("# columns: model.params data.unique_tokens loss_repeated") != std::string::npos);
  // Each centre carries that point's loss, as Evaluate() gives it for the same run.
  for (double n : {1e8, 1e9, 1e10}) {
    for (double u : {1e9, 1e11}) {
      auto loaded = io::LoadScenarioText(iso, "t.toml");
      RunSpec spec = loaded.scenario->base;
      REQUIRE_FALSE(SetNumber(spec, "model.params", n));
      REQUIRE_FALSE(SetNumber(spec, "data.unique_tokens", u));
      const Summary s = Evaluate(*Resolve(spec));
      const std::string row = io::Num(n) + " " + io::Num(u) + " " + io::Num(s.loss_repeated) + "\n";
      INFO(row);
      CHECK(dat.find(row) != std::string::npos);
    }
  }
  const std::string gp = ReadFile(dir / "sweep_heatmap.gp");
  CHECK(gp.find("set cblabel \"loss_repeated (nats/token)\"") != std::string::npos);
  CHECK(gp.find("iso: loss_repeated") != std::string::npos);        // the title
  CHECK(gp.find("levels discrete 1, 5, 10") == std::string::npos);  // no % contours
  CHECK(gp.find("delta_pct") == std::string::npos);
  const std::string report = ReadFile(dir / "report.md");
  CHECK(report.find("### loss_repeated by model.params and data.unique_tokens") !=
        std::string::npos);

  if (!HaveGnuplot()) {
    WARN("gnuplot is not installed: the scale choice is not tested");
    return;
  }
  CHECK(fs::file_size(dir / "sweep_heatmap.svg") > 1000);
  // Losses span far less than two decades: a linear colour bar over the data.
  double lo = 1e9, hi = 0;
  std::istringstream centres(dat.substr(0, dat.find("# index 1")));
  for (std::string line; std::getline(centres, line);) {
    std::istringstream cells(line);
    double x = 0, y = 0, z = 0;
    if (line.empty() || line[0] == '#' || !(cells >> x >> y >> z)) continue;
    lo = std::min(lo, z);
    hi = std::max(hi, z);
  }
  REQUIRE(hi > lo);
  std::istringstream vars(GnuplotVars(dir, "sweep_heatmap.gp", "uselog, cbmin, cbmax"));
  int uselog = -1;
  double cbmin = 0, cbmax = 0;
  vars >> uselog >> cbmin >> cbmax;
  CHECK(uselog == 0);
  CHECK(cbmin == Approx(lo).epsilon(1e-6));
  CHECK(cbmax == Approx(hi).epsilon(1e-6));

  // The rule on made-up data: log only when no value is negative and the
  // positive values span two decades; zeros allowed only for a cost (delta_pct).
  const std::vector<SweepAxis> axes = {{"training.epochs", {1, 2}}, {"data.quality", {1, 2}}};
  auto scale = [&](const std::string& column, const char* z) {
    const fs::path d = tmp.path() / ("scale-" + column + "-" + std::to_string(std::rand()));
    fs::create_directories(d);
    std::ofstream(d / "sweep_heatmap.dat") << fmt::format(
        "1 1 {}\n2 1 {}\n\n1 2 {}\n2 2 {}\n\n\n0.5 0.5 {}\n1.5 0.5 {}\n2.5 0.5 {}\n\n0.5 1.5 {}\n"
        "1.5 1.5 {}\n2.5 1.5 {}\n\n0.5 2.5 {}\n1.5 2.5 {}\n2.5 2.5 {}\n",
        z[0] == 'a'   ? "0.01"
        : z[0] == 'b' ? "0"
                      : "-1",
        "0.1", "1", "10",  // centres
        "1", "1", "1", "1", "1", "1", "1", "1", "1");
    REQUIRE_FALSE(io::WriteSweepPlot("s", axes, column, d, io::PlotOptions{}));
    return GnuplotVars(d, "sweep_heatmap.gp", "uselog");
  };
  CHECK(scale("loss_repeated", "a") == "1");  // 0.01 .. 10, all positive: log
  CHECK(scale("loss_repeated", "b") == "0");  // a zero: linear
  CHECK(scale("delta_pct", "b") == "1");      // a zero cost: lowest colour of a log scale
  CHECK(scale("delta_pct", "c") == "0");      // a negative value: linear
  CHECK(scale("effective_fraction", "c") == "0");
}

TEST_CASE("[output] heatmap: a misspelt or text column is a located error", "[plots]") {
  auto bad = [](const std::string& value) {
    return io::LoadScenarioText(
        "[scenario]\nname = \"x\"\n[model]\nparams = 1e9\n[data]\nunique_tokens = 1e9\n"
        "[training]\nepochs = 2\n[output]\nheatmap = " +
            value + "\n",
        "t.toml");
  };
  auto r = bad("\"los_repeated\"");
  REQUIRE_FALSE(r.scenario);
  CHECK_THAT(r.FormatErrors(),
             Catch::Contains("t.toml:10:11: error: output.heatmap = \"los_repeated\": not an "
                             "output column, did you mean 'loss_repeated'?"));
  r = bad("\"law\"");
  REQUIRE_FALSE(r.scenario);
  CHECK_THAT(r.FormatErrors(), Catch::Contains("`law` is a text column"));
  r = bad("3");
  REQUIRE_FALSE(r.scenario);
  CHECK_THAT(r.FormatErrors(), Catch::Contains("output.heatmap = 3: must be a string"));
  auto ok = bad("\"capacity_lost\"");
  REQUIRE(ok.scenario);
  CHECK(ok.scenario->output.heatmap == "capacity_lost");
}

TEST_CASE("[output] heatmap survives sharding: merge draws the same column", "[plots][merge]") {
  TempDir tmp;
  std::ofstream(tmp.path() / "iso.toml") << R"([scenario]
name = "iso"
[model]
params = 1e9
[data]
unique_tokens = 1e10
[training]
compute = 1e21
[output]
trajectory_points = 8
heatmap = "loss_repeated"
[[sweep.axis]]
key = "model.params"
values = [1e8, 1e9, 1e10]
[[sweep.axis]]
key = "data.unique_tokens"
values = [1e9, 1e10, 1e11]
)";
  const std::string t = "'" + tmp.str() + "/";
  for (int i = 1; i <= 2; ++i) {
    REQUIRE(test::RunRepsim(
                fmt::format("run {}iso.toml' --quiet --shard {}/2 --out {}s{}'", t, i, t, i))
                .code == 0);
  }
  CHECK_THAT(ReadFile(tmp.path() / "s1/iso/sweep.shard.toml"),
             Catch::Contains("heatmap = \"loss_repeated\""));
  auto m = test::RunRepsim(fmt::format("merge {}s1/iso' {}s2/iso' --out {}m'", t, t, t));
  INFO(m.err);
  REQUIRE(m.code == 0);
  REQUIRE(test::RunRepsim(fmt::format("run {}iso.toml' --quiet --out {}w'", t, t)).code == 0);
  const std::string merged = ReadFile(tmp.path() / "m/iso/sweep_heatmap.dat");
  CHECK(merged == ReadFile(tmp.path() / "w/iso/sweep_heatmap.dat"));
  CHECK_THAT(merged, Catch::Contains("loss_repeated (nats/token)"));
  CHECK_THAT(ReadFile(tmp.path() / "m/iso/sweep_heatmap.gp"),
             Catch::Contains("set cblabel \"loss_repeated (nats/token)\""));
}
