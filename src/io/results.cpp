#include "io/results.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <mutex>
#include <system_error>

#include "io/columns.h"
#include "io/table.h"
#include "repsim/assumptions.h"
#include "repsim/calibration.h"
#include "repsim/displacement.h"
#include "repsim/intervals.h"

namespace fs = std::filesystem;

namespace repsim::io {
namespace {

Table SummaryTable(
    const std::vector<std::pair<std::string, std::pair<const Run*, const Summary*>>>& rows,
    bool with_name) {
  Table t;
  if (with_name) t.AddColumn("name", false);
  // The band columns when the rows have bands (--intervals).
  bool weight_decay = false;
  for (const auto& row : rows)
    weight_decay |= row.second.first->weight_decay != kDefaultWeightDecay;
  const ColumnSet& columns =
      OutputColumns(!rows.empty() && rows.front().second.second->bands != nullptr, weight_decay);
  for (const Column* c : columns) t.AddColumn(c->name, c->numeric());
  for (const auto& [name, rs] : rows) {
    std::vector<std::string> cells;
    if (with_name) cells.push_back(name);
    for (const Column* c : columns) cells.push_back(c->Cell(*rs.first, *rs.second));
    t.AddRow(std::move(cells));
  }
  return t;
}

// Where each of the law's constants comes from: overridden ones from the
// scenario's [law] source (the fit that made them), the others from the
// preset's paper, except R_D* and R_N*, which every preset but
// muennighoff2023 and overfit2026 carries from Muennighoff et al. 2023.
std::string LawProvenance(const ScenarioResults& r) {
  const Law& law = r.run.law;
  const std::vector<std::string_view> overridden = OverriddenConstants(law);
  const bool borrowed_repetition =
      law.preset != LawPreset::kMuennighoff2023 && law.preset != LawPreset::kOverfit2026;
  std::vector<std::string_view> own, repetition;
  for (const auto& [name, value] : LawConstants(law)) {
    if (std::find(overridden.begin(), overridden.end(), name) != overridden.end()) continue;
    const bool is_repetition = name == "rd_star" || name == "rn_star";
    (is_repetition && borrowed_repetition ? repetition : own).push_back(name);
  }
  std::string out;
  if (!overridden.empty()) {
    out = fmt::format(
        "{} from {}; ", fmt::join(overridden, ", "),
        r.scenario.law_source.empty() ? std::string("the scenario file") : r.scenario.law_source);
  }
  if (overridden.empty() && repetition.empty()) return std::string(LawSource(law.preset));
  out += own.empty()
             ? fmt::format("the form from {}", LawSource(law.preset))
             : fmt::format("{} and the form from {}", fmt::join(own, ", "), LawSource(law.preset));
  if (!repetition.empty()) {
    out += fmt::format("; {} from {}", fmt::join(repetition, ", "),
                       LawSource(LawPreset::kMuennighoff2023));
  }
  return out;
}

// A position on the run's timeline (full passes over the unique data) in words.
std::string PositionInWords(double epoch) {
  static constexpr const char* kOrdinals[] = {"first", "second",  "third",  "fourth", "fifth",
                                              "sixth", "seventh", "eighth", "ninth",  "tenth"};
  if (epoch == 0) return "the start";
  if (epoch == 1) return "the first repeat";
  if (epoch == std::floor(epoch) && epoch <= 10) {
    return fmt::format("the {} repeat, after {:g} full passes",
                       kOrdinals[static_cast<int>(epoch) - 1], epoch);
  }
  if (epoch < 1) return fmt::format("{:g} of the way through the first pass", epoch);
  return fmt::format("epoch position {:g}, after {:g} full passes", epoch, epoch);
}

// The caveats of ScenarioResults::caveats, assumptions and their flips.
std::vector<Caveat> AssumptionCaveats(const ScenarioResults& r) {
  std::vector<Caveat> notes;
  std::vector<const Run*> runs = {&r.run};
  for (const CompareRow& c : r.compare) {
    if (!c.is_base) runs.push_back(&c.run);
  }
  for (const Assumption& a : Assumptions()) {
    size_t depend = 0;
    for (const Run* run : runs) depend += DependsOn(*run, a);
    if (depend == 0) continue;
    Caveat n;
    n.kind = Caveat::Kind::kAssumption;
    n.assumption = std::string(a.name);
    n.value = AssumedValue(r.run, a);
    n.lo = a.lo;
    n.hi = a.hi;
    n.runs_depending = depend;
    n.runs = runs.size();
    n.text = fmt::format(
        "{} = {:g} is {}: {}; {} of {} runs here depend on it (stated range {:g} to {:g})", a.name,
        n.value, a.status, a.meaning, depend, runs.size(), a.lo, a.hi);
    notes.push_back(std::move(n));
    for (size_t i = 0; i + 1 < r.compare.size(); ++i) {
      const CompareRow& hi = r.compare[i];
      const CompareRow& lo = r.compare[i + 1];
      if (AssumedValue(hi.run, a) != AssumedValue(lo.run, a)) continue;
      const auto flip = RankingFlip(hi.run, lo.run, a);
      if (!flip) continue;
      // `hi` wins at the assumed value; the order reverses past `flip`.
      Caveat f;
      f.kind = Caveat::Kind::kRankingFlip;
      f.assumption = std::string(a.name);
      f.value = AssumedValue(hi.run, a);
      f.lo = a.lo;
      f.hi = a.hi;
      f.winner = hi.name;
      f.loser = lo.name;
      f.threshold = *flip;
      f.direction = *flip < f.value ? "<" : ">";
      f.text = fmt::format("ranking can flip: '{}' beats '{}' unless {} {} {:.3g} (assumed {:g})",
                           hi.name, lo.name, a.name, f.direction, *flip, f.value);
      notes.push_back(std::move(f));
    }
  }
  return notes;
}

// Whether any run of the scenario sets a weight decay (its columns are then written).
bool SetsWeightDecay(const ScenarioResults& r) {
  if (r.run.weight_decay != kDefaultWeightDecay) return true;
  for (const CompareRow& c : r.compare) {
    if (c.run.weight_decay != kDefaultWeightDecay) return true;
  }
  return false;
}

// ", weight decay 1 (overfitting x0.3)" when not the default, else "".
std::string WeightDecayInWords(const Run& run) {
  if (run.weight_decay == kDefaultWeightDecay) return {};
  if (!run.law.overfit) {
    return fmt::format(", weight decay {:g} (no effect: the law has no overfitting term)",
                       run.weight_decay);
  }
  return fmt::format(", weight decay {:g} (overfitting x{:.3g})", run.weight_decay,
                     WeightDecayFactor(run));
}

std::string MaybeShort(const std::optional<double>& v) {
  return v ? Short(*v) : std::string("not found");
}

// A column's cell for people: 6 significant digits, "not found" for no value.
std::string ShortCell(const Column& c, const Run& run, const Summary& s) {
  return c.numeric() ? MaybeShort(c.Value(run, s)) : c.Text(run, s);
}

// The bands of `s` for people, one line per output: the band, the source that
// moves it most, and every source's range ("" when `s` has no bands).
std::vector<std::string> BandLines(const Summary& s) {
  std::vector<std::string> lines;
  if (!s.bands) return lines;
  const Bands& b = *s.bands;
  for (size_t k = 0; k < kBandOutputs; ++k) {
    const auto output = static_cast<BandOutput>(k);
    const std::optional<double> point = BandValue(s, output);
    if (!point || !b.band[k]) continue;
    std::string line = fmt::format("{} {} [{}, {}]", ToString(output), Short(*point),
                                   Short(b.band[k]->lo), Short(b.band[k]->hi));
    const std::string_view dominant = b.DominantName(output);
    line += dominant.empty() ? std::string(": no source moves it")
                             : fmt::format(": mostly {}", dominant);
    std::string ranges;
    for (const BandSource& src : b.sources) {
      if (!src.range[k]) continue;
      ranges += fmt::format("{}{} {} to {}", ranges.empty() ? "" : "; ", src.name,
                            Short(src.range[k]->lo), Short(src.range[k]->hi));
    }
    if (!ranges.empty()) line += " (" + ranges + ")";
    lines.push_back(std::move(line));
  }
  return lines;
}

// What each band source is, for people.
std::vector<std::string> BandSourceLines(const Summary& s) {
  std::vector<std::string> lines;
  if (!s.bands) return lines;
  for (const BandSource& src : s.bands->sources) {
    lines.push_back(fmt::format("{}: {} ({} evaluations)", src.name, src.detail, src.evaluations));
  }
  if (!s.bands->no_bootstrap.empty()) lines.push_back(s.bands->no_bootstrap);
  return lines;
}

// The loss band of a comparison row, "[lo, hi]" ("" without bands).
std::string LossBand(const Summary& s) {
  if (!s.bands || !s.bands->band[0]) return {};
  return fmt::format("[{}, {}]", Short(s.bands->band[0]->lo), Short(s.bands->band[0]->hi));
}

// The columns of the comparison tables (terminal and report.md), after rank and variant.
constexpr std::string_view kCompareColumns[] = {"loss_repeated", "delta", "delta_pct",
                                                "effective_fraction"};

}  // namespace

std::string DropoutInWords(const Run& run) {
  const Dropout& d = run.dropout;
  const double u = UniqueTokens(run);
  auto token = [&](double epoch) {
    return fmt::format("token {:g} of {:g}", epoch * u, run.tokens);
  };
  switch (d.schedule) {
    case DropoutSchedule::kNone:
      return "no dropout";
    case DropoutSchedule::kConstant:
      return fmt::format("dropout {:g} throughout", d.rate);
    case DropoutSchedule::kStep:
      return fmt::format("dropout {:g} from {} ({})", d.rate, PositionInWords(d.start_epoch),
                         token(d.start_epoch));
    case DropoutSchedule::kLinear:
      return fmt::format("dropout ramping 0 -> {:g} from {} ({}) to {} ({})", d.rate,
                         PositionInWords(d.start_epoch), token(d.start_epoch),
                         PositionInWords(d.end_epoch), token(d.end_epoch));
    case DropoutSchedule::kEarly:
      return fmt::format("dropout {:g} until {} ({}), then off", d.rate,
                         PositionInWords(d.end_epoch), token(d.end_epoch));
  }
  return "?";
}

Expected<ScenarioResults> EvaluateScenario(const std::string& source_path, const Scenario& sc) {
  ScenarioResults r;
  r.source_path = source_path;
  r.scenario = sc;
  Expected<Run> run = Resolve(sc.base);
  if (!run) return Error{fmt::format("internal error: {}", run.error())};
  r.run = *run;
  r.summary = Evaluate(r.run);
  auto with_bands = [&](const Run& run, Summary& s) {
    if (sc.output.intervals) s.bands = std::make_shared<const Bands>(ComputeBands(run, s));
  };
  with_bands(r.run, r.summary);
  r.trajectory = EvaluateTrajectory(r.run, sc.output.trajectory_points);
  for (const CompareVariant& v : sc.compare) {
    Expected<Run> vr = Resolve(v.spec);
    if (!vr) return Error{fmt::format("internal error in compare '{}': {}", v.name, vr.error())};
    Summary vs = Evaluate(*vr);
    with_bands(*vr, vs);
    r.compare.push_back(CompareRow{v.name, *vr, std::move(vs)});
  }
  if (!r.compare.empty()) {
    r.compare.insert(r.compare.begin(), CompareRow{kBaseRowName, r.run, r.summary, true});
  }
  std::stable_sort(r.compare.begin(), r.compare.end(), [](const auto& a, const auto& b) {
    return a.summary.loss_repeated < b.summary.loss_repeated;
  });
  r.caveats = AssumptionCaveats(r);
  if (sc.output.intervals) {  // the ranking inside the bootstrap band
    for (size_t i = 0; i + 1 < r.compare.size(); ++i) {
      const CompareRow& hi = r.compare[i];
      const CompareRow& lo = r.compare[i + 1];
      const auto rank = RankingUnderBootstrap(hi.run, lo.run);
      if (!rank || rank->reversed == 0) continue;
      Caveat c;
      c.kind = Caveat::Kind::kBootstrapFlip;
      c.winner = hi.name;
      c.loser = lo.name;
      c.refits_reversed = rank->reversed;
      c.refits = rank->sets;
      c.text = fmt::format(
          "ranking can flip inside the bootstrap band: '{}' beats '{}' under {} of the {} "
          "refits of {}'s constants",
          lo.name, hi.name, rank->reversed, rank->sets, ToString(hi.run.law.preset));
      r.caveats.push_back(std::move(c));
    }
  }
  return r;
}

std::string SummaryCsv(const Run& run, const Summary& s) {
  return RenderCsv(SummaryTable({{"", {&run, &s}}}, false));
}

std::string SummaryJson(const ScenarioResults& r) {
  const Summary& s = r.summary;
  std::string out = "{\n";
  out += fmt::format("  \"scenario\": {},\n", JsonString(r.scenario.name));
  out += fmt::format("  \"law_source\": {},\n", JsonString(LawProvenance(r)));
  for (const Column* c : OutputColumns(s.bands != nullptr, SetsWeightDecay(r))) {
    const std::string cell = c->Cell(r.run, s);
    out += fmt::format("  {}: {},\n", JsonString(c->name),
                       c->numeric() ? (cell.empty() ? "null" : cell) : JsonString(cell));
  }
  out += "  \"sources\": [";
  for (size_t i = 0; i < s.sources.size(); ++i) {
    const SourceSummary& x = s.sources[i];
    out += fmt::format(
        "{}\n    {{\"name\": {}, \"unique_tokens\": {}, \"weight\": {}, \"quality\": {}, "
        "\"tokens\": {}, \"epochs\": {}, \"effective_tokens\": {}, \"marginal_value_last\": {}}}",
        i ? "," : "", JsonString(x.name), Num(x.unique_tokens), Num(x.weight), Num(x.quality),
        Num(x.tokens), Num(x.epochs), Num(x.effective_tokens), Num(x.marginal_value_last));
  }
  out += "\n  ],\n";
  if (s.bands) {  // --intervals: each output's band and every source's range
    const Bands& b = *s.bands;
    out += "  \"bands\": {";
    bool first = true;
    for (size_t k = 0; k < kBandOutputs; ++k) {
      if (!b.band[k]) continue;
      const auto output = static_cast<BandOutput>(k);
      out += fmt::format(
          "{}\n    {}: {{\"lo\": {}, \"hi\": {}, \"dominant\": {}, \"sources\": {{",
          first ? "" : ",", JsonString(ToString(output)), Num(b.band[k]->lo), Num(b.band[k]->hi),
          b.dominant[k] < 0 ? std::string("null") : JsonString(b.DominantName(output)));
      first = false;
      bool first_source = true;
      for (const BandSource& src : b.sources) {
        if (!src.range[k]) continue;
        out += fmt::format("{}{}: [{}, {}]", first_source ? "" : ", ", JsonString(src.name),
                           Num(src.range[k]->lo), Num(src.range[k]->hi));
        first_source = false;
      }
      out += "}}";
    }
    out += "\n  },\n  \"band_sources\": [";
    for (size_t i = 0; i < b.sources.size(); ++i) {
      out += fmt::format("{}{{\"name\": {}, \"detail\": {}, \"evaluations\": {}}}", i ? ", " : "",
                         JsonString(b.sources[i].name), JsonString(b.sources[i].detail),
                         b.sources[i].evaluations);
    }
    out += fmt::format("],\n  \"no_bootstrap\": {},\n",
                       b.no_bootstrap.empty() ? std::string("null") : JsonString(b.no_bootstrap));
  }
  out += "  \"caveats\": " + CaveatsJson(r.caveats, "  ") + ",\n";
  out += "  \"warnings\": [";
  for (size_t i = 0; i < s.warnings.size(); ++i) {
    out += (i ? ", " : "") + JsonString(s.warnings[i]);
  }
  out += "]\n}\n";
  return out;
}

std::string TrajectoryCsv(const std::vector<TrajectoryPoint>& t) {
  std::string out =
      "tokens,epochs,effective_tokens,effective_params,capacity_lost,loss_repeated,loss_unique,"
      "delta,dropout_rate,marginal_value,extrapolation\n";
  for (const TrajectoryPoint& p : t) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", p.tokens, p.epochs, p.effective_tokens,
                       p.effective_params, p.capacity_lost, p.loss_repeated, p.loss_unique, p.delta,
                       p.dropout_rate, p.marginal_value, CsvCell(p.extrapolation));
  }
  return out;
}

