// repsim: sweeps over a scenario's [[sweep.axis]] grid (SCENARIO.md).
//
// A sweep is the cartesian product of its axes. Points are numbered
// row-major, the LAST axis varying fastest: with axis sizes n0, n1, ..., nk
// the point with value indices (i0, i1, ..., ik) is
//     index = ((i0 · n1 + i1) · n2 + i2) · ... · nk + ik,
// which is also the row order of sweep.csv. Every point is the base RunSpec
// with each axis key set to its value (SetNumber) and resolved again, so that
// derived quantities (params = "compute_optimal", tokens from epochs) are
// re-derived per point. A point that does not resolve, or whose root finders
// fail, is reported with a status string, never as a silent NaN.
//
// Two fast paths serve the cases MODEL.md §3 reduces to §2's closed form (one
// source, no dropout), where the timeline is a single exponential and the
// capacity-displacement term of §3b is exactly zero (it needs a mixture:
// MayDisplaceCapacity() in displacement.h):
//  * ClosedFormEvaluator gives the same Summary as Evaluate(), bit for bit
//    (tests/test_sweep.cpp compares every column); the sweep uses it for every
//    point it applies to.
//  * EvaluateEpochsUniqueGrid computes loss_repeated, loss_unique and delta on
//    a whole (unique tokens × epochs) grid at once, to ~1e-15 relative of
//    Evaluate(); it is what bench/bench_sweep.cpp measures against numpy
//    (src/core/grid_kernel.cpp: vectorised, with its own exp and log).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "repsim/engine.h"
#include "repsim/scenario.h"

namespace repsim {

// --- Grid geometry -----------------------------------------------------------

// The number of points: the product of the axis sizes (1 with no axes).
// Precondition: every axis has at least one value.
uint64_t SweepGridSize(std::span<const SweepAxis> axes);

// The value index on each axis of point `index` (row-major, last axis
// fastest). Precondition: index < SweepGridSize(axes), out.size() == axes.size().
void SweepCoordinates(std::span<const SweepAxis> axes, uint64_t index, std::span<size_t> out);
// The axis values of point `index`, in axis order.
std::vector<double> SweepValues(std::span<const SweepAxis> axes, uint64_t index);

// Points [begin, end) of the grid.
struct IndexRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  uint64_t size() const { return end - begin; }
};

// Slice `shard` (0-based) of `shards` contiguous, disjoint slices covering
// [0, points): slice s is [floor(s·points/shards), floor((s+1)·points/shards)),
// so sizes differ by at most one. Preconditions: 0 <= shard < shards,
// points · shards < 2^64 (true of any grid the loader accepts: kMaxSweepPoints
// times any int).
IndexRange ShardRange(uint64_t points, int shard, int shards);

// --- Evaluating one point ----------------------------------------------------

enum class PointStatus {
  kOk,       // every quantity of MODEL.md §5 was found
  kPartial,  // a root finder found no solution: those cells are empty
  kInvalid,  // the point does not resolve (e.g. a derived quantity out of range)
};

struct SweepPoint {
  PointStatus kind = PointStatus::kOk;
  // "ok", "partial: equivalent_params not found" (the quantities missing), or
  // "invalid: <Resolve's message>". One line.
  std::string status;
  Run run;          // the resolved run; unspecified when kind == kInvalid
  Summary summary;  // unspecified when kind == kInvalid
};

// MODEL.md §2's closed form as the engine evaluates it, for runs with one
// source of data, no dropout (schedule "none") and finite modifiers: same
// Summary as Evaluate(run), bit for bit, at a fraction of the cost (the two
// thresholds of the marginal value, which depend only on the decay scale, are
// computed once per scale; nothing is integrated). Not thread-safe: one per thread.
class ClosedFormEvaluator {
 public:
  static bool Applies(const Run& run);
  // Applies(run), with the evaluator's memo of the model-size terms.
  bool Accepts(const Run& run);
  // Precondition: Applies(run) and Validate(run) is empty.
  Summary Evaluate(const Run& run);

