#include "repsim/scenario_results.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "repsim/assumptions.h"
#include "repsim/intervals.h"

namespace repsim {
namespace {

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
      f.direction = std::string(
          1, *flip < f.value
                 ? '<'
                 : '>');  // "<" or ">" (a char: GCC 12 -Wrestrict false positive on the literals)
      f.text = fmt::format("ranking can flip: '{}' beats '{}' unless {} {} {:.3g} (assumed {:g})",
                           hi.name, lo.name, a.name, f.direction, *flip, f.value);
      notes.push_back(std::move(f));
    }
  }
  return notes;
}

}  // namespace

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

std::vector<Caveat> ScenarioCaveats(const ScenarioResults& r) { return AssumptionCaveats(r); }

std::vector<std::string> FlippingVerdicts(const ScenarioResults& r) {
  std::vector<std::string> out;
  for (const Caveat& c : r.caveats) {
    if (c.verdict_flips()) out.push_back(c.text);
  }
  return out;
}

bool SetsWeightDecay(const ScenarioResults& r) {
  if (r.run.weight_decay != kDefaultWeightDecay) return true;
  for (const CompareRow& c : r.compare) {
    if (c.run.weight_decay != kDefaultWeightDecay) return true;
  }
  return false;
}

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

}  // namespace repsim
