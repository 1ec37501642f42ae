// `repsim plan`: the compute-optimal planners of include/repsim/plan.h.
//
// Wiring only: parse and validate flags (Boost.Program_options), call the core,
// render one table (src/io/table.h). Every bad value is an error that names the
// flag, the value and the allowed range, with exit code 2 (STYLE.md).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "io/table.h"
#include "repsim/engine.h"
#include "repsim/law.h"
#include "repsim/plan.h"

namespace repsim::cli {
namespace {

namespace po = boost::program_options;

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
// The preset used when --law is not given (MODEL.md §1's default).
constexpr LawPreset kDefaultPreset = LawPreset::kMuennighoff2023;
// Suggest a name only when it is this close (edits) to what was typed.
constexpr size_t kMaxSuggestionDistance = 3;

// --- Names and suggestions -----------------------------------------------------

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    prev[j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    prev.swap(cur);
  }
  return prev[b.size()];
}

// ", did you mean 'x'?" for the nearest candidate, or "".
std::string Suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = kMaxSuggestionDistance + 1;
  for (const std::string& c : candidates) {
    const size_t d = EditDistance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best.empty() ? "" : fmt::format(", did you mean '{}'?", best);
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i ? std::string(sep) : "") + items[i];
  }
  return out;
}

std::vector<std::string> PresetNames() {
  std::vector<std::string> names;
  for (LawPreset p : AllLawPresets()) {
    names.emplace_back(ToString(p));
  }
  return names;
}

// --- Parsing values ----------------------------------------------------------------

enum class Quantity {
  kCount,  // params or tokens: a number with an optional K/M/B/T suffix
  kPlain,  // anything else: a plain number
};

// A finite number > 0 from `text`. `what` says the unit and an example, for messages.
Expected<double> ParsePositive(std::string_view flag, const std::string& text, Quantity kind,
                               std::string_view what) {
  const std::string range = fmt::format("must be a finite number > 0 ({})", what);
  std::string body = text;
  double scale = 1.0;
  if (kind == Quantity::kCount && !body.empty()) {
    // K, M, B, T in either case: thousands to trillions (B = billion, not 2^30).
    static constexpr std::pair<char, double> kSuffixes[] = {
        {'k', 1e3}, {'m', 1e6}, {'b', 1e9}, {'t', 1e12}};
    const char last = static_cast<char>(std::tolower(static_cast<unsigned char>(body.back())));
    for (const auto& [suffix, factor] : kSuffixes) {
      if (last == suffix) {
        scale = factor;
        body.pop_back();
        break;
      }
    }
  }
  // strtod reads what a user types (1e22, .5, 25); trailing junk, leading
  // blanks and hex are rejected here, "nan" and "inf" by the range check below.
  const char* begin = body.c_str();
  char* end = nullptr;
  const double v = body.empty() || std::isspace(static_cast<unsigned char>(body[0]))
                       ? std::nan("")
                       : std::strtod(begin, &end);
  const bool parsed = end != nullptr && end != begin && *end == '\0' &&
                      body.find_first_of("xX") == std::string::npos;
  if (!parsed) {
    return Error{fmt::format("{} = '{}': not a number; {}{}", flag, text, range,
                             kind == Quantity::kCount ? ", suffixes K, M, B, T allowed" : "")};
  }
  const double value = v * scale;
  if (!std::isfinite(value) || !(value > 0)) {
    return Error{fmt::format("{} = '{}': {}", flag, text, range)};
  }
  return value;
}

// --- Output cells ------------------------------------------------------------------

// Text and Markdown are for people (short numbers, K/M/B/T); CSV and JSON for
// programs (round-trip numbers, io::Num).
class Cells {
 public:
  explicit Cells(io::TableFormat format)
      : human_(format == io::TableFormat::kText || format == io::TableFormat::kMarkdown) {}

  bool human() const { return human_; }

  std::string Count(double v) const {
    if (!human_) {
      return io::Num(v);
    }
    struct Unit {
      double scale;
      const char* suffix;
    };
    static constexpr Unit kUnits[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}};
    if (std::isfinite(v) && v < 1e15) {
      for (const Unit& u : kUnits) {
        if (v >= u.scale) {
          return fmt::format("{:.4g}{}", v / u.scale, u.suffix);
        }
      }
    }
    return fmt::format("{:.4g}", v);
  }
  std::string Number(double v) const { return human_ ? fmt::format("{:.4g}", v) : io::Num(v); }
  std::string Loss(double v) const { return human_ ? io::Short(v) : io::Num(v); }
  std::string Delta(double v) const { return human_ ? fmt::format("{:+.3g}", v) : io::Num(v); }
  // A relative deviation, written in percent.
  std::string Percent(double v) const {
    return human_ ? fmt::format("{:+.2f}", 100.0 * v) : io::Num(100.0 * v);
  }
  // Gopher units the way Hoffmann et al. print them: 1/29,968 below one.
  std::string Gopher(double v) const {
    if (!human_) {
      return io::Num(v);
    }
    if (v < 0.5) {
      return fmt::format("1/{:.0f}", 1.0 / v);
    }
    return v < 1000 ? fmt::format("{:.4g}", v) : fmt::format("{:.1f}", v);
  }

 private:
  bool human_;
};

// --- Flags -----------------------------------------------------------------------

struct Parsed {
  po::variables_map vm;
  io::TableFormat format = io::TableFormat::kText;
  bool help = false;
};

// Every planner's options end with these.
void AddCommonOptions(po::options_description& desc) {
  // clang-format off
  desc.add_options()
      ("format", po::value<std::string>()->value_name("FMT"),
       "output format: text (default, for people), csv, json or md")
      ("help,h", "print this help");
  // clang-format on
}

