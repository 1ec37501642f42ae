// Benchmark of `repsim fit`'s core: the Hoffmann/Besiroglu fit of the
// Chinchilla form on the Chinchilla data (five highest losses dropped), from
// the same start grid as ../shared/bench/fit_scipy.py, and a bootstrap.
//
//   build/bench/bench_fit [--data FILE] [--starts N] [--threads T]
//                         [--bootstrap B] [--seed S] [--repeat R]
//
// Prints one line per measurement, in the style of fit_scipy.py:
//   fit: starts=4500 threads=2 seconds=MEDIAN best=MIN objective=... E=... A=... B=... ...
//   bootstrap: resamples=1000 threads=2 failed=0 seconds=MEDIAN best=MIN
// over R repeats (default 3), as these machines are shared.
// bench/run_fit.sh runs this and fit_scipy.py side by side.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "io/runs_csv.h"
#include "repsim/fit.h"

namespace {

// Besiroglu et al. 2024 drop the five highest losses (as fit_scipy.py does).
constexpr int kDropHighest = 5;

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The median is what the ratio uses: on a shared machine the best of a few
// repeats flatters, the median less so.
double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double Min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

int Threads(int requested) {
  return requested > 0 ? requested : static_cast<int>(std::thread::hardware_concurrency());
}

int Main(int argc, char** argv) {
  // Default: the shared data next to the repository (../shared/data), found
  // from this source file's path so the binary runs from any directory.
  std::string data = (std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() /
                      "shared" / "data" / "chinchilla_hoffmann2022_fig4.csv")
                         .string();
  int starts = 4500, threads = 0, bootstrap = 0, repeat = 3;
  uint64_t seed = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        fmt::print(stderr, "bench_fit: {} needs a value\n", a);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data") {
      data = next();
    } else if (a == "--starts") {
      starts = std::atoi(next());
    } else if (a == "--threads") {
      threads = std::atoi(next());
    } else if (a == "--bootstrap") {
      bootstrap = std::atoi(next());
    } else if (a == "--seed") {
      seed = std::strtoull(next(), nullptr, 10);
    } else if (a == "--repeat") {
      repeat = std::atoi(next());
    } else {
      fmt::print(stderr,
                 "usage: bench_fit [--data FILE] [--starts N] [--threads T] [--bootstrap B] "
                 "[--seed S] [--repeat R]\n");
      return 2;
    }
  }
  auto runs = repsim::io::ReadRunsCsv(data, false);
  if (!runs) {
    fmt::print(stderr, "bench_fit: {}\n", runs.error());
    return 2;
  }
  const std::vector<repsim::FitRun> kept = repsim::DropHighestLosses(*runs, kDropHighest);
  repsim::FitOptions options;
  options.max_starts = starts;
  options.threads = threads;

  std::vector<double> times;
  std::optional<repsim::FitResult> fit;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    auto result = repsim::Fit(kept, options);
    times.push_back(Seconds(t0));
    if (!result) {
      fmt::print(stderr, "bench_fit: {}\n", result.error());
      return 1;
    }
    fit = *result;
  }
  const repsim::FitConstants& c = fit->constants;
  fmt::print(
      "fit: starts={} threads={} seconds={:.3f} best={:.3f} objective={:.17g} converged={} "
      "E={:.6g} A={:.6g} B={:.6g} alpha={:.6g} beta={:.6g}\n",
      fit->starts, Threads(threads), Median(times), Min(times), fit->objective,
      fit->converged_to_best, c.e, c.a, c.b, c.alpha, c.beta);

  if (bootstrap > 0) {
    std::vector<double> btimes;
    int failed = 0;
    for (int r = 0; r < repeat; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      auto b = repsim::Bootstrap(kept, options, *fit, bootstrap, seed);
      btimes.push_back(Seconds(t0));
      if (!b) {
        fmt::print(stderr, "bench_fit: {}\n", b.error());
        return 1;
      }
      failed = b->failed;
    }
    fmt::print("bootstrap: resamples={} threads={} failed={} seconds={:.3f} best={:.3f}\n",
               bootstrap, Threads(threads), failed, Median(btimes), Min(btimes));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_fit: internal error: {}\n", e.what());
    return 1;
  }
}
