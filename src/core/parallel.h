// The one parallel-for of the fitters (fit.cpp, validate.cpp): n tasks handed
// out in index order to worker threads; results never depend on the count.
#pragma once

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace repsim::detail {

// `threads` worker threads, or one per hardware thread when threads <= 0.
inline int ThreadCount(int threads) {
  if (threads > 0) return threads;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// Calls fn(i) for i in [0, n) on ThreadCount(threads) threads (the calling
// thread is one of them).
template <typename Fn>
void ParallelFor(int n, int threads, const Fn& fn) {
  threads = ThreadCount(threads);
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  const int extra = std::max(0, std::min(threads, n) - 1);
  std::vector<std::thread> pool;
  pool.reserve(extra);
  for (int t = 0; t < extra; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
}

}  // namespace repsim::detail