// Parse `args` against `desc`; errors name the flag and suggest the nearest one.
Expected<Parsed> ParseFlags(const po::options_description& desc, const Args& args) {
  Parsed p;
  std::vector<std::string> long_names;
  for (const auto& opt : desc.options()) {
    long_names.push_back("--" + opt->long_name());
  }
  try {
    // No abbreviations: a flag is a promise, spelled out (STYLE.md).
    const int style = po::command_line_style::unix_style ^ po::command_line_style::allow_guessing;
    const po::positional_options_description no_positionals;
    po::store(po::command_line_parser(JoinFlagValues(desc, args))
                  .options(desc)
                  .positional(no_positionals)
                  .style(style)
                  .run(),
              p.vm);
    po::notify(p.vm);
  } catch (const po::unknown_option& e) {
    const std::string flag = e.get_option_name();
    return Error{fmt::format("unknown flag '{}'{}", flag,
                             Suggestion(flag.substr(0, flag.find('=')), long_names))};
  } catch (const po::too_many_positional_options_error&) {
    std::string extra;
    for (const std::string& a : args) {
      if (a.rfind('-', 0) != 0) {
        extra = a;
        break;
      }
    }
    return Error{fmt::format("unexpected argument '{}': every input is a --flag", extra)};
  } catch (const po::error& e) {
    return Error{e.what()};
  }
  p.help = p.vm.count("help") > 0;
  if (p.vm.count("format")) {
    const std::string& f = p.vm["format"].as<std::string>();
    const std::optional<io::TableFormat> format = io::TableFormatFromString(f);
    if (!format) {
      return Error{fmt::format("--format = '{}': unknown format{} (one of: text, csv, json, md)", f,
                               Suggestion(f, {"text", "csv", "json", "md", "markdown"}))};
    }
    p.format = *format;
  }
  return p;
}

Expected<Law> LawFlag(const po::variables_map& vm) {
  if (!vm.count("law")) {
    return MakeLaw(kDefaultPreset);
  }
  const std::string& name = vm["law"].as<std::string>();
  if (const std::optional<LawPreset> preset = LawPresetFromString(name)) {
    return MakeLaw(*preset);
  }
  return Error{fmt::format("--law = '{}': unknown preset{} (one of: {})", name,
                           Suggestion(name, PresetNames()), Join(PresetNames(), ", "))};
}

// An optional positive quantity flag: empty when absent.
Expected<std::optional<double>> OptionalFlag(const po::variables_map& vm, std::string_view name,
                                             Quantity kind, std::string_view what) {
  const std::string key(name);
  if (!vm.count(key)) {
    return std::optional<double>{};
  }
  Expected<double> v = ParsePositive("--" + key, vm[key].as<std::string>(), kind, what);
  if (!v) {
    return Error{v.error()};
  }
  return std::optional<double>{*v};
}

// A diagnostic on stderr in the shape every repsim command uses.
int UsageError(std::string_view planner, std::string_view message) {
  fmt::print(stderr, "repsim plan {}: {}\nRun 'repsim plan {} --help' for usage.\n", planner,
             message, planner);
  return kExitUsage;
}

// The flag list of a planner, as Boost.Program_options prints it.
std::string FlagsText(const po::options_description& desc) {
  std::ostringstream out;
  out << desc;
  return out.str();
}

void Print(const io::Table& table, io::TableFormat format) {
  fmt::print("{}", io::Render(table, format));
}

constexpr std::string_view kQuantitiesHelp =
    "Quantities are plain numbers (5.1e19, 25000000000) or, for parameters and\n"
    "tokens, a number with a K/M/B/T suffix for 1e3/1e6/1e9/1e12 (25B, 1.5T; any\n"
    "case). Compute is in training FLOPs, C = 6 N D. Every value must be finite and > 0.\n";

// =================================================================================
// repsim plan table
// =================================================================================

std::string TableDeviationLines() {
  const Cells h(io::TableFormat::kText);
  std::vector<double> params;
  for (const ChinchillaTableRow& r : ChinchillaTable3()) {
    params.push_back(r.params);
  }
  const auto rows = ComputeOptimalTable(params);
  std::string out;
  double worst_fitted = 0;
  for (const PlanTableRow& r : *rows) {
    if (UsedInApproach1Fit(*r.published)) {
      worst_fitted =
          std::max({worst_fitted, std::fabs(r.tokens_deviation), std::fabs(r.flops_deviation)});
    }
    out += fmt::format(
        "  {:>5}  tokens {:>7} vs {:>6} ({:>+5.2f} %)   FLOPs {:.4g} vs {:.3g} ({:>+5.2f} %){}\n",
        h.Count(r.params), h.Count(r.tokens), h.Count(r.published->tokens),
        100 * r.tokens_deviation, r.flops, r.published->flops, 100 * r.flops_deviation,
        UsedInApproach1Fit(*r.published) ? "" : "   (not fitted)");
  }
  out += fmt::format("The fitted rows are all within {:.2f} % on tokens and FLOPs.\n",
                     100 * worst_fitted);
  return out;
}

