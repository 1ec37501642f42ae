// `repsim validate`: how well repetition laws predict measured penalties,
// in-sample and cross-validated (include/repsim/validate.h).
//
// Wiring only: flags (Boost.Program_options, as cmd_fit.cpp), the runs CSV
// (src/io/runs_csv.h), the core (FormPairs, ValidateCandidate), one table in
// four formats, and with --out a residual CSV and a gnuplot parity plot,
// staged and renamed into place. Exit codes: 0, 1 internal, 2 bad input.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/fit_form_flags.h"
#include "cli/flags.h"
#include "io/evidence_csv.h"
#include "io/plots.h"
#include "io/progress.h"
#include "io/result_fields.h"
#include "io/runs_csv.h"
#include "io/suggest.h"
#include "io/table.h"
#include "repsim/evidence.h"
#include "repsim/law.h"
#include "repsim/validate.h"

namespace repsim::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "Usage: repsim validate RUNS.csv [--group-by COL]... [--law PRESET]... [--form FORM]...\n"
    "                       [--metric penalty|allocation] [--evidence FILE]\n"
    "                       [--folds params|unique_tokens|epochs|K]... [--seed S]\n"
    "                       [--format table|json|csv|md] [--out DIR] [--threads T]\n"
    "\n"
    "Judges repetition laws on measured runs: how far each law's predicted penalty of\n"
    "repeated data is from the measured one, in percentage points, in-sample and\n"
    "cross-validated.\n"
    "\n"
    "RUNS.csv has a header naming params, tokens, unique_tokens and loss (other columns are\n"
    "ignored unless named by --group-by). Pairs (docs/MODEL.md §2b):\n"
    "  * a run is fresh when unique_tokens >= tokens, repeated when unique_tokens < tokens;\n"
    "  * runs with equal params, tokens and equal values of every --group-by column share a\n"
    "    key; runs of one key with the same unique_tokens are seed repeats: their losses\n"
    "    are averaged into one measurement;\n"
    "  * the fresh loss of a key is the mean of its fresh measurements;\n"
    "  * each repeated measurement of a key that has a fresh one is a pair, with measured\n"
    "    penalty 100 (L_repeated / L_fresh - 1) %.\n"
    "On ../shared/data/muennighoff2023_all_runs.csv, --group-by dedup gives 86 pairs.\n"
    "\n"
    "Candidates (default: ratio2026, overfit2026, muennighoff2023, and the forms\n"
    "data-constrained, overfit and ratio): a --law preset predicts with its constants;\n"
    "muennighoff2023, overfit2026 and ratio2026 were fitted on the datablations runs, so\n"
    "their cv rows refit them on the training folds (a cv row never predicts a group its\n"
    "constants saw). A --form is fitted on the pairs (in-sample: all of them; cv: the\n"
    "training folds): data-constrained refits R_D*, R_N* by Huber on log loss (Muennighoff's\n"
    "method, E, A, B, alpha, beta of muennighoff2023); overfit fits MODEL.md §2b's six\n"
    "constants by Huber on log penalty ratios; ratio fits ratio2026's ten constants on the\n"
    "absolute losses of the runs plus the pairs (cv: the runs outside the held-out fold).\n"
    "\n"
    "Evaluations: in-sample, and one cv:<folds> row per --folds: params, unique_tokens or\n"
    "epochs hold out every distinct value in turn (grouped cross-validation); an integer K\n"
    "makes K random folds (shuffled with --seed). Cross-validated rows come first, the\n"
    "in-sample rows after them (a fitted form judged on the runs it was fitted on looks\n"
    "better than it is). Columns: candidate, evaluation, rank (by mean_abs_error_pp within\n"
    "the evaluation, 1 = best), pairs, median_abs_error_pp, mean_abs_error_pp,\n"
    "max_abs_error_pp, moderate_pairs (pairs whose measured penalty is 0.5-10 %: where\n"
    "users plan) and moderate_ratio_median (median predicted / measured penalty on them;\n"
    "1 is right, 0.5 predicts half the harm).\n"
    "\n"
    "--metric allocation: the planning question instead of the penalty. Groups (docs/\n"
    "MODEL.md §8b): runs with equal --group-by values and equal unique_tokens, seed repeats\n"
    "averaged, sorted by compute 6 N D and taken greedily while every member is within\n"
    "±10 % of the group's median compute; kept with >= 3 distinct params and a best\n"
    "measured loss below 5 nats (25 groups on the datablations runs with --group-by dedup).\n"
    "Each candidate picks the member it predicts lowest; regret = 100 (measured loss of the\n"
    "pick / the group's measured best - 1) %. Rows: cv:allocation (the candidate refitted\n"
    "without the pairs that touch the group, for every group in turn) and in-sample.\n"
    "Columns: candidate, evaluation, rank (by mean_regret_pct), groups, hits (picks of the\n"
    "measured best), median_regret_pct, mean_regret_pct, max_regret_pct, loss_runs,\n"
    "median_loss_error_pct, mean_loss_error_pct, max_loss_error_pct (|predicted - measured|\n"
    "/ measured loss: in-sample over every run of the file, cv over the groups' members).\n"
    "--folds is for the penalty metric only.\n"
    "\n"
    "--evidence FILE (RUNS.csv then optional): the held-out scorecard instead. FILE holds\n"
    "outcomes of repeated-data training from other papers (../shared/data/\n"
    "heldout_evidence.csv: T5 Table 9, Pythia deduplicated vs standard Pile, Token-Crisis,\n"
    "masked-diffusion R_D*), mostly downstream scores, so each source has explicit rules\n"
    "on the predicted loss penalty (docs/MODEL.md §8c): Pythia ~1.45 epochs at 70M-12B:\n"
    "< 1 %; T5: rises with the repeat count in the measured order, < 1 % at 64 repeats;\n"
    "Token-Crisis: 256 epochs harm (>= 1 %), dropout lowers it, UL2 above span corruption\n"
    "(the last two are calibration targets, not held out); diffusion: the objective\n"
    "multiplier's R_D* ratio within 1.5x of ~500/~15. Predicted penalty: the engine's loss\n"
    "over the same run on fresh data (same objective and dropout). Nothing is fitted to\n"
    "FILE. Candidates: --law presets (default: every preset) and --form forms (fitted on\n"
    "RUNS.csv's pairs, which they need). Columns: candidate, source, rule, setting,\n"
    "predicted, measured, result (pass, fail, not scored), note (why not scored, caveats).\n"
    "\n"
    "--out DIR writes DIR/residuals.csv (one row per candidate, evaluation and pair),\n"
    "DIR/validation.csv (the table), DIR/parity.gp and, with gnuplot, DIR/parity.svg\n"
    "(measured vs predicted penalty, log axes, y = x); with --metric allocation\n"
    "DIR/picks.csv (one row per candidate, evaluation and group) and DIR/validation.csv.";

