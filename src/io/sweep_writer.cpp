#include "io/sweep_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <thread>

#include "io/columns.h"
#include "io/interrupt.h"
#include "io/progress.h"
#include "io/shard_meta.h"
#include "io/sweep_digest.h"
#include "io/sweep_lean.h"
#include "io/sweep_rows.h"
#include "repsim/version.h"

namespace fs = std::filesystem;

namespace repsim::io {
namespace {

// Points per chunk: small enough to spread a small grid over every thread,
// large enough that the hand-over costs nothing; chunks in flight per thread.
constexpr uint64_t kMinChunk = 16;
constexpr uint64_t kMaxChunk = 2048;
constexpr uint64_t kChunksInFlightPerThread = 4;

}  // namespace

std::optional<std::string> RunSweep(const Scenario& scenario, const SweepOptions& options,
                                    const Staging& staging, SweepReport* report) {
  const std::vector<SweepAxis>& axes = scenario.sweep;
  if (axes.empty()) return std::string("sweep: no [[sweep.axis]]");
  const uint64_t grid = SweepGridSize(axes);
  const IndexRange range = ShardRange(grid, options.shard_index, options.shard_count);
  const uint64_t n = range.size();
  const bool sharded = options.sharded;

  unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads)
                                         : std::max(1u, std::thread::hardware_concurrency());
  const uint64_t chunk = std::clamp<uint64_t>(n / (threads * 8ULL + 1), kMinChunk, kMaxChunk);
  const uint64_t chunks = (n + chunk - 1) / chunk;
  threads = static_cast<unsigned>(std::max<uint64_t>(1, std::min<uint64_t>(threads, chunks)));
  const uint64_t window = threads * kChunksInFlightPerThread;

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

    const fs::path path = staging.dir() / kSweepCsvFile;
    std::unique_ptr<FILE, int (*)(FILE*)> file(staging.Open(kSweepCsvFile), &std::fclose);
    if (!file) return fmt::format("{}: cannot write", path.string());
    std::vector<char> buffer(1 << 20);
    std::setvbuf(file.get(), buffer.data(), _IOFBF, buffer.size());
    std::fwrite(header.data(), 1, header.size(), file.get());

    struct Slot {
      bool ready = false;
      CharBuffer text;
      uint64_t ok = 0, partial = 0, invalid = 0, closed_form = 0;
      uint64_t extrapolated = 0;  // points outside the law's fitted domain
      std::string example;        // the first one's extrapolation cell
    };
    std::vector<Slot> slots(window);
    // Chunk buffers go back to the workers once written: a fresh megabyte per
    // chunk would cost the kernel a page fault every 4 KiB.
    std::vector<CharBuffer> spare;
    std::mutex mu;
    std::condition_variable work_cv, done_cv;
    uint64_t next_chunk = 0, next_write = 0;
    std::atomic<bool> stop{false};
    std::string worker_error;

    auto worker = [&] {
      try {
        SweepEvaluator evaluator(scenario.base, axes);
        RowFormatter formatter(axes, layout.varying);
        SweepPoint point;
        std::vector<size_t> coords(axes.size());
        size_t row_bytes = 64 * (axes.size() + layout.varying.size() + 1);  // learnt per chunk
        while (true) {
          uint64_t c;
          {
            std::unique_lock lock(mu);
            work_cv.wait(lock, [&] {
              return stop || next_chunk >= chunks || next_chunk < next_write + window;
            });
            if (stop || next_chunk >= chunks) return;
            c = next_chunk++;
          }
          Slot s;
          {
            std::lock_guard lock(mu);
            if (!spare.empty()) {
              s.text = std::move(spare.back());
              spare.pop_back();
            }
          }
          s.text.Clear();
          const uint64_t closed_form_before = evaluator.closed_form_points();
          const uint64_t first = range.begin + c * chunk;
          const uint64_t last = std::min(range.end, first + chunk);
          s.text.Reserve(row_bytes * (last - first) + row_bytes / 4);  // grown by hand: no copies
          for (uint64_t i = first; i < last; ++i) {
            if (stop.load(std::memory_order_relaxed)) return;
            evaluator.Evaluate(i, &point);
            SweepCoordinates(axes, i, coords);
            const size_t start = s.text.size();
            formatter.Append(point, coords, &s.text);
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
              for (size_t k = 0; k < layout.constants.size(); ++k) {
                if (!layout.constants[k].Matches(point.run, point.summary)) {
                  std::lock_guard lock(mu);
                  violated[k] = 1;
                  stop = true;  // the sweep is written again with this column per row
                }
              }
              std::string outside = Extrapolation(point.run);
              if (!outside.empty() && s.extrapolated++ == 0) s.example = std::move(outside);
            }
          }
          row_bytes =
              std::max<size_t>(row_bytes, s.text.size() / static_cast<size_t>(last - first) + 16);
          s.closed_form = evaluator.closed_form_points() - closed_form_before;
          s.ready = true;
          {
            std::lock_guard lock(mu);
            slots[c % window] = std::move(s);
          }
          done_cv.notify_all();
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        if (worker_error.empty()) worker_error = e.what();
        stop = true;
        done_cv.notify_all();
        work_cv.notify_all();
      }
    };

    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    auto stop_all = [&] {
      {
        std::lock_guard lock(mu);
        stop = true;
      }
      work_cv.notify_all();
      for (std::thread& t : pool) t.join();
      pool.clear();
    };

    std::optional<std::string> error;
    closed_form = 0;
    {
      Progress progress(
          sharded ? fmt::format("sweep shard {}/{}", options.shard_index + 1, options.shard_count)
                  : std::string("sweep"),
          n);
      for (uint64_t c = 0; c < chunks && !error; ++c) {
        Slot s;
        {
          std::unique_lock lock(mu);
          while (!slots[c % window].ready && !stop) {
            done_cv.wait_for(lock, std::chrono::milliseconds(50));
            if (Interrupted()) break;
          }
          if (Interrupted()) {
            error = fmt::format("interrupted after {} of {} sweep points; nothing written",
                                std::min(n, c * chunk), n);
            break;
          }
          if (!slots[c % window].ready) {
            error = fmt::format("sweep: internal error: {}", worker_error);
            break;
          }
          s = std::move(slots[c % window]);
          slots[c % window].ready = false;
          next_write = c + 1;
        }
        work_cv.notify_all();
        if (std::fwrite(s.text.data(), 1, s.text.size(), file.get()) != s.text.size()) {
          error = fmt::format("{}: cannot write (disk full?)", path.string());
        }
        digest->AddCounts(s.ok, s.partial, s.invalid);
        closed_form += s.closed_form;
        if (s.extrapolated && report->extrapolated == 0) report->extrapolation_example = s.example;
        report->extrapolated += s.extrapolated;
        progress.Tick(s.ok + s.partial + s.invalid);
        {
          std::lock_guard lock(mu);
          spare.push_back(std::move(s.text));
        }
      }
    }
    stop_all();
    if (std::find(violated.begin(), violated.end(), 1) != violated.end() && !Interrupted() &&
        worker_error.empty()) {
      std::vector<size_t> moved;
      for (size_t k = 0; k < violated.size(); ++k) {
        if (violated[k]) moved.push_back(k);
      }
      MakeVarying(&layout, moved);
      continue;  // file reopened (truncated) by the next attempt
    }
    if (error) return error;
    if (!worker_error.empty()) return fmt::format("sweep: internal error: {}", worker_error);
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
