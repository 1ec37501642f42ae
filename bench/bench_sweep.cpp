// Benchmark of repsim's sweeps against ../shared/bench/sweep_numpy.py.
//
//   build/bench/bench_sweep [N] [--threads T] [--repeat R] [--csv-side S] [--csv-dir DIR]
//                           [--no-csv] [--csv-only]
//
// The grid is the baseline's: N x N (default 3162, ~10^7 points), epochs 1..1000
// (log) x unique tokens 1e8..1e13 (log), a 1e9-parameter model; the kernel under
// the muennighoff2023 law (the baseline's formula), the sweeps of the S x S grid
// under the default law (tests/grid_toml.h). Prints one line per measurement, in the style of
// sweep_numpy.py (the median of R repeats, default 3, as these machines are shared):
//
//   kernel: points=... threads=T seconds=MEDIAN best=MIN Mpoints_per_s=... delta_sum=...
//     EvaluateEpochsUniqueGrid: loss_repeated, loss_unique and delta of every
//     point, in memory, rows split over T threads. Time includes building the
//     grid and allocating the outputs (with huge pages, as numpy's allocator
//     does), as the baseline's does.
//   kernel_check: sampled=... max_rel_diff=...   (the kernel against Evaluate())
//   summary: points=... threads=T seconds=... Mpoints_per_s=...
//     SweepEvaluator on an S x S grid (default 1000): every quantity of MODEL.md
//     §5 per point, in memory (the closed-form path, bit-identical to Evaluate()).
//   format: points=... numbers=... threads=T seconds=... best=... bytes=...
//     The floor that number formatting sets: the numbers of the lean sweep.csv's
//     varying numeric columns on the S x S grid, evaluated beforehand (not
//     timed), written as text (the sweep's FormatNumberFast) on T threads.
//   csv: points=... threads=T seconds=... Mpoints_per_s=... bytes=... dir=DIR
//     RunSweep on the S x S grid: evaluation, formatting and writing the lean
//     sweep.csv (axes, status, the columns that vary; sweep.meta.json the
//     rest), as `repsim run` does, into a folder made in DIR (default: the
//     system's temporary folder). --csv-only measures this alone (for profiling).
//
// delta_sum differs from the baseline's: the engine's fresh-data loss applies
// MODEL.md §2's excess-parameter decay when the model is larger than
// compute-optimal for its tokens (engine.h), which the baseline's plain
// L(N, D) does not. bench/run_sweep.sh runs both and prints the ratios.
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "../tests/grid_toml.h"
#include "io/scenario_loader.h"
#include "io/staging.h"
#include "io/sweep_lean.h"
#include "io/sweep_writer.h"
#include "repsim/sweep.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// n values from 10^lo to 10^hi, as numpy.logspace.
std::vector<double> LogSpace(double lo, double hi, size_t n) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = std::pow(10.0, n == 1 ? lo : lo + (hi - lo) * static_cast<double>(i) / (n - 1));
  }
  return v;
}

// An output array allocated as numpy allocates large ones: uninitialised, with
// transparent huge pages requested (numpy's default on Linux, see
// numpy.core.multiarray._get_madvise_hugepage()), so that first touching it
// faults per 2 MiB page rather than per 4 KiB.
class HugeArray {
 public:
  explicit HugeArray(size_t n) : bytes_((n * sizeof(double) + kHuge - 1) / kHuge * kHuge) {
    data_ = static_cast<double*>(std::aligned_alloc(kHuge, bytes_));
    if (!data_) {
      fmt::print(stderr, "bench_sweep: out of memory\n");
      std::exit(1);
    }
    madvise(data_, bytes_, MADV_HUGEPAGE);  // advice only: ignored where unsupported
  }
  ~HugeArray() { std::free(data_); }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;
  std::span<double> span(size_t n) const { return {data_, n}; }

 private:
  static constexpr size_t kHuge = size_t{2} << 20;
  size_t bytes_;
  double* data_ = nullptr;
};

struct KernelResult {
  double seconds = 0, delta_sum = 0;
};

