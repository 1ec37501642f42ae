// Placeholder: replaced by the sweep implementation.
#include "io/sweep_writer.h"

namespace repsim::io {
std::optional<std::string> RunSweep(const Scenario&, const SweepOptions&, const Staging&,
                                    SweepReport*) {
  return std::string("[[sweep.axis]]: sweeps are not supported yet");
}
}  // namespace repsim::io
