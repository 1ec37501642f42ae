// What report.md and the sweep plot need from a sweep, gathered while its rows
// stream by (sweep.csv is never held in memory): the first rows, the failed
// points, the status counts and the plotted values; used by `repsim run` and
// `repsim merge` alike.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/plots.h"
#include "repsim/sweep.h"

namespace repsim::io {

// report.md's sweep section sits between these lines, so that `merge` can
// replace a shard's section with the whole grid's.
inline constexpr std::string_view kSweepSectionBegin = "<!-- repsim:sweep:begin -->";
inline constexpr std::string_view kSweepSectionEnd = "<!-- repsim:sweep:end -->";

// What report.md and the sweep plot need from a sweep, gathered while its
// rows stream by (the whole table is never held in memory).
class SweepDigest {
 public:
  // `header`: the cells of sweep.csv's header; `range`: the rows this digest
  // will see, of a grid of `grid_points`; `plotted`: the column the sweep plot
  // and report.md's pivot table map ([output] heatmap, a numeric column).
  SweepDigest(std::vector<SweepAxis> axes, std::vector<std::string> header, IndexRange range,
              uint64_t grid_points, std::string plotted = "delta_pct");

  // Whether Record() needs row `index`.
  bool Wants(uint64_t index) const;
  // Keeps what is needed of row `index` (its CSV line, no newline). Safe to
  // call concurrently for distinct indices.
  void Record(uint64_t index, std::string_view line);
  // A lean sweep.csv: the columns moved to sweep.meta.json, (name, cell) each,
  // as if every line Record() sees ended with them. Call before Record().
  void SetConstantColumns(const std::vector<std::pair<std::string, std::string>>& constants);
  // Notes a row whose status is not "ok" (keeps the first few, by index). Thread-safe.
  void RecordFailure(uint64_t index, std::string_view line);
  // Status counts. Not thread-safe.
  void AddCounts(uint64_t ok, uint64_t partial, uint64_t invalid);

  uint64_t ok() const { return ok_; }
  uint64_t partial() const { return partial_; }
  uint64_t invalid() const { return invalid_; }

  // The report.md section (between kSweepSectionBegin and kSweepSectionEnd).
  // `shard_count` > 0: this digest saw one shard (0-based `shard_index`) of
  // that many; 0: the whole grid. `with_plot`: mention the sweep plot.
  std::string Markdown(int shard_index, int shard_count, bool with_plot) const;
  // The data file of the sweep plot (plots.h), "" when the plan has none.
  std::string PlotData() const;
  const SweepPlotPlan& plan() const { return plan_; }

 private:
  struct Kept {
    uint64_t index;
    std::vector<std::string> cells;
  };
  std::vector<std::string> KeepCells(std::string_view line) const;

  std::vector<SweepAxis> axes_;
  std::vector<std::string> header_;
  std::string line_suffix_;  // ",cell,..." of the constant columns
  IndexRange range_;
  uint64_t grid_points_;
  SweepPlotPlan plan_;
  std::vector<size_t> keep_columns_;  // header positions shown in report.md tables
  std::string plotted_;               // the plotted column's name
  int plotted_column_ = -1;
  std::vector<std::vector<std::string>> first_rows_;  // the first kFirstRows rows of the range
  std::vector<double> plot_z_;  // the plotted column at the plan's points, NaN: none
  mutable std::mutex failures_mu_;
  std::vector<Kept> failures_;
  uint64_t ok_ = 0, partial_ = 0, invalid_ = 0;
};

// Replaces the sweep section of a report.md (between the markers) by
// `section`; the text unchanged when it has no such section.
std::string ReplaceSweepSection(const std::string& report, const std::string& section);

// The cell boundaries of a heatmap axis: halfway between neighbouring centres
// (geometric halfway when `log`), the ends half a step beyond the first and last
// centre; centres.size() + 1 values.
std::vector<double> CellBounds(const std::vector<double>& centres, bool log);

}  // namespace repsim::io
