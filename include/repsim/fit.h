// repsim: fitting a loss law to measured training runs (MODEL.md §6).
//
// The method is Hoffmann et al. 2022's (approach 3) as repeated by Besiroglu
// et al. 2024: minimise
//
//     Σ_i Huber_δ(log L̂(N_i, D_i) − log L_i),   δ = 1e-3,
//
// over log-space parameters (e = log E, a = log A, b = log B, α, β), with
//
//     log L̂ = logsumexp(a − α log N′, b − β log D′, e)
//
// from a grid of starting points, keeping the best. For the Chinchilla form
// N′ = N and D′ = D. For the data-constrained form (Muennighoff et al. 2023)
// N′ and D′ are those of MODEL.md §2, with U_N computed from the current
// parameters, and the decay constants R_D*, R_N* are fitted in log space
// too (ρ_D = log R_D*, ρ_N = log R_N*). Any constant can be held fixed.
//
// Each start is minimised with Ceres's GradientProblemSolver (L-BFGS with a
// Wolfe line search) and automatic derivatives (ceres::Jet), first with a
// scipy-like stopping rule (relative decrease < 1e-5), then, for the starts
// that ended within 0.1 % of the best, with tight tolerances (relative
// decrease < 1e-12). Starts run in parallel; the result does not depend on
// the number of threads.
//
// Uncertainty: a nonparametric bootstrap (resample runs with replacement,
// refit, report standard errors and percentile intervals; Besiroglu et al.
// 2024 §3).
//
// Units: N in parameters, D and U in tokens, losses in nats per token (any
// positive loss works: the objective compares logs).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "repsim/law.h"
#include "repsim/status.h"