KernelResult RunKernel(const repsim::Law& law, size_t n, unsigned threads) {
  const auto t0 = Clock::now();
  const std::vector<double> epochs = LogSpace(0, 3, n);
  const std::vector<double> unique = LogSpace(8, 13, n);
  // Each thread's rows are first touched by that thread.
  const HugeArray lr_buf(n * n), lu_buf(n * n), dl_buf(n * n);
  const std::span<double> lr = lr_buf.span(n * n), lu = lu_buf.span(n * n), dl = dl_buf.span(n * n);
  std::vector<std::thread> pool;
  std::vector<double> sums(threads, 0.0);
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const size_t r0 = n * t / threads, r1 = n * (t + 1) / threads;
      const size_t a = r0 * n, b = r1 * n;
      auto err = repsim::EvaluateEpochsUniqueGrid(
          law, 1e9, epochs, std::span(unique).subspan(r0, r1 - r0),
          {lr.subspan(a, b - a), lu.subspan(a, b - a), dl.subspan(a, b - a)});
      if (err) {
        fmt::print(stderr, "bench_sweep: {}\n", *err);
        std::exit(1);
      }
      double s = 0;
      for (size_t i = a; i < b; ++i) s += dl[i];
      sums[t] = s;
    });
  }
  for (auto& th : pool) th.join();
  KernelResult r;
  r.seconds = Seconds(t0);
  for (double s : sums) r.delta_sum += s;
  return r;
}

// The kernel against the engine on a sample of the grid's points.
double KernelCheck(const repsim::Law& law, size_t n, size_t* sampled) {
  const std::vector<double> epochs = LogSpace(0, 3, n);
  const std::vector<double> unique = LogSpace(8, 13, n);
  const size_t step = std::max<size_t>(1, n / 40);
  std::vector<double> row_lr(n), row_lu(n), row_dl(n);
  double worst = 0;
  *sampled = 0;
  for (size_t r = 0; r < n; r += step) {
    auto err = repsim::EvaluateEpochsUniqueGrid(law, 1e9, epochs, std::span(unique).subspan(r, 1),
                                                {row_lr, row_lu, row_dl});
    if (err) return INFINITY;
    for (size_t c = 0; c < n; c += step) {
      repsim::Run run;
      run.law = law;
      run.params = run.active_params = 1e9;
      run.sources = {repsim::DataSource{"data", unique[r], 1.0, 1.0}};
      run.tokens = epochs[c] * unique[r];
      const repsim::Summary s = repsim::Evaluate(run);
      worst = std::max({worst, std::fabs(row_lr[c] - s.loss_repeated) / s.loss_repeated,
                        std::fabs(row_lu[c] - s.loss_unique) / s.loss_unique});
      ++*sampled;
    }
  }
  return worst;
}

