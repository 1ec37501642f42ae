// `repsim fit RUNS.csv --form overfit`: fits MODEL.md §2b's overfitting form
// on the repeated-vs-fresh pairs of a runs file (include/repsim/validate.h),
// with bootstrap intervals. cmd_fit.cpp hands `--form overfit` over to here:
// this form is fitted on pairs, not on single runs, and takes --group-by.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/fit_form_flags.h"
#include "cli/flags.h"
#include "io/result_fields.h"
#include "io/runs_csv.h"
#include "io/table.h"
#include "repsim/law.h"
#include "repsim/validate.h"

namespace repsim::cli {
namespace {

constexpr const char* kUsage =
    "Usage: repsim fit RUNS.csv --form overfit [--group-by COL]... [--bootstrap B] [--seed S]\n"
    "                  [--samples FILE] [--threads T] [--format table|json|csv|toml]\n"
    "\n"
    "Fits the overfitting form (docs/MODEL.md §2b) on the repeated-vs-fresh pairs of\n"
    "RUNS.csv (params, tokens, unique_tokens, loss; pairing rule: `repsim validate --help`):\n"
    "  L = L(N', D') + max(loss_cap - L(N', D'), 0) (1 - exp(-z)),\n"
    "  z = exp(overfit_w) (N'/1e9)^overfit_a (U/1e9)^-overfit_c R^overfit_k,\n"
    "with N', D' of Muennighoff et al. 2023 (R_D*, R_N* refitted), R = epochs - 1,\n"
    "E, A, B, alpha, beta of muennighoff2023 and loss_cap = 11 nats held fixed.\n"
    "Objective: sum of Huber(delta = 0.01) of log(predicted L_rep/L_fresh) - log(measured\n"
    "L_rep/L_fresh) over the pairs; L-BFGS from 64 starts, the best kept.\n"
    "--bootstrap B resamples the pairs B times (seeded by --seed) and reports standard\n"
    "errors and 95% percentile intervals; --samples FILE writes each resample's constants.\n"
    "\n"
    "Small run sets: constants the pairs cannot identify are held at overfit2026's value\n"
    "and the output says so (column `fitted`): with one params value overfit_a, one\n"
    "unique_tokens value overfit_c, fewer than 3 epoch values overfit_k (and rd_star with\n"
    "one), then more while the free constants outnumber the pairs, and while no start\n"
    "ends at valid constants: the exponents, then overfit_w, then rd_star and rn_star.\n"
    "Warnings (held\n"
    "constants, exponents above 10, decay scales beyond 1e6, more than 10 % of bootstrap\n"
    "refits failed) go to stderr, the text table, JSON's \"warnings\" and TOML comments.\n"
    "The domain of validity is the runs' ranges (printed, JSON \"domain\", TOML comment);\n"
    "--format toml carries `source`. No pair at all: exit 2.";

}  // namespace

int FitOverfitCommand(const Args& args) {
  FormFitText t;
  FlagSet flags("fit", kUsage);
  DeclareFormFitFlags(flags, &t, "overfit", "pairs");
  if (auto code = flags.Parse(args)) return *code;
  const std::vector<std::string>& files = t.files;
  const std::vector<std::string>& groups = t.groups;
  const std::string &format = t.format, &samples = t.samples;
  auto UsageError = [&](const std::string& m) { return flags.UsageError(m); };
  if (files.size() != 1)
    return UsageError("one runs file expected: repsim fit RUNS.csv --form overfit");
  FormFitFlags ff;
  if (auto code = CheckFormFitFlags(flags, t.bootstrap, t.seed, t.threads, format, &ff)) {
    return *code;
  }

  Expected<std::vector<MeasuredRun>> runs = io::ReadMeasuredRunsCsv(files[0], groups);
  if (!runs) {
    return Fail("fit", runs.error());
  }
  const std::vector<PenaltyPair> pairs = FormPairs(*runs);
  if (pairs.empty()) {
    return Fail("fit", fmt::format("{}: too little data: no repeated-vs-fresh pairs (a pair "
                                   "needs a run with unique_tokens < tokens and one with "
                                   "unique_tokens >= tokens at the same params and tokens{})",
                                   files[0], groups.empty() ? "" : " and group values"));
  }
  OverfitFitOptions options;
  options.base = MakeLaw(LawPreset::kOverfit2026);  // E..beta of muennighoff2023, the cap
  options.threads = ff.threads;
  // Constants the pairs cannot identify are held at overfit2026's value.
  std::vector<std::string> reasons, warnings;
  Expected<OverfitFit> fit = FitOverfitIdentifiable(pairs, options, &reasons);
  if (fit) options.held = fit->held;  // the bootstrap refits hold the same
  if (!fit) {
    if (fit.error_key() == kDataErrorKey) {
      return Fail("fit", fmt::format("{}: too little data: {}", files[0], fit.error()));
    }
    return Fail("fit", fmt::format("{}: {}", files[0], fit.error()), kExitInternal);
  }
  const auto names = OverfitParamNames();
  std::vector<std::string> held;
  for (size_t i = 0; i < names.size(); ++i) {
    if (options.held[i]) held.emplace_back(names[i]);
  }
  if (!held.empty()) {
    warnings.insert(warnings.begin(),
                    fmt::format("{} held at overfit2026's value: {}", fmt::join(held, ", "),
                                fmt::format("{}", fmt::join(reasons, "; "))));
  }
  for (std::string& w : ImplausibleOverfitConstants(fit->law)) warnings.push_back(std::move(w));
  std::vector<Law> boot;
  if (ff.bootstrap > 0) {
    Expected<std::vector<Law>> r =
        BootstrapOverfitForm(pairs, options, *fit, static_cast<int>(ff.bootstrap), ff.seed);
    if (!r) {
      return Fail("fit", r.error(), kExitInternal);
    }
    boot = std::move(*r);
    const int failed = static_cast<int>(ff.bootstrap) - static_cast<int>(boot.size());
    if (auto w = BootstrapFailureWarning(failed, static_cast<int>(ff.bootstrap)))
      warnings.push_back(*w);
  }
  // The domain of validity: the ranges of the runs in the pairs.
  std::vector<FitRun> paired;
  for (const PenaltyPair& p : pairs) {
    paired.push_back(FitRun{p.params, p.tokens, p.unique_tokens, p.loss_repeated});
    paired.push_back(FitRun{p.params, p.tokens, p.tokens, p.loss_fresh});
  }
  const LawDomain domain = DomainOfRuns(paired);
  const std::vector<double> best = LawValues(fit->law, names);
  for (const std::string& w : warnings) Warn("fit", w);
  const std::string source =
      fmt::format("repsim fit --form overfit to {} pairs from {}, objective {}", fit->pairs,
                  files[0], io::Num(fit->objective));

  // Each resample's constants, a row per resample (spread cells, --samples).
  std::vector<std::vector<double>> boot_rows;
  boot_rows.reserve(boot.size());
  for (const Law& l : boot) boot_rows.push_back(LawValues(l, names));
  // --samples in every format (toml too).
  if (!samples.empty()) {
    if (auto code = WriteBootstrapSamples(samples, names, boot_rows)) return *code;
  }
  if (format == "toml") {
    fmt::print("# repsim fit {} --form overfit: {} pairs, objective {}\n", files[0], fit->pairs,
               io::Num(fit->objective));
    fmt::print("# domain of validity (the runs' ranges): {}\n", DomainLine(domain));
    for (const std::string& w : warnings) fmt::print("# warning: {}\n", w);
    fmt::print("[law]\npreset = \"overfit2026\"\nsource = {}\n", io::JsonString(source));
    for (size_t i = 0; i < names.size(); ++i) fmt::print("{} = {}\n", names[i], io::Num(best[i]));
    return 0;
  }
  io::Table table;
  table.AddColumn("constant", false);
  table.AddColumn("value");
  table.AddColumn("fitted", false);
  if (!boot.empty()) {
    for (const char* c : {"std_error", "ci95_low", "ci95_high"}) table.AddColumn(c);
  }
  for (size_t i = 0; i < names.size(); ++i) {
    std::vector<std::string> row = {std::string(names[i]), io::Num(best[i]),
                                    options.held[i] ? "held at overfit2026" : "fitted"};
    if (!boot.empty() && options.held[i]) {
      // Held: every resample holds the same value (no spread, not exp(log(v)) noise).
      row.insert(row.end(), {"0", io::Num(best[i]), io::Num(best[i])});
    } else if (!boot.empty()) {
      for (std::string& c : BootstrapCells(boot_rows, i)) row.push_back(std::move(c));
    }
    table.AddRow(std::move(row));
  }
  if (format == "table") {
    fmt::print("{}", FormFitPreamble(
                         fmt::format("{}: {} pairs from {} runs; objective {} (Huber delta {} on "
                                     "log penalty ratios); {} of {} starts reached the best{}",
                                     files[0], fit->pairs, runs->size(), io::Short(fit->objective),
                                     kPenaltyHuberDelta, fit->converged_to_best, fit->starts,
                                     boot.empty() ? ""
                                                  : fmt::format("; {} of {} resamples refitted",
                                                                boot.size(), ff.bootstrap)),
                         domain));
    fmt::print("{}", io::RenderText(table, io::TextWidth()));
    for (const std::string& w : warnings) {
      fmt::print("{}", io::WrapLines(fmt::format("warning: {}\n", w), io::TextWidth()));
    }
  } else if (format == "json") {
    std::string out = "{\n";
    out += fmt::format("  \"file\": {},\n  \"form\": \"overfit\",\n", io::JsonString(files[0]));
    out += fmt::format("  \"runs\": {},\n  \"pairs\": {},\n  \"objective\": {},\n", runs->size(),
                       fit->pairs, io::Num(fit->objective));
    out += fmt::format("  \"starts\": {},\n  \"converged_to_best\": {},\n", fit->starts,
                       fit->converged_to_best);
    out += fmt::format("  \"source\": {},\n", io::JsonString(source));
    out += "  \"domain\": ";
    out += io::JsonObject(io::LawDomainFields(), domain);
    out += ",\n";
    out += "  \"bootstrap\": ";
    out += ff.bootstrap > 0
               ? fmt::format("{{\"resamples\": {}, \"refitted\": {}}}", ff.bootstrap, boot.size())
               : std::string("null");
    out += ",\n  \"warnings\": [";
    for (size_t i = 0; i < warnings.size(); ++i) {
      out += (i ? ", " : "") + io::JsonString(warnings[i]);
    }
    out += "],\n  \"constants\": ";
    std::string constants = io::RenderJson(table);
    while (!constants.empty() && constants.back() == '\n') constants.pop_back();
    out += constants + "\n}\n";
    fmt::print("{}", out);
  } else {
    fmt::print("{}", io::RenderCsv(table));
  }
  return 0;
}

}  // namespace repsim::cli
