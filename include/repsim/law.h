// repsim: the loss laws (MODEL.md §1) and compute-optimal allocation.
//
// Units throughout: N in parameters, D in tokens, C in FLOPs (C = 6 N D),
// losses in nats per token (each law in its own tokenizer's nats).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "repsim/status.h"

namespace repsim {

enum class LawPreset {
  kChinchilla2022,   // Hoffmann et al. 2022, approach 3
  kBesiroglu2024,    // Besiroglu et al. 2024, replication of approach 3
  kMuennighoff2023,  // Muennighoff et al. 2023 (data-constrained)
  kKaplan2020,       // Kaplan et al. 2020, L(N, D)
  kOverfit2026,      // repsim: Muennighoff's form plus overfitting, fitted on
                     // the datablations penalty pairs (MODEL.md §2b)
  kRatio2026,        // repsim: a bounded overfitting term in N'/U (scale-
                     // consistent), fitted with E, A, B, alpha = beta on the
                     // absolute losses of all datablations runs (MODEL.md §2b)
};

// The preset a scenario, `repsim plan` and the calibration use when none is
// named (MODEL.md §1). The only place the default is set.
inline constexpr LawPreset kDefaultLawPreset = LawPreset::kRatio2026;

// The functional form a preset uses.
enum class LawForm {
  kChinchilla,  // L = E + A / N^alpha + B / D^beta
  kKaplan,      // L = [(n_c / N)^(alpha_n / alpha_d) + d_c / D]^alpha_d
};

std::string_view ToString(LawPreset preset);
std::optional<LawPreset> LawPresetFromString(std::string_view name);
// Every preset, in the order of MODEL.md §1.
std::span<const LawPreset> AllLawPresets();
// Their names (ToString of each), in the same order: the one list that
// parsers, suggestions and help texts use.
std::span<const std::string_view> LawPresetNames();

// A loss law with all its constants. Build one with MakeLaw() and override
// constants field by field; check with Validate() before use.
struct Law {
  LawPreset preset = kDefaultLawPreset;
  LawForm form = LawForm::kChinchilla;

  // Chinchilla form. Loss in nats; A, B in nats * (params or tokens)^exponent.
  double e = 0, a = 0, b = 0, alpha = 0, beta = 0;

  // Kaplan form. n_c in non-embedding parameters, d_c in tokens.
  double alpha_n = 0, n_c = 0, alpha_d = 0, d_c = 0;

  // Muennighoff et al. 2023 decay constants of repeated data (in epochs beyond
  // the first) and of excess parameters (in multiples of the compute-optimal
  // size). Every preset carries them so that any law can be evaluated on
  // repeated data; only `muennighoff2023` was fitted with them.
  double rd_star = 0, rn_star = 0;