std::string SourcesCsv(const Summary& s) {
  std::string out =
      "source,unique_tokens,weight,quality,tokens,epochs,effective_tokens,effective_fraction,"
      "marginal_value_last\n";
  for (const SourceSummary& x : s.sources) {
    out += fmt::format("{},{},{},{},{},{},{},{},{}\n", CsvCell(x.name), x.unique_tokens, x.weight,
                       x.quality, x.tokens, x.epochs, x.effective_tokens,
                       x.effective_tokens / x.tokens, x.marginal_value_last);
  }
  return out;
}

std::vector<Caveat> ScenarioCaveats(const ScenarioResults& r) { return AssumptionCaveats(r); }

std::string_view ToString(Caveat::Kind kind) {
  switch (kind) {
    case Caveat::Kind::kAssumption:
      return "assumption";
    case Caveat::Kind::kRankingFlip:
      return "ranking_flip";
    case Caveat::Kind::kBootstrapFlip:
      return "bootstrap_flip";
  }
  return "?";
}

std::string CaveatsCsv(const std::vector<Caveat>& caveats) {
  std::string out =
      "kind,assumption,value,range_lo,range_hi,runs_depending,runs,winner,loser,threshold,"
      "direction,refits_reversed,refits,text\n";
  for (const Caveat& c : caveats) {
    const bool assumed = c.kind != Caveat::Kind::kBootstrapFlip;
    const bool flip = c.kind == Caveat::Kind::kRankingFlip;
    const bool boot = c.kind == Caveat::Kind::kBootstrapFlip;
    const bool note = c.kind == Caveat::Kind::kAssumption;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", ToString(c.kind),
                       CsvCell(c.assumption), assumed ? Num(c.value) : "", assumed ? Num(c.lo) : "",
                       assumed ? Num(c.hi) : "", note ? std::to_string(c.runs_depending) : "",
                       note ? std::to_string(c.runs) : "", CsvCell(c.winner), CsvCell(c.loser),
                       flip ? Num(c.threshold) : "", c.direction,
                       boot ? std::to_string(c.refits_reversed) : "",
                       boot ? std::to_string(c.refits) : "", CsvCell(c.text));
  }
  return out;
}