enum class Metric { kPenalty, kAllocation };
constexpr std::string_view kMetricNames[] = {"penalty", "allocation"};

struct Flags {
  std::string file;  // empty: none (only with --evidence)
  std::optional<std::string> evidence;
  bool named_candidates = false;  // --law or --form given
  Metric metric = Metric::kPenalty;
  std::vector<std::string> groups;
  std::vector<Candidate> candidates;
  std::vector<FoldSpec> folds;
  io::TableFormat format = io::TableFormat::kText;
  std::optional<std::string> out;
  int threads = 0;
};

std::optional<int> ParseFlags(const Args& args, Flags* f) {
  std::vector<std::string> files, laws, forms, folds;
  std::string seed = "0", format = "table", out, threads = "0", metric = "penalty", evidence,
              pair_weight = "1", rd_star = "200",
              huber_delta = io::Num(RatioFitOptions{}.huber_delta);
  FlagSet flags("validate", kUsage);
  flags.Positionals("RUNS.csv", &files)
      .Repeated("group-by", "COL", &f->groups, "pair only runs with equal values of column COL")
      .Repeated("law", "PRESET", &laws, "a law preset as a candidate (`repsim laws` lists them)")
      .Repeated("form", "FORM", &forms,
                "a form fitted as a candidate: data-constrained, overfit (on the pairs) or ratio "
                "(on the runs)")
      .Value("pair-weight", '\0', "W", &pair_weight,
             "the ratio form's weight on the pairs when refitted (default 1, as ratio2026 was "
             "fitted; 0: absolute losses only)")
      .Value("rd-star", '\0', "R", &rd_star,
             "the ratio form's R_D* when refitted: held at R (default 200, as ratio2026) or 0: "
             "fitted")
      .Value("huber-delta", '\0', "D", &huber_delta,
             "the ratio form's Huber delta on log loss when refitted (default 0.001, as ratio2026 "
             "was fitted)")
      .Value("metric", '\0', "M", &metric,
             "penalty (default: predicted vs measured penalty of repeated data) or allocation "
             "(which model size each law picks at equal compute)")
      .Value("evidence", '\0', "FILE", &evidence,
             "score the candidates on held-out evidence of other papers (rules per source)")
      .Repeated("folds", "F", &folds,
                "cross-validate: params, unique_tokens, epochs (grouped) or K random folds")
      .Value("seed", '\0', "S", &seed, "seed of the random folds (default 0)")
      .Value("format", '\0', "FMT", &format, "table (default), json, csv or md")
      .Value("out", '\0', "DIR", &out,
             "write residuals.csv, validation.csv and the parity plot into DIR")
      .Value("threads", '\0', "T", &threads,
             "worker threads for the fits (default 0: all cores); results do not depend on it");
  if (auto code = flags.Parse(args)) return code;
  auto UsageError = [&](const std::string& m) { return flags.UsageError(m); };
  if (!evidence.empty()) f->evidence = evidence;
  if (files.empty() && !f->evidence) {
    return UsageError("no runs file given: repsim validate RUNS.csv");
  }
  if (files.size() > 1) {
    return UsageError(fmt::format("one runs file expected, got {}: '{}' and '{}'", files.size(),
                                  files[0], files[1]));
  }
  if (!files.empty()) f->file = files[0];
  f->named_candidates = !laws.empty() || !forms.empty();
  if (f->evidence && f->file.empty() && !forms.empty()) {
    return UsageError(fmt::format(
        "--form {}: a form is fitted on measured runs: give RUNS.csv with --evidence", forms[0]));
  }
  std::vector<std::string_view> preset_names;
  for (LawPreset p : AllLawPresets()) preset_names.push_back(ToString(p));
  for (const std::string& l : laws) {
    std::optional<Candidate> c = CandidateForPreset(l);
    if (!c) {
      std::string all;
      for (auto n : preset_names) all += (all.empty() ? "" : ", ") + std::string(n);
      return UsageError(fmt::format("--law = '{}': unknown preset{} (one of: {})", l,
                                    io::DidYouMean(l, preset_names), all));
    }
    f->candidates.push_back(*c);
  }
  for (const std::string& name : forms) {
    std::optional<Candidate> c = CandidateForForm(name);
    if (!c) {
      return UsageError(fmt::format(
          "--form = '{}': unknown form{} (one of: data-constrained, overfit, ratio; the chinchilla "
          "form has no repetition term and predicts no penalty)",
          name, io::DidYouMean(name, ValidateFormNames())));
    }
    f->candidates.push_back(*c);
  }
  if (f->candidates.empty()) {
    if (f->evidence) {
      for (std::string_view n : LawPresetNames()) f->candidates.push_back(*CandidateForPreset(n));
    } else {
      f->candidates = DefaultCandidates();
    }
  }
  const Expected<double> w = PairWeightFlag(pair_weight);
  if (!w) return UsageError(w.error());
  const Expected<double> rd = RdStarFlag(rd_star);
  if (!rd) return UsageError(rd.error());
  const Expected<double> hd = RatioHuberDeltaFlag(huber_delta);
  if (!hd) return UsageError(hd.error());
  for (Candidate& c : f->candidates) {
    c.ratio.pair_weight = *w;
    c.ratio.rd_star = *rd;
    c.ratio.huber_delta = *hd;
  }
  const Expected<uint64_t> s = UnsignedInRange("--seed", seed, 0, UINT64_MAX);
  if (!s) return UsageError(s.error());
  for (const std::string& name : folds) {
    Expected<FoldSpec> spec = ParseFoldSpec(name, *s);
    if (!spec) {
      const bool unknown = spec.error().find("unknown folds") != std::string::npos;
      return UsageError(
          unknown ? fmt::format("--folds = '{}': unknown folds{} (one of: params, unique_tokens, "
                                "epochs, or an integer K >= 2)",
                                name, io::DidYouMean(name, FoldColumnNames()))
                  : "--folds = " + spec.error());
    }
    f->folds.push_back(*spec);
  }
  const Expected<size_t> m = ChoiceFlag("--metric", metric, "metric", kMetricNames);
  if (!m) return UsageError(m.error());
  f->metric = static_cast<Metric>(*m);
  if (f->metric == Metric::kAllocation && !f->folds.empty()) {
    return UsageError(
        "--folds applies to --metric penalty; --metric allocation is cross-validated by leaving "
        "out each group in turn (cv:allocation)");
  }
  Expected<io::TableFormat> fmt_ = TableFormatFlag(format);
  if (!fmt_) return UsageError(fmt_.error());
  f->format = *fmt_;
  if (!out.empty()) f->out = out;
  const Expected<uint64_t> t = UnsignedInRange("--threads", threads, 0, 1024);
  if (!t) return UsageError(t.error());
  f->threads = static_cast<int>(*t);
  return std::nullopt;
}

