// Sweeps out: evaluates a scenario's [[sweep.axis]] grid and writes sweep.csv
// (and its Markdown excerpt for report.md, and the sweep plot's data).
//
// sweep.csv has one header row, then one row per grid point in grid order
// (row-major, the last axis fastest: repsim/sweep.h): the axis values, a
// `status` column ("ok", "partial: ...", "invalid: ..."), then the columns of
// summary.csv (DefaultColumns(), columns.h); an invalid point's summary cells are empty.
// Points are evaluated in parallel, in chunks (repsim/chunk_pipeline.h: the
// ordered pipeline), and written in grid order as
// the chunks complete, so that memory stays bounded and the file is the same
// byte for byte whatever the number of threads.
//
// Points with one source of data and no dropout take the closed-form path
// (repsim::ClosedFormEvaluator, the same numbers as Evaluate() bit for bit);
// the others the engine's timeline. sweep.csv is written whenever the scenario
// has a sweep, whatever output.formats says: it is the sweep's result.
//
// With --shard I/N only slice I of N is evaluated (repsim::ShardRange); the
// folder then also holds sweep.shard.toml (shard_meta.h), which `repsim merge`
// (sweep_merge.h) reads. The rows are written by sweep_rows.h, report.md's
// section and the plot data gathered by sweep_digest.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The parts of a sweep's output, one concept each; included here for the
// writer's callers (merge, serve, the Python module, tests).
#include "io/csv_line.h"
#include "io/number_format.h"
#include "io/plots.h"
#include "io/shard_meta.h"
#include "io/staging.h"
#include "io/sweep_digest.h"
#include "io/sweep_rows.h"
#include "repsim/scenario.h"
#include "repsim/status.h"
#include "repsim/sweep.h"

namespace repsim::io {

inline constexpr const char* kSweepCsvFile = "sweep.csv";

struct SweepOptions {
  int threads = 0;      // 0: all cores
  int shard_index = 0;  // --shard I/N: this process evaluates slice I (0-based) of N
  int shard_count = 1;
  bool sharded = false;  // --shard was given: also write sweep.shard.toml (even for 1/1)
  // --columns all: every column in every row of sweep.csv, no sweep.meta.json.
  // Otherwise the columns constant over the grid go to sweep.meta.json (io/sweep_lean.h).
  bool wide = false;
};

struct SweepReport {
  uint64_t points = 0;       // points evaluated (the shard's, when sharded)
  uint64_t grid_points = 0;  // points of the whole grid
  uint64_t begin = 0;        // first grid index evaluated
  uint64_t failed = 0;       // points with a non-"ok" status (partial + invalid)
  uint64_t partial = 0;
  uint64_t invalid = 0;
  uint64_t closed_form = 0;           // points evaluated by the closed-form fast path
  uint64_t extrapolated = 0;          // points outside the law's fitted domain
  std::string extrapolation_example;  // the first such point's extrapolation cell
  std::string markdown;               // a section for report.md
};

// Evaluates the sweep of `scenario` and writes sweep.csv (and, when sharded,
// sweep.shard.toml; when output.plots is set, the sweep plot's data) into
// `staging`. Error text for the user on failure (including an interrupt).
MaybeError RunSweep(const Scenario& scenario, const SweepOptions& options, const Staging& staging,
                    SweepReport* report);

}  // namespace repsim::io
