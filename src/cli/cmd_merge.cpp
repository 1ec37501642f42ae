// `repsim merge`: its flags and messages; the merging is io/sweep_merge.h.
#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "io/interrupt.h"
#include "io/plots.h"
#include "io/sweep_merge.h"

namespace fs = std::filesystem;

namespace repsim::cli {
namespace {

constexpr const char* kMergeUsage =
    "Usage: repsim merge SHARD_DIR... --out DIR [--png] [--quiet]\n\n"
    "Joins the shards of a sweep evaluated by `repsim run FILE.toml --shard I/N` (on one\n"
    "machine or many) into DIR/<scenario.name>/: sweep.csv is byte for byte the file one\n"
    "unsharded `repsim run` writes; report.md gets the whole grid's sweep section and the\n"
    "sweep plot is drawn from the whole grid; the other results files (summary, trajectory,\n"
    "compare, their plots) are those of shard 1.\n\n"
    "Each SHARD_DIR is a folder a shard wrote (it holds sweep.shard.toml) or the --out folder\n"
    "of a shard run (its scenario folders are used). Every shard 1..N of a grid must be given\n"
    "exactly once; all must come from the same scenario, axes and repsim version, or nothing\n"
    "is written. Shards of several scenarios can be merged at once.";

constexpr const char* kMergeExample =
    "Example: a Slurm job array of 8 tasks, one shard each, then the merge once all are done:\n\n"
    "  #!/bin/bash\n"
    "  # sweep.sbatch: shard I of 8 into shards/I/<scenario.name>/\n"
    "  #SBATCH --array=1-8\n"
    "  #SBATCH --cpus-per-task=4\n"
    "  repsim run scenarios/epochs-vs-dataset-size.toml --quiet \\\n"
    "      --shard ${SLURM_ARRAY_TASK_ID}/8 --threads ${SLURM_CPUS_PER_TASK} \\\n"
    "      --out shards/${SLURM_ARRAY_TASK_ID}\n\n"
    "  jobid=$(sbatch --parsable sweep.sbatch)\n"
    "  sbatch --dependency=afterok:${jobid} --wrap 'repsim merge shards/* --out results'\n\n"
    "Each task writes its own --out folder (two shards must not share one: each run\n"
    "replaces DIR/<scenario.name>/ whole).";

}  // namespace

int MergeCommand(const Args& args) {
  std::vector<std::string> dirs;
  std::string out;
  bool png = false, quiet = false;
  FlagSet flags("merge", kMergeUsage);
  flags.Positionals("SHARD_DIR", &dirs)
      .Value("out", 'o', "DIR", &out, "output folder (required), e.g. results")
      .Switch("png", '\0', &png, "also render plots as PNG")
      .Switch("quiet", 'q', &quiet, "print nothing but errors")
      .Epilogue(kMergeExample);
  if (auto code = flags.Parse(args)) return *code;
  if (dirs.empty()) return flags.UsageError("no shard folder given");
  if (out.empty()) return flags.UsageError("--out DIR is required");
  io::InstallInterruptHandlers();

  std::vector<fs::path> folders;
  for (const std::string& d : dirs) {
    if (auto f = io::FindShardFolders(d, &folders)) return Fail("merge", f->message);
  }
  std::error_code ec;
  const bool out_existed = fs::exists(out, ec);
  const auto failure =
      io::MergeShards(folders, out, io::PlotOptions{png}, [&](const io::MergeReport& r) {
        if (r.plot_warning) Warn("merge", fmt::format("plots: {}", *r.plot_warning));
        if (quiet) return;
        std::string failed;
        if (r.partial) failed += fmt::format(", {} partial", r.partial);
        if (r.invalid) failed += fmt::format(", {} invalid", r.invalid);
        fmt::print("{}: merged {} shards, {} points ({} ok{}) into {}/\n", r.scenario, r.shards,
                   r.points, r.ok, failed, r.dir);
      });
  if (failure) {
    Fail("merge", failure->message);
    if (!out_existed) fs::remove(out, ec);  // only if still empty: nothing half-written
    return failure->interrupted ? 128 + io::InterruptSignal() : kExitBadInput;
  }
  return kExitOk;
}

}  // namespace repsim::cli
