// `repsim validate`: how well repetition laws predict measured penalties,
// in-sample and cross-validated (include/repsim/validate.h).
//
// Wiring only: flags (Boost.Program_options, as cmd_fit.cpp), the runs CSV
// (src/io/runs_csv.h), the core (FormPairs, ValidateCandidate), one table in
// four formats, and with --out a residual CSV and a gnuplot parity plot,
// staged and renamed into place. Exit codes: 0, 1 internal, 2 bad input.
#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "io/plots.h"
#include "io/progress.h"
#include "io/runs_csv.h"
#include "io/suggest.h"
#include "io/table.h"
#include "repsim/law.h"
#include "repsim/validate.h"

namespace repsim::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "Usage: repsim validate RUNS.csv [--group-by COL]... [--law PRESET]... [--form FORM]...\n"
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
    "Candidates (default: overfit2026, muennighoff2023, and the forms data-constrained and\n"
    "overfit): a --law preset predicts with its constants; muennighoff2023 and overfit2026\n"
    "were fitted on the datablations runs, so their cv rows refit them on the training\n"
    "folds (a cv row never predicts a group its constants saw). A --form is fitted on the\n"
    "pairs (in-sample: all of them; cv: the training folds): data-constrained refits R_D*,\n"
    "R_N* by Huber on log loss (Muennighoff's method, E, A, B, alpha, beta of\n"
    "muennighoff2023); overfit fits MODEL.md §2b's six constants by Huber on log penalty\n"
    "ratios.\n"
    "\n"
    "Evaluations: in-sample, and one cv:<folds> row per --folds: params, unique_tokens or\n"
    "epochs hold out every distinct value in turn (grouped cross-validation); an integer K\n"
    "makes K random folds (shuffled with --seed). Columns: candidate, evaluation, pairs,\n"
    "median_abs_error_pp, mean_abs_error_pp, max_abs_error_pp.\n"
    "\n"
    "--out DIR writes DIR/residuals.csv (one row per candidate, evaluation and pair),\n"
    "DIR/validation.csv (the table), DIR/parity.gp and, with gnuplot, DIR/parity.svg\n"
    "(measured vs predicted penalty, log axes, y = x).";

constexpr std::string_view kFoldNames[] = {"params", "unique_tokens", "epochs"};

struct Flags {
  std::string file;
  std::vector<std::string> groups;
  std::vector<Candidate> candidates;
  std::vector<FoldSpec> folds;
  io::TableFormat format = io::TableFormat::kText;
  std::optional<std::string> out;
  int threads = 0;
};

std::optional<uint64_t> ParseU64(std::string_view s) {
  uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int> ParseFlags(const Args& args, Flags* f) {
  std::vector<std::string> files, laws, forms, folds;
  std::string seed = "0", format = "table", out, threads = "0";
  FlagSet flags("validate", kUsage);
  flags.Positionals("RUNS.csv", &files)
      .Repeated("group-by", "COL", &f->groups,
                "pair only runs with equal values of column COL (repeatable)")
      .Repeated("law", "PRESET", &laws,
                "a law preset as a candidate (repeatable; `repsim laws` lists them)")
      .Repeated("form", "FORM", &forms,
                "a form fitted on the pairs as a candidate: data-constrained or overfit "
                "(repeatable)")
      .Repeated("folds", "F", &folds,
                "cross-validate: params, unique_tokens, epochs (grouped) or K random folds "
                "(repeatable)")
      .Value("seed", '\0', "S", &seed, "seed of the random folds (default 0)")
      .Value("format", '\0', "FMT", &format, "table (default), json, csv or md")
      .Value("out", '\0', "DIR", &out,
             "write residuals.csv, validation.csv and the parity plot into DIR")
      .Value("threads", '\0', "T", &threads,
             "worker threads for the fits (default 0: all cores); results do not depend on it");
  if (auto code = flags.Parse(args)) return code;
  auto UsageError = [&](const std::string& m) { return flags.UsageError(m); };
  if (files.empty()) return UsageError("no runs file given: repsim validate RUNS.csv");
  if (files.size() > 1) {
    return UsageError(fmt::format("one runs file expected, got {}: '{}' and '{}'", files.size(),
                                  files[0], files[1]));
  }
  f->file = files[0];
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
          "--form = '{}': unknown form{} (one of: data-constrained, overfit; the chinchilla "
          "form has no repetition term and predicts no penalty)",
          name, io::DidYouMean(name, ValidateFormNames())));
    }
    f->candidates.push_back(*c);
  }
  if (f->candidates.empty()) {
    for (std::string_view n : {"overfit2026", "muennighoff2023"}) {
      f->candidates.push_back(*CandidateForPreset(n));
    }
    for (std::string_view n : ValidateFormNames()) f->candidates.push_back(*CandidateForForm(n));
  }
  const std::optional<uint64_t> s = ParseU64(seed);
  if (!s) {
    return UsageError(
        fmt::format("--seed = '{}': must be an integer from 0 to 18446744073709551615", seed));
  }
  for (const std::string& name : folds) {
    FoldSpec spec;
    spec.seed = *s;
    if (name == "params") {
      spec.kind = FoldKind::kParams;
    } else if (name == "unique_tokens") {
      spec.kind = FoldKind::kUniqueTokens;
    } else if (name == "epochs") {
      spec.kind = FoldKind::kEpochs;
    } else if (std::optional<uint64_t> k = ParseU64(name)) {
      if (*k < 2 || *k > 100000) {
        return UsageError(fmt::format("--folds = {}: K must be from 2 to 100000", name));
      }
      spec.kind = FoldKind::kRandom;
      spec.k = static_cast<int>(*k);
    } else {
      return UsageError(fmt::format(
          "--folds = '{}': unknown folds{} (one of: params, unique_tokens, epochs, or an "
          "integer K >= 2)",
          name, io::DidYouMean(name, kFoldNames)));
    }
    f->folds.push_back(spec);
  }
  Expected<io::TableFormat> fmt_ = TableFormatFlag(format);
  if (!fmt_) return UsageError(fmt_.error());
  f->format = *fmt_;
  if (!out.empty()) f->out = out;
  const std::optional<uint64_t> t = ParseU64(threads);
  if (!t || *t > 1024) {
    return UsageError(fmt::format("--threads = '{}': must be an integer from 0 to 1024", threads));
  }
  f->threads = static_cast<int>(*t);
  return std::nullopt;
}

