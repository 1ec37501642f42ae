// sweep.shard.toml: which slice of which grid a shard folder holds (written
// by `repsim run --shard I/N`, read by `repsim merge`), and the fingerprint
// that tells whether shards belong to the same sweep.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "repsim/scenario.h"
#include "repsim/status.h"
#include "repsim/sweep.h"

namespace repsim::io {

inline constexpr const char* kShardMetaFile = "sweep.shard.toml";

// sweep.shard.toml: which slice of which grid a shard folder holds.
struct ShardMeta {
  std::string scenario;  // scenario.name
  std::string version;   // repsim version that wrote it
  int shard = 0;         // 1-based, as on the command line
  int shards = 0;
  uint64_t grid_points = 0;
  uint64_t begin = 0, end = 0;        // grid rows [begin, end) in this shard's sweep.csv
  std::string fingerprint;            // of the base scenario, the axes and the columns
  bool plots = false;                 // the scenario's output.plots
  std::string heatmap = "delta_pct";  // the scenario's output.heatmap (absent in older files)
  std::vector<SweepAxis> axes;
};
std::string ShardMetaToml(const ShardMeta& meta);
// Error naming the file and the key at fault.
Expected<ShardMeta> ParseShardMeta(const std::string& text, const std::string& path);

// A 64-bit FNV-1a fingerprint (16 hex digits) of the sweep's identity: the
// base run's summary row, the axes (keys and exact values) and the header.
std::string SweepFingerprint(const Scenario& scenario);

}  // namespace repsim::io