  // Overfitting (MODEL.md §2b; the ratio2026 and overfit2026 presets). When
  // `overfit` is false the law is Muennighoff's §2 exactly. When true,
  // repeated data also raises the loss, with
  //   z = exp(overfit_w) (N'/1e9)^overfit_a (U/1e9)^-overfit_c R^overfit_k,
  // R = repetitions beyond the first epoch (dropout- and objective-stretched
  // in the timeline, §3), N' the effective parameters, U the unique tokens:
  //   overfit_height > 0 (ratio2026): L = L(N', D') + overfit_height (1 - e^-z)
  //   otherwise (overfit2026):        L = L(N', D') + max(loss_cap - L(N', D'), 0) (1 - e^-z).
  // Validate() requires overfit_a <= overfit_c + overfit_k, which makes more
  // unique tokens never raise the loss; ratio2026 has overfit_a = overfit_c
  // (z depends on N'/U only: scale-consistent).
  bool overfit = false;
  double overfit_w = 0;       // log of z's scale at N' = U = 1e9, R = 1
  double overfit_a = 0;       // exponent of N'/1e9, >= 0
  double overfit_c = 0;       // exponent of 1e9/U, >= 0
  double overfit_k = 0;       // exponent of R, > 0
  double loss_cap = 0;        // nats: the loss an overfitting run tends to (overfit2026)
  double overfit_height = 0;  // nats: the most overfitting adds (ratio2026); 0: capped form
  // ratio2026's second, early term of z (0 when overfit_w2 = -inf... i.e. set
  // overfit_k2 = 0 to turn it off):
  //   z += exp(overfit_w2) (N'/1e9)^overfit_a2 (U/1e9)^-overfit_c2 ((1 + R)^overfit_k2 - 1)
  // (1 + R)^k2 - 1 starts at 0 with a finite slope, so the loss keeps falling
  // through the first epochs; with k2 < 1 it grows early and slowly, where
  // the first term (k >= 1) grows late and fast.
  double overfit_w2 = 0, overfit_a2 = 0, overfit_c2 = 0, overfit_k2 = 0;
  // Not a constant of the law: the training's multiplier of z (1 = the
  // reference training; weight decay sets it, weight_decay.h), so that every
  // evaluation of the overfitting term (both of ratio2026's terms) sees it.
  // Not in LawConstants(), never "overridden"; a bootstrap refit of the law
  // keeps the run's value.
  double overfit_scale = 1.0;
};

// One constant of a law: its name (the scenario's `law.<name>` key and the
// `law_<name>` output column), what it is, the form that uses it and the
// field that holds it. A new form's constants are added here once.
// The largest decay scale R_D*, R_N* a law accepts (and `--rd-star` holds).
inline constexpr double kMaxDecayScale = 1e12;

struct LawConstant {
  std::string_view name;
  std::string_view meaning;  // one line
  std::string_view unit;     // "" for a pure number
  double Law::*field;
  // The values Validate(Law) accepts: [lo, hi], or (lo, hi] when lo_exclusive.
  // Generous: far outside every published fit, tight enough that no power or
  // sum of the law overflows or loses all precision.
  double lo, hi;
  bool lo_exclusive;
  std::optional<LawForm> form;  // empty: every form (rd_star, rn_star)
  bool overfit = false;         // only a law with the overfitting term (Law::overfit)
  // Of an overfitting law, only the capped shape (loss_cap: overfit_height = 0)
  // or only the bounded-height shape (overfit_height > 0); 0: both.
  int overfit_shape = 0;  // 1 capped, 2 height
};
// Every form's constants: the Chinchilla form's, Kaplan's, the repetition
// constants every form has, then the overfitting term's (MODEL.md §2b).
std::span<const LawConstant> LawConstants();
// Whether `law` has constant `c`: its form's, and the overfitting term's
// only when the law has that term.
inline bool HasConstant(const Law& law, const LawConstant& c) {
  if (c.overfit_shape == 1 && law.overfit_height > 0) return false;
  if (c.overfit_shape == 2 && !(law.overfit_height > 0)) return false;
  return (!c.form || *c.form == law.form) && (!c.overfit || law.overfit);
}

// The preset's published constants.
Law MakeLaw(LawPreset preset);

// The preset's constants refitted on bootstrap resamples of its data, one
// Law per successful resample (for uncertainty bands, `run --intervals`):
// overfit2026 its 176 of 200 refits (MODEL.md §2b); muennighoff2023,
// chinchilla2022 and besiroglu2024 200 each, the published constants moved by
// each resample's departure from the refit on all the data (MODEL.md §2c,
// scripts/bootstrap_sets.sh). Empty for kaplan2020: no data behind it here.
std::vector<Law> PresetBootstrapLaws(LawPreset preset);

// The paper a preset comes from, one line.
std::string_view LawSource(LawPreset preset);

// The domain of validity of a preset: the ranges of the training runs its
// constants were fitted on (MODEL.md §8 for muennighoff2023). A bound its
// source does not state is open: 0 for a minimum, infinity for a maximum.
// Beyond these ranges a prediction is an extrapolation of the law.
struct LawDomain {
  double params_min, params_max;                // N (kaplan2020: non-embedding N)
  double tokens_min, tokens_max;                // D, tokens seen
  double unique_tokens_min, unique_tokens_max;  // U
  double epochs_min, epochs_max;                // D / U (1: every token fresh)
  double params_per_unique_token_max;           // N / U
  std::string_view fitted_on;                   // the runs, and where the ranges come from
};
const LawDomain& FittedDomain(LawPreset preset);

// The smallest model any preset whose N counts the same parameters as `form`
// was fitted on (total parameters for the Chinchilla form, non-embedding
// parameters for the Kaplan form): below it no law has seen a model at all,
// so a planner answer that small is an implausible input, not a plan.
double SmallestFittedParams(LawForm form);

// Which ranges of `domain` the point exceeds, and by what factor, e.g.
// "params 11.5x above 8.67e+09; epochs 2x above 1"; empty inside the domain.
std::string Extrapolation(const LawDomain& domain, double params, double tokens,
                          double unique_tokens);

// The constants of `law`'s form (rd_star and rn_star included) whose value
// differs from its preset's, by their scenario names ("E", "alpha", "n_c").
std::vector<std::string_view> OverriddenConstants(const Law& law);

// How reports name a law: the preset, or "custom (from PRESET, overridden:
// E, A)" when any constant differs from the preset's, so that published
// names are never credited with constants they do not have.
std::string LawName(const Law& law);

// Every constant of `law`'s form in force, name and value, in scenario order.
std::vector<std::pair<std::string_view, double>> LawConstants(const Law& law);

// Empty when every constant is finite and in its domain (E in [0, 100];
// exponents in (0, 10]; coefficients and scales in (0, 1e30]; rd_star and
// rn_star in (0, 1e12]),
// else a message naming the first bad constant.
MaybeError Validate(const Law& law);

// L(N, D) on all-fresh data. Preconditions: n > 0, d > 0.
double Loss(const Law& law, double n, double d);

// MODEL.md §2b: `loss` (= L(N', D')) raised by overfitting after `repetitions`
// repetitions beyond the first epoch by a model of `effective_params` N' on
// `unique_tokens` U. Returns `loss` unchanged when !law.overfit or
// repetitions <= 0. Never below `loss`; non-decreasing in repetitions and N',
// non-increasing in U (given Validate(law)). `multiplier` scales z: 1 is the
// law as fitted; a regulariser that slows overfitting (weight decay's
// f(lambda), f(0.1) = 1) passes its factor here; 0 removes the term.
// The one place (with the fitters' templated copy in core/law_formulas.h)
// the term is evaluated.
double OverfitLoss(const Law& law, double loss, double effective_params, double unique_tokens,
                   double repetitions, double multiplier = 1.0);
// z of the formula above (0 when !law.overfit or repetitions <= 0).
double OverfitExponent(const Law& law, double effective_params, double unique_tokens,
                       double repetitions);
// The nats the overfitting term could still add to a run whose loss (with the
// term) is `loss`, at exponent z: H e^-z for the bounded-height shape
// (ratio2026), cap - loss for the capped one (overfit2026). Near 0: the
// penalty has saturated.
double OverfitRoom(const Law& law, double loss, double z);
// The early term of that z (ratio2026's second term; 0 without one), with the
// same overfit_scale: the planner's derivative needs the two terms apart.
double EarlyOverfitExponent(const Law& law, double effective_params, double unique_tokens,
                            double repetitions);

// The parameter count whose compute-optimal token count is `d` (U_N of
// MODEL.md §2 before the min with N). From the first-order condition
// dL/dlogN = dL/dlogD on C = 6ND; closed form for both forms.
double ComputeOptimalParamsForTokens(const Law& law, double d);
// Chinchilla form: log(alpha A / (beta B)), so that the above is
// exp((ComputeOptimalLogRatio(law) + beta log d) / alpha). Callers that need
// N_opt at many d compute it once; the value is the one the function uses.
double ComputeOptimalLogRatio(const Law& law);

struct Allocation {
  double params = 0;  // N_opt
  double tokens = 0;  // D_opt
};

// Loss-minimising (N, D) with 6 N D = flops (Hoffmann eq. 4 for the
// Chinchilla form; the same condition solved for the Kaplan form).
Allocation ComputeOptimal(const Law& law, double flops);

// Chinchilla form only: G = (alpha A / (beta B))^(1 / (alpha + beta)).
double AllocationG(const Law& law);

// ratio2026's constants (MODEL.md §2b) as fitted: z in N'/U only
// (overfit_a = overfit_c = ka), alpha = beta, overfit_c2 = a2 +
// kRatioEarlyDatasetExponent. The order of ratio2026_constants.inc.
struct RatioConstants {
  double e, a, b, alpha, rd_star, rn_star, w, ka, k, height, w2, a2, k2;
};
// The early term's extra exponent of 1e9/U: overfit_c2 = overfit_a2 + 0.1.
// Not fitted (the runs alone put it at 0): the smallest round value for which
// the loss never rises within 4 epochs at <= 2 params per unique token up to
// N = 2e11 (MODEL.md §2b, tests/test_law_properties.cpp); in the direction of
// Yan et al. 2025 (larger datasets can be repeated more).
inline constexpr double kRatioEarlyDatasetExponent = 0.1;
// `law` with the ratio form's constants `c` (the preset, its bootstrap sets
// and the ratio fit all build their laws here).
Law WithRatioConstants(Law law, const RatioConstants& c);

// --- Muennighoff et al. 2023 closed forms (MODEL.md §2; core/law_formulas.h)
// ----------------------

// D' = U + U R_D* (1 - exp(-R_D / R_D*)), R_D = max(D/U - 1, 0); D' = D for D <= U.
double EffectiveTokensClosedForm(double tokens, double unique_tokens, double rd_star);

// N' for N parameters when `unique_tokens_seen` unique tokens were seen and
// excess parameters decay with scale rn_star.
double EffectiveParams(const Law& law, double params, double unique_tokens_seen, double rn_star);

// L(N', D') of §2: the datablations reference function.
double DataConstrainedLoss(const Law& law, double params, double tokens, double unique_tokens);

// The law on all-fresh data: DataConstrainedLoss with unique tokens = tokens.
double FreshLoss(const Law& law, double params, double tokens);

}  // namespace repsim
