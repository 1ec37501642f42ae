// The held-out scorecard: one rule set per source of the evidence file
// (include/repsim/evidence.h).
#include "repsim/evidence.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <string_view>

#include "repsim/engine.h"

namespace repsim {
namespace {

// Thresholds of the rules (evidence.h), fixed before any law was scored.
constexpr double kSmallPenaltyPct = 1.0;  // Pythia; T5 at 64 repeats
constexpr double kHarmPenaltyPct = 1.0;   // Token-Crisis 256 epochs: a visible harm
constexpr double kRatioFactor = 1.5;      // diffusion: within a factor 1.5

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "61.7", "~15", " 3.51 " -> the number; "" or text -> nullopt.
std::optional<double> Number(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '~')) s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::string Pct(double v) { return fmt::format("{:.3g} %", v); }

// Rows grouped by setting, in file order.
std::vector<std::vector<const EvidenceRow*>> BySetting(std::span<const EvidenceRow* const> rows) {
  std::vector<std::vector<const EvidenceRow*>> out;
  std::map<std::string, size_t> index;
  for (const EvidenceRow* r : rows) {
    auto [it, fresh] = index.emplace(r->setting, out.size());
    if (fresh) out.emplace_back();
    out[it->second].push_back(r);
  }
  return out;
}

struct Scorer {
  const Law& law;
  std::vector<EvidenceCheck>* out;
  std::vector<const EvidenceRow*> used;  // rows some rule read

  void Use(const std::vector<const EvidenceRow*>& rows) {
    used.insert(used.end(), rows.begin(), rows.end());
  }
  void NotScored(const EvidenceRow& r, std::string why) {
    out->push_back(EvidenceCheck{r.source, "", r.setting + " / " + r.metric, "", "",
                                 EvidenceVerdict::kNotScored, std::move(why)});
    used.push_back(&r);
  }
  // The predicted penalty of a row; nullopt (and a not-scored check) when the
  // row lacks params, tokens or unique tokens or names no known objective.
  std::optional<double> Penalty(const EvidenceRow& r) {
    const std::optional<Objective> obj = EvidenceObjective(r.objective);
    if (!r.params || !r.tokens || !r.unique_tokens || !obj) {
      NotScored(r, "no params, tokens, unique tokens or known objective to predict from");
      return std::nullopt;
    }
    return EvidencePenaltyPct(law, *r.params, *r.tokens, *r.unique_tokens, *obj,
                              r.dropout.value_or(0.0));
  }
  void Add(const EvidenceRow& first, std::string rule, std::string setting, std::string predicted,
           std::string measured, bool pass, std::string note = "") {
    out->push_back(EvidenceCheck{first.source, std::move(rule), std::move(setting),
                                 std::move(predicted), std::move(measured),
                                 pass ? EvidenceVerdict::kPass : EvidenceVerdict::kFail,
                                 std::move(note)});
  }

  void Pythia(const std::vector<const EvidenceRow*>& rows) {
    for (const auto& setting : BySetting(rows)) {
      const EvidenceRow& r = *setting.front();
      if (!r.epochs || *r.epochs <= 1.0) {
        for (const EvidenceRow* x : setting) {
          NotScored(*x, fmt::format("{:g} epochs: nothing is repeated, nothing to predict",
                                    r.epochs.value_or(0.0)));
        }
        continue;
      }
      const std::optional<double> p = Penalty(r);
      if (!p) continue;
      std::string measured;
      for (const EvidenceRow* x : setting) {
        const auto v = Number(x->value), f = Number(x->fresh_value);
        if (!v || !f) continue;
        measured += fmt::format("{}{} {:g} deduped vs {:g} standard", measured.empty() ? "" : "; ",
                                x->metric, *v, *f);
      }
      Use(setting);
      Add(r,
          fmt::format("{:.2f} epochs of the deduplicated Pile: predicted penalty < {:g} %",
                      *r.epochs, kSmallPenaltyPct),
          r.setting, Pct(*p), measured, *p < kSmallPenaltyPct,
          "the standard Pile is no fresh baseline (it holds duplicates too): measured shown, "
          "not scored");
    }
  }