// Rank of each row within its evaluation by `key` (1 = lowest; ties share
// the better rank).
template <typename Row, typename Key>
std::vector<int> Ranks(const std::vector<Row>& rows, const Key& key) {
  std::vector<int> out(rows.size(), 1);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows.size(); ++j) {
      if (rows[j].evaluation == rows[i].evaluation && key(rows[j]) < key(rows[i])) ++out[i];
    }
  }
  return out;
}

// A ranked table of `rows` from their field table (io/result_fields.h): the
// fields in order, with the rank (by `key`, within each evaluation, 1 = best)
// after candidate and evaluation.
template <typename Row, typename Key>
io::Table RankedTable(const std::vector<Row>& rows, io::FieldTable<Row> fields, const Key& key) {
  constexpr size_t kBeforeRank = 2;  // candidate, evaluation
  io::Table t;
  io::AddFieldColumns(t, fields.first(kBeforeRank));
  t.AddColumn("rank");
  io::AddFieldColumns(t, fields.subspan(kBeforeRank));
  const std::vector<int> rank = Ranks(rows, key);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::string> cells;
    io::AppendShortCells(cells, fields.first(kBeforeRank), rows[i]);
    cells.push_back(std::to_string(rank[i]));
    io::AppendShortCells(cells, fields.subspan(kBeforeRank), rows[i]);
    t.AddRow(std::move(cells));
  }
  return t;
}

