// Sweeps (repsim/sweep.h, io/sweep_writer.h): grid indexing, per-point
// evaluation, the closed-form fast paths against the engine, and sweep.csv.
// Expected values are derived here from MODEL.md's closed forms, not taken
// from the code under test.
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "grid_toml.h"
#include "io/columns.h"
#include "io/scenario_loader.h"
#include "io/sweep_writer.h"
#include "io/table.h"
#include "repsim/scenario_keys.h"
#include "repsim/sweep.h"

using namespace repsim;
namespace fs = std::filesystem;
using repsim::test::ReadFile;
using repsim::test::TempDir;

namespace {

constexpr double kRelTol = 1e-12;  // closed forms: only rounding separates them

// MODEL.md §1-2 by hand for the muennighoff2023 preset (alpha = beta).
struct Muennighoff {
  double e = std::exp(0.6254804), a = std::exp(6.255414), b = std::exp(7.3049974);
  double alpha = 0.3526596, beta = 0.3526596, rd = 15.387756, rn = 5.309743;
  double G() const { return std::pow(alpha * a / (beta * b), 1.0 / (alpha + beta)); }
  // U_N: the N whose compute-optimal D equals U, (U G)^(beta/alpha) G.
  double OptimalParams(double u) const { return std::pow(u * G(), beta / alpha) * G(); }
  double EffectiveParams(double n, double u) const {
    const double un = std::min(n, OptimalParams(u));
    const double rn_excess = std::max(n / un - 1.0, 0.0);
    return un + un * rn * (1.0 - std::exp(-rn_excess / rn));
  }
  double EffectiveTokens(double d, double u) const {
    if (d <= u) return d;
    return u + u * rd * (1.0 - std::exp(-(d / u - 1.0) / rd));
  }
  double Law(double n, double d) const {
    return e + a / std::pow(n, alpha) + b / std::pow(d, beta);
  }
  double Repeated(double n, double d, double u) const {
    return Law(EffectiveParams(n, std::min(d, u)), EffectiveTokens(d, u));
  }
  double Fresh(double n, double d) const { return Law(EffectiveParams(n, d), d); }
};

Scenario Load(const std::string& text) {
  auto r = io::LoadScenarioText(text, "t.toml");
  INFO(r.FormatErrors());
  REQUIRE(r.scenario);
  return *r.scenario;
}

const std::string kGrid = test::EpochsUniqueGrid("grid", 40, 40);

std::string Csv(const Scenario& sc, const io::SweepOptions& opt, io::SweepReport* report,
                const fs::path& dir) {
  Expected<io::Staging> staging = io::Staging::Create(dir, sc.name);
  REQUIRE(staging);
  auto err = io::RunSweep(sc, opt, *staging, report);
  INFO(err.value_or(""));
  REQUIRE_FALSE(err);
  return ReadFile(staging->dir() / "sweep.csv");
}

// Every column in every row (--columns all): what the row checks compare.
io::SweepOptions Wide() {
  io::SweepOptions o;
  o.wide = true;
  return o;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

// The row sweep.csv must hold for `run`, built the slow, obvious way.
std::string ExpectedRow(const std::vector<double>& axis_values, const Run& run, const Summary& s) {
  std::string row;
  for (double v : axis_values) row += io::Num(v) + ",";
  row += "ok";
  for (const io::Column* c : io::DefaultColumns()) {
    row += ',';
    row += io::CsvCell(c->Cell(run, s));
  }
  return row;
}

// Every row of `lines` (sweep.csv) against the slow, obvious construction.
void CheckRows(const Scenario& sc, const std::vector<std::string>& lines) {
  for (uint64_t i = 0; i + 1 < lines.size(); ++i) {
    RunSpec spec = sc.base;
    const std::vector<double> v = SweepValues(sc.sweep, i);
    for (size_t k = 0; k < v.size(); ++k) REQUIRE_FALSE(SetNumber(spec, sc.sweep[k].key, v[k]));
    Expected<Run> run = Resolve(spec);
    REQUIRE(run);
    INFO("row " << i + 1);
    CHECK(lines[i + 1] == ExpectedRow(v, *run, Evaluate(*run)));
  }
}

}  // namespace

TEST_CASE("grid points are numbered row-major, last axis fastest", "[sweep]") {
  std::vector<SweepAxis> axes = {{"a", {1, 2}}, {"b", {10, 20, 30}}, {"c", {100, 200, 300, 400}}};
  REQUIRE(SweepGridSize(axes) == 24);
  CHECK(SweepGridSize({}) == 1);
  CHECK(SweepValues(axes, 0) == std::vector<double>{1, 10, 100});
  CHECK(SweepValues(axes, 1) == std::vector<double>{1, 10, 200});
  CHECK(SweepValues(axes, 4) == std::vector<double>{1, 20, 100});
  CHECK(SweepValues(axes, 12) == std::vector<double>{2, 10, 100});
  CHECK(SweepValues(axes, 23) == std::vector<double>{2, 30, 400});
  // index = (i0 n1 + i1) n2 + i2 for every point.
  for (uint64_t i = 0; i < 24; ++i) {
    std::vector<size_t> c(3);
    SweepCoordinates(axes, i, c);
    CHECK((c[0] * 3 + c[1]) * 4 + c[2] == i);
  }
}

TEST_CASE("shards are contiguous, disjoint, cover the grid and differ by at most one", "[sweep]") {
  for (uint64_t points : {1ULL, 7ULL, 24ULL, 1600ULL, 100000000ULL}) {
    for (int shards : {1, 2, 3, 7, 8, 30}) {
      uint64_t next = 0, lo = points, hi = 0;
      for (int s = 0; s < shards; ++s) {
        const IndexRange r = ShardRange(points, s, shards);
        CHECK(r.begin == next);
        next = r.end;
        lo = std::min(lo, r.size());
        hi = std::max(hi, r.size());
      }
      CHECK(next == points);
      CHECK(hi - lo <= 1);
    }
  }
}

TEST_CASE("values and range axes expand, and each point is the base with the axis keys set",
          "[sweep]") {
  const Scenario sc = Load(R"([scenario]
name = "t"
[law]
preset = "muennighoff2023"
[model]
params = 1e8
[data]
unique_tokens = 1e9
[training]
tokens = 1e9
[[sweep.axis]]
key = "training.epochs"
values = [1, 4, 40]
[[sweep.axis]]
key = "data.unique_tokens"
range = { from = 1e9, to = 1e11, steps = 3, scale = "log" }
[[sweep.axis]]
key = "model.params"
range = { from = 1e8, to = 3e8, steps = 2, scale = "linear" }
)");
  REQUIRE(sc.sweep.size() == 3);
  CHECK(sc.sweep[1].values[0] == 1e9);
  CHECK(sc.sweep[1].values[1] == Approx(1e10).epsilon(1e-15));
  CHECK(sc.sweep[1].values[2] == 1e11);
  CHECK(sc.sweep[2].values == std::vector<double>{1e8, 3e8});
  REQUIRE(SweepGridSize(sc.sweep) == 18);

  const Muennighoff m;
  SweepEvaluator ev(sc.base, sc.sweep);
  SweepPoint p;
  for (uint64_t i = 0; i < 18; ++i) {
    ev.Evaluate(i, &p);
    const std::vector<double> v = SweepValues(sc.sweep, i);
    INFO("point " << i);
    REQUIRE(p.kind == PointStatus::kOk);
    CHECK(p.status == "ok");
    const double epochs = v[0], u = v[1], n = v[2];
    CHECK(p.summary.params == n);
    CHECK(p.summary.unique_tokens == u);
    CHECK(p.summary.tokens == Approx(epochs * u).epsilon(kRelTol));
    CHECK(p.summary.loss_repeated == Approx(m.Repeated(n, epochs * u, u)).epsilon(kRelTol));
    CHECK(p.summary.loss_unique == Approx(m.Fresh(n, epochs * u)).epsilon(kRelTol));
    CHECK(p.summary.effective_fraction ==
          Approx(m.EffectiveTokens(epochs * u, u) / (epochs * u)).epsilon(kRelTol));
  }
  CHECK(ev.closed_form_points() == 18);
  CHECK(ev.timeline_points() == 0);
}

TEST_CASE("params = compute_optimal is derived again at every point", "[sweep]") {
  const Scenario sc = Load(R"([scenario]
name = "t"
[model]
params = "compute_optimal"
[data]
unique_tokens = 1e10
[training]
tokens = 1e10
[law]
preset = "overfit2026"
[[sweep.axis]]
key = "training.tokens"
values = [1e9, 1e11, 1e13]
)");
  const Muennighoff m;  // overfit2026 has muennighoff2023's E, A, B, alpha, beta
  SweepEvaluator ev(sc.base, sc.sweep);
  SweepPoint p;
  for (uint64_t i = 0; i < 3; ++i) {
    ev.Evaluate(i, &p);
    const double d = sc.sweep[0].values[i];
    // MODEL.md §1: N_opt for D tokens is (D G)^(beta/alpha) G.
    CHECK(p.run.params == Approx(m.OptimalParams(d)).epsilon(kRelTol));
    CHECK(p.summary.params == p.run.params);
  }
}

TEST_CASE("a point that does not resolve gets an 'invalid' status and empty cells", "[sweep]") {
  // Each value is valid on the base alone; together they make 1e31 tokens (> 1e30).
  const Scenario sc = Load(R"([scenario]
name = "bad-corner"
[model]
params = 1e9
[data]
unique_tokens = 1e10
[training]
epochs = 4
[output]
plots = false
[[sweep.axis]]
key = "training.epochs"
values = [2, 1e6]
[[sweep.axis]]
key = "data.unique_tokens"
values = [1e10, 1e25]
)");
  SweepEvaluator ev(sc.base, sc.sweep);
  SweepPoint p;
  ev.Evaluate(3, &p);
  CHECK(p.kind == PointStatus::kInvalid);
  CHECK(p.status.rfind("invalid: training.epochs gives 1.0000000000000001e+31 training tokens: "
                       "must be >= 1e-30 and <= 1e+30",
                       0) == 0);

  TempDir tmp;
  io::SweepReport report;
  const auto lines = Lines(Csv(sc, Wide(), &report, tmp.path()));
  REQUIRE(lines.size() == 5);
  CHECK(report.points == 4);
  CHECK(report.invalid == 1);
  CHECK(report.failed == 1);
  const auto cells = io::SplitCsvLine(lines[4]);
  CHECK(cells[0] == "1000000");
  CHECK(cells[1] == "1e+25");
  CHECK(cells[2].rfind("invalid: ", 0) == 0);
  REQUIRE(cells.size() == 3 + io::DefaultColumns().size());
  for (size_t i = 3; i < cells.size(); ++i) CHECK(cells[i].empty());
  CHECK(io::SplitCsvLine(lines[1])[2] == "ok");
  CHECK(report.markdown.find("1 invalid") != std::string::npos);
  CHECK(report.markdown.find("could not be fully evaluated") != std::string::npos);
}

TEST_CASE("the closed-form path gives Evaluate()'s summary exactly, in every column", "[sweep]") {
  // Variants of the one-source, no-dropout case: laws, objectives, quality,
  // decay modifiers, over-sized and under-sized models, below and above one epoch.
  struct Case {
    LawPreset preset;
    Objective objective;
    double quality, size_gamma;
  };
  const Case cases[] = {
      {LawPreset::kMuennighoff2023, Objective::kCausal, 1.0, 0.0},
      {LawPreset::kChinchilla2022, Objective::kSpanCorruption, 1.0, 0.0},
      {LawPreset::kBesiroglu2024, Objective::kDiffusion, 0.7, 0.1},
      {LawPreset::kKaplan2020, Objective::kUl2, 2.0, 0.0},
      {LawPreset::kOverfit2026, Objective::kCausal, 1.0, 0.0},  // the default law (§2b)
      {LawPreset::kOverfit2026, Objective::kSpanCorruption, 1.5, 0.1},
  };
  size_t compared = 0;
  for (const Case& c : cases) {
    ClosedFormEvaluator fast;
    for (double n : {3e7, 1e9, 7e10}) {
      for (double u : {1e8, 3.3e9, 1e12}) {
        for (double epochs : {0.25, 1.0, 1.7, 16.0, 300.0}) {
          Run run;
          run.law = MakeLaw(c.preset);
          run.params = n;
          run.active_params = n;
          run.objective = c.objective;
          run.sources = {DataSource{"data", u, 1.0, c.quality}};
          run.tokens = epochs * u;
          run.modifiers.size_gamma = c.size_gamma;
          REQUIRE(ClosedFormEvaluator::Applies(run));
          REQUIRE(fast.Accepts(run));
          const Summary a = fast.Evaluate(run);
          const Summary b = Evaluate(run);
          for (const io::Column* col : io::DefaultColumns()) {
            INFO(ToString(c.preset)
                 << " N=" << n << " U=" << u << " epochs=" << epochs << " " << col->name);
            CHECK(col->Cell(run, a) == col->Cell(run, b));
          }
          CHECK(a.warnings == b.warnings);
          REQUIRE(a.sources.size() == 1);
          CHECK(a.sources[0].effective_tokens == b.sources[0].effective_tokens);
          CHECK(a.sources[0].marginal_value_last == b.sources[0].marginal_value_last);
          ++compared;
        }
      }
    }
  }
  CHECK(compared == 270);

  Run dropout;
  dropout.law = MakeLaw(LawPreset::kMuennighoff2023);
  dropout.params = dropout.active_params = 1e9;
  dropout.sources = {DataSource{"data", 1e9, 1.0, 1.0}};
  dropout.tokens = 4e9;
  CHECK(ClosedFormEvaluator::Applies(dropout));
  dropout.dropout.schedule = DropoutSchedule::kConstant;
  dropout.dropout.rate = 0.1;
  CHECK_FALSE(ClosedFormEvaluator::Applies(dropout));  // the timeline handles dropout
  Run mixture = dropout;
  mixture.dropout = Dropout{};
  mixture.sources = {DataSource{"web", 1e9, 0.5, 1.0}, DataSource{"code", 1e8, 0.5, 1.0}};
  CHECK_FALSE(ClosedFormEvaluator::Applies(mixture));
}

TEST_CASE("the grid kernel agrees with Evaluate() to 1e-12", "[sweep]") {
  const std::vector<double> sorted = {0.3, 1.0, 1.5, 4.0, 37.0, 1000.0};
  const std::vector<double> shuffled = {37.0, 1.0, 1000.0, 0.3, 4.0, 1.5};
  const std::vector<double> unique = {1e8, 2e9, 2e10, 5e11, 1e13};
  const size_t n = sorted.size() * unique.size();
  for (const auto& [preset, epochs] : {std::pair{LawPreset::kMuennighoff2023, sorted},
                                       {LawPreset::kMuennighoff2023, shuffled},
                                       {LawPreset::kChinchilla2022, sorted},
                                       {LawPreset::kChinchilla2022, shuffled},
                                       {LawPreset::kOverfit2026, sorted},
                                       {LawPreset::kOverfit2026, shuffled}}) {
    const Law law = MakeLaw(preset);
    for (double params : {1e8, 1e9, 1e11}) {
      std::vector<double> lr(n), lu(n), dl(n);
      REQUIRE_FALSE(EvaluateEpochsUniqueGrid(law, params, epochs, unique, {lr, lu, dl}));
      for (size_t r = 0; r < unique.size(); ++r) {
        for (size_t c = 0; c < epochs.size(); ++c) {
          Run run;
          run.law = law;
          run.params = run.active_params = params;
          run.sources = {DataSource{"data", unique[r], 1.0, 1.0}};
          run.tokens = epochs[c] * unique[r];
          const Summary s = Evaluate(run);
          const size_t i = r * epochs.size() + c;
          INFO(ToString(preset) << " N=" << params << " U=" << unique[r]
                                << " epochs=" << epochs[c]);
          CHECK(lr[i] == Approx(s.loss_repeated).epsilon(kRelTol));
          CHECK(lu[i] == Approx(s.loss_unique).epsilon(kRelTol));
          // delta is a difference of nearly equal losses: compare it on the loss scale.
          CHECK(dl[i] == Approx(s.delta).margin(kRelTol * s.loss_unique));
        }
      }
    }
  }
  // Long runs of over-sized columns, so that the vectorised loop's body (not
  // only its scalar remainder) is checked: 1000 log-spaced epochs, every point
  // over-sized for a 1e11-parameter model on 1e8..1e9 unique tokens.
  {
    std::vector<double> many(1000);
    for (size_t c = 0; c < many.size(); ++c) many[c] = std::pow(10.0, 3.0 * c / 999.0);
    const std::vector<double> small = {1e8, 3e8, 1e9};
    const Law law = MakeLaw(LawPreset::kMuennighoff2023);
    const size_t m = many.size() * small.size();
    std::vector<double> lr(m), lu(m), dl(m);
    REQUIRE_FALSE(EvaluateEpochsUniqueGrid(law, 1e11, many, small, {lr, lu, dl}));
    double worst = 0;
    for (size_t r = 0; r < small.size(); ++r) {
      for (size_t c = 0; c < many.size(); ++c) {
        Run run;
        run.law = law;
        run.params = run.active_params = 1e11;
        run.sources = {DataSource{"data", small[r], 1.0, 1.0}};
        run.tokens = many[c] * small[r];
        const Summary s = Evaluate(run);
        REQUIRE(s.effective_params < 1e11);  // over-sized, as intended
        const size_t i = r * many.size() + c;
        worst = std::max({worst, std::fabs(lr[i] - s.loss_repeated) / s.loss_repeated,
                          std::fabs(lu[i] - s.loss_unique) / s.loss_unique});
      }
    }
    CHECK(worst <= kRelTol);
  }
  // Errors, not undefined behaviour: a Kaplan law, outputs of the wrong size.
  std::vector<double> one = {1.0}, two = {1.0, 2.0}, u = {1e9}, out(1);
  CHECK(EvaluateEpochsUniqueGrid(MakeLaw(LawPreset::kKaplan2020), 1e9, one, u, {out, out, out}));
  CHECK(
      EvaluateEpochsUniqueGrid(MakeLaw(LawPreset::kMuennighoff2023), 1e9, two, u, {out, out, out}));
  CHECK_FALSE(
      EvaluateEpochsUniqueGrid(MakeLaw(LawPreset::kMuennighoff2023), 1e9, one, u, {out, out, out}));
}

TEST_CASE("sweep.csv rows equal the summary columns of Evaluate(), row by row", "[sweep]") {
  // The closed-form path (no dropout) and the timeline (dropout), with a
  // constant axis, a compute-optimal model, quality and an objective.
  const std::string text = R"([scenario]
name = "rows"
[model]
params = "compute_optimal"
objective = "span_corruption"
[data]
unique_tokens = 1e9
quality = 0.8
[training]
epochs = 4
[training.dropout]
schedule = "SCHEDULE"
[output]
plots = false
[[sweep.axis]]
key = "data.unique_tokens"
values = [3e8, 1e10]
[[sweep.axis]]
key = "modifiers.size_gamma"
values = [0]
[[sweep.axis]]
key = "training.epochs"
range = { from = 0.5, to = 200, steps = 9, scale = "log" }
)";
  for (std::string schedule : {"none", "constant\"\nrate = 0.1\n#"}) {
    std::string toml = text;
    toml.replace(toml.find("SCHEDULE"), 8, schedule);
    const Scenario sc = Load(toml);
    TempDir tmp;
    io::SweepReport report;
    const auto lines = Lines(Csv(sc, Wide(), &report, tmp.path()));
    REQUIRE(lines.size() == 1 + 18);
    CHECK(lines[0] + "\n" == io::SweepCsvHeader(sc.sweep));
    CHECK(lines[0].rfind("data.unique_tokens,modifiers.size_gamma,training.epochs,status,params,",
                         0) == 0);
    CHECK(report.closed_form == (schedule == "none" ? 18u : 0u));
    CheckRows(sc, lines);
  }
}

