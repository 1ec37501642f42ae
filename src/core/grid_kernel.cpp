// The grid kernel of repsim/sweep.h: loss_repeated, loss_unique and delta on
// a whole (unique tokens x epochs) grid, for the benchmark against numpy and
// for library users who want those three numbers on large grids.
//
// Compiled with -fno-trapping-math (CMakeLists.txt): it lets GCC turn the
// selects of the over-sized loop into blends and vectorise it. The flag does
// not change any value computed, only the promise that floating-point
// exception flags are raised as the scalar code would, which nothing in
// repsim reads.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/vecmath.h"
#include "repsim/law.h"
#include "repsim/sweep.h"

namespace repsim {

// --- The grid kernel ---------------------------------------------------------

namespace {

// The constants of one row of the grid kernel.
struct OversizedRow {
  double e0, a, alpha, rn, params;
  double opt_row;      // N_opt(U) of the row
  double opt_row_pow;  // N_opt(U)^-alpha
  double bu;           // B U^-beta
};

// Columns [begin, end) of a row where the model is larger than
// compute-optimal for its fresh tokens. The fresh-data loss with the
// excess-parameter decay, written for a vectorising compiler:
//     N' = N_opt w,  w = 1 + R_N* (1 - exp(-(N/N_opt - 1)/R_N*)),
//     A N'^-alpha = A N_opt(U)^-alpha epochs^-beta exp(-alpha ln w),
// with the branch-free exp and log of core/vecmath.h (libm's calls would keep
// the loop scalar: with them this loop took two thirds of the kernel's time).
// col_d = epochs^-beta, col_opt = epochs^(beta/alpha) (N_opt(D) = N_opt(U)
// col_opt), col_repeats = 1 past one epoch, else 0; lr holds the repeated
// loss computed before. The arrays do not overlap (restrict parameters: what
// lets the compiler vectorise without run-time alias checks). GCC builds an
// AVX2 clone beside the baseline one and picks at load time.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void EvaluateOversized(const OversizedRow& row, const double* __restrict col_d,
                       const double* __restrict col_opt, const double* __restrict col_repeats,
                       double* __restrict lr, double* __restrict lu, double* __restrict dl,
                       size_t begin, size_t end) {
  const double e0 = row.e0, a = row.a, alpha = row.alpha, rn = row.rn, params = row.params;
  const double opt_row = row.opt_row, opt_row_pow = row.opt_row_pow, bu = row.bu;
  for (size_t c = begin; c < end; ++c) {
    const double opt = opt_row * col_opt[c];
    const double t = (params / opt - 1.0) / rn;
    const double w = 1.0 + rn * (1.0 - internal::ExpNonPositive(-t));
    const double ne_pow =
        opt_row_pow * col_d[c] * internal::ExpNonPositive(-alpha * internal::LogAtLeastOne(w));
    const double fresh = e0 + a * ne_pow + bu * col_d[c];
    const double before = lr[c];  // loaded unconditionally: no branch in the loop
    const double repeated = col_repeats[c] != 0.0 ? before : fresh;
    lr[c] = repeated;
    lu[c] = fresh;
    dl[c] = repeated - fresh;
  }
}

// Every column of a row as if the model were no larger than compute-optimal
// for its fresh tokens: fresh = fresh_head + B U^-beta epochs^-beta, and the
// repeated run with D' and N' (rep_head = E + A N'^-alpha) past one epoch.
// Restrict pointers and AVX2 / AVX-512 clones like EvaluateOversized.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void EvaluateRow(double fresh_head, double rep_head, double bu, const double* __restrict col_d,
                 const double* __restrict col_dp, const double* __restrict col_repeats,
                 double* __restrict lr, double* __restrict lu, double* __restrict dl, size_t cols) {
  for (size_t c = 0; c < cols; ++c) {
    const double fresh = fresh_head + bu * col_d[c];
    const double repeated =
        (rep_head * col_repeats[c] + fresh_head * (1.0 - col_repeats[c])) + bu * col_dp[c];
    lr[c] = repeated;
    lu[c] = fresh;
    dl[c] = repeated - fresh;
  }
}

