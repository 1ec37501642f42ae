// repsim: judging a repetition law on measured runs (MODEL.md §2b, §8), and
// fitting the overfitting form on them.
//
// A repetition law predicts a *penalty*: how much worse a run on repeated
// data is than the same run (same params N, same tokens D) on fresh data. A
// file of measured runs measures it directly wherever it holds both runs.
//
// Pairing rule (FormPairs):
//   1. A run is *fresh* when unique_tokens >= tokens, *repeated* when
//      unique_tokens < tokens.
//   2. Runs are keyed by (params, tokens, the values of every group column);
//      values are compared exactly (as parsed).
//   3. Seed repeats are averaged: the runs of one key with the same
//      unique_tokens are one measurement, their mean loss.
//   4. The fresh loss of a key is the mean over its fresh measurements (one
//      per distinct unique_tokens >= tokens; usually there is one).
//   5. Every repeated measurement of a key that also has a fresh one is a
//      pair; its measured penalty is 100 (L_repeated / L_fresh - 1) percent.
// On ../shared/data/muennighoff2023_all_runs.csv with group column `dedup`
// this gives the 86 pairs of MODEL.md §8.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "repsim/fit.h"
#include "repsim/law.h"
#include "repsim/status.h"

namespace repsim {

// One measured run with the values of its group columns (as text).
struct MeasuredRun {
  double params = 0, tokens = 0, unique_tokens = 0, loss = 0;
  std::vector<std::string> group;
};

struct PenaltyPair {
  double params = 0, tokens = 0, unique_tokens = 0;  // of the repeated run
  double loss_repeated = 0;                          // mean over its seed repeats
  double loss_fresh = 0;                             // mean fresh loss of the key
  int repeated_runs = 0, fresh_runs = 0;             // runs averaged into each
  std::vector<std::string> group;
  double epochs() const { return tokens / unique_tokens; }
  double MeasuredPct() const { return 100.0 * (loss_repeated / loss_fresh - 1.0); }
};

// The pairs, ordered by (group, params, tokens, unique_tokens).
std::vector<PenaltyPair> FormPairs(std::span<const MeasuredRun> runs);

// 100 (L_repeated / L_fresh - 1) predicted by `law` for the pair's
// (N, D, U): DataConstrainedLoss / FreshLoss (engine.h).
double PredictedPenaltyPct(const Law& law, const PenaltyPair& pair);

// --- Fitting the overfitting form (MODEL.md §2b) -----------------------------

// The constants of the overfit form that are fitted, in vector order:
// (log R_D*, log R_N*, overfit_w, overfit_a, overfit_c, log overfit_k).
inline constexpr int kNumOverfitParams = 6;
std::span<const std::string_view> OverfitParamNames();  // rd_star rn_star w a c k

// δ of the Huber loss on log(L_rep/L_fresh) residuals: 1 % of the ratio.
inline constexpr double kPenaltyHuberDelta = 1e-2;

struct OverfitFitOptions {
  Law base;  // E, A, B, alpha, beta and loss_cap are taken from it
  double huber_delta = kPenaltyHuberDelta;
  int threads = 0;  // 0 = all cores; results do not depend on it
};

struct OverfitFit {
  Law law;               // base with the fitted constants, overfit = true
  double objective = 0;  // Σ Huber_δ(log predicted ratio − log measured ratio)
  int pairs = 0;
  int starts = 0;
  int converged_to_best = 0;
};

// Minimises Σ Huber_δ(log(L̂_rep/L̂_fresh) − log(L_rep/L_fresh)) over the pairs
// from a grid of starts (L-BFGS, automatic derivatives, as fit.h), keeping
// the best. The fit is on penalties, not on absolute losses: the base law's
// absolute losses are off by 0.1-0.15 nats (MODEL.md §7), which would swamp
// the repetition signal; the ratio cancels the base's error to first order.
// Errors: fewer pairs than constants; a pair with a bad field; no finite
// start; an optimum that breaks Validate(law) (a <= c + k).
Expected<OverfitFit> FitOverfitForm(std::span<const PenaltyPair> pairs,
                                    const OverfitFitOptions& options);

// Resample the pairs with replacement `resamples` times and refit each from
// `full`'s optimum; seeds as fit.h's BootstrapSeed. Failed refits are left
// out. Returns the resampled laws in resample order.
Expected<std::vector<Law>> BootstrapOverfitForm(std::span<const PenaltyPair> pairs,
                                                const OverfitFitOptions& options,
                                                const OverfitFit& full, int resamples,
                                                uint64_t seed);

// Muennighoff's own refit (MODEL.md §6): R_D*, R_N* by Huber on log loss of
// the pairs' runs (each pair's repeated and fresh measurement, a fresh
// measurement once), E, A, B, alpha, beta held at `base`'s.
Expected<Law> RefitDecayConstants(std::span<const PenaltyPair> pairs, const Law& base, int threads);

// --- Validation ----------------------------------------------------------------

// How a candidate gets its constants from training pairs.
enum class CandidateKind {
  kFixedLaw,     // a preset whose constants come from elsewhere: used as is
  kRefitPreset,  // a preset fitted on runs like these: refitted on cv training folds
  kForm,         // a form: fitted on the training pairs (all pairs in-sample)
};

struct Candidate {
  std::string name;  // preset or form name, as the row's `candidate`
  CandidateKind kind = CandidateKind::kFixedLaw;
  Law law;           // the preset (kFixedLaw, kRefitPreset) or the base of a form
  std::string form;  // "data-constrained" | "overfit" for kForm and kRefitPreset
};

// The candidate for a preset name or a form name; nullopt if unknown.
// Presets whose repetition constants were fitted on the datablations runs
// (muennighoff2023, overfit2026) are kRefitPreset: refitted in every cv row
// whatever the file, so that a cv row never predicts a group its constants
// saw. Forms: "data-constrained" (R_D*, R_N* refitted, base of
// muennighoff2023), "overfit" (MODEL.md §2b, base of muennighoff2023).
std::optional<Candidate> CandidateForPreset(std::string_view name);
std::optional<Candidate> CandidateForForm(std::string_view name);
std::span<const std::string_view> ValidateFormNames();

// Folds: a column (every distinct value is one held-out group) or K random
// folds.
enum class FoldKind { kParams, kUniqueTokens, kEpochs, kRandom };
struct FoldSpec {
  FoldKind kind = FoldKind::kParams;
  int k = 0;                 // kRandom: number of folds, >= 2
  uint64_t seed = 0;         // kRandom
  std::string Name() const;  // "params", "unique_tokens", "epochs", "5-fold"
};

// Fold index of every pair, 0..folds-1.
std::vector<int> AssignFolds(std::span<const PenaltyPair> pairs, const FoldSpec& spec, int* folds);

struct PairPrediction {
  size_t pair = 0;  // index into the pairs
  double predicted_pct = 0;
  double abs_error_pp = 0;  // |predicted − measured|, percentage points
};

struct ValidationRow {
  std::string candidate, evaluation;  // evaluation: "in-sample" | "cv:<fold name>"
  int pairs = 0;
  double median_abs_error_pp = 0, mean_abs_error_pp = 0, max_abs_error_pp = 0;
  std::vector<PairPrediction> predictions;  // one per pair, pair order
};

// Called after each fitted fold (for progress); may be empty.
using ValidateProgress = std::function<void()>;

// In-sample (fold spec empty) or grouped cross-validation of one candidate.
Expected<ValidationRow> ValidateCandidate(std::span<const PenaltyPair> pairs,
                                          const Candidate& candidate,
                                          const std::optional<FoldSpec>& folds, int threads,
                                          const ValidateProgress& progress = {});

}  // namespace repsim
