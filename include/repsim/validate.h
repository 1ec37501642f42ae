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

#include <array>
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
// (N, D, U): DataConstrainedLoss / FreshLoss (law.h).
double PredictedPenaltyPct(const Law& law, const PenaltyPair& pair);

// --- Fitting the overfitting form (MODEL.md §2b) -----------------------------

// The constants of the overfit form that are fitted, in vector order:
// (log R_D*, log R_N*, overfit_w, overfit_a, overfit_c, log overfit_k).
inline constexpr int kNumOverfitParams = 6;
std::span<const std::string_view> OverfitParamNames();  // rd_star rn_star w a c k

// δ of the Huber loss on log(L_rep/L_fresh) residuals: 1 % of the ratio.
inline constexpr double kPenaltyHuberDelta = 1e-2;

// Errors about the data itself (too few pairs or runs, folds that leave no
// training pair) carry this key (Error::key): bad input, exit 2 in the CLI and
// ValueError in Python, not a failed computation.
inline constexpr std::string_view kDataErrorKey = "runs";

struct OverfitFitOptions {
  Law base;  // E, A, B, alpha, beta and loss_cap are taken from it
  double huber_delta = kPenaltyHuberDelta;
  int threads = 0;  // 0 = all cores; results do not depend on it
  // Constants held at `base`'s value (vector order above); base must then
  // have the overfitting term (base.overfit).
  std::array<bool, kNumOverfitParams> held{};
};

// Which of the overfit form's constants the pairs can identify; the others
// are held at the preset (`held`), with one reason per rule that fired:
//   * one params value: overfit_a (the exponent of N');
//   * one unique_tokens value: overfit_c (the exponent of 1/U);
//   * fewer than 3 epoch values: overfit_k, and with one value rd_star too
//     (the shape in epochs needs epochs to vary);
//   * then, while more constants are free than there are pairs: rn_star,
//     overfit_c, overfit_a, overfit_k, rd_star in that order (overfit_w,
//     the scale, is fitted from one pair on).
struct OverfitIdentifiable {
  std::array<bool, kNumOverfitParams> held{};
  std::vector<std::string> reasons;
  int Free() const;
};
OverfitIdentifiable IdentifiableOverfitParams(std::span<const PenaltyPair> pairs);

// An exponent of the overfit form above this is implausible (at 10, doubling
// N' multiplies z by 1000): the data cannot pin it (overfit2026's: 3.6, 3.0,
// 1.5).
inline constexpr double kImplausibleOverfitExponent = 10.0;
// One message per implausible constant of a fitted overfit law (exponents
// above kImplausibleOverfitExponent, decay scales above kRunawayDecayScale,
// overfit_w within 1 of its bounds ±100); empty when plausible.
std::vector<std::string> ImplausibleOverfitConstants(const Law& law);

