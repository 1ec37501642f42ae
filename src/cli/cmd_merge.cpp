// Placeholder: replaced by the merge implementation.
#include <fmt/format.h>

#include "cli/commands.h"

namespace repsim::cli {
int MergeCommand(const Args&) {
  fmt::print(stderr, "repsim merge: not implemented yet\n");
  return 1;
}
}  // namespace repsim::cli
