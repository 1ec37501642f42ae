#include "io/sweep_merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "io/interrupt.h"
#include "io/staging.h"
#include "io/sweep_lean.h"
#include "io/sweep_writer.h"
#include "io/table.h"

namespace fs = std::filesystem;

namespace repsim::io {
namespace {

struct Shard {
  fs::path dir;
  ShardMeta meta;
};

std::string ReadText(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The shard folders named by `arg`, or an error.

// Checks that `shards` (one scenario) are the whole grid, once each, consistent.
std::optional<MergeFailure> CheckComplete(std::vector<Shard>& shards) {
  const Shard& first = shards.front();
  const ShardMeta& m0 = first.meta;
  for (const Shard& s : shards) {
    const ShardMeta& m = s.meta;
    auto differ = [&](std::string_view what, const std::string& a, const std::string& b) {
      return MergeFailure{false,
                          fmt::format("{} and {} are not shards of the same sweep: their {} differ "
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
      return MergeFailure{false, fmt::format("shard {}/{} of '{}' is given twice: {} and {}",
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
    return MergeFailure{false, fmt::format("sweep of '{}': {} of {} shards missing: {}",
                                           m0.scenario, missing.size(), m0.shards, list)};
  }
  return std::nullopt;
}

// Streams one shard's rows (after its header) into `out`, feeding the digest.
std::optional<MergeFailure> CopyRows(const Shard& s, const std::string& header, FILE* out,
                                     SweepDigest* digest) {
  const fs::path path = s.dir / kSweepCsvFile;
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!in) return MergeFailure{false, fmt::format("{}: missing or unreadable", path.string())};
  const size_t naxes = s.meta.axes.size();
  const uint64_t expected = s.meta.end - s.meta.begin;
  uint64_t row = 0;
  bool header_done = false;
  std::string carry;
  std::vector<char> buf(1 << 22);
  uint64_t ok = 0, partial = 0, invalid = 0;
  auto line_error = [&](std::string what) {
    return MergeFailure{false,
                        fmt::format("{}: {} (was it truncated or edited? run shard {}/{} again)",
                                    path.string(), what, s.meta.shard, s.meta.shards)};
  };
  auto handle = [&](std::string_view line) -> std::optional<MergeFailure> {
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
      for (double v : values) cells += Num(v) + ",";
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
    if (Interrupted()) return MergeFailure{true, "interrupted; nothing written"};
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
      std::optional<MergeFailure> f;
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
      return MergeFailure{false, "cannot write the merged sweep.csv (disk full?)"};
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
std::optional<MergeFailure> MergeOne(std::vector<Shard>& shards, const fs::path& out,
                                     const PlotOptions& plot_options, MergeReport* report) {
  if (auto f = CheckComplete(shards)) return f;
  const ShardMeta& meta = shards.front().meta;
  const fs::path first = shards.front().dir;
  // The columns: shard 1's header (a lean sweep.csv has the varying ones) and
  // its sweep.meta.json (the constant ones), which every shard must share.
  std::string header;
  {
    std::ifstream in(first / kSweepCsvFile, std::ios::binary);
    if (!std::getline(in, header)) {
      return MergeFailure{false,
                          fmt::format("{}: missing or empty", (first / kSweepCsvFile).string())};
    }
    header += '\n';
  }
  const fs::path meta_json = first / kSweepMetaFile;
  std::error_code meta_ec;
  const bool lean = fs::exists(meta_json, meta_ec);
  const std::string constants_text = lean ? ReadText(meta_json) : std::string();
  for (const Shard& s : shards) {
    const fs::path p = s.dir / kSweepMetaFile;
    const bool has = fs::exists(p, meta_ec);
    if (has != lean || (has && ReadText(p) != constants_text)) {
      return MergeFailure{
          false, fmt::format("{} and {}: the shards disagree on the columns that vary over "
                             "the grid ({}); run them again, or all with --columns all",
                             first.string(), s.dir.string(), kSweepMetaFile)};
    }
  }

  Expected<Staging> staging = Staging::Create(out, meta.scenario);
  if (!staging) return MergeFailure{false, staging.error()};
  SweepDigest digest(meta.axes, SplitCsvLine(std::string_view(header).substr(0, header.size() - 1)),
                     IndexRange{0, meta.grid_points}, meta.grid_points, meta.heatmap);
  if (lean) {
    auto constants = ParseSweepMetaConstants(constants_text, meta_json.string());
    if (!constants) return MergeFailure{false, constants.error()};
    digest.SetConstantColumns(*constants);
  }
  {
    const fs::path path = staging->dir() / kSweepCsvFile;
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
    if (!f) return MergeFailure{false, fmt::format("{}: cannot write", path.string())};
    std::fwrite(header.data(), 1, header.size(), f.get());
    for (const Shard& s : shards) {
      if (auto e = CopyRows(s, header, f.get(), &digest)) return e;
    }
    if (std::fflush(f.get()) != 0 || std::ferror(f.get()) || std::fclose(f.release()) != 0) {
      return MergeFailure{false, fmt::format("{}: cannot write (disk full?)", path.string())};
    }
  }

  // The rest from shard 1: the base run's files are the same in every shard.
  std::error_code ec;
  std::vector<std::string> scripts;
  for (const auto& e : fs::directory_iterator(first, ec)) {
    if (!e.is_regular_file(ec)) continue;
    const std::string name = e.path().filename().string();
    const std::string ext = e.path().extension().string();
    if (name == kSweepCsvFile || name == kShardMetaFile || ext == ".svg" || ext == ".png") {
      continue;
    }
    if (name == "report.md") {
      const std::string report = ReplaceSweepSection(
          ReadText(e.path()),
          digest.Markdown(0, 0, meta.plots && digest.plan().kind != SweepPlotPlan::Kind::kNone));
      if (auto err = staging->Write(name, report)) return MergeFailure{false, *err};
      continue;
    }
    fs::copy_file(e.path(), staging->dir() / name, ec);
    if (ec)
      return MergeFailure{false,
                          fmt::format("{}: cannot copy: {}", e.path().string(), ec.message())};
    if (ext == ".gp") scripts.push_back(name);
  }
  MaybeError plot_warning;
  if (meta.plots && digest.plan().kind != SweepPlotPlan::Kind::kNone) {
    if (auto err = staging->Write(SweepPlotDataFile(digest.plan()), digest.PlotData())) {
      return MergeFailure{false, *err};
    }
    plot_warning =
        WriteSweepPlot(meta.scenario, meta.axes, meta.heatmap, staging->dir(), plot_options);
  }
  std::sort(scripts.begin(), scripts.end());
  if (!plot_warning) plot_warning = RenderScripts(staging->dir(), scripts, plot_options);
  if (Interrupted()) return MergeFailure{true, "interrupted; nothing written"};
  if (auto e = staging->Commit()) return MergeFailure{false, *e};
  *report = MergeReport{meta.scenario,
                        shards.size(),
                        meta.grid_points,
                        digest.ok(),
                        digest.partial(),
                        digest.invalid(),
                        staging->final_dir().string(),
                        plot_warning};
  return std::nullopt;
}

}  // namespace

std::optional<MergeFailure> FindShardFolders(const std::string& arg,
                                             std::vector<std::filesystem::path>* out) {
  std::error_code ec;
  const fs::path p(arg);
  if (!fs::is_directory(p, ec)) {
    return MergeFailure{false, fmt::format("{}: not a folder", arg)};
  }
  if (fs::exists(p / kShardMetaFile, ec)) {
    out->push_back(p);
    return std::nullopt;
  }
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(p, ec)) {
    if (e.is_directory(ec) && fs::exists(e.path() / kShardMetaFile, ec)) {
      found.push_back(e.path());
    }
  }
  if (found.empty()) {
    return MergeFailure{false, fmt::format("{}: no {} in it or in its folders (not written by "
                                           "`repsim run --shard I/N`)",
                                           arg, kShardMetaFile)};
  }
  std::sort(found.begin(), found.end());
  out->insert(out->end(), found.begin(), found.end());
  return std::nullopt;
}

std::optional<MergeFailure> MergeShards(const std::vector<fs::path>& folders, const fs::path& out,
                                        const PlotOptions& plot_options,
                                        const std::function<void(const MergeReport&)>& merged) {
  std::map<std::string, std::vector<Shard>> by_scenario;
  for (const fs::path& d : folders) {
    const fs::path meta_path = d / kShardMetaFile;
    Expected<ShardMeta> meta = ParseShardMeta(ReadText(meta_path), meta_path.string());
    if (!meta) return MergeFailure{false, meta.error()};
    by_scenario[meta->scenario].push_back(Shard{d, *meta});
  }
  for (auto& [name, shards] : by_scenario) {
    MergeReport report;
    if (auto f = MergeOne(shards, out, plot_options, &report)) return f;
    merged(report);
  }
  return std::nullopt;
}

}  // namespace repsim::io