std::string CaveatsJson(const std::vector<Caveat>& caveats, std::string_view indent) {
  if (caveats.empty()) return "[]";
  std::string out = "[";
  for (size_t i = 0; i < caveats.size(); ++i) {
    const Caveat& c = caveats[i];
    out +=
        fmt::format("{}\n{}  {{\"kind\": {}", i ? "," : "", indent, JsonString(ToString(c.kind)));
    if (c.kind != Caveat::Kind::kBootstrapFlip) {
      out += fmt::format(", \"assumption\": {}, \"value\": {}, \"range\": [{}, {}]",
                         JsonString(c.assumption), Num(c.value), Num(c.lo), Num(c.hi));
    }
    if (c.kind == Caveat::Kind::kAssumption) {
      out += fmt::format(", \"runs_depending\": {}, \"runs\": {}", c.runs_depending, c.runs);
    } else {
      out +=
          fmt::format(", \"winner\": {}, \"loser\": {}", JsonString(c.winner), JsonString(c.loser));
    }
    if (c.kind == Caveat::Kind::kRankingFlip) {
      out += fmt::format(", \"threshold\": {}, \"direction\": {}", Num(c.threshold),
                         JsonString(c.direction));
    }
    if (c.kind == Caveat::Kind::kBootstrapFlip) {
      out += fmt::format(", \"refits_reversed\": {}, \"refits\": {}", c.refits_reversed, c.refits);
    }
    out += fmt::format(", \"verdict_flips\": {}, \"text\": {}}}",
                       c.verdict_flips() ? "true" : "false", JsonString(c.text));
  }
  out += fmt::format("\n{}]", indent);
  return out;
}

