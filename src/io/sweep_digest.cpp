#include "io/sweep_digest.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "io/csv_line.h"
#include "io/table.h"

namespace repsim::io {
namespace {

// Rows of report.md's "first rows" table, failures listed, pivot size.
constexpr size_t kFirstRows = 20;
constexpr size_t kFailuresListed = 5;
constexpr size_t kPivotRows = 11;
constexpr size_t kPivotColumns = 8;
// The summary columns report.md's sweep tables show.
constexpr std::string_view kShownColumns[] = {
    "loss_repeated", "loss_unique", "delta", "delta_pct", "effective_fraction", "wasted_compute"};

std::string ShortCell(double v) { return std::isnan(v) ? std::string("—") : Short(v); }

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// "40 values from 1 to 1000" / "1 value: 7".
std::string DescribeAxis(const SweepAxis& a) {
  if (a.values.size() == 1) return fmt::format("`{}` = {}", a.key, Short(a.values.front()));
  return fmt::format("`{}` ({} values from {} to {})", a.key, a.values.size(),
                     Short(a.values.front()), Short(a.values.back()));
}
}  // namespace

SweepDigest::SweepDigest(std::vector<SweepAxis> axes, std::vector<std::string> header,
                         IndexRange range, uint64_t grid_points, std::string plotted)
    : axes_(std::move(axes)),
      header_(std::move(header)),
      range_(range),
      grid_points_(grid_points),
      plotted_(std::move(plotted)) {
  plan_ = PlanSweepPlot(axes_);
  for (size_t k = 0; k <= axes_.size() && k < header_.size(); ++k) keep_columns_.push_back(k);
  for (std::string_view name : kShownColumns) {
    for (size_t i = axes_.size() + 1; i < header_.size(); ++i) {
      if (header_[i] == name) keep_columns_.push_back(i);
    }
  }
  for (size_t i = 0; i < header_.size(); ++i) {
    if (i > axes_.size() && header_[i] == plotted_) plotted_column_ = static_cast<int>(i);
  }
  first_rows_.resize(static_cast<size_t>(std::min<uint64_t>(kFirstRows, range_.size())));
  const size_t ny = plan_.kind == SweepPlotPlan::Kind::kHeatmap ? plan_.y_index.size() : 1;
  plot_z_.assign(plan_.x_index.size() * ny, std::numeric_limits<double>::quiet_NaN());
}

bool SweepDigest::Wants(uint64_t index) const {
  if (index < range_.begin || index >= range_.end) return false;
  if (index - range_.begin < first_rows_.size()) return true;
  if (plan_.kind == SweepPlotPlan::Kind::kNone) return false;
  for (size_t k = axes_.size(); k-- > 0;) {
    const uint64_t n = axes_[k].values.size();
    const auto c = static_cast<size_t>(index % n);
    index /= n;
    if (k == plan_.x) {
      if (plan_.XSlot(c) < 0) return false;
    } else if (plan_.kind == SweepPlotPlan::Kind::kHeatmap && k == plan_.y) {
      if (plan_.YSlot(c) < 0) return false;
    } else if (c != 0) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> SweepDigest::KeepCells(std::string_view line) const {
  std::vector<std::string> cells = SplitCsvLine(line);
  std::vector<std::string> kept;
  for (size_t i : keep_columns_) kept.push_back(i < cells.size() ? cells[i] : std::string());
  return kept;
}

void SweepDigest::SetConstantColumns(
    const std::vector<std::pair<std::string, std::string>>& constants) {
  for (const auto& [name, cell] : constants) {
    header_.push_back(name);
    line_suffix_ += ',';
    line_suffix_ += CsvCell(cell);
    if (name == plotted_) plotted_column_ = static_cast<int>(header_.size() - 1);
  }
  // report.md's columns, in their order, now that the header is whole.
  keep_columns_.clear();
  for (size_t k = 0; k <= axes_.size() && k < header_.size(); ++k) keep_columns_.push_back(k);
  for (std::string_view name : kShownColumns) {
    for (size_t i = axes_.size() + 1; i < header_.size(); ++i) {
      if (header_[i] == name) keep_columns_.push_back(i);
    }
  }
}

void SweepDigest::Record(uint64_t index, std::string_view lean_line) {
  if (!Wants(index)) return;
  std::string whole;
  if (!line_suffix_.empty()) whole = std::string(lean_line) + line_suffix_;
  const std::string_view line = line_suffix_.empty() ? lean_line : std::string_view(whole);
  if (index - range_.begin < first_rows_.size())
    first_rows_[index - range_.begin] = KeepCells(line);
  if (plan_.kind == SweepPlotPlan::Kind::kNone) return;
  std::vector<size_t> c(axes_.size());
  SweepCoordinates(axes_, index, c);
  bool on_plot = true;
  for (size_t k = 0; k < axes_.size(); ++k) {
    if (k != plan_.x && !(plan_.kind == SweepPlotPlan::Kind::kHeatmap && k == plan_.y) &&
        c[k] != 0) {
      on_plot = false;
    }
  }
  const int xs = plan_.XSlot(c[plan_.x]);
  const int ys = plan_.kind == SweepPlotPlan::Kind::kHeatmap ? plan_.YSlot(c[plan_.y]) : 0;
  if (!on_plot || xs < 0 || ys < 0 || plotted_column_ < 0) return;
  if (auto v = ParseDouble(CsvCellAt(line, static_cast<size_t>(plotted_column_)))) {
    plot_z_[static_cast<size_t>(ys) * plan_.x_index.size() + static_cast<size_t>(xs)] = *v;
  }
}

void SweepDigest::RecordFailure(uint64_t index, std::string_view line) {
  std::lock_guard lock(failures_mu_);
  if (failures_.size() == kFailuresListed && index > failures_.back().index) return;
  std::vector<std::string> cells = SplitCsvLine(line);
  cells.resize(std::min(cells.size(), axes_.size() + 1));
  Kept k{index, std::move(cells)};
  auto it = std::lower_bound(failures_.begin(), failures_.end(), index,
                             [](const Kept& a, uint64_t i) { return a.index < i; });
  failures_.insert(it, std::move(k));
  if (failures_.size() > kFailuresListed) failures_.pop_back();
}

void SweepDigest::AddCounts(uint64_t ok, uint64_t partial, uint64_t invalid) {
  ok_ += ok;
  partial_ += partial;
  invalid_ += invalid;
}

std::string SweepDigest::Markdown(int shard_index, int shard_count, bool with_plot) const {
  std::string out = fmt::format("\n{}\n## Sweep\n\n", kSweepSectionBegin);
  std::string axes_text;
  for (size_t k = 0; k < axes_.size(); ++k) axes_text += (k ? " × " : "") + DescribeAxis(axes_[k]);
  out += fmt::format(
      "{} points over {}. Every point is a row of `sweep.csv`, in grid order "
      "(the last axis varies fastest).\n",
      grid_points_, axes_text);
  if (shard_count > 0 && range_.size() == 0) {
    out += fmt::format(
        "\nThis folder holds **shard {} of {}**, which has no grid points (more "
        "shards than points). `repsim merge` joins the shards into the whole grid.\n",
        shard_index + 1, shard_count);
  } else if (shard_count > 0) {
    out += fmt::format(
        "\nThis folder holds **shard {} of {}**: grid points {} to {} "
        "({} rows). `repsim merge` joins the shards into the whole grid.\n",
        shard_index + 1, shard_count, range_.begin, range_.end - 1, range_.size());
  }
  out += fmt::format("\nStatus: {} ok", ok_);
  if (partial_) {
    out += fmt::format(", {} partial (a root finder found no solution; those cells are empty)",
                       partial_);
  }
  if (invalid_) out += fmt::format(", {} invalid (the point does not resolve)", invalid_);
  out += ".\n";

  const bool pivot = shard_count == 0 && plan_.kind == SweepPlotPlan::Kind::kHeatmap;
  if (pivot) {
    const SweepAxis& ax = axes_[plan_.x];
    const SweepAxis& ay = axes_[plan_.y];
    out += fmt::format("\n### {} by {} and {}\n\n{}{}{}.\n\n", plotted_, ax.key, ay.key,
                       DescribePlotted(plotted_).sentence,
                       plan_.fixed.empty() ? "" : fmt::format(", with {}", plan_.fixed),
                       with_plot ? "; all of it in `sweep_heatmap.svg`" : "");
    const std::vector<size_t> rows = SpreadIndices(plan_.x_index.size(), kPivotRows);
    const std::vector<size_t> cols = SpreadIndices(plan_.y_index.size(), kPivotColumns);
    out += fmt::format("| {} ↓ · {} → |", ax.key, ay.key);
    for (size_t c : cols) out += fmt::format(" {:.3g} |", ay.values[plan_.y_index[c]]);
    out += "\n|---:|";
    for (size_t i = 0; i < cols.size(); ++i) out += "---:|";
    out += "\n";
    for (size_t r : rows) {
      out += fmt::format("| {:.3g} |", ax.values[plan_.x_index[r]]);
      for (size_t c : cols) {
        const double z = plot_z_[c * plan_.x_index.size() + r];
        out += fmt::format(" {} |", std::isnan(z) ? std::string("—") : fmt::format("{:.3g}", z));
      }
      out += "\n";
    }
    // Spread evenly over each axis; say so when some values are left out.
    std::vector<std::string> shown;
    if (cols.size() < plan_.y_index.size()) {
      shown.push_back(
          fmt::format("{} of {} {} columns", cols.size(), plan_.y_index.size(), ay.key));
    }
    if (rows.size() < plan_.x_index.size()) {
      shown.push_back(fmt::format("{} of {} {} rows", rows.size(), plan_.x_index.size(), ax.key));
    }
    if (!shown.empty()) {
      out += fmt::format("\n{} shown, spread evenly; every point is in sweep.csv.\n",
                         fmt::join(shown, " and "));
    }
  } else if (!first_rows_.empty()) {
    out += fmt::format("\n### The first {} rows\n\n|", first_rows_.size());
    std::string rule = "|";
    for (size_t i : keep_columns_) {
      out += fmt::format(" {} |", header_[i]);
      rule += i == axes_.size() ? "---|" : "---:|";
    }
    out += "\n" + rule + "\n";
    for (const auto& row : first_rows_) {
      out += "|";
      for (size_t j = 0; j < row.size(); ++j) {
        const std::string& cell = row[j];
        const bool text = keep_columns_[j] == axes_.size();
        auto v = text || cell.empty() ? std::nullopt : ParseDouble(cell);
        out += fmt::format(" {} |", text ? cell : v ? ShortCell(*v) : cell);
      }
      out += "\n";
    }
  }
  if (!failures_.empty()) {
    out += "\n### Points that could not be fully evaluated (the first few)\n\n|";
    std::string rule = "|";
    for (size_t k = 0; k < axes_.size(); ++k) {
      out += fmt::format(" {} |", axes_[k].key);
      rule += "---:|";
    }
    out += " status |\n" + rule + "---|\n";
    for (const Kept& f : failures_) {
      out += "|";
      for (size_t j = 0; j < f.cells.size(); ++j) {
        auto v = j < axes_.size() ? ParseDouble(f.cells[j]) : std::nullopt;
        out += fmt::format(" {} |", v ? Short(*v) : f.cells[j]);
      }
      out += "\n";
    }
  }
  out += fmt::format("{}\n", kSweepSectionEnd);
  return out;
}

std::string SweepDigest::PlotData() const {
  if (plan_.kind == SweepPlotPlan::Kind::kNone) return {};
  const SweepAxis& ax = axes_[plan_.x];
  std::string out;
  auto z = [](double v) { return std::isnan(v) ? std::string("NaN") : Num(v); };
  if (plan_.kind == SweepPlotPlan::Kind::kLine) {
    out += fmt::format("# repsim sweep: {} along {}{}\n", DescribePlotted(plotted_).data, ax.key,
                       plan_.fixed.empty() ? "" : "; held: " + plan_.fixed);
    out += fmt::format("# columns: {} {} (NaN: not evaluated)\n", ax.key, plotted_);
    for (size_t i = 0; i < plan_.x_index.size(); ++i) {
      out += fmt::format("{} {}\n", Num(ax.values[plan_.x_index[i]]), z(plot_z_[i]));
    }
    return out;
  }
  const SweepAxis& ay = axes_[plan_.y];
  out += fmt::format("# repsim sweep: {} over {} and {}{}\n", DescribePlotted(plotted_).data,
                     ax.key, ay.key, plan_.fixed.empty() ? "" : "; held: " + plan_.fixed);
  out += fmt::format("# columns: {} {} {} (NaN: not evaluated); one block per {} value\n", ax.key,
                     ay.key, plotted_, ay.key);
  const size_t nx = plan_.x_index.size(), ny = plan_.y_index.size();
  for (size_t j = 0; j < ny; ++j) {
    if (j) out += "\n";
    const std::string y = Num(ay.values[plan_.y_index[j]]);
    for (size_t i = 0; i < nx; ++i) {
      out += fmt::format("{} {} {}\n", Num(ax.values[plan_.x_index[i]]), y, z(plot_z_[j * nx + i]));
    }
  }
  // The cells: each grid point is the centre of its own cell (halfway to its
  // neighbours, in log space on a log axis), and the cell's lower-left corner
  // carries the point's value (`set pm3d corners2color c1`), so no cell shows
  // an average of its neighbours.
  std::vector<double> xv, yv;
  for (size_t i : plan_.x_index) xv.push_back(ax.values[i]);
  for (size_t j : plan_.y_index) yv.push_back(ay.values[j]);
  const std::vector<double> xb = CellBounds(xv, plan_.x_log);
  const std::vector<double> yb = CellBounds(yv, plan_.y_log);
  out += fmt::format(
      "\n\n# index 1, the cells: corners ({} x {}); a corner's value is that of the cell it is "
      "the lower-left corner of (the last row and column repeat their neighbour)\n",
      nx + 1, ny + 1);
  for (size_t j = 0; j <= ny; ++j) {
    if (j) out += "\n";
    for (size_t i = 0; i <= nx; ++i) {
      const size_t ci = std::min(i, nx - 1), cj = std::min(j, ny - 1);
      out += fmt::format("{} {} {}\n", Num(xb[i]), Num(yb[j]), z(plot_z_[cj * nx + ci]));
    }
  }
  return out;
}

std::vector<double> CellBounds(const std::vector<double>& centres, bool log) {
  std::vector<double> b;
  const size_t n = centres.size();
  if (n == 0) return b;
  auto to = [log](double v) { return log ? std::log(v) : v; };
  // Twelve significant digits: no float noise from exp(log(x)) in the data file.
  auto from = [log](double v) { return std::stod(fmt::format("{:.12g}", log ? std::exp(v) : v)); };
  if (n == 1) {
    const double c = to(centres[0]), h = log ? std::log(2.0) : 0.5 * std::max(1.0, std::abs(c));
    return {from(c - h), from(c + h)};
  }
  b.push_back(from(to(centres[0]) - 0.5 * (to(centres[1]) - to(centres[0]))));
  for (size_t i = 1; i < n; ++i) b.push_back(from(0.5 * (to(centres[i - 1]) + to(centres[i]))));
  b.push_back(from(to(centres[n - 1]) + 0.5 * (to(centres[n - 1]) - to(centres[n - 2]))));
  return b;
}

std::string ReplaceSweepSection(const std::string& report, const std::string& section) {
  const size_t b = report.find(kSweepSectionBegin);
  if (b == std::string::npos) return report;
  size_t e = report.find(kSweepSectionEnd, b);
  if (e == std::string::npos) return report;
  e += kSweepSectionEnd.size();
  if (e < report.size() && report[e] == '\n') ++e;
  // `section` starts with a blank line and the marker; the report has the blank line already.
  size_t start = b;
  if (start > 0 && report[start - 1] == '\n' && !section.empty() && section.front() == '\n')
    --start;
  return report.substr(0, start) + section + report.substr(e);
}

}  // namespace repsim::io