std::string GridToml(size_t side) {
  const int n = static_cast<int>(side);
  return repsim::test::EpochsUniqueGrid("bench-sweep", n, n);
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 3162, side = 1000;
  int threads_arg = 0, repeat = 3;
  bool csv = true, csv_only = false;
  std::string csv_dir = std::filesystem::temp_directory_path().string();
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        fmt::print(stderr, "bench_sweep: {} needs a value\n", a);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--threads") {
      threads_arg = std::atoi(next());
    } else if (a == "--repeat") {
      repeat = std::max(1, std::atoi(next()));
    } else if (a == "--csv-side") {
      side = static_cast<size_t>(std::atol(next()));
    } else if (a == "--csv-dir") {
      csv_dir = next();
    } else if (a == "--no-csv") {
      csv = false;
    } else if (a == "--csv-only") {
      csv_only = true;
    } else if (!a.empty() && a[0] != '-') {
      n = static_cast<size_t>(std::atol(argv[i]));
    } else {
      fmt::print(stderr,
                 "usage: bench_sweep [N] [--threads T] [--repeat R] [--csv-side S] [--csv-dir DIR] "
                 "[--no-csv] [--csv-only]\n");
      return 2;
    }
  }
  if (n < 2 || side < 2) {
    fmt::print(stderr, "bench_sweep: N and --csv-side must be >= 2\n");
    return 2;
  }
  const unsigned threads = threads_arg > 0 ? static_cast<unsigned>(threads_arg)
                                           : std::max(1u, std::thread::hardware_concurrency());
  const repsim::Law law = repsim::MakeLaw(repsim::LawPreset::kMuennighoff2023);

  // 1. The grid kernel, as the baseline: the whole grid in memory.
  std::vector<double> times;
  KernelResult k;
  for (int r = 0; r < (csv_only ? 0 : repeat); ++r) {
    k = RunKernel(law, n, threads);
    times.push_back(k.seconds);
  }
  if (!csv_only) {
    const double kt = Median(times);
    fmt::print(
        "kernel: points={} threads={} seconds={:.4f} best={:.4f} Mpoints_per_s={:.2f} "
        "delta_sum={:.9g}\n",
        n * n, threads, kt, *std::min_element(times.begin(), times.end()),
        static_cast<double>(n * n) / kt / 1e6, k.delta_sum);
    size_t sampled = 0;
    const double worst = KernelCheck(law, n, &sampled);
    fmt::print("kernel_check: sampled={} max_rel_diff={:.3g}\n", sampled, worst);
    std::fflush(stdout);
  }

  // 2 and 3: a full sweep, in memory and to CSV.
  auto loaded = repsim::io::LoadScenarioText(GridToml(side), "bench-sweep.toml");
  if (!loaded.scenario) {
    fmt::print(stderr, "{}", loaded.FormatErrors());
    return 1;
  }
  const repsim::Scenario& sc = *loaded.scenario;
  const uint64_t points = repsim::SweepGridSize(sc.sweep);
  // Every point of the grid evaluated on `threads` threads, each its own
  // evaluator over a contiguous share; then visit(i, point) on that thread.
  auto evaluate_all = [&](auto visit) {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        repsim::SweepEvaluator ev(sc.base, sc.sweep);
        repsim::SweepPoint p;
        for (uint64_t i = points * t / threads; i < points * (t + 1) / threads; ++i) {
          ev.Evaluate(i, &p);
          visit(i, p);
        }
      });
    }
    for (auto& th : pool) th.join();
  };
  if (!csv_only) {
    std::vector<double> st;
    for (int r = 0; r < repeat; ++r) {
      const auto t0 = Clock::now();
      evaluate_all([](uint64_t, const repsim::SweepPoint&) {});
      st.push_back(Seconds(t0));
    }
    const double s = Median(st);
    fmt::print("summary: points={} threads={} seconds={:.4f} Mpoints_per_s={:.3f}\n", points,
               threads, s, static_cast<double>(points) / s / 1e6);
    std::fflush(stdout);
  }
  if (csv && !csv_only) {
    // The floor formatting sets: the numbers of the lean sweep.csv's varying
    // numeric columns, already evaluated (not timed), written as text with the
    // sweep's number formatter into per-thread buffers on all threads.
    const repsim::io::SweepLayout layout = repsim::io::PlanSweepLayout(sc, false);
    std::vector<const repsim::io::Column*> numeric;
    for (const repsim::io::Column* c : layout.varying) {
      if (c->numeric()) numeric.push_back(c);
    }
    std::vector<double> values(points * numeric.size());
    evaluate_all([&](uint64_t i, const repsim::SweepPoint& p) {
      for (size_t c = 0; c < numeric.size(); ++c) {
        values[i * numeric.size() + c] = numeric[c]->Value(p.run, p.summary).value_or(0.0);
      }
    });
    std::vector<double> ft;
    size_t bytes = 0;
    for (int r = 0; r < repeat; ++r) {
      std::vector<size_t> sizes(threads, 0);
      const auto t0 = Clock::now();
      std::vector<std::thread> pool;
      for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
          std::vector<char> buf(1 << 20);
          size_t at = 0, total = 0;
          const size_t b = values.size() * t / threads, e = values.size() * (t + 1) / threads;
          for (size_t i = b; i < e; ++i) {
            if (at + repsim::io::kNumberBuffer > buf.size()) {
              total += at;
              at = 0;
            }
            at += repsim::io::FormatNumberFast(values[i], buf.data() + at);
            buf[at++] = ',';
          }
          sizes[t] = total + at;
        });
      }
      for (auto& th : pool) th.join();
      ft.push_back(Seconds(t0));
      bytes = 0;
      for (size_t z : sizes) bytes += z;
    }
    const double s = Median(ft);
    fmt::print("format: points={} numbers={} threads={} seconds={:.4f} best={:.4f} bytes={}\n",
               points, values.size(), threads, s, *std::min_element(ft.begin(), ft.end()), bytes);
    std::fflush(stdout);
  }
  if (csv) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(csv_dir) / fmt::format("bench_sweep-{}", getpid());
    std::vector<double> ct;
    uintmax_t bytes = 0;
    for (int r = 0; r < repeat; ++r) {
      repsim::Expected<repsim::io::Staging> staging = repsim::io::Staging::Create(dir, sc.name);
      if (!staging) {
        fmt::print(stderr, "bench_sweep: {}\n", staging.error());
        return 1;
      }
      repsim::io::SweepReport report;
      repsim::io::SweepOptions opt;
      opt.threads = static_cast<int>(threads);
      const auto t0 = Clock::now();
      if (auto e = repsim::io::RunSweep(sc, opt, *staging, &report)) {
        fmt::print(stderr, "bench_sweep: {}\n", *e);
        return 1;
      }
      ct.push_back(Seconds(t0));
      bytes = fs::file_size(staging->dir() / repsim::io::kSweepCsvFile);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    const double s = Median(ct);
    fmt::print(
        "csv: points={} threads={} seconds={:.4f} best={:.4f} Mpoints_per_s={:.3f} "
        "bytes={}\n",
        points, threads, s, *std::min_element(ct.begin(), ct.end()),
        static_cast<double>(points) / s / 1e6, bytes);
  }
  return 0;
}
