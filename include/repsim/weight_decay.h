// repsim: weight decay's effect on overfitting (issue 21, docs/WEIGHT_DECAY.md).
//
// AdamW weight decay λ scales the overfitting term of a law that has one
// (MODEL.md §2b: z, the exponent of the penalty) by a factor f(λ):
//
//   f(λ) = ((1 + λ/s) / (1 + λ_ref/s))^(-k),  k chosen so that f(λ_strong) = f_strong,
//
// with λ_ref = 0.1 (standard practice: f = 1 exactly, so every result with
// the default weight decay is unchanged) and λ_strong = 1.0.
//
// What is measured (Lovelace et al. 2026, arXiv 2605.01640): λ = 1.0 cuts
// the additive overfitting coefficient by about 70 % against λ = 0.1, i.e.
// f(1.0) ≈ 0.3 -- one point. Kim et al. 2025 (arXiv 2509.14786) find the
// loss-optimal weight decay with limited data about 30x standard practice
// (λ ≈ 3), i.e. the benefit has not run out at 1.0 -- qualitative, no factor.
//
// What is assumed (assumptions.h, printed as `assumption:` lines and moved
// across their ranges in --intervals bands and ranking flips):
//   * weight_decay_shape = s in [0.03, 3] (0.3): the shape between and beyond
//     the two points: s -> 0 makes f a power law in λ (f(0) large, f keeps
//     falling as λ^-k), s -> inf an exponential (f(0) ≈ 1.14, fast decay
//     beyond 1.0);
//   * weight_decay_factor = f(1.0) in [0.2, 0.4] (0.3): "approximately 70 %"
//     read as 60-80 %.
// Not modelled: weight decay's cost to learning on fresh data (which is why
// Kim et al.'s optimum is finite); weight decay above kMaxStudiedWeightDecay
// is beyond any source and said so.
#pragma once

namespace repsim {

// The weight decay of standard practice (GPT-3, Chinchilla, Lovelace et
// al.'s baseline): the reference at which f = 1.
inline constexpr double kDefaultWeightDecay = 0.1;
// Lovelace et al. 2026's strong weight decay and its measured factor.
inline constexpr double kStrongWeightDecay = 1.0;
inline constexpr double kDefaultWeightDecayFactor = 0.3;
// The assumed shape scale s (see above) and its stated range.
inline constexpr double kDefaultWeightDecayShape = 0.3;
// The largest weight decay any source tuned (Kim et al. 2025: ~30x 0.1).
inline constexpr double kMaxStudiedWeightDecay = 3.0;
// The largest accepted (training.weight_decay, --weight-decay).
inline constexpr double kMaxWeightDecay = 10.0;

// f(λ) above, for weight decay `lambda` >= 0, shape s > 0 and f(1.0) =
// `factor_at_strong` in (0, 1]. Exactly 1 at λ = 0.1 and `factor_at_strong`
// at λ = 1.0 whatever the shape; positive and non-increasing in λ.
double WeightDecayOverfitFactor(double lambda, double shape, double factor_at_strong);

}  // namespace repsim