io::Table SummaryTable(const std::vector<ValidationRow>& rows) {
  io::Table t;
  t.AddColumn("candidate", false);
  t.AddColumn("evaluation", false);
  t.AddColumn("pairs");
  t.AddColumn("median_abs_error_pp");
  t.AddColumn("mean_abs_error_pp");
  t.AddColumn("max_abs_error_pp");
  for (const ValidationRow& r : rows) {
    t.AddRow({r.candidate, r.evaluation, std::to_string(r.pairs), io::Short(r.median_abs_error_pp),
              io::Short(r.mean_abs_error_pp), io::Short(r.max_abs_error_pp)});
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

}  // namespace

int ValidateCommand(const Args& args) {
  Flags f;
  if (auto code = ParseFlags(args, &f)) return *code;
  Expected<std::vector<MeasuredRun>> runs = io::ReadMeasuredRunsCsv(f.file, f.groups);
  if (!runs) {
    return Fail("validate", runs.error());
  }
  const std::vector<PenaltyPair> pairs = FormPairs(*runs);
  if (pairs.empty()) {
    return Fail("validate",
                fmt::format("{}: no repeated-vs-fresh pairs (a pair needs a run with "
                            "unique_tokens < tokens and one with unique_tokens >= tokens at the "
                            "same params and tokens{})",
                            f.file, f.groups.empty() ? "" : " and group values"));
  }

  std::vector<std::optional<FoldSpec>> evaluations = {std::nullopt};
  for (const FoldSpec& s : f.folds) evaluations.push_back(s);
  std::vector<ValidationRow> rows;
  int steps = 0;
  for (size_t e = 0; e < evaluations.size(); ++e) {
    int n = 1;
    if (evaluations[e]) AssignFolds(pairs, *evaluations[e], &n);
    steps += n * static_cast<int>(f.candidates.size());
  }
  std::optional<io::Progress> progress;
  progress.emplace("validate", steps);
  for (const auto& eval : evaluations) {
    for (const Candidate& c : f.candidates) {
      Expected<ValidationRow> row =
          ValidateCandidate(pairs, c, eval, f.threads, [&] { progress->Tick(); });
      if (!row) {
        progress.reset();
        return Fail("validate", "fit failed: " + row.error(), kExitInternal);
      }
      rows.push_back(std::move(*row));
    }
  }
  progress.reset();

  const io::Table table = SummaryTable(rows);
  if (f.format == io::TableFormat::kText) {
    fmt::print("{}: {} repeated-vs-fresh pairs from {} runs{}\n", f.file, pairs.size(),
               runs->size(),
               f.groups.empty() ? "" : fmt::format(" (grouped by {})", fmt::join(f.groups, ", ")));
  }
  fmt::print("{}", io::Render(table, f.format));

  if (f.out) {
    const fs::path dir(*f.out);
    const fs::path staging = dir.string() + ".tmp-validate";
    std::error_code ec;
    fs::remove_all(staging, ec);
    fs::create_directories(staging, ec);
    if (ec) {
      return Fail("validate", fmt::format("{}: cannot create: {}", staging.string(), ec.message()));
    }
    std::string evaluation = rows.back().evaluation;
    for (const ValidationRow& r : rows) {
      if (r.evaluation != "in-sample") {
        evaluation = r.evaluation;
        break;
      }
    }
    for (auto [name, text] :
         {std::pair{"residuals.csv", io::RenderCsv(ResidualTable(rows, pairs, f.groups))},
          std::pair{"validation.csv", io::RenderCsv(table)},
          std::pair{"parity.gp", ParityScript(rows, evaluation)}}) {
      if (auto err = WriteFile(staging / name, text)) {
        fs::remove_all(staging, ec);
        return Fail("validate", *err);
      }
    }
    if (auto warn = io::RenderScripts(staging, {"parity.gp"}, io::PlotOptions{})) {
      Warn("validate", "parity plot not rendered: " + *warn);
    }
    fs::remove_all(dir, ec);
    fs::create_directories(dir.parent_path().empty() ? fs::path(".") : dir.parent_path(), ec);
    fs::rename(staging, dir, ec);
    if (ec) {
      return Fail("validate", fmt::format("{}: cannot move results into place: {}", dir.string(),
                                          ec.message()));
    }
    if (f.format == io::TableFormat::kText) fmt::print("written to {}/\n", dir.string());
  }
  return kExitOk;
}

}  // namespace repsim::cli
