// `repsim merge`: joins the shards of a sweep (`repsim run --shard I/N`) into
// the sweep.csv one unsharded run writes, byte for byte.
//
// A shard folder holds the scenario's usual results, its slice of sweep.csv
// and sweep.shard.toml (sweep_writer.h). Merging checks that every shard of
// the grid is there exactly once and that all agree (scenario, axes, base run,
// columns, repsim version: the fingerprint), then streams the slices in grid
// order into DIR/<scenario>/sweep.csv. The other files are copied from shard
// 1, report.md gets the whole grid's sweep section, and the sweep plot is
// drawn from the whole grid.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "cli/flags.h"
#include "cli/commands.h"
#include "io/interrupt.h"
#include "io/plots.h"
#include "io/results.h"
#include "io/sweep_lean.h"
#include "io/sweep_writer.h"
#include "io/table.h"

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

struct Shard {
  fs::path dir;
  io::ShardMeta meta;
};

struct Failure {
  int code;  // kExitBadInput (bad input, or cannot write), or 130: interrupted
  std::string message;
};

std::string ReadText(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The shard folders named by `arg`, or an error.
std::optional<Failure> Expand(const std::string& arg, std::vector<fs::path>* out) {
  std::error_code ec;
  const fs::path p(arg);
  if (!fs::is_directory(p, ec)) {
    return Failure{kExitBadInput, fmt::format("{}: not a folder", arg)};
  }
  if (fs::exists(p / io::kShardMetaFile, ec)) {
    out->push_back(p);
    return std::nullopt;
  }
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(p, ec)) {
    if (e.is_directory(ec) && fs::exists(e.path() / io::kShardMetaFile, ec)) {
      found.push_back(e.path());
    }
  }
  if (found.empty()) {
    return Failure{kExitBadInput, fmt::format("{}: no {} in it or in its folders (not written by "
                                  "`repsim run --shard I/N`)",
                                  arg, io::kShardMetaFile)};
  }
  std::sort(found.begin(), found.end());
  out->insert(out->end(), found.begin(), found.end());
  return std::nullopt;
}

// Checks that `shards` (one scenario) are the whole grid, once each, consistent.
std::optional<Failure> CheckComplete(std::vector<Shard>& shards) {
  const Shard& first = shards.front();
  const io::ShardMeta& m0 = first.meta;
  for (const Shard& s : shards) {
    const io::ShardMeta& m = s.meta;
    auto differ = [&](std::string_view what, const std::string& a, const std::string& b) {
      return Failure{kExitBadInput, fmt::format("{} and {} are not shards of the same sweep: their {} differ "
                                    "({} vs {})",
                                    first.dir.string(), s.dir.string(), what, a, b)};
    };
    if (m.version != m0.version) return differ("repsim versions", m0.version, m.version);
    if (m.shards != m0.shards) {
      return differ("shard counts", std::to_string(m0.shards), std::to_string(m.shards));
    }
    if (m.grid_points != m0.grid_points) {
      return differ("grid sizes", std::to_string(m0.grid_points), std::to_string(m.grid_points));
    }
    if (m.fingerprint != m0.fingerprint) {
      return differ("fingerprints (base scenario, axes or columns)", m0.fingerprint, m.fingerprint);
    }
  }
  std::sort(shards.begin(), shards.end(),
            [](const Shard& a, const Shard& b) { return a.meta.shard < b.meta.shard; });
  for (size_t i = 1; i < shards.size(); ++i) {
    if (shards[i].meta.shard == shards[i - 1].meta.shard) {
      return Failure{kExitBadInput, fmt::format("shard {}/{} of '{}' is given twice: {} and {}",
                                    shards[i].meta.shard, m0.shards, m0.scenario,
                                    shards[i - 1].dir.string(), shards[i].dir.string())};
    }
  }
  std::vector<int> missing;
  size_t j = 0;
  for (int i = 1; i <= m0.shards; ++i) {
    if (j < shards.size() && shards[j].meta.shard == i) {
      ++j;
    } else {
      missing.push_back(i);
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 20; ++i) {
      list += fmt::format("{}{}/{}", i ? ", " : "", missing[i], m0.shards);
    }
    if (missing.size() > 20) list += fmt::format(" and {} more", missing.size() - 20);
    return Failure{kExitBadInput, fmt::format("sweep of '{}': {} of {} shards missing: {}", m0.scenario,
                                  missing.size(), m0.shards, list)};
  }
  return std::nullopt;
}

