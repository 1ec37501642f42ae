// Reading the held-out evidence file (../shared/data/heldout_evidence.csv)
// for `repsim validate --evidence` (include/repsim/evidence.h).
//
// Header columns needed (any order, others ignored): source, setting, params,
// unique_tokens, tokens, epochs, dropout, objective, metric, value,
// fresh_value; verification and notes are kept when present. Numbers may be
// empty (absent); a non-empty number cell must parse, be finite and >= 0.
// Errors name file:line, the column and the value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "repsim/evidence.h"
#include "repsim/status.h"

namespace repsim::io {

Expected<std::vector<EvidenceRow>> ParseEvidenceCsv(std::string_view text, std::string_view name);
Expected<std::vector<EvidenceRow>> ReadEvidenceCsv(const std::string& path);

}  // namespace repsim::io