io::Table SummaryTable(const std::vector<ValidationRow>& rows) {
  return RankedTable(rows, io::ValidationRowFields(),
                     [](const ValidationRow& r) { return r.mean_abs_error_pp; });
}

io::Table AllocationTable(const std::vector<AllocationRow>& rows) {
  return RankedTable(rows, io::AllocationRowFields(),
                     [](const AllocationRow& r) { return r.mean_regret_pct; });
}

io::Table PicksTable(const std::vector<AllocationRow>& rows,
                     const std::vector<AllocationGroup>& groups,
                     const std::vector<std::string>& group_columns) {
  io::Table t;
  t.AddColumn("candidate", false);
  t.AddColumn("evaluation", false);
  t.AddColumn("group");
  for (const std::string& g : group_columns) t.AddColumn(g, false);
  for (const char* c :
       {"unique_tokens", "median_compute", "sizes", "best_params", "best_tokens", "best_loss",
        "pick_params", "pick_tokens", "pick_loss", "pick_predicted_loss", "regret_pct"}) {
    t.AddColumn(c);
  }
  for (const AllocationRow& r : rows) {
    for (const AllocationPick& p : r.picks) {
      const AllocationGroup& g = groups[p.group];
      const AllocationMeasurement& best = g.members[g.best];
      const AllocationMeasurement& pick = g.members[p.pick];
      std::vector<std::string> cells = {r.candidate, r.evaluation, std::to_string(p.group + 1)};
      for (const std::string& v : g.group) cells.push_back(v);
      cells.push_back(io::Num(g.unique_tokens));
      cells.push_back(io::Num(g.median_compute));
      cells.push_back(std::to_string(g.members.size()));
      for (double v : {best.params, best.tokens, best.loss, pick.params, pick.tokens, pick.loss,
                       p.predicted_loss, p.regret_pct}) {
        cells.push_back(io::Num(v));
      }
      t.AddRow(std::move(cells));
    }
  }
  return t;
}

