#include "io/results_json.h"

#include <fmt/format.h>

#include "io/columns.h"
#include "io/number_format.h"
#include "io/result_words.h"
#include "repsim/intervals.h"

namespace repsim::io {

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

}  // namespace repsim::io
