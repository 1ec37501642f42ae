#include "repsim/chunk_pipeline.h"

namespace repsim {

ChunkPlan PlanChunks(uint64_t begin, uint64_t end, int threads, uint64_t min_chunk,
                     uint64_t max_chunk, uint64_t chunks_per_thread) {
  ChunkPlan plan;
  plan.begin = begin;
  plan.end = std::max(begin, end);
  const uint64_t n = plan.end - plan.begin;
  unsigned t = threads > 0 ? static_cast<unsigned>(threads)
                           : std::max(1u, std::thread::hardware_concurrency());
  min_chunk = std::max<uint64_t>(1, min_chunk);
  plan.chunk = std::clamp<uint64_t>(n / (t * chunks_per_thread + 1), min_chunk,
                                    std::max(min_chunk, max_chunk));
  plan.threads = static_cast<unsigned>(
      std::max<uint64_t>(1, std::min<uint64_t>(t, std::max<uint64_t>(1, plan.chunks()))));
  return plan;
}

}  // namespace repsim