 private:
  struct Thresholds {
    double s = 0, r0 = 0, weight = 0;  // the key: epochs-per-global-epoch, decay, weight
    std::optional<double> below_half, below_tenth;
  };
  // Terms that depend only on the model size and the law, kept for the last
  // (params, eta, A, B, alpha, beta, form) seen: pow(params / 1e9, -eta),
  // pow(params, -alpha) and log(alpha A / (beta B)).
  struct Terms {
    std::array<uint64_t, 7> key{};
    double g_pow = 0, params_pow = 0, log_ratio = 0;
  };
  const Terms& TermsFor(const Run& run);
  // Applies(), given pow(params / 1e9, -eta).
  static bool AppliesWith(const Run& run, double g_pow);

  std::optional<Thresholds> memo_;
  std::optional<Terms> terms_;
};

// Resolves `spec` and evaluates it as a sweep point: by `closed_form` when it
// applies, else by the engine's timeline; the status as SweepPoint says.
// Returns whether the closed form served it. Used by SweepEvaluator and by
// the Python module's broadcast evaluation, so that both give a point the
// same numbers and status.
bool EvaluatePoint(const RunSpec& spec, ClosedFormEvaluator* closed_form, SweepPoint* out);

// Evaluates grid points of one sweep. Not thread-safe: one per thread.
class SweepEvaluator {
 public:
  // Preconditions: the axes as the loader returns them (keys numeric, values
  // valid on the base on their own); `base` and `axes` outlive the evaluator.
  SweepEvaluator(const RunSpec& base, std::span<const SweepAxis> axes);

  // Fills `out` with point `index`; reuses out's storage.
  void Evaluate(uint64_t index, SweepPoint* out);

  // Points so far that took the closed-form path / the full timeline.
  uint64_t closed_form_points() const { return closed_form_points_; }
  uint64_t timeline_points() const { return timeline_points_; }

 private:
  const RunSpec& base_;
  std::span<const SweepAxis> axes_;
  // Each axis's setter (its own, or bound here for an axis made by hand);
  // an axis whose key cannot be bound makes every point invalid with `bind_error_`.
  std::vector<KeySetter> setters_;
  std::string bind_error_;
  RunSpec spec_;
  std::vector<size_t> coords_;
  ClosedFormEvaluator closed_form_;
  uint64_t closed_form_points_ = 0;
  uint64_t timeline_points_ = 0;
};

// --- The grid kernel (the benchmark's fast path) -----------------------------

// Outputs of EvaluateEpochsUniqueGrid, each of rows × columns doubles,
// row-major: element r · epochs.size() + c is unique_tokens[r], epochs[c].
struct GridLosses {
  std::span<double> loss_repeated;  // L(N', D'), nats
  std::span<double> loss_unique;    // the same run on fresh data, nats
  std::span<double> delta;          // loss_repeated - loss_unique, nats
};

// loss_repeated, loss_unique and delta of Evaluate() for the runs
// {law, N = params, one source of U = unique_tokens[r] with quality 1,
// tokens = epochs[c] · U, causal objective, no dropout, size_gamma = 0}, on
// the whole grid. Per-row (U) and per-column (epochs) factors are computed
// once, using D^-β = U^-β · epochs^-β; only points where the model is larger
// than compute-optimal for its fresh tokens need a transcendental function.
// Agrees with Evaluate() to ~1e-15 relative (tests/test_sweep.cpp checks
// 1e-12). Error when the law is not of the Chinchilla form, a constant or
// input is out of its domain, or the spans have the wrong sizes.
MaybeError EvaluateEpochsUniqueGrid(const Law& law, double params, std::span<const double> epochs,
                                    std::span<const double> unique_tokens, const GridLosses& out);

}  // namespace repsim
