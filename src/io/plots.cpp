// gnuplot scripts for the results folder (see plots.h for the list).
//
// The scripts are written for a person to read and edit: each opens with what
// it draws, which file it reads and how to redraw it, and keeps its numbers
// (unique tokens, decay scale) in named variables at the top. They need
// gnuplot >= 5.4 (`set datafile columnheaders`, CSV columns by name).

#include "io/plots.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>

#include "io/columns.h"
#include "io/results_csv.h"
#include "io/table.h"

namespace fs = std::filesystem;

namespace repsim::io {

// --- The sweep plot's plan ---------------------------------------------------------

PlottedColumn DescribePlotted(std::string_view column) {
  PlottedColumn p;
  p.name = std::string(column);
  const Column* c = FindColumn(column);
  const std::string unit = c ? std::string(c->unit) : std::string();
  p.percent = unit == "%";
  p.zero_is_none = column == "delta" || column == "delta_pct" || column == "capacity_lost" ||
                   column == "wasted_compute";
  for (std::string_view kept :
       {"equivalent_params_ratio", "equivalent_params", "effective_fraction", "effective_tokens",
        "effective_params", "equivalent_unique_tokens", "marginal_value_last"}) {
    p.higher_is_better = p.higher_is_better || column == kept;
  }
  if (column == "delta_pct") {
    p.label = "loss increase over all-fresh data, delta_pct (%)";
    p.sentence = "Loss increase from repetition, in % of the fresh-data loss";
    p.data = "delta_pct (% of the fresh-data loss)";
    p.title = "cost of repetition";
    return p;
  }
  p.label = unit.empty() ? p.name : fmt::format("{} ({})", p.name, unit);
  p.data = p.label;
  p.title = p.name;
  p.sentence = fmt::format("`{}`{}: {}", p.name, unit.empty() ? "" : fmt::format(" ({})", unit),
                           c ? c->meaning : std::string_view("a column of sweep.csv"));
  return p;
}

std::vector<size_t> SpreadIndices(size_t n, size_t m) {
  std::vector<size_t> out;
  if (n == 0 || m == 0) return out;
  if (n <= m) {
    for (size_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  if (m == 1) return {0};
  for (size_t k = 0; k < m; ++k) out.push_back((k * (n - 1) + (m - 1) / 2) / (m - 1));
  return out;
}

namespace {

int Slot(const std::vector<size_t>& v, size_t i) {
  auto it = std::lower_bound(v.begin(), v.end(), i);
  return it != v.end() && *it == i ? static_cast<int>(it - v.begin()) : -1;
}

// A log axis when every value is positive and they span more than 20x.
bool LogAxis(const SweepAxis& a) {
  const auto [lo, hi] = std::minmax_element(a.values.begin(), a.values.end());
  return *lo > 0 && *hi / *lo > 20;
}

bool TrainingLength(const std::string& key) {
  return key == "training.epochs" || key == "training.tokens" || key == "training.compute";
}

}  // namespace

int SweepPlotPlan::XSlot(size_t i) const { return Slot(x_index, i); }
int SweepPlotPlan::YSlot(size_t i) const { return Slot(y_index, i); }

SweepPlotPlan PlanSweepPlot(std::span<const SweepAxis> axes) {
  SweepPlotPlan plan;
  std::vector<size_t> varying;
  for (size_t k = 0; k < axes.size(); ++k) {
    if (axes[k].values.size() > 1) varying.push_back(k);
  }
  if (varying.empty()) return plan;
  plan.x = varying.front();
  for (size_t k : varying) {
    if (TrainingLength(axes[k].key)) {
      plan.x = k;
      break;
    }
  }
  plan.x_log = LogAxis(axes[plan.x]);
  plan.x_index = SpreadIndices(axes[plan.x].values.size(), kSweepPlotMaxValues);
  if (varying.size() == 1) {
    plan.kind = SweepPlotPlan::Kind::kLine;
  } else {
    plan.kind = SweepPlotPlan::Kind::kHeatmap;
    plan.y = varying.front() == plan.x ? varying[1] : varying.front();
    for (size_t k : varying) {
      if (k != plan.x && axes[k].key == "data.unique_tokens") plan.y = k;
    }
    plan.y_log = LogAxis(axes[plan.y]);
    plan.y_index = SpreadIndices(axes[plan.y].values.size(), kSweepPlotMaxValues);
  }
  for (size_t k : varying) {
    if (k == plan.x || (plan.kind == SweepPlotPlan::Kind::kHeatmap && k == plan.y)) continue;
    plan.fixed += fmt::format("{}{} = {}", plan.fixed.empty() ? "" : ", ", axes[k].key,
                              Short(axes[k].values.front()));
  }
  return plan;
}

std::string SweepPlotDataFile(const SweepPlotPlan& plan) {
  switch (plan.kind) {
    case SweepPlotPlan::Kind::kHeatmap:
      return "sweep_heatmap.dat";
    case SweepPlotPlan::Kind::kLine:
      return "sweep_delta.dat";
    case SweepPlotPlan::Kind::kNone:
      break;
  }
  return {};
}

// --- Script pieces -------------------------------------------------------------------

namespace {

// Colours shared by every plot: repeated data red, fresh data blue.
constexpr const char* kRepeatedColour = "#c0392b";
constexpr const char* kFreshColour = "#2471a3";

// A gnuplot double-quoted string literal.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// A number for a gnuplot script: exact, and a float (gnuplot's 10 / 4 is 2).
std::string GpNum(double v) {
  std::string s = Num(v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

// The opening of every script: what it is, how to redraw it, the terminal.
std::string Preamble(std::string_view stem, std::string_view what, std::string_view scenario,
                     std::string_view data, int width, int height) {
  return fmt::format(
      R"gp(# {stem}.gp: {what}.
# Scenario "{scenario}"; data: {data} (in this folder). Written by repsim:
# edit freely; running the scenario again overwrites it. Needs gnuplot >= 5.4.
#
# Draw it from inside this folder:
#   gnuplot {stem}.gp                    ->  {stem}.svg
#   gnuplot -e "fmt='png'" {stem}.gp     ->  {stem}.png

# A clean slate when run after other scripts (reset keeps the datafile settings).
reset
set datafile separator whitespace
set datafile nocolumnheaders
unset datafile missing
if (!exists("fmt")) fmt = "svg"
if (fmt eq "png") {{
  # pngcairo draws antialiased text; plain png (libgd) is the fallback.
  if (strstrt(GPVAL_TERMINALS, " pngcairo ") > 0) {{
    set terminal pngcairo size {w},{h} enhanced font "sans-serif,11" background "white"
  }} else {{
    set terminal png size {w},{h} enhanced background "#ffffff"
  }}
}} else {{
  set terminal svg size {w},{h} dynamic enhanced font "sans-serif,13" background "white"
}}
set output "{stem}." . fmt

)gp",
      fmt::arg("stem", stem), fmt::arg("what", what), fmt::arg("scenario", scenario),
      fmt::arg("data", data), fmt::arg("w", width), fmt::arg("h", height));
}

// Light grid, ticks outside, no frame on top and right.
constexpr const char* kStyle =
    "set border 3 lc \"#444444\"\n"
    "set tics nomirror out\n"
    "set grid xtics ytics lc \"#e3e3e3\" lw 1 dt 1\n";

// Tick labels of a log axis: powers of ten when it spans three decades or
// its numbers are large (tokens, parameters, FLOPs), else plain numbers.
std::string LogFormat(const char* axis, double lo, double hi) {
  const bool powers = lo > 0 && (hi / lo >= 1e3 || lo >= 1e4 || hi <= 1e-3);
  std::string out = powers ? fmt::format("set format {} \"10^{{%L}}\"\n", axis)
                           : fmt::format("set format {} \"%g\"\n", axis);
  // Over many decades the minor ticks of a log axis crowd into smudges.
  if (lo > 0 && hi / lo > 1e8) out += fmt::format("set m{}tics 1\n", axis);
  return out;
}

// An axis label with units for the keys a sweep can set.
std::string AxisLabel(std::string_view key) {
  struct Known {
    std::string_view key, label;
  };
  static constexpr Known kKnown[] = {
      {"training.epochs", "epochs (passes over the unique data)"},
      {"training.tokens", "training tokens D"},
      {"training.compute", "training compute C (FLOPs)"},
      {"data.unique_tokens", "unique tokens U"},
      {"data.quality", "data quality k (value of a token)"},
      {"model.params", "parameters N"},
      {"model.active_params", "active parameters per token"},
      {"training.dropout.rate", "dropout rate p"},
      {"training.dropout.start_epoch", "dropout start (epochs)"},
      {"training.dropout.end_epoch", "dropout end (epochs)"},
      {"law.rd_star", "R_D* (epochs)"},
      {"law.rn_star", "R_N*"},
  };
  for (const Known& k : kKnown) {
    if (k.key == key) return std::string(k.label);
  }
  return std::string(key);
}

// The loss axis of the trajectory: logarithmic when the loss falls a lot
// early in the run (so that the repeated-data part is not squashed), with
// readable ticks at round values.
std::string LossAxis(double lo, double hi) {
  if (!(lo > 0) || !(hi > 3 * lo)) return "set yrange [*:*]\n";
  static constexpr double kSteps[] = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8};
  std::vector<double> tics;
  for (double decade = std::pow(10.0, std::floor(std::log10(lo))); decade <= hi; decade *= 10) {
    for (double m : kSteps) {
      if (m * decade >= lo && m * decade <= hi) tics.push_back(m * decade);
    }
  }
  while (tics.size() > 9) {  // keep every other one, and the ends
    std::vector<double> fewer;
    for (size_t i = 0; i < tics.size(); i += 2) fewer.push_back(tics[i]);
    tics = std::move(fewer);
  }
  std::string list;
  for (double t : tics) list += fmt::format("{}{}", list.empty() ? "" : ", ", t);
  return fmt::format(
      "set logscale y        # the loss falls by {:.2g}x over the run\n"
      "set yrange [{}:{}]\nset ytics ({})\nset mytics 1\n",
      hi / lo, Num(lo * 0.97), Num(hi * 1.03), list);
}

// The loss trajectories of the compare variants (not the base, which the
// plot draws already): one gnuplot index per variant, in compare.csv order.
std::string VariantTrajectoryData(const ScenarioResults& r) {
  std::string out =
      "# repsim: the loss trajectory of each [[compare]] variant, one block (gnuplot index) "
      "per variant, each with its column names (CSV, as trajectory.csv)\n";
  bool first = true;
  for (const CompareRow& c : r.compare) {
    if (c.is_base) continue;
    out += fmt::format("{}# variant: {}\ntokens,loss_repeated\n", first ? "" : "\n\n", c.name);
    first = false;
    for (const TrajectoryPoint& p :
         EvaluateTrajectory(c.run, r.scenario.output.trajectory_points)) {
      out += fmt::format("{},{}\n", Num(p.tokens), Num(p.loss_repeated));
    }
  }
  return out;
}

size_t VariantCount(const ScenarioResults& r) {
  return static_cast<size_t>(std::count_if(r.compare.begin(), r.compare.end(),
                                           [](const CompareRow& c) { return !c.is_base; }));
}

// The gnuplot plot clauses for the variants' lines, labelled with their names.
std::string VariantLines(const ScenarioResults& r) {
  if (VariantCount(r) == 0) return {};
  std::string names;
  for (const CompareRow& c : r.compare) {
    if (!c.is_base) names += (names.empty() ? "" : ", ") + Quote("variant: " + c.name);
  }
  return fmt::format(
      "# The [[compare]] variants: one dashed line each (trajectory_variants.dat).\n"
      "array variant_names[{n}] = [{names}]\n",
      fmt::arg("n", VariantCount(r)), fmt::arg("names", names));
}

std::string VariantClause(const ScenarioResults& r) {
  if (VariantCount(r) == 0) return {};
  return fmt::format(
      ", \\\n     for [i=1:{}] \"trajectory_variants.dat\" index (i-1) using "
      "\"tokens\":\"loss_repeated\" "
      "with lines "
      "lw 1.8 dt 2 lc i+2 title variant_names[i] noenhanced",
      VariantCount(r));
}

std::string TrajectoryScript(const ScenarioResults& r) {
  const std::string& name = r.scenario.name;
  const double u = r.summary.unique_tokens;
  double lo = 0, hi = 0;
  for (const TrajectoryPoint& p : r.trajectory) {
    lo = lo == 0 ? p.loss_unique : std::min({lo, p.loss_unique, p.loss_repeated});
    hi = std::max({hi, p.loss_unique, p.loss_repeated});
  }
  for (const CompareRow& c : r.compare) {  // the variants' lines stay inside the loss axis
    if (c.is_base || lo == 0) continue;
    for (const TrajectoryPoint& p :
         EvaluateTrajectory(c.run, r.scenario.output.trajectory_points)) {
      lo = std::min(lo, p.loss_repeated);
      hi = std::max(hi, p.loss_repeated);
    }
  }
  std::string s =
      Preamble("trajectory", "predicted loss vs training tokens, repeated vs fresh data", name,
               "trajectory.csv", 900, 600);
  s += fmt::format(
      R"gp(U = {u}          # unique tokens of the scenario: 1 epoch = U tokens seen

set datafile separator comma
set datafile columnheaders      # columns by name: "tokens", "loss_repeated", ...

# The top axis counts epochs (tokens / U) over the same range as the bottom one.
stats "trajectory.csv" using "tokens" nooutput
set xrange [STATS_min:STATS_max]
set x2range [STATS_min / U:STATS_max / U]
set logscale x
set logscale x2
{xformat}set x2tics nomirror out
)gp",
      fmt::arg("u", GpNum(u)),
      fmt::arg("xformat", r.trajectory.empty() ? std::string()
                                               : LogFormat("x", r.trajectory.front().tokens,
                                                           r.trajectory.back().tokens)));
  s += kStyle;
  s += LossAxis(lo, hi);
  s += fmt::format(
      R"gp(set xlabel "training tokens seen D"
set x2label "epochs (D / U)"
set ylabel "predicted loss (nats/token)"
set title {title} noenhanced
set key top right opaque box lc "#bbbbbb" samplen 2
{epoch_marker}
{variant_names}plot "trajectory.csv" using "tokens":"loss_repeated":"loss_unique" \
       with filledcurves fc "{rep}" fs transparent solid 0.18 noborder title "cost of repetition", \
     "" using "tokens":"loss_unique" with lines lw 2.5 lc "{fresh}" \
       title "the same run on all-fresh data", \
     "" using "tokens":"loss_repeated" with lines lw 2.5 lc "{rep}" \
       title sprintf("repeated data (U = %.3g tokens)", U){variants}
)gp",
      fmt::arg("title", Quote(name + ": loss with repeated vs all-fresh data")),
      fmt::arg("variants", VariantClause(r)), fmt::arg("variant_names", VariantLines(r)),
      fmt::arg("epoch_marker",
               r.summary.epochs > 1
                   ? "\n# Repetition starts after one epoch.\n"
                     "set arrow 1 from U, graph 0 to U, graph 1 nohead dt 2 lc \"#999999\"\n"
                     "set label 1 \" 1 epoch\" at U, graph 0.04 left tc \"#777777\"\n"
                   : ""),
      fmt::arg("rep", kRepeatedColour), fmt::arg("fresh", kFreshColour));
  return s;
}

std::string EffectiveTokensScript(const ScenarioResults& r) {
  const std::string& name = r.scenario.name;
  const Summary& sm = r.summary;
  std::string s = Preamble("effective_tokens",
                           "effective tokens D' vs epochs, against the unique-data diagonal", name,
                           "trajectory.csv", 900, 600);
  s += fmt::format(
      R"gp(U = {u}          # unique tokens
R = {r}          # R_D* x objective multiplier: decay of repeated data (epochs)
last_epochs = {e}
last_fraction = {f}     # D'/D at the end of the run

set datafile separator comma
set datafile columnheaders

set logscale xy
set xrange [*:*] noextend
set format x "%g"
set format y "10^{{%L}}"
)gp",
      fmt::arg("u", GpNum(sm.unique_tokens)), fmt::arg("r", GpNum(sm.rd_star_effective)),
      fmt::arg("e", GpNum(sm.epochs)), fmt::arg("f", GpNum(sm.effective_fraction)));
  s += kStyle;
  s += fmt::format(
      R"gp(set xlabel "epochs (training tokens D / unique tokens U)"
set ylabel "tokens"
set title {title} noenhanced
set key bottom right opaque box lc "#bbbbbb" samplen 2

# Every token counts in full during the first epoch; after it, the k-th
# repetition is worth exp(-(k-1)/R) of a fresh token (Muennighoff et al. 2023),
# so D' levels off at U (1 + R).
{epoch_marker}set label 2 sprintf("D'/D = %.3g  ", last_fraction) at last_epochs, U * last_epochs * last_fraction \
    right offset -1, -1.5 tc "{rep}"

plot "trajectory.csv" using "epochs":"tokens" with lines lw 2 dt 2 lc "{fresh}" \
       title "all-fresh data: D' = D", \
     U * (1 + R) with lines lw 1.5 dt 3 lc "#7f8c8d" title "ceiling U (1 + R_D^*)", \
     "" using "epochs":"effective_tokens" with lines lw 2.5 lc "{rep}" \
       title "effective tokens D' of the repeated data"
)gp",
      fmt::arg("title", Quote(name + ": what repeated tokens are worth")),
      fmt::arg("epoch_marker",
               sm.epochs > 1
                   ? "set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 2 lc \"#999999\"\n"
                     "set label 1 \" 1 epoch\" at 1, graph 0.96 left tc \"#777777\"\n"
                   : ""),
      fmt::arg("rep", kRepeatedColour), fmt::arg("fresh", kFreshColour));
  return s;
}

