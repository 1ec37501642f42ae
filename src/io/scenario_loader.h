// Scenario files in: TOML (toml++) → validated `Scenario` (SCENARIO.md).
//
// Every error is a Diagnostic pointing at the key or value at fault, with a
// suggestion for unknown keys and names. Exceptions from toml++ stop here.
#pragma once

#include <istream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/diagnostic.h"
#include "repsim/scenario.h"

namespace repsim::io {

struct LoadResult {
  std::optional<Scenario> scenario;  // set when errors is empty
  std::vector<Diagnostic> errors;
  std::string source;  // the file's text, for formatting the diagnostics

  // Every diagnostic, formatted with its source line and caret.
  std::string FormatErrors() const;
};

struct LoadOptions {
  // Load runs that CheckPlausible (repsim/plausibility.h) takes for unit
  // slips (params = 7, a loss above the law's cap); contradictions stay errors.
  bool allow_implausible = false;
};

// `sets`: "KEY=VALUE" assignments applied before validation (`repsim run
// --set`, io/scenario_set.h); a diagnostic at a set value names the --set.
LoadResult LoadScenarioFile(const std::string& path, std::span<const std::string> sets = {},
                            const LoadOptions& options = {});
// At most TomlLimits::max_bytes are read from `in` (standard input, a
// device): more is an error, found without reading the rest.
LoadResult LoadScenarioStream(std::istream& in, const std::string& path,
                              std::span<const std::string> sets = {},
                              const LoadOptions& options = {});
LoadResult LoadScenarioText(std::string_view text, const std::string& path,
                            std::span<const std::string> sets = {},
                            const LoadOptions& options = {});

}  // namespace repsim::io
