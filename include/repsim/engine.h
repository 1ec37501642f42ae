// repsim: the scenario engine (MODEL.md §2, §3 and §5).
//
// Evaluate() integrates the novelty-budget timeline of MODEL.md §3 along the
// run and reports every quantity of §5. With no dropout, unit multipliers and
// one source, the timeline reduces exactly to Muennighoff et al.'s closed form
// (§2), which EffectiveTokensClosedForm() and DataConstrainedLoss() give
// directly.
//
// "Fresh" (loss_unique, equivalent tokens and params) means the same law
// evaluated with every token unique: unique tokens = tokens, no dropout. For
// a model no larger than compute-optimal for its tokens this is the plain
// law L(N, D); for an over-sized one the law's excess-parameter term (§2)
// applies to fresh data too, so that repetition alone is what `delta` measures.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "repsim/law.h"
#include "repsim/run.h"
#include "repsim/status.h"

namespace repsim {

struct Bands;  // intervals.h

// --- The engine --------------------------------------------------------------

struct SourceSummary {
  std::string name;
  double unique_tokens = 0;     // U_i
  double weight = 0;            // w_i
  double quality = 0;           // k_i
  double tokens = 0;            // w_i D
  double epochs = 0;            // w_i D / U_i
  double effective_tokens = 0;  // D'_i (before quality)
  double marginal_value_last = 0;
};

// Every quantity of MODEL.md §5 for one run. Optional fields are empty when
// their equation has no solution to the stated tolerance (a warning says why).
struct Summary {
  double params = 0, active_params = 0, tokens = 0, unique_tokens = 0, epochs = 0, compute = 0;
  double effective_tokens = 0;    // D' = Σ D'_i, tokens
  double effective_fraction = 0;  // D' / D
  double effective_params = 0;    // N', after capacity displacement: (1 - capacity_lost) N'
  double capacity_lost = 0;       // φ: share of N' displaced by memorising repeated sources (§3b)
  double loss_repeated = 0;       // L(N', D')
  double loss_unique = 0;         // same N, D, all tokens fresh, no dropout
  double delta = 0;               // loss_repeated - loss_unique
  double delta_pct = 0;           // 100 delta / loss_unique
  std::optional<double> equivalent_unique_tokens;  // D_eq: fresh loss at (N, D_eq) = loss_repeated
  std::optional<double> wasted_compute;            // 1 - D_eq / D
  std::optional<double> equivalent_params;         // N_eq: fresh loss at (N_eq, D) = loss_repeated
  double marginal_value_last = 0;                  // dD'/dD at the end of the run
  std::optional<double> epochs_value_below_half;   // first epoch where dD'/dD < 0.5
  std::optional<double> epochs_value_below_tenth;  // first epoch where dD'/dD < 0.1
  double rd_star_effective = 0;  // R_D* m_objective m_size(U) at p = 0 (first source)
  // ρ = max(1, D'/D'₀): what dropout adds to the worth of the data (D'₀ the
  // same run's D' without dropout; 1 when no repeated token saw dropout). The
  // model size the data supports is N_opt(ρ U) (MODEL.md §3).
  double dropout_data_gain = 1;
  std::vector<SourceSummary> sources;
  std::vector<std::string> warnings;
  // Uncertainty bands (intervals.h), only when asked for (`run --intervals`):
  // Evaluate() leaves it empty; ComputeBands() fills what it points to.
  std::shared_ptr<const Bands> bands;
};

// One point of a trajectory: the run as if it stopped after `tokens`.
struct TrajectoryPoint {
  double tokens = 0, epochs = 0, effective_tokens = 0, effective_params = 0, capacity_lost = 0;
  double loss_repeated = 0, loss_unique = 0, delta = 0;
  double dropout_rate = 0, marginal_value = 0;
  // Which ranges of the law's fitted domain the run stopped here is outside
  // of, and by what factor (run.h Extrapolation); empty inside.
  std::string extrapolation;
};

// Relative tolerance of the root finders for D_eq and N_eq, and of the
// numerical integration of non-constant dropout segments.
inline constexpr double kSolveRelTol = 1e-12;
inline constexpr double kIntegrateRelTol = 1e-12;
// Bisection depth of that integration (adaptive Gauss-Kronrod, 31 points):
// at most 2^15 subintervals. It was 30: where the tolerance cannot be met (a
// segment whose integral is rounding noise) the refinement ran 2^30 deep and a
// run never ended (a linear ramp starting 0.004 epochs before the end).
inline constexpr unsigned kIntegrateMaxDepth = 15;

// Preconditions: Validate(run) is empty.
Summary Evaluate(const Run& run);

// The first number of `s` that is not finite, as "loss_repeated = inf";
// nothing when every number is finite. Validate() bounds each input on its
// own; some combinations at the edges of those bounds still overflow (a
// 1e-30-parameter model under alpha = 10): the loader and the sweep reject
// such a run with this text rather than write inf or nan.
std::optional<std::string> NonFiniteResult(const Summary& s);

// `points` >= 2 rows, log-spaced in tokens from min(D, U)/100 to D; the last
// point is the run itself (same numbers as Evaluate's summary).
std::vector<TrajectoryPoint> EvaluateTrajectory(const Run& run, int points);

}  // namespace repsim