struct OverfitFit {
  Law law;               // base with the fitted constants, overfit = true
  double objective = 0;  // Σ Huber_δ(log predicted ratio − log measured ratio)
  int pairs = 0;
  int starts = 0;
  int converged_to_best = 0;
  std::array<bool, kNumOverfitParams> held{};  // as the options
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

// FitOverfitForm with the constants the pairs cannot identify held at
// options.base's value (IdentifiableOverfitParams, on top of options.held),
// and while no start ends at constants Validate(law) accepts, more held in
// turn: the exponents overfit_a, overfit_c, overfit_k; then overfit_w (the
// runs show no overfitting the term could fit); then R_D* and R_N* (the base
// law itself). `reasons` gets one line per step that held something; the
// result's `held` says what. options.base must have the overfitting term.
// Errors: no pair, a bad pair (kDataErrorKey).
Expected<OverfitFit> FitOverfitIdentifiable(std::span<const PenaltyPair> pairs,
                                            const OverfitFitOptions& options,
                                            std::vector<std::string>* reasons);

// Resample the pairs with replacement `resamples` times and refit each from
// `full`'s optimum; seeds as fit.h's BootstrapSeed. Failed refits are left
// out. Returns the resampled laws in resample order.
Expected<std::vector<Law>> BootstrapOverfitForm(std::span<const PenaltyPair> pairs,
                                                const OverfitFitOptions& options,
                                                const OverfitFit& full, int resamples,
                                                uint64_t seed);

// --- Fitting the ratio form (ratio2026, MODEL.md §2b) ------------------------

// Its fitted constants, in vector order: (log R_D*, log R_N*, overfit_w,
// overfit_a = overfit_c, log(overfit_k - 1), log overfit_height, log E, log A,
// log B, alpha = beta, overfit_w2, overfit_a2, log overfit_k2); overfit_c2 =
// overfit_a2 + 0.1 is held.
inline constexpr int kNumRatioParams = 13;
std::span<const std::string_view> RatioParamNames();

// δ of the Huber loss on log-loss residuals (Hoffmann et al. 2022's).
inline constexpr double kLossHuberDelta = 1e-3;

// The largest delta RatioFitOptions::huber_delta may take (`--huber-delta`).
inline constexpr double kMaxHuberDelta = 10;

// The largest weight RatioFitOptions::pair_weight may take (`--pair-weight`).
inline constexpr double kMaxPairWeight = 1e6;

struct RatioFitOptions {
  double huber_delta = kLossHuberDelta;          // on log L̂ − log L of every measurement
  double pair_huber_delta = kPenaltyHuberDelta;  // on the pairs' log penalty ratios
  double pair_weight = 1.0;                      // 0: absolute losses only
  // > 0: R_D* held at this value (ratio2026: 200, MODEL.md §2b says why), 0: fitted.
  double rd_star = 200;
  int threads = 0;  // 0 = all cores; results do not depend on it
};

struct RatioFit {
  Law law;  // a ratio2026 law with the fitted constants
  double objective = 0;
  int measurements = 0, pairs = 0, starts = 0, converged_to_best = 0;
};

// Fits the ratio form on the *absolute* losses of every run (seed repeats
// averaged per (group, N, D, U)) plus the penalty pairs the runs hold
// (FormPairs), by L-BFGS from 33 starts: Σ Huber_δ(log L̂ − log L) +
// (δ/δ_p) pair_weight Σ Huber_δp(log ratio residual). Absolute losses are
// what decide between model sizes at equal compute (issue 25); the pairs
// pin the penalties. Errors: a field not > 0; fewer measurements than
// constants; no start with valid constants.
Expected<RatioFit> FitRatioForm(std::span<const MeasuredRun> runs, const RatioFitOptions& options);

// Resample the runs with replacement and refit each from `full`'s optimum;
// seeds as fit.h's BootstrapSeed; failed refits left out.
Expected<std::vector<Law>> BootstrapRatioForm(std::span<const MeasuredRun> runs,
                                              const RatioFitOptions& options, const RatioFit& full,
                                              int resamples, uint64_t seed);

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
  std::string form;  // "data-constrained" | "overfit" | "ratio" for kForm and kRefitPreset
  // How the ratio form is refitted (pair weight, R_D*; ratio2026's values by
  // default). Its `threads` is ignored: the evaluation's count is used.
  RatioFitOptions ratio;
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
// The candidates `repsim validate` and repsim.validate judge when none is
// named: ratio2026, overfit2026, muennighoff2023 and every form of
// ValidateFormNames().
std::vector<Candidate> DefaultCandidates();

// Folds: a column (every distinct value is one held-out group) or K random
// folds.
enum class FoldKind { kParams, kUniqueTokens, kEpochs, kRandom };
struct FoldSpec {
  FoldKind kind = FoldKind::kParams;
  int k = 0;                 // kRandom: number of folds, >= 2
  uint64_t seed = 0;         // kRandom
  std::string Name() const;  // "params", "unique_tokens", "epochs", "5-fold"
};

// The fold names the CLI and Python accept: params, unique_tokens, epochs,
// or an integer K from 2 to 100000 (K random folds shuffled with `seed`).
// The error names what is allowed.
Expected<FoldSpec> ParseFoldSpec(std::string_view name, uint64_t seed);
std::span<const std::string_view> FoldColumnNames();  // params unique_tokens epochs

// Fold index of every pair, 0..folds-1.
std::vector<int> AssignFolds(std::span<const PenaltyPair> pairs, const FoldSpec& spec, int* folds);

struct PairPrediction {
  size_t pair = 0;  // index into the pairs
  double predicted_pct = 0;
  double abs_error_pp = 0;  // |predicted − measured|, percentage points
};

// The pairs whose measured penalty is in [kModeratePenaltyMinPct,
// kModeratePenaltyMaxPct] percent: the range users plan in (issue 25).
inline constexpr double kModeratePenaltyMinPct = 0.5;
inline constexpr double kModeratePenaltyMaxPct = 10.0;

struct ValidationRow {
  std::string candidate, evaluation;  // evaluation: "in-sample" | "cv:<fold name>"
  int pairs = 0;
  double median_abs_error_pp = 0, mean_abs_error_pp = 0, max_abs_error_pp = 0;
  // Median of predicted / measured penalty over the moderate pairs (measured
  // 0.5-10 %), each predicted as in this row; NaN when there is none.
  double moderate_ratio_median = 0;
  int moderate_pairs = 0;
  // Constants a fit held at the preset because the training pairs cannot
  // identify them (IdentifiableOverfitParams), over all folds; one note per
  // fit that held any ("cv:params fold 2 (params = 1e+08): overfit_a held at
  // overfit2026's value (one params value: overfit_a held)").
  std::vector<std::string> held, notes;
  std::vector<PairPrediction> predictions;  // one per pair, pair order
};

// The candidate's law fitted on all `pairs` (its in-sample law: a preset as
// is, a form fitted). Errors as ValidateCandidate's.
// `note` (when given) says which constants the fit held at the preset, and
// why ("" when none).
// `runs`: the runs the pairs come from (the ratio form is fitted on them).
Expected<Law> InSampleLaw(const Candidate& candidate, std::span<const PenaltyPair> pairs,
                          int threads, std::string* note = nullptr,
                          std::span<const MeasuredRun> runs = {});

// Called after each fitted fold (for progress); may be empty.
using ValidateProgress = std::function<void()>;

// In-sample (fold spec empty) or grouped cross-validation of one candidate.
// `runs` are the measured runs the pairs were formed from: the ratio form
// (ratio2026) is fitted on them (a cv row on the runs outside the held-out
// fold: the held-out pairs' runs and, for a column fold, every run with a
// held-out value of the column); the other candidates ignore them.
Expected<ValidationRow> ValidateCandidate(std::span<const PenaltyPair> pairs,
                                          const Candidate& candidate,
                                          const std::optional<FoldSpec>& folds, int threads,
                                          const ValidateProgress& progress = {},
                                          std::span<const MeasuredRun> runs = {});

// --- Allocation check (issue 25) -------------------------------------------------
//
// Groups of runs at (about) equal compute that ask a planning question: which
// model size to train on these unique tokens with this compute. Rule
// (FormAllocationGroups):
//   1. Seed repeats are averaged: runs with equal group values, params,
//      tokens and unique_tokens are one measurement, their mean loss.
//   2. Measurements with equal group values and equal unique_tokens are
//      sorted by compute C = 6 N D (ties: params, then tokens).
//   3. Greedy: a group starts at the first measurement not yet taken and
//      takes the following ones while every member's C stays within
//      ±kAllocationComputeTolerance of the members' median C (median of an
//      even count: mean of the middle two).
//   4. A group is kept when it holds >= kAllocationMinSizes distinct params
//      and its best measured loss is below kAllocationMaxBestLoss nats (a
//      group of collapsed runs asks no planning question).
// On ../shared/data/muennighoff2023_all_runs.csv grouped by dedup this gives
// 25 groups (tests/data/fit/allocation_groups.py counts them independently).
inline constexpr double kAllocationComputeTolerance = 0.10;
inline constexpr int kAllocationMinSizes = 3;
inline constexpr double kAllocationMaxBestLoss = 5.0;

struct AllocationMeasurement {
  double params = 0, tokens = 0, unique_tokens = 0;
  double loss = 0;  // mean over its seed repeats
  int runs = 0;     // seed repeats averaged
  double Compute() const { return 6.0 * params * tokens; }
};

struct AllocationGroup {
  std::vector<std::string> group;  // values of the group columns
  double unique_tokens = 0;
  double median_compute = 0;
  std::vector<AllocationMeasurement> members;  // in compute order
  size_t best = 0;                             // index of the lowest measured loss
};

std::vector<AllocationGroup> FormAllocationGroups(std::span<const MeasuredRun> runs);

struct AllocationPick {
  size_t group = 0;           // index into the groups
  size_t pick = 0;            // member the law predicts lowest (ties: first)
  double regret_pct = 0;      // 100 (L_measured(pick) / L_measured(best) - 1)
  double predicted_loss = 0;  // the law's loss at the pick
};

struct AllocationRow {
  std::string candidate, evaluation;  // "in-sample" | "cv:allocation"
  int groups = 0, hits = 0;           // hits: picks of the measured best
  double median_regret_pct = 0, mean_regret_pct = 0, max_regret_pct = 0;
  // |L̂ − L| / L in percent: in-sample over every run of the file; cv over
  // the groups' measurements, each predicted without its group.
  int loss_runs = 0;
  double median_loss_error_pct = 0, mean_loss_error_pct = 0, max_loss_error_pct = 0;
  std::vector<std::string> held, notes;  // as ValidationRow's
  std::vector<AllocationPick> picks;     // one per group, group order
};

// In-sample (`cross_validate` false: the candidate as ValidateCandidate's
// in-sample row) or leave-one-group-out: for each group the candidate is
// refitted on the pairs none of whose runs is in the group (a pair's
// repeated measurement, or its key's fresh one). `pairs` = FormPairs(runs).
// Errors: no groups; a fit that fails (named by group).
Expected<AllocationRow> ValidateAllocation(std::span<const MeasuredRun> runs,
                                           std::span<const PenaltyPair> pairs,
                                           std::span<const AllocationGroup> groups,
                                           const Candidate& candidate, bool cross_validate,
                                           int threads, const ValidateProgress& progress = {});

}  // namespace repsim
