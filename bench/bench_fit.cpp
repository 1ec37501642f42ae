// Benchmark of `repsim fit`'s core: the Hoffmann/Besiroglu fit of the
// Chinchilla form on the Chinchilla data (five highest losses dropped), from
// the same start grid as ../shared/bench/fit_scipy.py, and a bootstrap.
//
//   build/bench/bench_fit [--data FILE] [--starts N] [--threads T]
//                         [--bootstrap B] [--seed S] [--repeat R]
//
// Prints one line per measurement, in the style of fit_scipy.py:
//   fit: starts=4500 threads=2 seconds=... objective=... E=... A=... B=... alpha=... beta=...
//   bootstrap: resamples=1000 threads=2 seconds=...
// The time is the best of R repeats (default 3), as these machines are shared.
// bench/run_fit.sh runs this and fit_scipy.py side by side.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "io/runs_csv.h"
#include "repsim/fit.h"

namespace {

// Besiroglu et al. 2024 drop the five highest losses (as fit_scipy.py does).
constexpr int kDropHighest = 5;

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
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

  double best_seconds = 1e300;
  std::optional<repsim::FitResult> fit;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    auto result = repsim::Fit(kept, options);
    const double s = Seconds(t0);
    if (!result) {
      fmt::print(stderr, "bench_fit: {}\n", result.error());
      return 1;
    }
    best_seconds = std::min(best_seconds, s);
    fit = *result;
  }
  const repsim::FitConstants& c = fit->constants;
  fmt::print(
      "fit: starts={} threads={} seconds={:.3f} objective={:.12g} converged={} E={:.6g} "
      "A={:.6g} B={:.6g} alpha={:.6g} beta={:.6g}\n",
      fit->starts, threads, best_seconds, fit->objective, fit->converged_to_best, c.e, c.a, c.b,
      c.alpha, c.beta);

  if (bootstrap > 0) {
    double best_b = 1e300;
    int failed = 0;
    for (int r = 0; r < repeat; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      auto b = repsim::Bootstrap(kept, options, *fit, bootstrap, seed);
      const double s = Seconds(t0);
      if (!b) {
        fmt::print(stderr, "bench_fit: {}\n", b.error());
        return 1;
      }
      best_b = std::min(best_b, s);
      failed = b->failed;
    }
    fmt::print("bootstrap: resamples={} threads={} failed={} seconds={:.3f}\n", bootstrap,
               threads, failed, best_b);
  }
  return 0;
}
