// The table of loss-law presets that `repsim laws` prints and `repsim serve`
// returns from GET /api/laws: every constant and its source.
#pragma once

#include "io/table.h"

namespace repsim::io {

// One row per preset (AllLawPresets()): preset, form, the constants of its
// form (empty cells for the other form's), rd_star, rn_star, source.
Table LawsTable();

}  // namespace repsim::io