void TableHelp(const po::options_description& desc) {
  const PowerLaw fit = ChinchillaApproach1TokensForParams();
  const ScalingExponents e = AllocationExponents(fit);
  // The kaplan2020 preset's own ComputeOptimal: N ∝ C^(1/(1 + alpha_N/alpha_D)).
  const Law kaplan = MakeLaw(LawPreset::kKaplan2020);
  const double kaplan_params_exponent = 1.0 / (1.0 + kaplan.alpha_n / kaplan.alpha_d);
  fmt::print(
      "Usage: repsim plan table [--params LIST] [--law PRESET] [--format FMT]\n\n"
      "The compute-optimal table of Hoffmann et al. 2022 (\"Chinchilla\"), Table 3:\n"
      "for each model size N, the training tokens D and FLOPs C = 6 N D that make it\n"
      "compute-optimal, and C in Gopher units (Gopher's budget, {:.3g} FLOPs).\n\n"
      "Which relation produces the rows:\n"
      "  default      approach 1 of the paper, whose projections Table 3 lists: tokens grow\n"
      "               in proportion to parameters, D = k N^a. repsim fits k and a by least\n"
      "               squares on log D versus log N to the published (params, tokens) rows,\n"
      "               in code, from the rows; the 67B row is left out because its FLOPs were\n"
      "               rounded to Gopher's budget (6 N D with its 1.5T tokens is 6.03e23, not\n"
      "               5.76e23). Result: D = {:.4g} N^{:.5f}, i.e. N ∝ C^{:.3f}, D ∝ C^{:.3f}\n"
      "               (the paper: a = b = 0.50), about {:.1f} tokens per parameter.\n"
      "  --law PRESET that preset's compute-optimal allocation (law.h ComputeOptimal;\n"
      "               Hoffmann eq. 4 for Chinchilla-form laws): the D for which N is optimal.\n"
      "               For kaplan2020 this is the allocation of its L(N, D) law (eq. 1.5),\n"
      "               N ∝ C^{:.3f} -- not Kaplan's N ∝ C^0.73, which `repsim plan scale` shows.\n\n"
      "How far each published row is off with the default relation (ours vs published):\n"
      "{}"
      "\n"
      "Columns: params, flops (6 N D), gopher_units (flops / {:.3g}), tokens,\n"
      "tokens_per_param; for a size that is a published row also published_flops,\n"
      "published_tokens and flops_off_pct / tokens_off_pct = 100 (ours / published - 1).\n\n"
      "{}\n{}\n"
      "Examples:\n"
      "  repsim plan table\n"
      "  repsim plan table --params 7B,13B,70B --format csv\n"
      "  repsim plan table --law chinchilla2022\n",
      kGopherFlops, fit.coefficient, fit.exponent, e.params, e.tokens, fit(1e9) / 1e9,
      kaplan_params_exponent, TableDeviationLines(), kGopherFlops, kQuantitiesHelp,
      FlagsText(desc));
}

int PlanTable(const Args& args) {
  po::options_description desc{"Options"};
  // clang-format off
  desc.add_options()
      ("params", po::value<std::vector<std::string>>()->value_name("LIST")->composing(),
       "model sizes, comma-separated or repeated (default: the 9 rows of Table 3)")
      ("law", po::value<std::string>()->value_name("PRESET"),
       ("use this preset's compute-optimal allocation: " + Join(PresetNames(), ", ")).c_str());
  // clang-format on
  AddCommonOptions(desc);
  Expected<Parsed> p = ParseFlags(desc, args);
  if (!p) {
    return UsageError("table", p.error());
  }
  if (p->help) {
    TableHelp(desc);
    return kExitOk;
  }
  const po::variables_map& vm = p->vm;

  std::vector<double> params;
  if (vm.count("params")) {
    for (const std::string& item : vm["params"].as<std::vector<std::string>>()) {
      size_t start = 0;
      while (true) {
        const size_t comma = item.find(',', start);
        const std::string one = item.substr(start, comma - start);
        Expected<double> n =
            ParsePositive("--params", one, Quantity::kCount, "parameters, e.g. 7B");
        if (!n) {
          return UsageError("table", n.error());
        }
        params.push_back(*n);
        if (comma == std::string::npos) {
          break;
        }
        start = comma + 1;
      }
    }
  } else {
    for (const ChinchillaTableRow& r : ChinchillaTable3()) {
      params.push_back(r.params);
    }
  }

  std::optional<Law> law;
  if (vm.count("law")) {
    Expected<Law> l = LawFlag(vm);
    if (!l) {
      return UsageError("table", l.error());
    }
    law = *l;
  }
  const Expected<std::vector<PlanTableRow>> rows =
      law ? ComputeOptimalTable(*law, params) : ComputeOptimalTable(params);
  if (!rows) {
    return UsageError("table", rows.error());
  }

  const bool any_published = std::any_of(
      rows->begin(), rows->end(), [](const PlanTableRow& r) { return r.published.has_value(); });
  const Cells c(p->format);
  io::Table t;
  for (const char* col : {"params", "flops", "gopher_units", "tokens", "tokens_per_param"}) {
    t.AddColumn(col);
  }
  if (any_published) {
    for (const char* col :
         {"published_flops", "published_tokens", "flops_off_pct", "tokens_off_pct"}) {
      t.AddColumn(col);
    }
  }
  for (const PlanTableRow& r : *rows) {
    std::vector<std::string> cells = {c.Count(r.params), c.Number(r.flops),
                                      c.Gopher(r.gopher_units), c.Count(r.tokens),
                                      c.Number(r.tokens / r.params)};
    if (any_published) {
      if (r.published) {
        for (std::string s : {c.Number(r.published->flops), c.Count(r.published->tokens),
                              c.Percent(r.flops_deviation), c.Percent(r.tokens_deviation)}) {
          cells.push_back(std::move(s));
        }
      } else {
        cells.insert(cells.end(), 4, "");
      }
    }
    t.AddRow(std::move(cells));
  }

  if (p->format == io::TableFormat::kText) {
    if (law) {
      fmt::print("Compute-optimal allocation of {} ({}).\n", ToString(law->preset),
                 LawSource(law->preset));
    } else {
      const PowerLaw fit = ChinchillaApproach1TokensForParams();
      fmt::print(
          "Compute-optimal table, Hoffmann et al. 2022 Table 3 (approach 1): D = {:.4g} N^{:.5f},\n"
          "fitted in log space to the published rows (67B left out: rounded to Gopher's budget).\n",
          fit.coefficient, fit.exponent);
    }
    fmt::print("FLOPs = 6 N D; Gopher unit = {:.3g} FLOPs.\n\n", kGopherFlops);
  }
  Print(t, p->format);
  if (p->format == io::TableFormat::kText && any_published) {
    fmt::print("\n*_off_pct = 100 (ours / published - 1), against Table 3 as published.\n");
  }
  return kExitOk;
}

