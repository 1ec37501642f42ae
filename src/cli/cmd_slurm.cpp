// `repsim slurm`: the sbatch file of a Slurm job array that evaluates a
// scenario's sweep in shards (`repsim run --shard I/N`), and the command that
// merges them (`repsim merge`) once every task is done.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "io/scenario_loader.h"
#include "repsim/sweep.h"

namespace fs = std::filesystem;

namespace repsim::cli {
namespace {

constexpr const char* kSlurmUsage =
    "Usage: repsim slurm FILE.toml --shards N [--cpus-per-task C] [--shard-dir DIR]\n"
    "                    [--out DIR] [--partition P] [--time T] [--output FILE]\n\n"
    "Writes the sbatch file of a Slurm job array that evaluates the sweep of FILE.toml in N\n"
    "shards, task I running `repsim run FILE.toml --shard I/N --out SHARD_DIR/I`. Its header\n"
    "says how to submit it and merge the shards once all are done (`repsim merge`, which\n"
    "names any shard that is missing; re-run a failed task with sbatch --array=I). Paths are\n"
    "made absolute, and the tasks run this repsim binary: the cluster's nodes must see them.";

constexpr const char* kSlurmEpilogue =
    "Example:\n"
    "  repsim slurm scenarios/epochs-vs-dataset-size.toml --shards 8 --output sweep.sbatch\n"
    "  jobid=$(sbatch --parsable sweep.sbatch)\n"
    "  sbatch --dependency=afterok:$jobid --wrap \"$(sed -n 's/^# merge: //p' sweep.sbatch)\"";

// `s` quoted for a POSIX shell (single quotes).
std::string ShellQuote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_-./=:@%+,") == std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string Absolute(const std::string& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  return ec ? p : a.lexically_normal().string();
}

// This process's binary (what the tasks run), else "repsim" from PATH.
std::string SelfBinary() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("repsim") : self.string();
}

}  // namespace

int SlurmCommand(const Args& args) {
  std::vector<std::string> files;
  std::string shards_text, cpus_text = "1", shard_dir = "shards", out = "results", partition,
                           time_limit, output = "-";
  FlagSet flags("slurm", kSlurmUsage);
  flags.Positionals("FILE", &files)
      .Value("shards", 'n', "N", &shards_text, "number of shards (array tasks), required")
      .Value("cpus-per-task", 'c', "C", &cpus_text,
             "cores per task (#SBATCH --cpus-per-task; repsim run --threads), default 1")
      .Value("shard-dir", '\0', "DIR", &shard_dir,
             "where task I writes its shard: DIR/I (default: shards)")
      .Value("out", 'o', "DIR", &out, "where the merge writes the results (default: results)")
      .Value("partition", 'p', "P", &partition, "#SBATCH --partition (default: the cluster's)")
      .Value("time", 't', "T", &time_limit, "#SBATCH --time per task (default: the partition's)")
      .Value("output", '\0', "FILE", &output, "write the sbatch file here (default -: stdout)")
      .Epilogue(kSlurmEpilogue);
  if (auto code = flags.Parse(args)) return *code;
  if (files.size() != 1) return flags.UsageError("give exactly one scenario file");
  if (shards_text.empty()) return flags.UsageError("--shards N is required");
  const Expected<long long> shards = IntegerInRange("--shards", shards_text, 1, 1000000);
  if (!shards) return flags.UsageError(shards.error());
  const Expected<long long> cpus = IntegerInRange("--cpus-per-task", cpus_text, 1, 1024);
  if (!cpus) return flags.UsageError(cpus.error());

  io::LoadResult loaded = io::LoadScenarioFile(files[0]);
  if (!loaded.scenario) {
    fmt::print(stderr, "{}", loaded.FormatErrors());
    return kExitBadInput;
  }
  const Scenario& sc = *loaded.scenario;
  if (sc.sweep.empty()) {
    return Fail("slurm", fmt::format("{}: the scenario has no [[sweep.axis]]: nothing to shard "
                                     "(`repsim run {}` evaluates it at once)",
                                     files[0], files[0]));
  }
  const uint64_t points = SweepGridSize(sc.sweep);
  if (static_cast<uint64_t>(*shards) > points) {
    return Fail("slurm", fmt::format("--shards {}: the sweep has only {} points", *shards, points));
  }

  const std::string scenario = ShellQuote(Absolute(files[0]));
  const std::string binary = ShellQuote(SelfBinary());
  const std::string dir = ShellQuote(Absolute(shard_dir));
  const std::string merge =
      fmt::format("{} merge {}/*/{} --out {}", binary, dir, sc.name, ShellQuote(Absolute(out)));
  std::string text = fmt::format(
      "#!/bin/bash\n"
      "# Written by `repsim slurm`: the sweep of scenario '{name}' ({points} points) in {n}\n"
      "# shards, task I writing {dir}/I/{name}/.\n"
      "# submit: jobid=$(sbatch --parsable THIS_FILE)\n"
      "#         sbatch --dependency=afterok:$jobid --wrap \"$(sed -n 's/^# merge: //p' "
      "THIS_FILE)\"\n"
      "# merge: {merge}\n"
      "# A failed task I: sbatch --array=I THIS_FILE, then the merge again.\n"
      "#SBATCH --job-name=repsim-{name}\n"
      "#SBATCH --array=1-{n}\n"
      "#SBATCH --cpus-per-task={cpus}\n"
      "#SBATCH --output={dir}/slurm-%A_%a.out\n",
      fmt::arg("name", sc.name), fmt::arg("points", points), fmt::arg("n", *shards),
      fmt::arg("dir", Absolute(shard_dir)), fmt::arg("merge", merge), fmt::arg("cpus", *cpus));
  if (!partition.empty()) text += fmt::format("#SBATCH --partition={}\n", partition);
  if (!time_limit.empty()) text += fmt::format("#SBATCH --time={}\n", time_limit);
  text += fmt::format(
      "set -euo pipefail\n"
      "{binary} run {scenario} --quiet \\\n"
      "    --shard \"${{SLURM_ARRAY_TASK_ID}}/{n}\" --threads \"${{SLURM_CPUS_PER_TASK:-{cpus}}}\" "
      "\\\n"
      "    --out {dir}/\"${{SLURM_ARRAY_TASK_ID}}\"\n",
      fmt::arg("binary", binary), fmt::arg("scenario", scenario), fmt::arg("n", *shards),
      fmt::arg("cpus", *cpus), fmt::arg("dir", dir));

  if (output == "-") {
    fmt::print("{}", text);
    return kExitOk;
  }
  // Nothing half-written: a temporary file renamed into place.
  const std::string tmp = fmt::format("{}.tmp.{}", output, getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    if (!f.flush()) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return Fail("slurm", fmt::format("cannot write {}", output));
    }
  }
  std::error_code ec;
  fs::rename(tmp, output, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Fail("slurm", fmt::format("cannot write {}: {}", output, ec.message()));
  }
  // The #SBATCH --output folder must exist before the tasks start.
  fs::create_directories(Absolute(shard_dir), ec);
  return kExitOk;
}

}  // namespace repsim::cli
