// The thread pool of long evaluations (include/repsim/chunk_pipeline.h): chunks cover
// the range exactly once, the ordered pipeline hands them over in order
// whatever the number of threads and however long each chunk takes, a stop
// or an exception ends it cleanly.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "repsim/chunk_pipeline.h"

using repsim::ChunkPlan;
using repsim::ParallelChunks;
using repsim::PipelineEnd;
using repsim::PlanChunks;
using repsim::RunOrderedChunks;

namespace {

// Sleeps a little for some chunks, so that later chunks finish first.
void Jitter(uint64_t first) {
  if (first % 3 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
}

}  // namespace

TEST_CASE("PlanChunks covers the range with bounded chunks and no idle threads", "[pipeline]") {
  const ChunkPlan p = PlanChunks(10, 100010, 4, 16, 2048);
  CHECK(p.threads == 4);
  CHECK(p.chunk >= 16);
  CHECK(p.chunk <= 2048);
  CHECK(p.first(0) == 10);
  CHECK(p.last(p.chunks() - 1) == 100010);
  // A tiny range: one chunk, so one thread.
  const ChunkPlan tiny = PlanChunks(0, 5, 8, 16, 2048);
  CHECK(tiny.chunks() == 1);
  CHECK(tiny.threads == 1);
  CHECK(tiny.last(0) == 5);
  // An empty range: no chunk.
  CHECK(PlanChunks(7, 7, 2, 16, 2048).chunks() == 0);
}

TEST_CASE("RunOrderedChunks consumes every chunk once, in order, whatever the threads",
          "[pipeline]") {
  for (int threads : {1, 2, 3, 8}) {
    const ChunkPlan plan = PlanChunks(0, 5000, threads, 7, 64);
    std::vector<uint64_t> seen;
    int workers_made = 0;
    std::mutex mu;
    const PipelineEnd end = RunOrderedChunks<std::vector<uint64_t>>(
        plan,
        [&] {
          std::lock_guard lock(mu);
          return ++workers_made;
        },
        [](int, uint64_t first, uint64_t last, std::vector<uint64_t>& out) {
          Jitter(first);
          out.clear();  // may be a reused one
          for (uint64_t i = first; i < last; ++i) out.push_back(i);
          return true;
        },
        [&](uint64_t c, std::vector<uint64_t>& out) {
          CHECK(out.front() == plan.first(c));
          seen.insert(seen.end(), out.begin(), out.end());
          return true;
        });
    CHECK(end == PipelineEnd::kDone);
    CHECK(workers_made == static_cast<int>(plan.threads));
    std::vector<uint64_t> expected(5000);
    std::iota(expected.begin(), expected.end(), 0);
    CHECK(seen == expected);
  }
}

TEST_CASE("RunOrderedChunks stops when a chunk or the consumer says so", "[pipeline]") {
  const ChunkPlan plan = PlanChunks(0, 10000, 2, 10, 10);
  uint64_t consumed = 0;
  auto worker = [] { return 0; };
  const PipelineEnd by_worker = RunOrderedChunks<int>(
      plan, worker, [](int, uint64_t first, uint64_t, int&) { return first < 500; },
      [&](uint64_t, int&) {
        ++consumed;
        return true;
      });
  CHECK(by_worker == PipelineEnd::kStopped);
  CHECK(consumed <= 50);  // nothing after the chunk that stopped it

  consumed = 0;
  const PipelineEnd by_consumer = RunOrderedChunks<int>(
      plan, worker, [](int, uint64_t, uint64_t, int&) { return true; },
      [&](uint64_t c, int&) {
        ++consumed;
        return c < 3;
      });
  CHECK(by_consumer == PipelineEnd::kStopped);
  CHECK(consumed == 4);
}

TEST_CASE("RunOrderedChunks rethrows a chunk's exception and is interruptible", "[pipeline]") {
  const ChunkPlan plan = PlanChunks(0, 1000, 2, 10, 10);
  auto worker = [] { return 0; };
  CHECK_THROWS_WITH(RunOrderedChunks<int>(
                        plan, worker,
                        [](int, uint64_t first, uint64_t, int&) -> bool {
                          if (first == 300) throw std::runtime_error("chunk 30 failed");
                          return true;
                        },
                        [](uint64_t, int&) { return true; }),
                    "chunk 30 failed");

  static std::atomic<bool> interrupted{false};
  interrupted = false;
  repsim::PipelineOptions options;
  options.interrupted = [] { return interrupted.load(); };
  const PipelineEnd end = RunOrderedChunks<int>(
      plan, worker,
      [](int, uint64_t first, uint64_t, int&) {
        if (first >= 200) {  // a slow chunk: the signal arrives while the writer waits
          interrupted = true;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        return true;
      },
      [](uint64_t, int&) { return true; }, options);
  CHECK(end == PipelineEnd::kInterrupted);
}

TEST_CASE("ParallelChunks runs every index once and rethrows", "[pipeline]") {
  const ChunkPlan plan = PlanChunks(0, 10007, 3, 16, 1000);
  std::vector<std::atomic<int>> hits(10007);
  ParallelChunks(plan, [&](uint64_t first, uint64_t last) {
    Jitter(first);
    for (uint64_t i = first; i < last; ++i) ++hits[i];
  });
  int wrong = 0;
  for (const auto& h : hits) wrong += h.load() != 1;
  CHECK(wrong == 0);
  CHECK_THROWS_WITH(ParallelChunks(plan,
                                   [](uint64_t first, uint64_t) {
                                     if (first > 5000) throw std::runtime_error("bad chunk");
                                   }),
                    "bad chunk");
}
