// `repsim run` and `repsim check`: scenario files in, results out.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/flags.h"
#include "io/interrupt.h"
#include "io/plots.h"
#include "io/results.h"
#include "io/results_json.h"
#include "io/scenario_loader.h"
#include "io/sweep_writer.h"
#include "io/table.h"
#include "io/terminal_summary.h"

namespace repsim::cli {
namespace {

constexpr int kMaxThreads = 1024;
// How diagnostics name a scenario read from standard input (`repsim run -`).
constexpr const char* kStdinName = "<stdin>";

constexpr const char* kRunUsage =
    "Usage: repsim run FILE.toml... [--set KEY=VALUE]... [--out DIR] [--format text|json]\n"
    "                  [--png] [--threads N] [--shard I/N] [--quiet] [--strict] [--columns all]\n"
    "                  [--intervals] [--strict-verdicts]\n\n"
    "Evaluates each scenario file (see SCENARIO.md and scenarios/) and writes\n"
    "DIR/<scenario.name>/: summary.csv, summary.json, trajectory.csv, report.md, and when\n"
    "the file asks for them compare.csv, sweep.csv and plots (.gp scripts, .svg when\n"
    "gnuplot is installed). Every file is checked before anything is written; a failed\n"
    "run leaves earlier results untouched. FILE - reads a scenario from standard input.\n\n"
    "Reported quantities (MODEL.md §5): loss_repeated is the predicted loss with your\n"
    "repetition, loss_unique the same run on all-fresh data, delta their difference;\n"
    "effective_fraction = D'/D is the share of tokens that still count; wasted_compute\n"
    "the share of FLOPs repetition wastes. Every row has an extrapolation column: empty,\n"
    "or which ranges of the runs the law was fitted on it is outside of (repsim laws);\n"
    "one warning per run says how many, and --strict makes that an error.\n\n"
    "Caveats travel with the numbers: every `assumption:` line of the table (an assumed\n"
    "constant the runs depend on, a [[compare]] ranking that flips inside its stated\n"
    "range, or with --intervals under the law's bootstrap refits) is also in\n"
    "summary.json's \"caveats\" (which assumption, value, stated range, the threshold\n"
    "that flips the verdict) and in caveats.csv. --strict-verdicts refuses (exit 3,\n"
    "nothing written) a scenario whose ranking flips that way.";

constexpr const char* kRunEpilogue =
    "--set KEY=VALUE sets any scenario key as if the file said it (SCENARIO.md), and is\n"
    "checked the same way; an error at it names the --set. VALUE is a TOML value (4, 1e24,\n"
    "true, \"text\") or plain text (7B, chinchilla2022); data.source.NAME.FIELD sets a\n"
    "field of the [[data.source]] named NAME. Applied to every FILE, in order.\n\n"
    "--format json prints summary.json (an object; with several files, an array of them)\n"
    "to standard output instead of the table; the results are written as always.\n\n"
    "Examples:\n"
    "  repsim run scenarios/t5-base-token-crisis.toml\n"
    "  repsim run scenarios/t5-base-token-crisis.toml --set law.preset=chinchilla2022\n"
    "  cat my.toml | repsim run - --format json --out /tmp/results";

constexpr const char* kCheckUsage =
    "Usage: repsim check FILE.toml... [--set KEY=VALUE]...\n\n"
    "Validates scenario files (keys, types, ranges, contradictions) without evaluating or\n"
    "writing anything. FILE - reads standard input; --set as for `repsim run`.";

constexpr std::string_view kFormats[] = {"text", "json"};
// --columns: "varying" (the default: columns constant over a sweep's grid go
// to sweep.meta.json, io/sweep_lean.h) or "all" (the wide sweep.csv).
constexpr std::string_view kColumnChoices[] = {"varying", "all"};

struct Parsed {
  std::vector<std::string> files;
  std::vector<std::string> sets;
  std::string out = "results";
  std::string format = "text";
  bool png = false;
  bool quiet = false;
  bool strict = false;
  bool strict_verdicts = false;
  bool intervals = false;
  bool allow_implausible = false;
  int threads = 0;
  std::string shard;
  std::string columns = "varying";
};

// Parses args; returns an exit code when the command should stop now.
std::optional<int> Parse(const Args& args, bool run, Parsed* p) {
  FlagSet flags(run ? "run" : "check", run ? kRunUsage : kCheckUsage);
  flags.Positionals("FILE", &p->files)
      .Repeated("set", "KEY=VALUE", &p->sets, "set a scenario key, validated like the file")
      .Switch("allow-implausible", '\0', &p->allow_implausible,
              "accept inputs taken for unit slips (params = 7, a loss above the law's cap); "
              "contradictions stay errors");
  std::string threads;
  if (run) {
    flags.Value("out", 'o', "DIR", &p->out, "output folder (default: results)")
        .Value("format", '\0', "FMT", &p->format,
               "what to print: text (default, a table) or json (summary.json)")
        .Switch("png", '\0', &p->png, "also render plots as PNG")
        .Value("threads", 'j', "N", &threads, "threads for sweeps (default 0: all cores)")
        .Value("columns", '\0', "all", &p->columns,
               "all: every column in every row of sweep.csv (default: the columns that vary over "
               "the grid; those that do not go to sweep.meta.json, with their values)")
        .Value("shard", '\0', "I/N", &p->shard,
               "evaluate only slice I (1-based) of N of the sweep grid; join with `repsim merge`")
        .Switch("quiet", 'q', &p->quiet, "print nothing but errors")
        .Switch("strict", '\0', &p->strict,
                "refuse (exit 2, nothing written) any run outside the ranges its law was fitted "
                "on (the extrapolation column; see `repsim laws`)")
        .Switch("strict-verdicts", '\0', &p->strict_verdicts,
                "refuse (exit 3, nothing written) a scenario whose [[compare]] ranking flips "
                "inside an assumption's stated range (or, with --intervals, under the law's "
                "bootstrap refits): its `ranking can flip` caveats")
        .Switch("intervals", '\0', &p->intervals,
                "uncertainty bands (as [output] intervals = true): <output>_lo/_hi columns for "
                "loss_repeated, delta, delta_pct, effective_fraction, equivalent_unique_tokens, "
                "equivalent_params and band_source, over the law's bootstrap refits and each "
                "assumption's stated range (~230 evaluations per row: slower sweeps)")
        .Epilogue(kRunEpilogue);
  }
  if (auto code = flags.Parse(args)) return code;
  if (p->files.empty()) return flags.UsageError("no scenario file given");
  if (std::count(p->files.begin(), p->files.end(), "-") > 1) {
    return flags.UsageError("'-' (standard input) given more than once");
  }
  if (flags.Given("threads")) {
    const Expected<long long> t = IntegerInRange("--threads", threads, 0, kMaxThreads);
    if (!t) return flags.UsageError(t.error() + " (0: all cores)");
    p->threads = static_cast<int>(*t);
  }
  if (const Expected<size_t> f = ChoiceFlag("--format", p->format, "format", kFormats); !f) {
    return flags.UsageError(f.error());
  }
  if (const Expected<size_t> c = ChoiceFlag("--columns", p->columns, "columns", kColumnChoices);
      !c) {
    return flags.UsageError(c.error());
  }
  return std::nullopt;
}

// Loads every file ("-": standard input); prints all diagnostics. Empty on any error.
std::optional<std::vector<std::pair<std::string, Scenario>>> LoadAll(
    const std::vector<std::string>& files, const std::vector<std::string>& sets,
    const io::LoadOptions& options) {
  std::vector<std::pair<std::string, Scenario>> out;
  bool ok = true;
  std::set<std::string> names;
  for (const std::string& f : files) {
    io::LoadResult r;
    if (f == "-") {
      r = io::LoadScenarioStream(std::cin, kStdinName, sets, options);
    } else {
      r = io::LoadScenarioFile(f, sets, options);
    }
    const std::string shown = f == "-" ? kStdinName : f;
    if (!r.scenario) {
      fmt::print(stderr, "{}", r.FormatErrors());
      ok = false;
      continue;
    }
    if (!names.insert(r.scenario->name).second) {
      fmt::print(stderr,
                 "{}: error: scenario.name = \"{}\" is also the name of an earlier file; "
                 "both would write results/{}/\n",
                 shown, r.scenario->name, r.scenario->name);
      ok = false;
      continue;
    }
    out.emplace_back(shown, std::move(*r.scenario));
  }
  if (!ok) return std::nullopt;
  return out;
}

// Rows outside the law's fitted domain, counted over the base, the variants
// and the sweep: one line for the whole run.
struct Outside {
  uint64_t rows = 0, total = 0;
  std::string example;  // "where: cell" of the first
  void Add(std::string_view where, const std::string& cell) {
    ++total;
    if (cell.empty()) return;
    if (rows++ == 0) example = fmt::format("{}: {}", where, cell);
  }
  std::string Message(const Run& base) const {
    return fmt::format(
        "{} of {} rows are outside the ranges the {} law was fitted on ({}); the extrapolation "
        "column says which and by how much, `repsim laws` lists the ranges",
        rows, total, ToString(base.law.preset), example);
  }
};

}  // namespace

int CheckCommand(const Args& args) {
  Parsed p;
  if (auto code = Parse(args, false, &p)) return *code;
  auto loaded = LoadAll(p.files, p.sets, io::LoadOptions{p.allow_implausible});
  if (!loaded) return kExitBadInput;
  for (const auto& [file, sc] : *loaded) {
    fmt::print("{}: ok ({}{}{})\n", file, sc.name,
               sc.sweep.empty() ? "" : fmt::format(", sweep of {} axes", sc.sweep.size()),
               sc.compare.empty() ? "" : fmt::format(", {} variants", sc.compare.size()));
  }
  return 0;
}

int RunCommand(const Args& args) {
  Parsed p;
  if (auto code = Parse(args, true, &p)) return *code;
  io::SweepOptions sweep_opts;
  sweep_opts.threads = p.threads;
  sweep_opts.wide = p.columns == "all";
  if (!p.shard.empty()) {
    int i = 0, n = 0;
    char slash = 0;
    std::istringstream ss(p.shard);
    if (!(ss >> i >> slash >> n) || slash != '/' || !ss.eof() || n < 1 || i < 1 || i > n) {
      return Fail("run",
                  fmt::format("--shard = '{}': must be I/N with 1 <= I <= N (e.g. 3/8)", p.shard));
    }
    sweep_opts.shard_index = i - 1;
    sweep_opts.shard_count = n;
    sweep_opts.sharded = true;
  }
  auto loaded = LoadAll(p.files, p.sets, io::LoadOptions{p.allow_implausible});
  if (!loaded) return kExitBadInput;
  io::InstallInterruptHandlers();
  const bool json = p.format == "json";
  std::vector<std::string> summaries;  // --format json

  for (auto& [file, sc] : *loaded) {
    if (p.intervals) sc.output.intervals = true;
    Expected<ScenarioResults> evaluated = EvaluateScenario(file, sc);
    if (!evaluated) {  // the loader resolved every run already; this is a bug
      return Fail("run", fmt::format("{}: {}", file, evaluated.error()), kExitInternal);
    }
    ScenarioResults& r = evaluated.value();
    Outside outside;
    outside.Add("base", Extrapolation(r.run));
    for (const CompareRow& c : r.compare) {
      if (c.is_base) continue;
      outside.Add(fmt::format("compare '{}'", c.name), Extrapolation(c.run));
    }
    if (p.strict && outside.rows) {
      return Fail("run", fmt::format("{}: --strict: {}", file, outside.Message(r.run)));
    }
    if (p.strict_verdicts) {
      const std::vector<std::string> flips = FlippingVerdicts(r);
      if (!flips.empty()) {
        std::string msg = fmt::format(
            "{}: --strict-verdicts: {} verdict{} flip{} inside the stated range of an "
            "assumption or the bootstrap band (nothing written):",
            file, flips.size(), flips.size() == 1 ? "" : "s", flips.size() == 1 ? "s" : "");
        for (const std::string& f : flips) msg += "\n  " + f;
        return Fail("run", msg, kExitVerdictFlips);
      }
    }

    Expected<io::Staging> staging = io::Staging::Create(p.out, sc.name);
    if (!staging) return Fail("run", fmt::format("{}: {}", file, staging.error()));
    io::SweepReport sweep;
    if (!sc.sweep.empty()) {
      if (auto e = io::RunSweep(sc, sweep_opts, *staging, &sweep)) {
        Fail("run", fmt::format("{}: {}", file, *e));
        return io::Interrupted() ? 128 + io::InterruptSignal() : kExitBadInput;
      }
      r.sweep_markdown = sweep.markdown;
      if (sweep.extrapolated && outside.rows == 0) {
        outside.example = fmt::format("sweep: {}", sweep.extrapolation_example);
      }
      outside.rows += sweep.extrapolated;
      outside.total += sweep.points;
      if (p.strict && outside.rows) {  // the staging folder goes away: nothing written
        return Fail("run", fmt::format("{}: --strict: {}", file, outside.Message(r.run)));
      }
    }
    if (auto e = io::WriteResults(r, *staging)) {  // output that cannot be written
      return Fail("run", fmt::format("{}: {}", file, *e));
    }
    if (sc.output.plots) {
      if (auto e = io::WritePlots(r, io::PlotOptions{p.png}, *staging)) {
        Warn("run", fmt::format("{}: plots: {}", file, *e));
      }
    }
    if (io::Interrupted()) {
      Fail("run", fmt::format("{}: interrupted; previous results left as they were", file));
      return 128 + io::InterruptSignal();
    }
    if (auto e = staging->Commit()) {  // output that cannot be written
      return Fail("run", fmt::format("{}: {}", file, *e));
    }
    if (outside.rows && !p.quiet) Warn("run", fmt::format("{}: {}", file, outside.Message(r.run)));
    if (json) summaries.push_back(io::SummaryJson(r));
    if (!p.quiet) {
      // With --format json, standard output is the JSON alone; the notes go to stderr.
      std::FILE* notes = json ? stderr : stdout;
      if (!json) fmt::print("{}", io::TerminalSummary(r, io::TextWidth()));
      if (!sc.sweep.empty()) {
        std::string failed;
        if (sweep.partial) failed += fmt::format(", {} partial", sweep.partial);
        if (sweep.invalid) failed += fmt::format(", {} invalid", sweep.invalid);
        if (!failed.empty()) failed += " (see the status column of sweep.csv)";
        if (sweep_opts.sharded) {
          fmt::print(notes,
                     "sweep: shard {}/{}: grid points {} to {} of {}{}; join the shards with "
                     "`repsim merge`\n",
                     sweep_opts.shard_index + 1, sweep_opts.shard_count, sweep.begin,
                     sweep.begin + sweep.points - 1, sweep.grid_points, failed);
        } else {
          fmt::print(notes, "sweep: {} points{}\n", sweep.points, failed);
        }
      }
      fmt::print(notes, "results written to {}/\n{}", staging->final_dir().string(),
                 json ? "" : "\n");
    }
  }
  if (json) {
    if (summaries.size() == 1) {
      fmt::print("{}", summaries[0]);
    } else {
      std::string all = "[\n";
      for (size_t i = 0; i < summaries.size(); ++i) {
        std::string one = summaries[i];
        while (!one.empty() && one.back() == '\n') one.pop_back();
        all += one + (i + 1 < summaries.size() ? ",\n" : "\n");
      }
      fmt::print("{}]\n", all);
    }
  }
  return kExitOk;
}

}  // namespace repsim::cli