std::string CompareData(const ScenarioResults& r) {
  std::string out =
      "# repsim: the variants of compare.csv, ranked by loss_repeated (best first)\n"
      "# rank name loss_unique loss_repeated delta delta_pct\n";
  for (size_t i = 0; i < r.compare.size(); ++i) {
    std::string name = r.compare[i].name;
    std::replace(name.begin(), name.end(), '"', '\'');
    std::replace(name.begin(), name.end(), '\n', ' ');
    const Summary& s = r.compare[i].summary;
    out += fmt::format("{} \"{}\" {} {} {} {}\n", i + 1, name, Num(s.loss_unique),
                       Num(s.loss_repeated), Num(s.delta), Num(s.delta_pct));
  }
  return out;
}

std::string CompareScript(const ScenarioResults& r) {
  const std::string& name = r.scenario.name;
  const size_t n = r.compare.size();
  const int height = static_cast<int>(std::clamp<size_t>(190 + 48 * n, 320, 2000));
  std::string s = Preamble("compare", "the variants, ranked by predicted loss", name,
                           "compare.dat, the columns of compare.csv it needs", 900, height);
  s += fmt::format(
      R"gp(n = {n}          # variants, one per row of compare.dat, best first

# Each bar runs from the loss of the same run on all-fresh data (the dot) to the
# predicted loss with repetition: its length is delta, what repetition costs.
# The axis need not start at zero: the bars are differences of losses.
stats "compare.dat" using 3:4 nooutput
lo = STATS_min_x < STATS_min_y ? STATS_min_x : STATS_min_y
hi = STATS_max_x > STATS_max_y ? STATS_max_x : STATS_max_y
span = hi > lo ? hi - lo : 0.01 * hi
set xrange [lo - 0.05 * span : hi + 0.35 * span]
set yrange [n + 0.6 : 0.4]

set border 1 lc "#444444"
set xtics nomirror out
set ytics scale 0 noenhanced
set grid xtics lc "#e3e3e3"
set xlabel "predicted loss (nats/token)\ndot: the same run on all-fresh data;  bar: what repetition costs (delta)"
set title {title} noenhanced
set key off
set style fill solid 0.85 noborder

plot "compare.dat" using (($3 + $4) / 2):1:(($4 - $3) / 2):(0.3):ytic(2) with boxxyerror \
       lc "{rep}" title "cost of repetition (delta)", \
     "" using 3:1 with points pt 7 ps 0.9 lc "{fresh}" title "the same run on all-fresh data", \
     "" using 4:1:(sprintf("  %.3f  (+%.3g %%)", $4, $6)) with labels left tc "#333333" notitle
)gp",
      fmt::arg("n", n),
      fmt::arg("title", Quote(name + ": variants ranked by predicted loss (best at top)")),
      fmt::arg("rep", kRepeatedColour), fmt::arg("fresh", kFreshColour));
  return s;
}