io::Table ResidualTable(const std::vector<ValidationRow>& rows,
                        const std::vector<PenaltyPair>& pairs,
                        const std::vector<std::string>& groups) {
  io::Table t;
  t.AddColumn("candidate", false);
  t.AddColumn("evaluation", false);
  for (const std::string& g : groups) t.AddColumn(g, false);
  for (const char* c : {"params", "tokens", "unique_tokens", "epochs", "loss_repeated",
                        "loss_fresh", "measured_pct", "predicted_pct", "abs_error_pp"}) {
    t.AddColumn(c);
  }
  for (const ValidationRow& r : rows) {
    for (const PairPrediction& p : r.predictions) {
      const PenaltyPair& q = pairs[p.pair];
      std::vector<std::string> cells = {r.candidate, r.evaluation};
      for (const std::string& g : q.group) cells.push_back(g);
      for (double v : {q.params, q.tokens, q.unique_tokens, q.epochs(), q.loss_repeated,
                       q.loss_fresh, q.MeasuredPct(), p.predicted_pct, p.abs_error_pp}) {
        cells.push_back(io::Num(v));
      }
      t.AddRow(std::move(cells));
    }
  }
  return t;
}

// The parity plot: one series per candidate for the first cv evaluation (the
// honest one) or in-sample when there is none. Penalties below 0.01 % are
// drawn at 0.01 % (log axes).
std::string ParityScript(const std::vector<ValidationRow>& rows, const std::string& evaluation) {
  std::string s = fmt::format(
      "# Parity plot written by `repsim validate`: measured vs predicted penalty of repeated\n"
      "# data, {} predictions, one colour per candidate; the diagonal is a perfect law.\n"
      "# Data: residuals.csv. Needs gnuplot >= 5.4.\n"
      "#   gnuplot parity.gp                 ->  parity.svg\n"
      "#   gnuplot -e \"fmt='png'\" parity.gp  ->  parity.png\n"
      "if (!exists(\"fmt\")) fmt = 'svg'\n"
      "if (fmt eq 'png') {{ set terminal pngcairo size 900,700 }} else {{ set terminal svg size "
      "900,700 dynamic }}\n"
      "set output 'parity.'.fmt\n"
      "set datafile separator comma\n"
      "set datafile columnheaders\n"
      "set logscale xy\n"
      "set xrange [0.01:1000]\n"
      "set yrange [0.01:1000]\n"
      "set size square\n"
      "set grid\n"
      "set key top left\n"
      "set xlabel 'measured penalty, % (L_{{rep}} / L_{{fresh}} - 1)'\n"
      "set ylabel 'predicted penalty, %'\n"
      "set title 'repeated vs fresh pairs: {}'\n"
      "clip(v) = v < 0.01 ? 0.01 : v\n"
      "plot x with lines lc rgb 'black' dt 2 title 'y = x'",
      evaluation, evaluation);
  int i = 0;
  for (const ValidationRow& r : rows) {
    if (r.evaluation != evaluation) continue;
    s += fmt::format(
        ", \\\n     'residuals.csv' using (strcol('candidate') eq '{0}' && strcol('evaluation') "
        "eq '{1}' ? clip(column('measured_pct')) : NaN):(clip(column('predicted_pct'))) with "
        "points pt 7 ps 0.6 lc {2} title '{0}'",
        r.candidate, evaluation, ++i);
  }
  return s + "\n";
}