// =================================================================================
// repsim plan scale
// =================================================================================

struct ScaleRow {
  std::string relation;
  ScalingExponents exponents;
  std::string source;
};

ScaleRow ScaleRowFor(const Law& law) {
  if (law.form == LawForm::kKaplan) {
    return {std::string(ToString(law.preset)), AllocationExponents(law),
            "Kaplan et al. 2020 eq. 1.7: N ∝ C^0.73, D = B S ∝ C^0.24+0.03"};
  }
  return {std::string(ToString(law.preset)), AllocationExponents(law),
          fmt::format("Hoffmann et al. 2022 eq. 4: beta/(alpha+beta), alpha/(alpha+beta) "
                      "with alpha = {}, beta = {}",
                      law.alpha, law.beta)};
}

void ScaleHelp(const po::options_description& desc) {
  const Law chin = MakeLaw(LawPreset::kChinchilla2022);
  const ScalingExponents ce = AllocationExponents(chin);
  const ScalingExponents fe = AllocationExponents(ChinchillaApproach1TokensForParams());
  fmt::print(
      "Usage: repsim plan scale --factor K [--law PRESET | --compare] [--format FMT]\n\n"
      "How the model size N and the training tokens D should grow when the compute\n"
      "budget grows K-fold, N ∝ C^a and D ∝ C^b (a + b = 1, since C = 6 N D):\n\n"
      "  kaplan2020      Kaplan et al. 2020 eq. 1.7: a = {}, b = {} (N ∝ C^0.73,\n"
      "                  B ∝ C^0.24, S ∝ C^0.03, D = B S): 10x compute -> {:.2f}x N, {:.2f}x D.\n"
      "                  (From Kaplan's fits at the critical batch size, not from the\n"
      "                  preset's L(N, D) law.)\n"
      "  Chinchilla form Hoffmann et al. 2022 eq. 4: a = beta/(alpha+beta), b = "
      "alpha/(alpha+beta)\n"
      "                  of the preset's constants, e.g. chinchilla2022 a = {:.3f}, b = {:.3f};\n"
      "                  muennighoff2023 (alpha = beta) a = b = 0.5: 10x -> {:.2f}x each.\n\n"
      "--compare prints every preset side by side, plus the approach-1 fit of Table 3\n"
      "(`repsim plan table`: a = {:.3f}, b = {:.3f}), the contrast of Hoffmann et al.\n"
      "2022 Table 2 (Kaplan 0.73 / 0.27 against approaches 1-3, 0.50 / 0.50 to 0.46 / 0.54).\n"
      "Without --law or --compare the preset is {}.\n\n"
      "Columns: relation, params_exponent (a), tokens_exponent (b), compute_factor (K),\n"
      "params_factor (K^a), tokens_factor (K^b), source.\n\n"
      "{}\n"
      "Examples:\n"
      "  repsim plan scale --factor 10 --law kaplan2020\n"
      "  repsim plan scale --factor 10 --compare\n",
      kKaplanParamsExponent, kKaplanTokensExponent, std::pow(10.0, kKaplanParamsExponent),
      std::pow(10.0, kKaplanTokensExponent), ce.params, ce.tokens, std::sqrt(10.0), fe.params,
      fe.tokens, ToString(kDefaultPreset), FlagsText(desc));
}

int PlanScale(const Args& args) {
  po::options_description desc{"Options"};
  // clang-format off
  desc.add_options()
      ("factor", po::value<std::string>()->value_name("K"),
       "compute grows K-fold (required; K > 0, K < 1 shrinks)")
      ("law", po::value<std::string>()->value_name("PRESET"),
       ("the preset: " + Join(PresetNames(), ", ")).c_str())
      ("compare", "every preset and the Table 3 fit side by side");
  // clang-format on
  AddCommonOptions(desc);
  Expected<Parsed> p = ParseFlags(desc, args);
  if (!p) {
    return UsageError("scale", p.error());
  }
  if (p->help) {
    ScaleHelp(desc);
    return kExitOk;
  }
  const po::variables_map& vm = p->vm;
  if (!vm.count("factor")) {
    return UsageError("scale", "missing --factor K: how many times more compute (a number > 0)");
  }
  Expected<double> factor = ParsePositive("--factor", vm["factor"].as<std::string>(),
                                          Quantity::kPlain, "how many times more compute, e.g. 10");
  if (!factor) {
    return UsageError("scale", factor.error());
  }
  const bool compare = vm.count("compare") > 0;
  if (compare && vm.count("law")) {
    return UsageError("scale", "--compare prints every preset; give either --compare or --law");
  }
  Expected<Law> law = LawFlag(vm);
  if (!law) {
    return UsageError("scale", law.error());
  }

  std::vector<ScaleRow> rows;
  if (compare) {
    rows.push_back(ScaleRowFor(MakeLaw(LawPreset::kKaplan2020)));
    for (LawPreset preset : AllLawPresets()) {
      if (preset != LawPreset::kKaplan2020) {
        rows.push_back(ScaleRowFor(MakeLaw(preset)));
      }
    }
    const PowerLaw fit = ChinchillaApproach1TokensForParams();
    rows.push_back({"table3-approach1-fit", AllocationExponents(fit),
                    fmt::format("Hoffmann et al. 2022 Table 3 fitted as D = {:.4g} N^{:.5f} "
                                "(repsim plan table)",
                                fit.coefficient, fit.exponent)});
  } else {
    rows.push_back(ScaleRowFor(*law));
  }

  const Cells c(p->format);
  io::Table t;
  t.AddColumn("relation", false);
  for (const char* col :
       {"params_exponent", "tokens_exponent", "compute_factor", "params_factor", "tokens_factor"}) {
    t.AddColumn(col);
  }
  t.AddColumn("source", false);
  for (const ScaleRow& r : rows) {
    const Expected<ScaleResult> s = Scale(r.exponents, *factor);
    if (!s) {
      return UsageError("scale", s.error());
    }
    t.AddRow({r.relation, c.Number(s->exponents.params), c.Number(s->exponents.tokens),
              c.Number(s->compute_factor), c.Number(s->params_factor), c.Number(s->tokens_factor),
              r.source});
  }
  if (p->format == io::TableFormat::kText) {
    fmt::print("Compute x{}: N ∝ C^params_exponent, D ∝ C^tokens_exponent.\n\n", c.Number(*factor));
  }
  Print(t, p->format);
  return kExitOk;
}