TEST_CASE("the sweep of a shipped scenario: every row as Evaluate() gives it", "[sweep]") {
  auto r = io::LoadScenarioFile(std::string(REPSIM_SOURCE_DIR) +
                                "/scenarios/epochs-vs-dataset-size-compute-optimal.toml");
  INFO(r.FormatErrors());
  REQUIRE(r.scenario);
  TempDir tmp;
  io::SweepReport report;
  const auto lines = Lines(Csv(*r.scenario, Wide(), &report, tmp.path()));
  REQUIRE(lines.size() == 1 + 1600);
  CHECK(report.closed_form == 1600);
  CheckRows(*r.scenario, lines);
}

TEST_CASE("sweep.csv is the same byte for byte whatever the number of threads", "[sweep]") {
  const Scenario sc = Load(kGrid);
  TempDir tmp;
  io::SweepReport r1, r2, r3;
  const std::string one = Csv(sc, io::SweepOptions{1}, &r1, tmp.path() / "1");
  const std::string two = Csv(sc, io::SweepOptions{2}, &r2, tmp.path() / "2");
  const std::string five = Csv(sc, io::SweepOptions{5}, &r3, tmp.path() / "5");
  CHECK(Lines(one).size() == 1601);
  CHECK(one == two);
  CHECK(one == five);
  CHECK(r1.markdown == r2.markdown);
  CHECK(r1.points == 1600);
  CHECK(r1.failed == 0);
}