namespace repsim {

// --- What is fitted -----------------------------------------------------------

enum class FitForm {
  kChinchilla,       // L = E + A/N^α + B/D^β (MODEL.md §1)
  kDataConstrained,  // L = E + A/N′^α + B/D′^β with N′, D′ of MODEL.md §2
};
std::string_view ToString(FitForm form);  // "chinchilla" | "data-constrained"
std::optional<FitForm> FitFormFromString(std::string_view name);

// The constants, in the order of the parameter vector (kCount: how many).
// Names are the scenario file's [law] keys (SCENARIO.md).
enum class FitParam { kE, kA, kB, kAlpha, kBeta, kRdStar, kRnStar, kCount };
inline constexpr int kNumFitParams = static_cast<int>(FitParam::kCount);
std::string_view ToString(FitParam param);  // "E" "A" "B" "alpha" "beta" "rd_star" "rn_star"
std::optional<FitParam> FitParamFromString(std::string_view name);
// Every parameter's name, in FitParam order: the one list the CLI, writers and
// Python use.
std::span<const std::string_view> FitParamNames();
// 5 for the Chinchilla form (E, A, B, alpha, beta), 7 for the data-constrained form.
int NumParams(FitForm form);
// The parameters of a form, in vector order.
std::span<const FitParam> FitParams(FitForm form);

// A parameter vector in the optimiser's space, indexed by FitParam:
// (log E, log A, log B, α, β, log R_D*, log R_N*).
using FitVector = std::array<double, kNumFitParams>;

// Constants in natural units (E in nats, A and B in nats·params^α and
// nats·tokens^β, R_D* in epochs, R_N* in multiples of U_N).
struct FitConstants {
  double e = 0, a = 0, b = 0, alpha = 0, beta = 0;
  double rd_star = 0, rn_star = 0;  // data-constrained form only, else 0
};

// One row per constant: the one table from which the optimiser's transform,
// the start grid, the check of a fixed value, the CLI (--fix, its help and
// errors), the writers (JSON/TOML/CSV) and Python read a constant. Adding a
// fitted constant is a FitParam enumerator and a FitConstants member (here),
// and its row in fit.cpp's table, plus its use in the objective there
// (docs/MAINTAINING.md).
struct FitParamInfo {
  FitParam param;
  std::string_view name;     // the scenario file's [law] key, e.g. "rd_star"
  std::string_view meaning;  // a line of help, units included
  double FitConstants::*member;
  bool log_space;              // the optimiser holds log(value) (MODEL.md §6)
  bool data_constrained_only;  // R_D*, R_N*
  // Start values per form (Chinchilla, data-constrained); optimiser space
  // unless `starts_natural` (then log-transformed when used).
  std::span<const double> starts_chinchilla;
  std::span<const double> starts_data_constrained;
  bool starts_natural;
  // Its loop's place in the start grid's nesting, outermost 0 (Besiroglu et
  // al.'s order: alpha, beta, E, A, B; then R_D*, R_N*).
  int nesting;
};
// Every row, in FitParam order.
std::span<const FitParamInfo> FitParamTable();
const FitParamInfo& Info(FitParam param);
// Empty when `value` may be held fixed for `param` under `form`; else why not
// ("rd_star is a constant of the data-constrained form only (form =
// chinchilla)", "E must be finite and > 0 (got -1)"). Validate(FitOptions)
// and every front end's --fix / fix= check through this one function.
MaybeError CheckFixed(FitForm form, FitParam param, double value);

double Get(const FitConstants& c, FitParam param);
// Natural units <-> optimiser space (exp/log of E, A, B, R_D*, R_N*).
FitConstants ToConstants(const FitVector& x, FitForm form);
// Precondition: E, A, B, rd_star, rn_star > 0 where the form uses them.
FitVector ToVector(const FitConstants& c);

// Compute-optimal allocation exponents implied by α, β (Hoffmann eq. 4):
// N_opt ∝ C^a with a = β/(α+β), D_opt ∝ C^b with b = α/(α+β).
// Precondition: α + β != 0.
double ExponentA(double alpha, double beta);
double ExponentB(double alpha, double beta);

// One measured run.
struct FitRun {
  double params = 0;         // N, > 0
  double tokens = 0;         // D, tokens seen, > 0
  double unique_tokens = 0;  // U, > 0; read only by the data-constrained form
  double loss = 0;           // final loss, > 0
};

// The runs without the `k` highest losses (ties: the later run is dropped
// first), in their original order. Besiroglu et al. drop the five highest
// losses of the Chinchilla data. Precondition: k <= runs.size().
std::vector<FitRun> DropHighestLosses(std::span<const FitRun> runs, int k);

// Distinct (params, tokens) points of the runs, (params, tokens,
// unique_tokens) for the data-constrained form: seed repeats of one point
// add no information about the law's shape.
int DistinctPoints(std::span<const FitRun> runs, FitForm form);

// The ranges of the runs (params, tokens, unique tokens, epochs = tokens /
// unique tokens, params per unique token): a fit's domain of validity is the
// runs it was fitted on, not its preset's. `fitted_on` is left empty.
// Precondition: runs not empty.
LawDomain DomainOfRuns(std::span<const FitRun> runs);
// "params 6.2e+08-2.8e+09, tokens ..., unique tokens ..., epochs 1-44".
std::string DomainLine(const LawDomain& d);

// --- Options -------------------------------------------------------------------

// δ of the Huber loss (Hoffmann et al. 2022, Besiroglu et al. 2024).
inline constexpr double kDefaultHuberDelta = 1e-3;
// Two starts "reached the same optimum" when their objectives differ by at
// most this much (absolute; the objectives of MODEL.md §6 are ~1e-3..1e-2).
inline constexpr double kSameOptimumTol = 1e-9;

struct FitOptions {
  FitForm form = FitForm::kChinchilla;
  double huber_delta = kDefaultHuberDelta;  // > 0
  // Constants held at a value, natural units (> 0). R_D*, R_N* only for the
  // data-constrained form.
  std::array<std::optional<double>, kNumFitParams> fixed;
  // Use only the first `max_starts` starts of StartGrid() (> 0); empty: all.
  std::optional<int> max_starts;
  // Worker threads; 0 = one per hardware thread. Results do not depend on it.
  int threads = 0;
};

// Empty when the options are usable, else a message naming the bad option.
MaybeError Validate(const FitOptions& options);

// The starting points, in optimiser space, in the order they are tried.
//
// Chinchilla form: the 4500-point grid of Besiroglu et al. 2024 in the order
// of their code (and of ../shared/bench/fit_scipy.py): α and β in
// {0, 0.5, …, 2}, e in {−1, −0.5, …, 1}, a and b in {0, 5, …, 25}, nested
// α (outermost), β, e, a, b (innermost).
//
// Data-constrained form: the same grid without α = 0 and β = 0 (U_N needs the
// compute-optimal split, undefined there), so α, β in {0.5, 1, 1.5, 2}, and
// two innermost loops log R_D*, log R_N* over log {2, 10, 50}: log-spaced by 5×
// around Muennighoff et al.'s 15.4 and 5.3 (25 920 starts).
//
// A fixed constant's loop collapses to its fixed value, so fixing E, A, B,
// α, β of the data-constrained form leaves 9 starts.
// Precondition: Validate(options) is empty.
std::vector<FitVector> StartGrid(const FitOptions& options);

// --- The objective (exposed for tests) -----------------------------------------

// Σ Huber_δ(log L̂ − log L) at `x` (optimiser space; all kNumFitParams entries
// are read, the data-constrained ones only by that form). When `gradient` is
// non-null it receives ∂/∂x (entries the form does not use are 0). Returns
// +inf where L̂ is undefined (data-constrained form with α <= 0 or β <= 0) or
// where the objective or its gradient overflows.
// Huber_δ(r) = r²/2 for |r| <= δ, δ(|r| − δ/2) otherwise (scipy.special.huber).
double FitObjective(FitForm form, std::span<const FitRun> runs, double huber_delta,
                    const FitVector& x, FitVector* gradient = nullptr);

// --- Fitting ------------------------------------------------------------------

// Called once per finished start or resample, from worker threads: must be
// thread-safe (io::Progress::Tick is).
using FitProgress = std::function<void()>;

// A fitted R_D* or R_N* above this many epochs (multiples of U_N) is
// reported as unconstrained: no run repeats data or over-sizes the model
// anywhere near enough to tell it from infinity.
inline constexpr double kRunawayDecayScale = 1e6;

struct FitResult {
  FitForm form = FitForm::kChinchilla;
  FitConstants constants;  // the best start's optimum, natural units
  FitVector x{};           // the same, optimiser space
  double objective = 0;    // Σ Huber at the optimum
  int runs = 0;            // runs fitted
  int starts = 0;          // starts tried
  int failed_starts = 0;   // starts whose objective was not finite at the start point
  int best_start = 0;      // index in StartGrid() of the winner (ties: lowest index)
  // Starts whose optimum is within kSameOptimumTol of the best objective
  // (after polishing; a start whose search phase stopped more than 0.1 %
  // above the best is not counted).
  int converged_to_best = 0;
  double exponent_a = 0;  // β/(α+β): N_opt ∝ C^a
  double exponent_b = 0;  // α/(α+β): D_opt ∝ C^b
  // One message per implausible result: decay constants the data cannot
  // tell from infinity (fitted above kRunawayDecayScale); a negative exponent
  // alpha or beta (the loss would rise with more parameters or data); an
  // exponent above kImplausibleExponent; A, B or E at 0 or beyond 1e30
  // (ImplausibleFit). Fixed constants are not judged.
  std::vector<std::string> warnings;
  // Up to kBootstrapExtraStarts other distinct local optima, best first
  // (optimiser space): extra starting points for the bootstrap refits.
  std::vector<FitVector> runner_up_optima;
};

// Minimises the objective from every start of StartGrid(options), keeping the
// best (ties: lowest start index). Errors: options invalid; fewer runs than
// free constants; a run with a non-positive or non-finite field; no start
// reached a finite objective.
Expected<FitResult> Fit(std::span<const FitRun> runs, const FitOptions& options,
                        const FitProgress& progress = {});

// Published fits have alpha, beta of 0.07 (Kaplan) to 0.5: above this the
// runs cannot pin the exponent.
inline constexpr double kImplausibleExponent = 3.0;
// Warnings for the free constants of `c` (FitResult::warnings' rules after
// the decay scales).
std::vector<std::string> ImplausibleFit(const FitConstants& c, const FitOptions& options);

// A bootstrap whose failed refits exceed this share is warned about
// (BootstrapResult::warnings): the intervals rest on the resamples that
// happened to fit and are too narrow.
inline constexpr double kBootstrapFailureWarnShare = 0.10;
// "42 of 100 bootstrap refits failed (more than 10 %): ..."; nullopt at or
// below kBootstrapFailureWarnShare.
std::optional<std::string> BootstrapFailureWarning(int failed, int resamples);

// --- Bootstrap ------------------------------------------------------------------

// Bootstrap refits start from the full-data optimum and from up to this many
// other distinct local optima of the full fit.
inline constexpr int kBootstrapExtraStarts = 3;

struct ParamSpread {
  double mean = 0;
  double std_error = 0;  // sample standard deviation over resamples (n − 1)
  double ci95_low = 0;   // 2.5th percentile (linear interpolation, numpy's default)
  double ci95_high = 0;  // 97.5th percentile
};

struct BootstrapResult {
  int resamples = 0;  // requested
  int failed = 0;     // resamples with no finite fit (left out of the statistics)
  uint64_t seed = 0;
  // Per FitParam (natural units); fixed constants get zero spread.
  std::array<ParamSpread, kNumFitParams> params{};
  ParamSpread exponent_a, exponent_b;
  // Each successful resample's constants, in resample order.
  std::vector<FitConstants> samples;
  // BootstrapFailureWarning's message when it fires.
  std::vector<std::string> warnings;
};

// Resample `runs` with replacement `resamples` times and refit each from
// `full`'s optimum (and its runner-up optima). Resample i draws its run
// indices from std::mt19937_64 seeded with BootstrapSeed(seed, i) (index =
// draw mod n), so the result depends only on (runs, options, full,
// resamples, seed), never on the thread count; neighbouring seeds give
// unrelated resamples. Preconditions: `full` = Fit(runs, options);
// resamples > 0.
// The mt19937_64 seed of resample `index`: SplitMix64's finaliser (Steele,
// Lea & Flood 2014) applied to mix(seed) + index. Seeding with seed + index
// instead would make seeds s and s + 1 share all but one resample.
uint64_t BootstrapSeed(uint64_t seed, uint64_t index);
// The indices resample `index` draws from n items: n draws of
// std::mt19937_64(BootstrapSeed(seed, index)) mod n. The one resampling rule
// of every bootstrap (runs here, penalty pairs in validate.h).
std::vector<size_t> ResampleIndices(uint64_t seed, uint64_t index, size_t n);

Expected<BootstrapResult> Bootstrap(std::span<const FitRun> runs, const FitOptions& options,
                                    const FitResult& full, int resamples, uint64_t seed,
                                    const FitProgress& progress = {});

}  // namespace repsim
