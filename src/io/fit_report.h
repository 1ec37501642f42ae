// A fit and what it was fitted to, as `repsim fit` writes it and
// repsim.fit() returns it: one field table (FitReportFields) from which the
// CLI's JSON and the Python dict are both built (through value.h's tree), and
// one [law] TOML writer for `fit --format toml` and FitResult.law_toml().
#pragma once

#include <array>
#include <optional>
#include <string>

#include "io/fields.h"
#include "io/value.h"
#include "repsim/fit.h"

namespace repsim::io {

struct FitReport {
  // Who fitted, for the TOML's comment and `source`: "repsim fit --form
  // chinchilla", "repsim.fit(form='chinchilla')".
  std::string made_by;
  std::optional<std::string> file;  // the runs file; none for runs given in memory
  int runs_read = 0;                // before dropped_highest
  int dropped_highest = 0;
  FitOptions options;  // as fitted: huber_delta, the held constants
  std::optional<std::string> fix_preset;
  std::string fix_preset_given_as;  // how the front end was told: "--fix-preset X", "fix='X'"
  FitResult fit;                    // its warnings include the bootstrap's
  std::optional<BootstrapResult> boot;
  LawDomain domain;  // the fitted runs' ranges: the fit's domain of validity

  bool is_fixed(FitParam p) const { return options.fixed[static_cast<size_t>(p)].has_value(); }
};

// The report's members in output order: file, form, runs, ..., constants,
// fixed, ..., domain, warnings, bootstrap (null without one).
FieldTable<FitReport> FitReportFields();
// The report as a tree (FitReportFields' values).
Value FitReportValue(const FitReport& r);
// `repsim fit --format json`: the tree's JSON and a newline.
std::string FitReportJson(const FitReport& r);
// `repsim fit --format toml`: comments (how it was fitted, what was held, the
// bootstrap's standard errors, the domain, the warnings), then a [law] table
// of the preset whose form the constants belong to, a `source` naming this
// fit, and every constant at 17 significant digits.
std::string FitReportToml(const FitReport& r);
// "240 runs from x.csv (235 of 240 kept: the 5 highest losses dropped)".
std::string FitRunsLine(const FitReport& r);

}  // namespace repsim::io
