// repsim: capacity displaced by memorising heavily repeated mixture sources
// (MODEL.md §3b).
//
// Hernandez et al. 2022 ("Scaling Laws and Interpretability of Learning from
// Repeated Data", arXiv 2205.10487): 10 % of 100B training tokens drawn from a
// 100M-token slice repeated 100 times turns an 800M model into the equivalent
// of a 400M one; the harm peaks in a middle range of repetition, where the
// slice "can be memorized and doing so consumes a large fraction of the
// model's capacity". This header is that mechanism, as a separate term:
//
//   x_i   = U_i / (c_mem · N)                     slice size over memorisation capacity
//   B(x)  = x · e^(1 − x)                         memorisability: ∝ x below capacity, vanishing
//   above m_i   = 1 − e^(−Λ_i)                          how far the slice is memorised (Λ_i: §3's
//   decay exponent) ν_−i  = Σ_{j≠i} w_j · e^(−Λ_j)                share of training tokens from
//   other, still-novel sources S_i   = λ · w_i · ν_−i · B(x_i) · m_i φ     = 1 − exp(−Σ_i S_i)
//   share of N' displaced ("capacity_lost") N″    = (1 − φ) · N'                          the
//   parameters left for generalisation
//
// λ (`modifiers.displacement`) is calibrated to the Hernandez setting
// (calibration.h); c_mem (`modifiers.memorization_capacity`, tokens per
// parameter) is Morris et al. 2025's 3.6 bits per parameter over the bits of a
// token id. φ is exactly 0 when no source is repeated (every Λ_i = 0) and for a
// single source (nothing else to displace: ν = 0), so every run that is not a
// mixture with a repeated source keeps its numbers bit for bit.
#pragma once

#include <span>

#include "repsim/run.h"

namespace repsim {

// One source of a mixture at a point of the run, as the term sees it.
struct SlicePosition {
  double unique_tokens = 0;  // U_i, tokens (> 0)
  double weight = 0;         // w_i, fraction of training tokens drawn from it (in (0, 1])
  double lambda = 0;  // Λ_i >= 0: −log of the value of its next repeated token; 0 while fresh
};

// B(x) = x e^(1 − x): 0 at x = 0, its maximum 1 at x = 1 (the slice just fills
// the memorisation capacity), ≈ e·x for a slice much smaller than capacity and
// falling off exponentially for one larger than it. Precondition: x >= 0.
double MemorizationBump(double x);

// Σ_i S_i for a model of `params` parameters (> 0), `strength` = λ >= 0 and
// `capacity_per_param` = c_mem > 0 tokens per parameter. 0 when fewer than two
// sources or no source has Λ > 0.
double DisplacementExponent(double params, std::span<const SlicePosition> sources, double strength,
                            double capacity_per_param);

// φ = 1 − exp(−DisplacementExponent(...)), in [0, 1): the share of the
// effective parameters N' taken by memorising the repeated sources.
double CapacityLost(double params, std::span<const SlicePosition> sources, double strength,
                    double capacity_per_param);

// False when the term is 0 at every point of `run` whatever its repetition: a
// single source, or strength 0. Fast paths that do not evaluate the term
// (sweep.h's closed form, the grid kernel) must only accept runs for which
// this is false.
bool MayDisplaceCapacity(const Run& run);

}  // namespace repsim