// =================================================================================
// repsim plan allocate
// =================================================================================

void AllocateHelp(const po::options_description& desc) {
  fmt::print(
      "Usage: repsim plan allocate --unique-tokens U --compute C [--law PRESET] [--format FMT]\n"
      "       repsim plan allocate --unique-tokens U --params N  [...]\n"
      "       repsim plan allocate --unique-tokens U --tokens D  [...]\n"
      "       repsim plan allocate --unique-tokens U TWO OF --compute/--params/--tokens [...]\n\n"
      "The best model size N and token count D when only U unique tokens exist, under\n"
      "the data-constrained law of Muennighoff et al. 2023 (MODEL.md §2): tokens seen\n"
      "again are worth less (effective data D' saturates at U (1 + R_D*)), and so are\n"
      "parameters beyond the size compute-optimal for U. The fresh-data allocation of\n"
      "the same law (law.h ComputeOptimal, Hoffmann eq. 4) is printed beside it, trained\n"
      "on the same U, so that you see what ignoring the data limit costs.\n\n"
      "What is fixed decides the question:\n"
      "  --compute C   the loss-minimising (N, D) on the iso-FLOP line 6 N D = C. A\n"
      "                log-spaced scan of N brackets the minimum and Brent's method\n"
      "                (Boost.Math brent_find_minima, in log N) locates it to ~1e-7.\n"
      "                When U is at least the fresh-data optimum's D, the answer is that\n"
      "                optimum (<= 1 epoch). With little data the law prefers a smaller\n"
      "                model trained for more epochs, as Muennighoff et al. report.\n"
      "  --params N    a fixed model (say, sized for inference). The law has no\n"
      "                overfitting term, so its loss keeps falling with more tokens; the\n"
      "                answer is the D for which N is the data-constrained compute-optimal\n"
      "                size: where the next FLOP lowers the loss as much spent on tokens as\n"
      "                on parameters (dL/dlogN = dL/dlogD). Training longer still helps,\n"
      "                but a larger model would use that compute better. With enough\n"
      "                unique data this is Chinchilla's D for N. The floor row is N\n"
      "                trained for unlimited epochs on U.\n"
      "  --tokens D    a fixed token budget (D may exceed U: D/U epochs): the N for which\n"
      "                D is the data-constrained compute-optimal token count (same\n"
      "                condition, solved in N). With D <= U this is Chinchilla's N for D.\n"
      "                The floor row is D tokens with an unlimited model.\n"
      "  two of them   your plan as given (C = 6 N D fixes the third), beside the\n"
      "                data-constrained and the fresh-data optimum at the same compute.\n\n"
      "Rows: the data-constrained optimum (or your plan), the fresh-data answer of the\n"
      "same law trained on U, and the floor: the loss no amount of the free quantity can\n"
      "beat with these U unique tokens. Columns: params, tokens, epochs (D / U), flops\n"
      "(6 N D), loss (the data-constrained law, DataConstrainedLoss), loss_if_fresh (the\n"
      "same N and D if all D tokens were unique: the cost of the data limit is loss -\n"
      "loss_if_fresh) and, when the rows share one compute budget, loss_vs_optimum.\n"
      "When the optimum is within {} nats of the floor, a note on stderr says that\n"
      "more compute buys next to nothing and many plans are about as good.\n\n"
      "Losses are nats per token of the law's tokenizer. muennighoff2023 is the preset\n"
      "fitted to repeated data; the others reuse its R_D*, R_N* (MODEL.md §1).\n"
      "Default --law: {}.\n\n"
      "{}\n{}\n"
      "Examples:\n"
      "  repsim plan allocate --compute 1e22 --unique-tokens 25B\n"
      "  repsim plan allocate --params 7B --unique-tokens 100B\n"
      "  repsim plan allocate --tokens 1T --unique-tokens 250B --law chinchilla2022\n"
      "  repsim plan allocate --params 7B --tokens 1T --unique-tokens 250B --format json\n",
      kSaturatedLossGap, ToString(kDefaultPreset), kQuantitiesHelp, FlagsText(desc));
}