  void T5(const std::vector<const EvidenceRow*>& rows) {
    struct Point {
      const EvidenceRow* row;
      double predicted, measured_drop, lo, hi;
      int scores;
    };
    std::vector<Point> points;
    for (const auto& setting : BySetting(rows)) {
      const EvidenceRow& r = *setting.front();
      const std::optional<double> p = Penalty(r);
      if (!p || !r.epochs) continue;
      double sum = 0, lo = INFINITY, hi = -INFINITY;
      int n = 0;
      for (const EvidenceRow* x : setting) {
        const auto v = Number(x->value), f = Number(x->fresh_value);
        if (!v || !f || *f == 0) {
          NotScored(*x, "no measured value and baseline");
          continue;
        }
        const double drop = 100.0 * (*f - *v) / *f;
        sum += drop;
        lo = std::min(lo, drop);
        hi = std::max(hi, drop);
        ++n;
      }
      if (n == 0) continue;
      Use(setting);
      points.push_back(Point{&r, *p, sum / n, lo, hi, n});
    }
    if (points.empty()) return;
    std::sort(points.begin(), points.end(),
              [](const Point& a, const Point& b) { return *a.row->epochs < *b.row->epochs; });
    // Order: the ranks of the predicted penalties equal those of the measured drops.
    auto ranks = [&](auto value) {
      std::vector<size_t> idx(points.size());
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
      std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return value(a) < value(b); });
      return idx;
    };
    const auto pr = ranks([&](size_t i) { return points[i].predicted; });
    const auto mr = ranks([&](size_t i) { return points[i].measured_drop; });
    bool strict = true;
    for (size_t i = 1; i < points.size(); ++i) {
      if (!(points[pr[i]].predicted > points[pr[i - 1]].predicted)) strict = false;
    }
    std::string repeats, predicted, measured;
    for (const Point& p : points) {
      repeats += fmt::format("{}{:g}", repeats.empty() ? "" : " < ", *p.row->epochs);
      predicted += fmt::format("{}{:.3g}", predicted.empty() ? "" : ", ", p.predicted);
      measured += fmt::format("{}{:.2g}", measured.empty() ? "" : ", ", p.measured_drop);
    }
    std::string settings;
    for (const Point& p : points) {
      settings += (settings.empty() ? "" : ", ") + p.row->setting;
    }
    Add(*points.front().row,
        fmt::format("predicted penalty rises with repeats ({}) in the measured order", repeats),
        settings, predicted + " %", "mean drop of the downstream scores " + measured + " %",
        strict && pr == mr);
    const Point& first = points.front();
    Add(*first.row,
        fmt::format("at {:g} repeats, where the measured harm is nil: predicted penalty < {:g} %",
                    *first.row->epochs, kSmallPenaltyPct),
        first.row->setting, Pct(first.predicted),
        fmt::format("mean drop of {} scores {:.2g} % (from {:.2g} to {:.2g} %)", first.scores,
                    first.measured_drop, first.lo, first.hi),
        first.predicted < kSmallPenaltyPct);
  }

  void TokenCrisis(const std::vector<const EvidenceRow*>& rows) {
    const auto settings = BySetting(rows);
    auto find = [&](std::string_view suffix) -> const std::vector<const EvidenceRow*>* {
      for (const auto& s : settings) {
        const std::string& name = s.front()->setting;
        if (name.size() >= suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
          return &s;
        }
      }
      return nullptr;
    };
    auto measured_text = [](const std::vector<const EvidenceRow*>& s) {
      std::string m;
      for (const EvidenceRow* x : s) {
        m += fmt::format("{}{} {} vs {} fresh", m.empty() ? "" : "; ", x->metric, x->value,
                         x->fresh_value);
      }
      return m;
    };
    auto all_drop = [](const std::vector<const EvidenceRow*>& s) {
      for (const EvidenceRow* x : s) {
        const auto v = Number(x->value), f = Number(x->fresh_value);
        if (!v || !f || !(*v < *f)) return false;
      }
      return true;
    };
    // The plain repeated run: C4, span corruption, no dropout.
    const std::vector<const EvidenceRow*>* base = nullptr;
    for (const auto& s : settings) {
      const EvidenceRow& r = *s.front();
      const size_t last = r.setting.rfind('_');
      const bool plain = last != std::string::npos &&
                         StartsWith(std::string_view(r.setting).substr(last + 1), "x2^");
      if (r.setting.find("_c4_") != std::string::npos && r.dropout.value_or(0) == 0 && plain &&
          EvidenceObjective(r.objective) == Objective::kSpanCorruption) {
        base = &s;
      }
    }
    std::optional<double> p_base;
    if (base) {
      p_base = Penalty(*base->front());
      if (p_base) {
        Use(*base);
        const EvidenceRow& r = *base->front();
        Add(r,
            fmt::format("{:g} epochs of {:.3g} tokens harm: predicted penalty >= {:g} %",
                        r.epochs.value_or(0), r.unique_tokens.value_or(0), kHarmPenaltyPct),
            r.setting, Pct(*p_base), measured_text(*base),
            *p_base >= kHarmPenaltyPct && all_drop(*base), "secondary source");
      }
    }
    if (const auto* d = find("_dropout"); d && p_base) {
      if (const std::optional<double> p = Penalty(*d->front())) {
        Use(*d);
        Add(*d->front(),
            fmt::format("dropout {:g} lowers the penalty (as measured: less harm)",
                        d->front()->dropout.value_or(0)),
            d->front()->setting, fmt::format("{} with vs {} without", Pct(*p), Pct(*p_base)),
            measured_text(*d) + " (without dropout: " + base->front()->value + ")", *p < *p_base,
            "calibration target T2 (calibration.h): not held out");
      }
    }
    for (const auto& s : settings) {
      const EvidenceRow& r = *s.front();
      const std::optional<Objective> obj = EvidenceObjective(r.objective);
      if (obj != Objective::kUl2 || !base || !p_base) continue;
      const std::optional<double> p = Penalty(r);
      if (!p) continue;
      Use(s);
      std::string measured;
      for (const EvidenceRow* x : s) {
        for (const EvidenceRow* y : *base) {
          if (y->metric != x->metric) continue;
          const auto xv = Number(x->value), xf = Number(x->fresh_value), yv = Number(y->value),
                     yf = Number(y->fresh_value);
          if (!xv || !xf || !yv || !yf) continue;
          measured += fmt::format("{}{} drop {:.2g} UL2 vs {:.2g} span corruption",
                                  measured.empty() ? "" : "; ", x->metric, *xf - *xv, *yf - *yv);
        }
      }
      Add(r, "UL2's penalty exceeds span corruption's (as measured)", r.setting,
          fmt::format("{} UL2 vs {} span corruption", Pct(*p), Pct(*p_base)), measured,
          *p > *p_base, "calibration target T3 (calibration.h): not held out");
    }
    for (const auto& s : settings) {
      for (const EvidenceRow* x : s) {
        if (std::find(used.begin(), used.end(), x) != used.end()) continue;
        const std::string& n = x->setting;
        std::string why = "no rule: the law does not model this ablation";
        if (n.find("_wiki_") != std::string::npos) {
          why = "Wikipedia instead of C4 (data quality): the law has no term for the corpus";
        } else if (n.find("DropPath") != std::string::npos ||
                   n.find("label_smoo") != std::string::npos) {
          why = "regulariser not modelled by the law";
        } else if (!Number(x->value)) {
          why = "no measured value in the file";
        } else if (!base) {
          why = "no plain repeated C4 run to compare with";
        }
        NotScored(*x, why);
      }
    }
  }

  void Diffusion(const std::vector<const EvidenceRow*>& rows) {
    const EvidenceRow* ar = nullptr;
    const EvidenceRow* diff = nullptr;
    for (const EvidenceRow* r : rows) {
      const bool rd = r->metric.find("R_D*") != std::string::npos && Number(r->value);
      if (rd && EvidenceObjective(r->objective) == Objective::kCausal) ar = r;
      if (rd && EvidenceObjective(r->objective) == Objective::kDiffusion) diff = r;
    }
    if (ar && diff) {
      const double measured = *Number(diff->value) / *Number(ar->value);
      const double predicted = DefaultObjectiveMultiplier(Objective::kDiffusion) /
                               DefaultObjectiveMultiplier(Objective::kCausal);
      used.push_back(diff);
      Add(*diff,
          fmt::format("R_D*(diffusion) / R_D*(AR): the objective multiplier within a factor {:g} "
                      "of the measured ratio",
                      kRatioFactor),
          diff->setting + ", " + ar->setting, fmt::format("{:.3g}", predicted),
          fmt::format("{} / {} = {:.3g}", diff->value, ar->value, measured),
          predicted <= measured * kRatioFactor && predicted >= measured / kRatioFactor,
          "secondary source; the multiplier was set from it (calibration.h): not held out");
    }
    if (ar) {
      used.push_back(ar);
      if (law.overfit || law.form != LawForm::kChinchilla) {
        NotScored(*ar,
                  "the law's R_D* belongs to another form (an overfitting term or Kaplan's): not "
                  "comparable with a fit of Muennighoff's form");
      } else {
        const double m = *Number(ar->value);
        Add(*ar,
            fmt::format("R_D* of autoregressive LMs within a factor {:g} of the measured",
                        kRatioFactor),
            ar->setting, fmt::format("{:.4g}", law.rd_star), ar->value,
            law.rd_star <= m * kRatioFactor && law.rd_star >= m / kRatioFactor, "secondary source");
      }
    }
    for (const EvidenceRow* r : rows) {
      if (std::find(used.begin(), used.end(), r) != used.end()) continue;
      NotScored(*r, r->params ? "no rule for this row"
                              : "no params or token counts: losses at unknown settings");
    }
  }
};

}  // namespace

