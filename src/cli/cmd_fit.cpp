// `repsim fit`: fit a loss law to measured runs (MODEL.md §6).
//
// Wiring only: parse and validate flags (cli/flags.h), read the CSV
// (src/io/runs_csv.h), call the core (include/repsim/fit.h), write one of
// four formats. Every bad flag or value is an error naming the flag and the
// value, exit code 2; a fit that fails is exit code 1 (STYLE.md).
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "io/fit_report.h"
#include "io/progress.h"
#include "io/result_fields.h"
#include "io/runs_csv.h"
#include "io/staging.h"
#include "io/suggest.h"
#include "io/table.h"
#include "repsim/fit.h"
#include "repsim/law.h"
#include "repsim/scenario.h"

namespace repsim::cli {
namespace {

constexpr int kMaxThreads = 1024;
constexpr int kMaxBootstrap = 1000000;

// The usage text; the constant counts and grid sizes are the table's (fit.h).
std::string Usage() {
  FitOptions chin, dc;
  dc.form = FitForm::kDataConstrained;
  return fmt::format(
      "Usage: repsim fit RUNS.csv [--form chinchilla|data-constrained|overfit|ratio] [--fix "
      "NAME=VALUE]...\n"
      "                  [--fix-preset PRESET] [--huber-delta D] [--drop-highest K]\n"
      "                  [--starts grid|N] [--bootstrap B] [--seed S] [--samples FILE] [--threads "
      "T]\n"
      "                  [--format table|json|csv|toml]\n"
      "\n"
      "Fits a loss law to your own training runs, the way Hoffmann et al. 2022 (approach 3)\n"
      "and Besiroglu et al. 2024 fitted Chinchilla's (MODEL.md §6).\n"
      "\n"
      "RUNS.csv has a header row naming its columns, in any order: params (N), tokens (D,\n"
      "tokens seen), loss (final loss), and for --form data-constrained unique_tokens (U).\n"
      "Other columns are ignored. Every value must be a finite number > 0, plain (2e9) or\n"
      "with a suffix K, M, B, T as in a scenario file (2B).\n"
      "\n"
      "Forms:\n"
      "  chinchilla        L = E + A/N^alpha + B/D^beta                      ({} constants)\n"
      "  data-constrained  L = E + A/N'^alpha + B/D'^beta, with Muennighoff et al. 2023's\n"
      "                    effective data D' = U + U rd_star (1 - exp(-(D/U - 1)/rd_star))\n"
      "                    and effective parameters N' (excess over the compute-optimal size\n"
      "                    for U decays with rn_star; MODEL.md §2)              ({} constants)\n"
      "\n"
      "Method: minimise sum_i Huber_delta(log Lhat_i - log L_i) over log E, log A, log B,\n"
      "alpha, beta (and log rd_star, log rn_star), with log Lhat = logsumexp(log A - alpha\n"
      "log N', log B - beta log D', log E), by L-BFGS (Ceres) from every point of a start\n"
      "grid, in parallel; the best start wins (ties: the lowest start number, counting from\n"
      "1 in grid order). Each start runs until an iteration improves the objective by less\n"
      "than 1e-5 of it (scipy's rule at objectives ~1e-3); the starts within 0.1% of the\n"
      "best are then polished until improvements fall below 1e-12.\n"
      "  chinchilla grid: Besiroglu et al.'s {} points, in their order: alpha, beta in\n"
      "    {{0, 0.5, ..., 2}}, log E in {{-1, -0.5, ..., 1}}, log A, log B in {{0, 5, ..., 25}}.\n"
      "  data-constrained grid: the same with alpha, beta in {{0.5, ..., 2}} (the compute-\n"
      "    optimal size needs alpha, beta > 0), times rd_star, rn_star in {{2, 10, 50}}\n"
      "    ({} points).\n"
      "  A fixed constant's grid axis collapses to its value (--fix-preset muennighoff2023\n"
      "  with --form data-constrained leaves 9 starts).\n"
      "\n"
      "Output: the constants, the objective at the optimum, how many starts reached the best\n"
      "objective (within 1e-9), and the compute-optimal exponents a = beta/(alpha+beta)\n"
      "(N_opt ~ C^a) and b = alpha/(alpha+beta) (D_opt ~ C^b). With --bootstrap B, standard\n"
      "errors and 95% percentile intervals from B refits on runs resampled with replacement\n"
      "(each refit starts from the best fit and up to 3 other local optima; resample i\n"
      "draws from a generator seeded by a hash of (S, i), so results depend on the seed,\n"
      "never on --threads).\n"
      "--format toml writes a [law] table to paste into a scenario file.",
      NumParams(FitForm::kChinchilla), NumParams(FitForm::kDataConstrained), StartGrid(chin).size(),
      StartGrid(dc).size());
}

constexpr const char* kEpilogue =
    "Examples:\n"
    "  repsim fit ../shared/data/chinchilla_hoffmann2022_fig4.csv --drop-highest 5\n"
    "  repsim fit ../shared/data/muennighoff2023_fit_runs.csv --form data-constrained \\\n"
    "      --fix-preset muennighoff2023 --bootstrap 1000 --format toml\n"
    "\n"
    "A fit that fails (no start converges) is an internal failure, exit code 1.";

// The constants --fix takes, one line each from fit.h's table.
std::string ConstantsHelp() {
  std::string out = "Constants (--fix NAME=VALUE, natural units, > 0):\n";
  for (const FitParamInfo& p : FitParamTable()) {
    out += fmt::format("  {:<8} {}{}\n", p.name, p.meaning,
                       p.data_constrained_only ? " (data-constrained form)" : "");
  }
  return out + "\n";
}

// "E, A, B, alpha, beta, rd_star, rn_star (the last two: data-constrained form)"
std::string FixNamesHelp() {
  const size_t shared = FitParams(FitForm::kChinchilla).size();
  const size_t extra = FitParamNames().size() - shared;
  return fmt::format("{} (the last {}: data-constrained form)", Join(FitParamNames()),
                     extra == 2 ? std::string("two") : std::to_string(extra));
}

constexpr std::string_view kFormNames[] = {"chinchilla", "data-constrained", "overfit", "ratio"};
constexpr std::string_view kFormatNames[] = {"table", "text", "json", "csv", "toml"};

// Presets that can be fixed with --fix-preset: the Chinchilla-form ones.
std::vector<std::string_view> FixablePresets() {
  std::vector<std::string_view> out;
  for (LawPreset p : AllLawPresets()) {
    if (MakeLaw(p).form == LawForm::kChinchilla) out.push_back(ToString(p));
  }
  return out;
}

enum class Format { kTable, kJson, kCsv, kToml };

struct Flags {
  std::string file;
  FitOptions options;
  int drop_highest = 0;
  int bootstrap = 0;
  uint64_t seed = 0;
  Format format = Format::kTable;
  std::optional<std::string> fix_preset;
  std::string samples;  // --samples FILE: the full fit and every resample's constants (CSV)
};

// Parses and validates every flag except those needing the data. Returns an
// exit code when the command should stop now.
std::optional<int> ParseFlags(const Args& args, FlagSet& opts, Flags* f) {
  std::vector<std::string> files, fixes;
  std::string form = "chinchilla", delta, drop, starts = "grid", bootstrap, seed, threads,
              format = "table", preset;
  const std::string fixable = Join(FixablePresets());
  opts.Positionals("RUNS.csv", &files)
      .Value("form", '\0', "FORM", &form,
             "chinchilla (default), data-constrained, overfit (fitted on repeated-vs-fresh "
             "pairs) or ratio (ratio2026: absolute losses plus pairs); see 'repsim fit --form "
             "ratio --help'")
      .Repeated("fix", "NAME=VALUE", &fixes,
                "hold a constant at VALUE (natural units, > 0), e.g. --fix E=1.8; NAME is one of " +
                    FixNamesHelp())
      .Value("fix-preset", '\0', "PRESET", &preset,
             "hold E, A, B, alpha, beta at a preset's values: " + fixable +
                 " (MODEL.md §1); a --fix of the same constant overrides it")
      .Value("huber-delta", '\0', "D", &delta,
             "delta of the Huber loss on log loss (default 1e-3, Hoffmann et al.)")
      .Value("drop-highest", '\0', "K", &drop,
             "leave out the K runs with the highest losses (Besiroglu et al. drop 5); default 0")
      .Value("starts", '\0', "grid|N", &starts,
             "the whole start grid (default) or its first N points")
      .Value("bootstrap", '\0', "B", &bootstrap,
             "B bootstrap resamples for standard errors and 95% intervals (default 0: none)")
      .Value("seed", '\0', "S", &seed, "bootstrap seed, 0 to 2^64-1 (default 0)")
      .Value("samples", '\0', "FILE", &f->samples,
             "with --bootstrap: write the full fit's constants (row `full`) and every "
             "successful resample's (rows 1, 2, ...) to FILE (CSV), e.g. for the bootstrap "
             "sets behind `repsim run --intervals` (scripts/bootstrap_sets.sh)")
      .Value("threads", '\0', "T", &threads,
             "worker threads (default 0: all cores); results do not depend on it")
      .Value("format", '\0', "FMT", &format,
             "table (default), json, csv, or toml (a [law] table for a scenario file)")
      .Epilogue(ConstantsHelp() + kEpilogue);
  if (auto code = opts.Parse(args)) return code;

  if (files.empty()) return opts.UsageError("no runs file given: repsim fit RUNS.csv");
  if (files.size() > 1) {
    return opts.UsageError(fmt::format("one runs file expected, got {}: '{}' and '{}'",
                                       files.size(), files[0], files[1]));
  }
  f->file = files[0];

  const std::optional<FitForm> fit_form = FitFormFromString(form);
  if (!fit_form) return opts.UsageError(ChoiceFlag("--form", form, "form", kFormNames).error());
  f->options.form = *fit_form;

  if (!preset.empty()) {
    const std::optional<LawPreset> p = LawPresetFromString(preset);
    if (!p || MakeLaw(*p).form != LawForm::kChinchilla) {
      const std::vector<std::string_view> names = FixablePresets();
      return opts.UsageError(fmt::format(
          "--fix-preset = '{}': {}{} (one of: {})", preset,
          p ? fmt::format("not a Chinchilla-form preset ({} has no E, A, B, alpha, beta)", preset)
            : "unknown preset",
          p ? "" : io::DidYouMean(preset, names), fixable));
    }
    const Law law = MakeLaw(*p);
    f->options.fixed[static_cast<int>(FitParam::kE)] = law.e;
    f->options.fixed[static_cast<int>(FitParam::kA)] = law.a;
    f->options.fixed[static_cast<int>(FitParam::kB)] = law.b;
    f->options.fixed[static_cast<int>(FitParam::kAlpha)] = law.alpha;
    f->options.fixed[static_cast<int>(FitParam::kBeta)] = law.beta;
    f->fix_preset = preset;
  }

  std::array<bool, kNumFitParams> seen{};
  for (const std::string& fix : fixes) {
    const size_t eq = fix.find('=');
    if (eq == std::string::npos) {
      return opts.UsageError(
          fmt::format("--fix = '{}': expected NAME=VALUE, e.g. --fix E=1.8", fix));
    }
    const std::string name = fix.substr(0, eq);
    const std::string value = fix.substr(eq + 1);
    const std::optional<FitParam> param = FitParamFromString(name);
    if (!param) {
      return opts.UsageError(fmt::format("--fix {}: unknown constant '{}'{} (one of: {})", fix,
                                         name, io::DidYouMean(name, FitParamNames()),
                                         Join(FitParamNames())));
    }
    const int i = static_cast<int>(*param);
    if (seen[i]) return opts.UsageError(fmt::format("--fix {}: {} is fixed twice", fix, name));
    seen[i] = true;
    const std::optional<double> v = ParseNumber(value);
    if (!v) return opts.UsageError(fmt::format("--fix {}: '{}' is not a number", fix, value));
    if (MaybeError e = CheckFixed(f->options.form, *param, *v)) {
      return opts.UsageError(fmt::format("--fix {}: {}", fix, *e));
    }
    f->options.fixed[i] = *v;
  }

  if (!delta.empty()) {
    const std::optional<double> v = ParseNumber(delta);
    if (!v) return opts.UsageError(fmt::format("--huber-delta = '{}': not a number", delta));
    if (!std::isfinite(*v) || !(*v > 0)) {
      return opts.UsageError(fmt::format("--huber-delta = {}: must be finite and > 0", delta));
    }
    f->options.huber_delta = *v;
  }
  if (!drop.empty()) {
    auto v = IntegerInRange("--drop-highest", drop, 0, 1 << 30);
    if (!v) return opts.UsageError(v.error());
    f->drop_highest = static_cast<int>(*v);
  }
  if (starts != "grid") {
    auto v = IntegerInRange("--starts", starts, 1, 1 << 30);
    if (!v) return opts.UsageError(v.error() + " (or 'grid' for the whole start grid)");
    f->options.max_starts = static_cast<int>(*v);
  }
  if (!bootstrap.empty()) {
    auto v = IntegerInRange("--bootstrap", bootstrap, 0, kMaxBootstrap);
    if (!v) return opts.UsageError(v.error());
    f->bootstrap = static_cast<int>(*v);
  }
  if (!seed.empty()) {
    const Expected<uint64_t> v = UnsignedInRange("--seed", seed, 0, UINT64_MAX);
    if (!v) return opts.UsageError(v.error());
    f->seed = *v;
  }
  if (!threads.empty()) {
    auto v = IntegerInRange("--threads", threads, 0, kMaxThreads);
    if (!v) return opts.UsageError(v.error());
    f->options.threads = static_cast<int>(*v);
  }
  if (format == "table" || format == "text") {
    f->format = Format::kTable;
  } else if (format == "json") {
    f->format = Format::kJson;
  } else if (format == "csv") {
    f->format = Format::kCsv;
  } else if (format == "toml") {
    f->format = Format::kToml;
  } else {
    return opts.UsageError(ChoiceFlag("--format", format, "format", kFormatNames).error());
  }
  if (!f->samples.empty() && f->bootstrap == 0) {
    return opts.UsageError("--samples needs --bootstrap B (B > 0): it writes the resamples' fits");
  }
  if (auto err = Validate(f->options)) return opts.UsageError(*err);
  return std::nullopt;
}

// --- Output ---------------------------------------------------------------------------------

using io::FitReport;

bool IsFixed(const Flags& f, FitParam p) {
  return f.options.fixed[static_cast<int>(p)].has_value();
}

// The spread's table columns (io::ParamSpreadFields: std_error, ci95_low, ci95_high).
void AddSpreadCells(std::vector<std::string>* row, const ParamSpread& s, bool human) {
  io::AppendFieldCells(*row, io::ParamSpreadFields(), s,
                       [&](const io::Field<ParamSpread>& f, const ParamSpread& x) {
                         return human ? io::Short(f.number(x)) : io::Num(f.number(x));
                       });
}

// The quantities table shared by the text and CSV formats.
io::Table QuantityTable(const FitReport& r, bool human) {
  io::Table t;
  t.AddColumn("quantity", false);
  t.AddColumn("value");
  t.AddColumn("fit", false);
  if (r.boot) io::AddFieldColumns(t, io::ParamSpreadFields());
  auto num = [&](double v) { return human ? io::Short(v) : io::Num(v); };
  for (FitParam p : FitParams(r.fit.form)) {
    std::vector<std::string> row = {std::string(ToString(p)), num(Get(r.fit.constants, p)),
                                    r.is_fixed(p) ? "fixed" : "fitted"};
    if (r.boot) AddSpreadCells(&row, r.boot->params[static_cast<int>(p)], human);
    t.AddRow(std::move(row));
  }
  const bool exps_fixed = r.is_fixed(FitParam::kAlpha) && r.is_fixed(FitParam::kBeta);
  for (auto [name, value, spread] :
       {std::tuple{"exponent_a", r.fit.exponent_a, r.boot ? r.boot->exponent_a : ParamSpread{}},
        std::tuple{"exponent_b", r.fit.exponent_b, r.boot ? r.boot->exponent_b : ParamSpread{}}}) {
    std::vector<std::string> row = {name, num(value), exps_fixed ? "fixed" : "derived"};
    if (r.boot) AddSpreadCells(&row, spread, human);
    t.AddRow(std::move(row));
  }
  if (!human) {
    bool any_free = false;
    for (FitParam p : FitParams(r.fit.form)) any_free = any_free || !r.is_fixed(p);
    std::vector<std::string> row = {"objective", io::Num(r.fit.objective),
                                    any_free ? "minimum" : "evaluated"};
    if (r.boot) row.resize(row.size() + io::FieldNames(io::ParamSpreadFields(), true).size());
    t.AddRow(std::move(row));
  }
  return t;
}

std::string FormulaLine(FitForm form) {
  return form == FitForm::kChinchilla
             ? "L = E + A/N^alpha + B/D^beta"
             : "L = E + A/N'^alpha + B/D'^beta (N', D': Muennighoff et al. 2023, MODEL.md §2)";
}

void WriteTable(const FitReport& r) {
  const FitResult& fit = r.fit;
  fmt::print("{}\n", FormulaLine(fit.form));
  fmt::print("fitted to {}\n", io::FitRunsLine(r));
  fmt::print("{}", io::WrapLines(fmt::format("domain of validity (the runs' ranges): {}\n",
                                             DomainLine(r.domain)),
                                 io::TextWidth()));
  fmt::print("by Huber(delta = {}) on log loss, L-BFGS from {} starts{}\n\n",
             io::Num(r.options.huber_delta), fit.starts,
             r.fix_preset ? fmt::format("; E, A, B, alpha, beta held at {}", *r.fix_preset) : "");
  fmt::print("{}", io::RenderText(QuantityTable(r, true)));
  fmt::print(
      "\nexponent_a = beta/(alpha+beta): N_opt ~ C^a; exponent_b = alpha/(alpha+beta): "
      "D_opt ~ C^b\n");
  fmt::print("objective {} at start #{}; {} of {} starts reached it (within {}){}\n",
             io::Num(fit.objective), fit.best_start + 1, fit.converged_to_best, fit.starts,
             io::Num(kSameOptimumTol),
             fit.failed_starts ? fmt::format("; {} starts failed", fit.failed_starts) : "");
  if (r.boot) {
    fmt::print(
        "bootstrap: {} resamples of the {} runs (seed {}){}; intervals are 2.5th-97.5th "
        "percentiles\n",
        r.boot->resamples, fit.runs, r.boot->seed,
        r.boot->failed ? fmt::format(", {} refits failed and are left out", r.boot->failed) : "");
  }
}

}  // namespace

int FitCommand(const Args& args) {
  // The overfit form is fitted on repeated-vs-fresh pairs (cmd_fit_overfit.cpp),
  // the ratio form on runs plus pairs (cmd_fit_ratio.cpp).
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--form=ratio" ||
        (args[i] == "--form" && i + 1 < args.size() && args[i + 1] == "ratio")) {
      return FitRatioCommand(args);
    }
    if (args[i] == "--form=overfit" ||
        (args[i] == "--form" && i + 1 < args.size() && args[i + 1] == "overfit")) {
      return FitOverfitCommand(args);
    }
  }
  Flags flags;
  FlagSet opts("fit", Usage());
  if (auto code = ParseFlags(args, opts, &flags)) return *code;

  const bool dc = flags.options.form == FitForm::kDataConstrained;
  auto read = io::ReadRunsCsv(flags.file, dc);
  if (!read) {
    return Fail("fit", read.error());
  }
  const int runs_read = static_cast<int>(read->size());
  if (flags.drop_highest >= runs_read) {
    return opts.UsageError(fmt::format("--drop-highest = {}: {} has only {} runs",
                                       flags.drop_highest, flags.file, runs_read));
  }
  const std::vector<FitRun> runs = DropHighestLosses(*read, flags.drop_highest);
  int free = 0;
  for (FitParam p : FitParams(flags.options.form)) free += IsFixed(flags, p) ? 0 : 1;
  if (static_cast<int>(runs.size()) < free) {
    return opts.UsageError(
        fmt::format("{} runs cannot determine {} free constants (fix some with "
                    "--fix or give more runs)",
                    runs.size(), free));
  }
  if (const int points = DistinctPoints(runs, flags.options.form); points < free) {
    return Fail("fit", fmt::format("{}: too little data: {} runs at {} distinct (params, tokens{}) "
                                   "point{} cannot determine {} free constants (fix some with "
                                   "--fix, or give runs at more points)",
                                   flags.file, runs.size(), points, dc ? ", unique_tokens" : "",
                                   points == 1 ? "" : "s", free));
  }
  FitOptions whole_grid = flags.options;
  whole_grid.max_starts.reset();
  const size_t grid = StartGrid(whole_grid).size();
  if (flags.options.max_starts && static_cast<size_t>(*flags.options.max_starts) > grid) {
    return opts.UsageError(fmt::format("--starts = {}: the start grid has only {} points",
                                       *flags.options.max_starts, grid));
  }

  std::optional<FitResult> fit;
  {
    const size_t starts =
        flags.options.max_starts ? static_cast<size_t>(*flags.options.max_starts) : grid;
    io::Progress bar("fitting", starts);
    auto result = Fit(runs, flags.options, [&] { bar.Tick(); });
    if (!result) {
      return Fail("fit", result.error(), kExitInternal);
    }
    fit = std::move(result).value();
  }
  std::optional<BootstrapResult> boot;
  if (flags.bootstrap > 0) {
    io::Progress bar("bootstrap", static_cast<uint64_t>(flags.bootstrap));
    auto result =
        Bootstrap(runs, flags.options, *fit, flags.bootstrap, flags.seed, [&] { bar.Tick(); });
    if (!result) {
      return Fail("fit", fmt::format("bootstrap: {}", result.error()), kExitInternal);
    }
    boot = std::move(result).value();
  }

  if (boot && !flags.samples.empty()) {
    io::Table st;
    st.AddColumn("sample", false);
    for (FitParam p : FitParams(FitForm::kDataConstrained)) st.AddColumn(std::string(ToString(p)));
    auto row = [&](std::string name, const FitConstants& c) {
      std::vector<std::string> cells = {std::move(name)};
      for (FitParam p : FitParams(FitForm::kDataConstrained)) cells.push_back(io::Num(Get(c, p)));
      st.AddRow(std::move(cells));
    };
    row("full", fit->constants);
    for (size_t i = 0; i < boot->samples.size(); ++i) row(std::to_string(i + 1), boot->samples[i]);
    if (MaybeError e = io::WriteFileWhole(flags.samples, io::RenderCsv(st))) return Fail("fit", *e);
  }
  // Every output carries the warnings: stderr here, JSON's "warnings", TOML
  // comments, Python's dict.
  if (boot) fit->warnings.insert(fit->warnings.end(), boot->warnings.begin(), boot->warnings.end());
  for (const std::string& w : fit->warnings) Warn("fit", w);
  FitReport report;
  report.made_by = fmt::format("repsim fit --form {}", ToString(flags.options.form));
  report.file = flags.file;
  report.runs_read = runs_read;
  report.dropped_highest = flags.drop_highest;
  report.options = flags.options;
  report.fix_preset = flags.fix_preset;
  if (flags.fix_preset) report.fix_preset_given_as = "--fix-preset " + *flags.fix_preset;
  report.fit = std::move(*fit);
  report.boot = std::move(boot);
  report.domain = DomainOfRuns(runs);
  switch (flags.format) {
    case Format::kTable:
      WriteTable(report);
      break;
    case Format::kJson:
      fmt::print("{}", io::FitReportJson(report));
      break;
    case Format::kCsv:
      fmt::print("{}", io::RenderCsv(QuantityTable(report, false)));
      break;
    case Format::kToml:
      fmt::print("{}", io::FitReportToml(report));
      break;
  }
  return kExitOk;
}

}  // namespace repsim::cli