TEST_CASE("a shard writes its slice, its metadata and says so in report.md", "[sweep]") {
  const Scenario sc = Load(kGrid);
  TempDir tmp;
  io::SweepReport whole, part;
  const auto all = Lines(Csv(sc, {}, &whole, tmp.path() / "all"));
  io::SweepOptions opt;
  opt.shard_index = 1;
  opt.shard_count = 3;
  opt.sharded = true;
  Expected<io::Staging> staging = io::Staging::Create(tmp.path() / "s", sc.name);
  REQUIRE(staging);
  REQUIRE_FALSE(io::RunSweep(sc, opt, *staging, &part));
  const auto rows = Lines(ReadFile(staging->dir() / "sweep.csv"));
  // Slice 2 of 3 of 1600 points: [533, 1066).
  CHECK(part.begin == 533);
  CHECK(part.points == 533);
  REQUIRE(rows.size() == 1 + 533);
  CHECK(rows[0] == all[0]);
  CHECK(rows[1] == all[1 + 533]);
  CHECK(rows.back() == all[1066]);
  CHECK(part.markdown.find("shard 2 of 3") != std::string::npos);

  Expected<io::ShardMeta> meta =
      io::ParseShardMeta(ReadFile(staging->dir() / "sweep.shard.toml"), "sweep.shard.toml");
  REQUIRE(meta);
  CHECK(meta->scenario == "grid");
  CHECK(meta->shard == 2);
  CHECK(meta->shards == 3);
  CHECK(meta->grid_points == 1600);
  CHECK(meta->begin == 533);
  CHECK(meta->end == 1066);
  CHECK(meta->fingerprint == io::SweepFingerprint(sc));
  REQUIRE(meta->axes.size() == 2);
  CHECK(meta->axes[0].values == sc.sweep[0].values);  // exact round trip
  CHECK(meta->axes[1].values == sc.sweep[1].values);

  // Any change to the base or the axes changes the fingerprint.
  Scenario other = sc;
  other.base.params = 2e9;
  CHECK(io::SweepFingerprint(other) != io::SweepFingerprint(sc));
  other = sc;
  other.sweep[1].values.back() = std::nextafter(1e13, 2e13);
  CHECK(io::SweepFingerprint(other) != io::SweepFingerprint(sc));
}

