#include "io/columns.h"

#include <fmt/format.h>

#include "io/suggest.h"
#include "io/table.h"
#include "repsim/displacement.h"
#include "repsim/intervals.h"

namespace repsim::io {
namespace {

using R = RunRef;
using S = SummaryRef;
using Terminal = bool (*)(R, S);

bool Always(R, S) { return true; }
constexpr Terminal kHidden = nullptr;

Column Named(std::string name, std::string_view unit, std::string_view meaning) {
  Column c;
  c.name = std::move(name);
  c.unit = unit;
  c.meaning = meaning;
  return c;
}

Column Result(std::string name, std::string_view unit, double (*f)(R, S), std::string_view meaning,
              Terminal terminal = Always) {
  Column c = Named(std::move(name), unit, meaning);
  c.number = f;
  c.in_terminal = terminal;
  return c;
}

// A result that may have no value (its equation has no solution).
Column MaybeResult(std::string name, std::string_view unit, std::optional<double> (*f)(R, S),
                   std::string_view meaning, Terminal terminal = Always) {
  Column c = Named(std::move(name), unit, meaning);
  c.type = ColumnType::kOptional;
  c.optional = f;
  c.in_terminal = terminal;
  return c;
}

// Free text (an empty cell: nothing to say).
Column Note(std::string name, std::string (*f)(R, S), std::string_view meaning) {
  Column c = Named(std::move(name), "", meaning);
  c.type = ColumnType::kText;
  c.text = f;
  return c;
}

Column Input(std::string name, std::string_view unit, double (*f)(R, S), std::string_view meaning) {
  Column c = Named(std::move(name), unit, meaning);
  c.role = ColumnRole::kInput;
  c.number = f;
  return c;
}

Column InputText(std::string name, std::string (*f)(R, S), std::string_view meaning) {
  Column c = Note(std::move(name), f, meaning);
  c.role = ColumnRole::kInput;
  return c;
}

// law_<name> for every constant of every law form (law.h's LawConstants()):
// a run's cells are empty for the constants its form does not have.
Column LawConstantColumn(const LawConstant& k) {
  Column c = Named("law_" + std::string(k.name), k.unit, k.meaning);
  c.role = ColumnRole::kInput;
  c.type = ColumnType::kOptional;
  c.law_constant = &k;
  return c;
}

// The input column of scenario key `k` (its `column`, scenario_keys.h).
Column KeyColumn(const KeyInfo& k) {
  Column c = Named(std::string(k.column), k.unit, k.column_meaning);
  c.role = ColumnRole::kInput;
  c.type = k.resolved_name ? ColumnType::kName : ColumnType::kNumber;
  c.key = &k;
  return c;
}

// An end of an output's uncertainty band (group "intervals"): empty when the
// run has no bands or the output no value.
template <BandOutput kOutput, bool kHigh>
std::optional<double> BandEnd(R, S s) {
  if (!s.bands) return std::nullopt;
  const std::optional<Range>& r = s.bands->band[static_cast<size_t>(kOutput)];
  if (!r) return std::nullopt;
  return kHigh ? r->hi : r->lo;
}

template <BandOutput kOutput>
void AddBand(std::vector<Column>& c) {
  const std::string name(ToString(kOutput));
  const Column* point = nullptr;
  for (const Column& k : c) {
    if (k.name == name) point = &k;
  }
  const std::string_view unit = point ? point->unit : std::string_view();
  for (bool high : {false, true}) {
    Column b = Named(name + (high ? "_hi" : "_lo"), unit,
                     high ? "upper end of its uncertainty band (MODEL.md §2c)"
                          : "lower end of its uncertainty band: the envelope of the law's "
                            "bootstrap refits and each assumption's range (MODEL.md §2c)");
    b.type = ColumnType::kOptional;
    b.optional = high ? BandEnd<kOutput, true> : BandEnd<kOutput, false>;
    b.group = kIntervalsGroup;
    c.push_back(std::move(b));
  }
}

// band_source: "c_drop; c_drop 2.51-2.58, bootstrap 2.53-2.55" (loss_repeated).
std::string BandSourceText(S s) {
  if (!s.bands) return {};
  const Bands& b = *s.bands;
  const auto k = static_cast<size_t>(BandOutput::kLossRepeated);
  std::string out(b.DominantName(BandOutput::kLossRepeated));
  if (out.empty()) out = "none";
  std::string ranges;
  for (const BandSource& src : b.sources) {
    if (!src.range[k]) continue;
    ranges += fmt::format("{}{} {}-{}", ranges.empty() ? "" : ", ", src.name,
                          Short(src.range[k]->lo), Short(src.range[k]->hi));
  }
  if (!ranges.empty()) out += "; " + ranges;
  if (!b.no_bootstrap.empty()) out += "; " + b.no_bootstrap;
  return out;
}

std::vector<Column> Build() {
  std::vector<Column> c = {
      Result(
          "params", "parameters", [](R, S s) { return s.params; },
          "N: total parameters (the law sees these)"),
      Result(
          "active_params", "parameters", [](R, S s) { return s.active_params; },
          "parameters active per token (FLOPs use these)",
          [](R, S s) { return s.active_params != s.params; }),
      Result(
          "tokens", "tokens", [](R, S s) { return s.tokens; }, "D: training tokens seen"),
      Result(
          "unique_tokens", "tokens", [](R, S s) { return s.unique_tokens; },
          "U: unique tokens available (sum over sources)"),
      Result(
          "epochs", "epochs", [](R, S s) { return s.epochs; },
          "D / U: passes over the unique data"),
      Result(
          "compute", "FLOPs", [](R, S s) { return s.compute; },
          "C = 6 active_params D: training FLOPs"),
      Result(
          "effective_tokens", "tokens", [](R, S s) { return s.effective_tokens; },
          "D': what the seen tokens are worth as fresh tokens"),
      Result(
          "effective_fraction", "", [](R, S s) { return s.effective_fraction; },
          "D'/D: the share of training tokens that still count"),
      Result(
          "effective_params", "parameters", [](R, S s) { return s.effective_params; },
          "N': parameters that still count (excess parameters decay, Muennighoff 2023; less "
          "capacity_lost)"),
      Result(
          "capacity_lost", "", [](R, S s) { return s.capacity_lost; },
          "share of N' taken by memorising repeated mixture sources (Hernandez et al. 2022; 0 "
          "for one source)",
          [](R r, S) { return MayDisplaceCapacity(r); }),
      Result(
          "loss_repeated", "nats/token", [](R, S s) { return s.loss_repeated; },
          "L(N', D'): predicted loss of this run, nats/token"),
      Result(
          "loss_unique", "nats/token", [](R, S s) { return s.loss_unique; },
          "predicted loss of the same run on all-fresh data, no dropout"),
      Result(
          "delta", "nats/token", [](R, S s) { return s.delta; },
          "loss_repeated - loss_unique: what repetition costs, nats"),
      Result(
          "delta_pct", "%", [](R, S s) { return s.delta_pct; },
          "delta as a percentage of loss_unique"),
      MaybeResult(
          "equivalent_unique_tokens", "tokens", [](R, S s) { return s.equivalent_unique_tokens; },
          "D_eq: fresh tokens that would give the same loss with this model"),
      MaybeResult(
          "wasted_compute", "", [](R, S s) { return s.wasted_compute; },
          "1 - D_eq/D: the share of training compute repetition wastes"),
      MaybeResult(
          "equivalent_params", "parameters", [](R, S s) { return s.equivalent_params; },
          "N_eq: model size that reaches the same loss on D fresh tokens"),
      MaybeResult(
          "equivalent_params_ratio", "",
          [](R, S s) -> std::optional<double> {
            if (!s.equivalent_params) return std::nullopt;
            return *s.equivalent_params / s.params;
          },
          "N_eq / N: the share of the model's size the run is worth on fresh data (Hernandez "
          "et al. 2022: 0.5 when 800M performs like 400M)",
          [](R r, S) { return MayDisplaceCapacity(r); }),
      Result(
          "marginal_value_last", "", [](R, S s) { return s.marginal_value_last; },
          "what the last token seen was worth, relative to a fresh one"),
      MaybeResult(
          "epochs_value_below_half", "epochs", [](R, S s) { return s.epochs_value_below_half; },
          "epochs after which a token is worth less than half a fresh one"),
      MaybeResult(
          "epochs_value_below_tenth", "epochs", [](R, S s) { return s.epochs_value_below_tenth; },
          "epochs after which a token is worth less than a tenth"),
      Result(
          "rd_star_effective", "epochs", [](R, S s) { return s.rd_star_effective; },
          "R_D* x objective x size multipliers (decay of repeated data, epochs)", kHidden),
      Result(
          "dropout_data_gain", "", [](R, S s) { return s.dropout_data_gain; },
          "rho = max(1, D'/D'0): dropout's gain in the data's worth; the data supports a model "
          "sized for rho x its unique tokens (1 without dropout)",
          kHidden),
      Note(
          "extrapolation", [](R r, S) { return Extrapolation(r); },
          "empty, or which ranges of the runs the law was fitted on this run is outside of, by "
          "what factor (repsim laws)"),
      InputText(
          "law", [](R r, S) { return LawName(r.law); },
          "the loss law: its preset, or \"custom (from PRESET, overridden: ...)\" when any "
          "constant was changed"),
  };
  // The band columns are results: before `law`, the first input.
  Column law = std::move(c.back());
  c.pop_back();
  AddBand<BandOutput::kLossRepeated>(c);
  AddBand<BandOutput::kDelta>(c);
  AddBand<BandOutput::kDeltaPct>(c);
  AddBand<BandOutput::kEffectiveFraction>(c);
  AddBand<BandOutput::kEquivalentUniqueTokens>(c);
  AddBand<BandOutput::kEquivalentParams>(c);
  {
    Column b = Note(
        "band_source", [](R, S s) { return BandSourceText(s); },
        "which source moves loss_repeated most: bootstrap (the law's fitted constants) or an "
        "assumption (c_drop, eta, memorization_capacity, weight_decay_shape, weight_decay_factor); "
        "then each source's range");
    b.group = kIntervalsGroup;
    c.push_back(std::move(b));
  }
  c.push_back(std::move(law));
  for (const LawConstant& k : LawConstants()) c.push_back(LawConstantColumn(k));
  // Then the input column of every scenario key that has one (its registry row).
  for (const KeyInfo* k : ColumnKeys()) c.push_back(KeyColumn(*k));
  // Weight decay (weight_decay.h): in the outputs of a scenario that sets it.
  Column wd[] = {
      Input(
          "weight_decay", "", [](R r, S) { return r.weight_decay; },
          "AdamW weight decay lambda (0.1: standard, the reference)"),
      Input(
          "weight_decay_overfit_factor", "", [](R r, S) { return WeightDecayFactor(r); },
          "weight decay's factor on the overfitting term (1 at 0.1; no effect without one)"),
      Input(
          "weight_decay_factor", "", [](R r, S) { return r.modifiers.weight_decay_factor; },
          "the factor at weight decay 1.0 (measured ~0.3, Lovelace et al. 2026)"),
      Input(
          "weight_decay_shape", "", [](R r, S) { return r.modifiers.weight_decay_shape; },
          "shape of the factor between and beyond the measured points (our assumption)"),
  };
  for (Column& k : wd) {
    k.group = kWeightDecayGroup;
    c.push_back(std::move(k));
  }
  return c;
}

// Markdown cell text: pipes escaped.
std::string MdCell(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|') out += '\\';
    out += ch;
  }
  return out;
}

}  // namespace

