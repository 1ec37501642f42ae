// Work over an index range [begin, end), cut into chunks of consecutive
// indices and run on a pool of threads: the one thread pool of repsim's long
// evaluations. Two shapes:
//  * RunOrderedChunks: each chunk's result is handed, in index order, to one
//    consumer on the calling thread (the sweep writes sweep.csv this way: rows
//    in grid order, the same bytes whatever the number of threads), with at
//    most a window of finished chunks waiting, so memory stays bounded
//    whatever the grid; consumed results go back to the workers for reuse.
//  * ParallelChunks: each chunk writes its own slice of the output; no order
//    (the Python module's broadcast evaluation).
// Both rethrow, on the calling thread, the first exception a chunk threw.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace repsim {

// How [begin, end) is cut: `chunk` indices per chunk (the last may be
// shorter), run by `threads` threads.
struct ChunkPlan {
  uint64_t begin = 0, end = 0;
  uint64_t chunk = 1;
  unsigned threads = 1;

  uint64_t chunks() const { return (end - begin + chunk - 1) / chunk; }
  uint64_t first(uint64_t c) const { return begin + c * chunk; }
  uint64_t last(uint64_t c) const { return std::min(end, first(c) + chunk); }
};

// A plan for [begin, end) on `threads` threads (<= 0: every core): about
// `chunks_per_thread` chunks per thread, each of [min_chunk, max_chunk]
// indices, and no more threads than chunks.
ChunkPlan PlanChunks(uint64_t begin, uint64_t end, int threads, uint64_t min_chunk,
                     uint64_t max_chunk, uint64_t chunks_per_thread = 8);

// How RunOrderedChunks ended.
enum class PipelineEnd {
  kDone,         // every chunk was produced and consumed
  kStopped,      // produce or consume returned false
  kInterrupted,  // `interrupted` returned true (polled every 50 ms while waiting)
};

struct PipelineOptions {
  // Chunks finished but not yet consumed, at most, per thread.
  uint64_t window_per_thread = 4;
  // Polled by the calling thread while it waits for a chunk; nullptr: never.
  bool (*interrupted)() = nullptr;
};

// For each chunk c of `plan`: `produce(worker, first, last, out)` on one of
// plan.threads threads, then `consume(c, out)` on the calling thread, in
// chunk order. Each thread makes its own state with `make_worker()` (a
// value: the thread's evaluator, formatter...). `out` is an Out&, either
// default-constructed or one consumed before (its buffers keep their memory):
// produce must overwrite what it reads. produce or consume returning false
// stops the pipeline: no later chunk is consumed, and the threads are joined
// before this returns.
template <class Out, class MakeWorker, class Produce, class Consume>
PipelineEnd RunOrderedChunks(const ChunkPlan& plan, MakeWorker make_worker, Produce produce,
                             Consume consume, const PipelineOptions& options = {}) {
  const uint64_t chunks = plan.chunks();
  const uint64_t window = std::max<uint64_t>(1, plan.threads * options.window_per_thread);
  struct Slot {
    bool ready = false;
    Out out;
  };
  std::vector<Slot> slots(window);
  std::vector<Out> spare;  // consumed results, back to the workers
  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  uint64_t next_chunk = 0, next_consume = 0;
  bool stop = false;
  std::exception_ptr error;

  auto worker = [&] {
    try {
      auto state = make_worker();
      for (;;) {
        uint64_t c;
        // Value-initialised: for a scalar Out (the tests use int) GCC 12 warns
        // -Wmaybe-uninitialized, an error under WERROR=1 (CI).
        Out out{};
        {
          std::unique_lock lock(mu);
          work_cv.wait(lock, [&] {
            return stop || next_chunk >= chunks || next_chunk < next_consume + window;
          });
          if (stop || next_chunk >= chunks) return;
          c = next_chunk++;
          if (!spare.empty()) {
            out = std::move(spare.back());
            spare.pop_back();
          }
        }
        const bool go_on = produce(state, plan.first(c), plan.last(c), out);
        {
          std::lock_guard lock(mu);
          if (!go_on) {
            stop = true;
          } else {
            slots[c % window].out = std::move(out);
            slots[c % window].ready = true;
          }
        }
        done_cv.notify_all();
        if (!go_on) {
          work_cv.notify_all();
          return;
        }
      }
    } catch (...) {
      {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
        stop = true;
      }
      done_cv.notify_all();
      work_cv.notify_all();
    }
  };

  std::vector<std::thread> pool;
  pool.reserve(plan.threads);
  for (unsigned t = 0; t < std::max(1u, plan.threads); ++t) pool.emplace_back(worker);
  PipelineEnd end = PipelineEnd::kDone;
  try {
    for (uint64_t c = 0; c < chunks; ++c) {
      Out out;
      {
        std::unique_lock lock(mu);
        bool interrupted = false;
        while (!slots[c % window].ready && !stop) {
          done_cv.wait_for(lock, std::chrono::milliseconds(50));
          if (options.interrupted && options.interrupted()) {
            interrupted = true;
            break;
          }
        }
        if (interrupted) {
          end = PipelineEnd::kInterrupted;
          break;
        }
        if (!slots[c % window].ready) {  // stopped by a worker
          end = PipelineEnd::kStopped;
          break;
        }
        out = std::move(slots[c % window].out);
        slots[c % window].ready = false;
        next_consume = c + 1;
      }
      work_cv.notify_all();
      if (!consume(c, out)) {
        end = PipelineEnd::kStopped;
        break;
      }
      std::lock_guard lock(mu);
      spare.push_back(std::move(out));
    }
  } catch (...) {
    std::lock_guard lock(mu);
    if (!error) error = std::current_exception();
  }
  {
    std::lock_guard lock(mu);
    stop = true;
  }
  work_cv.notify_all();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return end;
}

// body(first, last) for every chunk of `plan`, on plan.threads threads (the
// calling thread is one of them), in no particular order. After a chunk
// throws no new chunk starts; the first exception is rethrown.
template <class Body>
void ParallelChunks(const ChunkPlan& plan, const Body& body) {
  const uint64_t chunks = plan.chunks();
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex mu;
  auto work = [&] {
    try {
      for (;;) {
        const uint64_t c = next.fetch_add(1);
        if (c >= chunks || failed.load(std::memory_order_relaxed)) return;
        body(plan.first(c), plan.last(c));
      }
    } catch (...) {
      std::lock_guard lock(mu);
      if (!failed.exchange(true)) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < plan.threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace repsim
