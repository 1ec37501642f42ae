// The one multi-start driver and bootstrap loop of the fitters: `fit`'s
// laws (fit.cpp), the overfit form on penalty pairs and the ratio form on
// runs (validate.cpp). Each fitter keeps its own objective, local minimiser
// and start grid; this header runs the starts in parallel, picks the best
// one deterministically and runs one refit per bootstrap resample.
// Core-internal (not part of include/repsim).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include "core/parallel.h"
#include "repsim/fit.h"

namespace repsim::detail {

// minimise(starts[i]) for every start on ThreadCount(threads) threads; the
// results in start order (they never depend on the thread count).
template <typename Start, typename Minimise>
auto MinimiseAll(const std::vector<Start>& starts, int threads, const Minimise& minimise) {
  using Result = std::decay_t<std::invoke_result_t<const Minimise&, const Start&>>;
  std::vector<Result> results(starts.size());
  ParallelFor(static_cast<int>(starts.size()), threads,
              [&](int i) { results[i] = minimise(starts[i]); });
  return results;
}

// The best result: the lowest finite objective(r) among the results
// accept(r) takes; ties go to the lowest index (the first start in grid
// order). nullopt when no result qualifies.
template <typename Result, typename Objective, typename Accept>
std::optional<size_t> BestIndex(const std::vector<Result>& results, const Objective& objective,
                                const Accept& accept) {
  std::optional<size_t> best;
  for (size_t i = 0; i < results.size(); ++i) {
    const double v = objective(results[i]);
    if (!std::isfinite(v) || !accept(results[i])) continue;
    if (!best || v < objective(results[*best])) best = i;
  }
  return best;
}

template <typename Result, typename Objective>
std::optional<size_t> BestIndex(const std::vector<Result>& results, const Objective& objective) {
  return BestIndex(results, objective, [](const Result&) { return true; });
}

// How many results have |objective(r) − best| <= tol ("converged to the
// best"; non-finite objectives never count).
template <typename Result, typename Objective>
int CountWithin(const std::vector<Result>& results, const Objective& objective, double best,
                double tol) {
  int n = 0;
  for (const Result& r : results) {
    if (std::fabs(objective(r) - best) <= tol) ++n;
  }
  return n;
}

// The successful refits of a bootstrap, in resample order, and how many
// failed.
template <typename T>
struct BootstrapFits {
  std::vector<T> fits;
  int failed = 0;
};

// For r = 0 .. resamples − 1, in parallel on ThreadCount(threads) threads:
// refit(sample) on items[ResampleIndices(seed, r, items.size())] (fit.h: the
// one resampling rule, so resample r depends only on (seed, r)). refit
// returns std::optional<T>, nullopt for a failed refit.
template <typename Item, typename Refit>
auto RunBootstrap(std::span<const Item> items, int resamples, uint64_t seed, int threads,
                  const Refit& refit) {
  using Maybe = std::decay_t<std::invoke_result_t<const Refit&, const std::vector<Item>&>>;
  using T = typename Maybe::value_type;
  std::vector<Maybe> maybe(static_cast<size_t>(resamples > 0 ? resamples : 0));
  ParallelFor(resamples, threads, [&](int r) {
    std::vector<Item> sample;
    sample.reserve(items.size());
    for (size_t k : ResampleIndices(seed, static_cast<uint64_t>(r), items.size())) {
      sample.push_back(items[k]);
    }
    maybe[static_cast<size_t>(r)] = refit(sample);
  });
  BootstrapFits<T> out;
  for (Maybe& m : maybe) {
    if (m) {
      out.fits.push_back(std::move(*m));
    } else {
      ++out.failed;
    }
  }
  return out;
}

}  // namespace repsim::detail