// Streams one shard's rows (after its header) into `out`, feeding the digest.
std::optional<Failure> CopyRows(const Shard& s, const std::string& header, FILE* out,
                                io::SweepDigest* digest) {
  const fs::path path = s.dir / io::kSweepCsvFile;
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!in) return Failure{kExitBadInput, fmt::format("{}: missing or unreadable", path.string())};
  const size_t naxes = s.meta.axes.size();
  const uint64_t expected = s.meta.end - s.meta.begin;
  uint64_t row = 0;
  bool header_done = false;
  std::string carry;
  std::vector<char> buf(1 << 22);
  uint64_t ok = 0, partial = 0, invalid = 0;
  auto line_error = [&](std::string what) {
    return Failure{kExitBadInput, fmt::format("{}: {} (was it truncated or edited? run shard {}/{} again)",
                                  path.string(), what, s.meta.shard, s.meta.shards)};
  };
  auto handle = [&](std::string_view line) -> std::optional<Failure> {
    if (!header_done) {
      header_done = true;
      if (std::string(line) + "\n" != header) {
        return line_error("its header differs from the first shard's");
      }
      return std::nullopt;
    }
    if (row >= expected) return line_error(fmt::format("more than the {} rows expected", expected));
    const uint64_t index = s.meta.begin + row;
    if (row == 0) {  // the slice starts where the metadata says
      const std::vector<double> values = SweepValues(s.meta.axes, index);
      std::string cells;
      for (double v : values) cells += io::Num(v) + ",";
      if (line.substr(0, cells.size()) != cells) {
        return line_error(fmt::format("its first row is not grid point {}", index));
      }
    }
    // The status cell follows the axis values (numbers, never quoted).
    size_t pos = 0;
    for (size_t k = 0; k < naxes && pos != std::string_view::npos; ++k) {
      pos = line.find(',', pos);
      if (pos != std::string_view::npos) ++pos;
    }
    if (pos == std::string_view::npos)
      return line_error(fmt::format("row {} is cut short", row + 1));
    std::string_view status = line.substr(pos);
    if (!status.empty() && status.front() == '"') status.remove_prefix(1);
    if (status.substr(0, 3) == "ok,") {
      ++ok;
    } else {
      (status.substr(0, 7) == "partial" ? partial : invalid) += 1;
      digest->RecordFailure(index, line);
    }
    if (digest->Wants(index)) digest->Record(index, line);
    ++row;
    return std::nullopt;
  };
  size_t got;
  while ((got = std::fread(buf.data(), 1, buf.size(), in.get())) > 0) {
    if (io::Interrupted()) return Failure{130, "interrupted; nothing written"};
    size_t start = 0;
    const char* data = buf.data();
    // Rows are copied as they are; only the header is left out.
    size_t copy_from = header_done ? 0 : std::string::npos;
    while (start < got) {
      const void* nl = std::memchr(data + start, '\n', got - start);
      if (!nl) {
        carry.append(data + start, got - start);
        break;
      }
      const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - data);
      std::optional<Failure> f;
      const bool was_header = !header_done;
      if (!carry.empty()) {
        carry.append(data + start, end - start);
        f = handle(carry);
        carry.clear();
      } else {
        f = handle(std::string_view(data + start, end - start));
      }
      if (f) return f;
      if (was_header) copy_from = end + 1;
      start = end + 1;
    }
    if (copy_from == std::string::npos) continue;  // still inside the header line
    if (copy_from < got &&
        std::fwrite(data + copy_from, 1, got - copy_from, out) != got - copy_from) {
      return Failure{kExitBadInput, "cannot write the merged sweep.csv (disk full?)"};
    }
  }
  if (!header_done) return line_error("it is empty");
  if (!carry.empty()) return line_error("its last row has no end of line");
  if (row != expected)
    return line_error(fmt::format("{} rows where {} were expected", row, expected));
  digest->AddCounts(ok, partial, invalid);
  return std::nullopt;
}