int PlanAllocate(const Args& args) {
  po::options_description desc{"Options"};
  // clang-format off
  desc.add_options()
      ("unique-tokens", po::value<std::string>()->value_name("U"),
       "unique tokens available (required), e.g. 25B")
      ("compute", po::value<std::string>()->value_name("C"), "training FLOPs, e.g. 1e22")
      ("params", po::value<std::string>()->value_name("N"), "a fixed model size, e.g. 7B")
      ("tokens", po::value<std::string>()->value_name("D"),
       "a fixed number of training tokens (repeats included), e.g. 1T")
      ("law", po::value<std::string>()->value_name("PRESET"),
       ("the loss law: " + Join(PresetNames(), ", ")).c_str());
  // clang-format on
  AddCommonOptions(desc);
  Expected<Parsed> p = ParseFlags(desc, args);
  if (!p) {
    return UsageError("allocate", p.error());
  }
  if (p->help) {
    AllocateHelp(desc);
    return kExitOk;
  }
  const po::variables_map& vm = p->vm;
  if (!vm.count("unique-tokens")) {
    return UsageError(
        "allocate",
        "missing --unique-tokens U: how many unique tokens exist (a number > 0, e.g. 25B)");
  }
  const auto u = OptionalFlag(vm, "unique-tokens", Quantity::kCount, "unique tokens, e.g. 25B");
  const auto c = OptionalFlag(vm, "compute", Quantity::kPlain, "training FLOPs, e.g. 1e22");
  const auto n = OptionalFlag(vm, "params", Quantity::kCount, "parameters, e.g. 7B");
  const auto d = OptionalFlag(vm, "tokens", Quantity::kCount, "training tokens, e.g. 1T");
  for (const auto* v : {&u, &c, &n, &d}) {
    if (!*v) {
      return UsageError("allocate", v->error());
    }
  }
  Expected<Law> law = LawFlag(vm);
  if (!law) {
    return UsageError("allocate", law.error());
  }
  const int given = (*c).has_value() + (*n).has_value() + (*d).has_value();
  if (given == 0) {
    return UsageError("allocate",
                      "missing --compute C (or --params N, or --tokens D): what is fixed");
  }
  if (given == 3) {
    return UsageError("allocate",
                      "--compute, --params and --tokens all given: C = 6 N D fixes the third; "
                      "give at most two");
  }
  const double unique = **u;

  // Which rows, and whether they share one compute budget.
  std::vector<std::pair<std::string, PlanPoint>> rows;
  std::string floor_label;
  double floor = 0;
  bool same_compute = true;
  std::string title;
  Expected<DataConstrainedPlan> plan = Error{""};
  if (given == 2) {
    const double nn = *n ? **n : **c / (kFlopsPerParamToken * **d);
    const double dd = *d ? **d : **c / (kFlopsPerParamToken * nn);
    const PlanPoint mine = EvaluatePlanPoint(*law, nn, dd, unique);
    plan = AllocateCompute(*law, mine.flops, unique);
    if (!plan) {
      return UsageError("allocate", plan.error());
    }
    rows.push_back({"your plan", mine});
    rows.push_back({"data-constrained optimum at this compute", plan->optimum});
    rows.push_back({"fresh-data optimum (ComputeOptimal) on U", plan->compute_optimal});
    floor_label = "floor: unlimited compute on U";
    title = "your plan against the optima at its compute";
  } else if (*c) {
    plan = AllocateCompute(*law, **c, unique);
    if (!plan) {
      return UsageError("allocate", plan.error());
    }
    rows.push_back({"data-constrained optimum", plan->optimum});
    rows.push_back({"fresh-data optimum (ComputeOptimal) on U", plan->compute_optimal});
    floor_label = "floor: unlimited compute on U";
    title = "loss-minimising N, D at fixed compute";
  } else if (*n) {
    plan = BestTokensForParams(*law, **n, unique);
    if (!plan) {
      return UsageError("allocate", plan.error());
    }
    rows.push_back({"data-constrained optimal D for N", plan->optimum});
    rows.push_back({"fresh-data optimal D for N, on U", plan->compute_optimal});
    floor_label = "floor: N, unlimited epochs";
    same_compute = false;
    title = "tokens for a fixed model";
  } else {
    plan = BestParamsForTokens(*law, **d, unique);
    if (!plan) {
      return UsageError("allocate", plan.error());
    }
    rows.push_back({"data-constrained optimal N for D", plan->optimum});
    rows.push_back({"fresh-data optimal N for D, on U", plan->compute_optimal});
    floor_label = "floor: D, unlimited params";
    same_compute = false;
    title = "model size for a fixed token budget";
  }
  // An answer smaller than any model a law was fitted on is a unit slip, not
  // a plan (issue 14: 300 unique tokens for "300B" gave a 3.1K model). The
  // flag to blame: the budget when even the fresh-data answer is that small,
  // else the unique tokens.
  if (!*n) {
    const double smallest = SmallestFittedParams(law->form);
    if (plan->optimum.params < smallest) {
      std::string flag = fmt::format("--unique-tokens {}", vm["unique-tokens"].as<std::string>());
      if (plan->compute_optimal.params < smallest) {
        flag = *c ? fmt::format("--compute {}", vm["compute"].as<std::string>())
                  : fmt::format("--tokens {}", vm["tokens"].as<std::string>());
      }
      return UsageError(
          "allocate",
          fmt::format("{}: the answer would be a {:.4g}-parameter model, below the smallest "
                      "model any law was fitted on ({:.3g}): an implausible input (a missing "
                      "suffix such as B or T?)",
                      flag, plan->optimum.params, smallest));
    }
  }
  floor = plan->loss_floor;
  const double best = plan->optimum.loss;

  const Cells cell(p->format);
  io::Table t;
  t.AddColumn("plan", false);
  for (const char* col : {"params", "tokens", "epochs", "flops", "loss", "loss_if_fresh"}) {
    t.AddColumn(col);
  }
  if (same_compute) {
    t.AddColumn("loss_vs_optimum");
  }
  for (const auto& [label, pt] : rows) {
    std::vector<std::string> cells = {label,
                                      cell.Count(pt.params),
                                      cell.Count(pt.tokens),
                                      cell.Number(pt.epochs),
                                      cell.Number(pt.flops),
                                      cell.Loss(pt.loss),
                                      cell.Loss(pt.fresh_loss)};
    if (same_compute) {
      cells.push_back(cell.Delta(pt.loss - best));
    }
    t.AddRow(std::move(cells));
  }
  std::vector<std::string> floor_cells = {floor_label, "", "", "", "", cell.Loss(floor), ""};
  if (same_compute) {
    floor_cells.push_back(cell.Delta(floor - best));
  }
  t.AddRow(std::move(floor_cells));

  if (p->format == io::TableFormat::kText) {
    fmt::print("repsim plan allocate: {}; law {}, U = {} unique tokens.\n\n", title,
               ToString(law->preset), cell.Count(unique));
  }
  Print(t, p->format);
  if (p->format == io::TableFormat::kText) {
    const PlanPoint& o = plan->optimum;
    const PlanPoint& f = plan->compute_optimal;
    fmt::print("\nThe data limit costs {} nats at the optimum (loss - loss_if_fresh).\n",
               cell.Delta(o.loss - o.fresh_loss));
    if (same_compute) {
      fmt::print("Ignoring it (the fresh-data allocation on U) would cost {} nats more.\n",
                 cell.Delta(f.loss - o.loss));
    }
  }
  if (plan->optimum.loss - floor < kSaturatedLossGap) {
    const double gap = plan->optimum.loss - floor;
    fmt::print(stderr,
               "repsim plan allocate: note: the optimum is {} the floor {:.6g}: with {} unique "
               "tokens more compute buys next to nothing here, and many plans are about as "
               "good as the one shown (see --help).\n",
               gap < 1e-12 ? std::string("within rounding of")
                           : fmt::format("only {:.2g} nats above", gap),
               floor, Cells(io::TableFormat::kText).Count(unique));
  }
  return kExitOk;
}

