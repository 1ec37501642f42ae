// Sweeps out: evaluates a scenario's [[sweep.axis]] grid and writes sweep.csv
// (and its Markdown excerpt for report.md, and the sweep plot's data).
//
// sweep.csv has one header row, then one row per grid point in grid order
// (row-major, the last axis fastest: repsim/sweep.h): the axis values, a
// `status` column ("ok", "partial: ...", "invalid: ..."), then the columns of
// summary.csv (DefaultColumns(), columns.h); an invalid point's summary cells are empty.
// Points are evaluated in parallel, in chunks, and written in grid order as
// the chunks complete, so that memory stays bounded and the file is the same
// byte for byte whatever the number of threads.
//
// Points with one source of data and no dropout take the closed-form path
// (repsim::ClosedFormEvaluator, the same numbers as Evaluate() bit for bit);
// the others the engine's timeline. sweep.csv is written whenever the scenario
// has a sweep, whatever output.formats says: it is the sweep's result.
//
// With --shard I/N only slice I of N is evaluated (repsim::ShardRange); the
// folder then also holds sweep.shard.toml, which `repsim merge` reads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/plots.h"
#include "io/results.h"
#include "repsim/scenario.h"
#include "repsim/status.h"
#include "repsim/sweep.h"

namespace repsim::io {

inline constexpr const char* kSweepCsvFile = "sweep.csv";
inline constexpr const char* kShardMetaFile = "sweep.shard.toml";
// report.md's sweep section sits between these lines, so that `merge` can
// replace a shard's section with the whole grid's.
inline constexpr std::string_view kSweepSectionBegin = "<!-- repsim:sweep:begin -->";
inline constexpr std::string_view kSweepSectionEnd = "<!-- repsim:sweep:end -->";

struct SweepOptions {
  int threads = 0;      // 0: all cores
  int shard_index = 0;  // --shard I/N: this process evaluates slice I (0-based) of N
  int shard_count = 1;
  bool sharded = false;  // --shard was given: also write sweep.shard.toml (even for 1/1)
};

struct SweepReport {
  uint64_t points = 0;       // points evaluated (the shard's, when sharded)
  uint64_t grid_points = 0;  // points of the whole grid
  uint64_t begin = 0;        // first grid index evaluated
  uint64_t failed = 0;       // points with a non-"ok" status (partial + invalid)
  uint64_t partial = 0;
  uint64_t invalid = 0;
  uint64_t closed_form = 0;  // points evaluated by the closed-form fast path
  uint64_t extrapolated = 0;          // points outside the law's fitted domain
  std::string extrapolation_example;  // the first such point's extrapolation cell
  std::string markdown;      // a section for report.md
};

// Evaluates the sweep of `scenario` and writes sweep.csv (and, when sharded,
// sweep.shard.toml; when output.plots is set, the sweep plot's data) into
// `staging`. Error text for the user on failure (including an interrupt).
std::optional<std::string> RunSweep(const Scenario& scenario, const SweepOptions& options,
                                    const Staging& staging, SweepReport* report);

// --- Shared with `repsim merge` ----------------------------------------------

// Writes Num(v) (fmt's shortest round-trip form) into `buf` (kNumberBuffer
// chars; bytes past the returned length are scratch) and returns its length:
// the same text, without fmt's general formatting machinery, for the ~20
// numbers of every sweep row.
inline constexpr size_t kNumberBuffer = 64;
size_t FormatNumberFast(double v, char* buf);

// The header row of sweep.csv (with its newline).
std::string SweepCsvHeader(const std::vector<SweepAxis>& axes);

// Splits one CSV line (no newline) into cells, undoing RFC 4180 quoting.
std::vector<std::string> SplitCsvLine(std::string_view line);

// What report.md and the sweep plot need from a sweep, gathered while its
// rows stream by (the whole table is never held in memory).
class SweepDigest {
 public:
  // `header`: the cells of sweep.csv's header; `range`: the rows this digest
  // will see, of a grid of `grid_points`.
  SweepDigest(std::vector<SweepAxis> axes, std::vector<std::string> header, IndexRange range,
              uint64_t grid_points);

  // Whether Record() needs row `index`.
  bool Wants(uint64_t index) const;
  // Keeps what is needed of row `index` (its CSV line, no newline). Safe to
  // call concurrently for distinct indices.
  void Record(uint64_t index, std::string_view line);
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
  IndexRange range_;
  uint64_t grid_points_;
  SweepPlotPlan plan_;
  std::vector<size_t> keep_columns_;  // header positions shown in report.md tables
  int delta_pct_column_ = -1;
  std::vector<std::vector<std::string>> first_rows_;  // the first kFirstRows rows of the range
  std::vector<double> plot_z_;                        // delta_pct at the plan's points, NaN: none
  mutable std::mutex failures_mu_;
  std::vector<Kept> failures_;
  uint64_t ok_ = 0, partial_ = 0, invalid_ = 0;
};

// Replaces the sweep section of a report.md (between the markers) by
// `section`; the text unchanged when it has no such section.
std::string ReplaceSweepSection(const std::string& report, const std::string& section);

// sweep.shard.toml: which slice of which grid a shard folder holds.
struct ShardMeta {
  std::string scenario;  // scenario.name
  std::string version;   // repsim version that wrote it
  int shard = 0;         // 1-based, as on the command line
  int shards = 0;
  uint64_t grid_points = 0;
  uint64_t begin = 0, end = 0;  // grid rows [begin, end) in this shard's sweep.csv
  std::string fingerprint;      // of the base scenario, the axes and the columns
  bool plots = false;           // the scenario's output.plots
  std::vector<SweepAxis> axes;
};
std::string ShardMetaToml(const ShardMeta& meta);
// Error naming the file and the key at fault.
Expected<ShardMeta> ParseShardMeta(const std::string& text, const std::string& path);

// A 64-bit FNV-1a fingerprint (16 hex digits) of the sweep's identity: the
// base run's summary row, the axes (keys and exact values) and the header.
std::string SweepFingerprint(const Scenario& scenario);

}  // namespace repsim::io