std::string SweepScript(const std::string& name, std::span<const SweepAxis> axes,
                        const SweepPlotPlan& plan, const PlottedColumn& col) {
  const SweepAxis& ax = axes[plan.x];
  const auto [xlo, xhi] = std::minmax_element(ax.values.begin(), ax.values.end());
  const std::string held =
      plan.fixed.empty() ? std::string() : fmt::format("\\n(at {})", plan.fixed);
  if (plan.kind == SweepPlotPlan::Kind::kLine) {
    std::string s = Preamble("sweep_delta",
                             col.name == "delta_pct" ? "the cost of repetition along the sweep"
                                                     : col.name + " along the sweep",
                             name, "sweep_delta.dat", 900, 560);
    s += "set datafile missing \"NaN\"     # points that were not evaluated\n";
    if (plan.x_log) s += "set logscale x\n" + LogFormat("x", *xlo, *xhi);
    s += kStyle;
    s += fmt::format(
        R"gp(set xlabel {xl} noenhanced
set ylabel {yl} noenhanced
set title {title} noenhanced
set key off
set xrange [*:*] noextend
set offsets graph 0.02, graph 0.02, graph 0.05, 0   # keep points off the side frames
)gp",
        fmt::arg("xl", Quote(AxisLabel(ax.key))), fmt::arg("yl", Quote(col.label)),
        fmt::arg("title", Quote(name + ": " + col.title + held)));
    if (col.percent) {
      s += R"gp(# Reference levels: 1 %, 5 % and 10 %.
do for [level in "1 5 10"] {
  set arrow from graph 0, first level+0 to graph 1, first level+0 nohead dt 3 lc "#999999"
  set label sprintf("%s %%", level) at graph 1, first level+0 right offset -0.5, 0.6 tc "#777777"
}
)gp";
    }
    s += fmt::format(
        "plot \"sweep_delta.dat\" using 1:2 with linespoints lw 2.5 pt 7 ps 0.6 lc \"{}\"\n",
        kRepeatedColour);
    return s;
  }
  const SweepAxis& ay = axes[plan.y];
  const auto [ylo, yhi] = std::minmax_element(ay.values.begin(), ay.values.end());
  std::string s = Preamble("sweep_heatmap",
                           col.name == "delta_pct" ? "the cost of repetition over two sweep axes"
                                                   : col.name + " over two sweep axes",
                           name, "sweep_heatmap.dat", 900, 680);
  s += fmt::format(
      R"gp(# Colour: {data}. The colour bar spans the data. Its scale is logarithmic
# only when no value is negative and the positive values span two decades or
# more{zero}; otherwise linear.
# {contours}
# Each grid point (index 0 of the data) is the centre of its own cell, coloured
# by its own value: the cells (index 1) are drawn from their lower-left corner.
set datafile missing "NaN"      # points that were not evaluated stay blank
zero_is_none = {zero_is_none}               # 1: a zero means "no cost" (lowest colour on a log scale)
stats "sweep_heatmap.dat" index 0 using 3 nooutput
datamin = STATS_min
datamax = STATS_max
uselog = 0
if (datamin >= 0 && datamax > 0) {{
  stats "sweep_heatmap.dat" index 0 using ($3 > 0 ? $3 : 1/0) nooutput
  posmin = STATS_min
  if ((datamin > 0 || zero_is_none) && datamax >= 100 * posmin) {{ uselog = 1 }}
}}
if (uselog) {{
  cbmin = posmin
  cbmax = datamax
  set logscale cb
}} else {{
  cbmin = datamin
  cbmax = datamax
  if (cbmax <= cbmin) {{
    pad = cbmin != 0 ? 0.01 * abs(cbmin) : 1
    cbmin = cbmin - pad
    cbmax = cbmax + pad
  }}
}}
set cbrange [cbmin:cbmax]
set format cb "%g"
set cbtics out nomirror
set palette defined (0 "#fffff0", 1 "#fff2b2", 2 "#fed976", 3 "#fd8d3c", 4 "#e31a1c", 5 "#800026", 6 "#2b0010"){negative}

set view map
set pm3d map
set pm3d corners2color c1 scansforward   # a cell's colour: its own grid point, not a mean
set contour base
{cntr}
set style textbox opaque noborder margins 1, 1
set xrange [*:*] noextend
set yrange [*:*] noextend
set border 15 lc "#444444"
set tics out nomirror
# The map view leaves wide margins of its own: place the plot explicitly.
set lmargin at screen 0.11
set rmargin at screen 0.80
set bmargin at screen 0.12
set tmargin at screen 0.88
)gp",
      fmt::arg("data", col.data),
      fmt::arg("zero", col.zero_is_none ? " (a zero, no cost, takes the lowest colour)" : ""),
      fmt::arg("zero_is_none", col.zero_is_none ? 1 : 0),
      fmt::arg("negative", col.higher_is_better
                               ? "\nset palette negative   # more is better: dark = low = hurt"
                               : ""),
      fmt::arg("contours", col.percent ? "Black lines: where it crosses 1 %, 5 % and 10 %."
                                       : "Black lines: contours at five levels gnuplot chooses."),
      fmt::arg("cntr", col.percent ? "set cntrparam levels discrete 1, 5, 10\n"
                                     "set cntrlabel onecolor format \"%g %%\" font \",11\" start 8 "
                                     "interval 60"
                                   : "set cntrparam levels auto 5\n"
                                     "set cntrlabel onecolor format \"%.3g\" font \",11\" start 8 "
                                     "interval 60"));
  if (plan.x_log) s += "set logscale x\n" + LogFormat("x", *xlo, *xhi);
  if (plan.y_log) s += "set logscale y\n" + LogFormat("y", *ylo, *yhi);
  s += fmt::format(
      R"gp(set xlabel {xl} noenhanced
set ylabel {yl} noenhanced
set cblabel {cbl} noenhanced
set title {title} noenhanced
set key off

splot "sweep_heatmap.dat" index 1 using 1:2:($3 < cbmin ? cbmin : $3) with pm3d nocontours, \
      "" index 0 using 1:2:3 with lines nosurface lc "black" lw 1.5, \
      "" index 0 using 1:2:3 with labels boxed nosurface
)gp",
      fmt::arg("xl", Quote(AxisLabel(ax.key))), fmt::arg("yl", Quote(AxisLabel(ay.key))),
      fmt::arg("cbl", Quote(col.label)), fmt::arg("title", Quote(name + ": " + col.title + held)));
  return s;
}

