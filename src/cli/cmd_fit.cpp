// Placeholder: replaced by the fit implementation.
#include <fmt/format.h>

#include "cli/commands.h"

namespace repsim::cli {
int FitCommand(const Args&) {
  fmt::print(stderr, "repsim fit: not implemented yet\n");
  return 1;
}
}  // namespace repsim::cli
