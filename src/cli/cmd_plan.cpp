// Placeholder: replaced by the plan implementation.
#include <fmt/format.h>

#include "cli/commands.h"

namespace repsim::cli {
int PlanCommand(const Args&) {
  fmt::print(stderr, "repsim plan: not implemented yet\n");
  return 1;
}
}  // namespace repsim::cli