MaybeError WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return fmt::format("{}: cannot write", path.string());
  return std::nullopt;
}

// Stages `files` (name, text) in DIR.tmp-validate, renders the gnuplot
// scripts among `scripts`, and renames the folder into place.
int WriteOut(const std::string& out, const std::vector<std::pair<std::string, std::string>>& files,
             const std::vector<std::string>& scripts, io::TableFormat format) {
  const fs::path dir(out);
  const fs::path staging = dir.string() + ".tmp-validate";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) {
    return Fail("validate", fmt::format("{}: cannot create: {}", staging.string(), ec.message()));
  }
  for (const auto& [name, text] : files) {
    if (auto err = WriteFile(staging / name, text)) {
      fs::remove_all(staging, ec);
      return Fail("validate", *err);
    }
  }
  if (!scripts.empty()) {
    if (auto warn = io::RenderScripts(staging, scripts, io::PlotOptions{})) {
      Warn("validate", "parity plot not rendered: " + *warn);
    }
  }
  fs::remove_all(dir, ec);
  fs::create_directories(dir.parent_path().empty() ? fs::path(".") : dir.parent_path(), ec);
  fs::rename(staging, dir, ec);
  if (ec) {
    return Fail("validate",
                fmt::format("{}: cannot move results into place: {}", dir.string(), ec.message()));
  }
  if (format == io::TableFormat::kText) fmt::print("written to {}/\n", dir.string());
  return kExitOk;
}

std::string Header(const Flags& f, size_t runs, const std::string& what) {
  return fmt::format(
      "{}: {} from {} runs{}\n", f.file, what, runs,
      f.groups.empty() ? "" : fmt::format(" (grouped by {})", fmt::join(f.groups, ", ")));
}

// Too little data is bad input (exit 2, naming the file); any other failed
// fit is internal (exit 1).
template <typename Row>
int FitFailed(const Flags& f, const Expected<Row>& row) {
  if (row.error_key() == kDataErrorKey) {
    return Fail("validate", fmt::format("{}: too little data: {}", f.file, row.error()));
  }
  return Fail("validate", "fit failed: " + row.error(), kExitInternal);
}

// Every candidate under every evaluation, in that order, with one progress
// bar of `steps` ticks; the first failure is the command's exit code. Both
// the penalty and the allocation checks collect their rows this way.
template <typename Row, typename Eval, typename Validate>
std::optional<int> CollectRows(const Flags& f, const std::vector<Eval>& evaluations, int steps,
                               const Validate& validate, std::vector<Row>* rows) {
  std::optional<io::Progress> progress;
  progress.emplace("validate", steps);
  for (const Eval& eval : evaluations) {
    for (const Candidate& c : f.candidates) {
      Expected<Row> row = validate(c, eval, [&] { progress->Tick(); });
      if (!row) {
        progress.reset();
        return FitFailed(f, row);
      }
      for (const std::string& n : row->notes) Warn("validate", row->candidate + " " + n);
      rows->push_back(std::move(*row));
    }
  }
  return std::nullopt;
}