std::string_view ToString(EvidenceVerdict v) {
  switch (v) {
    case EvidenceVerdict::kPass:
      return "pass";
    case EvidenceVerdict::kFail:
      return "fail";
    case EvidenceVerdict::kNotScored:
      return "not scored";
  }
  return "?";
}

double EvidencePenaltyPct(const Law& law, double params, double tokens, double unique_tokens,
                          Objective objective, double dropout) {
  auto loss = [&](double u) {
    Run run;
    run.law = law;
    run.params = params;
    run.active_params = params;
    run.objective = objective;
    run.sources = {DataSource{"data", u, 1.0, 1.0}};
    run.tokens = tokens;
    if (dropout > 0) run.dropout = Dropout{DropoutSchedule::kConstant, dropout, 0.0, 0.0};
    return Evaluate(run).loss_repeated;
  };
  return 100.0 * (loss(unique_tokens) / loss(std::max(tokens, unique_tokens)) - 1.0);
}

std::optional<Objective> EvidenceObjective(const std::string& text) {
  if (StartsWith(text, "causal LM")) return Objective::kCausal;
  if (StartsWith(text, "span-corruption") || StartsWith(text, "MLM/span-corruption")) {
    return Objective::kSpanCorruption;
  }
  if (StartsWith(text, "UL2")) return Objective::kUl2;
  if (StartsWith(text, "masked diffusion")) return Objective::kDiffusion;
  return std::nullopt;
}

std::vector<EvidenceCheck> ScoreEvidence(std::span<const EvidenceRow> rows, const Law& law) {
  std::vector<EvidenceCheck> out;
  Scorer s{law, &out, {}};
  std::vector<std::string> sources;
  for (const EvidenceRow& r : rows) {
    if (std::find(sources.begin(), sources.end(), r.source) == sources.end()) {
      sources.push_back(r.source);
    }
  }
  for (const std::string& source : sources) {
    std::vector<const EvidenceRow*> of;
    for (const EvidenceRow& r : rows) {
      if (r.source == source) of.push_back(&r);
    }
    if (StartsWith(source, "Biderman2023")) {
      s.Pythia(of);
    } else if (StartsWith(source, "Raffel2020")) {
      s.T5(of);
    } else if (StartsWith(source, "Xue2023")) {
      s.TokenCrisis(of);
    } else if (StartsWith(source, "Prabhudesai2025")) {
      s.Diffusion(of);
    } else {
      for (const EvidenceRow* r : of) s.NotScored(*r, "no rule for this source");
    }
  }
  return out;
}

}  // namespace repsim
