// Sweeps out: evaluates a scenario's [[sweep.axis]] grid and writes sweep.csv
// (and its Markdown excerpt for report.md).
#pragma once

#include <optional>
#include <string>

#include "io/results.h"
#include "repsim/scenario.h"

namespace repsim::io {

struct SweepOptions {
  int threads = 0;      // 0: all cores
  int shard_index = 0;  // --shard I/N: this process evaluates slice I (0-based) of N
  int shard_count = 1;
};

struct SweepReport {
  uint64_t points = 0;
  uint64_t failed = 0;    // points with a non-"ok" status
  std::string markdown;   // a section for report.md
};

// Evaluates the sweep of `scenario` and writes sweep.csv into `staging`.
// Error text for the user on failure (including an interrupt).
std::optional<std::string> RunSweep(const Scenario& scenario, const SweepOptions& options,
                                    const Staging& staging, SweepReport* report);

}  // namespace repsim::io
