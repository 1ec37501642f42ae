// repsim: compute-optimal planners (MODEL.md §1 and §2), the core of `repsim plan`.
//
// Four planners:
//   * the compute-optimal table of Hoffmann et al. 2022 (Table 3, approach 1),
//     reproduced from a power law fitted to the published rows, or from a
//     preset's compute-optimal allocation;
//   * how N and D grow when compute grows (Kaplan 2020 versus Chinchilla-form laws);
//   * the loss-minimising (N, D) when only U unique tokens exist, under the
//     data-constrained law of Muennighoff et al. 2023 (MODEL.md §2);
//   * Kaplan et al. 2020's other relations (critical batch, steps, compute,
//     data needed to avoid overfitting).
//
// Pure: no I/O. Units throughout: N in parameters, D and U in tokens, C in
// FLOPs with C = 6 N D (Kaplan et al. 2020 §2.1), losses in nats per token of
// the law's own tokenizer. Functions that take user values validate them and
// return an Error naming the value and the allowed range; the others state
// their preconditions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "repsim/law.h"
#include "repsim/status.h"

namespace repsim {

// ============================================================================
// Constants, each with its source
// ============================================================================

// Training FLOPs per parameter per token: C = 6 N D (Kaplan et al. 2020 §2.1;
// Hoffmann et al. 2022 use the same approximation for Table 3).
inline constexpr double kFlopsPerParamToken = 6.0;

// Gopher's training budget, the unit of Hoffmann et al. 2022 Table 3's
// "FLOPs (in Gopher unit)" column.
inline constexpr double kGopherFlops = 5.76e23;

// One petaflop/s-day in FLOPs (Kaplan et al. 2020's compute unit): 1e15 * 86400.
inline constexpr double kFlopsPerPetaflopDay = 8.64e19;

// Kaplan et al. 2020 eq. 1.7 (and Hoffmann et al. 2022 Table 2): with compute
// spent compute-efficiently, N ∝ C^0.73, B ∝ C^0.24, S ∝ C^0.03, so the tokens
// D = B S ∝ C^0.27.
inline constexpr double kKaplanParamsExponent = 0.73;
inline constexpr double kKaplanTokensExponent = 0.27;

// Kaplan et al. 2020's other relations (MODEL.md §1). alpha_N, N_c, alpha_D and
// D_c are not repeated here: they are the kaplan2020 preset's (MakeLaw).
// eq. 1.4: B_crit(L) = B* / L^(1/alpha_B), B* in tokens (the paper rounds to 2e8).
inline constexpr double kKaplanBStar = 2.1e8;
inline constexpr double kKaplanAlphaB = 0.21;
// eq. 1.6: L(N, S) = (N_c/N)^alpha_N + (S_c/S_min)^alpha_S, S_c in steps.
inline constexpr double kKaplanSc = 2.1e3;
inline constexpr double kKaplanAlphaS = 0.76;
// eq. 1.3: L(C_min) = (C_c / C_min)^alpha_C, C_c in PF-days.
inline constexpr double kKaplanCcPetaflopDays = 3.1e8;
inline constexpr double kKaplanAlphaC = 0.050;
// eq. 4.4: overfitting stays negligible while D >~ 5e3 N^0.74.
inline constexpr double kKaplanOverfitCoefficient = 5e3;
inline constexpr double kKaplanOverfitExponent = 0.74;

// ============================================================================
// 1. The compute-optimal table (Hoffmann et al. 2022, Table 3)
// ============================================================================

// One row of Hoffmann et al. 2022 Table 3 as published ("Estimated optimal
// training FLOPs and training tokens for various model sizes", approach 1).
struct ChinchillaTableRow {
  double params = 0;  // N
  double flops = 0;   // C, FLOPs
  double tokens = 0;  // D, tokens (the paper rounds to 1 decimal of B or T)
};

// The nine published rows, 400M to 10T parameters.
std::span<const ChinchillaTableRow> ChinchillaTable3();

// Whether a published row is used to fit the approach-1 relation. The 67B row
// is not: its FLOPs are Gopher's budget (5.76e23) rather than 6 N D (which
// gives 6.03e23 with its 1.5T tokens), i.e. it was rounded to a budget instead
// of computed like the others.
bool UsedInApproach1Fit(const ChinchillaTableRow& row);

// y = coefficient * x^exponent.
struct PowerLaw {
  double coefficient = 0;
  double exponent = 0;
  double operator()(double x) const;
};

// Ordinary least squares of log y on log x. Errors when the spans differ in
// size, hold fewer than 2 points, any value is not finite and > 0, or all x
// are equal.
Expected<PowerLaw> FitPowerLaw(std::span<const double> x, std::span<const double> y);

// The approach-1 relation D = k N^a, fitted by FitPowerLaw to the (params,
// tokens) rows of ChinchillaTable3() that UsedInApproach1Fit() accepts.
// Computed from the rows (not typed-in constants); k in tokens / params^a.
PowerLaw ChinchillaApproach1TokensForParams();

// What produces the rows of a table.
enum class TableRelation {
  kApproach1Fit,  // ChinchillaApproach1TokensForParams()
  kLaw,           // the law's ComputeOptimal()
};

struct PlanTableRow {
  double params = 0;        // N
  double tokens = 0;        // D
  double flops = 0;         // 6 N D
  double gopher_units = 0;  // flops / kGopherFlops
  // The published row with the same params (relative difference < 1e-9), if any.
  std::optional<ChinchillaTableRow> published;
  // (ours / published) - 1, when `published` is set.
  double tokens_deviation = 0;
  double flops_deviation = 0;
  // Which ranges of the relation's fitted domain the row leaves (law.h
  // Extrapolation, fresh data: U = D); "" inside. The approach-1 rows are
  // judged on chinchilla2022's domain.
  std::string extrapolation;
};

// The compute-optimal D for each N under the approach-1 relation.
// Errors when any params value is not finite and > 0.
Expected<std::vector<PlanTableRow>> ComputeOptimalTable(std::span<const double> params);

// The same under a law's compute-optimal allocation: for each N, the D with
// ComputeOptimal(law, 6 N D) = (N, D). Errors when Validate(law) fails or any
// params value is not finite and > 0.
Expected<std::vector<PlanTableRow>> ComputeOptimalTable(const Law& law,
                                                        std::span<const double> params);

// The D for which N is the law's compute-optimal size: the root in log C of
// ComputeOptimal(law, C).params = n, to ~1e-14 relative.
// Preconditions: Validate(law) is empty, n finite and > 0.
double ComputeOptimalTokensForParams(const Law& law, double n);

// ============================================================================
// 2. Scaling: how N and D grow with compute
// ============================================================================

// N ∝ C^params, D ∝ C^tokens (params + tokens = 1 since C = 6 N D).
struct ScalingExponents {
  double params = 0;
  double tokens = 0;
};

// Chinchilla form: Hoffmann et al. 2022 eq. 4, beta/(alpha+beta) and
// alpha/(alpha+beta). Kaplan form: Kaplan et al. 2020's compute-efficient
// allocation (kKaplanParamsExponent, kKaplanTokensExponent) -- not the
// exponent of the L(N, D) law's own ComputeOptimal(), which is 1/(1+alpha_N/alpha_D).
// Preconditions: Validate(law) is empty.
ScalingExponents AllocationExponents(const Law& law);

// D = k N^a  =>  C = 6 k N^(1+a)  =>  N ∝ C^(1/(1+a)), D ∝ C^(a/(1+a)).
// Precondition: 1 + a > 0.
ScalingExponents AllocationExponents(const PowerLaw& tokens_for_params);

struct ScaleResult {
  ScalingExponents exponents;
  double compute_factor = 0;  // K
  double params_factor = 0;   // K^exponents.params
  double tokens_factor = 0;   // K^exponents.tokens
};

// How N and D should grow when compute grows `compute_factor`-fold.
// Errors when compute_factor is not finite and > 0.
Expected<ScaleResult> Scale(const ScalingExponents& exponents, double compute_factor);

// A relation `plan scale` applies (the CLI and Python alike): its name, its
// exponents and where they come from.
struct ScaleRelation {
  std::string relation;  // a preset's name, or "table3-approach1-fit"
  ScalingExponents exponents;
  std::string source;
};
// A preset's: Kaplan et al. 2020 eq. 1.7 for kaplan2020, Hoffmann et al.
// 2022 eq. 4 of its alpha and beta for a Chinchilla-form preset.
ScaleRelation ScaleRelationOf(const Law& law);
// The approach-1 fit of Table 3 (`plan table`'s default relation).
ScaleRelation Table3FitScaleRelation();
// Every relation side by side (`plan scale --compare`): kaplan2020, the other
// presets in AllLawPresets() order, then the Table 3 fit.
std::vector<ScaleRelation> AllScaleRelations();
// One row of `plan scale`: a relation and what it does to a compute factor.
struct ScaleRow {
  ScaleRelation relation;
  ScaleResult result;
};
Expected<ScaleRow> ScaleBy(const ScaleRelation& relation, double compute_factor);

// ============================================================================
// 3. Allocation with limited unique data (Muennighoff et al. 2023, MODEL.md §2)
// ============================================================================

// One training plan evaluated under the data-constrained law.
struct PlanPoint {
  double params = 0;         // N
  double tokens = 0;         // D
  double unique_tokens = 0;  // U
  double epochs = 0;         // D / U
  double flops = 0;          // 6 N D
  double loss = 0;           // DataConstrainedLoss(law, N, D, U)
  double fresh_loss = 0;     // FreshLoss(law, N, D): the same run with D unique tokens
};

// Preconditions: Validate(law) is empty; n, d, u finite and > 0.
PlanPoint EvaluatePlanPoint(const Law& law, double n, double d, double u);

// Why a plan leaves part of its compute budget unused.
enum class BudgetLimit {
  kNone,         // the plan spends the whole budget
  kLossRises,    // beyond the plan's compute the loss on U only rises (overfitting)
  kImplausible,  // beyond it every plan on U is implausible (PlausiblePlan)
};

// What is never recommended as a plan (issue 21): a model more than this many
// times the size compute-optimal for U (ComputeOptimalParamsForTokens(law, U)),
// more than this many epochs, or a saturated overfitting penalty (a loss within
// kCapMargin nats of a capped law's cap, or a penalty within kCapMargin of a
// bounded law's height). Such points are where a law says nothing useful: the
// penalty has saturated, or the law is extrapolated by many decades.
inline constexpr double kMaxParamsOverComputeOptimalForU = 1000.0;
inline constexpr double kMaxPlanEpochs = 1e6;
inline constexpr double kCapMargin = 1e-6;

// Empty when `p` may be recommended; else why not, in words ("3.3e+14
// parameters is 1.3e+05x the size compute-optimal for U = 50B").
std::string ImplausiblePlan(const Law& law, const PlanPoint& p);

// A data-constrained optimum beside the answer of the fresh-data allocation.
struct DataConstrainedPlan {
  // The loss-minimising plan under the data-constrained law.
  PlanPoint optimum;
  // The law's fresh-data compute-optimal answer to the same question
  // (ComputeOptimal and its inverses), evaluated on the same U.
  PlanPoint compute_optimal;
  // The loss that no amount of the free quantity can beat with these U unique
  // tokens (the law's limit; see each function for what is held fixed).
  // With an overfitting term the loss has a finite best over the free
  // quantity, and the floor is that best (a plan, not a limit).
  double loss_floor = 0;
  // AllocateCompute: the compute asked for, and how much of it the optimum
  // leaves unused (budget - optimum.flops; 0 when it spends it all) and why.
  // The other planners: budget = optimum.flops, nothing unused.
  double budget = 0;
  double unused_flops = 0;
  BudgetLimit limit = BudgetLimit::kNone;
};

// The loss on U can only rise with more compute (the law has an overfitting
// term): then the planners search the whole budget, not only its edge.
bool LossCanRiseWithCompute(const Law& law);

// Below this many nats above its floor, more compute buys next to nothing and
// the optimum is flat: many (N, D) on the iso-FLOP line give nearly the same
// loss. The CLI says so when it happens.
inline constexpr double kSaturatedLossGap = 1e-3;

// The best plan within a budget of `flops`: the (N, D) minimising
// DataConstrainedLoss(law, N, D, U) with 6 N D <= flops among the plausible
// plans (ImplausiblePlan). Searched up to the budget, not only on its edge:
// a law without an overfitting term never gets worse with more N or D, so its
// best plan spends the whole budget (when a plausible plan does); with an
// overfitting term the loss along the budget's edge has a lowest point, past
// which the plan stops (`limit`, `unused_flops`). The recommended loss is
// therefore non-increasing in flops and in U.
//
// On one iso-FLOP line 6 N D = C: a log-spaced scan (8 points per decade around the law's
// ComputeOptimal and the size compute-optimal for U, widened while the lowest
// point is at an end) brackets the minimum, which Brent's method
// (boost::math::tools::brent_find_minima, in log N) then locates to ~1e-8 in
// log N (the loss's flatness at its minimum limits this to ~1e-7 relative).
// Below the budget (laws with an overfitting term): the lowest of those line
// minima on a grid of kBudgetGridPerDecade compute values per decade down to
// kBudgetGridDecades below the budget, refined by Brent's method in log C.
// compute_optimal is ComputeOptimal(law, flops) trained on U; loss_floor is
// the limit with unlimited compute: N -> inf and D -> inf with U unique tokens
// (with an overfitting term: the best plan with unlimited compute).
// When the fresh-data optimum needs at most U tokens it is also the answer
// here, since the law then equals the plain law at that point and is no lower
// anywhere else on the line.
// Errors when Validate(law) fails, flops or unique_tokens is not finite and
// > 0, or no plausible plan exists within the budget.
inline constexpr double kBudgetGridPerDecade = 4.0;
inline constexpr double kBudgetGridDecades = 16.0;
Expected<DataConstrainedPlan> AllocateCompute(const Law& law, double flops, double unique_tokens);

// For a fixed model of N parameters and U unique tokens: the D for which N is
// the data-constrained compute-optimal size, i.e. where the loss on the
// iso-FLOP line through (N, D) is stationary -- the last token count at which
// a token still buys at least as much as a parameter would (dL/dlogN =
// dL/dlogD). Beyond it, more tokens may still lower the loss but a larger
// model would have used the same compute better. With U >= the law's
// compute-optimal D for N this is exactly that D (Chinchilla's answer).
// The answer is checked: N must be AllocateCompute's best plan for the
// budget 6 N D (to kBestSizeRelTol) and plausible; with an overfitting term a
// model larger than the best plan with unlimited compute on U is the best
// size for no budget at all. compute_optimal is (N,
// ComputeOptimalTokensForParams) on U; loss_floor is N trained on U for
// unlimited epochs (with an overfitting term: at its best token count).
// Errors when Validate(law) fails, params or unique_tokens is not finite and
// > 0, or no token count makes N the best size (the message says why).
inline constexpr double kBestSizeRelTol = 1e-3;
Expected<DataConstrainedPlan> BestTokensForParams(const Law& law, double params,
                                                  double unique_tokens);

// For a fixed token budget D drawn from U unique tokens: the N for which D is
// the data-constrained compute-optimal token count (the same stationarity
// condition, solved in N). With U >= D this is the law's
// ComputeOptimalParamsForTokens(D). compute_optimal is
// (ComputeOptimalParamsForTokens(D), D) on U; loss_floor is D tokens with an
// unlimited model (with an overfitting term: with the best model for D).
// Checked as BestTokensForParams's answer: D must be the token count of
// AllocateCompute's best plan for the budget 6 N D.
// Errors as BestTokensForParams, for tokens in place of params.
Expected<DataConstrainedPlan> BestParamsForTokens(const Law& law, double tokens,
                                                  double unique_tokens);

// dL/dlogN - dL/dlogD of the data-constrained law at (N, D, U): the slope of
// the loss along the iso-FLOP line in log N. Zero on the data-constrained
// frontier, negative where a larger model would be the better use of the
// next FLOP, positive where more tokens would. By the chain rule through N'
// and D' (MODEL.md §2, differentiated in closed form), with the law's own
// derivatives by central differences of step kStationarityLogStep in log N'
// and log D' (the law is smooth there: error ~1e-10 relative). At the kinks
// of §2 (N = U_N, D = U) it gives the one-sided slope for larger D.
// Preconditions: Validate(law) is empty; n, d, u finite and > 0.
inline constexpr double kStationarityLogStep = 1e-5;
double IsoFlopSlope(const Law& law, double n, double d, double u);

// ============================================================================
// 4. Kaplan et al. 2020's relations (MODEL.md §1)
// ============================================================================
// Kaplan's losses are in nats per token of their own tokenizer (WebText2) and
// N counts non-embedding parameters; they are not comparable with the other
// presets' losses. Preconditions: every argument finite and > 0.

// eq. 1.4: the critical batch size in tokens at loss L.
double KaplanCriticalBatch(double loss);
// eq. 1.1: L(N) of a model trained to convergence on unlimited data.
double KaplanLossForParams(double params);
// eq. 1.1 inverted: the N whose converged loss is L.
double KaplanParamsForLoss(double loss);
// eq. 1.2 inverted: the D that reaches L with a large enough model (early-stopped).
double KaplanTokensForLoss(double loss);
// eq. 1.6: L(N, S) after S_min steps (steps at a batch far above B_crit;
// S_min = S / (1 + B_crit / B) for S steps at batch B, §5.1).
double KaplanLossForParamsSteps(double params, double steps_min);
// eq. 1.3: the loss reachable with C_min FLOPs spent compute-efficiently.
double KaplanLossForCompute(double flops);
// eq. 1.3 inverted: the C_min in FLOPs that reaches L.
double KaplanComputeForLoss(double loss);
// eq. 4.4: the tokens D with D >~ 5e3 N^0.74, below which a model of N
// parameters overfits measurably.
double KaplanTokensToAvoidOverfitting(double params);

}  // namespace repsim
