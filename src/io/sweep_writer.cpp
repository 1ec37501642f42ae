#include "io/sweep_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>

#include "io/bulk_file.h"
#include "io/columns.h"
#include "io/interrupt.h"
#include "io/progress.h"
#include "io/shard_meta.h"
#include "io/sweep_digest.h"
#include "io/sweep_lean.h"
#include "io/sweep_rows.h"
#include "repsim/chunk_pipeline.h"
#include "repsim/intervals.h"
#include "repsim/version.h"

namespace fs = std::filesystem;

namespace repsim::io {
namespace {

// Points per chunk: small enough to spread a small grid over every thread,
// large enough that the hand-over costs nothing.
constexpr uint64_t kMinChunk = 16;
constexpr uint64_t kMaxChunk = 2048;

// One chunk of rows, as a worker hands it to the writer.
struct ChunkRows {
  CharBuffer text;
  uint64_t ok = 0, partial = 0, invalid = 0, closed_form = 0;
  uint64_t extrapolated = 0;  // points outside the law's fitted domain
  std::string example;        // the first one's extrapolation cell
};

// A worker thread's state.
struct RowWorker {
  SweepEvaluator evaluator;
  RowFormatter formatter;
  SweepPoint point;
  std::vector<size_t> coords;
  size_t row_bytes;  // learnt per chunk
};

}  // namespace

MaybeError RunSweep(const Scenario& scenario, const SweepOptions& options, const Staging& staging,
                    SweepReport* report) {
  const std::vector<SweepAxis>& axes = scenario.sweep;
  if (axes.empty()) return std::string("sweep: no [[sweep.axis]]");
  const uint64_t grid = SweepGridSize(axes);
  const IndexRange range = ShardRange(grid, options.shard_index, options.shard_count);
  const uint64_t n = range.size();
  const bool sharded = options.sharded;
  const ChunkPlan plan = PlanChunks(range.begin, range.end, options.threads, kMinChunk, kMaxChunk);

  SweepLayout layout = PlanSweepLayout(scenario, options.wide);
  std::optional<SweepDigest> digest;
  uint64_t closed_form = 0;
  for (;;) {
    const std::string header = SweepCsvHeader(axes, layout.varying);
    digest.reset();
    digest.emplace(axes, SplitCsvLine(std::string_view(header).substr(0, header.size() - 1)), range,
                   grid, scenario.output.heatmap);
    std::vector<std::pair<std::string, std::string>> constant_cells;
    for (const ConstantColumn& k : layout.constants)
      constant_cells.emplace_back(k.column->name, k.cell);
    digest->SetConstantColumns(constant_cells);
    *report = SweepReport{};
    // Constants that a row contradicts (indices into layout.constants).
    std::vector<char> violated(layout.constants.size(), 0);
    std::mutex violated_mu;

    const fs::path path = staging.dir() / kSweepCsvFile;
    // On disk: a BulkFile (direct I/O where the file system allows it); in
    // memory (repsim serve): the staging's stream.
    std::optional<BulkFile> bulk;
    std::unique_ptr<FILE, int (*)(FILE*)> file(nullptr, &std::fclose);
    std::vector<char> buffer;
    if (staging.in_memory()) {
      file.reset(staging.Open(kSweepCsvFile));
      if (!file) return fmt::format("{}: cannot write", path.string());
      buffer.resize(1 << 20);
      std::setvbuf(file.get(), buffer.data(), _IOFBF, buffer.size());
    } else {
      Expected<BulkFile> created = BulkFile::Create(path);
      if (!created) return created.error();
      bulk.emplace(std::move(created).value());
    }
    auto write = [&](const char* data, size_t size) {
      return bulk ? bulk->Write(data, size) : std::fwrite(data, 1, size, file.get()) == size;
    };
    if (!write(header.data(), header.size())) {
      return fmt::format("{}: cannot write (disk full?)", path.string());
    }

    auto make_worker = [&] {
      return RowWorker{SweepEvaluator(scenario.base, axes), RowFormatter(axes, layout.varying),
                       SweepPoint{}, std::vector<size_t>(axes.size()),
                       64 * (axes.size() + layout.varying.size() + 1)};
    };
    auto produce = [&](RowWorker& w, uint64_t first, uint64_t last, ChunkRows& s) {
      s.text.Clear();
      s.ok = s.partial = s.invalid = s.extrapolated = 0;
      s.example.clear();
      const uint64_t closed_form_before = w.evaluator.closed_form_points();
      // Grown by hand: no copies.
      s.text.Reserve(w.row_bytes * (last - first) + w.row_bytes / 4);
      SweepPoint& point = w.point;
      for (uint64_t i = first; i < last; ++i) {
        w.evaluator.Evaluate(i, &point);
        if (scenario.output.intervals) {  // from the engine, not a fast path
          point.summary.bands =
              point.kind == PointStatus::kInvalid
                  ? nullptr
                  : std::make_shared<const Bands>(ComputeBands(point.run, point.summary));
        }
        SweepCoordinates(axes, i, w.coords);
        const size_t start = s.text.size();
        w.formatter.Append(point, w.coords, &s.text);
        const std::string_view line(s.text.data() + start, s.text.size() - start - 1);
        if (digest->Wants(i)) digest->Record(i, line);
        switch (point.kind) {
          case PointStatus::kOk:
            ++s.ok;
            break;
          case PointStatus::kPartial:
            ++s.partial;
            break;
          case PointStatus::kInvalid:
            ++s.invalid;
            break;
        }
        if (point.kind != PointStatus::kOk) digest->RecordFailure(i, line);
        if (point.kind != PointStatus::kInvalid) {
          bool go_on = true;
          for (size_t k = 0; k < layout.constants.size(); ++k) {
            if (!layout.constants[k].Matches(point.run, point.summary)) {
              std::lock_guard lock(violated_mu);
              violated[k] = 1;
              go_on = false;  // the sweep is written again with this column per row
            }
          }
          if (!go_on) return false;
          if (IsExtrapolation(point.run) && s.extrapolated++ == 0) {
            s.example = Extrapolation(point.run);
          }
        }
      }
      w.row_bytes =
          std::max<size_t>(w.row_bytes, s.text.size() / static_cast<size_t>(last - first) + 16);
      s.closed_form = w.evaluator.closed_form_points() - closed_form_before;
      return true;
    };

    MaybeError error;
    closed_form = 0;
    uint64_t written = 0;
    PipelineEnd end = PipelineEnd::kDone;
    {
      Progress progress(
          sharded ? fmt::format("sweep shard {}/{}", options.shard_index + 1, options.shard_count)
                  : std::string("sweep"),
          n);
      auto consume = [&](uint64_t, ChunkRows& s) {
        if (!write(s.text.data(), s.text.size())) {
          error = fmt::format("{}: cannot write (disk full?)", path.string());
          return false;
        }
        digest->AddCounts(s.ok, s.partial, s.invalid);
        closed_form += s.closed_form;
        if (s.extrapolated && report->extrapolated == 0) report->extrapolation_example = s.example;
        report->extrapolated += s.extrapolated;
        written += s.ok + s.partial + s.invalid;
        progress.Tick(s.ok + s.partial + s.invalid);
        return true;
      };
      PipelineOptions pipeline;
      pipeline.interrupted = &Interrupted;
      try {
        end = RunOrderedChunks<ChunkRows>(plan, make_worker, produce, consume, pipeline);
      } catch (const std::exception& e) {
        return fmt::format("sweep: internal error: {}", e.what());
      }
    }
    if (end == PipelineEnd::kInterrupted) {
      return fmt::format("interrupted after {} of {} sweep points; nothing written", written, n);
    }
    if (error) return error;
    if (std::find(violated.begin(), violated.end(), 1) != violated.end()) {
      std::vector<size_t> moved;
      for (size_t k = 0; k < violated.size(); ++k) {
        if (violated[k]) moved.push_back(k);
      }
      MakeVarying(&layout, moved);
      continue;  // file reopened (truncated) by the next attempt
    }
    if (bulk) {
      if (!bulk->Close()) return fmt::format("{}: cannot write (disk full?)", path.string());
      break;
    }
    if (std::fflush(file.get()) != 0 || std::ferror(file.get())) {
      return fmt::format("{}: cannot write (disk full?)", path.string());
    }
    if (std::fclose(file.release()) != 0) return fmt::format("{}: cannot write", path.string());
    break;
  }

  report->points = n;
  report->grid_points = grid;
  report->begin = range.begin;
  report->partial = digest->partial();
  report->invalid = digest->invalid();
  report->failed = digest->partial() + digest->invalid();
  report->closed_form = closed_form;
  const bool plot =
      scenario.output.plots && !sharded && digest->plan().kind != SweepPlotPlan::Kind::kNone;
  report->markdown = digest->Markdown(options.shard_index, sharded ? options.shard_count : 0, plot);

  if (plot) {
    if (auto e = staging.Write(SweepPlotDataFile(digest->plan()), digest->PlotData())) return e;
  }
  if (!layout.constants.empty()) {
    if (auto e = staging.Write(kSweepMetaFile, SweepMetaJson(scenario, layout))) return e;
  }
  if (sharded) {
    ShardMeta meta;
    meta.scenario = scenario.name;
    meta.version = REPSIM_VERSION;
    meta.shard = options.shard_index + 1;
    meta.shards = options.shard_count;
    meta.grid_points = grid;
    meta.begin = range.begin;
    meta.end = range.end;
    meta.fingerprint = SweepFingerprint(scenario);
    meta.plots = scenario.output.plots;
    meta.heatmap = scenario.output.heatmap;
    meta.axes = axes;
    if (auto e = staging.Write(kShardMetaFile, ShardMetaToml(meta))) return e;
  }
  return std::nullopt;
}

}  // namespace repsim::io