// =================================================================================
// repsim plan kaplan
// =================================================================================

void KaplanHelp(const po::options_description& desc) {
  const Law k = MakeLaw(LawPreset::kKaplan2020);
  fmt::print(
      "Usage: repsim plan kaplan [--loss L] [--params N [--steps S]] [--compute C] [--format "
      "FMT]\n\n"
      "Kaplan et al. 2020's relations besides L(N, D) (MODEL.md §1). Each flag adds rows:\n"
      "  --loss L     critical batch size B_crit(L) = B* / L^(1/alpha_B)      (eq. 1.4)\n"
      "               and what reaching L takes: N = N_c L^(-1/alpha_N) with unlimited\n"
      "               data (eq. 1.1), D = D_c L^(-1/alpha_D) with a large enough model\n"
      "               (eq. 1.2), C_min = C_c L^(-1/alpha_C) spent compute-efficiently (eq. 1.3)\n"
      "  --params N   the converged loss L(N) = (N_c/N)^alpha_N (eq. 1.1) and the data\n"
      "               needed to avoid overfitting, D >~ {:g} N^{} (eq. 4.4)\n"
      "  --steps S    with --params: L(N, S) = (N_c/N)^alpha_N + (S_c/S)^alpha_S (eq. 1.6)\n"
      "               and B_crit at that loss. S is S_min, the steps at a batch far above\n"
      "               B_crit; S steps at batch B count as S / (1 + B_crit/B) (§5.1)\n"
      "  --compute C  in FLOPs (1 PF-day = {:g} FLOPs): L(C_min) = (C_c/C_min)^alpha_C\n"
      "               (eq. 1.3) and B_crit at that loss\n\n"
      "Constants (Kaplan et al. 2020; alpha_N, N_c, alpha_D, D_c are the kaplan2020 preset's):\n"
      "  alpha_N = {}, N_c = {:g} non-embedding params; alpha_D = {}, D_c = {:g} tokens;\n"
      "  B* = {:g} tokens (the paper rounds to 2e8), alpha_B = {}; S_c = {:g} steps, alpha_S = "
      "{};\n"
      "  C_c = {:g} PF-days, alpha_C = {}.\n"
      "Losses are nats per token of Kaplan's tokenizer (WebText2) and N excludes embeddings:\n"
      "not comparable with the other presets.\n\n"
      "Columns: quantity, value, unit, relation, source.\n\n"
      "{}\n{}\n"
      "Examples:\n"
      "  repsim plan kaplan --loss 2.5\n"
      "  repsim plan kaplan --params 1.5B --steps 250K\n"
      "  repsim plan kaplan --compute 3.14e23\n",
      kKaplanOverfitCoefficient, kKaplanOverfitExponent, kFlopsPerPetaflopDay, k.alpha_n, k.n_c,
      k.alpha_d, k.d_c, kKaplanBStar, kKaplanAlphaB, kKaplanSc, kKaplanAlphaS,
      kKaplanCcPetaflopDays, kKaplanAlphaC, kQuantitiesHelp, FlagsText(desc));
}