// --- Running gnuplot ---------------------------------------------------------------

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::string_view rest(path);
  while (true) {
    const size_t colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    const fs::path p = fs::path(dir.empty() ? "." : std::string(dir)) / program;
    if (access(p.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

// Runs gnuplot ARGS in `dir`; its exit status, stderr in *err.
int RunGnuplot(const fs::path& dir, const std::vector<std::string>& args, std::string* err) {
  int pipefd[2];
  if (pipe(pipefd) != 0) {
    *err = std::strerror(errno);
    return -1;
  }
  std::vector<char*> argv;
  std::string prog = "gnuplot";
  argv.push_back(prog.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    *err = std::strerror(errno);
    close(pipefd[0]);
    close(pipefd[1]);
    return -1;
  }
  if (pid == 0) {  // child: only async-signal-safe calls until exec
    const int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, STDIN_FILENO);
      dup2(devnull, STDOUT_FILENO);
    }
    dup2(pipefd[1], STDERR_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    if (chdir(dir.c_str()) != 0) _exit(126);
    execvp("gnuplot", argv.data());
    _exit(127);
  }
  close(pipefd[1]);
  char buf[4096];
  ssize_t got;
  while ((got = read(pipefd[0], buf, sizeof buf)) > 0 || (got < 0 && errno == EINTR)) {
    if (got > 0 && err->size() < 65536) err->append(buf, static_cast<size_t>(got));
  }
  close(pipefd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Stem(const std::string& script) { return fs::path(script).stem().string(); }

// The first line of gnuplot's complaint, for a one-line warning.
std::string Brief(const std::string& err) {
  std::string out;
  size_t start = 0;
  while (start < err.size()) {
    size_t end = err.find('\n', start);
    if (end == std::string::npos) end = err.size();
    std::string_view line(err.data() + start, end - start);
    if (line.find("line ") != std::string_view::npos ||
        line.find("rror") != std::string_view::npos) {
      return std::string(line);
    }
    if (out.empty() && !line.empty()) out = std::string(line);
    start = end + 1;
  }
  return out;
}

}  // namespace

MaybeError RenderScripts(const fs::path& dir, const std::vector<std::string>& scripts,
                         const PlotOptions& options) {
  if (scripts.empty() || !OnPath("gnuplot")) return std::nullopt;
  std::vector<std::string> formats = {"svg"};
  if (options.png) formats.push_back("png");
  std::vector<std::string> problems;
  for (const std::string& f : formats) {
    std::vector<std::string> args = {"-e", fmt::format("fmt='{}'", f)};
    args.insert(args.end(), scripts.begin(), scripts.end());
    std::string err;
    if (RunGnuplot(dir, args, &err) == 0) continue;
    // gnuplot stops at the first failing script: run each alone to know which.
    for (const std::string& s : scripts) {
      std::string one_err;
      if (RunGnuplot(dir, {"-e", fmt::format("fmt='{}'", f), s}, &one_err) == 0) continue;
      std::error_code ec;
      fs::remove(dir / (Stem(s) + "." + f), ec);  // no half-drawn image
      problems.push_back(fmt::format("{} ({}): {}", s, f, Brief(one_err)));
    }
  }
  if (problems.empty()) return std::nullopt;
  std::string out = "gnuplot could not draw ";
  for (size_t i = 0; i < problems.size(); ++i) out += (i ? "; " : "") + problems[i];
  return out + " (the data and scripts are written)";
}

MaybeError WriteSweepPlot(const std::string& scenario_name, std::span<const SweepAxis> axes,
                          const std::string& column, const fs::path& dir,
                          const PlotOptions& options) {
  const SweepPlotPlan plan = PlanSweepPlot(axes);
  if (plan.kind == SweepPlotPlan::Kind::kNone) return std::nullopt;
  const std::string script = Stem(SweepPlotDataFile(plan)) + ".gp";
  std::ofstream f(dir / script, std::ios::binary);
  f << SweepScript(scenario_name, axes, plan, DescribePlotted(column));
  f.close();
  if (!f) return fmt::format("{}: cannot write", (dir / script).string());
  return RenderScripts(dir, {script}, options);
}

MaybeError WritePlots(const ScenarioResults& r, const PlotOptions& options,
                      const Staging& staging) {
  std::vector<std::string> scripts;
  MaybeError err;
  auto write = [&](const std::string& file, const std::string& text) {
    if (!err) err = staging.Write(file, text);
  };
  // The trajectory plots read trajectory.csv: write it when the scenario's
  // formats left it out.
  if (!r.trajectory.empty()) {
    if (!staging.Has("trajectory.csv")) write("trajectory.csv", TrajectoryCsv(r.trajectory));
    if (VariantCount(r) > 0) write("trajectory_variants.dat", VariantTrajectoryData(r));
    write("trajectory.gp", TrajectoryScript(r));
    write("effective_tokens.gp", EffectiveTokensScript(r));
    scripts.push_back("trajectory.gp");
    scripts.push_back("effective_tokens.gp");
  }
  if (!r.compare.empty()) {
    write("compare.dat", CompareData(r));
    write("compare.gp", CompareScript(r));
    scripts.push_back("compare.gp");
  }
  if (!r.scenario.sweep.empty()) {
    const SweepPlotPlan plan = PlanSweepPlot(r.scenario.sweep);
    const std::string data = SweepPlotDataFile(plan);
    // RunSweep writes the data (not for a shard: `merge` draws the whole grid).
    if (!data.empty() && staging.Has(data)) {
      const std::string script = Stem(data) + ".gp";
      write(script, SweepScript(r.scenario.name, r.scenario.sweep, plan,
                                DescribePlotted(r.scenario.output.heatmap)));
      scripts.push_back(script);
    }
  }
  if (err) return err;
  if (staging.in_memory()) return std::nullopt;  // nothing to render into
  return RenderScripts(staging.dir(), scripts, options);
}

}  // namespace repsim::io
