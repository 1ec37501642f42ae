// `repsim run` and `repsim check`: scenario files in, results out.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "io/interrupt.h"
#include "io/plots.h"
#include "io/results.h"
#include "io/scenario_loader.h"
#include "io/sweep_writer.h"

namespace po = boost::program_options;

namespace repsim::cli {
namespace {

constexpr const char* kRunUsage =
    "Usage: repsim run FILE.toml... [--out DIR] [--png] [--threads N] [--shard I/N] [--quiet]\n"
    "                  [--strict]\n\n"
    "Evaluates each scenario file (see SCENARIO.md and scenarios/) and writes\n"
    "DIR/<scenario.name>/: summary.csv, summary.json, trajectory.csv, report.md, and when\n"
    "the file asks for them compare.csv, sweep.csv and plots (.gp scripts, .svg when\n"
    "gnuplot is installed). Every file is checked before anything is written; a failed\n"
    "run leaves earlier results untouched.\n\n"
    "Reported quantities (MODEL.md §5): loss_repeated is the predicted loss with your\n"
    "repetition, loss_unique the same run on all-fresh data, delta their difference;\n"
    "effective_fraction = D'/D is the share of tokens that still count; wasted_compute\n"
    "the share of FLOPs repetition wastes. Every row has an extrapolation column: empty,\n"
    "or which ranges of the runs the law was fitted on it is outside of (repsim laws);\n"
    "one warning per run says how many, and --strict makes that an error.\n\n"
    "Options";

constexpr const char* kCheckUsage =
    "Usage: repsim check FILE.toml...\n\n"
    "Validates scenario files (keys, types, ranges, contradictions) without evaluating or\n"
    "writing anything. Exit code 0 when all are valid, 2 otherwise.\n\nOptions";

struct Parsed {
  std::vector<std::string> files;
  std::string out = "results";
  bool png = false;
  bool quiet = false;
  bool strict = false;
  int threads = 0;
  std::string shard;
  bool help = false;
};

// Parses args; returns an exit code when the command should stop now.
std::optional<int> Parse(const Args& args, bool run, Parsed* p) {
  po::options_description opts(run ? kRunUsage : kCheckUsage);
  opts.add_options()("help,h", "show this help");
  if (run) {
    opts.add_options()("out,o", po::value(&p->out), "output folder (default: results)")(
        "png", po::bool_switch(&p->png), "also render plots as PNG")(
        "threads,j", po::value(&p->threads), "threads for sweeps (default: all cores)")(
        "shard", po::value(&p->shard),
        "I/N: evaluate only slice I (1-based) of N of the sweep grid; join with `repsim merge`")(
        "quiet,q", po::bool_switch(&p->quiet), "print nothing but errors")(
        "strict", po::bool_switch(&p->strict),
        "refuse (exit 2, nothing written) any run outside the ranges its law was fitted on "
        "(the extrapolation column; see `repsim laws`)");
  }
  if (auto code = ParseWithPositionals(args, opts, &p->files, run ? "run" : "check")) {
    return code;
  }
  if (p->files.empty()) {
    fmt::print(stderr, "repsim {}: no scenario file given\n(see 'repsim {} --help')\n",
               run ? "run" : "check", run ? "run" : "check");
    return 2;
  }
  if (p->threads < 0 || p->threads > 1024) {
    fmt::print(stderr, "repsim run: --threads {}: must be from 0 (all cores) to 1024\n", p->threads);
    return 2;
  }
  return std::nullopt;
}

// Loads every file; prints all diagnostics. Empty on any error.
std::optional<std::vector<std::pair<std::string, Scenario>>> LoadAll(
    const std::vector<std::string>& files) {
  std::vector<std::pair<std::string, Scenario>> out;
  bool ok = true;
  std::set<std::string> names;
  for (const std::string& f : files) {
    io::LoadResult r = io::LoadScenarioFile(f);
    if (!r.scenario) {
      fmt::print(stderr, "{}", r.FormatErrors());
      ok = false;
      continue;
    }
    if (!names.insert(r.scenario->name).second) {
      fmt::print(stderr, "{}: error: scenario.name = \"{}\" is also the name of an earlier file; "
                         "both would write results/{}/\n",
                 f, r.scenario->name, r.scenario->name);
      ok = false;
      continue;
    }
    out.emplace_back(f, std::move(*r.scenario));
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
  auto loaded = LoadAll(p.files);
  if (!loaded) return 2;
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
  if (!p.shard.empty()) {
    int i = 0, n = 0;
    char slash = 0;
    std::istringstream ss(p.shard);
    if (!(ss >> i >> slash >> n) || slash != '/' || !ss.eof() || n < 1 || i < 1 || i > n) {
      fmt::print(stderr, "repsim run: --shard {}: must be I/N with 1 <= I <= N (e.g. 3/8)\n",
                 p.shard);
      return 2;
    }
    sweep_opts.shard_index = i - 1;
    sweep_opts.shard_count = n;
    sweep_opts.sharded = true;
  }
  auto loaded = LoadAll(p.files);
  if (!loaded) return 2;
  io::InstallInterruptHandlers();

  for (auto& [file, sc] : *loaded) {
    Expected<io::ScenarioResults> evaluated = io::EvaluateScenario(file, sc);
    if (!evaluated) {  // the loader resolved every run already; this is a bug
      fmt::print(stderr, "{}: {}\n", file, evaluated.error());
      return 1;
    }
    io::ScenarioResults& r = evaluated.value();
    Outside outside;
    outside.Add("base", Extrapolation(r.run));
    for (const io::CompareRow& c : r.compare) {
      outside.Add(fmt::format("compare '{}'", c.name), Extrapolation(c.run));
    }
    if (p.strict && outside.rows) {
      fmt::print(stderr, "{}: error: --strict: {}\n", file, outside.Message(r.run));
      return 2;
    }

    std::optional<io::Staging> staging;
    if (auto e = io::Staging::Create(p.out, sc.name, &staging)) {
      fmt::print(stderr, "{}: error: {}\n", file, *e);
      return 2;
    }
    io::SweepReport sweep;
    if (!sc.sweep.empty()) {
      if (auto e = io::RunSweep(sc, sweep_opts, *staging, &sweep)) {
        fmt::print(stderr, "{}: error: {}\n", file, *e);
        return io::Interrupted() ? 128 + io::InterruptSignal() : 2;
      }
      r.sweep_markdown = sweep.markdown;
      if (sweep.extrapolated && outside.rows == 0) {
        outside.example = fmt::format("sweep: {}", sweep.extrapolation_example);
      }
      outside.rows += sweep.extrapolated;
      outside.total += sweep.points;
      if (p.strict && outside.rows) {  // the staging folder goes away: nothing written
        fmt::print(stderr, "{}: error: --strict: {}\n", file, outside.Message(r.run));
        return 2;
      }
    }
    if (auto e = io::WriteResults(r, *staging)) {
      fmt::print(stderr, "{}: error: {}\n", file, *e);
      return 1;
    }
    if (sc.output.plots) {
      if (auto e = io::WritePlots(r, io::PlotOptions{p.png}, *staging)) {
        fmt::print(stderr, "{}: warning: plots: {}\n", file, *e);
      }
    }
    if (io::Interrupted()) {
      fmt::print(stderr, "{}: interrupted; previous results left as they were\n", file);
      return 128 + io::InterruptSignal();
    }
    if (auto e = staging->Commit()) {
      fmt::print(stderr, "{}: error: {}\n", file, *e);
      return 1;
    }
    if (outside.rows && !p.quiet) {
      fmt::print(stderr, "{}: warning: {}\n", file, outside.Message(r.run));
    }
    if (!p.quiet) {
      fmt::print("{}", io::TerminalSummary(r, TerminalColumns()));
      if (!sc.sweep.empty()) {
        std::string failed;
        if (sweep.partial) failed += fmt::format(", {} partial", sweep.partial);
        if (sweep.invalid) failed += fmt::format(", {} invalid", sweep.invalid);
        if (!failed.empty()) failed += " (see the status column of sweep.csv)";
        if (sweep_opts.sharded) {
          fmt::print("sweep: shard {}/{}: grid points {} to {} of {}{}; join the shards with "
                     "`repsim merge`\n",
                     sweep_opts.shard_index + 1, sweep_opts.shard_count, sweep.begin,
                     sweep.begin + sweep.points - 1, sweep.grid_points, failed);
        } else {
          fmt::print("sweep: {} points{}\n", sweep.points, failed);
        }
      }
      fmt::print("results written to {}/\n\n", staging->final_dir().string());
    }
  }
  return 0;
}

}  // namespace repsim::cli
