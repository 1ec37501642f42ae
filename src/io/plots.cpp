// Placeholder: replaced by the plots implementation.
#include "io/plots.h"

namespace repsim::io {
std::optional<std::string> WritePlots(const ScenarioResults&, const PlotOptions&, const Staging&) {
  return std::nullopt;
}
}  // namespace repsim::io
