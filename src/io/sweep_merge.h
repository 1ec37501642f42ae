// `repsim merge`'s reader: joins the shards of a sweep (`repsim run --shard
// I/N`) into the sweep.csv one unsharded run writes, byte for byte.
//
// A shard folder holds the scenario's usual results, its slice of sweep.csv
// and sweep.shard.toml (shard_meta.h). Merging checks that every shard of the
// grid is there exactly once and that all agree (scenario, axes, base run,
// columns, repsim version: the fingerprint), then streams the slices in grid
// order into DIR/<scenario>/sweep.csv. The other files are copied from shard
// 1, report.md gets the whole grid's sweep section (sweep_digest.h), and the
// sweep plot is drawn from the whole grid. Nothing is written for a scenario
// unless all of it is (staging, as `repsim run`).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "io/plots.h"

namespace repsim::io {

struct MergeFailure {
  bool interrupted =
      false;  // else bad input (missing, repeated or inconsistent shards) or unwritable output
  std::string message;
};

// One scenario merged.
struct MergeReport {
  std::string scenario;
  size_t shards = 0;
  uint64_t points = 0, ok = 0, partial = 0, invalid = 0;
  std::string dir;          // the merged folder
  MaybeError plot_warning;  // the plots could not be drawn
};

// The shard folders named by `arg`: `arg` itself when it holds
// sweep.shard.toml, else its sub-folders that do (sorted).
std::optional<MergeFailure> FindShardFolders(const std::string& arg,
                                             std::vector<std::filesystem::path>* out);

// Reads every folder's sweep.shard.toml, groups the shards by scenario and
// merges each scenario into `out`/<scenario>/, calling `merged` after each;
// stops at the first failure.
std::optional<MergeFailure> MergeShards(const std::vector<std::filesystem::path>& folders,
                                        const std::filesystem::path& out,
                                        const PlotOptions& plot_options,
                                        const std::function<void(const MergeReport&)>& merged);

}  // namespace repsim::io
