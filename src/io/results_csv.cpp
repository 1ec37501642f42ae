#include "io/results_csv.h"

#include <fmt/format.h>

#include <utility>

#include "io/columns.h"
#include "io/csv_line.h"
#include "io/number_format.h"
#include "io/table.h"

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

}  // namespace

std::string SummaryCsv(const Run& run, const Summary& s) {
  return RenderCsv(SummaryTable({{"", {&run, &s}}}, false));
}

std::string CompareCsv(const std::vector<CompareRow>& rows) {
  std::vector<std::pair<std::string, std::pair<const Run*, const Summary*>>> t;
  t.reserve(rows.size());
  for (const CompareRow& r : rows) t.push_back({r.name, {&r.run, &r.summary}});
  return RenderCsv(SummaryTable(t, true));
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

}  // namespace repsim::io