std::vector<std::string> FlippingVerdicts(const ScenarioResults& r) {
  std::vector<std::string> out;
  for (const Caveat& c : r.caveats) {
    if (c.verdict_flips()) out.push_back(c.text);
  }
  return out;
}

std::string CompareCsv(const std::vector<CompareRow>& rows) {
  std::vector<std::pair<std::string, std::pair<const Run*, const Summary*>>> t;
  t.reserve(rows.size());
  for (const CompareRow& r : rows) t.push_back({r.name, {&r.run, &r.summary}});
  return RenderCsv(SummaryTable(t, true));
}

std::string TerminalSummary(const ScenarioResults& r, size_t width) {
  const Summary& s = r.summary;
  Table t;
  t.AddColumn("quantity", false);
  t.AddColumn("value", true);
  t.AddColumn("meaning", false);
  for (const Column* c : DefaultColumns()) {
    if (c->in_terminal && c->in_terminal(r.run, s)) {
      t.AddRow({c->name, ShortCell(*c, r.run, s), std::string(c->meaning)});
    }
  }
  std::string out =
      Wrap(fmt::format("{} — {} law, {} objective, {}{}", r.scenario.name, LawName(r.run.law),
                       ToString(r.run.objective), DropoutInWords(r.run), WeightDecayInWords(r.run)),
           width) +
      "\n";
  if (!OverriddenConstants(r.run.law).empty()) {
    out += Wrap("law constants: " + LawProvenance(r), width) + "\n";
  }
  out += RenderText(t, width);
  if (s.sources.size() > 1) {
    Table src;
    for (auto c : {"source", "unique_tokens", "weight", "quality", "epochs", "effective_tokens",
                   "marginal_value_last"}) {
      src.AddColumn(c, std::string_view(c) != "source");
    }
    for (const SourceSummary& x : s.sources) {
      src.AddRow({x.name, Short(x.unique_tokens), Short(x.weight), Short(x.quality),
                  Short(x.epochs), Short(x.effective_tokens), Short(x.marginal_value_last)});
    }
    out += '\n';
    out += RenderText(src, width);
  }
  if (!r.compare.empty()) {
    Table c;
    c.AddColumn("rank", true);
    c.AddColumn("variant", false);
    for (std::string_view n : kCompareColumns) c.AddColumn(std::string(n), true);
    const bool bands = r.compare.front().summary.bands != nullptr;
    if (bands) c.AddColumn("loss_repeated band", false);
    for (size_t i = 0; i < r.compare.size(); ++i) {
      const CompareRow& x = r.compare[i];
      std::vector<std::string> cells = {std::to_string(i + 1), x.name};
      for (std::string_view n : kCompareColumns) {
        cells.push_back(ShortCell(*FindColumn(n), x.run, x.summary));
      }
      if (bands) cells.push_back(LossBand(x.summary));
      c.AddRow(std::move(cells));
    }
    out += "\ncomparison, ranked by loss_repeated:\n";
    out += RenderText(c, width);
    for (const CompareRow& x : r.compare) {
      if (x.run.dropout.schedule != DropoutSchedule::kNone) {
        out += Wrap(fmt::format("  {}: {}{}", x.name, DropoutInWords(x.run),
                                WeightDecayInWords(x.run)),
                    width, 4) +
               "\n";
      } else if (x.run.weight_decay != kDefaultWeightDecay) {
        out +=
            Wrap(fmt::format("  {}: {}", x.name, WeightDecayInWords(x.run).substr(2)), width, 4) +
            "\n";
      }
    }
  }
  for (const Caveat& n : r.caveats) out += Wrap("assumption: " + n.text, width) + "\n";
  if (s.bands) {
    out += "\nuncertainty bands (--intervals; each source moved alone, band = envelope):\n";
    for (const std::string& l : BandLines(s)) out += Wrap("  " + l, width, 4) + "\n";
    for (const std::string& l : BandSourceLines(s)) out += Wrap("  source " + l, width, 4) + "\n";
  }
  for (const std::string& w : s.warnings) out += Wrap("warning: " + w, width) + "\n";
  return out;
}

