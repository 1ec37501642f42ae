#include "repsim/law.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <vector>

#include "core/law_formulas.h"

namespace repsim {
namespace {

constexpr std::array<LawPreset, 6> kPresets = {
    LawPreset::kChinchilla2022, LawPreset::kBesiroglu2024, LawPreset::kMuennighoff2023,
    LawPreset::kKaplan2020,     LawPreset::kOverfit2026,   LawPreset::kRatio2026};

// Muennighoff et al. 2023, huggingface/datablations utils/parametric_fit.ipynb:
// the decay constants fitted on 182 runs with E, A, B, alpha, beta held fixed.
constexpr double kMuennighoffRdStar = 15.387756;
constexpr double kMuennighoffRnStar = 5.309743;

// The smallest scale constant (A, B, n_c, d_c) and exponent Validate()
// accepts: as far below every published fit as 1e30 and 10 are above it. With
// a subnormal A (5e-324) or exponent the compute-optimal size underflows to 0
// and the loss is inf.
constexpr double kMinScale = 1e-30;
constexpr double kMinExponent = 1e-3;

constexpr LawConstant kLawConstants[] = {
    {"E", "irreducible loss (Chinchilla form)", "nats/token", &Law::e, 0, 100, false,
     LawForm::kChinchilla},
    {"A", "parameter-term coefficient (Chinchilla form)", "nats·params^alpha", &Law::a, kMinScale,
     1e30, false, LawForm::kChinchilla},
    {"B", "data-term coefficient (Chinchilla form)", "nats·tokens^beta", &Law::b, kMinScale, 1e30,
     false, LawForm::kChinchilla},
    {"alpha", "parameter exponent (Chinchilla form)", "", &Law::alpha, kMinExponent, 10, false,
     LawForm::kChinchilla},
    {"beta", "data exponent (Chinchilla form)", "", &Law::beta, kMinExponent, 10, false,
     LawForm::kChinchilla},
    {"alpha_n", "parameter exponent (Kaplan form)", "", &Law::alpha_n, kMinExponent, 10, false,
     LawForm::kKaplan},
    {"n_c", "parameter scale (Kaplan form)", "non-embedding params", &Law::n_c, kMinScale, 1e30,
     false, LawForm::kKaplan},
    {"alpha_d", "data exponent (Kaplan form)", "", &Law::alpha_d, kMinExponent, 10, false,
     LawForm::kKaplan},
    {"d_c", "data scale (Kaplan form)", "tokens", &Law::d_c, kMinScale, 1e30, false,
     LawForm::kKaplan},
    {"rd_star", "R_D*: decay scale of repeated data (Muennighoff 2023)", "epochs", &Law::rd_star, 0,
     kMaxDecayScale, true, std::nullopt},
    {"rn_star", "R_N*: decay scale of excess parameters (Muennighoff 2023)",
     "multiples of N_opt(U)", &Law::rn_star, 0, kMaxDecayScale, true, std::nullopt},
    // The overfitting term (MODEL.md §2b): only a law with Law::overfit.
    {"overfit_w", "overfitting: log of z's scale at N' = U = 1e9 params/tokens, R = 1", "",
     &Law::overfit_w, -100, 100, false, std::nullopt, true},
    {"overfit_a", "overfitting: exponent of effective params N'/1e9 in z", "", &Law::overfit_a, 0,
     20, false, std::nullopt, true},
    {"overfit_c", "overfitting: exponent of 1e9/U (unique tokens) in z", "", &Law::overfit_c, 0, 20,
     false, std::nullopt, true},
    {"overfit_k", "overfitting: exponent of R (repetitions beyond the first epoch) in z", "",
     &Law::overfit_k, 0, 20, true, std::nullopt, true},
    {"loss_cap", "overfitting: the loss an overfitting run tends to (capped shape, overfit2026)",
     "nats/token", &Law::loss_cap, 0, 100, true, std::nullopt, true, 1},
    {"overfit_height", "overfitting: the most the term adds, H in H (1 - e^-z) (ratio2026)",
     "nats/token", &Law::overfit_height, 0, 100, false, std::nullopt, true, 2},
    {"overfit_w2", "overfitting, early term: log of its scale at N' = U = 1e9, 2 epochs", "",
     &Law::overfit_w2, -100, 100, false, std::nullopt, true, 2},
    {"overfit_a2", "overfitting, early term: exponent of N'/1e9", "", &Law::overfit_a2, 0, 20,
     false, std::nullopt, true, 2},
    {"overfit_c2", "overfitting, early term: exponent of 1e9/U", "", &Law::overfit_c2, 0, 20, false,
     std::nullopt, true, 2},
    {"overfit_k2", "overfitting, early term: exponent k2 in (1 + R)^k2 - 1 (0: no early term)", "",
     &Law::overfit_k2, 0, 20, false, std::nullopt, true, 2},
};
// overfit2026 (MODEL.md §2b): fitted by `repsim fit --form overfit` on the 86
// repeated-vs-fresh pairs of ../shared/data/muennighoff2023_all_runs.csv
// (--group-by dedup), E, A, B, alpha, beta held at Muennighoff's. The cap is
// not fitted: 11 nats, just above ln(50257) = 10.82 (a uniform guess over the
// GPT-2 vocabulary those runs used); the worst measured run reaches 11.02.
struct OverfitConstants {
  double rd_star, rn_star, w, a, c, k;
};
constexpr OverfitConstants kOverfitConstants = {20.443677258023268, 74.70773824629075,
                                                -9.60670552812429,  3.566085638237251,
                                                2.9897476737266317, 1.1399041029191426};
constexpr OverfitConstants kOverfitBootstrap[] = {
#include "core/overfit2026_bootstrap.inc"
};
constexpr double kOverfitLossCap = 11.0;

// ratio2026 (MODEL.md §2b): fitted by `repsim fit --form ratio` on
// ../shared/data/muennighoff2023_all_runs.csv (--group-by dedup): Huber on
// the log loss of all seed-averaged runs plus the 86 penalty pairs; z in
// N'/U only (overfit_a = overfit_c = ka), alpha = beta.
// (RatioConstants and kRatioEarlyDatasetExponent: law.h.)
constexpr RatioConstants kRatioConstants = {
#include "core/ratio2026_constants.inc"
};
constexpr RatioConstants kRatioBootstrap[] = {
#include "core/ratio2026_bootstrap.inc"
};

// The bootstrap sets of the other fitted presets (scripts/bootstrap_sets.sh,
// MODEL.md §2c): row 0 the refit on all of the preset's data, then one row per
// resample. Columns E, A, B, alpha, beta, rd_star, rn_star (0: not fitted).
struct FittedConstants {
  double e, a, b, alpha, beta, rd_star, rn_star;
};
constexpr FittedConstants kMuennighoffBootstrap[] = {
#include "core/bootstrap_muennighoff2023.inc"
};
constexpr FittedConstants kChinchillaBootstrap[] = {
#include "core/bootstrap_chinchilla2022.inc"
};
constexpr FittedConstants kBesirogluBootstrap[] = {
#include "core/bootstrap_besiroglu2024.inc"
};

// `law` moved by resample `r`'s departure from the full refit `full`, in the
// space the fit works in: ratios for E, A, B (and R_D*, R_N*), differences
// for alpha and beta. So the published constants stay the centre and the
// spread is the fit's; `loss` moves E..beta, `decay` R_D* and R_N*.
Law Shifted(Law law, const FittedConstants& full, const FittedConstants& r, bool loss, bool decay) {
  if (loss) {
    law.e *= r.e / full.e;
    law.a *= r.a / full.a;
    law.b *= r.b / full.b;
    law.alpha += r.alpha - full.alpha;
    law.beta += r.beta - full.beta;
  }
  if (decay) {
    law.rd_star *= r.rd_star / full.rd_star;
    law.rn_star *= r.rn_star / full.rn_star;
  }
  return law;
}

}  // namespace

// In the order of kPresets.
constexpr std::array<std::string_view, 6> kPresetNames = {
    "chinchilla2022", "besiroglu2024", "muennighoff2023", "kaplan2020", "overfit2026", "ratio2026"};

std::string_view ToString(LawPreset preset) {
  for (size_t i = 0; i < kPresets.size(); ++i) {
    if (kPresets[i] == preset) return kPresetNames[i];
  }
  return "?";
}

std::optional<LawPreset> LawPresetFromString(std::string_view name) {
  for (size_t i = 0; i < kPresets.size(); ++i) {
    if (kPresetNames[i] == name) return kPresets[i];
  }
  return std::nullopt;
}

std::span<const LawPreset> AllLawPresets() { return kPresets; }
std::span<const std::string_view> LawPresetNames() { return kPresetNames; }

std::span<const LawConstant> LawConstants() { return kLawConstants; }

std::string_view LawSource(LawPreset preset) {
  switch (preset) {
    case LawPreset::kChinchilla2022:
      return "Hoffmann et al. 2022, 'Training compute-optimal large language models', approach 3";
    case LawPreset::kBesiroglu2024:
      return "Besiroglu et al. 2024, 'Chinchilla scaling: a replication attempt'";
    case LawPreset::kMuennighoff2023:
      return "Muennighoff et al. 2023, 'Scaling data-constrained language models' "
             "(huggingface/datablations)";
    case LawPreset::kKaplan2020:
      return "Kaplan et al. 2020, 'Scaling laws for neural language models', eq. 1.5 "
             "(non-embedding N, own tokenizer)";
    case LawPreset::kOverfit2026:
      return "repsim 2026: Muennighoff et al. 2023's law plus overfitting, fitted on the 86 "
             "datablations repeated-vs-fresh pairs (docs/MODEL.md §2b)";
    case LawPreset::kRatio2026:
      return "repsim 2026: Muennighoff et al. 2023's form with a bounded overfitting term in "
             "N'/U, fitted on the absolute losses of all 308 datablations runs and the 86 "
             "repeated-vs-fresh pairs (docs/MODEL.md §2b)";
  }
  return "?";
}

Law MakeLaw(LawPreset preset) {
  Law law;
  law.preset = preset;
  law.form = LawForm::kChinchilla;
  law.rd_star = kMuennighoffRdStar;
  law.rn_star = kMuennighoffRnStar;
  switch (preset) {
    case LawPreset::kChinchilla2022:  // Hoffmann et al. 2022, eq. 10 (approach 3)
      law.e = 1.69;
      law.a = 406.4;
      law.b = 410.7;
      law.alpha = 0.34;
      law.beta = 0.28;
      break;
    case LawPreset::kBesiroglu2024:  // Besiroglu et al. 2024, eq. 3
      law.e = 1.81686;
      law.a = 482.00572;
      law.b = 2085.43420;
      law.alpha = 0.34781;
      law.beta = 0.36585;
      break;
    case LawPreset::kMuennighoff2023:  // datablations: fitted in log space, a = log A etc.
      law.e = std::exp(0.6254804);
      law.a = std::exp(6.255414);
      law.b = std::exp(7.3049974);
      law.alpha = 0.3526596;
      law.beta = 0.3526596;
      break;
    case LawPreset::kOverfit2026:
      law = MakeLaw(LawPreset::kMuennighoff2023);
      law.preset = LawPreset::kOverfit2026;
      law.rd_star = kOverfitConstants.rd_star;
      law.rn_star = kOverfitConstants.rn_star;
      law.overfit = true;
      law.overfit_w = kOverfitConstants.w;
      law.overfit_a = kOverfitConstants.a;
      law.overfit_c = kOverfitConstants.c;
      law.overfit_k = kOverfitConstants.k;
      law.loss_cap = kOverfitLossCap;
      break;
    case LawPreset::kRatio2026:
      law.preset = preset;
      law = WithRatioConstants(law, kRatioConstants);
      break;
    case LawPreset::kKaplan2020:  // Kaplan et al. 2020, Table 2 / eq. 1.5
      law.form = LawForm::kKaplan;
      law.alpha_n = 0.076;
      law.n_c = 8.8e13;
      law.alpha_d = 0.095;
      law.d_c = 5.4e13;
      break;
  }
  return law;
}

MaybeError Validate(const Law& law) {
  if (!(std::isfinite(law.overfit_scale) && law.overfit_scale > 0 && law.overfit_scale <= 1e6)) {
    return fmt::format("overfit_scale = {}: must be > 0 and <= 1e6", law.overfit_scale);
  }
  // Every constant the law has, by its row's range. Of an overfitting law
  // every term constant is checked (the early term's zeros are in range), but
  // the cap only when the shape is capped (ratio2026's loss_cap is 0).
  for (const LawConstant& c : kLawConstants) {
    const bool checked = c.overfit
                             ? law.overfit && !(c.overfit_shape == 1 && law.overfit_height != 0)
                             : HasConstant(law, c);
    if (!checked) continue;
    const double v = law.*c.field;
    const bool ok = std::isfinite(v) && (c.lo_exclusive ? v > c.lo : v >= c.lo) && v <= c.hi;
    if (!ok) {
      return fmt::format("{} = {}: must be {} {:g} and <= {:g}", c.name, v,
                         c.lo_exclusive ? ">" : ">=", c.lo, c.hi);
    }
  }
  if (law.overfit && law.overfit_a > law.overfit_c + law.overfit_k) {
    return fmt::format(
        "overfit_a = {}: must be <= overfit_c + overfit_k = {} (else more unique tokens "
        "could raise the loss)",
        law.overfit_a, law.overfit_c + law.overfit_k);
  }
  if (law.overfit && law.overfit_k2 > 0 && law.overfit_a2 > law.overfit_c2 + law.overfit_k2) {
    return fmt::format(
        "overfit_a2 = {}: must be <= overfit_c2 + overfit_k2 = {} (else more unique tokens "
        "could raise the loss)",
        law.overfit_a2, law.overfit_c2 + law.overfit_k2);
  }
  return std::nullopt;
}

double Loss(const Law& law, double n, double d) {
  if (law.form == LawForm::kChinchilla) {
    return formulas::ChinchillaLoss<double>(law.e, law.a, law.b, law.alpha, law.beta, n, d);
  }
  const double k = law.alpha_n / law.alpha_d;
  return std::pow(std::pow(law.n_c / n, k) + law.d_c / d, law.alpha_d);
}

Law WithRatioConstants(Law law, const RatioConstants& c) {
  law.e = c.e;
  law.a = c.a;
  law.b = c.b;
  law.alpha = law.beta = c.alpha;
  law.rd_star = c.rd_star;
  law.rn_star = c.rn_star;
  law.overfit = true;
  law.overfit_w = c.w;
  law.overfit_a = law.overfit_c = c.ka;
  law.overfit_k = c.k;
  law.loss_cap = 0;
  law.overfit_height = c.height;
  law.overfit_w2 = c.w2;
  law.overfit_a2 = c.a2;
  law.overfit_c2 = c.a2 + kRatioEarlyDatasetExponent;
  law.overfit_k2 = c.k2;
  return law;
}

double OverfitExponent(const Law& law, double effective_params, double unique_tokens,
                       double repetitions) {
  if (!law.overfit || !(repetitions > 0)) return 0.0;
  // overfit_scale: the training's factor on z (weight decay, weight_decay.h),
  // on both of ratio2026's terms.
  const double ln_np = std::log(effective_params), ln_u = std::log(unique_tokens);
  return law.overfit_scale * formulas::OverfitExponent(law.overfit_w, law.overfit_a, law.overfit_c,
                                                       law.overfit_k, law.overfit_w2,
                                                       law.overfit_a2, law.overfit_c2,
                                                       law.overfit_k2, ln_np, ln_u, repetitions);
}

double OverfitRoom(const Law& law, double loss, double z) {
  return law.overfit_height > 0 ? law.overfit_height * std::exp(-z) : law.loss_cap - loss;
}

double EarlyOverfitExponent(const Law& law, double effective_params, double unique_tokens,
                            double repetitions) {
  if (!law.overfit || !(repetitions > 0)) return 0.0;
  return law.overfit_scale * formulas::EarlyOverfitExponent(
                                 law.overfit_w2, law.overfit_a2, law.overfit_c2, law.overfit_k2,
                                 std::log(effective_params), std::log(unique_tokens), repetitions);
}

double OverfitLoss(const Law& law, double loss, double effective_params, double unique_tokens,
                   double repetitions, double multiplier) {
  const double z = OverfitExponent(law, effective_params, unique_tokens, repetitions);
  if (z == 0.0 || multiplier == 0.0) return loss;
  return formulas::Overfit(loss, z, multiplier, law.loss_cap, law.overfit_height);
}

std::vector<Law> PresetBootstrapLaws(LawPreset preset) {
  std::vector<Law> out;
  const std::span<const FittedConstants> decay = kMuennighoffBootstrap;
  if (preset == LawPreset::kMuennighoff2023) {
    for (size_t i = 1; i < decay.size(); ++i) {
      out.push_back(Shifted(MakeLaw(preset), decay[0], decay[i], false, true));
    }
    return out;
  }
  if (preset == LawPreset::kChinchilla2022 || preset == LawPreset::kBesiroglu2024) {
    // E..beta from the Chinchilla data; R_D*, R_N* (Muennighoff's, as the
    // preset's) from the datablations resample of the same index.
    const std::span<const FittedConstants> set =
        preset == LawPreset::kChinchilla2022
            ? std::span<const FittedConstants>(kChinchillaBootstrap)
            : std::span<const FittedConstants>(kBesirogluBootstrap);
    for (size_t i = 1; i < set.size(); ++i) {
      const Law law = Shifted(MakeLaw(preset), set[0], set[i], true, false);
      const size_t j = 1 + (i - 1) % (decay.size() - 1);
      out.push_back(Shifted(law, decay[0], decay[j], false, true));
    }
    return out;
  }
  if (preset == LawPreset::kRatio2026) {
    for (const RatioConstants& c : kRatioBootstrap) {
      out.push_back(WithRatioConstants(MakeLaw(preset), c));
    }
    return out;
  }
  if (preset != LawPreset::kOverfit2026) return out;
  for (const OverfitConstants& c : kOverfitBootstrap) {
    Law law = MakeLaw(preset);
    law.rd_star = c.rd_star;
    law.rn_star = c.rn_star;
    law.overfit_w = c.w;
    law.overfit_a = c.a;
    law.overfit_c = c.c;
    law.overfit_k = c.k;
    out.push_back(law);
  }
  return out;
}

double AllocationG(const Law& law) {
  return std::pow(law.alpha * law.a / (law.beta * law.b), 1.0 / (law.alpha + law.beta));
}

double ComputeOptimalLogRatio(const Law& law) {
  return std::log(law.alpha * law.a / (law.beta * law.b));
}

double ComputeOptimalParamsForTokens(const Law& law, double d) {
  if (law.form == LawForm::kChinchilla) {
    // alpha A N^-alpha = beta B D^-beta  =>  N = (alpha A D^beta / (beta B))^(1/alpha),
    // which is MODEL.md's (D G)^(beta/alpha) G.
    return std::exp((ComputeOptimalLogRatio(law) + law.beta * std::log(d)) / law.alpha);
  }
  // k (n_c/N)^k = d_c / D  =>  N = n_c (k D / d_c)^(1/k), k = alpha_n / alpha_d.
  const double k = law.alpha_n / law.alpha_d;
  return law.n_c * std::pow(k * d / law.d_c, 1.0 / k);
}

Allocation ComputeOptimal(const Law& law, double flops) {
  Allocation out;
  if (law.form == LawForm::kChinchilla) {
    const double g = AllocationG(law);
    const double s = law.alpha + law.beta;
    out.params = g * std::pow(flops / 6.0, law.beta / s);
    out.tokens = std::pow(flops / 6.0, law.alpha / s) / g;
    return out;
  }
  // Minimise (n_c/N)^k + d_c 6 N / C:  N^(k+1) = k n_c^k C / (6 d_c).
  const double k = law.alpha_n / law.alpha_d;
  out.params =
      std::exp((std::log(k) + k * std::log(law.n_c) + std::log(flops / 6.0) - std::log(law.d_c)) /
               (k + 1.0));
  out.tokens = flops / (6.0 * out.params);
  return out;
}

// --- Muennighoff et al. 2023 closed forms (law.h) -----------------------------

double EffectiveTokensClosedForm(double tokens, double unique_tokens, double rd_star) {
  return formulas::EffectiveTokens<double>(tokens, unique_tokens, rd_star);
}

double EffectiveParams(const Law& law, double params, double unique_tokens_seen, double rn_star) {
  return formulas::EffectiveParams<double>(
      params, ComputeOptimalParamsForTokens(law, unique_tokens_seen), rn_star);
}

double DataConstrainedLoss(const Law& law, double params, double tokens, double unique_tokens) {
  const double seen = std::min(tokens, unique_tokens);
  const double np = EffectiveParams(law, params, seen, law.rn_star);
  const double dp = EffectiveTokensClosedForm(tokens, unique_tokens, law.rd_star);
  return OverfitLoss(law, Loss(law, np, dp), np, seen, tokens / unique_tokens - 1.0);
}

double FreshLoss(const Law& law, double params, double tokens) {
  return Loss(law, EffectiveParams(law, params, tokens, law.rn_star), tokens);
}

}  // namespace repsim
