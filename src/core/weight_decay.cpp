// Weight decay's factor on the overfitting term (repsim/weight_decay.h).
#include "repsim/weight_decay.h"

#include <cmath>

namespace repsim {

double WeightDecayOverfitFactor(double lambda, double shape, double factor_at_strong) {
  if (lambda == kDefaultWeightDecay) return 1.0;  // the reference, exactly
  const double base = 1.0 + kDefaultWeightDecay / shape;
  // k from f(λ_strong) = factor: ((1 + λ_strong/s) / base)^-k = factor.
  const double k =
      -std::log(factor_at_strong) / std::log((1.0 + kStrongWeightDecay / shape) / base);
  return std::pow((1.0 + lambda / shape) / base, -k);
}

}  // namespace repsim