std::string ReportMarkdown(const ScenarioResults& r) {
  const Summary& s = r.summary;
  const Run& run = r.run;
  std::string out = fmt::format("# {}\n\n", r.scenario.name);
  if (!r.scenario.description.empty()) out += r.scenario.description + "\n\n";
  out += fmt::format("Scenario file: `{}`. Generated by repsim.\n\n", r.source_path);

  out += "## Inputs (resolved)\n\n| input | value |\n|---|---:|\n";
  out += fmt::format("| law | `{}` |\n", LawName(run.law));
  for (const auto& [name, value] : LawConstants(run.law)) {
    out += fmt::format("| law constant {} | {} |\n", name, Num(value));
  }
  out += fmt::format("| params N | {} |\n| active params | {} |\n", Short(run.params),
                     Short(run.active_params));
  out += fmt::format("| objective | `{}` |\n", ToString(run.objective));
  out += fmt::format("| tokens D | {} |\n| unique tokens U | {} |\n| epochs | {} |\n",
                     Short(s.tokens), Short(s.unique_tokens), Short(s.epochs));
  out += fmt::format("| compute (FLOPs) | {} |\n", Short(s.compute));
  out += fmt::format("| dropout | {}: `{}`", DropoutInWords(run), ToString(run.dropout.schedule));
  if (run.dropout.schedule != DropoutSchedule::kNone) {
    out += fmt::format(" rate {}", run.dropout.rate);
    if (run.dropout.schedule == DropoutSchedule::kStep ||
        run.dropout.schedule == DropoutSchedule::kLinear) {
      out += fmt::format(", start epoch {}", run.dropout.start_epoch);
    }
    if (run.dropout.schedule == DropoutSchedule::kLinear ||
        run.dropout.schedule == DropoutSchedule::kEarly) {
      out += fmt::format(", end epoch {}",
                         run.dropout.ends_with_run ? Epochs(run) : run.dropout.end_epoch);
    }
  }
  out += " |\n";
  if (SetsWeightDecay(r)) {
    out += fmt::format("| weight decay | {}{} |\n", run.weight_decay, WeightDecayInWords(run));
  }
  out += "\n";

  out += "## Summary\n\n| quantity | value | meaning |\n|---|---:|---|\n";
  for (const Column* c : OutputColumns(s.bands != nullptr)) {
    if (c->role != ColumnRole::kResult) continue;  // inputs are listed above and below
    std::string v = c->Cell(run, s);
    // An empty number is a solve that found nothing; an empty text (e.g.
    // extrapolation inside the fitted domain) is nothing to say.
    if (v.empty()) v = c->numeric() ? "not found" : "—";
    out += fmt::format("| {} | {} | {} |\n", c->name, v, c->meaning);
  }
  if (s.bands) {
    out +=
        "\n## Uncertainty bands\n\nEach output's band is the envelope of the point value and "
        "of how far each source moves it, one source at a time (not a joint confidence "
        "interval); \"mostly\" names the source that moves it most.\n\n";
    for (const std::string& l : BandLines(s)) out += "* " + l + "\n";
    out += "\nSources:\n\n";
    for (const std::string& l : BandSourceLines(s)) out += "* " + l + "\n";
  }
  if (s.sources.size() > 1) {
    out +=
        "\n## Data sources\n\n| source | unique tokens | weight | quality | epochs | effective "
        "tokens | marginal value of the last token |\n|---|---:|---:|---:|---:|---:|---:|\n";
    for (const SourceSummary& x : s.sources) {
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", x.name, Short(x.unique_tokens),
                         Short(x.weight), Short(x.quality), Short(x.epochs),
                         Short(x.effective_tokens), Short(x.marginal_value_last));
    }
  }
  if (!r.compare.empty()) {
    const bool bands = r.compare.front().summary.bands != nullptr;
    out += "\n## Comparison (ranked by loss_repeated)\n\n| rank | variant |";
    for (std::string_view n : kCompareColumns) out += fmt::format(" {} |", n);
    if (bands) out += " loss_repeated band |";
    out += " dropout |\n|---:|---|";
    for (size_t i = 0; i < std::size(kCompareColumns); ++i) out += "---:|";
    if (bands) out += "---|";
    out += "---|\n";
    for (size_t i = 0; i < r.compare.size(); ++i) {
      const CompareRow& c = r.compare[i];
      const std::string dropout = DropoutInWords(c.run) + WeightDecayInWords(c.run);
      out += fmt::format("| {} | {} |", i + 1, c.name);
      for (std::string_view n : kCompareColumns) {
        out += fmt::format(" {} |", ShortCell(*FindColumn(n), c.run, c.summary));
      }
      if (bands) out += fmt::format(" {} |", LossBand(c.summary));
      out += fmt::format(" {} |\n", dropout);
    }
  }
  if (!r.caveats.empty()) {
    out += "\n## Assumptions that decide these numbers\n\n";
    for (const Caveat& n : r.caveats) out += "* " + n.text + ".\n";
  }
  out += r.sweep_markdown;

  out += "\n## Where the numbers come from\n\n";
  out += fmt::format("* Loss law `{}`: {}.\n", LawName(run.law), LawProvenance(r));
  out += "\n| constant | value | from |\n|---|---:|---|\n";
  {
    const auto changed = OverriddenConstants(run.law);
    for (const auto& [name, value] : LawConstants(run.law)) {
      const bool mine = std::find(changed.begin(), changed.end(), name) != changed.end();
      out += fmt::format("| {} | {} | {} |\n", name, Num(value),
                         mine ? std::string("overridden in the scenario")
                              : fmt::format("`{}` as published", ToString(run.law.preset)));
    }
  }
  out += "\n";
  out += fmt::format(
      "* Repetition (R_D* = {}, R_N* = {}): {}.\n", run.law.rd_star, run.law.rn_star,
      !run.law.overfit
          ? "measured by Muennighoff et al. 2023, 'Scaling data-constrained language models'"
      : run.law.overfit_height > 0
          ? "the form of Muennighoff et al. 2023, 'Scaling data-constrained language models', "
            "refitted with a bounded overfitting term in N'/U (at most overfit_height nats) on "
            "the absolute losses of all 308 datablations runs and their 86 repeated-vs-fresh "
            "pairs (docs/MODEL.md §2b)"
          : "the form of Muennighoff et al. 2023, 'Scaling data-constrained language models', "
            "refitted with an overfitting term (loss rising towards loss_cap) on the 86 "
            "datablations repeated-vs-fresh pairs (docs/MODEL.md §2b)");
  out += "\n| term | value | status |\n|---|---:|---|\n";
  out += fmt::format(
      "| objective multiplier m_{} | {} | {} |\n", ToString(run.objective),
      run.modifiers.objective_multiplier.value_or(DefaultObjectiveMultiplier(run.objective)),
      run.modifiers.objective_multiplier ? "set in the scenario"
      : run.objective == Objective::kSpanCorruption
          ? "calibrated: Token-Crisis T3 (Xue et al. 2023, Table 3)"
      : run.objective == Objective::kDiffusion ? "measured: Prabhudesai et al. 2025 (R_D* ~ 500)"
                                               : "reference (1)");
  // Every key with a report term (scenario_keys.h), its default's source or
  // "set in the scenario".
  const Run defaults;
  for (const KeyInfo* k : ReportKeys()) {
    const double v = k->resolved(run);
    out += fmt::format("| {} | {} | {} |\n", k->column, v,
                       v == k->resolved(defaults) ? std::string(k->report->at_default)
                                                  : std::string("set in the scenario"));
  }
  if (SetsWeightDecay(r)) {  // weight_decay.h: measured at 1.0, assumed between and beyond
    auto status = [&](double v, double def, std::string_view what) {
      return v == def ? std::string(what) : std::string("set in the scenario");
    };
    out +=
        fmt::format("| weight_decay_factor | {} | {} |\n", run.modifiers.weight_decay_factor,
                    status(run.modifiers.weight_decay_factor, kDefaultWeightDecayFactor,
                           "measured: Lovelace et al. 2026 (weight decay 1.0 cuts the overfitting "
                           "coefficient ~70 %), read as 0.2-0.4"));
    out += fmt::format("| weight_decay_shape | {} | {} |\n", run.modifiers.weight_decay_shape,
                       status(run.modifiers.weight_decay_shape, kDefaultWeightDecayShape,
                              "**our assumption** (the factor between and beyond 0.1 and 1.0; "
                              "docs/WEIGHT_DECAY.md)"));
  }
  out +=
      "\nKnown limits: Muennighoff's absolute losses are off by ~0.1-0.15 nats on its own runs; "
      "its trends (penalties relative to unique data) are what it was fitted for. The model "
      "has no term for loss that rises with more epochs (true overfitting). Capacity "
      "displacement by a repeated mixture source (MODEL.md §3b) is calibrated on one "
      "measurement (Hernandez et al. 2022); its shape is our assumption.\n";
  for (const std::string& w : s.warnings) out += "\n**Warning:** " + w + "\n";
  return out;
}

MaybeError WriteResults(const ScenarioResults& r, const Staging& staging) {
  const OutputOptions& o = r.scenario.output;
  MaybeError err;
  if (o.csv) {
    if ((err = staging.Write("summary.csv", SummaryCsv(r.run, r.summary)))) return err;
    if ((err = staging.Write("trajectory.csv", TrajectoryCsv(r.trajectory)))) return err;
    if ((err = staging.Write("sources.csv", SourcesCsv(r.summary)))) return err;
    if (!r.compare.empty() && (err = staging.Write("compare.csv", CompareCsv(r.compare))))
      return err;
    if (!r.caveats.empty() && (err = staging.Write("caveats.csv", CaveatsCsv(r.caveats))))
      return err;
  }
  if (o.json && (err = staging.Write("summary.json", SummaryJson(r)))) return err;
  if (o.md && (err = staging.Write("report.md", ReportMarkdown(r)))) return err;
  return std::nullopt;
}

}  // namespace repsim::io
