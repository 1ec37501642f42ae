#include "io/terminal_summary.h"

#include <fmt/format.h>

#include "io/columns.h"
#include "io/number_format.h"
#include "io/result_words.h"
#include "io/table.h"
#include "repsim/calibration.h"

namespace repsim::io {

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

}  // namespace repsim::io
