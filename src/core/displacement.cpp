// Capacity displacement by repeated mixture sources (repsim/displacement.h,
// MODEL.md §3b).

#include "repsim/displacement.h"

#include <cassert>
#include <cmath>

namespace repsim {

double MemorizationBump(double x) {
  assert(x >= 0);
  return x * std::exp(1.0 - x);
}

double DisplacementExponent(double params, std::span<const SlicePosition> sources, double strength,
                            double capacity_per_param) {
  assert(params > 0 && capacity_per_param > 0 && strength >= 0);
  if (sources.size() < 2 || strength == 0.0) return 0.0;
  const double capacity = capacity_per_param * params;  // tokens the model can memorise
  double sum = 0;
  for (size_t i = 0; i < sources.size(); ++i) {
    const SlicePosition& s = sources[i];
    if (!(s.lambda > 0)) continue;  // fresh so far: nothing memorised, nothing displaced
    double others_novel = 0;        // ν_−i
    for (size_t j = 0; j < sources.size(); ++j) {
      if (j != i) others_novel += sources[j].weight * std::exp(-sources[j].lambda);
    }
    const double memorised = -std::expm1(-s.lambda);  // m_i
    sum += strength * s.weight * others_novel * MemorizationBump(s.unique_tokens / capacity) *
           memorised;
  }
  return sum;
}

double CapacityLost(double params, std::span<const SlicePosition> sources, double strength,
                    double capacity_per_param) {
  return -std::expm1(-DisplacementExponent(params, sources, strength, capacity_per_param));
}

bool MayDisplaceCapacity(const Run& run) {
  return run.sources.size() > 1 && run.modifiers.displacement != 0.0;
}

}  // namespace repsim