TEST_CASE("report.md's sweep section: a pivot of delta_pct for two axes", "[sweep]") {
  const Scenario sc = Load(kGrid);
  TempDir tmp;
  io::SweepReport report;
  Csv(sc, {}, &report, tmp.path());
  const std::string& md = report.markdown;
  CHECK(md.find(io::kSweepSectionBegin) != std::string::npos);
  CHECK(md.find(io::kSweepSectionEnd) != std::string::npos);
  CHECK(md.find("1600 points over `training.epochs` (40 values from 1 to 1000) × "
                "`data.unique_tokens` (40 values from 1e+08 to 1e+13)") != std::string::npos);
  CHECK(md.find("Status: 1600 ok.") != std::string::npos);
  CHECK(md.find("### delta_pct by training.epochs and data.unique_tokens") != std::string::npos);
  // At one epoch nothing is repeated: the first pivot row is all zeros.
  CHECK(md.find("| 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |") != std::string::npos);

  const std::string report_md = "# x\n\nbefore\n" + md + "\n## Where the numbers come from\n";
  const std::string replaced = io::ReplaceSweepSection(report_md, "\nNEW\n");
  CHECK(replaced == "# x\n\nbefore\n\nNEW\n\n## Where the numbers come from\n");
}

TEST_CASE("sweep rows format numbers exactly as Num() does", "[sweep]") {
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0,
                                -1.0,
                                0.1,
                                1e-4,
                                1e-5,
                                9.9999e-5,
                                1.5e15,
                                1e16,
                                9999999999999998.0,
                                1e21,
                                123456789012345680.0,
                                5e-324,
                                2.2250738585072014e-308,
                                1.7976931348623157e308,
                                1e100,
                                1e-100,
                                100,
                                1234.5,
                                INFINITY,
                                -INFINITY,
                                NAN,
                                15.387756,
                                6e+17};
  for (int e = -320; e <= 308; ++e) {
    values.push_back(std::pow(10.0, e));
    values.push_back(-3.7 * std::pow(10.0, e));
  }
  // Every count of significant digits, 1 to 17, at many decimal exponents.
  for (uint64_t sig = 1, i = 0; i < 17; sig = sig * 10 + (i % 9) + 1, ++i) {
    for (int e = -30; e <= 30; ++e) values.push_back(static_cast<double>(sig) * std::pow(10.0, e));
  }
  for (int i = 0; i <= 20000; ++i) values.push_back(i * 0.25);
  // Random bit patterns: every exponent and significand.
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < 300000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    values.push_back(std::bit_cast<double>(x));
  }
  size_t mismatches = 0;
  for (double v : values) {
    char buf[64];
    const std::string fast(buf, io::FormatNumberFast(v, buf));
    if (fast != io::Num(v)) {
      if (++mismatches < 5) FAIL_CHECK(fast << " != " << io::Num(v));
    }
  }
  CHECK(mismatches == 0);
}