constexpr const char* kRankNote =
    "cross-validated rows first: in-sample rows judge a fitted form on the runs it was fitted "
    "on\n";

int AllocationCommand(const Flags& f, const std::vector<MeasuredRun>& runs,
                      const std::vector<PenaltyPair>& pairs) {
  const std::vector<AllocationGroup> groups = FormAllocationGroups(runs);
  if (groups.empty()) {
    return Fail(
        "validate",
        fmt::format("{}: no allocation groups (a group needs >= {} distinct params at "
                    "equal unique_tokens{} with compute 6 N D within {:g} % of the "
                    "group's median and a best measured loss below {:g} nats)",
                    f.file, kAllocationMinSizes, f.groups.empty() ? "" : " and group values",
                    100 * kAllocationComputeTolerance, kAllocationMaxBestLoss));
  }
  // One tick per cv group and one for the in-sample row, per candidate.
  const int steps = static_cast<int>(f.candidates.size() * (groups.size() + 1));
  std::vector<AllocationRow> rows;
  if (const std::optional<int> failed = CollectRows(
          f, std::vector<bool>{true, false}, steps,
          [&](const Candidate& c, bool cv, const std::function<void()>& tick) {
            return ValidateAllocation(runs, pairs, groups, c, cv, f.threads, tick);
          },
          &rows)) {
    return *failed;
  }
  const io::Table table = AllocationTable(rows);
  if (f.format == io::TableFormat::kText) {
    fmt::print("{}", Header(f, runs.size(),
                            fmt::format("{} allocation groups (equal compute, >= {} sizes)",
                                        groups.size(), kAllocationMinSizes)));
    fmt::print("{}", kRankNote);
  }
  fmt::print("{}", io::Render(table, f.format));
  if (!f.out) return kExitOk;
  return WriteOut(*f.out,
                  {{"picks.csv", io::RenderCsv(PicksTable(rows, groups, f.groups))},
                   {"validation.csv", io::RenderCsv(table)}},
                  {}, f.format);
}

}  // namespace

io::Table EvidenceTable(const std::vector<std::pair<std::string, EvidenceCheck>>& checks) {
  io::Table t;
  for (const char* c :
       {"candidate", "source", "rule", "setting", "predicted", "measured", "result", "note"}) {
    t.AddColumn(c, false);
  }
  for (const auto& [candidate, c] : checks) {
    t.AddRow({candidate, c.source, c.rule, c.setting, c.predicted, c.measured,
              std::string(ToString(c.verdict)), c.note});
  }
  return t;
}

int EvidenceCommand(const Flags& f) {
  Expected<std::vector<EvidenceRow>> rows = io::ReadEvidenceCsv(*f.evidence);
  if (!rows) return Fail("validate", rows.error());
  std::vector<PenaltyPair> pairs;
  std::vector<MeasuredRun> measured;  // the ratio form is fitted on them
  if (!f.file.empty()) {
    Expected<std::vector<MeasuredRun>> runs = io::ReadMeasuredRunsCsv(f.file, f.groups);
    if (!runs) return Fail("validate", runs.error());
    pairs = FormPairs(*runs);
    measured = std::move(*runs);
  }
  std::vector<std::pair<std::string, EvidenceCheck>> checks;
  std::vector<std::string> summary;
  for (const Candidate& c : f.candidates) {
    Law law = c.law;
    if (c.kind == CandidateKind::kForm) {
      if (pairs.empty()) {
        return Fail("validate", fmt::format("{}: no repeated-vs-fresh pairs to fit the {} form on",
                                            f.file, c.name));
      }
      std::string note;
      Expected<Law> fitted = InSampleLaw(c, pairs, f.threads, &note, measured);
      if (!fitted) return FitFailed(f, fitted);
      if (!note.empty()) Warn("validate", c.name + " fitted on " + f.file + ": " + note);
      law = *fitted;
    }
    int pass = 0, fail = 0, not_scored = 0;
    for (EvidenceCheck& e : ScoreEvidence(*rows, law)) {
      (e.verdict == EvidenceVerdict::kPass   ? pass
       : e.verdict == EvidenceVerdict::kFail ? fail
                                             : not_scored)++;
      checks.emplace_back(c.name, std::move(e));
    }
    summary.push_back(fmt::format("{}: {} of {} rules pass, {} fail; {} rows not scored", c.name,
                                  pass, pass + fail, fail, not_scored));
  }
  const io::Table table = EvidenceTable(checks);
  if (f.format == io::TableFormat::kText) {
    fmt::print("{}: {} rows of held-out evidence (checked, never fitted)\n", *f.evidence,
               rows->size());
  }
  fmt::print("{}", f.format == io::TableFormat::kText ? io::RenderText(table, TerminalColumns())
                                                      : io::Render(table, f.format));
  if (f.format == io::TableFormat::kText) {
    for (const std::string& s : summary) fmt::print("{}\n", s);
  }
  if (!f.out) return kExitOk;
  return WriteOut(*f.out, {{"evidence.csv", io::RenderCsv(table)}}, {}, f.format);
}

