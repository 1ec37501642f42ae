// Plots out: gnuplot scripts (always) and their renderings (when gnuplot is
// installed): trajectory, effective tokens, comparison bars, sweep heatmap.
//
// Every plot is a data file plus a commented, self-contained `.gp` script
// that names its data by relative file name, so that `gnuplot NAME.gp` run
// inside the results folder redraws NAME.svg (and
// `gnuplot -e "fmt='png'" NAME.gp` draws NAME.png). repsim runs gnuplot in
// that folder when it is on PATH; a failure to render is a warning, never an
// error: the data and the scripts are the results.
//
//   trajectory.gp        loss vs tokens, repeated and fresh data (trajectory.csv), and
//                        one line per [[compare]] variant (trajectory_variants.dat)
//   effective_tokens.gp  effective tokens D' vs epochs, with the unique-data
//                        diagonal D' = D and the ceiling U (1 + R_D*) (trajectory.csv)
//   compare.gp           variants ranked by loss_repeated, horizontal bars (compare.csv)
//   sweep_heatmap.gp     delta_pct over two sweep axes, one cell per grid point
//                        centred on it and coloured by its own value, contours at 1, 5, 10 %
//                        (sweep_heatmap.dat), when the sweep has two or more
//                        axes with more than one value
//   sweep_delta.gp       delta_pct along the axis, when only one axis varies
//                        (sweep_delta.dat)
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/staging.h"
#include "repsim/scenario_results.h"

namespace repsim::io {

struct PlotOptions {
  bool png = false;  // also render .png
};

// Writes the .gp scripts (and their data, if not already there) into
// `staging` and renders them when gnuplot is on PATH.
MaybeError WritePlots(const ScenarioResults& results, const PlotOptions& options,
                      const Staging& staging);

// --- The sweep plot ------------------------------------------------------------

// How the sweep plot and report.md name the column they map ([output] heatmap).
struct PlottedColumn {
  std::string name;      // the column, e.g. "loss_repeated"
  std::string label;     // colour bar / y axis: "loss_repeated (nats/token)"
  std::string sentence;  // report.md: "L(N', D'): predicted loss of this run, in nats/token"
  std::string data;      // the data file's header: "loss_repeated (nats/token)"
  std::string title;     // the plot title after the scenario name: "loss_repeated"
  // A cost that is 0 where there is none (delta, delta_pct, capacity_lost,
  // wasted_compute): on a log colour scale its zero cells take the lowest colour.
  bool zero_is_none = false;
  bool percent = false;  // unit "%": contours at 1, 5 and 10 %
  // More is better (a ratio of what is kept, e.g. equivalent_params_ratio): the
  // palette runs the other way, so that dark still means hurt.
  bool higher_is_better = false;
};
PlottedColumn DescribePlotted(std::string_view column);

// What the sweep plot shows, chosen from the axes alone (so that `run` and
// `merge` agree). Axes with one value are constants. With two or more varying
// axes: a heatmap of x × y where x is the training-length axis
// (training.epochs | tokens | compute) and y is data.unique_tokens when the
// sweep has them, else the first varying axes in file order; any other axis
// is held at its first value (said in the title). With one varying axis: a
// line. Each plotted axis keeps at most kSweepPlotMaxValues values, evenly
// spaced in index, both ends included.
struct SweepPlotPlan {
  enum class Kind { kNone, kLine, kHeatmap };
  Kind kind = Kind::kNone;
  size_t x = 0, y = 0;                   // axis positions (y: heatmap only)
  bool x_log = false, y_log = false;     // positive and spanning more than 20x
  std::vector<size_t> x_index, y_index;  // value indices plotted, ascending
  std::string fixed;                     // "key = value, ..." of the held axes, or ""

  // Position of value index i in x_index / y_index, or -1.
  int XSlot(size_t i) const;
  int YSlot(size_t i) const;
};
inline constexpr size_t kSweepPlotMaxValues = 120;  // 120 x 120 cells: a ~2 MB SVG

SweepPlotPlan PlanSweepPlot(std::span<const SweepAxis> axes);

// Up to `m` of the positions 0..n-1, evenly spaced, both ends included, ascending.
std::vector<size_t> SpreadIndices(size_t n, size_t m);

// The data file name of the plan ("sweep_heatmap.dat" / "sweep_delta.dat"), "" for none.
std::string SweepPlotDataFile(const SweepPlotPlan& plan);

// Writes the sweep plot's script into `dir` (its data file must be there)
// and renders it. Error text (a warning for the caller) when rendering failed.
// `column`: the plotted column ([output] heatmap).
MaybeError WriteSweepPlot(const std::string& scenario_name, std::span<const SweepAxis> axes,
                          const std::string& column, const std::filesystem::path& dir,
                          const PlotOptions& options);

// Runs gnuplot on `scripts` (file names in `dir`) with `dir` as working
// directory, for SVG and, with options.png, PNG. Nothing when gnuplot is not
// on PATH; error text when it failed.
MaybeError RenderScripts(const std::filesystem::path& dir, const std::vector<std::string>& scripts,
                         const PlotOptions& options);

}  // namespace repsim::io