// The overfitting term of one row (MODEL.md §2b): z = row_z col_z, then
// L = L_M + max(cap - L_M, 0) (1 - e^-z) in place of the Muennighoff loss L_M
// in lr, and delta = L - lu. Its own function for the same reason as
// EvaluateOversized: restrict pointers and an AVX2 / AVX-512 clone. The
// baseline (SSE2) build of this loop alone cost as much as the rest of the
// kernel (bench/run_python.sh, one thread: 0.099 s for 10^7 points under
// overfit2026 against 0.055 s with the clones). The AVX-512 clones fuse
// multiply-adds (GCC contracts a*b+c for C++), so the last bits can differ
// between CPUs, within the 1e-15 relative of the exact path that the kernel
// tests and bench_python.py's check hold it to (as EvaluateOversized).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
// The SIMD copy of formulas::Overfit (core/law_formulas.h), multiplier 1:
// the bounded-height shape when height > 0, else the capped one.
void ApplyOverfitting(double row_z, double cap, double height, const double* __restrict col_z,
                      double row_z2, const double* __restrict col_z2, double* __restrict lr,
                      const double* __restrict lu, double* __restrict dl, size_t cols) {
  if (height > 0.0) {
    for (size_t c = 0; c < cols; ++c) {
      const double z = row_z * col_z[c] + row_z2 * col_z2[c];
      const double l = lr[c] + height * (1.0 - internal::ExpNonPositive(-z));
      lr[c] = l;
      dl[c] = l - lu[c];
    }
    return;
  }
  for (size_t c = 0; c < cols; ++c) {
    const double z = row_z * col_z[c] + row_z2 * col_z2[c];
    const double lm = lr[c];
    const double room = cap - lm > 0.0 ? cap - lm : 0.0;
    const double l = lm + room * (1.0 - internal::ExpNonPositive(-z));
    lr[c] = l;
    dl[c] = l - lu[c];
  }
}

}  // namespace