// Merges one scenario's shards into out/<scenario>/.
std::optional<Failure> MergeOne(std::vector<Shard>& shards, const fs::path& out,
                                const io::PlotOptions& plot_options, bool quiet) {
  if (auto f = CheckComplete(shards)) return f;
  const io::ShardMeta& meta = shards.front().meta;
  const fs::path first = shards.front().dir;
  // The columns: shard 1's header (a lean sweep.csv has the varying ones) and
  // its sweep.meta.json (the constant ones), which every shard must share.
  std::string header;
  {
    std::ifstream in(first / io::kSweepCsvFile, std::ios::binary);
    if (!std::getline(in, header)) {
      return Failure{2, fmt::format("{}: missing or empty", (first / io::kSweepCsvFile).string())};
    }
    header += '\n';
  }
  const fs::path meta_json = first / io::kSweepMetaFile;
  std::error_code meta_ec;
  const bool lean = fs::exists(meta_json, meta_ec);
  const std::string constants_text = lean ? ReadText(meta_json) : std::string();
  for (const Shard& s : shards) {
    const fs::path p = s.dir / io::kSweepMetaFile;
    const bool has = fs::exists(p, meta_ec);
    if (has != lean || (has && ReadText(p) != constants_text)) {
      return Failure{2, fmt::format("{} and {}: the shards disagree on the columns that vary over "
                                    "the grid ({}); run them again, or all with --columns all",
                                    first.string(), s.dir.string(), io::kSweepMetaFile)};
    }
  }

  std::optional<io::Staging> staging;
  if (auto e = io::Staging::Create(out, meta.scenario, &staging)) return Failure{kExitBadInput, *e};
  io::SweepDigest digest(meta.axes,
                         io::SplitCsvLine(std::string_view(header).substr(0, header.size() - 1)),
                         IndexRange{0, meta.grid_points}, meta.grid_points);
  if (lean) {
    auto constants = io::ParseSweepMetaConstants(constants_text, meta_json.string());
    if (!constants) return Failure{2, constants.error()};
    digest.SetConstantColumns(*constants);
  }
  {
    const fs::path path = staging->dir() / io::kSweepCsvFile;
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
    if (!f) return Failure{kExitBadInput, fmt::format("{}: cannot write", path.string())};
    std::fwrite(header.data(), 1, header.size(), f.get());
    for (const Shard& s : shards) {
      if (auto e = CopyRows(s, header, f.get(), &digest)) return e;
    }
    if (std::fflush(f.get()) != 0 || std::ferror(f.get()) || std::fclose(f.release()) != 0) {
      return Failure{kExitBadInput, fmt::format("{}: cannot write (disk full?)", path.string())};
    }
  }

  // The rest from shard 1: the base run's files are the same in every shard.
  std::error_code ec;
  std::vector<std::string> scripts;
  for (const auto& e : fs::directory_iterator(first, ec)) {
    if (!e.is_regular_file(ec)) continue;
    const std::string name = e.path().filename().string();
    const std::string ext = e.path().extension().string();
    if (name == io::kSweepCsvFile || name == io::kShardMetaFile || ext == ".svg" || ext == ".png") {
      continue;
    }
    if (name == "report.md") {
      const std::string report = io::ReplaceSweepSection(
          ReadText(e.path()),
          digest.Markdown(0, 0,
                          meta.plots && digest.plan().kind != io::SweepPlotPlan::Kind::kNone));
      if (auto err = staging->Write(name, report)) return Failure{kExitBadInput, *err};
      continue;
    }
    fs::copy_file(e.path(), staging->dir() / name, ec);
    if (ec) return Failure{kExitBadInput, fmt::format("{}: cannot copy: {}", e.path().string(), ec.message())};
    if (ext == ".gp") scripts.push_back(name);
  }
  std::optional<std::string> plot_warning;
  if (meta.plots && digest.plan().kind != io::SweepPlotPlan::Kind::kNone) {
    if (auto err = staging->Write(io::SweepPlotDataFile(digest.plan()), digest.PlotData())) {
      return Failure{kExitBadInput, *err};
    }
    plot_warning = io::WriteSweepPlot(meta.scenario, meta.axes, staging->dir(), plot_options);
  }
  std::sort(scripts.begin(), scripts.end());
  if (!plot_warning) plot_warning = io::RenderScripts(staging->dir(), scripts, plot_options);
  if (io::Interrupted()) return Failure{130, "interrupted; nothing written"};
  if (auto e = staging->Commit()) return Failure{kExitBadInput, *e};
  if (plot_warning) Warn("merge", fmt::format("plots: {}", *plot_warning));
  if (!quiet) {
    std::string failed;
    if (digest.partial()) failed += fmt::format(", {} partial", digest.partial());
    if (digest.invalid()) failed += fmt::format(", {} invalid", digest.invalid());
    fmt::print("{}: merged {} shards, {} points ({} ok{}) into {}/\n", meta.scenario, shards.size(),
               meta.grid_points, digest.ok(), failed, staging->final_dir().string());
  }
  return std::nullopt;
}

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
    if (auto f = Expand(d, &folders)) {
      return Fail("merge", f->message, f->code);
    }
  }
  std::map<std::string, std::vector<Shard>> by_scenario;
  for (const fs::path& d : folders) {
    const fs::path meta_path = d / io::kShardMetaFile;
    Expected<io::ShardMeta> meta = io::ParseShardMeta(ReadText(meta_path), meta_path.string());
    if (!meta) {
      return Fail("merge", meta.error());
    }
    by_scenario[meta->scenario].push_back(Shard{d, *meta});
  }
  std::error_code ec;
  const bool out_existed = fs::exists(out, ec);
  for (auto& [name, shards] : by_scenario) {
    if (auto f = MergeOne(shards, out, io::PlotOptions{png}, quiet)) {
      Fail("merge", f->message);
      if (!out_existed) fs::remove(out, ec);  // only if still empty: nothing half-written
      return f->code == 130 ? 128 + io::InterruptSignal() : f->code;
    }
  }
  return kExitOk;
}

}  // namespace repsim::cli