int ValidateCommand(const Args& args) {
  Flags f;
  if (auto code = ParseFlags(args, &f)) return *code;
  if (f.evidence) return EvidenceCommand(f);
  Expected<std::vector<MeasuredRun>> runs = io::ReadMeasuredRunsCsv(f.file, f.groups);
  if (!runs) {
    return Fail("validate", runs.error());
  }
  const std::vector<PenaltyPair> pairs = FormPairs(*runs);
  // The allocation check needs pairs only to fit forms (a data error then).
  if (f.metric == Metric::kAllocation) return AllocationCommand(f, *runs, pairs);
  if (pairs.empty()) {
    return Fail("validate",
                fmt::format("{}: no repeated-vs-fresh pairs (a pair needs a run with "
                            "unique_tokens < tokens and one with unique_tokens >= tokens at the "
                            "same params and tokens{})",
                            f.file, f.groups.empty() ? "" : " and group values"));
  }
  // Cross-validated evaluations first, in-sample last.
  std::vector<std::optional<FoldSpec>> evaluations;
  for (const FoldSpec& s : f.folds) evaluations.push_back(s);
  evaluations.push_back(std::nullopt);
  std::vector<ValidationRow> rows;
  int steps = 0;
  for (size_t e = 0; e < evaluations.size(); ++e) {
    int n = 1;
    if (evaluations[e]) AssignFolds(pairs, *evaluations[e], &n);
    steps += n * static_cast<int>(f.candidates.size());
  }
  if (const std::optional<int> failed = CollectRows(
          f, evaluations, steps,
          [&](const Candidate& c, const std::optional<FoldSpec>& eval,
              const std::function<void()>& tick) {
            return ValidateCandidate(pairs, c, eval, f.threads, tick, *runs);
          },
          &rows)) {
    return *failed;
  }

  const io::Table table = SummaryTable(rows);
  if (f.format == io::TableFormat::kText) {
    fmt::print("{}", io::WrapLines(Header(f, runs->size(),
                                          fmt::format("{} repeated-vs-fresh pairs", pairs.size())),
                                   io::TextWidth()));
    if (!f.folds.empty()) fmt::print("{}", io::WrapLines(kRankNote, io::TextWidth()));
  }
  fmt::print("{}", io::Render(table, f.format));
  if (!f.out) return kExitOk;
  // The parity plot shows the first cv evaluation, or in-sample without one.
  const std::string evaluation = rows.front().evaluation;
  return WriteOut(*f.out,
                  {{"residuals.csv", io::RenderCsv(ResidualTable(rows, pairs, f.groups))},
                   {"validation.csv", io::RenderCsv(table)},
                   {"parity.gp", ParityScript(rows, evaluation)}},
                  {"parity.gp"}, f.format);
}

}  // namespace repsim::cli