MaybeError EvaluateEpochsUniqueGrid(const Law& law, double params, std::span<const double> epochs,
                                    std::span<const double> unique_tokens, const GridLosses& out) {
  if (law.form != LawForm::kChinchilla) {
    return std::string("the grid kernel needs a law of the Chinchilla form (not kaplan2020)");
  }
  if (auto e = Validate(law)) return "law." + *e;
  if (!std::isfinite(params) || !(params > 0)) {
    return fmt::format("params = {}: must be finite and > 0", params);
  }
  const size_t cols = epochs.size(), rows = unique_tokens.size();
  const size_t n = cols * rows;
  if (out.loss_repeated.size() != n || out.loss_unique.size() != n || out.delta.size() != n) {
    return fmt::format("outputs must hold {} x {} = {} values", rows, cols, n);
  }
  for (double e : epochs) {
    if (!std::isfinite(e) || !(e > 0)) return fmt::format("epochs = {}: must be finite and > 0", e);
  }
  for (double u : unique_tokens) {
    if (!std::isfinite(u) || !(u > 0)) {
      return fmt::format("unique_tokens = {}: must be finite and > 0", u);
    }
  }

  const double e0 = law.e, a = law.a, b = law.b, alpha = law.alpha, beta = law.beta;
  const double rd = law.rd_star, rn = law.rn_star;
  // Compute-optimal size for D tokens: exp((log(αA/βB) + β log D)/α)
  // = c_opt · U^(β/α) · epochs^(β/α) (law.cpp, MODEL.md §1).
  const double log_ratio = ComputeOptimalLogRatio(law);
  const double ba = beta / alpha;
  const double n_term = a * std::pow(params, -alpha);  // A N^-α, fresh and not over-sized

  // Per column (epochs): epochs^-β, (D'/U)^-β, epochs^(β/α), and whether
  // anything is repeated (1) or not (0).
  std::vector<double> col_d(cols), col_dp(cols), col_opt(cols), col_repeats(cols);
  bool epochs_sorted = true;
  for (size_t c = 0; c < cols; ++c) {
    const double ep = epochs[c];
    col_d[c] = std::pow(ep, -beta);
    // D'/U = 1 + R_D* (1 - exp(-(epochs - 1)/R_D*)) past one epoch (MODEL.md §2), else epochs.
    col_dp[c] = ep <= 1.0 ? col_d[c] : std::pow(1.0 + rd * (-std::expm1(-(ep - 1.0) / rd)), -beta);
    col_opt[c] = std::pow(ep, ba);
    col_repeats[c] = ep <= 1.0 ? 0.0 : 1.0;
    if (c > 0 && col_opt[c] < col_opt[c - 1]) epochs_sorted = false;
  }
  // Overfitting (MODEL.md §2b): z = exp(w) (N'/1e9)^a (U/1e9)^-c R^k factors
  // into a row part (N', U) and a column part R^k, R = epochs - 1 (0 when
  // nothing is repeated, which makes z = 0).
  // The early term (ratio2026) factors the same way: row e^w2 (N'/1e9)^a2
  // (U/1e9)^-c2, column epochs^k2 - 1.
  std::vector<double> col_z, col_z2;
  if (law.overfit) {
    col_z.resize(cols);
    col_z2.assign(cols, 0.0);
    for (size_t c = 0; c < cols; ++c) {
      col_z[c] = epochs[c] <= 1.0 ? 0.0 : std::pow(epochs[c] - 1.0, law.overfit_k);
      if (law.overfit_k2 > 0 && epochs[c] > 1.0) {
        col_z2[c] = std::expm1(law.overfit_k2 * std::log1p(epochs[c] - 1.0));
      }
    }
  }

  for (size_t r = 0; r < rows; ++r) {
    const double u = unique_tokens[r];
    const double bu = b * std::pow(u, -beta);                                   // B U^-β
    const double opt_row = std::exp((log_ratio + beta * std::log(u)) / alpha);  // N_opt(U)
    // N' of the repeated run: U_N = min(N, N_opt(U)) (MODEL.md §2).
    const double un = std::min(params, opt_row);
    const double rn_excess = std::max(params / un - 1.0, 0.0);
    const double np = rn_excess == 0.0 ? params : un + un * rn * (-std::expm1(-rn_excess / rn));
    const double rep_head = e0 + a * std::pow(np, -alpha);
    double* lr = out.loss_repeated.data() + r * cols;
    double* lu = out.loss_unique.data() + r * cols;
    double* dl = out.delta.data() + r * cols;
    // Every point as if the model were no larger than compute-optimal for its
    // fresh tokens (no branch, no call: the compiler vectorises it). Up to one
    // epoch nothing is repeated: col_repeats = 0 makes the repeated run the
    // fresh one exactly (x * 1 + y * 0 = x).
    EvaluateRow(e0 + n_term, rep_head, bu, col_d.data(), col_dp.data(), col_repeats.data(), lr, lu,
                dl, cols);
    // Then the points where it is larger: its excess parameters decay on fresh
    // data too (MODEL.md §2, engine.h). N_opt grows with epochs, so with sorted
    // epochs these are the first columns of the row; otherwise each run of
    // such columns in turn.
    const double threshold = params / opt_row;  // over-sized where col_opt < threshold
    const OversizedRow row{e0, a, alpha, rn, params, opt_row, std::pow(opt_row, -alpha), bu};
    for (size_t c = 0; c < cols;) {
      if (col_opt[c] >= threshold) {
        if (epochs_sorted) break;
        ++c;
        continue;
      }
      size_t end = c + 1;
      while (end < cols && col_opt[end] < threshold) ++end;
      EvaluateOversized(row, col_d.data(), col_opt.data(), col_repeats.data(), lr, lu, dl, c, end);
      c = end;
    }
    if (law.overfit) {
      // Every repeated column of a row has the same N' (U seen): the row
      // factor once, then the columns.
      // overfit_scale (weight decay) multiplies z: both row factors.
      const double row_z =
          law.overfit_scale * std::exp(law.overfit_w + law.overfit_a * std::log(np / 1e9) -
                                       law.overfit_c * std::log(u / 1e9));
      const double row_z2 =
          law.overfit_k2 > 0
              ? law.overfit_scale * std::exp(law.overfit_w2 + law.overfit_a2 * std::log(np / 1e9) -
                                             law.overfit_c2 * std::log(u / 1e9))
              : 0.0;
      ApplyOverfitting(row_z, law.loss_cap, law.overfit_height, col_z.data(), row_z2, col_z2.data(),
                       lr, lu, dl, cols);
    }
  }
  return std::nullopt;
}

}  // namespace repsim