int PlanKaplan(const Args& args) {
  po::options_description desc{"Options"};
  // clang-format off
  desc.add_options()
      ("loss", po::value<std::string>()->value_name("L"), "a loss in nats (Kaplan's tokenizer)")
      ("params", po::value<std::string>()->value_name("N"), "non-embedding parameters, e.g. 1.5B")
      ("steps", po::value<std::string>()->value_name("S"), "optimiser steps S_min (with --params)")
      ("compute", po::value<std::string>()->value_name("C"), "training FLOPs, e.g. 3.14e23");
  // clang-format on
  AddCommonOptions(desc);
  Expected<Parsed> p = ParseFlags(desc, args);
  if (!p) {
    return UsageError("kaplan", p.error());
  }
  if (p->help) {
    KaplanHelp(desc);
    return kExitOk;
  }
  const po::variables_map& vm = p->vm;
  const auto loss = OptionalFlag(vm, "loss", Quantity::kPlain, "nats, e.g. 2.5");
  const auto n =
      OptionalFlag(vm, "params", Quantity::kCount, "non-embedding parameters, e.g. 1.5B");
  const auto s = OptionalFlag(vm, "steps", Quantity::kCount, "optimiser steps, e.g. 250K");
  const auto c = OptionalFlag(vm, "compute", Quantity::kPlain, "training FLOPs, e.g. 3.14e23");
  for (const auto* v : {&loss, &n, &s, &c}) {
    if (!*v) {
      return UsageError("kaplan", v->error());
    }
  }
  if (*s && !*n) {
    return UsageError("kaplan", "--steps needs --params N: L(N, S) depends on both");
  }
  if (!*loss && !*n && !*c) {
    return UsageError("kaplan", "missing --loss L, --params N or --compute C: nothing to compute");
  }

  const Cells cell(p->format);
  io::Table t;
  t.AddColumn("quantity", false);
  t.AddColumn("value");
  t.AddColumn("unit", false);
  t.AddColumn("relation", false);
  t.AddColumn("source", false);
  auto row = [&](std::string q, std::string value, std::string unit, std::string rel,
                 const std::string& src) {
    t.AddRow({std::move(q), std::move(value), std::move(unit), std::move(rel),
              "Kaplan et al. 2020 " + src});
  };
  const std::string nats = "nats (Kaplan's tokenizer)";
  if (*loss) {
    const double l = **loss;
    row(fmt::format("critical batch size at L = {}", cell.Number(l)),
        cell.Count(KaplanCriticalBatch(l)), "tokens", "B* / L^(1/alpha_B)", "eq. 1.4");
    row("params reaching L (converged, unlimited data)", cell.Count(KaplanParamsForLoss(l)),
        "non-embedding params", "N_c L^(-1/alpha_N)", "eq. 1.1 inverted");
    row("tokens reaching L (large model, early stop)", cell.Count(KaplanTokensForLoss(l)), "tokens",
        "D_c L^(-1/alpha_D)", "eq. 1.2 inverted");
    row("compute reaching L (compute-efficient)", cell.Number(KaplanComputeForLoss(l)), "FLOPs",
        "C_c L^(-1/alpha_C)", "eq. 1.3 inverted");
    row("compute reaching L (compute-efficient)",
        cell.Number(KaplanComputeForLoss(l) / kFlopsPerPetaflopDay), "PF-days",
        "C_c L^(-1/alpha_C)", "eq. 1.3 inverted");
  }
  if (*n) {
    const double nn = **n;
    row(fmt::format("converged loss of N = {}", cell.Count(nn)), cell.Loss(KaplanLossForParams(nn)),
        nats, "(N_c/N)^alpha_N", "eq. 1.1");
    row("tokens to avoid overfitting", cell.Count(KaplanTokensToAvoidOverfitting(nn)), "tokens",
        fmt::format("D >~ {:g} N^{}", kKaplanOverfitCoefficient, kKaplanOverfitExponent),
        "eq. 4.4");
    if (*s) {
      const double l = KaplanLossForParamsSteps(nn, **s);
      row(fmt::format("loss after S_min = {} steps", cell.Count(**s)), cell.Loss(l), nats,
          "(N_c/N)^alpha_N + (S_c/S)^alpha_S", "eq. 1.6");
      row("critical batch size at that loss", cell.Count(KaplanCriticalBatch(l)), "tokens",
          "B* / L^(1/alpha_B)", "eq. 1.4");
    }
  }
  if (*c) {
    const double l = KaplanLossForCompute(**c);
    row(fmt::format("compute C = {} FLOPs", cell.Number(**c)),
        cell.Number(**c / kFlopsPerPetaflopDay), "PF-days", "C / 8.64e19", "§1.2 (units)");
    row("loss with compute-efficient training", cell.Loss(l), nats, "(C_c/C_min)^alpha_C",
        "eq. 1.3");
    row("critical batch size at that loss", cell.Count(KaplanCriticalBatch(l)), "tokens",
        "B* / L^(1/alpha_B)", "eq. 1.4");
  }
  if (p->format == io::TableFormat::kText) {
    fmt::print("Kaplan et al. 2020 relations (its tokenizer's nats; non-embedding params).\n\n");
  }
  Print(t, p->format);
  return kExitOk;
}

// =================================================================================
// Dispatch
// =================================================================================

struct Planner {
  std::string_view name;
  int (*fn)(const Args&);
  std::string_view summary;
};

constexpr Planner kPlanners[] = {
    {"table", PlanTable, "the compute-optimal table of Hoffmann et al. 2022 (Table 3)"},
    {"scale", PlanScale, "how N and D grow when compute grows K-fold (Kaplan vs Chinchilla)"},
    {"allocate", PlanAllocate,
     "the best (N, D) when only U unique tokens exist (Muennighoff 2023)"},
    {"kaplan", PlanKaplan,
     "Kaplan 2020: critical batch, steps, compute, data to avoid overfitting"},
};

void PlanHelp(std::FILE* out) {
  fmt::print(out,
             "Usage: repsim plan PLANNER [OPTIONS]\n"
             "       repsim plan PLANNER --help    (what each computes, from which relation)\n\n"
             "Compute-optimal planners. Each prints a table: aligned text by default,\n"
             "--format csv|json|md for scripts and documents.\n\n"
             "Planners:\n");
  for (const Planner& p : kPlanners) {
    fmt::print(out, "  {:<9} {}\n", p.name, p.summary);
  }
  fmt::print(out, "\n{}\nExit codes: 0 success, 1 internal failure, 2 bad input or usage.\n",
             kQuantitiesHelp);
}

}  // namespace

int PlanCommand(const Args& args) {
  if (args.empty()) {
    PlanHelp(stderr);
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PlanHelp(stdout);
    return kExitOk;
  }
  for (const Planner& p : kPlanners) {
    if (args[0] == p.name) {
      return p.fn(Args(args.begin() + 1, args.end()));
    }
  }
  std::vector<std::string> names;
  for (const Planner& p : kPlanners) {
    names.emplace_back(p.name);
  }
  fmt::print(stderr,
             "repsim plan: unknown planner '{}'{} (one of: {})\n"
             "Run 'repsim plan --help' for usage.\n",
             args[0], Suggestion(args[0], names), Join(names, ", "));
  return kExitUsage;
}

}  // namespace repsim::cli