std::string Column::Text(RunRef run, SummaryRef summary) const {
  if (type == ColumnType::kName) return std::string(Name(run, summary));
  if (text) return text(run, summary);
  return {};
}

std::string Column::Cell(RunRef run, SummaryRef summary) const {
  if (!numeric()) return Text(run, summary);
  const std::optional<double> v = Value(run, summary);
  return v ? Num(*v) : std::string();
}

std::span<const Column> AllColumns() {
  static const std::vector<Column> columns = Build();
  return columns;
}

const Column* FindColumn(std::string_view name) {
  for (const Column& c : AllColumns()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

ColumnSet SelectColumns(std::span<const std::string_view> groups) {
  ColumnSet out;
  for (const Column& c : AllColumns()) {
    bool wanted = c.group.empty();
    for (std::string_view g : groups) wanted = wanted || g == c.group;
    if (wanted) out.push_back(&c);
  }
  return out;
}

const ColumnSet& DefaultColumns() {
  static const ColumnSet columns = SelectColumns();
  return columns;
}

const ColumnSet& OutputColumns(bool intervals) {
  static constexpr std::string_view kGroups[] = {kIntervalsGroup};
  static const ColumnSet with_intervals = SelectColumns(kGroups);
  return intervals ? with_intervals : DefaultColumns();
}

const ColumnSet& OutputColumns(bool intervals, bool weight_decay) {
  if (!weight_decay) return OutputColumns(intervals);
  static constexpr std::string_view kWd[] = {kWeightDecayGroup};
  static constexpr std::string_view kBoth[] = {kIntervalsGroup, kWeightDecayGroup};
  static const ColumnSet wd = SelectColumns(kWd);
  static const ColumnSet both = SelectColumns(kBoth);
  return intervals ? both : wd;
}

MaybeError PlottableColumnProblem(std::string_view name) {
  const Column* c = FindColumn(name);
  if (c && c->numeric()) return std::nullopt;
  if (c) return fmt::format("`{}` is a text column; the heatmap maps a numeric one", name);
  std::vector<std::string_view> numeric;
  for (const Column& k : AllColumns()) {
    if (k.numeric()) numeric.push_back(k.name);
  }
  return fmt::format(
      "not an output column{} (a numeric column of `repsim columns`, e.g. delta_pct, "
      "loss_repeated, equivalent_params)",
      DidYouMean(name, numeric));
}

Table ColumnsTable() {
  Table t;
  t.AddColumn("column", false);
  t.AddColumn("unit", false);
  t.AddColumn("meaning", false);
  for (const Column& c : AllColumns()) {
    std::string meaning(c.meaning);
    if (c.law_constant) {
      meaning = fmt::format("law constant {}: {}{}", c.law_constant->name, meaning,
                            c.law_constant->overfit ? "; empty for a law without that term"
                            : c.law_constant->form  ? "; empty for other law forms"
                                                    : "");
    } else if (c.type == ColumnType::kOptional) {
      meaning += " (empty when there is no solution)";
    }
    if (!c.group.empty()) meaning += fmt::format(" (only with {})", c.group);
    t.AddRow({c.name, std::string(c.unit), std::move(meaning)});
  }
  return t;
}

std::string ColumnsMarkdown() {
  const Table t = ColumnsTable();
  std::string out = "| column | unit | meaning |\n|---|---|---|\n";
  for (const auto& row : t.rows) {
    out += fmt::format("| `{}` | {} | {} |\n", row[0], MdCell(row[1]), MdCell(row[2]));
  }
  return out;
}

Table KeysTable() {
  Table t;
  for (auto name : {"key", "kind", "unit", "range", "meaning"}) t.AddColumn(name, false);
  for (const KeyInfo& k : SettableKeys()) {
    std::string kind = k.kind == KeyKind::kNumber     ? "number"
                       : k.kind == KeyKind::kQuantity ? "quantity (\"25B\")"
                                                      : "name";
    if (!k.choices.empty()) {
      std::string names;
      for (std::string_view c : k.choices)
        names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", c);
      kind += k.kind == KeyKind::kChoice ? ": " + names : " or " + names;
    }
    t.AddRow({k.path, kind, std::string(k.unit), k.range ? k.range->Text() : std::string(),
              std::string(k.help)});
  }
  return t;
}

std::string KeysMarkdown() {
  const Table t = KeysTable();
  std::string out = "| key | kind | unit | range | meaning |\n|---|---|---|---|---|\n";
  for (const auto& row : t.rows) {
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", row[0], MdCell(row[1]), MdCell(row[2]),
                       MdCell(row[3]), MdCell(row[4]));
  }
  return out;
}

}  // namespace repsim::io
